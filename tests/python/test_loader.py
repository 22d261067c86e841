"""The loader loses nothing, quarantines what it cannot load, and stops clearly on broken files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import audit, read_lines, write_lines

from scripts.load import LoadError, load
from scripts.settings import PROJECT_ROOT


def test_every_row_read_is_loaded_or_quarantined(extracts: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, progress=False)
    rows = audit(warehouse)
    assert len(rows) == 8 * 3
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for source, source_file, read, loaded, quarantined in rows:
            # An independent count: data lines in the file itself.
            assert read == len(read_lines(Path(source_file))) - 1, source_file
            assert read == loaded + quarantined, source_file
            in_table = connection.execute(f"select count(*) from raw.{source} where _source_file = ?", [source_file]).fetchone()[
                0
            ]
            in_quarantine = connection.execute(
                "select count(*) from raw.quarantine where source_file = ?", [source_file]
            ).fetchone()[0]
            assert (in_table, in_quarantine) == (loaded, quarantined), source_file
        # The generator's garbled dates reached the quarantine, with their reason.
        reasons = connection.execute("select reason from raw.quarantine").fetchall()
        assert reasons and all("is not a valid" in reason for (reason,) in reasons)


def test_bad_rows_land_in_quarantine_with_file_line_and_reason(extracts: Path, tmp_path: Path) -> None:
    path = extracts / "crimes" / "crimes_2020-01.csv.gz"
    lines = read_lines(path)
    good = lines[1].split(",")
    bad_time = good.copy()
    bad_time[0], bad_time[1] = "CRBAD1", "2020-01-32 25:00:00"
    no_key = good.copy()
    no_key[0] = ""
    bad_marker = good.copy()
    bad_marker[0], bad_marker[5] = "CRBAD3", "maybe"
    lines[2:2] = [",".join(bad_time), "CRBAD2,2020-01-05 10:00:00,too,few", ",".join(no_key), ",".join(bad_marker)]
    write_lines(path, lines)

    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, ["crimes"], progress=False)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        found = connection.execute(
            "select source_line, reason, original_values from raw.quarantine where source_file = ? and source_line between 3 and 6 order by 1",
            [str(path)],
        ).fetchall()
        line_of_next_good_row = connection.execute(
            "select _source_line from raw.crimes where crime_reference = ?", [lines[7].split(",")[0]]
        ).fetchone()[0]
    assert [line for line, _, _ in found] == [3, 4, 5, 6]
    assert "recorded_at: 2020-01-32 25:00:00 is not a valid TIMESTAMP" in found[0][1]
    assert "CRBAD1" in found[0][2]
    assert "unreadable CSV line" in found[1][1] and "CRBAD2,2020-01-05 10:00:00,too,few" == found[1][2]
    assert "crime_reference: required value is empty" in found[2][1]
    assert "is_domestic_abuse: maybe is not a valid BOOLEAN" in found[3][1]
    assert line_of_next_good_row == 8
    for _, _, read, loaded, quarantined in audit(warehouse):
        assert read == loaded + quarantined


def test_wrong_header_stops_the_load_and_changes_nothing(extracts: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, progress=False)
    before = audit(warehouse)
    path = extracts / "incidents" / "incidents_2020-02.csv.gz"
    lines = read_lines(path)
    lines[0] = lines[0].replace("grade", "grade_of_response")
    write_lines(path, lines)
    with pytest.raises(LoadError) as caught:
        load(extracts, warehouse, progress=False)
    message = str(caught.value)
    assert str(path) in message and "header" in message and "grade" in message and "grade_of_response" in message
    assert audit(warehouse) == before


def test_unreadable_file_stops_with_its_name(extracts: Path, tmp_path: Path) -> None:
    path = extracts / "calls" / "calls_2020-01.csv.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00 this is not gzip at all")
    with pytest.raises(LoadError, match=r"calls_2020-01\.csv\.gz: cannot be read"):
        load(extracts, tmp_path / "w.duckdb", progress=False)


def test_truncated_file_stops_with_its_name(extracts: Path, tmp_path: Path) -> None:
    path = extracts / "calls" / "calls_2020-01.csv.gz"
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(LoadError, match=r"calls_2020-01\.csv\.gz: cannot be read"):
        load(extracts, tmp_path / "w.duckdb", progress=False)


def test_missing_source_folder_stops_with_its_path(extracts: Path, tmp_path: Path) -> None:
    for path in (extracts / "vcc_checks").iterdir():
        path.unlink()
    with pytest.raises(LoadError, match=r"vcc_checks: no extract files for source 'vcc_checks'"):
        load(extracts, tmp_path / "w.duckdb", progress=False)


def test_plain_csv_loads_like_gzip(extracts: Path, tmp_path: Path) -> None:
    path = extracts / "dqat_assessments" / "dqat_assessments_2020-01.csv.gz"
    plain = path.with_suffix("")
    plain.write_text("\n".join(read_lines(path)) + "\n", encoding="utf-8")
    path.unlink()
    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, ["dqat_assessments"], progress=False)
    assert any(row[1] == str(plain) and row[2] > 0 for row in audit(warehouse))


def test_cli_exits_2_with_the_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.load", "--raw", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "w.duckdb")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "nowhere: folder of raw extracts not found" in result.stderr


def _quarantine(warehouse: Path, path: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "select source_line, reason, original_values from raw.quarantine where source_file = ? order by 1", [str(path)]
        ).fetchall()


def test_an_unterminated_quote_never_loses_rows_silently(extracts: Path, tmp_path: Path) -> None:
    path = extracts / "incidents" / "incidents_2020-02.csv.gz"
    lines = read_lines(path)
    fields = lines[99].split(",")
    fields[7] = '"never closed'
    lines[99] = ",".join(fields)
    write_lines(path, lines)
    warehouse = tmp_path / "w.duckdb"
    try:
        load(extracts, warehouse, ["incidents"], progress=False)
    except LoadError as stopped:  # either the load stops, naming the file ...
        assert "incidents_2020-02.csv.gz" in str(stopped) and "rows were lost" in str(stopped)
        return
    # ... or every line after the quote is in the quarantine, from line 100 on, with its reason
    quarantined = _quarantine(warehouse, path)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        loaded = connection.execute("select count(*) from raw.incidents where _source_file = ?", [str(path)]).fetchone()[0]
    assert quarantined[0][0] == 100 and "unterminated quote" in quarantined[0][1].lower()
    kept_lines = loaded + sum(1 + text.rstrip("\n").count("\n") for _, _, text in quarantined)
    assert kept_lines == len(lines) - 1


def _lie_about_lines(monkeypatch: pytest.MonkeyPatch, path: Path, extra: int = 5) -> None:
    """Make the loader's line count of one file say `extra` lines more than the parse can see, for
    both readers (the batch's and the file-alone one)."""
    from dataclasses import replace

    from scripts.load import batch, shape, single

    def lying(candidate: Path) -> shape.FileShape:
        real = shape.read_shape(candidate)
        return replace(real, lines=real.lines + extra) if candidate == path else real

    for reader in (batch, single):
        monkeypatch.setattr(reader, "read_shape", lying)


def test_the_balance_fails_when_the_parse_loses_lines(extracts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _lie_about_lines(monkeypatch, extracts / "crimes" / "crimes_2020-01.csv.gz")  # 5 lines the parse never saw
    with pytest.raises(LoadError, match=r"crimes_2020-01\.csv\.gz: [\d,]+ lines, but .* rows were lost"):
        load(extracts, tmp_path / "w.duckdb", ["crimes"], progress=False)


def test_quarantine_lines_are_physical_after_quoted_newlines_and_blank_lines(extracts: Path, tmp_path: Path) -> None:
    path = extracts / "crimes" / "crimes_2020-01.csv"
    packed = path.with_suffix(".csv.gz")
    lines = read_lines(packed)
    packed.unlink()
    multi = lines[3].split(",")
    multi[4] = '"first part\nsecond part"'  # a quoted newline: record 3 spans lines 4 and 5
    lines[3] = ",".join(multi)
    lines.insert(10, "")  # a blank line
    bad = lines[20].split(",")
    bad[1] = "not a time"
    lines[20] = ",".join(bad)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    physical = path.read_text(encoding="utf-8").split("\n")
    expected_line = next(number for number, text in enumerate(physical, start=1) if "not a time" in text)
    assert expected_line == 22  # 21 lines of the list, plus the quoted newline's
    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, ["crimes"], progress=False)
    assert [line for line, _, _ in _quarantine(warehouse, path)] == [expected_line]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        placed = connection.execute(
            "select crime_reference, _source_line from raw.crimes where _source_file = ?", [str(path)]
        ).fetchall()
    assert len(placed) == len(lines) - 2 - 1  # less the header, the blank line and the quarantined row
    for reference, number in placed:  # each loaded row names the physical line it starts on
        assert physical[number - 1].split(",")[0] == reference, (reference, number)


def test_a_plain_file_cut_inside_its_last_field_is_quarantined_not_loaded(extracts: Path, tmp_path: Path) -> None:
    packed = extracts / "crimes" / "crimes_2020-01.csv.gz"
    path = packed.with_suffix("")
    lines = read_lines(packed)
    packed.unlink()
    assert lines[-1].endswith(",RECORDED")
    path.write_text("\n".join(lines)[:-3], encoding="utf-8")  # cut inside the status: "RECOR", no final newline
    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, ["crimes"], progress=False)
    quarantined = _quarantine(warehouse, path)
    assert quarantined[-1][:2] == (len(lines), "the file does not end with a newline: its last record may be cut")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from raw.crimes where status = 'RECOR'").fetchone()[0] == 0


