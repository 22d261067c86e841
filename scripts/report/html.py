"""The pack as one self-contained HTML page: styles inline, charts as inline SVG, no scripts.
Laid out by the Jinja2 template templates/pack.html (autoescaped: every text is escaped; only the
charts, drawn and escaped by scripts/report/charts.py, and the sections passed in go in as they are)."""

from __future__ import annotations

import json
from pathlib import Path
from datetime import date
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from scripts.report import charts
from scripts.report.data import PILLARS, PackData
from scripts.report.fmt import DASH, change, figure, with_n

TEMPLATES = Path(__file__).parent / "templates"
STYLE = (TEMPLATES / "pack.css").read_text(encoding="utf-8")
ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), keep_trailing_newline=True)
COLUMNS = (
    ("current_month", "Current month"),
    ("previous_month", "Previous month"),
    ("change_on_1y_ago", "Change on {y1}"),
    ("same_month_1y_ago", "{y1}"),
    ("same_month_2y_ago", "{y2}"),
    ("same_month_3y_ago", "{y3}"),
    ("current_month_vs_3y_avg", "Month v 3yr avg"),
    ("rolling_12_months", "Rolling 12 months"),
    ("rolling_12m_vs_3y_avg", "Rolling 12 v 3yr avg"),
    ("baseline", "Baseline: 12 months to {baseline}"),
    ("performance_vs_benchmark", "Rolling 12 v baseline"),
)
# The few technical terms the pack keeps, in plain words (the glossary closes the pack).
GLOSSARY = (
    ("Significant", "A change larger than chance alone would often make: its test finds less than a 1 in 20 chance "
     "of a change this large if nothing had really changed. Words: Improved or Deteriorated for a measure with a "
     "better direction, Higher or Lower for one without (recorded crime, incidents and calls, where a rise can mean "
     "more reporting or better recording as much as more harm), Comparable when the change is not significant."),
    ("Low sample", "Too few cases (victims surveyed, crimes, incidents) to compare; the figure is shown but no word."),
    ("n", "The number of cases a rate or a median rests on."),
    ("Rolling 12 months", "The 12 months ending with the month shown, which smooths out seasonal and one-off swings."),
    ("Baseline", "The rolling 12 months to the March before the month (the last financial year end); the year's benchmark."),
    ("Strategic measure", "A measure the Police and Crime Plan judges its pillar on; each pillar opens with them."),
    ("Control chart", "A month-by-month chart with a centre line (the usual level) and limits within which the "
     "months of a stable process fall. Counts and medians use an XmR chart (limits from how much one month differs "
     "from the next); rates use a Laney chart (the same, with limits that widen in a month with few cases)."),
    ("Control limits (three sigma) and two-sigma lines", "The outer lines of a control chart and the lines two thirds of "
     "the way to them. A month beyond the limits, two of three beyond the two-sigma lines, seven in a row on one side "
     "of the centre line or seven rising or falling in a row, is a signal: special cause."),
    ("Common cause, special cause", "Common cause: the ordinary month-to-month variation of a stable process. Special "
     "cause: a signal that something has changed, marked improvement or concern (or neither, for a measure without a "
     "better direction)."),
    ("Re-base", "A new start for a chart's centre line and limits after a known change (COVID-19, a new grading "
     "policy), so later months are judged against the new normal."),
    ("Prosecution possible outcome rate", "Crimes given an outcome that brought an offender to justice (charge or "
     "summons, caution, offence taken into consideration, penalty notice, cannabis or khat warning, community "
     "resolution) in the period, over the crimes recorded in it; it can pass 100%."),
    ("Crime data integrity (CDI) compliance", "From an audit of incidents: the crimes correctly recorded out of the "
     "crimes that should have been recorded."),
)
WORDS = {"current_month_vs_3y_avg", "rolling_12m_vs_3y_avg", "performance_vs_benchmark"}
MONTH_WORDS = {"current_month_vs_3y_avg"}  # the others are words on the rolling 12 months
CHANGES = {"change_on_1y_ago"}
N_OF = {"current_month": "current_month_n", "rolling_12_months": "rolling_12_months_n"}


def render(
    data: PackData,
    names: dict[str, str],
    as_at: str | None = None,
    extra_sections: tuple[str, ...] = (),
) -> str:
    month = data.month
    # "Dec-18" with a non-breaking hyphen: a narrow column wraps between words, never inside the month
    labels = {f"y{years}": f"{month.replace(year=month.year - years):%b\u2011%y}" for years in (1, 2, 3)}
    # the benchmark: the rolling 12 months to the March before the month (the year end)
    labels["baseline"] = f"{date(month.year - (1 if month.month <= 3 else 0), 3, 1):%b\u2011%y}"
    cdi = next((row for row in data.board if row["measure_id"] == "cdi_compliance"), None)
    names_of = {row["measure_id"]: row["measure_name"] for row in data.board}
    pillars = [
        {
            "id": pillar,
            "title": pillar.capitalize(),
            "rows": [_row(row, data.warned_measures) for row in data.board if row["pillar"] == pillar],
            "charts": [_chart(data, measure, names.get(measure, measure)) for measure in (data.charted or {}).get(pillar, [])],
            "key": Markup(charts.trend_key()),
        }
        for pillar in PILLARS
    ]
    return ENVIRONMENT.get_template("pack.html").render(
        style=Markup(STYLE),
        month_name=f"{month:%B %Y}",
        footer=Markup(css_string(f"{data.force}: performance pack, {month:%B %Y}")),
        force=data.force,
        as_at=as_at,
        extracts=data.extracts,
        run=gate_summary(data.run),
        cdi={
            "month": with_n(cdi["current_month"], "rate", cdi["current_month_n"]),
            "rolling": figure(cdi["rolling_12_months"], "rate"),
        }
        if cdi
        else None,
        low_samples=sum(1 for row in data.board if row["has_low_sample"]),
        figures=len(data.board),
        warnings=[
            {
                "severity": w["severity"],
                "text": warning_text(w),
                "this_month": month_text(data.warned_measures[i], month, names_of),
            }
            for i, w in enumerate(data.warnings)
        ],
        column_titles=[title.format(**labels) for _, title in COLUMNS],
        headlines=data.headlines,
        pillars=pillars,
        glossary=GLOSSARY,
        extra_sections=[Markup(section) for section in extra_sections],
    )


