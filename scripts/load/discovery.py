"""Finding the extracts: a force's folder of <source>_YYYY-MM files, a data.police.uk download
laid out as published, and what makes two files the same extract."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from scripts.contract import Table
from scripts.load.tables import LoadError


def fingerprint(path: Path) -> str:
    """The MD5 of a file's bytes: how a nightly load tells a new or re-exported file from one it has."""
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def month_of(name: str, source: str) -> str | None:
    """The YYYY-MM of an extract file named <source>_YYYY-MM.csv or .csv.gz, else None."""
    match = re.fullmatch(rf"{re.escape(source)}_(\d{{4}})-(\d{{2}})\.csv(?:\.gz)?", name)
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return f"{match[1]}-{match[2]}"


def discover(raw_dir: Path, contract: dict[str, Table], sources: list[str] | None = None) -> dict[str, list[Path]]:
    """The extract files of each source. A source folder holds exactly <source>_YYYY-MM.csv or
    .csv.gz files, one per month (hidden files such as .gitkeep aside). Any other file, two files
    for one month, or a name with a bad month stops the load with one message listing them all."""
    if not raw_dir.is_dir():
        raise LoadError(f"{raw_dir}: folder of raw extracts not found; run `make generate` or set RAW_DATA_DIR.")
    found: dict[str, list[Path]] = {}
    offending: list[str] = []
    for name in sources or list(contract):
        if name not in contract:
            raise LoadError(f"unknown source {name!r}; the contract defines {', '.join(contract)}")
        folder = raw_dir / name
        entries = sorted(path for path in folder.iterdir() if not path.name.startswith(".")) if folder.is_dir() else []
        by_month: dict[str, Path] = {}
        for path in entries:
            month = month_of(path.name, name) if path.is_file() else None
            if month is None:
                offending.append(f"{path} (expected {name}_YYYY-MM.csv or {name}_YYYY-MM.csv.gz)")
            elif month in by_month:
                offending.append(f"{path} (a second file for {month}, beside {by_month[month].name}; keep one)")
            else:
                by_month[month] = path
        if not by_month and not offending:
            raise LoadError(
                f"{folder}: no extract files for source '{name}' (expected {name}_YYYY-MM.csv or .csv.gz). "
                "Copy the force's extract there, or run `make generate` for sample data."
            )
        found[name] = [by_month[month] for month in sorted(by_month)]
    if offending:
        raise LoadError(
            f"{raw_dir}: {len(offending)} file(s) that are not one extract per source and month; nothing was "
            "loaded. Rename, move or remove them:\n  " + "\n  ".join(offending)
        )
    return found


POLICE_UK_FILE = re.compile(
    r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9]+(?:-[a-z0-9]+)*?)-(?P<kind>street|outcomes|stop-and-search)\.csv(?:\.gz)?"
)
POLICE_UK_FOLDER = re.compile(r"\d{4}-\d{2}")


def discover_police_uk(folder: Path, contract: dict[str, Table], progress: bool = True) -> dict[str, list[Path]]:
    """The police.uk files of each kind, found by their own names wherever the download was unpacked:
    <anything>/YYYY-MM/YYYY-MM-<force>-<kind>.csv[.gz], the file's month equal to its folder's. Only the
    file and its folder's name count, never the folders above (a parent such as
    police-2025-12-download/ may hold a month and a force too). Every other file under the folder is
    named in a notice and not loaded; the same file twice (a .csv beside its .csv.gz, or two
    unpacked downloads that overlap) stops the load, since it would be counted twice."""
    if not folder.is_dir():
        raise LoadError(f"{folder}: police.uk folder not found; point --police-uk at the unpacked download")
    kinds = {table.file_kind: name for name, table in contract.items()}
    found: dict[str, list[Path]] = {name: [] for name in contract}
    seen: dict[str, Path] = {}
    ignored: list[Path] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        match = POLICE_UK_FILE.fullmatch(path.name)
        if not match or not POLICE_UK_FOLDER.fullmatch(path.parent.name) or path.parent.name != match["month"]:
            ignored.append(path)
            continue
        key = f"{match['month']}-{match['force']}-{match['kind']}"
        if key in seen:
            raise LoadError(
                f"{path}: the same file as {seen[key]} ({key}); loading both would count its rows twice. "
                "Keep one of them (or point --police-uk at one download) and run again."
            )
        seen[key] = path
        found[kinds[match["kind"]]].append(path)
    if ignored and progress:
        shown = ", ".join(str(path.relative_to(folder)) for path in ignored[:10])
        more = f" and {len(ignored) - 10} more" if len(ignored) > 10 else ""
        print(
            f"  police.uk: {len(ignored)} file(s) under {folder} not loaded (not YYYY-MM/YYYY-MM-<force>-"
            f"street|outcomes|stop-and-search.csv[.gz]): {shown}{more}",
            flush=True,
        )
    if not found.get("street"):
        raise LoadError(f"{folder}: no street files (expected YYYY-MM/YYYY-MM-<force>-street.csv or .csv.gz)")
    return found


def file_key(path: Path) -> str:
    """What makes two files the same extract: the name less any .gz (a month re-exported with another
    compression is the same month)."""
    return path.name.removesuffix(".gz")
