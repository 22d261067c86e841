"""Run a pipeline step (dbt, or one of our scripts) as its own process against a given warehouse.

dbt runs in a subprocess, never in the calling process, so no DuckDB lock outlives a run. Each
step's wall time and peak memory (the process's own maximum resident set) are returned for the
benchmark; nothing here asserts a timing.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from scripts.settings import PROJECT_ROOT

PYTHON = sys.executable
DBT = str(Path(sys.executable).parent / "dbt")


class StepFailed(Exception):
    """A step exited with an error; the message carries the end of its output."""


@dataclass(frozen=True)
class Step:
    seconds: float
    peak_mib: float
    output: str


def pipeline_environment(warehouse: Path, **extra: str) -> dict[str, str]:
    """The environment every step gets: the warehouse file, its temp folder, no telemetry (extra
    overrides any of them)."""
    return {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles"),
        "DUCKDB_TEMP_DIR": str(warehouse.parent / "tmp"),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",  # the output goes to a log, never a terminal (the pipeline says otherwise)
        **extra,
    }


def run_step(command: list[str], environment: dict[str, str], ok_codes: tuple[int, ...] = (0,)) -> Step:
    """Run one command to its end; raise StepFailed on an exit code outside ok_codes."""
    with tempfile.TemporaryFile(mode="w+") as log:
        started = time.perf_counter()
        pid = os.posix_spawn(
            command[0],
            command,
            environment,
            file_actions=[(os.POSIX_SPAWN_DUP2, log.fileno(), 1), (os.POSIX_SPAWN_DUP2, log.fileno(), 2)],
        )
        _, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - started
        log.seek(0)
        output = log.read()
    code = os.waitstatus_to_exitcode(status)
    if code not in ok_codes:
        errors = [line for line in output.splitlines() if "Error" in line and not line.startswith(" ")][:10]
        raise StepFailed(f"{' '.join(command)} exited with {code}:\n" + "\n".join(errors) + f"\n...\n{output[-3000:]}")
    return Step(seconds, usage.ru_maxrss / 1024, output)


def dbt_command(warehouse: Path, *args: str, vars_: dict[str, str] | None = None) -> list[str]:
    """`dbt <args>` for the warehouse, with its own target, log and spill folders beside it."""
    command = [
        DBT,
        *args,
        "--project-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(warehouse.parent / "target"),
        "--log-path",
        str(warehouse.parent / "logs"),
    ]
    if vars_:
        command += ["--vars", json.dumps(vars_)]  # JSON is YAML: every value quoted and escaped
    os.makedirs(warehouse.parent / "tmp", exist_ok=True)
    return command


def dbt(
    warehouse: Path,
    *args: str,
    vars_: dict[str, str] | None = None,
    ok_codes: tuple[int, ...] = (0,),
    environment: dict[str, str] | None = None,
) -> Step:
    """Run `dbt <args>` against the warehouse (in pipeline_environment unless given another)."""
    return run_step(dbt_command(warehouse, *args, vars_=vars_), environment or pipeline_environment(warehouse), ok_codes)


def script(warehouse: Path, module: str, *args: str, ok_codes: tuple[int, ...] = (0,)) -> Step:
    """`python -m scripts.<module> <args>` against the warehouse."""
    return run_step([PYTHON, "-m", f"scripts.{module}", *args], pipeline_environment(warehouse), ok_codes)


def machine() -> dict[str, str]:
    """What a benchmark ran on: CPU model, cores, memory, Python and DuckDB versions."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0"
    )
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "memory_gib": f"{int(memory) / 1024 / 1024:.0f}",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }
