"""One pipeline at a time per warehouse: run a command holding the warehouse's lock.

`make run`, `make nightly`, `make as-at` and each step run alone (load, build, validate, publish,
pack) run under this lock (<warehouse>.lock beside the DuckDB file, an OS file lock released when
the process ends, even on kill -9). A second pipeline on the same warehouse refuses at once with one
line naming the holder, or waits for it with --wait. The steps inside a locked pipeline run
without locking again (the holder's environment says it holds the lock).

    python -m scripts.pipeline_lock --warehouse warehouse/warehouse.duckdb --name "make run" -- make _run
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HELD = "WAREHOUSE_LOCK_HELD"
BUSY_EXIT = 3


class Busy(Exception):
    """Another pipeline holds the warehouse; the message names it."""


def busy(tool: str, error: Exception) -> int:
    """One line, never a traceback, for a DuckDB file another process holds; the exit code to return."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    print(
        f"{tool}: REFUSED the warehouse is in use by another process ({first}); wait for it to finish, then run again",
        file=sys.stderr,
    )
    return BUSY_EXIT


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it."""
    try:
        found = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return "another process"
    return f"`{found.get('name', '?')}` (pid {found.get('pid', '?')}, since {found.get('since', '?')})"


def acquire(warehouse: Path, name: str, wait_seconds: float = 0) -> int:
    """Take the warehouse's lock; return the open descriptor that holds it (closed when the process ends)."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    announced = False
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(descriptor)
                raise Busy(
                    f"{warehouse} is in use by {holder(path)}; wait for it to finish (or stop it), then run again"
                ) from None
            if not announced:
                print(f"waiting for {holder(path)} to finish with {warehouse} ...", file=sys.stderr, flush=True)
                announced = True
            time.sleep(1)
    os.ftruncate(descriptor, 0)
    os.write(
        descriptor, json.dumps({"name": name, "pid": os.getpid(), "since": datetime.now().isoformat(timespec="seconds")}).encode()
    )
    return descriptor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.pipeline_lock", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", type=Path, required=True, help="the DuckDB file the pipeline writes")
    parser.add_argument("--name", default="a pipeline", help="what to call this pipeline in a refusal")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for a running pipeline (default: refuse at once)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the command to run holding the lock")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    target = str(args.warehouse.resolve())
    if os.environ.get(HELD) == target:  # a step inside a pipeline that holds the lock already
        return subprocess.call(command)
    try:
        descriptor = acquire(args.warehouse, args.name, args.wait)
    except Busy as busy:
        print(f"{args.name}: REFUSED {busy}", file=sys.stderr)
        return BUSY_EXIT
    try:
        return subprocess.call(command, env=dict(os.environ, **{HELD: target}))
    finally:
        os.close(descriptor)


if __name__ == "__main__":
    sys.exit(main())
