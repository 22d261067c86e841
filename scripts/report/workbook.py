"""The pack as an Excel workbook for analysts (openpyxl): the month's headlines, the board table of
each pillar as numbers with formats (never text), the commentary and the measure catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from scripts.report.data import PILLARS, PackData

# Excel number formats by the measure's unit (rates are stored as fractions, shown as per cent).
NUMBER_FORMATS = {"rate": "0.0%", "minutes": "0.0", "per_1000": "0.00", "count": "#,##0"}
COUNT_FORMAT = "#,##0"
# A change by the measure's unit: its format (signed) and the factor its value is written with. A
# change in a rate is in percentage points (0.039 is written 3.9 and shows "+3.9 pts", never "+3.9%",
# which would read as a relative change).
CHANGE_FORMATS = {"rate": ('0.0" pts"', 100), "minutes": ('0.0" min"', 1), "per_1000": ("0.00", 1), "count": ("#,##0", 1)}
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
# The board table's columns: (column of marts.rpt_board_tables, heading, kind): kind 'value' takes
# the measure's format, 'change' its change format (CHANGE_FORMATS), 'n' a count format, 'word' stays text.
BOARD_COLUMNS = (
    ("measure_id", "Measure id", "text"),
    ("measure_name", "Measure", "text"),
    ("unit", "Unit", "text"),
    ("current_month", "Current month", "value"),
    ("current_month_n", "Current month n", "n"),
    ("previous_month", "Previous month", "value"),
    ("change_on_1y_ago", "Change on same month 1 year ago (points for a rate)", "change"),
    ("same_month_1y_ago", "Same month 1 year ago", "value"),
    ("same_month_2y_ago", "Same month 2 years ago", "value"),
    ("same_month_3y_ago", "Same month 3 years ago", "value"),
    ("current_month_vs_3y_avg", "Current month v 3-year average", "word"),
    ("rolling_12_months", "Rolling 12 months", "value"),
    ("rolling_12_months_n", "Rolling 12 months n", "n"),
    ("rolling_12m_vs_3y_avg", "Rolling 12 months v 3-year average", "word"),
    ("baseline", "Baseline: rolling 12 months to the March before", "value"),
    ("performance_vs_benchmark", "Rolling 12 months v baseline", "word"),
    ("has_low_sample", "Low sample", "text"),
)
HEADLINE_COLUMNS = (
    ("headline_rank", "Rank"),
    ("sentence", "Headline"),
    ("measure_id", "Measure id"),
    ("geography", "Geography"),
    ("rule_id", "Rule"),
)
COMMENTARY_COLUMNS = (
    ("measure_id", "Measure id"),
    ("geography_level", "Level"),
    ("geography", "Geography"),
    ("period_window", "Window"),
    ("rule_id", "Rule"),
    ("sentence", "Sentence"),
)


def write_workbook(data: PackData, catalogue: list[dict[str, Any]], commentary: list[dict[str, Any]], target: Path) -> Path:
    """Write the workbook; returns its path."""
    book = Workbook()
    headlines = book.active
    headlines.title = "Headlines"
    _table(headlines, [title for _, title in HEADLINE_COLUMNS], [[row[c] for c, _ in HEADLINE_COLUMNS] for row in data.headlines])
    headlines.column_dimensions["B"].width = 120
    for pillar in PILLARS:
        sheet = book.create_sheet(pillar.capitalize())
        board = [row for row in data.board if row["pillar"] == pillar]
        _table(sheet, [title for _, title, _ in BOARD_COLUMNS], [[row[c] for c, _, _ in BOARD_COLUMNS] for row in board])
        for offset, row in enumerate(board, start=2):
            for index, (_, _, kind) in enumerate(BOARD_COLUMNS, start=1):
                if kind == "value":
                    sheet.cell(offset, index).number_format = NUMBER_FORMATS.get(row["unit"], COUNT_FORMAT)
                elif kind == "change":
                    shown, factor = CHANGE_FORMATS.get(row["unit"], (COUNT_FORMAT, 1))
                    cell = sheet.cell(offset, index)
                    cell.value = None if cell.value is None else cell.value * factor
                    cell.number_format = f"+{shown};-{shown};{shown}"
                elif kind == "n":
                    sheet.cell(offset, index).number_format = COUNT_FORMAT
        sheet.column_dimensions["B"].width = 60
    notes = book.create_sheet("Commentary")
    _table(notes, [title for _, title in COMMENTARY_COLUMNS], [[row[c] for c, _ in COMMENTARY_COLUMNS] for row in commentary])
    notes.column_dimensions["F"].width = 120
    measures = book.create_sheet("Measures")
    names = list(catalogue[0]) if catalogue else []
    _table(measures, names, [[row[name] for name in names] for row in catalogue])
    book.properties.title = f"{data.force}: performance pack, {data.month:%B %Y}"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    book.save(partial)
    partial.replace(target)
    return target


def _table(sheet: Worksheet, headings: list[str], rows: list[list[Any]]) -> None:
    """A header row (frozen, filtered) and the rows, values as they are (numbers stay numbers)."""
    sheet.append(headings)
    for cell in sheet[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    for index, heading in enumerate(headings, start=1):
        letter = sheet.cell(1, index).column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(heading) + 2))
