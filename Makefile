# Police performance warehouse. `make run` builds everything; `make test` runs every test.
# Both work on a fresh clone (Python 3.11 and the package index are all they need).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export DBT_PROFILES_DIR := $(CURDIR)/profiles
WAREHOUSE_PATH ?= warehouse/warehouse.duckdb
RAW_DATA_DIR ?= data/raw
# A folder of data.police.uk files (as downloaded) to load beside the force's extracts, e.g.
# make run POLICE_UK_DIR=../shared/data/police_uk
POLICE_UK_DIR ?=
# FORCE_EXTRACTS=no runs on the police.uk files instead of the force's extracts (nothing generated).
FORCE_EXTRACTS ?= yes
# dbt colours its output only for a terminal (make's stderr is one when run by hand; in cron, CI or
# a redirect it is a file, and escape codes would litter the log).
DBT_USE_COLORS ?= $(shell [ -t 2 ] && echo true || echo false)

# Every variable a target takes reaches its program as an argument, never as shell or make text.
# Each given on the command line or in the environment is held as typed (make never expands what was
# typed: `override NAME := $(value NAME)`; the defaults below are ours and expand as usual), and
# recipes pass it with $(call arg,NAME), one single-quoted shell word, or $(call args,NAME), a list
# whose every word is one ($(call args,NAME,--option=) puts the option before each);
# tests/python/test_workflows.py runs the metacharacter cases.
USER_VARIABLES := PYTHON WAREHOUSE_PATH RAW_DATA_DIR POLICE_UK_DIR FORCE_EXTRACTS MONTH FORCE AS_AT LOAD_ARGS BUILD_ARGS \
	PUBLISH_ARGS FULL_REFRESH ROW_CHECKS LOCK_WAIT SCALES BENCH_MONTHS YARDSTICKS DBT_USE_COLORS
$(foreach name,$(USER_VARIABLES),$(if $(filter command environment,$(origin $(name))),$(eval override $(name) := $$(value $(name)))))
arg = '$(subst ','\'',$($(1)))'
args = $(foreach word,$($(1)),$(2)'$(subst ','\'',$(word))')
export WAREHOUSE_PATH RAW_DATA_DIR DBT_USE_COLORS

# One pipeline at a time per warehouse (scripts/pipeline_lock.py): every target that writes the
# warehouse runs under its lock; a second refuses naming the holder (LOCK_WAIT=seconds to wait).
LOCK = $(BIN)/python -m scripts.pipeline_lock --warehouse $(call arg,WAREHOUSE_PATH) --name "make $@" \
	--wait $(if $(LOCK_WAIT),$(call arg,LOCK_WAIT),0) --

