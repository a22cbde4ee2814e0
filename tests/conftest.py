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

# generated code, never collected (a golden resource module may be named test_*.py)
collect_ignore = ["golden"]

for _package in SEED_PACKAGES:
    _path = str(GENERATED / _package)
    if _path not in sys.path:
        sys.path.insert(0, _path)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook; the matrix venvs have no xdist
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: one worker per CPU this run may use, counting a container's CPU quota (a CI
    runner that sees every CPU of a large machine but may use two gets two workers, not one
    per CPU it sees). ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides when set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    from generator.models.pool import usable_cpus

    return usable_cpus()


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
# The test this process runs after the current one (None at the end): lets a test start the
# next one's slow dependencies early (tests/test_conformance.py starts its Prism server).
NEXT_ITEM = pytest.StashKey[pytest.Item | None]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    item.stash[NEXT_ITEM] = nextitem


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Rows of tests/test_conformance.py, from this process or an xdist worker."""
    if report.when == "call":
        for name, value in report.user_properties:
            if name == "conformance" and isinstance(value, str):
                _CONFORMANCE_ROWS.append(json.loads(value))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    corpus = sys.modules.get("tests.test_corpus")  # None: the run did not collect it
    results = config.stash.get(corpus.CORPUS_TABLE, None) if corpus is not None else None
    if corpus is not None and results:
        for line in corpus.pytest_terminal_summary_table(results):
            terminalreporter.write_line(line)
    if _CONFORMANCE_ROWS:
        from tests.test_conformance import conformance_table

        for line in conformance_table(_CONFORMANCE_ROWS):
            terminalreporter.write_line(line)
    peer_table(terminalreporter)


def peer_table(terminalreporter: pytest.TerminalReporter) -> None:
    """The peer corpus (tests/test_peer_corpus.py) in two lines, counted from the test
    reports (which, unlike a fixture's data, come back from every pytest-xdist worker)."""
    rows = {
        "test_valid_document_generates_type_checks_and_builds": "documents OK / valid",
        "test_invalid_document_gets_a_clean_diagnostic": "clean diagnostics / invalid",
    }
    counts = {test: [0, 0] for test in rows}
    for status in ("passed", "failed", "error", "xfailed"):  # xfailed: a known failure
        for report in terminalreporter.stats.get(status, []):
            nodeid = getattr(report, "nodeid", "")
            if getattr(report, "when", "call") != "call" and status != "error":
                continue
            test = nodeid.partition("::")[2].partition("[")[0]
            if nodeid.startswith("tests/test_peer_corpus.py::") and test in counts:
                counts[test][0] += status == "passed"
                counts[test][1] += 1
    if any(total for _, total in counts.values()):
        terminalreporter.write_sep("-", "datamodel-code-generator's documents (peer corpus)")
        for test, label in rows.items():
            passed, total = counts[test]
            terminalreporter.write_line(f"{passed:>4} / {total:<4} {label}")
