"""The project's configuration: the warehouse's settings in config/warehouse.yml, the sample-data
generator's in config/generator.yml (each setting in one place)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = PROJECT_ROOT / "config" / "warehouse.yml"
GENERATOR_FILE = PROJECT_ROOT / "config" / "generator.yml"
SOURCES_FILE = PROJECT_ROOT / "models" / "staging" / "force" / "_force__sources.yml"
DOCS_DIR = PROJECT_ROOT / "models"


class ConfigError(Exception):
    """The configuration file is missing or malformed."""


def parse_yaml(text: str) -> Any:
    """A YAML document, read safely by libyaml where PyYAML was built with it (ten times as fast as
    the pure-Python reader on the project's model files), else by the pure-Python reader."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _read_yaml(path: Path, required: tuple[str, ...]) -> dict[str, Any]:
    if not path.exists():
        raise ConfigError(f"{path}: configuration file not found; restore it from git.")
    config = parse_yaml(path.read_text(encoding="utf-8"))
    missing = [key for key in required if not isinstance(config, dict) or key not in config]
    if missing:
        raise ConfigError(
            f"{path}: expected top-level keys {', '.join(repr(key) for key in required)}; missing {', '.join(missing)}."
        )
    return config


@cache
def load_config(path: Path = CONFIG_FILE) -> dict[str, Any]:
    """The warehouse's settings (paths, csv, quality_gate, police_uk, bench, pack)."""
    return _read_yaml(path, ("paths", "csv"))


@cache
def load_generator_config(path: Path = GENERATOR_FILE) -> dict[str, Any]:
    """The synthetic sample-data generator's settings."""
    return _read_yaml(path, ("seed", "start_month"))


def raw_data_dir() -> Path:
    """Folder of raw extracts: $RAW_DATA_DIR, else paths.raw_data_dir from the config."""
    return _resolve(os.environ.get("RAW_DATA_DIR") or load_config()["paths"]["raw_data_dir"])


def warehouse_path() -> Path:
    """The DuckDB file: $WAREHOUSE_PATH, else paths.warehouse from the config."""
    return _resolve(os.environ.get("WAREHOUSE_PATH") or load_config()["paths"]["warehouse"])


def published_dir() -> Path:
    """Where validated builds are published for BI tools: $PUBLISHED_DIR, else paths.published."""
    return _resolve(os.environ.get("PUBLISHED_DIR") or load_config()["paths"]["published"])


def _resolve(value: str | Path) -> Path:
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


# DuckDB's limits for the scripts that write (load, compiled SQL), read from the same environment
# variables as dbt's profile, with the same defaults (profiles/profiles.yml; a test keeps them equal).
DUCKDB_DEFAULTS = {"DUCKDB_MEMORY_LIMIT": "8GB", "DUCKDB_THREADS": "2", "DUCKDB_TEMP_DIR": "warehouse/tmp"}


def duckdb_config() -> dict[str, str]:
    """memory_limit, threads and temp_directory for duckdb.connect(config=...)."""
    value = {name: os.environ.get(name) or default for name, default in DUCKDB_DEFAULTS.items()}
    temp = _resolve(value["DUCKDB_TEMP_DIR"])
    temp.mkdir(parents=True, exist_ok=True)
    return {"memory_limit": value["DUCKDB_MEMORY_LIMIT"], "threads": value["DUCKDB_THREADS"], "temp_directory": str(temp)}
