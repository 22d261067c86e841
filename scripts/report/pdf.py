"""The pack printed to PDF by headless Chromium (Debian's package, `make browser`): A4, a page per
pillar, no browser header or footer (no file path, no date stamp); the pack's own footer, its
month and page numbers, comes from the page's CSS (@page margin boxes)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

# Headless, offline and quiet: no sandbox (containers), no GPU, nothing fetched in the background.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
)
TIMEOUT_SECONDS = 180


class NoChromium(Exception):
    """Chromium is not installed here."""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise NoChromium("Chromium is not installed: run `make browser` (Debian's package) to print the pack to PDF")
    return found


def print_pdf(page: Path, target: Path) -> Path:
    """Print an HTML file to a PDF beside it (or at target); stops with the end of Chromium's output
    when no PDF comes out."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="pack-chromium-") as profile:
        result = subprocess.run(
            [
                chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                # bookmarks from the page's headings (a pillar per h2), so a reader can jump to one
                "--generate-pdf-document-outline",
                f"--print-to-pdf={partial}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    if not partial.exists() or partial.stat().st_size == 0:
        raise RuntimeError(f"Chromium wrote no PDF of {page} (exit {result.returncode}): {result.stderr[-1500:]}")
    partial.replace(target)
    return target
