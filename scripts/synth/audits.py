"""Crime data integrity audits, victim care contract checks and data quality assessments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scripts.synth.calendar import Month, knot_value, pick, random_dates
from scripts.synth.reference import DISTRICTS

RECORD_TYPES = {"CRIME": 0.45, "INCIDENT": 0.30, "PERSON": 0.15, "INTELLIGENCE": 0.10}


def generate_cdi_audits(rng: np.random.Generator, config: dict[str, Any], month: Month, incidents: pd.DataFrame) -> pd.DataFrame:
    size = rng.poisson(config["cdi_audits_per_month"] * config["scale"])
    required = rng.random(size) < config["cdi_crime_required_share"]
    compliant = rng.random(size) < knot_value(config["cdi_compliance_knots"], month)
    examined = rng.choice(incidents["incident_reference"].to_numpy(), size) if len(incidents) else np.full(size, -1)
    return pd.DataFrame(
        {
            "audit_reference": month.yyyymm * 10**5 + np.arange(size, dtype=np.int64),
            "audited_date": np.sort(random_dates(rng, month, size)),
            "district": pd.Categorical.from_codes(pick(rng, config["district_crime_weights"], size), DISTRICTS),
            "incident_reference": pd.array(np.where(examined < 0, None, examined), dtype="Int64"),
            "is_crime_required": required,
            "is_crime_recorded": np.where(required, compliant, rng.random(size) < 0.03),
        }
    )


def generate_vcc_checks(rng: np.random.Generator, config: dict[str, Any], month: Month, crimes: pd.DataFrame) -> pd.DataFrame:
    size = min(rng.poisson(config["vcc_checks_per_month"] * config["scale"]), len(crimes))
    chosen = np.sort(rng.choice(len(crimes), size, replace=False)) if size else np.array([], dtype=int)
    in_place = rng.random(size) < knot_value(config["vcc_in_place_knots"], month)
    return pd.DataFrame(
        {
            "check_reference": month.yyyymm * 10**5 + np.arange(size, dtype=np.int64),
            "checked_date": np.sort(random_dates(rng, month, size)),
            "crime_reference": crimes["crime_reference"].to_numpy()[chosen],
            "district": crimes["district"].to_numpy()[chosen],
            "has_vcc_in_place": in_place,
            "are_updates_on_time": in_place & (rng.random(size) < config["vcc_on_time_given_in_place"]),
        }
    ).astype({"district": pd.CategoricalDtype(DISTRICTS)})


def generate_dqat_assessments(rng: np.random.Generator, config: dict[str, Any], month: Month) -> pd.DataFrame:
    size = rng.poisson(config["dqat_assessments_per_month"] * config["scale"])
    team = rng.integers(0, len(config["dqat_teams"]), size)
    pass_share = np.clip(knot_value(config["dqat_pass_knots"], month) + np.array(config["dqat_team_offsets"])[team], 0.01, 0.99)
    return pd.DataFrame(
        {
            "assessment_reference": month.yyyymm * 10**6 + np.arange(size, dtype=np.int64),
            "assessed_date": np.sort(random_dates(rng, month, size)),
            "team_code": pd.Categorical.from_codes(team, config["dqat_teams"]),
            "record_type": pd.Categorical.from_codes(pick(rng, RECORD_TYPES, size), list(RECORD_TYPES)),
            "result": pd.Categorical.from_codes((rng.random(size) >= pass_share).astype(int), ["PASS", "FAIL"]),
        }
    )
