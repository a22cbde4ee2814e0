"""One ``mypy --strict`` run over the generated packages the suite type-checks.

The golden cases and the known-bug specs (``tests/test_golden.py``), the committed seed
packages (``generated/``) and the hostile specs' packages (``tests/test_hostile.py``) are
written side by side into one folder, one project each, and checked by one mypy process: its
start-up and the runtime modules every package shares are paid once. The tests that read the
report, or the projects, carry the ``xdist_group`` mark ``GROUP`` so that under pytest-xdist
one worker builds them once (``make test`` runs ``--dist loadgroup``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

GROUP = "typed_projects"
in_group = pytest.mark.xdist_group(GROUP)


def write_projects(root: Path, projects: dict[str, dict[str, bytes]]) -> None:
    """Each project's files under ``root/<project>/``; a project's package is its name."""
    for project, files in projects.items():
        for name, data in files.items():
            path = root / project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def mypy_strict(root: Path, packages: list[str]) -> dict[str, list[str]]:
    """package -> its ``mypy --strict`` error lines, from one run over all of them."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--no-error-summary"]
        + [f"{p}/{p}" for p in packages],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 1) or result.stderr.strip():
        pytest.fail(f"mypy did not run:\n{result.stdout}{result.stderr}")
    report: dict[str, list[str]] = {p: [] for p in packages}
    for line in result.stdout.splitlines():
        package = line.split("/", 1)[0]
        if package in report and ": error:" in line:
            report[package].append(line)
    return report
