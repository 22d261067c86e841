"""Numbers as the board reports print them: "77.5%", "1,288", "18 min", "77.5% (n = 1,288)"."""

from __future__ import annotations

import math

DASH = "–"


def figure(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "minutes":
        return f"{value:,.0f} min"
    if unit == "per_1000":
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def with_n(value: float | None, unit: str, n: float | None) -> str:
    """A rate or median with its sample, as the reports quote it; counts stand alone."""
    text = figure(value, unit)
    if unit in ("rate", "minutes") and value is not None and n is not None:
        return f"{text} (n = {n:,.0f})"
    return text
