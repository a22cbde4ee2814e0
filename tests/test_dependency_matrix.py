"""The seed packages at the lowest and the highest httpx and pydantic their pyproject.toml allows.

``tests/matrix/lowest.lock`` and ``highest.lock`` are resolved by ``make lock`` from a seed
package's own ``pyproject.toml`` (the same dependencies for every package), the first with
the lowest version of each direct dependency, the second with the highest, plus the test
runner. Each lock is installed into its own virtual environment (kept in ``.cache/matrix``
under the lock's hash) and runs ``tests/test_seed_clients.py`` there, with every warning an
error: a package must neither fail nor warn on the oldest library it accepts.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MATRIX = ROOT / "tests" / "matrix"
CACHE = ROOT / ".cache" / "matrix"
EXPECTED = {
    "lowest": {"httpx": "0.27.0", "pydantic": "2.7.0"},
    "highest": {"httpx": "0.28.1", "pydantic": "2.14.4"},
}


def _environment(lock: Path) -> Path:
    """The interpreter of a virtual environment holding exactly what ``lock`` pins."""
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
    folder = CACHE / f"{lock.stem}-{digest}"
    python = folder / "bin" / "python"
    if (folder / ".complete").is_file():
        return python
    shutil.rmtree(folder, ignore_errors=True)
    venv.create(folder, with_pip=True)
    install = [str(python), "-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps"]
    result = subprocess.run(
        [*install, "-r", str(lock)], capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        pytest.fail(f"pip could not install {lock.name} (is PyPI reachable?):\n{tail}")
    (folder / ".complete").write_text(digest)
    return python


@pytest.mark.slow
@pytest.mark.parametrize("bound", sorted(EXPECTED))
def test_seed_clients_pass_at_each_end_of_the_declared_range(bound: str) -> None:
    python = _environment(MATRIX / f"{bound}.lock")
    versions = subprocess.run(
        [str(python), "-c", "import httpx, pydantic; print(httpx.__version__, pydantic.VERSION)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert dict(zip(("httpx", "pydantic"), versions, strict=True)) == EXPECTED[bound]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    run = subprocess.run(
        [
            str(python),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "error",
            "tests/test_seed_clients.py",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    summary = run.stdout.strip().splitlines()[-1:] or ["(no output)"]
    sys.stdout.write(f"{bound} (httpx {versions[0]}, pydantic {versions[1]}): {summary[0]}\n")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