def test_control_characters_in_a_field_are_quarantined(extracts: Path, tmp_path: Path) -> None:
    path = extracts / "crimes" / "crimes_2020-01.csv.gz"
    lines = read_lines(path)
    fields = lines[5].split(",")
    fields[3] = fields[3][:1] + "\x00" + fields[3][1:]  # a NUL inside the offence code
    lines[5] = ",".join(fields)
    write_lines(path, lines)
    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, ["crimes"], progress=False)
    found = _quarantine(warehouse, path)
    assert [(line, reason) for line, reason, _ in found if "control character" in reason] == [
        (6, "control character (NUL or the like) in: offence_code")
    ]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        stored = connection.execute("select count(*) from raw.crimes where contains(offence_code, chr(0))").fetchone()[0]
    assert stored == 0


@pytest.mark.parametrize("batch_mib", [512, 0], ids=["files-read-together", "one-file-per-batch"])
def test_every_row_carries_its_own_file_and_line(extracts: Path, tmp_path: Path, batch_mib: int) -> None:
    """Well-formed files are read together, one read_csv per batch: each loaded or quarantined row
    still names its own file and physical line, with one batch or a batch per file (batch_mib 0)."""
    import json

    from scripts.contract import load_contract
    from scripts.load import create_raw_table, load_files
    from scripts.settings import load_config

    csv_options = dict(load_config()["csv"], batch_mib=batch_mib)
    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, ["crimes"], progress=False)  # the schema and bookkeeping tables
    contract = load_contract()
    with duckdb.connect(str(warehouse)) as connection:
        for source in ("crimes", "calls"):
            table = contract[source]
            paths = sorted((extracts / source).glob("*.csv*"))
            # a value that cannot be cast, on line 5 of the second file: quarantined by the batch
            typed = next(i for i, column in enumerate(table.columns) if column.data_type in ("TIMESTAMP", "DATE"))
            garbled = read_lines(paths[1])
            fields = garbled[4].split(",")
            fields[typed] = "garbled"
            garbled[4] = ",".join(fields)
            write_lines(paths[1], garbled)
            connection.execute(f"drop table if exists raw.{source}")
            connection.execute(f"delete from raw.quarantine where source = '{source}'")
            create_raw_table(connection, table)
            results = load_files(connection, table, paths, csv_options)
            assert [result.path for result in results] == paths
            key = table.column_names[0]
            lines = {str(path): read_lines(path) for path in paths}
            loaded = connection.execute(f"select {key}, _source_file, _source_line from raw.{source}").fetchall()
            quarantined = connection.execute(
                "select original_values, source_file, source_line from raw.quarantine "
                "where source = ? and reason not like 'unreadable%'",
                [source],
            ).fetchall()
            assert len(loaded) == sum(result.rows_loaded for result in results) > 0
            assert (str(paths[1]), 5) in {(name, line) for _, name, line in quarantined}
            for value, name, line in loaded:
                assert lines[name][line - 1].split(",")[0] == (value or ""), (name, line)
            for original, name, line in quarantined:
                assert lines[name][line - 1].split(",")[0] == (json.loads(original)[key] or ""), (name, line)