def gate_summary(run: dict[str, Any] | None) -> str | None:
    """The gate run behind the figures in plain words: when it ran and what it found."""
    if not run:
        return None
    blocking, warnings = run["blocking_failures"], run["warnings"]
    return (
        f"These figures passed the quality gate on {run['validated_at']:%d %B %Y at %H:%M}, the run that published them: "
        f"{run['checks']} checks, {'no' if not blocking else blocking} blocking "
        f"{'failure' if blocking == 1 else 'failures'}, {'no' if not warnings else warnings} "
        f"{'warning' if warnings == 1 else 'warnings'}."
    )


def warning_text(warning: dict[str, Any]) -> str:
    """A failed check in plain words: what it checks and how many rows of which extracts it found
    (the gate stores the counts as a list beside the extracts they belong to)."""
    sources = [source.strip() for source in (warning.get("where_failed") or "").split(";") if source.strip()]
    try:
        counts = json.loads(str(warning.get("observed_value") or ""))
    except ValueError:
        counts = None
    if isinstance(counts, list) and len(counts) == len(sources) and all(isinstance(c, int | float) for c in counts):
        found = [rows_of(count, source) for count, source in zip(counts, sources, strict=True)]
    else:
        found = [source.replace("_", " ") for source in sources]
    where = (
        f" Found in {', '.join(found[:-1])} and {found[-1]}." if len(found) > 1 else (f" Found in {found[0]}." if found else "")
    )
    return f"{warning['description']}{where}"


def rows_of(count: float, source: str) -> str:
    """ "1 row of calls", "1,936 rows of crime outcomes"."""
    return f"{count:,.0f} {'row' if count == 1 else 'rows'} of {source.replace('_', ' ')}"


def month_text(touched: dict[str, int | None], month: Any, names_of: dict[str, str]) -> str:
    """What a warning touches among the pack's figures in its month, in words: each measure with
    the rows touching it (the measures not counted by month listed apart)."""
    shown = {measure: rows for measure, rows in touched.items() if measure in names_of}
    if not shown:
        return f"It touches no figure of {month:%B %Y}."
    counted = [
        f"{names_of[measure]}: {rows:,} {'row' if rows == 1 else 'rows'}" for measure, rows in shown.items() if rows is not None
    ]
    uncounted = [names_of[measure] for measure, rows in shown.items() if rows is None]
    parts = counted + ([f"{', '.join(uncounted)} (not counted by month)"] if uncounted else [])
    return f"In {month:%B %Y} it touches {len(shown)} {'figure' if len(shown) == 1 else 'figures'}: {'; '.join(parts)}."


def css_string(text: str) -> str:
    """Text for the inside of a double-quoted CSS string (the print footer), markup-safe: quotes and
    backslashes escaped, and < > & written as CSS escapes so no tag can close the style element."""
    escaped = []
    for character in text:
        if character in '\\"<>&' or ord(character) < 32:
            escaped.append(f"\\{ord(character):x} ")
        else:
            escaped.append(character)
    return "".join(escaped)


def _row(row: dict[str, Any], warned: list[dict[str, int | None]]) -> dict[str, Any]:
    cells = []
    for column, _ in COLUMNS:
        value = row[column]
        if column in WORDS:  # no word (null) when there is nothing to compare with
            # a row on too small a sample is not compared: "Comparable" would claim a test was made
            low = row.get("is_current_month_low_sample" if column in MONTH_WORDS else "is_rolling_12_months_low_sample")
            shown = "Low sample" if value == "Comparable" and low else value or DASH
            cells.append({"column": column, "word": shown})
            continue
        n = row[N_OF[column]] if column in N_OF else None
        text = change(value, row["unit"]) if column in CHANGES else figure(value, row["unit"])
        n_text = with_n(value, row["unit"], n)[len(text) :].strip() if n is not None and column not in CHANGES else ""
        cells.append({"column": column, "value": "" if value is None else value, "text": text, "n": n_text})
    return {
        "id": row["measure_id"],
        "name": row["measure_name"],
        # the footnotes (numbered as the panel lists the warnings) of the warnings touching the
        # measure's figure in the month
        "warned": [number for number, measures in enumerate(warned, start=1) if row["measure_id"] in measures],
        "low_sample": row["has_low_sample"],
        "strategic": row.get("is_strategic", False),
        "cells": cells,
    }


def _chart(data: PackData, measure: str, name: str) -> dict[str, Any]:
    unit = next((row["unit"] for row in data.board if row["measure_id"] == measure), "count")
    series = data.trends.get(measure, [])
    return {
        "id": measure,
        "name": name,
        "trend": Markup(charts.trend(series, unit, name)),
        "legend": Markup(charts.trend_legend(series)),
        "split": Markup(charts.split_bars(data.splits.get(measure, []), unit, name)),
        "commentary": data.commentary.get(measure, []),
    }
