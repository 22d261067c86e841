"""The SYNTHETIC extracts the nightly tests (test_nightly.py) send a night at a time: the months of
the first night and of each later one, and the edits a later extract carries (rows re-sent, a crime
and incidents recorded late, an outcome sent before its crime)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from conftest import read_lines, write_lines

from scripts.generate import SOURCES

FIRST, LAST = date(2019, 10, 1), date(2020, 3, 1)
FIRST_NIGHT_MONTHS = ["2019-10", "2019-11", "2019-12", "2020-01"]
LATER_MONTHS = ["2020-02", "2020-03"]
LATE_RECORDED_MONTH = FIRST_NIGHT_MONTHS[1]  # the month of the crime recorded late


def add_months(source: Path, raw: Path, months: list[str]) -> None:
    for name in SOURCES:
        (raw / name).mkdir(parents=True, exist_ok=True)
        for month in months:
            shutil.copy(source / name / f"{name}_{month}.csv.gz", raw / name)


def repeat_first_night_rows(raw: Path, month: str) -> None:
    """A later extract carries again a row of the first night's (a call and an incident re-sent):
    staged on a later night, it must be flagged a repeat against the row already staged. The calls
    also gain a key with a quote in it, the lowest of the night's keys, which the night's key range
    (new_key_range) writes into its query as a literal."""
    for name in ("calls", "incidents"):
        first = read_lines(raw / name / f"{name}_{FIRST_NIGHT_MONTHS[0]}.csv.gz")
        later = raw / name / f"{name}_{month}.csv.gz"
        extra = [first[1]]
        if name == "calls":
            reference, rest = first[1].split(",", 1)
            extra.append(f"{reference[:2]}'{reference[2:]},{rest}")
        write_lines(later, [*read_lines(later), *extra])


def send_copies_late(raw: Path, source: str, earlier_month: str, month: str, suffix: str, count: int = 1) -> None:
    """Append to a source's extract of month copies of the first count records of its extract of
    earlier_month, each reference given suffix: records of a month already built, sent late."""
    earlier = read_lines(raw / source / f"{source}_{earlier_month}.csv.gz")
    later = raw / source / f"{source}_{month}.csv.gz"
    write_lines(later, [*read_lines(later), *(line.replace(",", f"{suffix},", 1) for line in earlier[1 : 1 + count])])


def record_a_crime_late(raw: Path, month: str) -> None:
    """A later extract carries a crime recorded in a month already built (a copy of one of that
    month's crimes under a new reference): that month's figures change on a later night. So does
    the incidents extract, with incidents created then (copies of that month's first 20)."""
    send_copies_late(raw, "crimes", LATE_RECORDED_MONTH, month, "L")
    send_copies_late(raw, "incidents", LATE_RECORDED_MONTH, month, "L", count=20)


EARLY_OUTCOME_MONTH = FIRST_NIGHT_MONTHS[2]  # the month of the crime whose outcome came first


def early_outcome_references(raw: Path) -> tuple[str, str]:
    """The outcome sent on the first night before its crime, and that crime's reference: made from
    the first crime and outcome of EARLY_OUTCOME_MONTH under new references."""
    crime = read_lines(raw / "crimes" / f"crimes_{EARLY_OUTCOME_MONTH}.csv.gz")[1].split(",", 1)[0]
    outcome = read_lines(raw / "crime_outcomes" / f"crime_outcomes_{EARLY_OUTCOME_MONTH}.csv.gz")[1].split(",", 1)[0]
    return f"{outcome}E", f"{crime}E"


def send_an_outcome_before_its_crime(raw: Path) -> None:
    """The first night carries an outcome whose crime is in no extract yet (an outcome with no crime)."""
    path = raw / "crime_outcomes" / f"crime_outcomes_{EARLY_OUTCOME_MONTH}.csv.gz"
    lines = read_lines(path)
    outcome, crime = early_outcome_references(raw)
    code_and_date = lines[1].split(",", 2)[2]
    write_lines(path, [*lines, f"{outcome},{crime},{code_and_date}"])


def send_the_crime_after_its_outcome(raw: Path, month: str) -> None:
    """A later extract carries the crime of the outcome the first night sent without one (the crime
    early_outcome_references names): only a check of the outcomes already loaded against the crimes
    loaded since finds it matched."""
    send_copies_late(raw, "crimes", EARLY_OUTCOME_MONTH, month, "E")
