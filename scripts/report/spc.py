"""Statistical process control for the trend charts: an XmR (individuals) chart."""

from __future__ import annotations

from dataclasses import dataclass

SIGMA_FACTOR = 2.66   # 3 sigma from the average moving range (3 / d2, d2 = 1.128)
RUN_LENGTH = 8        # this many points in a row on one side of the mean is a shift


@dataclass(frozen=True)
class Limits:
    mean: float
    lower: float
    upper: float
    special: tuple[bool, ...]


def xmr(values: list[float]) -> Limits | None:
    """Mean, limits (mean +/- 2.66 x average moving range) and the special-cause points:
    outside the limits, or part of a run of 8 or more on one side of the mean."""
    if len(values) < 3:
        return None
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in zip(values, values[1:])]
    spread = SIGMA_FACTOR * sum(ranges) / len(ranges)
    lower, upper = mean - spread, mean + spread
    special = [value < lower or value > upper for value in values]
    side = [0 if value == mean else (1 if value > mean else -1) for value in values]
    start = 0
    for index in range(1, len(values) + 1):
        if index == len(values) or side[index] != side[start] or side[index] == 0:
            if side[start] != 0 and index - start >= RUN_LENGTH:
                for position in range(start, index):
                    special[position] = True
            start = index
    return Limits(mean, lower, upper, tuple(special))
