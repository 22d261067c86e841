"""Shared command line for the generated documentation pages (write them, or check they are current)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from scripts.settings import PROJECT_ROOT


def run(argv: list[str] | None, prog: str, description: str, page: Path, render: Callable[[], str], make_target: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help=f"write {page.relative_to(PROJECT_ROOT)}")
    mode.add_argument("--check", action="store_true", help="exit 1 when the page is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
        print(f"wrote {page}")
        return 0
    if not page.exists() or page.read_text(encoding="utf-8") != text:
        print(f"{page} is out of date: run `make {make_target}` and commit it", file=sys.stderr)
        return 1
    return 0
