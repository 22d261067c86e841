"""The data.police.uk part of the pack: the National context section (as the board reports' section
4.2 gives it), and the public-data pack for any force of a police.uk-only run (`make pack FORCE=kent`).

Every figure comes from the national marts (police_uk_force_context, police_uk_area_totals,
police_uk_crime_mix) and measure_values; coverage is stated beside every regional and England and
Wales figure and every rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

import duckdb

from scripts.report import charts
from scripts.report.data import TrendPoint, rows, trend
from scripts.report.fmt import figure

ATTRIBUTION = (
    "Contains public sector information from data.police.uk licensed under the Open Government Licence v3.0. "
    "Populations: Office for National Statistics mid-2023 estimates, licensed under the Open Government Licence "
    "v.3.0; contains OS data © Crown copyright and database right."
)


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
    tables = connection.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = 'police_uk_force_context'"
    ).fetchone()[0]
    if not tables:
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
    return "–" if value is None else f"{value * 100:.1f}%"


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
    England and Wales, with coverage; its rank; its crime mix against theirs."""
    force = context.force
    rolling = context.rolling if context.rolling and context.rolling["is_complete"] else None
    name = escape(force["force_name"])
    parts = [
        f"<section class='pillar' id='national-context'><h2>{escape(heading)}</h2>",
        f"<p class='meta'>Recorded crime published on data.police.uk for {context.month:%B %Y} (anti-social behaviour "
        "apart; every published row is one record). Rates per 1,000 residents use ONS mid-2023 populations for every "
        "month. Regional and England and Wales figures include only the force areas with complete data, as stated.</p>",
    ]
    if not force["is_force_area"]:
        parts.append(
            f"<p class='empty'>{name} is not a police force area of England and Wales: counts only, no rate, rank or region.</p>"
        )
    if not force["is_complete"]:
        parts.append(f"<p class='flag'>Incomplete: {escape(force['incomplete_reason'] or '')}</p>")
    header = (
        "<tr><th class='name'></th><th>Crimes, month</th><th>Per 1,000, month</th><th>Crimes, rolling 12 months</th>"
        "<th>Per 1,000, rolling 12 months</th><th>Coverage</th></tr>"
    )
    body = [
        f"<tr><td class='name'>{name}</td><td data-national='force-crimes'>{figure(force['crimes'], 'count')}</td>"
        f"<td data-national='force-rate'>{figure(force['crimes_per_1000'], 'per_1000')}</td>"
        f"<td>{figure(rolling and rolling['crimes'], 'count')}</td>"
        f"<td>{figure(rolling and rolling['crimes_per_1000'], 'per_1000')}</td>"
        f"<td>{'complete' if force['is_complete'] else 'incomplete'}</td></tr>"
    ]
    for label, row, row_rolling, key in (
        (force["region_name"] or "Region", context.region, context.region_rolling, "region"),
        ("England and Wales", context.country, context.country_rolling, "country"),
    ):
        if row is None:
            continue
        body.append(
            f"<tr><td class='name'>{escape(label)}</td><td>{figure(row['crimes'], 'count')}</td>"
            f"<td data-national='{key}-rate'>{figure(row['crimes_per_1000'], 'per_1000')}</td>"
            f"<td>{figure(row_rolling and row_rolling['crimes'], 'count')}</td>"
            f"<td>{figure(row_rolling and row_rolling['crimes_per_1000'], 'per_1000')}</td>"
            f"<td data-national='{key}-coverage'>{escape(_coverage(row))}</td></tr>"
        )
    parts.append(f"<table>{header}{''.join(body)}</table>")
    if force["rank_by_rate"] is not None:
        parts.append(
            f"<p data-national='rank'>{name} had the {_ordinal(force['rank_by_rate'])} highest crime rate per 1,000 of "
            f"{force['ranked_forces']} force areas with complete data for {context.month:%B %Y} (of 43 in England "
            f"and Wales).</p>"
        )
    if force["change_on_last_year"] is not None:
        parts.append(
            f"<p>Against {context.month.replace(year=context.month.year - 1):%B %Y}: "
            f"{force['change_on_last_year'] * 100:+.1f}% ({figure(force['crimes_same_period_last_year'], 'count')}).</p>"
        )
    mix_rows = "".join(
        f"<tr><td class='name'>{escape(row['category'])}</td><td>{figure(row['crimes'], 'count')}</td>"
        f"<td>{_share(row['share_of_force'])}</td><td>{_share(row['share_in_region'])}</td>"
        f"<td>{_share(row['share_in_england_and_wales'])}</td></tr>"
        for row in context.mix
    )
    parts.append(
        "<h3>Crime mix</h3><table><tr><th class='name'>Crime type</th><th>Crimes</th><th>Share, force</th>"
        f"<th>Share, region ({escape(_coverage(context.region, named=False))})</th>"
        f"<th>Share, England and Wales ({escape(_coverage(context.country, named=False))})</th></tr>{mix_rows}</table>"
    )
    parts.append(f"<p class='meta'>{escape(ATTRIBUTION)}</p></section>")
    return "".join(parts)


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
        f"<section class='pillar' id='national-context'><h2>National context (data.police.uk)</h2>"
        f"<p class='empty'>No data.police.uk month at or before {month:%B %Y} is loaded for {escape(force_slug)} "
        f"(the latest is {loaded:%B %Y}); open the pack of a later month for the national context.</p></section>",
    )


