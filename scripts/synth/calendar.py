"""Months, trajectories and random moments inside a month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from scripts.months import add_months, parse_month

SECONDS_PER_DAY = 86_400
# Share of events by hour of day: quiet small hours, busy afternoon and evening.
HOUR_WEIGHTS = np.array(
    [3, 2.5, 2, 1.5, 1.2, 1.2, 1.5, 2.5, 3.5, 4, 4.3, 4.5, 4.7, 4.8, 4.9, 5.2, 5.5, 5.6, 5.5, 5.2, 4.8, 4.3, 3.8, 3.3]
)
HOUR_WEIGHTS = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()


@dataclass(frozen=True)
class Month:
    """One calendar month of the generated history."""

    index: int  # 0 = first month generated
    start: date

    @property
    def label(self) -> str:
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def yyyymm(self) -> int:
        return self.start.year * 100 + self.start.month

    @property
    def days(self) -> int:
        return (np.datetime64(add_months(self.start, 1)) - np.datetime64(self.start)).astype(int)

    @property
    def start64(self) -> np.datetime64:
        return np.datetime64(self.start, "s")

    @property
    def end64(self) -> np.datetime64:
        return np.datetime64(add_months(self.start, 1), "s")

    @property
    def financial_year(self) -> int:
        """Financial year by its starting calendar year (April 2019 - March 2020 is 2019)."""
        return self.start.year if self.start.month >= 4 else self.start.year - 1


def month_range(first: date, last: date) -> list[Month]:
    """Every month from first to last inclusive."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count < 1:
        raise ValueError(f"end month {last:%Y-%m} is before start month {first:%Y-%m}")
    return [Month(i, add_months(first, i)) for i in range(count)]


def knot_value(knots: dict[str, float], month: Month) -> float:
    """Value of a trajectory in a month: linear between knots, flat outside them."""
    points = sorted((_month_number(parse_month(key)), float(value)) for key, value in knots.items())
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return float(np.interp(_month_number(month.start), xs, ys))


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def random_moments(rng: np.random.Generator, month: Month, size: int) -> np.ndarray:
    """Random timestamps in the month (datetime64[s]), weighted by hour of day."""
    days = rng.integers(0, month.days, size)
    hours = rng.choice(24, size=size, p=HOUR_WEIGHTS)
    seconds = rng.integers(0, 3600, size)
    offsets = days * SECONDS_PER_DAY + hours * 3600 + seconds
    return month.start64 + offsets.astype("timedelta64[s]")


def random_dates(rng: np.random.Generator, month: Month, size: int) -> np.ndarray:
    """Random dates in the month (datetime64[D])."""
    return np.datetime64(month.start, "D") + rng.integers(0, month.days, size).astype("timedelta64[D]")


def lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, size: int) -> np.ndarray:
    """Lognormal durations (minutes, days) with the given median(s) and spread(s)."""
    return np.exp(np.log(median) + sigma * rng.standard_normal(size))


def pick(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    """Indices into list(shares) drawn with the given (normalised) shares."""
    weights = np.array(list(shares.values()), dtype=float)
    return rng.choice(len(weights), size=size, p=weights / weights.sum())
