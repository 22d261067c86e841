"""The project's own rules: every model states its grain in a test, every macro is described, and the
style checks `make lint` runs can fail."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import run_dbt

from scripts.settings import PROJECT_ROOT

GRAIN_TESTS = {"unique", "unique_combination"}


def models_without_grain_test(manifest: dict[str, Any]) -> list[str]:
    """Models no unique or unique_combination data test is attached to."""
    models = {key: node["name"] for key, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    tested = {
        dependency
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and (node.get("test_metadata") or {}).get("name") in GRAIN_TESTS
        for dependency in node["depends_on"]["nodes"]
    }
    return sorted(name for key, name in models.items() if key not in tested)


def macros_without_description(manifest: dict[str, Any], package: str) -> list[str]:
    return sorted(
        macro["name"]
        for macro in manifest["macros"].values()
        if macro["package_name"] == package and not macro["description"].strip()
    )


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The project parsed by dbt (no warehouse needed)."""
    warehouse = tmp_path_factory.mktemp("parse") / "warehouse.duckdb"
    result = run_dbt(warehouse, "parse")
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((warehouse.parent / "target" / "manifest.json").read_text(encoding="utf-8"))


def test_every_model_has_a_grain_test(manifest: dict[str, Any]) -> None:
    assert models_without_grain_test(manifest) == []


def test_every_macro_is_described_in_yaml(manifest: dict[str, Any]) -> None:
    package = next(node["package_name"] for node in manifest["nodes"].values() if node["resource_type"] == "model")
    assert macros_without_description(manifest, package) == []


def test_the_checks_name_what_they_miss() -> None:
    """A hand-made manifest: a model with only a not_null test, one with a grain test, an undescribed macro."""
    manifest = {
        "nodes": {
            "model.p.a": {"resource_type": "model", "name": "a"},
            "model.p.b": {"resource_type": "model", "name": "b"},
            "test.p.nn": {"resource_type": "test", "test_metadata": {"name": "not_null"}, "depends_on": {"nodes": ["model.p.a"]}},
            "test.p.g": {
                "resource_type": "test",
                "test_metadata": {"name": "unique_combination"},
                "depends_on": {"nodes": ["model.p.b"]},
            },
        },
        "macros": {
            "macro.p.m": {"name": "m", "package_name": "p", "description": ""},
            "macro.p.n": {"name": "n", "package_name": "p", "description": "Does n."},
            "macro.dbt.x": {"name": "x", "package_name": "dbt", "description": ""},
        },
    }
    assert models_without_grain_test(manifest) == ["a"]
    assert macros_without_description(manifest, "p") == ["m"]


def test_the_style_checks_catch_unformatted_and_unused_code(tmp_path: Path) -> None:
    """`make lint` runs these two commands over the tree; on a file with both faults each fails."""
    ruff = Path(sys.executable).parent / "ruff"
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nx = {  'a':1 }\n", encoding="utf-8")
    config = ["--config", str(PROJECT_ROOT / "pyproject.toml")]
    lint = subprocess.run([str(ruff), "check", *config, str(bad)], capture_output=True, text=True)
    form = subprocess.run([str(ruff), "format", "--check", *config, str(bad)], capture_output=True, text=True)
    assert lint.returncode == 1 and "F401" in lint.stdout
    assert form.returncode == 1 and "bad.py" in form.stdout


