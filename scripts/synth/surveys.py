"""Victim survey responses for one month."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scripts.synth.calendar import Month, knot_value, pick, random_dates
from scripts.synth.reference import DISTRICTS, offence_codes

QUESTIONS = ("ease_of_contact", "actions_taken", "follow_up", "treatment", "whole_experience")
ANSWERS = ("1", "2", "3", "4", "5", "6", "7", "DK", "NA")
CRIME_GROUPS = ("BURGLARY", "VIOLENT", "VEHICLE", "HATE", "DOMESTIC_ABUSE")
SATISFIED_SPLIT = np.array([0.33, 0.37, 0.30])  # answers 1, 2, 3
DISSATISFIED_SPLIT = np.array([0.32, 0.25, 0.20, 0.23])  # answers 4, 5, 6, 7


def generate_survey_responses(
    rng: np.random.Generator, config: dict[str, Any], month: Month, recent_crimes: pd.DataFrame
) -> pd.DataFrame:
    """Interviews held in the month, each linked to a recent crime of its group where one exists."""
    settings = config["survey"]
    scale = config["scale"]
    vss_group = pick(rng, settings["group_mix"], rng.poisson(settings["responses_per_month"] * scale))
    das_count = rng.poisson(settings["domestic_abuse_per_month"] * scale)
    group = np.concatenate([vss_group, np.full(das_count, CRIME_GROUPS.index("DOMESTIC_ABUSE"))])
    size = len(group)
    is_das = group == CRIME_GROUPS.index("DOMESTIC_ABUSE")

    columns: dict[str, Any] = {
        "response_reference": month.yyyymm * 10**5 + np.arange(size, dtype=np.int64),
        "survey_type": pd.Categorical.from_codes(is_das.astype(int), ["VSS", "DAS"]),
        "crime_group": pd.Categorical.from_codes(group, CRIME_GROUPS),
        "district": pd.Categorical.from_codes(pick(rng, config["district_crime_weights"], size), DISTRICTS),
        "interviewed_date": np.sort(random_dates(rng, month, size)),
        "crime_reference": _linked_crimes(rng, recent_crimes, group),
    }
    whole = np.array([knot_value(settings["whole_experience_knots"][name], month) for name in CRIME_GROUPS])[group]
    for question in QUESTIONS:
        offset = settings["question_offsets"].get(question, 0.0)
        dont_know = np.full(size, settings["dont_know_share"][question])
        if question == "follow_up":
            offset = np.where(is_das, settings["domestic_abuse_follow_up_offset"], offset)
            dont_know = np.where(is_das, settings["domestic_abuse_follow_up_dont_know_share"], dont_know)
        columns[f"q_{question}"] = _answers(rng, np.clip(whole + offset, 0.02, 0.99), dont_know)
    return pd.DataFrame(columns)


def _answers(rng: np.random.Generator, satisfied_share: np.ndarray, dont_know_share: np.ndarray) -> pd.Categorical:
    size = len(satisfied_share)
    satisfied = rng.random(size) < satisfied_share
    answer = np.where(satisfied, rng.choice(3, size, p=SATISFIED_SPLIT), 3 + rng.choice(4, size, p=DISSATISFIED_SPLIT))
    no_answer = rng.random(size) < dont_know_share
    answer = np.where(no_answer, 7 + (rng.random(size) < 0.3), answer)
    return pd.Categorical.from_codes(answer, ANSWERS)


def _linked_crimes(rng: np.random.Generator, crimes: pd.DataFrame, group: np.ndarray) -> pd.arrays.IntegerArray:
    """A crime reference of the right group from recent months for each respondent (or null)."""
    reference = offence_codes()
    subgroup = reference.subgroup[crimes["offence_code"].cat.codes.to_numpy()]
    pools = {
        "BURGLARY": subgroup == "burglary_residential",
        "VIOLENT": np.isin(subgroup, ["violence_with_injury", "violence_without_injury"]),
        "VEHICLE": subgroup == "vehicle_offences",
        "HATE": crimes["is_hate_crime"].to_numpy(),
        "DOMESTIC_ABUSE": crimes["is_domestic_abuse"].to_numpy(),
    }
    references = crimes["crime_reference"].to_numpy()
    linked = np.full(len(group), -1, dtype=np.int64)
    for index, name in enumerate(CRIME_GROUPS):
        wanted = group == index
        pool = references[pools[name]]
        if wanted.any() and len(pool):
            linked[wanted] = rng.choice(pool, wanted.sum())
    return pd.array(np.where(linked < 0, None, linked), dtype="Int64")
