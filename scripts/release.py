"""Releases: every publish is a version a reader can compare with the one before.

`scripts.publish` calls `record` on the reader copy it is about to swap in, with the file it
replaces (the last published build). Into the new copy's `releases` schema, beside the history it
carries over from the last one:

- release_log: the version (publish time in UTC to the second, then the build identity: e.g.
  2026-12-05T214233Z-3f2a9c1e), the build and gate run it publishes, the version before it;
- mart_changes: per mart, rows added, removed and changed since the version before, and its rows;
- schema_changes: columns added, removed or of another type;
- revised_figures: every number that changed in a row the version before already had (a row of a
  month it published: a late outcome changes an old rate): the mart, its measure, geography, month
  and window where the mart has them, the row's key, the figure's column, its value before and now,
  and by how much.

A reader asks "what changed since last month's pack" in one query, e.g.
`select * from releases.revised_figures where released_at > timestamp '2026-11-05'`.

Rows are matched on each mart's key: its unique_combination test in models/marts/_marts__models.yml.
A mart without one, or whose key repeats in either version, cannot be compared: the release fails
(ReleaseError) and publish leaves the last published build as it was. The release note
(RELEASE_NOTE.md) and a read-only copy of each version's warehouse go in releases/<version>/ under
the published folder; the last `releases.keep` versions are kept (config/warehouse.yml).
"""

from __future__ import annotations

import shutil
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from scripts.settings import PROJECT_ROOT, load_config, parse_yaml
from scripts.sql_text import identifier, literal

MARTS_MODELS = PROJECT_ROOT / "models" / "marts" / "_marts__models.yml"
# key columns a revised figure is named by, where its mart has them
NAMED_BY = ("measure_id", "geography_level", "geography", "period_month", "period_window")
NUMERIC = ("DOUBLE", "FLOAT", "DECIMAL", "INTEGER", "BIGINT", "HUGEINT", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER")
HISTORY = {
    "release_log": ("version varchar, released_at timestamp, build_id varchar, run_id varchar, previous_version varchar"),
    "mart_changes": (
        "version varchar, mart varchar, rows_added bigint, rows_removed bigint, rows_changed bigint, row_count bigint"
    ),
    "schema_changes": "version varchar, mart varchar, column_name varchar, change varchar, previous_type varchar, current_type varchar",
    "revised_figures": (
        "version varchar, released_at timestamp, mart varchar, measure_id varchar, geography_level varchar, "
        "geography varchar, period_month date, period_window varchar, row_key varchar, figure varchar, "
        "previous_value double, current_value double, change double"
    ),
}


class ReleaseError(Exception):
    """The release cannot be compared with the one before; the message says why."""


@dataclass(frozen=True)
class Release:
    version: str
    note: str


def mart_keys(path: Path = MARTS_MODELS) -> dict[str, list[str]]:
    """Each mart's key: the columns of its first unique_combination test."""
    keys = {}
    for model in parse_yaml(path.read_text(encoding="utf-8"))["models"]:
        for test in model.get("data_tests") or []:
            if isinstance(test, dict) and "unique_combination" in test:
                spec = test["unique_combination"]
                keys[model["name"]] = list(spec.get("arguments", spec)["columns"])
                break
    return keys


def new_version(build_id: str, released_at: datetime) -> str:
    """The release's version: its time (UTC, to the second), then the build identity's first 8 characters."""
    return f"{released_at:%Y-%m-%dT%H%M%SZ}-{build_id[:8]}"


def _columns(connection: duckdb.DuckDBPyConnection, catalog: str, table: str) -> dict[str, str]:
    return dict(
        connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = ? and table_schema = 'marts' and table_name = ? order by ordinal_position",
            [catalog, table],
        ).fetchall()
    )


def _marts(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [
        name
        for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_catalog = ? and table_schema = 'marts' "
            "and table_type = 'BASE TABLE' order by all",
            [catalog],
        ).fetchall()
    ]


def _check_key(connection: duckdb.DuckDBPyConnection, catalog: str, mart: str, key: list[str]) -> None:
    columns = ", ".join(identifier(column) for column in key)
    repeated = connection.execute(
        f"select count(*) from (select {columns} from {catalog}.marts.{identifier(mart)} group by all having count(*) > 1)"
    ).fetchone()[0]
    if repeated:
        raise ReleaseError(
            f"marts.{mart}: {repeated} key(s) ({', '.join(key)}) repeat in the {catalog} build; rows cannot be matched"
        )


def _named(column: str, key: list[str]) -> str:
    """A column a revised figure is named by: the mart's own when its key has it, else null."""
    kind = "date" if column == "period_month" else "varchar"
    return f"cast({identifier(column) if column in key else 'null'} as {kind}) as {identifier(column)}"


