"""Run checks with Great Expectations (pandas batches) and write its Data Docs."""

from __future__ import annotations

import json
import operator
import os
import shutil
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import Any

import pandas as pd

from scripts.gate.carry import Carry
from scripts.gate.datasets import DATASETS
from scripts.gate.suites import Check

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.row_conditions import Column

CHANGED_MONTHS = "__changed_months"  # ends the name of a validation of the months not carried


@dataclass(frozen=True)
class CheckResult:
    check: Check
    success: bool
    observed: str
    unexpected_count: int
    where_failed: str
    failed_extracts: tuple[str, ...] = ()
    validation: str = ""  # the Great Expectations validation it ran in (its Data Docs page)


def expectation_for(check: Check) -> Any:
    """The GX expectation object for a check (the type name in CamelCase)."""
    class_name = "".join(part.capitalize() for part in check.type.split("_"))
    expectation_class = getattr(gxe, class_name, None)
    if expectation_class is None:
        raise ValueError(f"{check.key}: {check.type} is not a Great Expectations expectation")
    extra = {"row_condition": row_condition(check.where)} if check.where else {}
    return expectation_class(
        **check.kwargs, **extra, meta={"check": check.key, "severity": check.severity, "description": check.description}
    )


def row_condition(where: dict[str, Any]) -> Any:
    """A check's `where` as a Great Expectations condition: each column equal to its value (or in
    its list), all at once."""
    conditions = [
        Column(column).is_in(value) if isinstance(value, list) else Column(column) == value for column, value in where.items()
    ]
    return reduce(operator.and_, conditions)


def run_checks(
    checks: list[Check], frames: dict[str, pd.DataFrame], project_dir: Path, carry: Carry | None = None
) -> tuple[list[CheckResult], Path]:
    """Validate every check on its dataset; return the results and the Data Docs index page. A check
    the carry holds reads only the rows of the months not carried (scripts/gate/carry.py), in a
    validation of its own (named ..._changed_months)."""
    shutil.rmtree(project_dir, ignore_errors=True)
    context = gx.get_context(mode="file", project_root_dir=str(project_dir))
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas(name="warehouse")
    carried = carry.checks if carry else frozenset()
    by_batch: dict[tuple[str, str, bool], list[Check]] = defaultdict(list)
    for check in checks:
        by_batch[(check.suite, check.dataset, check.key in carried)].append(check)
    results: list[CheckResult] = []
    assets: dict[str, Any] = {}
    for (suite_name, dataset, is_carried), group in sorted(by_batch.items()):
        frame = frames[dataset]
        checked = carry.changed_rows(frame) if carry and is_carried else frame
        name = f"{suite_name}__{dataset}" + (CHANGED_MONTHS if is_carried else "")
        # one asset per dataset, named by the table it reads, so Data Docs say what was checked
        if dataset not in assets:
            assets[dataset] = source.add_dataframe_asset(name=DATASETS[dataset].table)
        batch = assets[dataset].add_batch_definition_whole_dataframe(name)
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for check in group:
            suite.add_expectation(expectation_for(check))
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=name,
                validation_definitions=[definition],
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": DATASETS[dataset].index_columns,
                },
            )
        )
        outcome = checkpoint.run(batch_parameters={"dataframe": checked})
        for validation in outcome.run_results.values():
            for result in validation.results:
                check = next(c for c in group if c.key == result.expectation_config.meta["check"])
                results.append(_summarise(check, result, frame, name))
    context.build_data_docs()  # once, every suite's results (an action per checkpoint rebuilt it each time)
    index = project_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    return results, index


def _summarise(check: Check, result: Any, frame: pd.DataFrame, validation: str) -> CheckResult:
    """The check's result; frame is the whole dataset, whatever rows the check read (its observed
    extreme is the dataset's)."""
    details = result.result or {}
    if result.exception_info and result.exception_info.get("raised_exception"):
        message = "error: " + str(result.exception_info.get("exception_message"))
        return CheckResult(check, False, message, 0, "", validation=validation)
    dataset = DATASETS[check.dataset]
    unexpected = details.get("unexpected_list") or []
    # one dict per unexpected row, holding the dataset's label (and extract) columns
    rows = [row for row in details.get("unexpected_index_list") or [] if isinstance(row, dict)]
    where = [" ".join(_label(row.get(label)) for label in dataset.labels) for row in rows[:20]]
    extracts = {str(row[dataset.extract_column]) for row in rows if row.get(dataset.extract_column) is not None}
    if dataset.extract and not result.success:
        extracts.add(dataset.extract)
    observed = details.get("observed_value", unexpected[:20] if unexpected else None)
    if observed is None:
        observed = _extreme(check, frame)
    if observed is None and "element_count" in details:
        observed = {"rows_checked": details["element_count"], "unexpected": details.get("unexpected_count") or 0}
        if validation.endswith(CHANGED_MONTHS):  # the check's rows in the months carried, which passed it before
            observed["rows_carried"] = len(check.rows(frame)) - details["element_count"]
    return CheckResult(
        check,
        bool(result.success),
        json.dumps(observed, default=str),
        int(details.get("unexpected_count") or 0),
        "; ".join(where),
        tuple(sorted(extracts)),
        validation,
    )


def _label(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "(none)"
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)


def _extreme(check: Check, frame: pd.DataFrame) -> Any:
    """The value the check came closest to failing on: the column's max against a maximum, else its min."""
    column = check.kwargs.get("column")
    frame = check.rows(frame)
    if column not in frame.columns or frame[column].dropna().empty:
        return None
    values = frame[column].dropna()
    if "max_value" in check.kwargs:
        return values.max().item() if hasattr(values.max(), "item") else values.max()
    if "min_value" in check.kwargs:
        return values.min().item() if hasattr(values.min(), "item") else values.min()
    return None
