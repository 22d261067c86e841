"""The pack as one self-contained HTML page: styles inline, charts as inline SVG, no scripts."""

from __future__ import annotations

from html import escape
from typing import Any

from scripts.report import charts
from scripts.report.data import PILLARS, PackData
from scripts.report.fmt import DASH, figure, with_n

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1d2733; margin: 24px auto; max-width: 1120px; font-size: 13px; }
h1 { font-size: 22px; margin-bottom: 2px; } h2 { font-size: 18px; border-bottom: 2px solid #1f4e79; padding-bottom: 4px; margin-top: 28px; }
h3 { font-size: 14px; margin: 14px 0 4px; } .meta { color: #56606b; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; }
th, td { border: 1px solid #c9d1d9; padding: 4px 6px; text-align: right; vertical-align: top; }
th { background: #1f4e79; color: white; font-weight: 600; } td.name, th.name { text-align: left; }
td.Improved, td.Higher { background: #e3f2e1; } td.Deteriorated, td.Lower { background: #fbe3e1; }
td.low { color: #8a6d00; } .flag { color: #b35c00; font-weight: bold; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 10px 24px; }
.chart { break-inside: avoid; } svg { width: 100%; height: auto; }
.series { fill: none; stroke: #56606b; stroke-width: 1.5; } .common_cause, .unassessed { fill: #768692; }
.improvement { fill: #0072ce; } .concern { fill: #ed8b00; } .neither { fill: #6b2c91; }
.limit { stroke: #56606b; stroke-dasharray: 4 3; } .sigma { stroke: #9aa4ad; stroke-dasharray: 1 3; } .mean { stroke: #56606b; }
.axis, .label, .value { font-size: 10px; fill: #56606b; } .legend { font-size: 11px; color: #56606b; } .key { white-space: nowrap; margin-right: 8px; } .key svg { width: 10px; height: 10px; }
.bar { fill: #5b8db8; } .empty { color: #8a6d00; } .panel { background: #f6f8fa; border: 1px solid #c9d1d9; padding: 8px 12px; }
section.pillar { page-break-before: always; break-before: page; }
@media print { body { margin: 0; max-width: none; font-size: 10px; } .charts { grid-template-columns: 1fr 1fr; } }
"""
COLUMNS = (
    ("current_month", "Current month"),
    ("same_month_1y_ago", "{y1}"),
    ("same_month_2y_ago", "{y2}"),
    ("same_month_3y_ago", "{y3}"),
    ("current_month_vs_3y_avg", "Current v 3yr avg"),
    ("rolling_12_months", "Rolling 12 months"),
    ("baseline", "Baseline (year end)"),
    ("performance_vs_benchmark", "Perf v benchmark"),
)
WORDS = {"current_month_vs_3y_avg", "performance_vs_benchmark"}


def render(
    data: PackData,
    headlines: dict[str, list[str]],
    names: dict[str, str],
    as_at: str | None = None,
    extra_sections: tuple[str, ...] = (),
) -> str:
    month = data.month
    labels = {
        "y1": f"{month.replace(year=month.year - 1):%b-%y}",
        "y2": f"{month.replace(year=month.year - 2):%b-%y}",
        "y3": f"{month.replace(year=month.year - 3):%b-%y}",
    }
    # where_failed lists "source [month]; source [month]; ..." for the rows that failed
    warned_sources = {part.split()[0] for w in data.warnings for part in (w["where_failed"] or "").split(";") if part.strip()}
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Performance pack {month:%B %Y}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(data.force)}: performance pack, {month:%B %Y}</h1>",
        "<p class='meta'>Police and Crime Plan measures for the month, the same month in the three previous years, the rolling 12 "
        "months and the year-end baseline. Words are Comparable unless the difference is statistically significant (– when there is "
        "nothing to compare with); figures on "
        "too small a sample are marked <span class='flag'>low sample</span>. <span class='flag'>†</span> marks figures whose "
        "extract carries a data-quality warning (see the panel). Built from SYNTHETIC sample data.</p>",
        (
            f"<p class='meta as-at'>As at {escape(as_at)}: the figures as they stood on that extract date (rebuilt by "
            "<code>make as-at</code>); later extracts and outcomes may have changed them since.</p>"
            if as_at
            else ""
        ),
        _quality_panel(data),
    ]
    for pillar in PILLARS:
        rows = [row for row in data.board if row["pillar"] == pillar]
        parts.append(f"<section class='pillar' id='{pillar}'><h2>{pillar.capitalize()}</h2>")
        parts.append(_table(rows, labels, warned_sources, data.extract_of))
        parts.append("<div class='charts'>")
        for measure in headlines.get(pillar, []):
            parts.append(_charts(data, measure, names.get(measure, measure), _unit(data, measure)))
        parts.append("</div></section>")
    parts.extend(extra_sections)
    parts.append("</body></html>")
    return "\n".join(parts)


def _unit(data: PackData, measure: str) -> str:
    return next((row["unit"] for row in data.board if row["measure_id"] == measure), "count")


def _table(rows: list[dict[str, Any]], labels: dict[str, str], warned: set[str], extract_of: dict[str, str]) -> str:
    header = "".join(f"<th>{escape(title.format(**labels))}</th>" for _, title in COLUMNS)
    body = []
    for row in rows:
        flag = (
            " <span class='flag' title='data-quality warning on this extract'>†</span>"
            if extract_of.get(row["measure_id"]) in warned
            else ""
        )
        low = " <span class='flag'>low sample</span>" if row["has_low_sample"] else ""
        cells = [f"<td class='name'>{escape(row['measure_name'])}{flag}{low}</td>"]
        for column, _ in COLUMNS:
            value = row[column]
            if column in WORDS:  # no word (null) when there is nothing to compare with
                word = value or DASH
                cells.append(
                    f"<td class='{escape(word)}' data-measure='{row['measure_id']}' data-column='{column}'>{escape(word)}</td>"
                )
                continue
            n = (
                row["current_month_n"]
                if column == "current_month"
                else row["rolling_12_months_n"]
                if column == "rolling_12_months"
                else None
            )
            text = with_n(value, row["unit"], n) if n is not None else figure(value, row["unit"])
            cells.append(
                f"<td data-measure='{row['measure_id']}' data-column='{column}' data-value='{'' if value is None else value}'>{escape(text)}</td>"
            )
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr><th class='name'>Measure</th>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _charts(data: PackData, measure: str, name: str, unit: str) -> str:
    series = data.trends.get(measure, [])
    trend = charts.trend(series, unit, name)
    split = charts.bars([(geography, value) for _, geography, value in data.splits.get(measure, [])], unit, name)
    return (
        f"<div class='chart' data-measure='{measure}'><h3>{escape(name)}</h3>{trend}{charts.trend_legend(series)}"
        f"<p class='meta'>Rolling 12 months by area and district:</p>{split}</div>"
    )


def _quality_panel(data: PackData) -> str:
    run = data.run
    cdi = next((row for row in data.board if row["measure_id"] == "cdi_compliance"), None)
    low = sum(1 for row in data.board if row["has_low_sample"])
    lines = ["<div class='panel' id='data-quality'><h3>Data quality</h3><ul>"]
    if run:
        lines.append(
            f"<li>Quality gate run {escape(str(run['run_id']))}: {run['checks']} checks, {run['blocking_failures']} blocking failures, "
            f"{run['warnings']} warnings.</li>"
        )
    if cdi:
        lines.append(
            f"<li>Crime data integrity compliance: {escape(with_n(cdi['current_month'], 'rate', cdi['current_month_n']))} this month, "
            f"{escape(figure(cdi['rolling_12_months'], 'rate'))} over 12 months.</li>"
        )
    lines.append(f"<li>Figures on a low sample this month: {low}.</li>")
    for warning in data.warnings:
        lines.append(
            f"<li><span class='flag'>†</span> {escape(warning['severity'])}: {escape(warning['description'])} "
            f"(observed {escape(str(warning['observed_value']))}; {escape(warning['where_failed'] or '')})</li>"
        )
    lines.append("</ul></div>")
    return "".join(lines)