.PHONY: pins lint format test-fast as-at nightly warehouse bench bench-police-uk browser pack sql help install generate load build validate publish run test test-python test-dbt docs docs-contract docs-measures calibration clean clean-data

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.txt
	@echo "== install: virtual environment in $(VENV)"
	@$(call arg,PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(call arg,PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: $(STAMP) ## create .venv and install the pinned packages

# Every step runs through scripts/pipeline.py, which owns their order and every dbt build; make
# gives it the variables as options, each one argument.
PIPELINE = $(BIN)/python -m scripts.pipeline --warehouse $(call arg,WAREHOUSE_PATH) --raw $(call arg,RAW_DATA_DIR) \
	$(if $(POLICE_UK_DIR),--police-uk $(call arg,POLICE_UK_DIR)) $(if $(filter no,$(FORCE_EXTRACTS)),--no-force-extracts) \
	$(if $(MONTH),--month $(call arg,MONTH)) $(if $(FORCE),--force $(call arg,FORCE)) \
	$(if $(filter yes,$(FULL_REFRESH)),--full-refresh) $(if $(ROW_CHECKS),--row-checks $(call arg,ROW_CHECKS)) \
	$(call args,LOAD_ARGS,--load-arg=) $(call args,BUILD_ARGS,--build-arg=) $(call args,PUBLISH_ARGS,--publish-arg=)

generate: $(STAMP) ## write SYNTHETIC sample extracts into data/raw (only if it holds none)
	$(PIPELINE) generate

load: $(STAMP) ## load data/raw into the warehouse's raw schema (replacing it; see nightly)
	$(LOCK) $(PIPELINE) load

# dbt build is incremental for the big facts. It is a full refresh when FULL_REFRESH=yes, or when
# the last load replaced raw rows rather than only adding them (the loader leaves a marker file).
build: $(STAMP) ## dbt build (seeds, models, snapshot, tests) into the working warehouse
	$(LOCK) $(PIPELINE) build

# The nightly's tests read the rows loaded since the last fully checked build (ROW_CHECKS=new;
# macros/row_checks.sql); its unit tests are left to CI and `make run` and its seeds are not
# reloaded (code and reference data do not change overnight: after changing either, build with
# FULL_REFRESH=yes); schedule `make nightly ROW_CHECKS=all` (say weekly) for the full re-check.
nightly: $(STAMP) ## the nightly run: load only new or re-exported extracts, incremental build, gate, publish, pack (ROW_CHECKS=all: re-check every row)
	$(LOCK) $(PIPELINE) nightly

as-at: $(STAMP) ## rebuild the figures and pack as at an earlier extract date: make as-at AS_AT=YYYY-MM-DD
	@test -n $(call arg,AS_AT) || { echo "give the date: make as-at AS_AT=YYYY-MM-DD"; exit 2; }
	$(LOCK) $(BIN)/python -m scripts.as_at --date $(call arg,AS_AT)

validate: $(STAMP) ## the quality gate (Great Expectations) on the working warehouse
	$(LOCK) $(PIPELINE) validate

publish: $(STAMP) ## publish the validated warehouse, Parquet and Data Docs to warehouse/published
	$(LOCK) $(PIPELINE) publish

pack: $(STAMP) ## write the performance pack for the latest month (MONTH=YYYY-MM for another; FORCE=<id> for a force's data.police.uk pack)
	$(PIPELINE) pack

run: $(STAMP) browser ## everything: install, generate if empty, load, build, validate, publish, pack (its PDF needs chromium: see browser)
	$(LOCK) $(PIPELINE) run
	@echo "== published: warehouse/published/warehouse.duckdb (read-only for BI), parquet/, data_docs/index.html, dbt_docs/index.html, pack/"

sql: $(STAMP) ## a read-only SQL shell on the published warehouse
	$(BIN)/python -m scripts.sql

browser: ## Debian's Chromium, which prints the pack's PDF and runs its browser test (installed once when root; else says how)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then echo "== installing chromium (Debian package) for the pack's PDF"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "== no chromium: the pack will be HTML and Excel only; for its PDF run: sudo apt-get install chromium"; fi; }

# the working warehouse, built by `make run` when there is none (a recipe, not a file target: the
# path is a value, never make text)
warehouse:
	@test -e "$$WAREHOUSE_PATH" || $(MAKE) --no-print-directory run

test: $(STAMP) lint warehouse browser test-dbt test-python ## the whole suite: style checks, dbt data and unit tests, then pytest

lint: $(STAMP) ## style checks: ruff (pyproject.toml) on the Python, sqlfluff (.sqlfluff) on the SQL; `make format` fixes
	@echo "== lint (ruff, sqlfluff)"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint models tests analyses --processes 2 --disable-progress-bar

format: $(STAMP) ## reformat the Python and the SQL: ruff's and sqlfluff's safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/sqlfluff fix models tests analyses --processes 2 --disable-progress-bar

test-dbt: $(STAMP)
	$(LOCK) $(PIPELINE) test-dbt

test-fast: $(STAMP) lint ## the style checks and the unit tests only (no warehouse needed, seconds)
	$(BIN)/python -m pytest -m unit

test-python: $(STAMP)
	@echo "== pytest"
	$(BIN)/python -m pytest

docs: $(STAMP) ## dbt docs generate (warehouse/target/index.html, beside the warehouse)
	$(PIPELINE) docs

docs-contract: $(STAMP) ## regenerate docs/raw_extracts.md from the sources YAML
	$(BIN)/python -m scripts.contract_docs --write

docs-measures: $(STAMP) ## regenerate docs/measures.md from the measure seeds
	$(BIN)/python -m scripts.measure_docs --write

bench: $(STAMP) ## time every pipeline step at scale 1, 10 and 45 -> docs/benchmarks.md (SCALES="1 10", BENCH_MONTHS=all, YARDSTICKS=no)
	$(BIN)/python -m scripts.bench $(foreach scale,$(call args,SCALES),--scale $(scale)) $(if $(BENCH_MONTHS),--months $(call arg,BENCH_MONTHS)) \
	  $(if $(filter no,$(YARDSTICKS)),--no-yardsticks)

bench-police-uk: $(STAMP) ## time the full and the nightly pipeline on the real all-forces police.uk files (6 months + 1; BENCH_MONTHS=37)
	$(BIN)/python -m scripts.bench_police_uk $(if $(BENCH_MONTHS),--months $(call arg,BENCH_MONTHS))

pins: ## regenerate requirements.txt (every package, exact) from the direct dependencies in pyproject.toml
	$(call arg,PYTHON) -m scripts.pins

calibration: $(STAMP) ## compare the warehouse with the published figures
	$(BIN)/python -m scripts.calibration

clean: ## remove the working warehouse (and with it the outcome snapshot's history), as-at and bench builds, dbt artefacts
	rm -rf target logs warehouse/target warehouse/logs warehouse/*.duckdb warehouse/*.wal warehouse/*.full-refresh warehouse/*.build-state warehouse/*.lock warehouse/tmp warehouse/gx warehouse/as_at warehouse/bench

clean-data: ## remove the generated extracts too
	find data/raw -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
