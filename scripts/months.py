"""Calendar months as the pipeline names them: parsed from YYYY-MM, stepped forward and back.

Shared by the steps (pack, as-at, bench) and the synthetic generator, so that no step imports the
generator to read a month."""

from __future__ import annotations

from datetime import date


def parse_month(text: str) -> date:
    """'2019-04' -> date(2019, 4, 1), with a message that says what is wrong."""
    try:
        year, month = (int(part) for part in str(text).split("-"))
        return date(year, month, 1)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM") from error


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or, negative, before) day's month."""
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def last_full_month(today: date) -> date:
    """The first of the month before today's: the latest month wholly past."""
    return add_months(date(today.year, today.month, 1), -1)
