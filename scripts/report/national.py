"""The data.police.uk part of the pack: the National context section (as the board reports' section
4.2 gives it), and the public-data pack for any force of a police.uk-only run (`make pack FORCE=kent`).

Every figure comes from the national marts (police_uk_force_context, police_uk_area_totals,
police_uk_crime_mix) and measure_values; coverage is stated beside every regional and England and
Wales figure and every rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
from markupsafe import Markup

from scripts.report import charts
from scripts.report.data import TrendPoint, has_table, rows, trend
from scripts.report.fmt import DASH, figure
from scripts.report.html import ENVIRONMENT

ATTRIBUTION = (
    "Contains public sector information from data.police.uk licensed under the Open Government Licence v3.0. "
    "Populations: Office for National Statistics mid-2023 estimates, licensed under the Open Government Licence "
    "v.3.0; contains OS data © Crown copyright and database right."
)


NO_FILE = "no file"


class NoPoliceUkData(Exception):
    """The warehouse holds no data.police.uk rows for the force asked for."""


@dataclass(frozen=True)
class NationalContext:
    month: date
    force: dict[str, Any]
    rolling: dict[str, Any] | None
    region: dict[str, Any] | None
    country: dict[str, Any] | None
    region_rolling: dict[str, Any] | None
    country_rolling: dict[str, Any] | None
    mix: list[dict[str, Any]]


@dataclass(frozen=True)
class PublicPack:
    context: NationalContext
    types: list[dict[str, Any]]
    trends: dict[str, list[TrendPoint]]
    districts: list[dict[str, Any]]
    quality: list[dict[str, Any]]


def latest_month(connection: duckdb.DuckDBPyConnection, force_slug: str, up_to: date | None = None) -> date | None:
    """The force's latest month in the national marts (at or before up_to when given); None when absent."""
    if not has_table(connection, "marts", "police_uk_force_context"):
        return None
    return connection.execute(
        "select max(period_month) from marts.police_uk_force_context where force_slug = ? "
        "and crimes is not null and period_month <= coalesce(?, period_month)",
        [force_slug, up_to],
    ).fetchone()[0]


def read_context(connection: duckdb.DuckDBPyConnection, force_slug: str, month: date) -> NationalContext:
    windows = {
        row["period_window"]: row
        for row in rows(
            connection,
            """
        select * from marts.police_uk_force_context where force_slug = ? and period_month = ?""",
            [force_slug, month],
        )
    }
    if "month" not in windows:
        known = (
            ", ".join(
                slug
                for (slug,) in connection.execute(
                    "select distinct force_slug from marts.police_uk_force_context order by 1"
                ).fetchall()
            )
            or "none"
        )
        raise NoPoliceUkData(f"no data.police.uk figures for force '{force_slug}' in {month:%Y-%m} (forces loaded: {known})")
    totals = {
        (row["geography_level"], row["period_window"]): row
        for row in rows(
            connection,
            """
        select * from marts.police_uk_area_totals
        where period_month = ? and (geography = ? or geography_level = 'country')""",
            [month, windows["month"]["region_name"]],
        )
    }
    mix = rows(
        connection,
        """
        select category, crimes, share_of_force, share_in_region, share_in_england_and_wales
        from marts.police_uk_crime_mix where mix = 'crime_type' and force_slug = ? and period_month = ?
        order by crimes desc, category""",
        [force_slug, month],
    )
    return NationalContext(
        month,
        windows["month"],
        windows.get("rolling_12m"),
        totals.get(("region", "month")),
        totals.get(("country", "month")),
        totals.get(("region", "rolling_12m")),
        totals.get(("country", "rolling_12m")),
        mix,
    )


