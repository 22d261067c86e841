"""Read the suites in expectations/*.yml into checks, with thresholds from config/warehouse.yml."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from scripts.gate.datasets import DATASETS
from scripts.settings import PROJECT_ROOT, load_config, parse_yaml

SUITES_DIR = PROJECT_ROOT / "expectations"
SEVERITIES = ("blocking", "warning")


class SuiteError(Exception):
    """A suite file is malformed or names a threshold that does not exist."""


@dataclass(frozen=True)
class Check:
    suite: str
    name: str
    dataset: str
    type: str
    kwargs: dict[str, Any] = field(hash=False)
    severity: str
    description: str
    where: dict[str, Any] = field(default_factory=dict, hash=False)
    # a warning's failing rows in a board member's words (the pack's quality panel)
    in_words: str = ""

    @property
    def key(self) -> str:
        return f"{self.suite}.{self.name}"

    def rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of the frame the check applies to (its `where`)."""
        mask = pd.Series(True, index=frame.index)
        for column, value in self.where.items():
            mask &= frame[column].isin(value if isinstance(value, list) else [value])
        return frame[mask]


def load_checks(folder: Path = SUITES_DIR, thresholds: dict[str, Any] | None = None) -> list[Check]:
    """Every check of every suite, thresholds resolved."""
    if thresholds is None:
        thresholds = load_config()["quality_gate"]["thresholds"]
    checks: list[Check] = []
    for path in sorted(folder.glob("*.yml")):
        document = parse_yaml(path.read_text(encoding="utf-8")) or {}
        suite = document.get("suite") or path.stem
        for spec in document.get("expectations", []):
            try:
                severity = spec["severity"]
                if spec["dataset"] not in DATASETS:
                    raise SuiteError(
                        f"{path}: {spec['name']}: dataset {spec['dataset']!r} is not one the gate reads "
                        f"(scripts/gate/datasets.py DATASETS: {', '.join(sorted(DATASETS))})"
                    )
                if severity not in SEVERITIES:
                    raise SuiteError(f"{path}: {spec['name']}: severity must be blocking or warning, not {severity!r}")
                if severity == "warning" and not spec.get("in_words"):
                    raise SuiteError(
                        f"{path}: {spec['name']}: a warning needs in_words, what its failing rows are in a board "
                        "member's words (the pack prints it)"
                    )
                kwargs = {key: _resolve(value, thresholds, path, spec["name"]) for key, value in spec["kwargs"].items()}
                where = spec.get("where") or {}
                if not isinstance(where, dict):
                    raise SuiteError(f"{path}: {spec['name']}: where must map columns to values, not {where!r}")
                checks.append(
                    Check(
                        suite,
                        spec["name"],
                        spec["dataset"],
                        spec["type"],
                        kwargs,
                        severity,
                        spec.get("description", ""),
                        where,
                        spec.get("in_words", ""),
                    )
                )
            except KeyError as error:
                raise SuiteError(
                    f"{path}: an expectation lacks {error}; each needs name, dataset, type, kwargs, severity"
                ) from error
    names = [check.key for check in checks]
    if len(names) != len(set(names)):
        raise SuiteError(f"{folder}: expectation names repeat within a suite")
    return checks


def _resolve(value: Any, thresholds: dict[str, Any], path: Path, name: str) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        threshold = value[1:-1]
        if threshold not in thresholds:
            raise SuiteError(
                f"{path}: {name} names threshold {threshold!r}, which config/warehouse.yml "
                f"(quality_gate.thresholds) does not define"
            )
        return thresholds[threshold]
    return value
