# clientgen: `make generate` and `make test` are all a fresh machine needs (Python 3.10+ and make).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: generate check test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

generate: $(STAMP)  ## regenerate every package under generated/ from specs/
	$(BIN)/clientgen generate

check: $(STAMP)  ## exit 1 with a diff when generated/ is stale
	$(BIN)/clientgen check

lint: $(STAMP)  ## the generator's own code: ruff and mypy --strict
	$(BIN)/ruff check generator tests
	$(BIN)/mypy

test: $(STAMP)  ## the whole suite (UPDATE_GOLDEN=1 rewrites golden files)
	$(BIN)/ruff check generator tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: $(STAMP)  ## benchmarks (see bench/README.md)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