def test_the_sql_style_check_catches_a_badly_written_model(tmp_path: Path) -> None:
    """`make lint` runs sqlfluff with .sqlfluff over models/, tests/ and analyses/. A model written
    to the style guide (using a project macro) passes; the same with upper-case keywords, a leading
    comma and an unqualified column in a join fails, each fault named."""
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    good = tmp_path / "good.sql"
    good.write_text(
        "with\n\nwindows as (\n\n    {{ reporting_windows_rows() }}\n\n),\n\n"
        "final as (\n\n    select\n        windows.period_window,\n        windows.months_in_window\n"
        "    from windows\n\n)\n\nselect * from final\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.sql"
    bad.write_text(
        "SELECT a.x\n    , period_window\nFROM {{ ref('a') }} AS a\nINNER JOIN ({{ reporting_windows_rows() }}) AS w ON a.x = w.x\n",
        encoding="utf-8",
    )
    config = ["--config", str(PROJECT_ROOT / ".sqlfluff"), "--disable-progress-bar"]
    passed = subprocess.run(
        [str(sqlfluff), "lint", *config, str(good)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    failed = subprocess.run(
        [str(sqlfluff), "lint", *config, str(bad)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert failed.returncode == 1
    assert {"CP01", "LT04", "RF02"} <= set(re.findall(r"\| (\w{2}\d{2}) \|", failed.stdout)), failed.stdout


def test_dbt_writes_no_colour_codes_into_logs(tmp_path: Path) -> None:
    """Every dbt run the scripts make goes to a log: no escape codes in it (dbt colours its output
    whatever it is written to unless told not to, as the second run shows)."""
    import os

    from scripts import runner

    warehouse = tmp_path / "warehouse.duckdb"
    logged = run_dbt(warehouse, "parse")
    assert logged.returncode == 0 and "\x1b[" not in logged.stdout + logged.stderr
    coloured = dict(runner.pipeline_environment(warehouse), DBT_USE_COLORS="true")
    told = subprocess.run(
        runner.dbt_command(warehouse, "parse"), cwd=PROJECT_ROOT, env=coloured, capture_output=True, text=True, timeout=900
    )
    assert "\x1b[" in told.stdout + told.stderr
    # make exports DBT_USE_COLORS=false when its stderr is not a terminal (cron, CI, a redirect)
    environment = {key: value for key, value in os.environ.items() if key != "DBT_USE_COLORS"}
    shown = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "show-colours: ; @echo $$DBT_USE_COLORS", "show-colours"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout.strip() == "false", shown.stdout + shown.stderr


def imported_modules(folders: tuple[Path, ...]) -> set[str]:
    """The top-level modules our Python imports (read from its syntax tree)."""
    import ast

    found: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module.split(".")[0])
    return found


def undeclared_imports(modules: set[str], declared: set[str], local: set[str]) -> list[str]:
    """The third-party modules whose distribution is not a declared direct dependency."""
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    third_party = sorted(module for module in modules - local if module not in sys.stdlib_module_names and module != "__future__")
    return [
        module
        for module in third_party
        if not {name.lower().replace("_", "-") for name in distributions.get(module, [module])} & declared
    ]


def test_every_module_imported_is_a_declared_dependency_pinned_at_its_version() -> None:
    """pyproject.toml declares every distribution our code imports (and the tools make runs), and
    requirements.txt pins each at the declared version (`make pins` regenerates it from them). The
    check catches a module imported without being declared."""
    import tomllib

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *(r for group in project["optional-dependencies"].values() for r in group)]
    declared = dict(requirement.split("==", 1) for requirement in requirements)
    names = {name.lower().replace("_", "-") for name in declared}
    local = {path.stem for path in (PROJECT_ROOT / "tests" / "python").glob("*.py")} | {"scripts"}
    modules = imported_modules((PROJECT_ROOT / "scripts", PROJECT_ROOT / "tests" / "python"))
    assert undeclared_imports(modules, names, local) == []
    assert undeclared_imports({"requests"}, names, local) == ["requests"]
    pinned = dict(
        line.split("==", 1)
        for line in (PROJECT_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line
    )
    pinned = {name.lower().replace("_", "-"): version for name, version in pinned.items()}
    for name, version in declared.items():
        assert pinned.get(name.lower().replace("_", "-")) == version, f"{name}=={version} is not what requirements.txt pins"
    for tool in ("ruff", "sqlfluff", "pytest"):
        assert tool in names


MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 80
# the pipeline's steps (make load, validate, publish, pack, as-at) and what they import from scripts/:
# none may reach the synthetic generator
STEPS = ("scripts.pipeline", "scripts.load", "scripts.validate", "scripts.publish", "scripts.pack", "scripts.as_at")
GENERATOR = ("scripts.generate", "scripts.synth")


def oversized(folder: Path) -> list[str]:
    """Modules over MAX_MODULE_LINES lines and functions over MAX_FUNCTION_LINES, under folder."""
    import ast

    found = []
    for path in sorted(folder.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            found.append(f"{path.name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
            ):
                found.append(f"{path.name}: {node.name} {node.end_lineno - node.lineno + 1} lines")
    return found


def scripts_reached(root: Path, start: str) -> set[str]:
    """Every scripts module start imports, directly or through others (its package's __init__ included)."""
    import ast

    seen: set[str] = set()
    waiting = [start]
    while waiting:
        name = waiting.pop()
        if name in seen:
            continue
        seen.add(name)
        path = root / Path(*name.split("."))
        source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        if not source.exists():
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("scripts"):
                waiting.append(node.module)
                waiting += [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                waiting += [alias.name for alias in node.names if alias.name.startswith("scripts")]
        parent = name.rsplit(".", 1)[0]
        if parent != name:
            waiting.append(parent)
    return seen


def test_no_module_or_function_is_too_long_to_read(tmp_path: Path) -> None:
    """scripts/ and the tests hold no module over 400 lines and no function over 80; a long function is
    caught."""
    assert oversized(PROJECT_ROOT / "scripts") == []
    assert oversized(PROJECT_ROOT / "tests") == []
    long_body = "\n".join(f"    value_{n} = {n}" for n in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text(f"def long() -> None:\n{long_body}\n")
    assert oversized(tmp_path) == [f"long.py: long {MAX_FUNCTION_LINES + 1} lines"]


def test_no_pipeline_step_imports_the_generator(tmp_path: Path) -> None:
    """The picture of the code: no arrow from a step (the pack and the gate included) to the generator;
    a step that imports it is caught."""
    for step in STEPS:
        reached = scripts_reached(PROJECT_ROOT, step)
        assert not [name for name in reached if name.startswith(GENERATOR)], (step, sorted(reached))
    assert "scripts.report.data" in scripts_reached(PROJECT_ROOT, "scripts.pack")  # it does follow imports
    fake = tmp_path / "scripts"
    fake.mkdir()
    (fake / "pack.py").write_text("from scripts.synth.calendar import parse_month\n")
    assert "scripts.synth.calendar" in scripts_reached(tmp_path, "scripts.pack")
