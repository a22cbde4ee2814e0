"""The command line end to end: generate, check, validate; drift, determinism, bad specs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.cli.commands import main
from tests.conftest import GENERATED, ROOT, SEED_PACKAGES
from tests.support.server import LocalServer, Request, Response
from tests.support.typecheck import in_group

INVALID = Path(__file__).parent / "invalid"
CLIENTGEN = [sys.executable, "-m", "generator"]


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLIENTGEN, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this repository's generation inputs and outputs, to change freely."""
    for name in ("pyproject.toml", "specs", "generated"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    return tmp_path


def test_generated_is_up_to_date() -> None:
    """The drift test: what is committed under generated/ is what the specs produce now
    (regenerated in full, whatever the manifests say)."""
    result = run_cli("check", "--full")
    assert result.returncode == 0, (
        "generated/ is stale; run `make generate` and commit.\n"
        f"{result.stdout[-4000:]}{result.stderr}"
    )


def test_check_names_the_stale_file_after_a_spec_change(project: Path) -> None:
    spec = project / "specs" / "parallel_tasks.yaml"
    text = spec.read_text()
    assert "Retrieves run status by run_id." in text
    spec.write_text(
        text.replace("Retrieves run status by run_id.", "Retrieves the run by its id.", 1)
    )
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert "+++ b/generated/parallel_tasks/parallel_tasks/resources/task_runs.py" in result.stdout
    assert "+        Retrieves the run by its id." in result.stdout
    assert "make generate" in result.stderr
    assert run_cli("generate", "--quiet", cwd=project).returncode == 0
    assert run_cli("check", cwd=project).returncode == 0


def test_check_reports_a_stale_module(project: Path) -> None:
    (project / "generated" / "flora_runs" / "flora_runs" / "old_module.py").write_text("x = 1\n")
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert "generated/flora_runs/flora_runs/old_module.py" in result.stdout
    run_cli("generate", "--quiet", cwd=project)
    assert not (project / "generated" / "flora_runs" / "flora_runs" / "old_module.py").exists()


def test_generation_is_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "12345"):
        out = tmp_path / seed
        result = run_cli(
            "generate",
            "specs/parallel_tasks.yaml",
            "--output",
            str(out),
            "--package",
            "parallel_tasks",
            "--api-key-env",
            "PARALLEL_API_KEY",
            "--no-cache",
            env={"PYTHONHASHSEED": seed},
        )
        assert result.returncode == 0, result.stderr
        outputs.append(tree(out))
    assert outputs[0] == outputs[1]
    # The same bytes as the committed package, but for the folder the README installs.
    install = re.compile(rb"^pip install \S+", re.MULTILINE)
    readme = install.sub(b"pip install ./generated/parallel_tasks", outputs[0]["README.md"])
    assert readme != outputs[0]["README.md"]
    # and the manifest, whose inputs name that folder too
    committed = tree(GENERATED / "parallel_tasks")
    assert outputs[0].keys() == committed.keys()
    del outputs[0]["clientgen-manifest.json"], committed["clientgen-manifest.json"]
    assert {**outputs[0], "README.md": readme} == committed


def test_generate_writes_only_changed_files(project: Path) -> None:
    first = run_cli("generate", cwd=project)
    assert first.returncode == 0 and "(0 changed)" in first.stdout
    lines = first.stdout.splitlines()
    assert [line.split(":")[0] for line in lines if "operations" in line] == [
        *SEED_PACKAGES,
        "total",  # the one-line summary of the whole run
    ]
    assert lines[-1].startswith(f"total: {len(SEED_PACKAGES)} targets, ")


OUTSIDE_SPEC = """
openapi: 3.1.0
info: {title: Outside Jobs, version: 2.1.0}
servers: [{url: 'https://jobs.example.com/api'}]
security: [{KeyHeader: []}]
tags: [{name: Jobs}]
paths:
  /jobs:
    post:
      operationId: createJob
      tags: [Jobs]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [task]
              properties:
                task: {type: string}
                notify:
                  anyOf: [{type: string, format: uri}, {type: 'null'}]
      responses:
        '202':
          description: Accepted.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Job'}
        '422':
          description: Invalid.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Problem'}
  /jobs/{job_id}:
    get:
      operationId: getJob
      tags: [Jobs]
      parameters:
        - {name: job_id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: The job.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Job'}
        '404':
          description: Missing.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Problem'}
components:
  securitySchemes:
    KeyHeader: {type: apiKey, in: header, name: X-Jobs-Key}
  schemas:
    Job:
      type: object
      required: [job_id, state]
      properties:
        job_id: {type: string}
        state:
          allOf: [{$ref: '#/components/schemas/JobState'}]
          description: Lifecycle state.
        result:
          anyOf: [{type: string}, {type: 'null'}]
    JobState:
      type: string
      enum: [pending, working, done, broken]
    Problem:
      type: object
      required: [detail]
      properties:
        detail: {type: string}
"""

DRIVER = """
import asyncio, sys
from outside_jobs import AsyncClient, Client, errors, models

url = sys.argv[1]
with Client(api_key="outside-key", base_url=url) as client:
    job = client.jobs.create(task="paint")
    assert isinstance(job, models.Job) and job.state == "pending", job
    assert client.jobs.get("job_1").result == "done"
    try:
        client.jobs.get("missing")
    except errors.NotFoundError as exc:
        assert isinstance(exc.body, models.Problem) and exc.body.detail == "no such job"
    else:
        raise AssertionError("expected NotFoundError")

async def main() -> None:
    async with AsyncClient(api_key="outside-key", base_url=url) as client:
        job = await client.jobs.create(task="paint", notify=None)
        assert job.job_id == "job_1"
        assert (await client.jobs.get("job_1")).state == "done"

asyncio.run(main())
print("outside client works")
"""


