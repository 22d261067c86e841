"""Reference data the generator draws from: the project's own seeds, so codes always agree."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

import numpy as np

from scripts.settings import PROJECT_ROOT

SEEDS_DIR = PROJECT_ROOT / "seeds"
DISTRICTS = ("Peterborough", "Fenland", "Cambridge", "South Cambridgeshire", "East Cambridgeshire", "Huntingdonshire")
NORTH = ("Peterborough", "Fenland")


@dataclass(frozen=True)
class OffenceCodes:
    """Offence codes with their groups and flags, as arrays aligned by position."""

    codes: tuple[str, ...]
    subgroup: np.ndarray
    group: np.ndarray
    flags: dict[str, np.ndarray]

    def position(self, code: str) -> int:
        return self.codes.index(code)


@cache
def offence_codes() -> OffenceCodes:
    rows = _read_seed("offence_codes.csv")
    flags = [name for name in rows[0] if name.startswith("is_")]
    return OffenceCodes(
        codes=tuple(row["offence_code"] for row in rows),
        subgroup=np.array([row["offence_subgroup"] for row in rows]),
        group=np.array([row["offence_group"] for row in rows]),
        flags={name: np.array([row[name] == "true" for row in rows]) for name in flags},
    )


def _read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
