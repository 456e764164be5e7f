# Thanrak: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)

.PHONY: demo test lint bench bench-national clean env

env: $(STAMP)

# The environment is created from the lock file; it is rebuilt when the lock changes.
$(STAMP): requirements.lock pyproject.toml
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@test -x $(BIN)/python || uv venv --quiet --python $(PYTHON) $(VENV)
	uv pip install --quiet --python $(BIN)/python -r requirements.lock
	uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

demo: env
	$(BIN)/thanrak demo

# Lint first (fast), then every test against a real PostgreSQL.
test: env
	$(BIN)/ruff check plugins dags tests
	$(BIN)/python -m pytest

# Issue 13's measurements in one run (about 15 minutes on 2 cores): bench/results/latest.json and .md.
# The dlt comparison makes its own environment, var/bench-dlt-venv, with uv from
# bench/dlt/requirements.lock (not the project's lock); without network it is reported as null.
bench: env
	$(BIN)/python -m bench.suite

# Issue 14: a national household-survey year (12.8 M households, 152 files) from files to every mart,
# the next night's resubmission of one province, the dashboard queries as bi_reader; writes
# bench/results/national-<date>.json and .md. See bench/README.md (National survey year).
bench-national: env
	$(BIN)/python -m bench.national --scale 1 --workers 2

lint: env
	$(BIN)/ruff check plugins dags tests
	$(BIN)/ruff format --check plugins dags tests
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests  # .sqlfluff

clean:
	rm -rf var .pytest_cache

# Apache Superset with the five-gear dashboard (docs/bi.md, "Superset"). Superset has its own
# environment, .venv-superset, from bi/superset/requirements.lock: its Flask and SQLAlchemy pins
# clash with Airflow's, so it is not in the project's lock. Rebuilt when that lock changes.
SUPERSET_VENV ?= .venv-superset
SUPERSET_STAMP := $(SUPERSET_VENV)/.installed-$(shell sha1sum bi/superset/requirements.lock | cut -c1-12)

.PHONY: superset superset-dashboard

superset: $(SUPERSET_STAMP)

$(SUPERSET_STAMP): bi/superset/requirements.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@test -x $(SUPERSET_VENV)/bin/python || uv venv --quiet --python $(PYTHON) $(SUPERSET_VENV)
	uv pip install --quiet --python $(SUPERSET_VENV)/bin/python -r bi/superset/requirements.lock
	@rm -f $(SUPERSET_VENV)/.installed-* && touch $@

# Superset on http://127.0.0.1:$(SUPERSET_PORT) with the dashboard imported, connected to the
# warehouse as bi_reader (THANRAK_WAREHOUSE_URL + THANRAK_BI_READER_PASSWORD); admin login from
# SUPERSET_ADMIN_USER / SUPERSET_ADMIN_PASSWORD. Metadata in var/superset/ (SQLite).
SUPERSET_PORT ?= 8088
superset-dashboard: superset
	$(SUPERSET_VENV)/bin/python bi/superset/manage.py up --port $(SUPERSET_PORT)
