# The two commands a new user needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: install run serve migrate seed test lint format check clean

# One virtual environment with the app and its dev tools, pinned by constraints.txt.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/content-api migrate

seed: migrate
	$(BIN)/content-api seed

## make run: install, migrate, seed, then serve on http://$(HOST):$(PORT) (DATABASE_URL honoured)
run: seed
	$(BIN)/content-api serve

serve: install
	$(BIN)/content-api serve

## make test: the whole suite on SQLite, and on PostgreSQL too when TEST_POSTGRES_URL is set
test: install
	$(BIN)/pytest --cov --cov-report=term

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
