"""Recorded crimes and their outcomes for one month."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scripts.synth.calendar import Month, knot_value, lognormal, pick, random_moments
from scripts.synth.reference import DISTRICTS, NORTH, offence_codes

HATE_STRANDS = {"RACE": 0.74, "RELIGION": 0.05, "SEXUAL_ORIENTATION": 0.11, "DISABILITY": 0.07, "TRANSGENDER": 0.03}
STATUSES = ("RECORDED", "CANCELLED", "TRANSFERRED")
TRANSFERRED_SHARE = 0.003
INTERIM_CODES = ("18", "16", "14")
# Multipliers in ppo_group_trend_knots named after a marker apply to crimes carrying it.
MARKER_COLUMNS = {
    "domestic_abuse": "is_domestic_abuse",
    "child_sexual_abuse": "is_child_sexual_abuse",
    "hate": "is_hate_crime",
    "sharp_instrument": "has_sharp_instrument",
}


def monthly_crime_means(config: dict[str, Any], months: list[Month]) -> np.ndarray:
    """Expected crimes per month: financial-year totals shaped by seasonality and lockdown."""
    totals = {int(year): float(value) for year, value in config["crimes_by_financial_year"].items()}
    last_known = max(totals)
    weights = np.array([config["seasonality"][m.start.month - 1] * config["lockdown"].get(m.label, 1.0) for m in months])
    means = np.zeros(len(months))
    for year in sorted({m.financial_year for m in months}):
        in_year = np.array([m.financial_year == year for m in months])
        # Normalise over the whole financial year, even when only part of it is generated.
        full_year_weight = sum(
            config["seasonality"][(month - 1) % 12]
            * config["lockdown"].get(f"{year + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}", 1.0)
            for month in range(4, 16)
        )
        means[in_year] = totals.get(year, totals[last_known]) * weights[in_year] / full_year_weight
    # The totals count crimes that stand; cancelled and transferred ones come on top.
    return means / (1.0 - config["cancelled_share"] - TRANSFERRED_SHARE)


def offence_shares(config: dict[str, Any], month: Month) -> np.ndarray:
    """Share of crime by offence code this month (aligned with offence_codes().codes)."""
    reference = offence_codes()
    base = np.array([float(config["offence_mix"].get(code, 0.0)) for code in reference.codes])
    fixed = {code: knot_value(knots, month) for code, knots in config["offence_share_knots"].items()}
    is_fixed = np.array([code in fixed for code in reference.codes])
    rest = base * ~is_fixed
    shares = rest / rest.sum() * (1.0 - sum(fixed.values()))
    for code, share in fixed.items():
        shares[reference.position(code)] = share
    return shares


def generate_crimes(rng: np.random.Generator, config: dict[str, Any], month: Month, mean: float) -> pd.DataFrame:
    """Crimes recorded in the month. Internal columns start with an underscore."""
    reference = offence_codes()
    # Month-to-month noise is a fraction of Poisson's, so yearly totals stay near the published ones.
    size = max(0, int(round(mean + config["monthly_noise"] * np.sqrt(mean) * rng.standard_normal())))  # noqa: RUF046 (numpy float)
    shares = offence_shares(config, month)
    code = rng.choice(len(reference.codes), size=size, p=shares)
    group = reference.group[code]
    district = pick(rng, config["district_crime_weights"], size)
    recorded_at = np.sort(random_moments(rng, month, size))

    markers = {}
    for marker, knots in config["marker_share_knots"].items():
        eligible_codes = np.isin(reference.group, config["marker_eligible_groups"][marker])
        probability = min(0.95, knot_value(knots, month) / shares[eligible_codes].sum())
        markers[marker] = np.isin(group, config["marker_eligible_groups"][marker]) & (rng.random(size) < probability)

    weapon_probability = np.where(
        reference.flags["is_violence_with_injury"][code],
        knot_value(config["weapon_share_knots"]["violence_with_injury"], month),
        np.where(reference.flags["is_robbery"][code], knot_value(config["weapon_share_knots"]["robbery"], month), 0.01),
    )
    is_weapon = rng.random(size) < weapon_probability

    child_code = reference.flags["is_child_victim_code"][code]
    sexual = reference.flags["is_sexual_offence"][code]
    csa_probability = np.where(
        child_code,
        config["child_sexual_abuse_share_of_child_sexual_codes"],
        np.where(sexual, config["child_sexual_abuse_share_of_other_sexual"], 0.0),
    )
    historic_probability = np.where(
        reference.flags["is_serious_sexual"][code], config["historic_share_serious_sexual"], config["historic_share_other"]
    )
    is_historic = rng.random(size) < historic_probability
    days_before = np.where(is_historic, rng.integers(400, 7300, size), rng.integers(0, 10, size))
    committed = recorded_at.astype("datetime64[D]") - days_before.astype("timedelta64[D]")

    status = np.where(rng.random(size) < config["cancelled_share"], 1, np.where(rng.random(size) < TRANSFERRED_SHARE, 2, 0))
    strands = pick(rng, HATE_STRANDS, size)

    return pd.DataFrame(
        {
            "crime_reference": month.yyyymm * 10**6 + np.arange(size, dtype=np.int64),
            "recorded_at": recorded_at,
            "committed_date": committed,
            "offence_code": pd.Categorical.from_codes(code, reference.codes),
            "district": pd.Categorical.from_codes(district, DISTRICTS),
            "is_domestic_abuse": markers["domestic_abuse"],
            "is_hate_crime": markers["hate"],
            "hate_strand": pd.Categorical.from_codes(np.where(markers["hate"], strands, -1), list(HATE_STRANDS)),
            "has_sharp_instrument": markers["sharp_instrument"],
            "is_weapon_involved": is_weapon,
            "is_child_sexual_abuse": rng.random(size) < csa_probability,
            "is_historic": is_historic,
            "status": pd.Categorical.from_codes(status, STATUSES),
        }
    )


def generate_outcomes(rng: np.random.Generator, config: dict[str, Any], month: Month, crimes: pd.DataFrame) -> pd.DataFrame:
    """Every outcome the month's crimes will ever get (the caller drops those past the extract)."""
    reference = offence_codes()
    code = crimes["offence_code"].cat.codes.to_numpy()
    subgroup = reference.subgroup[code]
    size = len(crimes)
    probability = np.array([config["ppo_probability_by_group"][name] for name in subgroup]) * knot_value(
        config["ppo_trend_knots"], month
    )
    for name, knots in config["ppo_group_trend_knots"].items():
        applies = crimes[MARKER_COLUMNS[name]].to_numpy() if name in MARKER_COLUMNS else subgroup == name
        probability = np.where(applies, probability * knot_value(knots, month), probability)
    is_north = np.isin(crimes["district"].astype(str).to_numpy(), NORTH)
    probability *= np.where(is_north, config["ppo_area_factor"]["North"], config["ppo_area_factor"]["South"])
    counts = crimes["status"].to_numpy() == "RECORDED"
    has_ppo = counts & (rng.random(size) < np.clip(probability, 0, 0.95))
    has_other = counts & ~has_ppo & (rng.random(size) < 0.97)

    ppo_codes = _draw_codes(rng, config["ppo_outcome_mix"], size)
    variant = np.isin(ppo_codes, ["1", "2", "3"]) & (rng.random(size) < config["of_which_variant_share"])
    ppo_codes = np.where(variant, np.char.add(ppo_codes, "A"), ppo_codes)
    other_mix = dict(config["other_outcome_mix"])
    other_mix["22"] = knot_value(config["outcome22_share_knots"], month)
    other_codes = _draw_codes(rng, other_mix, size)

    lag = config["outcome_lag_days"]
    ppo_lag = lognormal(rng, lag["ppo"]["median"], lag["ppo"]["sigma"], size)
    other_lag = lognormal(rng, lag["other"]["median"], lag["other"]["sigma"], size)
    recorded_day = crimes["recorded_at"].to_numpy().astype("datetime64[D]")
    final_date = recorded_day + np.where(has_ppo, ppo_lag, other_lag).astype("timedelta64[D]")
    final_date = _apply_surges(rng, config["outcome_surges"], month, final_date, has_ppo, recorded_day)

    final = has_ppo | has_other
    interim = final & (rng.random(size) < config["interim_outcome_share"])
    interim_date = recorded_day + ((final_date - recorded_day).astype(int) // 2).astype("timedelta64[D]")
    interim_codes = np.array(INTERIM_CODES)[rng.integers(0, len(INTERIM_CODES), size)]

    crime_reference = crimes["crime_reference"].to_numpy()
    outcomes = pd.DataFrame(
        {
            "crime_reference": np.concatenate([crime_reference[interim], crime_reference[final]]),
            "outcome_code": np.concatenate([interim_codes[interim], np.where(has_ppo, ppo_codes, other_codes)[final]]),
            "outcome_date": np.concatenate([interim_date[interim], final_date[final]]),
        }
    )
    outcomes.insert(0, "outcome_reference", month.yyyymm * 10**6 + np.arange(len(outcomes), dtype=np.int64))
    outcomes["outcome_code"] = outcomes["outcome_code"].astype("category")
    return outcomes


def _draw_codes(rng: np.random.Generator, mix: dict[str, float], size: int) -> np.ndarray:
    return np.array(list(mix))[pick(rng, mix, size)]


def _apply_surges(
    rng: np.random.Generator, surges: dict[str, float], month: Month, dates: np.ndarray, is_ppo: np.ndarray, recorded: np.ndarray
) -> np.ndarray:
    """Bring PPOs due in the three months after a surge month forward into it (a cleared backlog),
    never before the crime was recorded."""
    for label, share in surges.items():
        surge = np.datetime64(label, "M")
        if np.datetime64(month.start, "M") > surge:
            continue
        due = dates.astype("datetime64[M]")
        moved = is_ppo & (due > surge) & (due <= surge + 3) & (rng.random(len(dates)) < share)
        day_in_month = rng.integers(0, 28, len(dates)).astype("timedelta64[D]")
        dates = np.where(moved, np.maximum(surge.astype("datetime64[D]") + day_in_month, recorded), dates)
    return dates