def read_public_pack(connection: duckdb.DuckDBPyConnection, force_slug: str, month: date | None, trend_months: int) -> PublicPack:
    month = month or latest_month(connection, force_slug)
    if month is None:
        raise NoPoliceUkData(f"no data.police.uk rows for force '{force_slug}'; load its files with POLICE_UK_DIR")
    context = read_context(connection, force_slug, month)
    force = context.force["force_name"]
    types = rows(
        connection,
        """
        select measures.measure_id, measures.name, values.value, values.same_month_last_year, values.vs_last_year,
               values.is_complete, values.incomplete_reason
        from marts.measure_values as values
        inner join reference.public_measures as measures on values.measure_id = measures.measure_id
        where values.geography_level = 'force' and values.geography = ? and values.period_month = ?
          and values.period_window = 'month' and (starts_with(values.measure_id, 'pu_crimes__') or values.measure_id = 'pu_asb__all')
        order by values.measure_id = 'pu_crimes__all' desc, values.value desc nulls last""",
        [force, month],
    )
    trends = {row["measure_id"]: trend(connection, row["measure_id"], force, month, trend_months) for row in types}
    districts = rows(
        connection,
        """
        select geography as district,
               max(value) filter (where measure_id = 'pu_crimes__all') as crimes,
               max(value) filter (where measure_id = 'pu_crime_rate_per_1000__all') as crimes_per_1000,
               max(vs_last_year) filter (where measure_id = 'pu_crimes__all') as vs_last_year
        from marts.measure_values
        where geography_level = 'district' and period_window = 'month' and period_month = ?
          and measure_id in ('pu_crimes__all', 'pu_crime_rate_per_1000__all')
          and (geography in (select districts.district_name from reference.ons_districts as districts
                             inner join reference.police_uk_forces as forces on districts.force_area_code = forces.force_area_code
                             where forces.force_slug = ?)
               or ends_with(geography, '(' || ? || ')'))
        group by 1 order by crimes_per_1000 desc nulls last, district""",
        [month, force_slug, force],
    )
    quality = rows(
        connection,
        """
        select strftime(period_month, '%Y-%m') as month, rows_loaded, is_complete, incomplete_reason, no_location_share,
               unknown_lsoa_share, outside_force_area_share, missing_crime_id_share, repeated_crime_id_share, reused_crime_id_share
        from quality.quality_police_uk_months where force_slug = ? and period_month <= ? order by period_month desc limit 12""",
        [force_slug, month],
    )
    return PublicPack(context, types, trends, districts, quality)


def _share(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.1f}%"


def _coverage(row: dict[str, Any] | None, named: bool = True) -> str:
    if row is None:
        return "–"
    text = f"{row['forces_counted']} of {row['forces_expected']} forces"
    return text + ("" if row["is_complete"] or not named else f" (not counted: {row['forces_not_counted']})")


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def render_section(context: NationalContext, heading: str = "National context (data.police.uk)") -> str:
    """The National context section: the force's crime and rate per 1,000 against its region and
    England and Wales, with coverage; its rank; its crime mix against theirs (templates/national_section.html)."""
    force = context.force
    rolling = context.rolling
    complete_rolling = rolling if rolling and rolling["is_complete"] else None
    rows = [
        {
            "key": "force",
            "label": force["force_name"],
            "crimes": figure(force["crimes"], "count"),
            "rate": figure(force["crimes_per_1000"], "per_1000"),
            "coverage": "complete" if force["is_complete"] else (force["incomplete_reason"] or "incomplete"),
            # a window that is not complete carries no figure: its cells say why
            "rolling_crimes": figure(complete_rolling and complete_rolling["crimes"], "count"),
            "rolling_rate": figure(complete_rolling and complete_rolling["crimes_per_1000"], "per_1000"),
            "rolling_coverage": "complete" if complete_rolling else ((rolling and rolling["incomplete_reason"]) or "not loaded"),
        }
    ]
    for label, row, row_rolling, key in (
        (force["region_name"] or "Region", context.region, context.region_rolling, "region"),
        ("England and Wales", context.country, context.country_rolling, "country"),
    ):
        if row is not None:
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "crimes": figure(row["crimes"], "count"),
                    "rate": figure(row["crimes_per_1000"], "per_1000"),
                    "coverage": _coverage(row),
                    "rolling_crimes": figure(row_rolling and row_rolling["crimes"], "count"),
                    "rolling_rate": figure(row_rolling and row_rolling["crimes_per_1000"], "per_1000"),
                    # the window's own coverage: the forces complete in every month of it
                    "rolling_coverage": _coverage(row_rolling),
                }
            )
    change = force["change_on_last_year"]
    return ENVIRONMENT.get_template("national_section.html").render(
        heading=heading,
        name=force["force_name"],
        month_name=f"{context.month:%B %Y}",
        is_force_area=force["is_force_area"],
        is_complete=force["is_complete"],
        incomplete_reason=force["incomplete_reason"] or "",
        rows=rows,
        rank=_ordinal(force["rank_by_rate"]) if force["rank_by_rate"] is not None else None,
        ranked_forces=force["ranked_forces"],
        change=f"{change * 100:+.1f}%" if change is not None else None,
        last_year_name=f"{context.month.replace(year=context.month.year - 1):%B %Y}",
        last_year_crimes=figure(force["crimes_same_period_last_year"], "count"),
        region_coverage=_coverage(context.region, named=False),
        country_coverage=_coverage(context.country, named=False),
        mix=[
            {
                "category": row["category"],
                "crimes": figure(row["crimes"], "count"),
                "force": _share(row["share_of_force"]),
                "region": _share(row["share_in_region"]),
                "country": _share(row["share_in_england_and_wales"]),
            }
            for row in context.mix
        ],
        attribution=ATTRIBUTION,
    )


