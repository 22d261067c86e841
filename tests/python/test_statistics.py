"""The statistics behind the words and the control charts, proved by simulation on the warehouse's own
compiled SQL (int_measure_values_described, int_measure_comparisons, measure_spc, measure_spc_rebase_proposals).

For each test: series drawn with no real difference are called significant at close to the nominal
5% (two-sided, |z| >= 1.96), and a real difference of a stated size is found at a stated power. For the
control charts: a stable process flags the few per cent of points its four rules flag by chance, a
step change is found within the run length, and a recorded re-base puts a changed process back in
control. Every draw has a fixed seed, so each bound is a fixed number a run either meets or not; each
bound sits between what the method gives and what the old method (put back) gave (docs/measures.md,
"How the tests were sized").
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from model_sql import ModelWarehouse, compiled_models

MODELS = ("int_measure_values_described", "int_measure_comparisons", "measure_spc", "measure_spc_rebase_proposals")
SIGNIFICANT = ("Higher", "Lower", "Improved", "Deteriorated")
FIRST_MONTH = date(2015, 4, 1)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return compiled_models(tmp_path_factory.mktemp("compile"), *MODELS)


def month_list(count: int) -> list[date]:
    return [
        date(FIRST_MONTH.year + (FIRST_MONTH.month - 1 + k) // 12, (FIRST_MONTH.month - 1 + k) % 12 + 1, 1) for k in range(count)
    ]


def month_rows(measure_id: str, numerators: np.ndarray, denominators: np.ndarray | None, unit: str) -> pd.DataFrame:
    """Month-window rows of int_measure_values_windowed: one series per row of the arrays."""
    series, months = numerators.shape
    frame = pd.DataFrame(
        {
            "geography": np.repeat([f"S{k:04d}" for k in range(series)], months),
            "period_month": np.tile(month_list(months), series),
            "numerator": numerators.ravel().astype(float),
        }
    )
    frame["denominator"] = denominators.ravel().astype(float) if denominators is not None else np.nan
    frame["value"] = frame["numerator"] if unit == "count" else frame["numerator"] / frame["denominator"]
    frame["sample_size"] = frame["numerator"] if unit == "count" else frame["denominator"]
    frame["measure_id"] = measure_id
    frame["geography_level"] = "district"
    frame["period_window"] = "month"
    frame["is_complete"] = True
    return frame


def catalogue_row(measure_id: str, unit: str, polarity: str, test: str, min_n: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "measure_id": measure_id,
                "pillar": "victims",
                "unit": unit,
                "polarity": polarity,
                "word_polarity": polarity,
                "min_n": min_n,
                "significance_test": test,
            }
        ]
    )


def significant_share(warehouse: ModelWarehouse, measure_id: str, months: tuple[int, int]) -> tuple[float, int]:
    """Share of the words on last year that are significant, over the months numbered in the range
    (1 = the first month), with how many words there were."""
    first, last = month_list(months[1])[months[0] - 1], month_list(months[1])[-1]
    share, words = warehouse.connection.execute(
        f"""
        select avg(case when word in {SIGNIFICANT} then 1.0 else 0.0 end), count(word)
        from intermediate.int_measure_comparisons
        where measure_id = ? and comparison = 'last_year' and period_month between ? and ?
        """,
        [measure_id, first, last],
    ).fetchone()
    return share, words


def compare(warehouse: ModelWarehouse) -> None:
    """The values described (their dispersion), then compared, by the project's own SQL."""
    warehouse.build("intermediate", "int_measure_values_described")
    warehouse.build("intermediate", "int_measure_comparisons")


def size_and_power(
    tmp_path: Path,
    compiled: dict[str, str],
    measure: tuple[str, str, str],
    stable: tuple[np.ndarray, np.ndarray | None],
    changed: tuple[np.ndarray, np.ndarray | None],
    months: tuple[tuple[int, int], tuple[int, int]],
) -> tuple[float, int, float]:
    """Two measures of one kind (unit, polarity, test), one drawn with no change and one with a real
    change, through int_measure_comparisons: the share of significant words on last year over
    the stable one's months (the size) with their number, and over the changed one's (the power)."""
    unit, polarity, test = measure
    warehouse = ModelWarehouse(tmp_path / "sim", compiled)
    warehouse.fill(
        "intermediate.int_measures_catalogued",
        pd.concat([catalogue_row(name, unit, polarity, test) for name in ("stable", "changed")]),
    )
    for name, (numerators, denominators) in (("stable", stable), ("changed", changed)):
        warehouse.fill("intermediate.int_measure_values_windowed", month_rows(name, numerators, denominators, unit))
    compare(warehouse)
    size, words = significant_share(warehouse, "stable", months[0])
    power, _ = significant_share(warehouse, "changed", months[1])
    warehouse.close()
    return size, words, power