def _compare_mart(connection: duckdb.DuckDBPyConnection, mart: str, key: list[str], version: str, released_at: datetime) -> None:
    """Rows added, removed and changed, and the revised figures, of a mart in both builds."""
    previous_columns, current_columns = _columns(connection, "previous", mart), _columns(connection, "current", mart)
    _compare_schema(connection, mart, version, previous_columns, current_columns)
    missing = [column for column in key if column not in previous_columns or column not in current_columns]
    if missing:
        raise ReleaseError(f"marts.{mart}: key column(s) {', '.join(missing)} missing from a build; rows cannot be matched")
    for catalog in ("previous", "current"):
        _check_key(connection, catalog, mart, key)
    shared = [column for column in current_columns if column in previous_columns and column not in key]
    matched = " and ".join(f"p.{identifier(column)} is not distinct from c.{identifier(column)}" for column in key)
    differs = " or ".join(f"p.{identifier(column)} is distinct from c.{identifier(column)}" for column in shared) or "false"
    table = identifier(mart)
    connection.execute(
        f"""
        create or replace temp table compared as
        select
            {", ".join(f"coalesce(c.{identifier(column)}, p.{identifier(column)}) as {identifier(column)}" for column in key)},
            p._row is not null as in_previous,
            c._row is not null as in_current,
            p._row is not null and c._row is not null and ({differs}) as is_changed,
            {", ".join(f"p.{identifier(column)} as {identifier('before__' + column)}, c.{identifier(column)} as {identifier('after__' + column)}" for column in shared) or "null as unused"}
        from (select *, true as _row from previous.marts.{table}) as p
        full outer join (select *, true as _row from current.marts.{table}) as c
            on {matched}
        """
    )
    connection.execute(
        "insert into current.releases.mart_changes select ?, ?, "
        "count(*) filter (where not in_previous), count(*) filter (where not in_current), "
        "count(*) filter (where is_changed), count(*) filter (where in_current) from compared",
        [version, mart],
    )
    figures = [
        column
        for column in shared
        if current_columns[column].split("(")[0] in NUMERIC and previous_columns[column].split("(")[0] in NUMERIC
    ]
    if not figures:
        return
    named = ", ".join(_named(column, key) for column in NAMED_BY)
    row_key = "to_json({" + ", ".join(f"{literal(column)}: {identifier(column)}" for column in key) + "})::varchar"
    for figure in figures:
        before, after = identifier("before__" + figure), identifier("after__" + figure)
        connection.execute(
            f"""
            insert into current.releases.revised_figures
            select ?, ?, ?, {named}, {row_key}, ?, {before}, {after}, {after} - {before}
            from compared
            where in_previous and in_current and {before} is distinct from {after}
            """,
            [version, released_at, mart, figure],
        )


def _compare_schema(
    connection: duckdb.DuckDBPyConnection,
    mart: str,
    version: str,
    previous_columns: dict[str, str],
    current_columns: dict[str, str],
) -> None:
    for column in [*current_columns, *(name for name in previous_columns if name not in current_columns)]:
        before, after = previous_columns.get(column), current_columns.get(column)
        change = "added" if before is None else "removed" if after is None else "type changed" if before != after else None
        if change:
            connection.execute(
                "insert into current.releases.schema_changes values (?, ?, ?, ?, ?, ?)",
                [version, mart, column, change, before, after],
            )


def _record_marts(connection: duckdb.DuckDBPyConnection, version: str, released_at: datetime, has_previous: bool) -> None:
    """Each mart against the version before (every row added, for the first release)."""
    current = set(_marts(connection, "current"))
    previous = set(_marts(connection, "previous")) if has_previous else set()
    keys = mart_keys()
    for mart in sorted(current | previous):
        if mart not in keys:
            raise ReleaseError(
                f"marts.{mart}: no key to match its rows by; declare a unique_combination test for it in {MARTS_MODELS}"
            )
        if mart in current and mart in previous:
            _compare_mart(connection, mart, keys[mart], version, released_at)
            continue
        side = "current" if mart in current else "previous"
        rows = connection.execute(f"select count(*) from {side}.marts.{identifier(mart)}").fetchone()[0]
        added, removed = (rows, 0) if side == "current" else (0, rows)
        connection.execute(
            "insert into current.releases.mart_changes values (?, ?, ?, ?, 0, ?)", [version, mart, added, removed, added]
        )
        if has_previous:
            connection.execute(
                "insert into current.releases.schema_changes values (?, ?, null, ?, null, null)",
                [version, mart, "mart added" if side == "current" else "mart removed"],
            )


