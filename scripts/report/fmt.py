"""Numbers as the board reports print them: "77.5%", "1,288", "17.5 min", "77.5% (n = 1,288)".
Medians to a tenth of a minute (they are found to the second, and whole minutes would show 17
against 17 beside a word that says they differ); the commentary prints them the same way
(macros/commentary.sql, format_figure)."""

from __future__ import annotations

import math

DASH = "–"


def figure(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "minutes":
        return f"{value:,.1f} min"
    if unit == "per_1000":
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def change(value: float | None, unit: str) -> str:
    """A signed change as the reports quote it: "+247" crimes, "+1.2 pts" on a rate, "-0.8 min"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    size = abs(value)
    if unit == "rate":
        number, suffix = f"{size * 100:.1f}", " pts"
    elif unit == "minutes":
        number, suffix = f"{size:,.1f}", " min"
    elif unit == "per_1000":
        number, suffix = f"{size:,.2f}", ""
    else:
        number, suffix = f"{size:,.0f}", ""
    # the sign of what is printed: a change too small to show is neither up nor down
    sign = "±" if not number.strip("0.,") else ("+" if value > 0 else "−")
    return f"{sign}{number}{suffix}"


def shown(value: float, unit: str) -> float:
    """A value as `figure` prints it, read back: 0.19249 is 0.192 (printed "19.2%")."""
    printed = figure(value, unit).removesuffix("%").removesuffix(" min").replace(",", "")
    return float(printed) / (100 if unit == "rate" else 1)


def difference(value: float | None, earlier: float | None, unit: str) -> str:
    """The change from one printed figure to another, printed: computed from the figures as shown,
    so 19.3% against 19.2% is +0.1 pts whatever the decimals behind them."""
    if value is None or earlier is None:
        return DASH
    return change(shown(shown(value, unit) - shown(earlier, unit), unit), unit)


def with_n(value: float | None, unit: str, n: float | None) -> str:
    """A rate or median with its sample, as the reports quote it; counts stand alone."""
    text = figure(value, unit)
    if unit in ("rate", "minutes") and value is not None and n is not None:
        return f"{text} (n = {n:,.0f})"
    return text