def test_counts_are_tested_with_their_own_overdispersion(tmp_path: Path, compiled: dict[str, str]) -> None:
    """Counts of about 200 a month whose variance is three times their mean (negative binomial):
    a plain Poisson test calls about a quarter of no-change years significant; the quasi-Poisson
    test, its dispersion from the series' own earlier months, about 5%. A 60% rise on a year ago is
    found at least 70% of the time (z about 2.8: the step itself adds to the estimated dispersion)."""
    rng = np.random.default_rng(20261204)
    series, months, mean, dispersion = 400, 48, 200.0, 3.0
    shape = mean / (dispersion - 1)  # negative binomial: variance = mean + mean^2 / shape = 3 x mean
    stable = rng.negative_binomial(shape, shape / (shape + mean), size=(series, months))
    stepped = rng.negative_binomial(shape, shape / (shape + mean), size=(series, months)).astype(float)
    risen = rng.negative_binomial(shape, shape / (shape + 1.6 * mean), size=(series, 12))
    stepped[:, 36:] = risen
    size, words, power = size_and_power(
        tmp_path, compiled, ("count", "neutral", "poisson_counts"), (stable, None), (stepped, None), ((25, 48), (37, 48))
    )
    print(f"counts: size {size:.4f} over {words}, power {power:.4f}")
    assert words == series * 24
    assert 0.035 <= size <= 0.075
    assert power >= 0.7


def test_proportions_are_tested_as_two_proportions(tmp_path: Path, compiled: dict[str, str]) -> None:
    """Shares of 400 cases a month at 30%: about 5% of no-change years significant; 30% against 40%
    is found at least four times in five (z about 3)."""
    rng = np.random.default_rng(20261205)
    series, months, cases = 400, 24, 400
    stable = rng.binomial(cases, 0.3, size=(series, months))
    stepped = rng.binomial(cases, 0.3, size=(series, months))
    stepped[:, 12:] = rng.binomial(cases, 0.4, size=(series, 12))
    denominators = np.full((series, months), cases)
    size, words, power = size_and_power(
        tmp_path,
        compiled,
        ("rate", "higher_is_better", "two_proportions"),
        (stable, denominators),
        (stepped, denominators),
        ((13, 24), (13, 24)),
    )
    print(f"proportions: size {size:.4f} over {words}, power {power:.4f}")
    assert words == series * 12
    assert 0.035 <= size <= 0.065
    assert power >= 0.8


def test_volume_basis_rates_are_tested_as_a_ratio_of_two_counts(tmp_path: Path, compiled: dict[str, str]) -> None:
    """Outcomes assigned in a month (about 100) over crimes recorded in it (about 400) are two
    counts, not a share of one: tested as two proportions, about 13% of no-change years come out
    significant; as a ratio of two counts, about 4-5% (a little under: the dispersion is never taken
    below Poisson's). A rate of 37.5% against 25% (half as many outcomes again) is found at least
    65% of the time (z about 2.7)."""
    rng = np.random.default_rng(20261206)
    series, months, crimes = 400, 24, 400.0
    recorded = rng.poisson(crimes, size=(series, months))
    outcomes = rng.poisson(0.25 * crimes, size=(series, months))
    recorded_stepped = rng.poisson(crimes, size=(series, months))
    outcomes_stepped = rng.poisson(0.25 * crimes, size=(series, months))
    outcomes_stepped[:, 12:] = rng.poisson(0.375 * crimes, size=(series, 12))
    size, words, power = size_and_power(
        tmp_path,
        compiled,
        ("rate", "higher_is_better", "count_ratio"),
        (outcomes, recorded),
        (outcomes_stepped, recorded_stepped),
        ((13, 24), (13, 24)),
    )
    print(f"count ratio: size {size:.4f} over {words}, power {power:.4f}")
    assert words == series * 12
    assert 0.03 <= size <= 0.07
    assert power >= 0.65


def response_cases(rng: np.random.Generator, series: int, months: int, cases: int, scale_from_month_13: float) -> pd.DataFrame:
    """Response times in whole seconds (log-normal, median 15 minutes), `cases` a month per series."""
    scale = np.ones((series, months, 1))
    scale[:, 12:, :] = scale_from_month_13
    seconds = np.floor(900.0 * scale * rng.lognormal(0.0, 0.6, size=(series, months, cases))).astype(int)
    return pd.DataFrame(
        {
            "geography": np.repeat([f"S{k:04d}" for k in range(series)], months * cases),
            "created_month": np.tile(np.repeat(month_list(months), cases), series),
            "response_seconds": seconds.ravel(),
        }
    )