def record(staged: Path, previous: Path | None, build_id: str, run_id: str) -> Release:
    """Write the release of the reader copy `staged` (its version, its changes since `previous`, the
    last published copy, and the history carried over from it) into its releases schema."""
    released_at = datetime.now(UTC).replace(tzinfo=None)
    version = new_version(build_id, released_at)
    has_previous = previous is not None and previous.exists()
    with duckdb.connect() as connection:
        connection.execute(f"attach {literal(staged)} as current")
        if has_previous:
            connection.execute(f"attach {literal(previous)} as previous (read_only)")
        connection.execute("create schema current.releases")
        carried = has_previous and bool(
            connection.execute(
                "select count(*) from information_schema.tables where table_catalog = 'previous' and table_schema = 'releases'"
            ).fetchone()[0]
        )
        for table, columns in HISTORY.items():
            connection.execute(f"create table current.releases.{table} ({columns})")
            if carried:
                connection.execute(f"insert into current.releases.{table} by name select * from previous.releases.{table}")
        previous_version = (
            connection.execute("select max(version) from previous.releases.release_log").fetchone()[0] if carried else None
        )
        connection.execute(
            "insert into current.releases.release_log values (?, ?, ?, ?, ?)",
            [version, released_at, build_id, run_id, previous_version],
        )
        _record_marts(connection, version, released_at, has_previous)
        note = release_note(connection, version, has_previous)
        connection.execute("detach current")
    return Release(version, note)


def release_note(connection: duckdb.DuckDBPyConnection, version: str, has_previous: bool, listed: int = 40) -> str:
    """The release note in Markdown, from the release's rows."""
    released_at, build_id, run_id, previous_version = connection.execute(
        "select released_at, build_id, run_id, previous_version from current.releases.release_log where version = ?", [version]
    ).fetchone()
    lines = [
        f"# Release {version}",
        "",
        f"Published {released_at:%Y-%m-%d %H:%M:%S} UTC: build {build_id}, quality gate run {run_id}.",
        f"Compared with release {previous_version}."
        if previous_version
        else "Compared with the build published before releases had versions."
        if has_previous
        else "The first release: nothing to compare with.",
        "",
        "## Rows per mart",
        "",
        "| mart | added | removed | changed | rows |",
        "|---|---:|---:|---:|---:|",
    ]
    for mart, added, removed, changed, rows in connection.execute(
        "select mart, rows_added, rows_removed, rows_changed, row_count from current.releases.mart_changes "
        "where version = ? order by mart",
        [version],
    ).fetchall():
        lines.append(f"| {mart} | {added:,} | {removed:,} | {changed:,} | {rows:,} |")
    schema = connection.execute(
        "select mart, coalesce(column_name, ''), change, coalesce(previous_type, ''), coalesce(current_type, '') "
        "from current.releases.schema_changes where version = ? order by all",
        [version],
    ).fetchall()
    lines += ["", "## Schema changes", ""]
    lines += [
        f"- {mart}{'.' + column if column else ''}: {change}"
        + (f" ({after})" if change == "added" and column else f" (was {before})" if change == "removed" else "")
        + (f" ({before} to {after})" if change == "type changed" else "")
        for mart, column, change, before, after in schema
    ] or ["None."]
    count, months = connection.execute(
        "select count(*), count(distinct period_month) from current.releases.revised_figures where version = ?", [version]
    ).fetchone()
    lines += ["", "## Figures revised for months already published", ""]
    if not count:
        lines.append("None.")
    else:
        lines += [
            f"{count:,} figures in {months:,} months changed (`releases.revised_figures`); the largest:",
            "",
            "| mart | measure | geography | month | window | figure | before | now | change |",
            "|---|---|---|---|---|---|---:|---:|---:|",
        ]
        for mart, measure, geography, month, window, figure, before, after, change in connection.execute(
            "select mart, coalesce(measure_id, ''), coalesce(geography, ''), period_month, coalesce(period_window, ''), "
            "figure, previous_value, current_value, change from current.releases.revised_figures where version = ? "
            "order by abs(change) desc nulls last, mart, measure_id, geography_level, geography, period_month, period_window, figure limit ?",
            [version, listed],
        ).fetchall():
            lines.append(
                f"| {mart} | {measure} | {geography} | {month or ''} | {window} | {figure} | {before:.6g} | {after:.6g} | {change:+.6g} |"
            )
    return "\n".join(lines) + "\n"


def keep(target: Path, release: Release) -> Path:
    """Keep the published warehouse of this release read-only in releases/<version>/ with its note,
    the note also as RELEASE_NOTE.md beside the published warehouse; drop the oldest beyond
    releases.keep versions."""
    folder = target / "releases" / release.version
    folder.mkdir(parents=True, exist_ok=True)
    kept, note = folder / "warehouse.duckdb", folder / "RELEASE_NOTE.md"
    for path in (kept, note):
        if path.exists():  # published twice in one second: the same version, written again
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    shutil.copyfile(target / "warehouse.duckdb", kept)
    note.write_text(release.note, encoding="utf-8")
    for path in (kept, note):
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    (target / "RELEASE_NOTE.md").write_text(release.note, encoding="utf-8")
    versions = sorted(path for path in (target / "releases").iterdir() if path.is_dir())
    for old in versions[: -int(load_config()["releases"]["keep"])]:
        for path in old.iterdir():
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)
        shutil.rmtree(old)
    return folder
