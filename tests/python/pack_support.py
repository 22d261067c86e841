"""What the pack's tests share: the published warehouse, a known month, and board rows to render."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pytest

from scripts.settings import published_dir, warehouse_path

PUBLISHED = published_dir() / "warehouse.duckdb"


WAREHOUSE = warehouse_path()


KNOWN_MONTH = "2020-08"


needs_warehouse = pytest.mark.skipif(
    not PUBLISHED.exists() and not os.environ.get("CI"), reason="no published warehouse: run `make run` (make test does)"
)


def board_row(**changes: Any) -> dict[str, Any]:
    """A row of marts.rpt_board_tables for the template tests."""
    row = {
        "pillar": "victims",
        "measure_id": "x",
        "measure_name": "A measure",
        "unit": "count",
        "has_low_sample": False,
        "current_month": 3.0,
        "current_month_n": None,
        "previous_month": 2.0,
        "change_on_1y_ago": None,
        "same_month_1y_ago": None,
        "same_month_2y_ago": None,
        "same_month_3y_ago": None,
        "current_month_vs_3y_avg": "Higher",
        "rolling_12_months": 10.0,
        "rolling_12_months_n": None,
        "rolling_12m_vs_3y_avg": None,
        "baseline": None,
        "performance_vs_benchmark": None,
    }
    return {**row, **changes}


def render_rows(
    rows: list[dict[str, Any]],
    warnings: list[dict[str, Any]] = (),
    force: str = "Force",
    touched: list[dict[str, int | None]] | None = None,
) -> str:
    """The pack of a month with these board rows and warnings; each warning touches the measures
    given (by default none)."""
    from scripts.report import html
    from scripts.report.data import PackData

    touched = touched if touched is not None else [{} for _ in warnings]
    pack = PackData(date(2020, 8, 1), force, rows, {}, {}, list(warnings), None, touched, [], {})
    return html.render(pack, {})
