"""The contract, its documentation, the seeds and the generator agree with each other."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from scripts import contract_docs, measure_docs
from scripts.contract import ContractError, load_contract
from scripts.settings import DUCKDB_DEFAULTS, PROJECT_ROOT, load_generator_config
from scripts.synth.operations import INCIDENT_TYPES

SHARED_MEASURES = PROJECT_ROOT.parent / "shared" / "reference" / "measures.csv"


def seed_column(name: str, column: str) -> set[str]:
    with (PROJECT_ROOT / "seeds" / name).open(encoding="utf-8", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle)}


@pytest.mark.parametrize("page", [contract_docs, measure_docs])
def test_generated_docs_pages_are_current(page) -> None:
    assert page.PAGE.read_text(encoding="utf-8") == page.render(), f"regenerate and commit {page.PAGE.name}"


def test_every_catalogue_measure_has_a_method() -> None:
    catalogue = seed_column("measures.csv", "measure_id") | seed_column("public_measures.csv", "measure_id")
    assert seed_column("measure_registry.csv", "measure_id") == catalogue


def test_every_source_has_one_staging_model() -> None:
    for name in load_contract():
        assert (PROJECT_ROOT / "models" / "staging" / "force" / f"stg_force__{name}.sql").exists(), name


def test_a_contract_without_a_key_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "sources.yml"
    broken.write_text("sources: [{name: force, tables: [{name: crimes, columns: [{name: a, data_type: VARCHAR}]}]}]")
    with pytest.raises(ContractError, match="exactly one key"):
        load_contract(broken)


def test_a_contract_with_an_unsupported_type_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "sources.yml"
    broken.write_text("sources: [{name: force, tables: [{name: crimes, columns: [{name: a, data_type: JSONB}]}]}]")
    with pytest.raises(ContractError, match="JSONB"):
        load_contract(broken)


@pytest.mark.skipif(not SHARED_MEASURES.exists(), reason="../shared is not beside the project")
def test_measure_seed_is_the_shared_catalogue() -> None:
    assert (PROJECT_ROOT / "seeds" / "measures.csv").read_bytes() == SHARED_MEASURES.read_bytes()


def test_generator_only_draws_codes_the_seeds_know() -> None:
    generator = load_generator_config()
    assert set(generator["offence_mix"]) <= seed_column("offence_codes.csv", "offence_code")
    assert set(generator["offence_share_knots"]) <= set(generator["offence_mix"])
    outcome_codes = seed_column("outcome_types.csv", "outcome_code")
    assert set(generator["ppo_outcome_mix"]) | set(generator["other_outcome_mix"]) <= outcome_codes
    assert set(INCIDENT_TYPES) <= seed_column("incident_types.csv", "incident_type_code")
    assert set(generator["incidents"]["non_crime_per_month"]) <= set(INCIDENT_TYPES)
    districts = seed_column("districts.csv", "district_name")
    assert set(generator["district_crime_weights"]) <= districts
    subgroups = seed_column("offence_codes.csv", "offence_subgroup")
    assert set(generator["ppo_probability_by_group"]) == subgroups


def test_prosecution_possible_set_is_the_home_office_one() -> None:
    with (PROJECT_ROOT / "seeds" / "outcome_types.csv").open(encoding="utf-8", newline="") as handle:
        ppo = {row["outcome_code"] for row in csv.DictReader(handle) if row["is_prosecution_possible"] == "true"}
    assert ppo == {"1", "1A", "2", "2A", "3", "3A", "4", "6", "7", "8"}


def test_scripts_and_dbt_give_duckdb_the_same_default_limits() -> None:
    profile = (PROJECT_ROOT / "profiles" / "profiles.yml").read_text()
    dev = profile[profile.index("    dev:") : profile.index("    ci:")]
    in_profile = dict(re.findall(r"env_var\('(DUCKDB_\w+)', '([^']*)'\)", dev))
    assert in_profile == DUCKDB_DEFAULTS
