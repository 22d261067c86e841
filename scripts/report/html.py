"""The pack as one self-contained HTML page: styles inline, charts as inline SVG, no scripts.
Laid out by the Jinja2 template templates/pack.html (autoescaped: every text is escaped; only the
charts, drawn and escaped by scripts/report/charts.py, and the sections passed in go in as they are)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from scripts.report import charts
from scripts.report.data import PILLARS, PackData
from scripts.report.fmt import DASH, difference, figure, with_n

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
    (
        "Significant",
        "A change larger than chance alone would often make: its test finds less than a 1 in 20 chance "
        "of a change this large if nothing had really changed. Words: Improved or Deteriorated for a measure with a "
        "better direction, Higher or Lower for one without (recorded crime, incidents and calls, where a rise can mean "
        "more reporting or better recording as much as more harm), Comparable when the change is not significant.",
    ),
    ("Low sample", "Too few cases (victims surveyed, crimes, incidents) to compare; the figure is shown but no word."),
    ("n", "The number of cases a rate or a median rests on."),
    ("Rolling 12 months", "The 12 months ending with the month shown, which smooths out seasonal and one-off swings."),
    ("Baseline", "The rolling 12 months to the March before the month (the last financial year end); the year's benchmark."),
    ("Strategic measure", "A measure the Police and Crime Plan judges its pillar on; each pillar opens with them."),
    (
        "Control chart",
        "A month-by-month chart with a centre line (the usual level) and limits within which the "
        "months of a stable process fall. Counts and medians use an XmR chart (limits from how much one month differs "
        "from the next); rates use a Laney chart (the same, with limits that widen in a month with few cases).",
    ),
    (
        "Control limits (three sigma) and two-sigma lines",
        "The outer lines of a control chart and the lines two thirds of "
        "the way to them. A month beyond the limits, two of three beyond the two-sigma lines, seven in a row on one side "
        "of the centre line or seven rising or falling in a row, is a signal: special cause.",
    ),
    (
        "Common cause, special cause",
        "Common cause: the ordinary month-to-month variation of a stable process. Special "
        "cause: a signal that something has changed, marked improvement or concern (or neither, for a measure without a "
        "better direction).",
    ),
    (
        "Re-base",
        "A new start for a chart's centre line and limits after a known change (COVID-19, a new grading "
        "policy), so later months are judged against the new normal.",
    ),
    (
        "Prosecution possible outcome rate",
        "Crimes given an outcome that brought an offender to justice (charge or "
        "summons, caution, offence taken into consideration, penalty notice, cannabis or khat warning, community "
        "resolution) in the period, over the crimes recorded in it; it can pass 100%.",
    ),
    (
        "Crime data integrity (CDI) compliance",
        "From an audit of incidents: the crimes correctly recorded out of the crimes that should have been recorded.",
    ),
)
WORDS = {"current_month_vs_3y_avg", "rolling_12m_vs_3y_avg", "performance_vs_benchmark"}
MONTH_WORDS = {"current_month_vs_3y_avg"}  # the others are words on the rolling 12 months
# a change column and the two figures it is the difference of (as printed: fmt.difference)
CHANGES = {"change_on_1y_ago": ("current_month", "same_month_1y_ago")}
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
        footer=Markup(
            css_string(
                f"{data.force}: performance pack, {month:%B %Y}"
                + (f", release {data.release['version']}" if data.release else "")
            )
        ),
        release=data.release,
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
                "text": warning_text(w, data.extents[i] if data.extents else None, month),
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
    found = (
        "none failed"
        if not blocking and not warnings
        else f"{'none' if not blocking else blocking} of those that stop publication failed"
        + (
            f", and {warnings} {'warning was' if warnings == 1 else 'warnings were'} raised (listed below; a "
            "warning never stops publication)"
            if warnings
            else ""
        )
    )
    return (
        f"These figures passed the warehouse's {run['checks']} data-quality checks on "
        f"{run['validated_at']:%d %B %Y at %H:%M}, before they were published: {found}."
    )


def warning_text(warning: dict[str, Any], extent: dict[str, Any] | None, month: Any) -> str:
    """A failed check in a board member's words: what its rows are (the check's in_words), and how
    many of which records in which months up to the pack's (its extent: see data.warning_extent),
    else how many rows the gate found. No file, table or column names."""
    what = warning.get("in_words") or warning["description"]
    what = what[:1].upper() + what[1:]
    if extent:
        found = [
            f"{e['found']:,.0f} of {e['loaded']:,.0f} {records_of(e['source'])} ({share(e['found'], e['loaded'])})"
            for e in extent["sources"]
            if e["found"]
        ]
        if not found:
            return f"{what}: none in the months to {month:%B %Y}."
        return f"{what}: {joined(found)}, in {extent['months_found']} of the {extent['months']} months to {month:%B %Y}."
    sources = [source.strip() for source in (warning.get("where_failed") or "").split(";") if source.strip()]
    try:
        counts = json.loads(str(warning.get("observed_value") or ""))
    except ValueError:
        counts = None
    if isinstance(counts, list) and len(counts) == len(sources) and all(isinstance(c, int | float) for c in counts):
        found = [f"{count:,.0f} {records_of(source)}" for count, source in zip(counts, sources, strict=True)]
    else:
        found = [records_of(source) for source in sources]
    return f"{what}: {joined(found)}." if found else f"{what}."


def records_of(source: str) -> str:
    """ "crime_outcomes" -> "crime outcome records" (an extract's rows in words)."""
    words = source.replace("_", " ").split()
    if words and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join([*words, "records"])


def share(part: float, whole: float) -> str:
    """ "0.6%", or "under 0.1%" for a share that would print as 0.0%."""
    value = part / whole if whole else 0.0
    return "under 0.1%" if 0 < value < 0.0005 else f"{value:.1%}"


def joined(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


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
        text = difference(*(row[c] for c in CHANGES[column]), row["unit"]) if column in CHANGES else figure(value, row["unit"])
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
