"""The raw extract contract, read from the dbt sources YAML (its one definition)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scripts.settings import SOURCES_FILE

SUPPORTED_TYPES = ("VARCHAR", "INTEGER", "DATE", "TIMESTAMP", "BOOLEAN")


class ContractError(Exception):
    """The contract file is malformed."""


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str
    is_key: bool = False
    is_required: bool = False
    allowed: Any = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def key(self) -> Column:
        return next(column for column in self.columns if column.is_key)


def load_contract(path: Path = SOURCES_FILE) -> dict[str, Table]:
    """Return the contract's tables by name, in file order."""
    with path.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    try:
        source = document["sources"][0]
        tables = {}
        for table in source["tables"]:
            columns = tuple(_column(table["name"], column) for column in table["columns"])
            if sum(column.is_key for column in columns) != 1:
                raise ContractError(f"{path}: table {table['name']} needs exactly one key column")
            tables[table["name"]] = Table(table["name"], table.get("description", ""), columns)
    except (KeyError, IndexError, TypeError) as error:
        raise ContractError(f"{path}: not a sources file of the expected shape ({error})") from error
    return tables


def _column(table: str, spec: dict[str, Any]) -> Column:
    data_type = str(spec.get("data_type", "")).upper()
    if data_type not in SUPPORTED_TYPES:
        raise ContractError(
            f"{SOURCES_FILE}: {table}.{spec.get('name')} has data_type {data_type!r}; "
            f"use one of {', '.join(SUPPORTED_TYPES)}"
        )
    meta = (spec.get("config") or {}).get("meta") or {}
    return Column(
        name=spec["name"],
        data_type=data_type,
        description=spec.get("description", ""),
        is_key=bool(meta.get("key", False)),
        is_required=bool(meta.get("required", False)),
        allowed=meta.get("allowed"),
    )
