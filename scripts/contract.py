"""The raw extract contract, read from the dbt sources YAML (its one definition)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.settings import PROJECT_ROOT, SOURCES_FILE, parse_yaml

SUPPORTED_TYPES = ("VARCHAR", "INTEGER", "DOUBLE", "DATE", "TIMESTAMP", "BOOLEAN")
POLICE_UK_SOURCES_FILE = PROJECT_ROOT / "models" / "staging" / "police_uk" / "_police_uk__sources.yml"


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
    header: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    identifier: str = ""
    file_kind: str = ""

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def header_names(self) -> list[str]:
        """The column names as the file's header row has them."""
        return [column.header or column.name for column in self.columns]

    @property
    def raw_table(self) -> str:
        """The table the loader writes in the raw schema (also the audit's source name)."""
        return self.identifier or self.name

    @property
    def key(self) -> Column | None:
        return next((column for column in self.columns if column.is_key), None)


def load_contract(path: Path = SOURCES_FILE, key_required: bool = True) -> dict[str, Table]:
    """Return the tables of the file's first source by name, in file order."""
    document = parse_yaml(path.read_text(encoding="utf-8"))
    try:
        source = document["sources"][0]
        tables = {}
        for table in source["tables"]:
            columns = tuple(_column(table["name"], column) for column in table["columns"])
            keys = sum(column.is_key for column in columns)
            if keys > 1 or (key_required and keys != 1):
                raise ContractError(f"{path}: table {table['name']} needs exactly one key column")
            meta = (table.get("config") or {}).get("meta") or {}
            tables[table["name"]] = Table(
                table["name"], table.get("description", ""), columns, table.get("identifier", ""), meta.get("file_kind", "")
            )
    except (KeyError, IndexError, TypeError) as error:
        raise ContractError(f"{path}: not a sources file of the expected shape ({error})") from error
    return tables


def load_police_uk_contract() -> dict[str, Table]:
    """The data.police.uk files' contract (no key: anti-social behaviour rows have no crime ID)."""
    return load_contract(POLICE_UK_SOURCES_FILE, key_required=False)


def _column(table: str, spec: dict[str, Any]) -> Column:
    data_type = str(spec.get("data_type", "")).upper()
    if data_type not in SUPPORTED_TYPES:
        raise ContractError(
            f"{SOURCES_FILE}: {table}.{spec.get('name')} has data_type {data_type!r}; use one of {', '.join(SUPPORTED_TYPES)}"
        )
    meta = (spec.get("config") or {}).get("meta") or {}
    return Column(
        name=spec["name"],
        data_type=data_type,
        description=spec.get("description", ""),
        is_key=bool(meta.get("key", False)),
        is_required=bool(meta.get("required", False)),
        allowed=meta.get("allowed"),
        header=str(meta.get("header", "")),
    )
