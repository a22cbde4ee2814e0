"""Golden files: each tests/golden/<case>/spec.yaml pins one spec pattern's whole output.

A case's ``expected/`` tree is what the generator produces for its spec, minus the static
runtime modules (the same in every package; generated/ pins them). On a difference the test
prints a unified diff; after reviewing it, accept the new output with
``UPDATE_GOLDEN=1 make test`` or ``pytest --update-golden``.

The generated packages must also pass ``mypy --strict``, ``ruff check`` and
``ruff format --check``, and import and construct both clients.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.build_ir import Target
from generator.pipeline import Generated, generate

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "spec.yaml").is_file())
RUNTIME_FILES = ("_base.py", "_streaming.py", "errors.py")
DIFF_LINES = 200
UPDATE_HINT = (
    "golden files differ; review and run `UPDATE_GOLDEN=1 make test` "
    "(or `pytest --update-golden`) to accept"
)


def _generate(case: str) -> Generated:
    spec_name = f"tests/golden/{case}/spec.yaml"
    return generate(
        GOLDEN / case / "spec.yaml",
        Target(package=case, spec_name=spec_name),
        display=spec_name,
    )


def _pinned(case: str, files: dict[str, bytes]) -> dict[str, bytes]:
    """The generated files a golden tree holds: all but the static runtime modules."""
    runtime = {f"{case}/{name}" for name in RUNTIME_FILES}
    return {path: data for path, data in files.items() if path not in runtime}


def _expected(case: str) -> dict[str, bytes]:
    root = GOLDEN / case / "expected"
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _diff(name: str, expected: bytes | None, actual: bytes | None) -> list[str]:
    def lines(data: bytes | None) -> list[str]:
        return [] if data is None else data.decode("utf-8", "replace").splitlines(keepends=True)

    return list(
        difflib.unified_diff(
            lines(expected),
            lines(actual),
            fromfile=f"expected/{name}" if expected is not None else "/dev/null",
            tofile=f"generated/{name}" if actual is not None else "/dev/null",
        )
    )


def _write_expected(case: str, files: dict[str, bytes]) -> None:
    root = GOLDEN / case / "expected"
    for name in _expected(case).keys() - files.keys():
        (root / name).unlink()
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    for directory in sorted(root.rglob("*"), reverse=True):  # drop emptied folders
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, update_golden: bool) -> None:
    actual = _pinned(case, _generate(case).files)
    if update_golden:
        _write_expected(case, actual)
        return
    expected = _expected(case)
    diff: list[str] = []
    for name in sorted(expected.keys() | actual.keys()):
        if expected.get(name) != actual.get(name):
            diff += _diff(name, expected.get(name), actual.get(name))
    if diff:
        shown = "".join(diff[:DIFF_LINES])
        more = f"\n... {len(diff) - DIFF_LINES} more diff lines" if len(diff) > DIFF_LINES else ""
        pytest.fail(f"{UPDATE_HINT}\n\n{shown}{more}", pytrace=False)


def test_cases_exist() -> None:
    assert len(CASES) >= 14, CASES


@pytest.mark.parametrize("case", CASES)
def test_expected_tree_holds_only_generated_files(case: str, update_golden: bool) -> None:
    if update_golden:
        pytest.skip("the update run rewrites the trees")
    produced = set(_pinned(case, _generate(case).files))
    stale = sorted(set(_expected(case)) - produced)
    assert not stale, f"files in tests/golden/{case}/expected that are not generated: {stale}"
    runtime = sorted(set(_expected(case)) & {f"{case}/{name}" for name in RUNTIME_FILES})
    assert not runtime, f"runtime modules are not pinned here: {runtime}"


# -- the generated code type-checks, lints and imports ---------------------------------------


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every case's generated package, runtime modules included, side by side."""
    root = tmp_path_factory.mktemp("golden_packages")
    for case in CASES:
        for name, data in _generate(case).files.items():
            if name.startswith(f"{case}/"):
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    return root


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.mark.slow
def test_generated_packages_pass_mypy_strict(packages: Path) -> None:
    result = _run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(packages / ".mypy_cache"),
            *CASES,
        ],
        packages,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _ruff() -> str:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    return str(find_ruff_bin())


RUFF_SETTINGS = ["--isolated", "--line-length", "100", "--target-version", "py310"]


def test_generated_packages_pass_ruff_check(packages: Path) -> None:
    result = _run([_ruff(), "check", *RUFF_SETTINGS, *CASES], packages)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_packages_are_ruff_formatted(packages: Path) -> None:
    result = _run([_ruff(), "format", "--check", *RUFF_SETTINGS, *CASES], packages)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_packages_import_and_construct_clients(packages: Path) -> None:
    script = textwrap.dedent(
        """
        import asyncio
        import importlib
        import sys

        for case in sys.argv[1:]:
            package = importlib.import_module(case)
            client = package.Client(api_key="k", base_url="http://127.0.0.1:1")
            client.close()
            aclient = package.AsyncClient(api_key="k", base_url="http://127.0.0.1:1")
            asyncio.run(aclient.close())
            importlib.import_module(case + ".models")
            print(case, "ok")
        """
    )
    result = _run([sys.executable, "-c", script, *CASES], packages)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == [word for case in CASES for word in (case, "ok")]


def test_runtime_modules_match_the_seed_packages() -> None:
    """The runtime modules left out of the golden trees are the ones generated/ pins."""
    case = CASES[0]
    files = _generate(case).files
    seed = ROOT / "generated" / "parallel_tasks" / "parallel_tasks"
    for name in RUNTIME_FILES:
        ours = files[f"{case}/{name}"].decode().split("\n", 1)[1]
        theirs = (seed / name).read_text(encoding="utf-8").split("\n", 1)[1]
        assert ours == theirs, name

