"""The CI workflows a force adopts are well-formed and run what the README says."""

from __future__ import annotations

from pathlib import Path

import yaml

from scripts import build_scope
from scripts.settings import PROJECT_ROOT, load_config

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def steps_run(workflow: dict) -> list[str]:
    return [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]


def test_nightly_runs_make_nightly_on_yesterdays_warehouse_and_keeps_what_it_published() -> None:
    workflow = load("nightly.yml")
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML reads a bare `on:` as true
    assert triggers["schedule"][0]["cron"]
    steps = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", "") for step in steps]
    build = next(position for position, step in enumerate(steps) if "make nightly" in step.get("run", ""))
    assert "make run" in steps[build]["run"]  # the first night, with no warehouse to continue
    restore = next(position for position, name in enumerate(uses) if name.startswith("actions/cache/restore"))
    save = next(position for position, name in enumerate(uses) if name.startswith("actions/cache/save"))
    assert restore < build < save
    kept = steps[restore]["with"]["path"].split()
    assert kept == steps[save]["with"]["path"].split()
    # the warehouse, the manifest of its last build that the nightly's build scope compares with,
    # and the published folder: the release the next is compared with (scripts/release.py) and the
    # build a night with nothing new finds published (scripts/already_published.py)
    warehouse = Path("warehouse/warehouse.duckdb")
    assert kept == [str(warehouse), f"{build_scope.state_dir(warehouse)}/", f"{load_config()['paths']['published']}/"]
    uploads = [step for step in workflow["jobs"]["build"]["steps"] if "upload-artifact" in step.get("uses", "")]
    paths = uploads[0]["with"]["path"]
    for published in ("warehouse.duckdb", "parquet/", "data_docs/", "dbt_docs/", "pack/"):
        assert f"warehouse/published/{published}" in paths
    assert uploads[0]["if"] == "always()"


def test_pull_requests_run_make_test() -> None:
    workflow = load("pull_request.yml")
    assert any(command.strip() == "make test" for command in steps_run(workflow))
    assert workflow["jobs"]["test"]["timeout-minutes"] <= 90


def test_make_run_says_how_to_get_the_pdf_before_it_starts(tmp_path) -> None:
    """`make run` on a machine without Chromium installs it when it can (root) and otherwise says in
    one line how to get the PDF, before the pipeline starts; it never stops for it."""
    import os
    import shutil
    import subprocess

    make = shutil.which("make")
    assert make
    # a machine where chromium is not on the PATH and the user is not root
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text("#!/bin/sh\necho 1000\n")
    (fake / "id").chmod(0o755)
    result = subprocess.run(
        [make, "-s", "--no-print-directory", "browser"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PATH": str(fake)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and "sudo apt-get install chromium" in lines[0], result.stdout
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    run_rule = next(line for line in makefile.splitlines() if line.startswith("run:"))
    assert "browser" in run_rule.split("##", 1)[0]


PAYLOADS = (
    ";touch {marker}",
    "$(touch {marker})",
    "`touch {marker}`",
    "' ; touch {marker} ; '",
    '" ; touch {marker} ; "',
    "$(shell touch {marker})",
    "| touch {marker}",
    "&& touch {marker}",
    "x' \"$$(touch {marker})\" '",
)
# each variable a target takes, and a target that passes it on (one argument: the value as typed)
VARIABLES = (
    ("pack", "MONTH", True),
    ("pack", "FORCE", True),
    ("as-at", "AS_AT", True),
    ("load", "POLICE_UK_DIR", True),
    ("load", "RAW_DATA_DIR", True),
    ("load", "WAREHOUSE_PATH", True),
    ("load", "LOAD_ARGS", False),
    ("generate", "RAW_DATA_DIR", True),
    ("build", "FULL_REFRESH", False),
    ("build", "ROW_CHECKS", False),
    ("build", "BUILD_ARGS", False),
    ("build", "WAREHOUSE_PATH", False),
    ("validate", "LOCK_WAIT", False),
    ("publish", "PUBLISH_ARGS", False),
    ("nightly", "ROW_CHECKS", False),
    ("bench", "SCALES", False),
    ("bench", "BENCH_MONTHS", True),
    ("bench-police-uk", "BENCH_MONTHS", True),
)


def fake_programs(folder):
    """A python and a dbt that record their arguments (the lock runs what it wraps), so a target runs
    its recipe in seconds and we see what each program was given."""
    folder.mkdir()
    record = 'python3 -c \'import json, os, sys; open(os.environ["ARGV_LOG"], "a").write(json.dumps(sys.argv[1:]) + "\\n")\' "$@"'
    (folder / "python").write_text(
        "#!/bin/bash\n"
        'if [ "$1" = -m ] && [ "$2" = scripts.pipeline_lock ]; then while [ "$1" != -- ]; do shift; done; shift; exec "$@"; fi\n'
        f"{record}\n"
    )
    (folder / "dbt").write_text(f"#!/bin/bash\n{record}\n")
    for program in ("python", "dbt"):
        (folder / program).chmod(0o755)


def run_make(target: str, variable: str, value: str, fake, log, makefile=None) -> None:
    import os
    import subprocess

    command = ["make", "-s", "--no-print-directory", target, f"BIN={fake}", f"DBT={fake}/dbt", f"{variable}={value}"]
    if makefile:
        command[1:1] = ["-f", str(makefile)]
    subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, "ARGV_LOG": str(log)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_passes_every_variable_as_an_argument_never_as_shell_text(tmp_path) -> None:
    """`make MONTH=';touch x'` and friends run nothing: every variable a target takes, with every
    shell and make metacharacter case, reaches the program as an argument (as typed, one argument
    where it is one value), and the marker file is never created. The check catches a recipe that
    passes a variable as shell text."""
    import json

    fake, log = tmp_path / "bin", tmp_path / "argv.log"
    fake_programs(fake)
    marker = tmp_path / "executed"
    for target, variable, single in VARIABLES:
        for payload in PAYLOADS:
            value = payload.format(marker=marker)
            log.write_text("")
            run_make(target, variable, value, fake, log)
            assert not marker.exists(), f"make {target} {variable}={value!r} ran the text as a command"
            if single:
                given = [json.loads(line) for line in log.read_text().splitlines()]
                assert any(value in argv for argv in given), (target, variable, value, given)
    unsafe = tmp_path / "Unsafe.mk"
    unsafe.write_text("SHELL := /bin/bash\nt:\n\t@echo $(MONTH)\n")
    run_make("t", "MONTH", PAYLOADS[0].format(marker=marker), fake, log, makefile=unsafe)
    assert marker.exists()
