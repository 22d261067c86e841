"""Command and control incidents and telephony calls for one month."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scripts.months import parse_month
from scripts.synth.calendar import Month, knot_value, lognormal, pick, random_moments
from scripts.synth.reference import DISTRICTS, offence_codes

GRADES = ("G1", "G2", "G3", "G4")
ASPIRATION_MINUTES = {"G1": 20, "G2": 60, "G3": 60}
TYPE_BY_SUBGROUP = {
    "burglary_residential": "BURGLARY_DWELLING",
    "burglary_business": "BURGLARY_OTHER",
    "homicide": "ASSAULT",
    "violence_with_injury": "ASSAULT",
    "violence_without_injury": "ASSAULT",
    "stalking_and_harassment": "OTHER",
    "rape": "SEXUAL",
    "other_sexual_offences": "SEXUAL",
    "robbery": "ROBBERY",
    "vehicle_offences": "VEHICLE",
    "theft_from_the_person": "THEFT",
    "bicycle_theft": "THEFT",
    "shoplifting": "THEFT",
    "other_theft": "THEFT",
    "criminal_damage_and_arson": "DAMAGE",
    "drug_offences": "DRUGS",
    "possession_of_weapons": "WEAPONS",
    "public_order": "PUBLIC_ORDER",
    "miscellaneous": "OTHER",
}
INCIDENT_TYPES = tuple(
    sorted(
        set(TYPE_BY_SUBGROUP.values()) | {"DOMESTIC", "DOMESTIC_ABUSE", "ASB", "CONCERN", "RTC", "SUSPICIOUS", "MISSING", "ALARM"}
    )
)
DOMESTIC_TYPES = ("DOMESTIC", "DOMESTIC_ABUSE")
DELAY_REASONS = ("NON_AVAILABILITY", "CALLER_REQUEST", "TRAFFIC", "OTHER")
RISK_LEVELS = ("STANDARD", "MEDIUM", "HIGH")
LINES = ("999", "101")


def generate_incidents(
    rng: np.random.Generator, config: dict[str, Any], month: Month, crimes: pd.DataFrame, seasonality: float
) -> pd.DataFrame:
    """Incidents created in the month: crime-linked ones from the month's crimes, plus the rest."""
    settings = config["incidents"]
    reference = offence_codes()
    split = month.start >= parse_month(settings["domestic_split_from"])

    # Incidents that became the month's crimes.
    code = crimes["offence_code"].cat.codes.to_numpy()
    subgroup, group = reference.subgroup[code], reference.group[code]
    shares = settings["crime_linked_share_by_group"]
    link_probability = np.array([shares.get(s, shares.get(g, 0.3)) for s, g in zip(subgroup, group, strict=False)])
    linked = (crimes["status"].to_numpy() != "CANCELLED") & (rng.random(len(crimes)) < link_probability)
    linked_type = np.array([TYPE_BY_SUBGROUP[s] for s in subgroup[linked]], dtype=object)
    domestic = crimes["is_domestic_abuse"].to_numpy()[linked]
    linked_type[domestic] = np.where(split & (rng.random(domestic.sum()) < 0.9), "DOMESTIC_ABUSE", "DOMESTIC")
    # The call came up to 36 hours before the crime was recorded, but inside the month.
    recorded = crimes["recorded_at"].to_numpy()[linked]
    room = (recorded - month.start64).astype(np.int64)
    lead = np.minimum(rng.integers(0, 36 * 3600, linked.sum()), (room * rng.random(linked.sum())).astype(np.int64))
    linked_created = recorded - lead.astype("timedelta64[s]")

    # Incidents with no crime.
    volumes = {
        kind: rng.poisson(count * config["scale"] * seasonality) for kind, count in settings["non_crime_per_month"].items()
    }
    other_type = np.concatenate([np.full(n, kind, dtype=object) for kind, n in volumes.items()])
    is_domestic_other = other_type == "DOMESTIC"
    other_type[is_domestic_other] = np.where(
        split & (rng.random(is_domestic_other.sum()) < settings["domestic_abuse_share_after_split"] - 0.1),
        "DOMESTIC_ABUSE",
        "DOMESTIC",
    )
    other_created = random_moments(rng, month, len(other_type))

    incident_type = np.concatenate([linked_type, other_type])
    size = len(incident_type)
    created_at = np.concatenate([linked_created, other_created])
    district = np.concatenate(
        [crimes["district"].cat.codes.to_numpy()[linked], pick(rng, config["district_crime_weights"], len(other_type))]
    )
    linked_reference = np.concatenate([crimes["crime_reference"].to_numpy()[linked], np.full(len(other_type), -1)])

    grade = _grades(rng, settings, month, incident_type)
    attended, minutes = _response_minutes(rng, settings, month, incident_type, grade)
    arrived = created_at + np.round(minutes * 60).astype("timedelta64[s]")
    dispatched = created_at + np.round(minutes * 60 * rng.uniform(0.05, 0.5, size)).astype("timedelta64[s]")
    prompt_aspiration = 240 if month.start >= parse_month(settings["priority_grade_from"]) else 60
    aspiration = np.select([grade == 0, grade == 1, grade == 2], [20, 60, prompt_aspiration], np.inf)
    delayed = attended & (minutes > aspiration) & (rng.random(size) < settings["delay_reason_recorded_share"])
    is_domestic = np.isin(incident_type, DOMESTIC_TYPES)
    closed = np.where(attended, arrived, created_at) + rng.integers(1800, 48 * 3600, size).astype("timedelta64[s]")
    qualifiers = _qualifiers(rng, size)

    order = np.argsort(created_at, kind="stable")
    frame = pd.DataFrame(
        {
            "incident_reference": month.yyyymm * 10**6 + np.arange(size, dtype=np.int64),
            "created_at": created_at[order],
            "grade": pd.Categorical.from_codes(grade[order], GRADES),
            "incident_type": pd.Categorical(incident_type[order], categories=INCIDENT_TYPES),
            "district": pd.Categorical.from_codes(district[order], DISTRICTS),
            "dispatched_at": np.where(attended, dispatched, np.datetime64("NaT"))[order],
            "first_arrived_at": np.where(attended, arrived, np.datetime64("NaT"))[order],
            "delay_reason": pd.Categorical.from_codes(
                np.where(delayed, pick(rng, settings["delay_reason_mix"], size), -1)[order], DELAY_REASONS
            ),
            "domestic_risk_level": pd.Categorical.from_codes(
                np.where(is_domestic, rng.choice(3, size, p=[0.6, 0.3, 0.1]), -1)[order], RISK_LEVELS
            ),
            "qualifiers": qualifiers[order],
            "linked_crime_reference": pd.array(np.where(linked_reference < 0, None, linked_reference)[order], dtype="Int64"),
            "closed_at": closed[order],
        }
    )
    return frame