def test_a_full_load_that_stops_leaves_the_loaded_warehouse_as_it_was(
    extracts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full load writes raw.<table>__loading tables and swaps them in with one transaction at the
    end: a load that stops part way (here at a calls file whose lines do not balance, after crimes
    and the rest were written) leaves every raw table, the quarantine and the audit as they were and
    no loading table behind; leftovers of a load that was killed are dropped by the next."""
    warehouse = tmp_path / "w.duckdb"
    load(extracts, warehouse, progress=False)

    def state() -> tuple:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            tables = connection.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
            ).fetchall()
            counts = [
                connection.execute(f"select count(*) from raw.{name}").fetchone()[0]
                for (name,) in tables
                if name != "build_identity"
            ]
            loaded_at = connection.execute("select max(loaded_at) from raw.load_audit").fetchone()
            return tables, counts, loaded_at

    before = state()
    path = sorted((extracts / "calls").glob("*.csv*"))[-1]
    with monkeypatch.context() as patched:
        _lie_about_lines(patched, path)
        with pytest.raises(LoadError, match="rows were lost"):
            load(extracts, warehouse, progress=False)
    assert state() == before
    with duckdb.connect(str(warehouse)) as connection:  # a killed load's leftovers
        connection.execute("create table raw.crimes__loading as select * from raw.crimes limit 3")
    load(extracts, warehouse, progress=False)
    tables, counts, _ = state()
    assert (tables, counts) == before[:2]
