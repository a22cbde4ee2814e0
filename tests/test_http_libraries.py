"""The HTTP library of a target: ``http = "httpx2"`` (the default) or ``"httpx"``.

The runtime is written once, for the module name ``httpx``; a package on httpx2 ships it with
the library's module (and logger) named ``httpx2`` and declares httpx2 in its pyproject.toml.
The behaviour tests (tests/test_behaviour.py) run every case against a package generated for
each library; here: the setting itself, the files it changes, ``mypy --strict`` over a package
for each, and a package on httpx2 working in a process where httpx cannot be imported.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.config import Target
from generator.emit.render import RUNTIME_FILES
from generator.emit.write import write_tree
from generator.workflow.pipeline import generate
from tests.support.server import LocalServer, Request, Response
from tests.test_cli import run_cli

SPEC = Path(__file__).parent / "behaviour" / "spec.yaml"
WORD_HTTPX = re.compile(r"\bhttpx\b")


def _generate(out: Path, package: str, http: str | None) -> dict[str, str]:
    target = Target(package, "tests/behaviour/spec.yaml")
    if http is not None:
        target = Target(package, "tests/behaviour/spec.yaml", http=http)
    files = generate(SPEC, target).files
    write_tree(out / package, files, package)
    return files


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two packages from one spec: ``on_httpx2`` (the default) and ``on_httpx``."""
    out = tmp_path_factory.mktemp("http_libraries")
    _generate(out, "on_httpx2", None)
    _generate(out, "on_httpx", "httpx")
    return out


def test_httpx2_is_the_default_and_named_throughout(packages: Path) -> None:
    root = packages / "on_httpx2"
    pyproject = (root / "pyproject.toml").read_text()
    assert '"httpx2>=2.0,<3"' in pyproject and '"httpx>=' not in pyproject
    readme = (root / "README.md").read_text()
    assert "built on httpx2" in readme
    # the package's README documents the log switch and the model methods
    assert "ON_HTTPX2_LOG=debug" in readme and "`to_dict()` and `to_json()`" in readme
    for name in RUNTIME_FILES:
        text = (root / "on_httpx2" / name).read_text()
        assert not WORD_HTTPX.search(text), f"{name} names httpx"
    base_client = (root / "on_httpx2" / "_base_client.py").read_text()
    assert "\nimport httpx2\n" in base_client and "httpx2.AsyncClient" in base_client
    # the key-hiding filter sits on the logger httpx2 writes its request lines to
    assert 'logging.getLogger("httpx2")' in (root / "on_httpx2" / "_auth.py").read_text()


def test_httpx_target_keeps_httpx(packages: Path) -> None:
    root = packages / "on_httpx"
    pyproject = (root / "pyproject.toml").read_text()
    assert '"httpx>=0.27,<1"' in pyproject and "httpx2" not in pyproject
    for path in (root / "on_httpx").rglob("*.py"):
        assert "httpx2" not in path.read_text(), path
    assert "\nimport httpx\n" in (root / "on_httpx" / "_client.py").read_text()


def test_runtime_differs_only_in_the_library_name(packages: Path) -> None:
    """The same code (ruff may wrap a line the longer name made too long)."""
    for name in RUNTIME_FILES:
        two = (packages / "on_httpx2" / "on_httpx2" / name).read_text()
        one = (packages / "on_httpx" / "on_httpx" / name).read_text()
        renamed = WORD_HTTPX.sub("httpx2", one)
        assert ast.dump(ast.parse(two)) == ast.dump(ast.parse(renamed)), name


def test_both_packages_pass_mypy_strict(packages: Path) -> None:
    folders = ["on_httpx2/on_httpx2", "on_httpx/on_httpx"]
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *folders],
        cwd=packages,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Run in a fresh interpreter where ``import httpx`` (and httpcore) fails as if not installed.
WITHOUT_HTTPX = textwrap.dedent(
    """
    import asyncio, importlib.abc, sys

    class NotInstalled(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("httpx", "httpcore"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NotInstalled())
    sys.path.insert(0, sys.argv[1])
    import on_httpx2

    url = sys.argv[2]
    with on_httpx2.Client(api_key="k", base_url=url) as client:
        print(client.runs.retrieve("run_1").status)

    async def main():
        async with on_httpx2.AsyncClient(api_key="k", base_url=url) as client:
            print((await client.runs.retrieve("run_1")).status)

    asyncio.run(main())
    assert not any(m.split(".")[0] in ("httpx", "httpcore") for m in sys.modules), sorted(
        m for m in sys.modules if m.startswith("httpx")
    )
    print("httpx" in sys.modules, "httpx2" in sys.modules)
    """
)


def test_httpx2_package_works_without_httpx(packages: Path) -> None:
    run = {"id": "run_1", "status": "running", "created_at": "2026-01-02T03:04:05Z"}

    def handler(request: Request) -> Response:
        return Response(200, json={**run, "priority": 1})

    with LocalServer(handler) as server:
        result = subprocess.run(
            [sys.executable, "-c", WITHOUT_HTTPX, str(packages / "on_httpx2"), server.url],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.stdout.split() == ["running", "running", "False", "True"]
        assert len(server.requests) == 2
    # and the same guard stops the package generated for httpx, so it proves something
    blocked = subprocess.run(
        [
            sys.executable,
            "-c",
            WITHOUT_HTTPX.replace("on_httpx2", "on_httpx"),
            str(packages / "on_httpx"),
            "http://127.0.0.1:9",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert blocked.returncode != 0 and "No module named 'httpx'" in blocked.stderr


def test_cli_http_option_and_a_bad_setting(tmp_path: Path) -> None:
    out = tmp_path / "one_off"
    result = run_cli(
        "generate", str(SPEC), "--output", str(out), "--package", "one_off", "--http", "httpx"
    )
    assert result.returncode == 0, result.stderr
    assert '"httpx>=0.27,<1"' in (out / "pyproject.toml").read_text()

    result = run_cli("generate", "--http", "httpx", cwd=tmp_path)
    assert result.returncode == 2 and "--http go with a SPEC argument" in result.stderr

    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.read_text())
    (tmp_path / "pyproject.toml").write_text(
        '[tool.clientgen.targets.acme]\nspec = "spec.yaml"\nhttp = "requests"\n'
    )
    result = run_cli("generate", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert (
        'pyproject.toml:#/tool/clientgen/targets/acme/http: error: http must be "httpx2" or '
        "\"httpx\", not 'requests'"
    ) in result.stdout + result.stderr