def test_one_off_generation_of_a_spec_from_outside_the_repo(tmp_path: Path) -> None:
    spec = tmp_path / "elsewhere" / "jobs.yaml"
    spec.parent.mkdir()
    spec.write_text(textwrap.dedent(OUTSIDE_SPEC))
    out = tmp_path / "outside-client"
    result = run_cli(
        "generate", str(spec), "--output", str(out), "--package", "outside_jobs", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert {
        "pyproject.toml",
        "README.md",
        "outside_jobs/__init__.py",
        "outside_jobs/client.py",
        "outside_jobs/async_client.py",
        "outside_jobs/resources/__init__.py",
        "outside_jobs/resources/jobs.py",
        "outside_jobs/models/__init__.py",
        "outside_jobs/py.typed",
    } <= set(tree(out))

    def handler(request: Request) -> Response:
        if request.headers.get("x-jobs-key") != "outside-key":
            return Response(401, json={"detail": "no key"})
        if request.method == "POST":
            body = request.json()
            assert body == {"task": "paint"} or body == {"task": "paint", "notify": None}, body
            return Response(202, json={"job_id": "job_1", "state": "pending"})
        if request.path.endswith("/missing"):
            return Response(404, json={"detail": "no such job"})
        return Response(200, json={"job_id": "job_1", "state": "done", "result": "done"})

    with LocalServer(handler) as server:
        driver = subprocess.run(
            [sys.executable, "-c", DRIVER, server.url],
            cwd=out,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(out)},
        )
    assert driver.returncode == 0, driver.stderr
    assert "outside client works" in driver.stdout
    assert [r.method for r in server.requests] == ["POST", "GET", "GET", "POST", "GET"]


@pytest.mark.parametrize("spec", sorted(INVALID.glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_specs_get_a_pointer_and_exit_1(
    spec: Path, update_golden: bool, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = spec.relative_to(ROOT).as_posix()
    code = main(["generate", name, "--output", str(tmp_path / "out"), "--package", "bad"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
    expected_file = spec.with_suffix(".expected")
    if update_golden:
        expected_file.write_text(err)
    assert err == expected_file.read_text(), (
        "diagnostics changed; review and run `UPDATE_GOLDEN=1 make test` to accept"
    )
    assert err.startswith(f"{name}:#"), err


def test_validate_prints_diagnostics_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["validate", "specs/parallel_tasks.yaml"]) == 0
    assert capsys.readouterr().out.strip() == "specs/parallel_tasks.yaml: valid"
    warned = tmp_path / "warned.yaml"
    warned.write_text(
        "openapi: 3.1.0\ninfo: {title: Warned, version: '1'}\npaths: {}\n"
        "components: {securitySchemes: {tls: {type: mutualTLS}}}\n"
    )
    assert main(["validate", str(warned)]) == 0  # warnings only: still exit 0
    assert "security scheme 'tls' is not supported" in capsys.readouterr().err
    assert main(["validate", "tests/invalid/missing_info.yaml"]) == 1


def test_warnings_and_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "warn.yaml"
    spec.write_text(
        textwrap.dedent("""
        openapi: 3.1.0
        info: {title: Warn, version: "1"}
        paths:
          /things:
            get:
              operationId: listThings
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {type: array, items: {type: string}}
              x-stray: true
              unknownKey: 1
    """)
    )
    assert main(["generate", str(spec), "-o", str(tmp_path / "out"), "-p", "warn"]) == 0
    err = capsys.readouterr().err
    assert f"{spec}:#/paths/~1things/get: warning:" in err and "unknownKey" in err
    assert (
        main(["generate", str(spec), "-o", str(tmp_path / "strict"), "-p", "warn", "--strict"]) == 1
    )
    assert ": error:" in capsys.readouterr().err


def test_internal_errors_are_reported_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("generator.cli.commands.generate", broken)
    monkeypatch.chdir(ROOT)
    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err
    with pytest.raises(RuntimeError):
        main(["--debug", "generate"])


@in_group
def test_generated_packages_pass_mypy_strict(mypy_report: dict[str, list[str]]) -> None:
    errors = [line for package in SEED_PACKAGES for line in mypy_report[package]]
    assert not errors, "\n".join(errors[:50])


def test_generated_packages_pass_ruff() -> None:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    for package in SEED_PACKAGES:
        folder = GENERATED / package
        for args in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
            result = subprocess.run(
                [str(find_ruff_bin()), *args],
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, (
                f"{package}: ruff {args[0]}\n{result.stdout}{result.stderr}"
            )


def test_generated_packages_depend_on_httpx2_and_pydantic_only() -> None:
    import ast

    allowed = {"httpx2", "pydantic", "typing_extensions", "__future__"}
    stdlib = set(sys.stdlib_module_names)
    for package in SEED_PACKAGES:
        pyproject = (GENERATED / package / "pyproject.toml").read_text()
        assert '"httpx2>=' in pyproject and '"pydantic>=' in pyproject
        assert '"httpx>=' not in pyproject
        for module in (GENERATED / package / package).glob("*.py"):
            for node in ast.walk(ast.parse(module.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    assert top in allowed | {package} or top in stdlib, f"{module}: imports {name}"
