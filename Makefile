# clientgen: `make generate` and `make test` are all a fresh machine needs (Python 3.10+ and make).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Every package of the environment, pinned with hashes; `make lock` is the one way it changes.
LOCK := requirements.lock
LOCK_TOOL := uv==0.13.9

.PHONY: generate check test test-fast lint bench lock clean

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

generate: $(STAMP)  ## regenerate every package under generated/ from specs/
	$(BIN)/clientgen generate

check: $(STAMP)  ## exit 1 with a diff when generated/ is stale
	$(BIN)/clientgen check

# pytest-xdist: one worker per CPU; tests that share the typed projects run on one worker.
WORKERS ?= auto
XDIST := -n $(WORKERS) --dist loadgroup
# The inner loop: unit tests of each stage, the layout, and the golden cases (no servers,
# corpora or large specs); under a minute on two CPUs. One process: the golden cases are
# generated once (a second worker would generate them again).
FAST_TESTS := tests/test_generator_layout.py tests/test_golden.py tests/test_normalize.py \
	tests/test_hoist.py tests/test_naming.py tests/test_literals.py tests/test_polling.py \
	tests/test_load.py tests/test_models_stage.py tests/test_model_modules.py tests/test_console.py \
	tests/test_types.py

lint: $(STAMP)  ## the generator and the runtime it copies (templates/runtime): ruff, mypy --strict
	$(BIN)/ruff check generator tests templates/runtime
	$(BIN)/ruff format --check generator tests templates/runtime
	$(BIN)/mypy

test-fast: $(STAMP)  ## unit and golden tests (UPDATE_GOLDEN=1 rewrites golden files)
	$(BIN)/python -m pytest -q -n 0 -m "not slow" $(FAST_TESTS)

test: $(STAMP)  ## the whole suite, in parallel (UPDATE_GOLDEN=1 rewrites golden files)
	$(BIN)/ruff check generator tests templates/runtime
	$(BIN)/ruff format --check generator tests templates/runtime
	$(BIN)/mypy
	$(BIN)/python -m pytest -q --durations=15 $(XDIST)

bench: $(STAMP)  ## benchmarks (see bench/README.md)
	$(BIN)/python bench/run.py

lock:  ## re-resolve requirements.lock from pyproject.toml (every Python from 3.10, hashes),
       ## and tests/matrix/*.lock: a seed package's dependencies at their lowest and highest
	test -x .cache/lock/bin/uv || ($(PYTHON) -m venv .cache/lock && .cache/lock/bin/python -m pip install --quiet $(LOCK_TOOL))
	printf "hatchling\neditables\n" | .cache/lock/bin/uv pip compile pyproject.toml - --extra dev \
	  --universal --python-version 3.10 --generate-hashes --quiet -o $(LOCK)
	for bound in lowest-direct highest; do \
	  printf "pytest==9.2.0\npytest-timeout==2.4.0\nanyio==4.16.0\n" | .cache/lock/bin/uv pip compile \
	    generated/parallel_tasks/pyproject.toml - --resolution $$bound \
	    --universal --python-version 3.10 --generate-hashes --quiet -o tests/matrix/$${bound%-direct}.lock; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
