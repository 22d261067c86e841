"""Which published figures the gate checks again, and which it carries from the run before.

The figures (marts.measure_values, dataset measure_values) are checked a month at a time: a check
that reads one row at a time, or a key that holds the month, gives the same answer on a month
whose rows have not changed. So a run carries a month from the latest run when

- that run passed (no blocking check failed) and ran the very same checks (the same suites,
  thresholds and Great Expectations version: CHECKS_DIGEST),
- the month's rows, every column the checks read (the catalogue columns and is_latest_month
  included), are the same as that run validated (a digest of the month's rows), and
- the check passed in that run; a check that failed then, even as a warning, reads every row again,
  so that what it reports is complete.

The rest is checked: the new month, the months a late outcome rebuilt, the month that stopped being
the latest, and everything on a first run, after a failed run or when a check changed. The digests
of every month are stored with each run (quality.validated_months), so the next run can compare.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import version

import duckdb
import pandas as pd

from scripts.gate.suites import Check

DATASET = "measure_values"  # the dataset checked a month at a time
MONTH = "period_month"
# Expectation types whose answer for a row depends on that row alone (any other type, such as a
# column's uniqueness, mean or order, reads across months and is never carried).
ROW_WISE_TYPES = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_value_lengths_to_be_between",
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_in_set",
    }
)
# Uniqueness of a key that holds the month: two rows of one key are always in the same month.
KEYED_TYPES = frozenset({"expect_compound_columns_to_be_unique"})

MONTHS_DDL = """
create table if not exists quality.validated_months (
    run_id varchar, dataset varchar, period_month date, figures bigint, rows_digest varchar, is_carried boolean
)"""


@dataclass(frozen=True)
class Carry:
    """What a run carries: the run it carries from (None: nothing carried), the months carried
    (YYYY-MM-DD), the checks carried (keys), and each month's rows and digest now (stored with the
    run)."""

    from_run: str | None
    months: frozenset[str]
    checks: frozenset[str]
    digests: dict[str | None, tuple[int, str]]

    def changed_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of the frame a carried check reads: those of the months not carried."""
        return frame[~month_keys(frame).isin(self.months)] if self.months else frame

    @property
    def rows_carried(self) -> int:
        return sum(rows for month, (rows, _) in self.digests.items() if month in self.months)

    @property
    def rows_checked(self) -> int:
        """The figures of the months not carried."""
        return sum(rows for rows, _ in self.digests.values()) - self.rows_carried


def month_keys(frame: pd.DataFrame) -> pd.Series:
    """Each row's month as YYYY-MM-DD (null for a row with no month)."""
    return pd.to_datetime(frame[MONTH]).dt.strftime("%Y-%m-%d")


def is_month_wise(check: Check) -> bool:
    """Does the check's answer on a month depend only on that month's rows?"""
    if check.type in KEYED_TYPES:
        return MONTH in (check.kwargs.get("column_list") or [])
    return check.type in ROW_WISE_TYPES


def checks_digest(checks: list[Check]) -> str:
    """One MD5 of every check as it runs (thresholds resolved) and the Great Expectations version."""
    described = sorted(
        json.dumps(
            [check.suite, check.name, check.dataset, check.type, check.kwargs, check.where, check.severity],
            sort_keys=True,
            default=str,
        )
        for check in checks
    )
    return hashlib.md5("\n".join([version("great_expectations"), *described]).encode()).hexdigest()


def month_digests(frame: pd.DataFrame) -> dict[str | None, tuple[int, str]]:
    """Per month of the frame (YYYY-MM-DD): its rows and one digest of them (a sum, not an
    exclusive or, of the row hashes, so that two copies of a row do not cancel out)."""
    with duckdb.connect() as connection:
        connection.register("figures", frame.assign(_month=month_keys(frame)))
        found = connection.execute(
            "select _month, count(*), md5(count(*)::varchar || ':' || sum(hash(figures))::varchar) from figures group by _month"
        ).fetchall()
    return {month: (rows, digest) for month, rows, digest in found}


def plan(connection: duckdb.DuckDBPyConnection, checks: list[Check], frame: pd.DataFrame, digest: str) -> Carry:
    """What this run carries from the latest run of the warehouse (read on the given connection)."""
    digests = month_digests(frame)
    nothing = Carry(None, frozenset(), frozenset(), digests)
    found = connection.execute(
        "select table_name || '.' || column_name from information_schema.columns where table_schema = 'quality' "
        "and table_name in ('validation_runs', 'validated_months')"
    ).fetchall()
    if not {"validation_runs.checks_digest", "validated_months.rows_digest"} <= {name for (name,) in found}:
        return nothing
    last = connection.execute(
        "select run_id, is_publishable, checks_digest from quality.validation_runs order by validated_at desc limit 1"
    ).fetchone()
    if last is None or not last[1] or last[2] != digest:
        return nothing
    passed = {
        f"{suite}.{name}"
        for suite, name in connection.execute(
            "select suite, expectation from quality.validation_results where run_id = ? and dataset = ? and passed",
            [last[0], DATASET],
        ).fetchall()
    }
    before = {
        (month, rows_digest)
        for month, rows_digest in connection.execute(
            f"select strftime({MONTH}, '%Y-%m-%d'), rows_digest from quality.validated_months where run_id = ? and dataset = ?",
            [last[0], DATASET],
        ).fetchall()
    }
    unchanged = frozenset(
        month for month, (_, rows_digest) in digests.items() if month is not None and (month, rows_digest) in before
    )
    carried = frozenset(
        check.key for check in checks if check.dataset == DATASET and is_month_wise(check) and check.key in passed
    )
    if not unchanged or not carried:
        return nothing
    return Carry(last[0], unchanged, carried, digests)


def store(connection: duckdb.DuckDBPyConnection, run_id: str, carry: Carry) -> None:
    """The run's month digests, each marked carried or checked."""
    connection.execute(MONTHS_DDL)
    connection.execute(
        "insert into quality.validated_months select ?, ?, cast(unnest(?) as date), unnest(?), unnest(?), unnest(?)",
        [
            run_id,
            DATASET,
            list(carry.digests),
            [rows for rows, _ in carry.digests.values()],
            [digest for _, digest in carry.digests.values()],
            [month in carry.months for month in carry.digests],
        ],
    )