def fill_response_times(warehouse: ModelWarehouse, measure_id: str, cases: pd.DataFrame) -> None:
    """int_response_times_counted and the month medians of int_response_medians_windowed, from cases."""
    warehouse.connection.register("simulated_cases", cases)
    warehouse.connection.execute(
        f"""
        insert into intermediate.int_response_times_counted by name
        select '{measure_id}' as measure_id, 'district' as geography_level, geography, created_month, response_seconds,
               count(*) as cases,
               sum(count(*)) over (partition by geography, created_month order by response_seconds) as cases_at_or_below
        from simulated_cases group by geography, created_month, response_seconds;
        insert into intermediate.int_response_medians_windowed by name
        select '{measure_id}' as measure_id, 'district' as geography_level, geography, created_month as period_month,
               'month' as period_window, median(response_seconds) / 60.0 as value, count(*) as sample_size,
               median(response_seconds) as median_seconds, count(*) as denominator, true as is_complete
        from simulated_cases group by geography, created_month;
        """
    )
    warehouse.connection.unregister("simulated_cases")


def test_medians_are_tested_by_a_two_sample_median_test(tmp_path: Path, compiled: dict[str, str]) -> None:
    """Two samples of 200 response times from one distribution: a sign test against last year's
    median (an estimate taken as if known) calls about 17% significant; Mood's two-sample median test
    about 5-6%. Responses 25% slower are found at least four times in five."""
    rng = np.random.default_rng(20261207)
    series, months, cases = 300, 24, 200
    warehouse = ModelWarehouse(tmp_path / "sim", compiled)
    warehouse.fill(
        "intermediate.int_measures_catalogued",
        pd.concat(
            [
                catalogue_row("stable", "minutes", "lower_is_better", "median_test"),
                catalogue_row("slower", "minutes", "lower_is_better", "median_test"),
            ]
        ),
    )
    fill_response_times(warehouse, "stable", response_cases(rng, series, months, cases, 1.0))
    fill_response_times(warehouse, "slower", response_cases(rng, series, months, cases, 1.25))
    compare(warehouse)
    size, words = significant_share(warehouse, "stable", (13, 24))
    power, _ = significant_share(warehouse, "slower", (13, 24))
    warehouse.close()
    print(f"medians: size {size:.4f} over {words}, power {power:.4f}")
    assert words == series * 12
    assert 0.03 <= size <= 0.07
    assert power >= 0.8


def spc_rows(
    measure_id: str, values: np.ndarray, denominators: np.ndarray | None = None, test: str = "poisson_counts"
) -> pd.DataFrame:
    """Month rows of int_measure_values_described as measure_spc reads them."""
    series, months = values.shape
    frame = pd.DataFrame(
        {
            "geography": np.repeat([f"S{k:04d}" for k in range(series)], months),
            "period_month": np.tile(month_list(months), series),
            "value": values.ravel().astype(float),
        }
    )
    frame["denominator"] = denominators.ravel().astype(float) if denominators is not None else np.nan
    frame["numerator"] = frame["value"] * frame["denominator"] if denominators is not None else frame["value"]
    frame["sample_size"] = frame["denominator"] if denominators is not None else frame["value"]
    frame["unit"] = "rate" if denominators is not None else "count"
    frame["polarity"] = "higher_is_better" if denominators is not None else "neutral"
    frame["significance_test"] = test
    frame["measure_id"] = measure_id
    frame["geography_level"] = "district"
    frame["period_window"] = "month"
    frame["is_complete"] = True
    return frame


def charted(
    tmp_path: Path, compiled: dict[str, str], rows: list[pd.DataFrame], rebases: pd.DataFrame | None = None
) -> ModelWarehouse:
    warehouse = ModelWarehouse(tmp_path / "sim", compiled)
    warehouse.connection.execute(
        "create or replace table intermediate.int_measure_values_described as select * from (select "
        "null::varchar as measure_id, null::varchar as unit, null::varchar as polarity, null::varchar as significance_test, "
        "null::varchar as geography_level, null::varchar as geography, null::date as period_month, null::varchar as period_window, "
        "null::double as value, null::double as numerator, null::double as denominator, null::double as sample_size, "
        "null::boolean as is_complete) where false"
    )
    for frame in rows:
        warehouse.fill("intermediate.int_measure_values_described", frame)
    if rebases is not None:
        warehouse.fill("reference.spc_rebases", rebases)
    warehouse.build("marts", "measure_spc")
    warehouse.build("marts", "measure_spc_rebase_proposals")
    return warehouse


