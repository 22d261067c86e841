"""An independent reading of data.police.uk files and the ONS reference, for the tests to compare with.

Written from docs/police_uk.md and the shared reference files alone (Python's csv module, no DuckDB,
no seeds): every street row is one record; placed by LSOA code, by name only when the code is
missing or unknown; in a district of the force's area, else in its Outside force area, No location
or Unknown LSOA bucket; publishers that are not force areas count at force level only.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from scripts.settings import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared"
GEOGRAPHY = SHARED / "reference" / "geography"
ALL_FORCES = SHARED / "data" / "police_uk_all_forces"
THREE_FORCES = SHARED / "data" / "police_uk"


def _rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Reference:
    """Force areas, districts and LSOAs of England and Wales from the ONS files."""

    force_of_slug: dict[str, dict[str, str]] = field(default_factory=dict)  # slug -> PFA row
    lad_name: dict[str, str] = field(default_factory=dict)  # LAD code -> name
    lad_pfa: dict[str, str] = field(default_factory=dict)  # LAD code -> PFA code
    lad_population: dict[str, int] = field(default_factory=dict)
    pfa_population: dict[str, int] = field(default_factory=dict)
    pfa_region: dict[str, str] = field(default_factory=dict)
    lsoa_code: dict[str, str] = field(default_factory=dict)  # LSOA code -> LAD code
    lsoa_name: dict[str, str] = field(default_factory=dict)  # LSOA name -> LAD code

    @classmethod
    def read(cls) -> Reference:
        ref = cls()
        for row in _rows(GEOGRAPHY / "police_force_areas.csv"):
            ref.force_of_slug[row["police_uk_force_id"]] = row
        for row in _rows(GEOGRAPHY / "lad24_to_pfa24.csv"):
            ref.lad_name[row["LAD24CD"]] = row["LAD24NM"]
            ref.lad_pfa[row["LAD24CD"]] = row["PFA24CD"]
            ref.pfa_region[row["PFA24CD"]] = row["RGN24NM"]
        for row in _rows(GEOGRAPHY / "population_lad_mid2023.csv"):
            ref.lad_population[row["LAD23CD"]] = int(row["population_mid2023"])
        for row in _rows(GEOGRAPHY / "population_pfa_mid2023.csv"):
            ref.pfa_population[row["PFA24CD"]] = int(row["population_mid2023"])
        for row in _rows(GEOGRAPHY / "lsoa11_to_lsoa21_pfa24.csv"):
            ref.lsoa_code[row["LSOA11CD"]] = min(ref.lsoa_code.get(row["LSOA11CD"], row["LAD24CD"]), row["LAD24CD"])
            ref.lsoa_name[row["LSOA11NM"]] = min(ref.lsoa_name.get(row["LSOA11NM"], row["LAD24CD"]), row["LAD24CD"])
        for row in _rows(GEOGRAPHY / "lsoa21_to_lad24_pfa24.csv"):  # 2021 wins over 2011
            ref.lsoa_code[row["LSOA21CD"]] = row["LAD24CD"]
            ref.lsoa_name[row["LSOA21NM"]] = row["LAD24CD"]
        return ref

    def force_name(self, slug: str) -> str:
        names = {"btp": "British Transport Police", "northern-ireland": "Police Service of Northern Ireland"}
        return self.force_of_slug[slug]["police_uk_force_name"] if slug in self.force_of_slug else names.get(slug, slug)

    def place(self, slug: str, row: dict[str, str]) -> str | None:
        """The district or bucket a street row counts in; None for force-level-only publishers."""
        force = self.force_of_slug.get(slug)
        if force is None:
            return None
        name = self.force_name(slug)
        code, lsoa = row["LSOA code"].strip(), row["LSOA name"].strip()
        if not code and not lsoa:
            return f"No location ({name})"
        lad = self.lsoa_code.get(code) or self.lsoa_name.get(lsoa)
        if lad is None:
            return f"Unknown LSOA ({name})"
        if self.lad_pfa[lad] == force["PFA24CD"]:
            return self.lad_name[lad]
        return f"Outside force area ({name})"


def street_files(folder: Path) -> list[tuple[str, str, Path]]:
    """(month, force slug, path) of every street file in a download folder."""
    found = []
    for path in sorted(folder.glob("*/*-street.csv*")):
        month = path.name[:7]
        slug = path.name[8:].split("-street.csv")[0]
        found.append((month, slug, path))
    return found


def crime_counts(folder: Path, ref: Reference) -> Counter:
    """Crimes (anti-social behaviour apart) by (force name, month, district or bucket or None, crime type)."""
    counts: Counter = Counter()
    for _month, slug, path in street_files(folder):
        for row in _rows(path):
            if row["Crime type"] == "Anti-social behaviour":
                continue
            counts[(ref.force_name(slug), row["Month"] + "-01", ref.place(slug, row), row["Crime type"])] += 1
    return counts


def national_figures(folder: Path, ref: Reference) -> dict[tuple[str, str, str], dict]:
    """Month figures for each region and England and Wales: crimes, population, rate, forces counted
    and expected. A force area counts in a month when it has a street file with rows for it."""
    by_force_month: Counter = Counter()
    for (force, month, _, _), count in crime_counts(folder, ref).items():
        by_force_month[(force, month)] += count
    months = sorted({month for (_, month) in by_force_month})
    areas: dict[tuple[str, str], list[str]] = defaultdict(list)
    for slug, row in ref.force_of_slug.items():
        areas[("region", ref.pfa_region[row["PFA24CD"]])].append(slug)
        areas[("country", "England and Wales")].append(slug)
    figures = {}
    for (level, geography), slugs in areas.items():
        for month in months:
            counted = [slug for slug in slugs if by_force_month.get((ref.force_name(slug), month), 0) > 0]
            crimes = sum(by_force_month[(ref.force_name(slug), month)] for slug in counted)
            population = sum(ref.pfa_population[ref.force_of_slug[slug]["PFA24CD"]] for slug in counted)
            figures[(level, geography, month)] = {
                "crimes": crimes if counted else None,
                "population": population if counted else None,
                "rate": crimes / (population / 1000) if counted else None,
                "counted": len(counted),
                "expected": len(slugs),
            }
    return figures
