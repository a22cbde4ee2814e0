"""A generated package installs and works as its README says, with what it declares and no more.

Two checks: every module a seed package imports is the standard library's, the package's
own, or a distribution its ``pyproject.toml`` declares; and the README's install command, run
from the repository root into a fresh virtual environment, gives a package that creates and
polls a run against a local server (the versions pinned by ``tests/matrix/highest.lock``, as
constraints, so the install is the same on every run).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from tests.conftest import GENERATED, SEED_PACKAGES
from tests.fakes.parallel_tasks import FakeParallel
from tests.support.server import LocalServer

ROOT = Path(__file__).resolve().parent.parent
# The distribution that provides each module a generated package may import.
PROVIDED_BY = {
    "httpx": "httpx",
    "httpx2": "httpx2",
    "pydantic": "pydantic",
    "typing_extensions": "typing-extensions",
}


def _declared(project: Path) -> set[str]:
    data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    names = (re.match(r"[A-Za-z0-9_.-]+", d) for d in data["project"]["dependencies"])
    return {m.group(0).lower().replace("_", "-") for m in names if m}


def _imported(package_dir: Path) -> set[str]:
    """The top-level modules the package's files import (relative imports aside)."""
    found: set[str] = set()
    for path in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", SEED_PACKAGES)
def test_every_import_is_declared(package: str) -> None:
    project = GENERATED / package
    third_party = _imported(project / package) - set(sys.stdlib_module_names) - {package}
    unknown = third_party - PROVIDED_BY.keys()
    assert not unknown, f"{package} imports modules no known distribution provides: {unknown}"
    undeclared = {PROVIDED_BY[m] for m in third_party} - _declared(project)
    assert not undeclared, f"{package} imports {undeclared} without declaring it"


_SCRIPT = """
import sys
from parallel_tasks import Client

with Client("test-key", base_url=sys.argv[1]) as client:
    run = client.task_runs.create(input="What was the GDP of France in 2023?", processor="base")
    run = client.task_runs.poll_retrieve(run.run_id, poll_interval=0.01, poll_timeout=10)
    print(run.status)
"""


@pytest.mark.slow
def test_readme_install_command_gives_a_working_package(tmp_path: Path) -> None:
    project = GENERATED / "parallel_tasks"
    readme = (project / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^pip install (\S+)", readme, re.MULTILINE)
    assert command, "the README has no install command"
    assert (ROOT / command.group(1)).resolve() == project, command.group(0)

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    pins = [
        line.split(" ")[0] + (" ;" + line.split(";", 1)[1].rstrip(" \\") if ";" in line else "")
        for line in (ROOT / "tests" / "matrix" / "highest.lock").read_text().splitlines()
        if re.match(r"[a-z0-9_.-]+==", line)
    ]
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("\n".join(pins) + "\n")
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(constraints), command.group(1)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(listed.stdout)}
    assert _declared(project) <= installed
    assert not installed & {"pytest", "clientgen", "datamodel-code-generator"}, installed

    with LocalServer(FakeParallel("test-key", steps=["queued", "running", "completed"])) as server:
        run = subprocess.run(
            [str(python), "-c", _SCRIPT, server.url],
            cwd=tmp_path,  # not the repository: only the installed package can be imported
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip() == "completed"
