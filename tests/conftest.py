"""Shared test setup: the generated seed packages importable, golden update flag, anyio."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
SEED_PACKAGES = ("ai21_maestro", "crewship_runs", "flora_runs", "parallel_tasks", "praisonai_jobs")

for _package in SEED_PACKAGES:
    _path = str(GENERATED / _package)
    if _path not in sys.path:
        sys.path.insert(0, _path)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files (tests/golden/*/expected) instead of comparing",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return (
        bool(request.config.getoption("--update-golden")) or os.environ.get("UPDATE_GOLDEN") == "1"
    )


@pytest.fixture(autouse=True)
def _clientgen_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test its own, empty generation cache (never the repository's .cache/clientgen)."""
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path_factory.mktemp("clientgen-cache")))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    corpus = sys.modules.get("tests.test_corpus")  # not imported: the run did not collect it
    if corpus is None:
        return
    results = config.stash.get(corpus.CORPUS_TABLE, None)
    if results:
        for line in corpus.pytest_terminal_summary_table(results):
            terminalreporter.write_line(line)