def render_public_pack(pack: PublicPack, style: str) -> str:
    """A whole page for one force from data.police.uk alone: crime by type with trends, districts,
    national context and the data-quality notes of its files."""
    context = pack.context
    name = escape(context.force["force_name"])
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{name}: data.police.uk pack {context.month:%B %Y}</title><style>{style}</style></head><body>",
        f"<h1>{name}: public data pack, {context.month:%B %Y}</h1>",
        "<p class='meta'>Built from the street-level files published on data.police.uk (not the force's own extracts). "
        "Words compare with the same month a year earlier and are only given when both months are loaded and complete.</p>",
        "<section class='pillar' id='crime-by-type'><h2>Crime by type</h2><table><tr><th class='name'>Crime type</th>"
        "<th>Month</th><th>Same month last year</th><th>v last year</th></tr>",
    ]
    for row in pack.types:
        word = row["vs_last_year"] or "–"
        parts.append(
            f"<tr><td class='name'>{escape(row['name'])}</td>"
            f"<td data-measure='{escape(row['measure_id'])}' data-value='{'' if row['value'] is None else row['value']}'>"
            f"{figure(row['value'], 'count')}</td><td>{figure(row['same_month_last_year'], 'count')}</td>"
            f"<td class='{escape(word)}'>{escape(word)}</td></tr>"
        )
    parts.append("</table><div class='charts'>")
    for row in pack.types:
        series = pack.trends.get(row["measure_id"], [])
        parts.append(
            f"<div class='chart'><h3>{escape(row['name'])}</h3>"
            f"{charts.trend(series, 'count', row['name'])}{charts.trend_legend(series)}</div>"
        )
    parts.append(
        "</div></section><section class='pillar' id='districts'><h2>Districts</h2><table>"
        "<tr><th class='name'>District or bucket</th><th>Crimes</th><th>Per 1,000</th><th>v last year</th></tr>"
    )
    for row in pack.districts:
        parts.append(
            f"<tr><td class='name'>{escape(row['district'])}</td><td>{figure(row['crimes'], 'count')}</td>"
            f"<td>{figure(row['crimes_per_1000'], 'per_1000')}</td><td>{escape(row['vs_last_year'] or '–')}</td></tr>"
        )
    parts.append("</table>")
    parts.append(
        charts.bars(
            [(row["district"], row["crimes_per_1000"]) for row in pack.districts], "per_1000", "Crimes per 1,000 residents"
        )
    )
    parts.append("</section>")
    parts.append(render_section(context))
    parts.append(
        "<section class='pillar' id='data-quality'><h2>Data quality of the files</h2><table><tr><th class='name'>Month</th>"
        "<th>Rows</th><th>Complete</th><th>No location</th><th>Unknown LSOA</th><th>Outside force area</th>"
        "<th>No crime ID</th><th>ID on several rows</th><th>ID reused across months</th></tr>"
    )
    for row in pack.quality:
        parts.append(
            f"<tr><td class='name'>{row['month']}</td><td>{figure(row['rows_loaded'], 'count')}</td>"
            f"<td>{'yes' if row['is_complete'] else escape(row['incomplete_reason'] or 'no')}</td>"
            + "".join(
                f"<td>{_share(row[key])}</td>"
                for key in (
                    "no_location_share",
                    "unknown_lsoa_share",
                    "outside_force_area_share",
                    "missing_crime_id_share",
                    "repeated_crime_id_share",
                    "reused_crime_id_share",
                )
            )
            + "</tr>"
        )
    parts.append("</table></section></body></html>")
    return "\n".join(parts)
