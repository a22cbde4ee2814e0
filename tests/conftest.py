"""Shared test setup: the generated seed packages importable, golden update flag, anyio, and
the tables printed at the end of a run (the corpus, and conformance against Prism)."""

from __future__ import annotations

import json
import os
import shutil
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


@pytest.fixture(scope="session")
def typed_projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the typed projects (``tests/support/typecheck.py``); each group of
    projects is written by its own fixture, when a test asks for it."""
    return tmp_path_factory.mktemp("typed_projects")


@pytest.fixture(scope="session")
def golden_projects(typed_projects: Path) -> Path:
    """The golden cases' and bug specs' projects, in ``typed_projects``."""
    from tests.support.typecheck import write_projects
    from tests.test_golden import golden_files

    write_projects(typed_projects, golden_files())
    return typed_projects


@pytest.fixture(scope="session")
def hostile_projects(typed_projects: Path) -> Path:
    """The hostile specs' projects, in ``typed_projects``."""
    from tests.support.typecheck import write_projects
    from tests.test_hostile import hostile_generations

    write_projects(typed_projects, {name: g.files for name, g in hostile_generations().items()})
    return typed_projects


@pytest.fixture(scope="session")
def seed_projects(typed_projects: Path) -> Path:
    """The committed seed packages, copied into ``typed_projects``."""
    for package in SEED_PACKAGES:
        shutil.copytree(
            GENERATED / package / package,
            typed_projects / package / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    return typed_projects


@pytest.fixture(scope="session")
def mypy_report(
    golden_projects: Path, hostile_projects: Path, seed_projects: Path
) -> dict[str, list[str]]:
    """package -> its ``mypy --strict`` errors, for every typed project, from one run."""
    from tests.support.typecheck import mypy_strict

    root = golden_projects
    return mypy_strict(root, sorted(p.name for p in root.iterdir()))


_CONFORMANCE_ROWS: list[dict[str, object]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Rows of tests/test_conformance.py, from this process or an xdist worker."""
    if report.when == "call":
        for name, value in report.user_properties:
            if name == "conformance" and isinstance(value, str):
                _CONFORMANCE_ROWS.append(json.loads(value))


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
    if _CONFORMANCE_ROWS:
        from tests.test_conformance import conformance_table

        for line in conformance_table(_CONFORMANCE_ROWS):
            terminalreporter.write_line(line)