def _grades(rng: np.random.Generator, settings: dict[str, Any], month: Month, incident_type: np.ndarray) -> np.ndarray:
    mixes = settings["grade_mix"]
    emergency = np.isin(incident_type, mixes["emergency_types"]) | np.isin(incident_type, DOMESTIC_TYPES)
    size = len(incident_type)
    grade = np.where(
        emergency, np.array([0, 2, 3])[pick(rng, mixes["emergency"], size)], np.array([0, 2, 3])[pick(rng, mixes["other"], size)]
    )
    grade = np.where(incident_type == "BURGLARY_DWELLING", np.array([0, 2, 3])[pick(rng, mixes["burglary"], size)], grade)
    if month.start >= parse_month(settings["priority_grade_from"]):
        to_priority = np.isin(grade, [0, 2]) & (rng.random(size) < settings["priority_share_after"])
        grade = np.where(to_priority, 1, grade)
    return grade


def _response_minutes(
    rng: np.random.Generator, settings: dict[str, Any], month: Month, incident_type: np.ndarray, grade: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    size = len(grade)
    trend = knot_value(settings["response_trend_knots"], month)
    medians = settings["response_median_minutes"]
    median = np.select(
        [grade == 0, grade == 1, grade == 2], [medians["G1"]["median"], medians["G2"]["median"], medians["G3"]["median"]], 600.0
    )
    sigma = np.select(
        [grade == 0, grade == 1, grade == 2], [medians["G1"]["sigma"], medians["G2"]["sigma"], medians["G3"]["sigma"]], 1.0
    )
    for kind, prompt_median in settings["prompt_median_by_type"].items():
        median = np.where((grade == 2) & (incident_type == kind), prompt_median, median)
    if month.start >= parse_month(settings["priority_grade_from"]):
        median = np.where(grade == 2, median * settings["prompt_after_priority_factor"], median)
    median = np.where(grade == 2, median * knot_value(settings["prompt_trend_knots"], month), median)
    minutes = lognormal(rng, median * trend, sigma, size)
    attended_share = np.array([settings["attended_share"][g] for g in GRADES])[grade]
    return rng.random(size) < attended_share, np.maximum(minutes, 1.0)


def _qualifiers(rng: np.random.Generator, size: int) -> np.ndarray:
    labels = np.array(
        [
            "",
            "MENTAL_HEALTH",
            "REPEAT_VICTIM",
            "VULNERABLE",
            "ALCOHOL",
            "HATE",
            "WEAPON",
            "MENTAL_HEALTH|VULNERABLE",
            "ALCOHOL|WEAPON",
        ],
        dtype=object,
    )
    shares = np.array([0.82, 0.05, 0.04, 0.03, 0.025, 0.01, 0.01, 0.01, 0.005])
    chosen = labels[rng.choice(len(labels), size=size, p=shares / shares.sum())]
    chosen[chosen == ""] = None
    return chosen


def generate_calls(rng: np.random.Generator, config: dict[str, Any], month: Month, seasonality: float) -> pd.DataFrame:
    """Calls to 999 and 101 received in the month."""
    counts = [rng.poisson(config["calls_per_month"][line] * config["scale"] * seasonality) for line in LINES]
    line = np.repeat([0, 1], counts)
    size = len(line)
    received = np.sort(random_moments(rng, month, size))
    rng.shuffle(line)
    fast_999 = rng.random(size) < knot_value(config["calls_999_answered_10s_knots"], month)
    wait_999 = np.where(fast_999, rng.uniform(1, 10, size), 10 + rng.exponential(25, size))
    abandoned = np.where(
        line == 0, rng.random(size) < 0.01, rng.random(size) < knot_value(config["calls_101_abandoned_knots"], month)
    )
    wait = np.where(line == 0, wait_999, rng.exponential(300, size))
    moment = received + np.round(wait).astype("timedelta64[s]")
    return pd.DataFrame(
        {
            "call_reference": month.yyyymm * 10**7 + np.arange(size, dtype=np.int64),
            "line": pd.Categorical.from_codes(line, LINES),
            "received_at": received,
            "answered_at": np.where(abandoned, np.datetime64("NaT"), moment),
            "abandoned_at": np.where(abandoned, moment, np.datetime64("NaT")),
        }
    )
