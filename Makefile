# The two commands a new user needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: install install-dev run serve migrate seed test fuzz fuzz-live lint format check clean bench-data bench bench-editor soak openapi client client-check purge-proxy

# One virtual environment, pinned by constraints.txt: what serving needs (`make run`), and the
# dev tools on top of it only for the targets that use them (`make test`, `make lint`, …).
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt
$(VENV)/.installed-app: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-app
	$(PIP_INSTALL) -e '.[dev]'
	touch $@

install: $(VENV)/.installed-app
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/content-api migrate

seed: migrate
	$(BIN)/content-api seed

## make run: install, migrate, seed, then serve on http://$(HOST):$(PORT) (DATABASE_URL honoured)
run: seed
	$(BIN)/content-api serve

serve: install
	$(BIN)/content-api serve

## make purge-proxy: purge the caches in PROXY_PURGE_URLS by surrogate key when content changes
purge-proxy: install
	$(BIN)/content-api purge-proxy

## make test: the whole suite on SQLite, and on PostgreSQL too when TEST_POSTGRES_URL is set: the
## in-process tests on every core, then the `serial` ones (servers, databases and a browser as
## processes, wall-clock bounds) alone; coverage adds up over both runs
test: install-dev
	$(BIN)/pytest -n auto -m "not serial" --cov --cov-report= --cov-fail-under=0
	$(BIN)/pytest -m serial --cov --cov-append --cov-report=term

## make fuzz: the contract fuzzing with many random examples per operation (FUZZ_EXAMPLES)
FUZZ_EXAMPLES ?= 500
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 $(BIN)/pytest tests/test_fuzz.py -p no:cacheprovider -q
	FUZZ_EDITOR_EXAMPLES=20 FUZZ_EDITOR_SCENARIOS=50 FUZZ_EDITOR_COVERAGE=1 FUZZ_RANDOM=1 \
		$(BIN)/pytest tests/test_fuzz_editor.py -p no:cacheprovider -q

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint test

## make fuzz-live: the plain schemathesis command line against a running server (URL, default
## http://127.0.0.1:8000), every phase and check, no hooks
URL ?= http://$(HOST):$(PORT)
fuzz-live: install-dev
	$(BIN)/schemathesis run $(URL)/api/v1/openapi.json --checks all --max-examples $(FUZZ_EXAMPLES)

## make bench-data: fill DATABASE_URL (default bench/data/bench.db) with NEWS news and EVENTS events
BENCH_DATABASE_URL ?= sqlite:///bench/data/bench.db
bench-data: install-dev
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} $(BIN)/python -m bench.generate

# Datasette, the peer baseline, lives in its own environment.
.venv-bench/.installed: bench/requirements.txt
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

## make bench: run the benchmark against DATABASE_URL (needs wrk; see bench/README.md)
bench: install-dev .venv-bench/.installed
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} $(BIN)/python -m bench.run

## make bench-search: search, suggest and lang=ru lists on the benchmark data (bench/search.py)
bench-search: install-dev .venv-bench/.installed
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} $(BIN)/python -m bench.search

## make openapi: capture the examples (api/openapi_examples.json) from the seed data, then write
## the document to openapi.json; tests fail when either differs from what the app answers
openapi: install-dev
	UPDATE_OPENAPI=1 $(BIN)/pytest tests/test_openapi.py -p no:randomly -q --no-cov -k examples
	UPDATE_OPENAPI=1 $(BIN)/pytest tests/test_openapi.py -p no:randomly -q --no-cov -k committed

## make client: regenerate the TypeScript client's types from openapi.json (Node 20 + npm)
client:
	cd clients/typescript && npm ci --no-audit --no-fund --silent && npm run --silent generate

## make client-check: generate, type-check and build the client, then check it against a server
client-check: install-dev
	bash clients/typescript/run-check.sh

## make bench-editor: reads with and without editors saving (PATCH with If-Match) on 2 workers,
## and how soon a save is seen on the public API (PostgreSQL DATABASE_URL; needs wrk)
bench-editor: install-dev
	$(BIN)/python -m bench.editor

## make soak: mixed traffic for SOAK_SECONDS (300) against 2 workers on DATABASE_URL (PostgreSQL)
soak: install-dev
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) .venv-bench .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