def force_pack_sections(connection: duckdb.DuckDBPyConnection, force_slug: str, month: date) -> tuple[str, ...]:
    """The force pack's National context: for the latest police.uk month at or before the pack's month;
    a note when police.uk files are loaded but none is that early; nothing when none are loaded."""
    public_month = latest_month(connection, force_slug, month)
    if public_month is not None:
        return (render_section(read_context(connection, force_slug, public_month)),)
    loaded = latest_month(connection, force_slug)
    if loaded is None:
        return ()
    return (
        ENVIRONMENT.get_template("national_missing.html").render(
            month_name=f"{month:%B %Y}", force_slug=force_slug, loaded_name=f"{loaded:%B %Y}"
        ),
    )


QUALITY_SHARES = (
    "no_location_share",
    "unknown_lsoa_share",
    "outside_force_area_share",
    "missing_crime_id_share",
    "repeated_crime_id_share",
    "reused_crime_id_share",
)


def render_public_pack(pack: PublicPack, style: str) -> str:
    """A whole page for one force from data.police.uk alone: crime by type with trends, districts,
    national context and the data-quality notes of its files (templates/public_pack.html)."""
    context = pack.context
    # a month the download has no file for shows "no file", never a count (its value is null)
    no_file = any(row["month"] == f"{context.month:%Y-%m}" and not row["rows_loaded"] for row in pack.quality)

    def count(value: float | None) -> str:
        return NO_FILE if no_file else figure(value, "count")

    return ENVIRONMENT.get_template("public_pack.html").render(
        name=context.force["force_name"],
        month_name=f"{context.month:%B %Y}",
        style=Markup(style),
        types=[
            {
                "id": row["measure_id"],
                "name": row["name"],
                "value": "" if row["value"] is None else row["value"],
                "crimes": count(row["value"]),
                "last_year": figure(row["same_month_last_year"], "count"),
                "word": row["vs_last_year"] or DASH,
            }
            for row in pack.types
        ],
        trend_key=Markup(charts.trend_key()),
        charts=[
            {
                "name": row["name"],
                "trend": Markup(charts.trend(pack.trends.get(row["measure_id"], []), "count", row["name"])),
                "legend": Markup(charts.trend_legend(pack.trends.get(row["measure_id"], []))),
            }
            for row in pack.types
        ],
        districts=[
            {
                "district": row["district"],
                "crimes": count(row["crimes"]),
                "rate": NO_FILE if no_file else figure(row["crimes_per_1000"], "per_1000"),
                "word": row["vs_last_year"] or DASH,
            }
            for row in pack.districts
        ],
        district_bars=Markup(
            charts.bars(
                [(row["district"], row["crimes_per_1000"]) for row in pack.districts], "per_1000", "Crimes per 1,000 residents"
            )
        ),
        national_section=Markup(render_section(context)),
        quality=[
            {
                "month": row["month"],
                "rows": figure(row["rows_loaded"], "count"),
                "complete": "yes" if row["is_complete"] else (row["incomplete_reason"] or "no"),
                "shares": [_share(row[key]) for key in QUALITY_SHARES],
            }
            for row in pack.quality
        ],
    )
