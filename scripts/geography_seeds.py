"""Write the England and Wales geography seeds from the ONS reference files.

Reads the ONS files in ../shared/reference/geography (see its SOURCES.md) and writes three seeds:

    seeds/police_uk_forces.csv    the 43 police force areas with their data.police.uk ids, region,
                                  mid-2023 population and district count; plus the publishers on
                                  data.police.uk that are not force areas of England and Wales
                                  (config/warehouse.yml police_uk.other_publishers)
    seeds/ons_districts.csv       every local authority district (Dec 2024) with its force area,
                                  region and mid-2023 population
    seeds/ons_lsoas.csv           every 2021 LSOA and every 2011 LSOA (code and name) to its district

Source: Office for National Statistics licensed under the Open Government Licence v.3.0; contains
OS data (c) Crown copyright and database right.

    python -m scripts.geography_seeds --write     # regenerate the seeds
    python -m scripts.geography_seeds --check     # exit 1 if a seed differs from what the files give
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import defaultdict
from pathlib import Path

from scripts.settings import PROJECT_ROOT, load_config

REFERENCE = PROJECT_ROOT.parent / "shared" / "reference" / "geography"
SEEDS = PROJECT_ROOT / "seeds"


class GeographyError(Exception):
    """The reference files are missing or do not agree with each other."""


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / name
    if not path.exists():
        raise GeographyError(f"{path}: not found; point --reference at the folder of ONS files (shared/reference/geography)")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _csv(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def districts(folder: Path) -> str:
    """One row per district: code, name, force area, region, country, mid-2023 population."""
    population = {row["LAD23CD"]: int(row["population_mid2023"]) for row in _read(folder, "population_lad_mid2023.csv")}
    rows = []
    for row in _read(folder, "lad24_to_pfa24.csv"):
        if row["LAD24CD"] not in population:
            raise GeographyError(f"population_lad_mid2023.csv: no population for district {row['LAD24CD']} {row['LAD24NM']}")
        rows.append(
            [
                row["LAD24CD"],
                row["LAD24NM"],
                row["PFA24CD"],
                row["RGN24CD"],
                row["RGN24NM"],
                row["country"],
                population[row["LAD24CD"]],
            ]
        )
    header = ["district_code", "district_name", "force_area_code", "region_code", "region_name", "country", "population_mid2023"]
    return _csv(header, sorted(rows))


def forces(folder: Path) -> str:
    """The 43 force areas, then the other data.police.uk publishers (no area, region or population)."""
    lads = _read(folder, "lad24_to_pfa24.csv")
    regions: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in lads:
        regions[row["PFA24CD"]].add((row["RGN24CD"], row["RGN24NM"]))
    population = {row["PFA24CD"]: int(row["population_mid2023"]) for row in _read(folder, "population_pfa_mid2023.csv")}
    rows: list[list[object]] = []
    for row in _read(folder, "police_force_areas.csv"):
        code = row["PFA24CD"]
        if len(regions[code]) != 1:
            raise GeographyError(f"lad24_to_pfa24.csv: force area {code} has districts in {len(regions[code])} regions")
        ((region_code, region_name),) = regions[code]
        rows.append(
            [
                row["police_uk_force_id"],
                row["police_uk_force_name"],
                code,
                row["PFA24NM"],
                row["country"],
                region_code,
                region_name,
                population[code],
                row["n_lad24"],
                "true",
            ]
        )
    rows.sort()
    for slug, name in load_config()["police_uk"]["other_publishers"].items():
        rows.append([slug, name, "", "", "", "", "", "", 0, "false"])
    header = [
        "force_slug",
        "force_name",
        "force_area_code",
        "force_area_name",
        "country",
        "region_code",
        "region_name",
        "population_mid2023",
        "district_count",
        "is_force_area",
    ]
    return _csv(header, rows)


def lsoas(folder: Path) -> str:
    """Every LSOA code and name, 2021 and 2011, to one district. A code or name that is a 2021 one is
    placed as the 2021 lookup says; a 2011 code or name as the 2011 lookup says, and the few that ONS
    maps to two districts (2011 LSOAs split by later boundary changes, each inside one force area) go
    to the lowest district code, so each code and each name places a record in exactly one place."""
    pairs: dict[tuple[str, str], str] = {}
    by_code: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for row in _read(folder, "lsoa21_to_lad24_pfa24.csv"):
        pairs[(row["LSOA21CD"], row["LSOA21NM"])] = "2021"
        by_code[row["LSOA21CD"]] = row["LAD24CD"]
        by_name[row["LSOA21NM"]] = row["LAD24CD"]
    codes_2021, names_2021 = set(by_code), set(by_name)
    for row in _read(folder, "lsoa11_to_lsoa21_pfa24.csv"):
        pairs.setdefault((row["LSOA11CD"], row["LSOA11NM"]), "2011")
        if row["LSOA11CD"] not in codes_2021:
            by_code[row["LSOA11CD"]] = min(by_code.get(row["LSOA11CD"], row["LAD24CD"]), row["LAD24CD"])
        if row["LSOA11NM"] not in names_2021:
            by_name[row["LSOA11NM"]] = min(by_name.get(row["LSOA11NM"], row["LAD24CD"]), row["LAD24CD"])
    rows = [[code, name, census, by_code[code], by_name[name]] for (code, name), census in sorted(pairs.items())]
    return _csv(["lsoa_code", "lsoa_name", "census_year", "district_code", "name_district_code"], rows)


SEED_BUILDERS = {"police_uk_forces.csv": forces, "ons_districts.csv": districts, "ons_lsoas.csv": lsoas}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.geography_seeds", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the seeds")
    mode.add_argument("--check", action="store_true", help="exit 1 when a seed differs from the reference files")
    parser.add_argument("--reference", type=Path, default=REFERENCE, help=f"folder of ONS files (default {REFERENCE})")
    args = parser.parse_args(argv)
    stale = []
    try:
        for name, build in SEED_BUILDERS.items():
            text = build(args.reference)
            target = SEEDS / name
            if args.write:
                target.write_text(text, encoding="utf-8")
                print(f"wrote {target} ({text.count(chr(10)) - 1:,} rows)")
            elif not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(name)
    except GeographyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if stale:
        print(f"out of date: {', '.join(stale)}; run `python -m scripts.geography_seeds --write` and commit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