def flagged_share(warehouse: ModelWarehouse, measure_id: str, months: tuple[int, int]) -> tuple[float, int]:
    """Share of the points with limits, over the months numbered in the range, a rule flags."""
    first, last = month_list(months[1])[months[0] - 1], month_list(months[1])[-1]
    return warehouse.connection.execute(
        """
        select avg(case when variation != 'common_cause' then 1.0 else 0.0 end), count(variation)
        from marts.measure_spc where measure_id = ? and period_month between ? and ?
        """,
        [measure_id, first, last],
    ).fetchone()


def test_a_stable_process_flags_only_the_points_chance_does(tmp_path: Path, compiled: dict[str, str]) -> None:
    """Independent normal points (an XmR chart), and shares of 20 to 2,000 cases a month (a Laney p'
    chart): with the limits fixed on each series' first 24 points and each rule judged from a point
    and the points before it, about 2-3% of points are flagged (by chance: 0.3% beyond three sigma,
    1.6% the seventh of a run on one side, a little for two of three beyond two sigma and for trends),
    as the four rules flag a stable process (at most 4% here, the months while a baseline is still
    forming included)."""
    rng = np.random.default_rng(20261208)
    series, months = 400, 60
    normal = rng.normal(100.0, 10.0, size=(series, months))
    cases = np.round(np.exp(rng.uniform(np.log(20), np.log(2000), size=(series, months))))
    shares = rng.binomial(cases.astype(int), 0.3) / cases
    warehouse = charted(tmp_path, compiled, [spc_rows("normal", normal), spc_rows("shares", shares, cases, "two_proportions")])
    xmr, xmr_points = flagged_share(warehouse, "normal", (12, 60))
    laney, laney_points = flagged_share(warehouse, "shares", (12, 60))
    warehouse.close()
    print(f"stable: XmR {xmr:.4f} of {xmr_points}, Laney p' {laney:.4f} of {laney_points}")
    assert xmr_points == laney_points == series * 49
    assert 0.01 <= xmr <= 0.04
    assert 0.01 <= laney <= 0.04


def test_a_step_change_is_found_within_the_run_length_and_proposed_as_a_rebase(tmp_path: Path, compiled: dict[str, str]) -> None:
    """A step of two sigma after 36 stable points: at least 90% of series flag a high special cause
    within 7 points (spc_run_length) of the step, and at least 70% have a re-base proposed within 3
    months of it (a run of 12 on one side; it may start with a point or two that fell above the centre
    by chance before the step), for an analyst to accept; none is applied (the limits stay)."""
    rng = np.random.default_rng(20261209)
    series, months = 400, 60
    values = rng.normal(100.0, 10.0, size=(series, months))
    values[:, 36:] += 20.0
    warehouse = charted(tmp_path, compiled, [spc_rows("stepped", values)])
    step_month, seventh = month_list(37)[-1], month_list(43)[-1]
    found, near, rebased = warehouse.connection.execute(
        """
        select
            (select count(distinct geography) from marts.measure_spc
             where special_cause_direction = 'high' and period_month between $1 and $2) / $3,
            (select count(distinct geography) from marts.measure_spc_rebase_proposals
             where proposed_rebase_month between $1 - interval 3 month and $1 + interval 3 month) / $3,
            (select count(distinct phase_start_month) from marts.measure_spc)
        """,
        [step_month, seventh, float(series)],
    ).fetchone()
    warehouse.close()
    print(f"step: found within 7 points {found:.4f}, proposed near the step {near:.4f}")
    assert found >= 0.9
    assert near >= 0.7
    assert rebased == 1  # every series in its first phase


def test_a_recorded_rebase_puts_a_changed_process_back_in_control(tmp_path: Path, compiled: dict[str, str]) -> None:
    """A process that moved by four sigma at its 25th point, with the change recorded as a re-base
    there: once the new phase has its 24 baseline points, its points are flagged at about the stable
    rate (at most 5%); limits fixed on the first baseline for ever (no re-base) would flag nearly all."""
    rng = np.random.default_rng(20261210)
    series, months = 300, 72
    values = rng.normal(100.0, 10.0, size=(series, months))
    values[:, 24:] += 40.0
    rebases = pd.DataFrame([{"measure_id": "moved", "rebase_month": month_list(25)[-1], "reason": "a new way of working"}])
    warehouse = charted(tmp_path, compiled, [spc_rows("moved", values)], rebases)
    share, points = flagged_share(warehouse, "moved", (49, 72))
    warehouse.close()
    print(f"re-based: {share:.4f} of {points} flagged after the new baseline")
    assert points == series * 24
    assert share <= 0.05
