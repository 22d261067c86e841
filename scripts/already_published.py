"""Is the working warehouse already published, gated by these checks and this code? The nightly's
gate and publish ask before doing anything, and do nothing when it is.

A night with nothing new changes nothing: the load adds no file and the build builds no model, so
neither gives the warehouse a new build identity (scripts/build_identity.py). Checking that build
again would give the results its gate run gave, and publishing it again the same files, unless
what checks or publishes it has changed since. So both are skipped, saying so, when

- the latest gate run (quality.validation_runs) validated the warehouse's build identity now, passed,
  and ran the same checks (CHECKS_DIGEST: suites, thresholds, Great Expectations version) with the
  same code (code_digest: scripts/, expectations/, config/ and the pinned packages), and
- the published warehouse's latest release (releases.release_log) published that very run.

Anything else (a new build, a failed or different gate run, a changed check or script, nothing
published yet, or a release of another run) and the step runs as it always does.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import duckdb

from scripts import build_identity
from scripts.gate.carry import checks_digest
from scripts.gate.suites import load_checks
from scripts.settings import PROJECT_ROOT

CODE = ("scripts", "expectations", "config", "requirements.txt")  # what gates and publishes a build


def code_digest(root: Path = PROJECT_ROOT) -> str:
    """One MD5 of the files that check, publish and pack a build (their paths and bytes)."""
    digest = hashlib.md5()
    for name in CODE:
        top = root / name
        files = [top] if top.is_file() else sorted(path for path in top.rglob("*") if path.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def published_run(published: Path) -> str | None:
    """The gate run the published warehouse's latest release published (None: nothing published)."""
    if not published.exists():
        return None
    try:
        with duckdb.connect(str(published), read_only=True) as connection:
            row = connection.execute("select run_id from releases.release_log order by released_at desc limit 1").fetchone()
    except duckdb.CatalogException:
        return None  # published before releases were recorded
    return row[0] if row else None


def already_published(work: Path, published: Path, checks: str, code: str) -> str | None:
    """The gate run that validated and published the warehouse as it is now, with the given checks
    digest and code digest; None when the gate and publish have work to do."""
    with duckdb.connect(str(work), read_only=True) as connection:
        build_id = build_identity.current(connection)
        latest = build_identity.latest_gate_run(connection, "run_id, build_id, is_publishable, checks_digest, code_digest")
    if latest is None or build_id is None:
        return None
    run_id, validated_build, is_publishable, checks_then, code_then = latest
    if (validated_build, is_publishable, checks_then, code_then) != (build_id, True, checks, code):
        return None
    return run_id if published_run(published) == run_id else None


def skip(step: str, work: Path, published_dir: Path) -> bool:
    """Has the step (validate or publish) nothing to do? Says so when it has not."""
    checks = checks_digest(load_checks())
    run_id = already_published(work, published_dir / "warehouse.duckdb", checks, code_digest())
    if run_id is not None:
        print(
            f"{step}: nothing to do: the warehouse is the build gate run {run_id} validated and the published "
            "release holds, and no check or script has changed since (scripts/already_published.py)"
        )
    return run_id is not None


def add_option(parser: argparse.ArgumentParser, step: str) -> None:
    """The step's --skip-if-published option (the nightly passes it)."""
    parser.add_argument(
        "--skip-if-published",
        action="store_true",
        help=f"the nightly: {step} nothing when the warehouse is the build already gated and published with these "
        "checks and this code (scripts/already_published.py)",
    )
