"""The defects real extracts carry, injected at a configurable rate so every guard is exercised."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# Per source: the code column and the code no reference knows, the district column, and how a
# timestamp is made impossible (column to move, column it must not precede, shift).
UNKNOWN_CODES = {
    "crimes": ("offence_code", "99Z"),
    "crime_outcomes": ("outcome_code", "99"),
    "incidents": ("incident_type", "UNKNOWN_TYPE"),
}
DISTRICT_SOURCES = ("crimes", "incidents", "survey_responses", "cdi_audits", "vcc_checks")
IMPOSSIBLE = {
    "crimes": ("committed_date", np.timedelta64(45, "D")),  # committed after it was recorded
    "incidents": ("first_arrived_at", np.timedelta64(-3 * 3600, "s")),  # arrived before the call
    "calls": ("answered_at", np.timedelta64(-3600, "s")),  # answered before it rang
    "crime_outcomes": ("outcome_date", np.timedelta64(-800, "D")),  # outcome before recording
}
GARBLE_COLUMN = "_garble"


def inject_defects(rng: np.random.Generator, source: str, frame: pd.DataFrame, rates: dict[str, float]) -> pd.DataFrame:
    """Return the batch with defects applied; `_garble` marks rows whose main date the writer mangles."""
    size = len(frame)
    frame = frame.copy()
    if source in UNKNOWN_CODES and rates.get("unknown_code", 0) > 0:
        column, code = UNKNOWN_CODES[source]
        chosen = rng.random(size) < rates["unknown_code"]
        frame[column] = frame[column].cat.add_categories([code])
        frame.loc[chosen, column] = code
    if source in DISTRICT_SOURCES and rates.get("missing_district", 0) > 0:
        frame.loc[rng.random(size) < rates["missing_district"], "district"] = None
    if source in IMPOSSIBLE and rates.get("impossible_timestamp", 0) > 0:
        column, shift = IMPOSSIBLE[source]
        chosen = (rng.random(size) < rates["impossible_timestamp"]) & frame[column].notna().to_numpy()
        if source == "crimes":
            frame.loc[chosen, column] = frame.loc[chosen, "recorded_at"].dt.floor("D") + shift
        else:
            frame.loc[chosen, column] = frame.loc[chosen, column] + shift
    frame[GARBLE_COLUMN] = rng.random(size) < rates.get("unparseable_value", 0)
    if rates.get("duplicate_row", 0) > 0:
        repeats = 1 + (rng.random(size) < rates["duplicate_row"]).astype(int)
        frame = frame.loc[frame.index.repeat(repeats)].reset_index(drop=True)
    return frame


def active_rates(config: dict[str, Any], enabled: bool) -> dict[str, float]:
    return dict(config["defects"]) if enabled else dict.fromkeys(config["defects"], 0.0)
