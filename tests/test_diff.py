"""`clientgen diff`: one pair of spec versions per kind of API change, the seed specs,
`diff --git`, the summary `check` prints, and the pre-commit hook."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli.commands import main
from tests.conftest import ROOT

BASE = yaml.safe_load("""
openapi: 3.1.0
info: {title: Runs, version: "1"}
paths:
  /runs:
    post:
      operationId: createRun
      tags: [Runs]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [input]
              properties:
                input: {type: string}
                priority: {type: integer}
      responses:
        '200':
          description: Created.
          content: {application/json: {schema: {$ref: '#/components/schemas/Run'}}}
        '422':
          description: Invalid.
          content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}
  /runs/{run_id}:
    get:
      operationId: getRun
      tags: [Runs]
      parameters:
        - {name: run_id, in: path, required: true, schema: {type: string}}
        - {name: expand, in: query, schema: {type: string, enum: [input, output, events]}}
      responses:
        '200':
          description: The run.
          content: {application/json: {schema: {$ref: '#/components/schemas/Run'}}}
        '404':
          description: Missing.
          content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}
components:
  schemas:
    Run:
      type: object
      required: [run_id, status]
      properties:
        run_id: {type: string}
        status: {$ref: '#/components/schemas/RunStatus'}
        output: {type: string}
        mode: {type: string, enum: [fast, slow]}
    RunStatus: {type: string, enum: [queued, running, completed, failed]}
    RunId: {type: string}
    Problem:
      type: object
      required: [detail]
      properties:
        detail: {type: string}
""")

Spec = dict[str, Any]


def _get(spec: Spec) -> Spec:
    return spec["paths"]["/runs/{run_id}"]["get"]


def _create(spec: Spec) -> Spec:
    return spec["paths"]["/runs"]["post"]


def _body(spec: Spec) -> Spec:
    return _create(spec)["requestBody"]["content"]["application/json"]["schema"]


def _model(spec: Spec, name: str) -> Spec:
    return spec["components"]["schemas"][name]


def add_method(spec: Spec) -> None:
    spec["paths"]["/runs/{run_id}/cancel"] = {
        "post": {
            "operationId": "cancelRun",
            "tags": ["Runs"],
            "parameters": [copy.deepcopy(_get(spec)["parameters"][0])],
            "responses": {"204": {"description": "Cancelled."}},
        }
    }


def untag_method(spec: Spec) -> None:
    """The GET loses its tag and operationId: it moves to the resource its path names and is
    named by REST habit (``runs.get`` -> ``runs.retrieve``)."""
    del _get(spec)["tags"], _get(spec)["operationId"]


def remove_method(spec: Spec) -> None:
    del spec["paths"]["/runs/{run_id}"]


def add_parameters(spec: Spec) -> None:
    _get(spec)["parameters"].append({"name": "limit", "in": "query", "schema": {"type": "integer"}})
    _body(spec)["properties"]["region"] = {"type": "string"}
    _body(spec)["required"].append("region")


def remove_parameter(spec: Spec) -> None:
    del _get(spec)["parameters"][1]


def flip_required_parameters(spec: Spec) -> None:
    _body(spec)["required"] = ["priority"]


def change_parameter_type(spec: Spec) -> None:
    _get(spec)["parameters"][0]["schema"] = {"type": "integer"}


def add_and_remove_fields(spec: Spec) -> None:
    properties = _model(spec, "Run")["properties"]
    del properties["output"]
    properties["created_at"] = {"type": "string", "format": "date-time"}
    properties["tags"] = {"type": "array", "items": {"type": "string"}}
    _model(spec, "Run")["required"].append("created_at")


def flip_required_fields(spec: Spec) -> None:
    _model(spec, "Run")["required"] = ["run_id", "output"]


def change_field_type(spec: Spec) -> None:
    _model(spec, "Problem")["properties"]["detail"] = {"type": "array", "items": {"type": "string"}}


def add_enum_values(spec: Spec) -> None:
    _model(spec, "RunStatus")["enum"].append("cancelled")
    _model(spec, "Run")["properties"]["mode"]["enum"].append("medium")


def remove_enum_values(spec: Spec) -> None:
    _model(spec, "RunStatus")["enum"].remove("queued")
    _get(spec)["parameters"][1]["schema"]["enum"].remove("input")


def change_error_responses(spec: Spec) -> None:
    responses = _get(spec)["responses"]
    del responses["404"]
    responses["429"] = copy.deepcopy(_create(spec)["responses"]["422"])
    _create(spec)["responses"]["422"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/RunId"
    }


def change_response_type(spec: Spec) -> None:
    _get(spec)["responses"]["200"]["content"]["application/json"]["schema"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Run"},
    }


def add_model(spec: Spec) -> None:
    spec["components"]["schemas"]["Label"] = {"type": "string", "enum": ["red", "blue"]}


def change_alias_type(spec: Spec) -> None:
    spec["components"]["schemas"]["RunId"] = {"type": "integer"}


CASES: list[tuple[str, Callable[[Spec], None], list[str]]] = [
    ("method added", add_method, ["safe      runs.cancel: method added"]),
    (
        "method renamed",
        untag_method,
        [
            "breaking  runs.get: method renamed: now `runs.retrieve` (GET /runs/{run_id})",
            "breaking  runs.poll_get: method renamed: now `runs.poll_retrieve`",
        ],
    ),
    (
        "method removed",
        remove_method,
        [
            # the create-and-poll and poll helpers go with the pollable GET
            "breaking  runs.create_and_poll: method removed",
            "breaking  runs.get: method removed",
            "breaking  runs.poll_get: method removed",
        ],
    ),
    (
        "parameters added",
        add_parameters,
        [
            "breaking  runs.create: required parameter `region` added (str)",
            "safe      runs.get: optional parameter `limit` added (int)",
            "breaking  models.CreateRunRequest: required field `region` added (str)",
        ],
    ),
    ("parameter removed", remove_parameter, ["breaking  runs.get: parameter `expand` removed"]),
    (
        "parameter became required or optional",
        flip_required_parameters,
        [
            "safe      runs.create: parameter `input` became optional",
            "breaking  runs.create: parameter `priority` became required",
            "safe      models.CreateRunRequest: field `input` became optional",
            "breaking  models.CreateRunRequest: field `priority` became required",
        ],
    ),
    (
        "parameter type",
        change_parameter_type,
        ["breaking  runs.get: parameter `run_id` type changed from str to int"],
    ),
    (
        "fields added and removed",
        add_and_remove_fields,
        [
            "breaking  models.Run: field `output` removed",
            "breaking  models.Run: required field `created_at` added (datetime.datetime)",
            "safe      models.Run: optional field `tags` added (list[str])",
        ],
    ),
    (
        "field became required or optional",
        flip_required_fields,
        [
            "safe      models.Run: field `status` became optional",
            "breaking  models.Run: field `output` became required",
        ],
    ),
    (
        "field type",
        change_field_type,
        ["breaking  models.Problem: field `detail` type changed from str to list[str]"],
    ),
    (
        "enum values added",
        add_enum_values,
        [
            "safe      models.Run: field `mode`: enum value 'medium' added",
            "safe      models.RunStatus: enum value 'cancelled' added",
        ],
    ),
    (
        "enum values removed",
        remove_enum_values,
        [
            "breaking  runs.get: parameter `expand`: enum value 'input' removed",
            "breaking  models.RunStatus: enum value 'queued' removed",
        ],
    ),
    (
        "error responses",
        change_error_responses,
        [
            "breaking  runs.create: error response 422 changed from models.Problem to models.RunId",
            "breaking  runs.get: error response 404 removed (was models.Problem)",
            "safe      runs.get: error response 429 added (models.Problem)",
        ],
    ),
    (
        "response type",
        change_response_type,
        [
            # the poll helper needs a single run with a status to poll
            "breaking  runs.create_and_poll: method removed",
            "breaking  runs.get: response type changed from models.Run to list[models.Run]",
            "breaking  runs.poll_get: method removed",
        ],
    ),
    ("model added", add_model, ["safe      models.Label: model added"]),
    ("alias type", change_alias_type, ["breaking  models.RunId: type changed from str to int"]),
]


def write(folder: Path, name: str, spec: Spec) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["diff", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out.splitlines()


@pytest.mark.parametrize(("case", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_change(
    case: str,
    change: Callable[[Spec], None],
    expected: list[str],
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    new = copy.deepcopy(BASE)
    change(new)
    write(in_tmp, "old.yaml", BASE)
    write(in_tmp, "new.yaml", new)
    code, lines = run(capsys, "old.yaml", "new.yaml")
    assert code == 0
    assert lines[0] == "old.yaml -> new.yaml"
    assert lines[1:-1] == expected
    breaking = sum(line.startswith("breaking") for line in expected)
    safe = len(expected) - breaking
    noun = "change" if len(expected) == 1 else "changes"
    assert lines[-1] == f"{len(expected)} {noun}: {breaking} breaking, {safe} safe"
    code, _ = run(capsys, "old.yaml", "new.yaml", "--fail-on-breaking")
    assert code == (1 if breaking else 0)


def test_removed_model_is_breaking_and_the_reverse_of_added(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = copy.deepcopy(BASE)
    add_model(new)
    write(in_tmp, "old.yaml", new)
    write(in_tmp, "new.yaml", BASE)
    code, lines = run(capsys, "old.yaml", "new.yaml", "--fail-on-breaking")
    assert code == 1
    assert lines[1:] == ["breaking  models.Label: model removed", "1 change: 1 breaking, 0 safe"]


def test_no_changes(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = copy.deepcopy(BASE)
    new["paths"]["/runs"]["post"]["description"] = "Only the docs changed."
    write(in_tmp, "old.yaml", BASE)
    write(in_tmp, "new.yaml", new)
    assert run(capsys, "old.yaml", "new.yaml", "--fail-on-breaking") == (
        0,
        ["old.yaml -> new.yaml", "no API changes"],
    )


def test_json_format(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = copy.deepcopy(BASE)
    remove_enum_values(new)
    add_enum_values(new)
    write(in_tmp, "old.yaml", BASE)
    write(in_tmp, "new.yaml", new)
    assert main(["diff", "old.yaml", "new.yaml", "--format", "json", "--fail-on-breaking"]) == 1
    [report] = json.loads(capsys.readouterr().out)
    assert {k: report[k] for k in ("target", "old", "new", "breaking", "safe")} == {
        "target": None,
        "old": "old.yaml",
        "new": "new.yaml",
        "breaking": 2,
        "safe": 2,
    }
    assert report["changes"][0] == {
        "subject": "runs.get",
        "kind": "enum-value-removed",
        "breaking": True,
        "message": "parameter `expand`: enum value 'input' removed",
        "name": "expand",
        "old": "input",
        "new": None,
    }
    assert [(c["subject"], c["kind"], c["new"]) for c in report["changes"][1:]] == [
        ("models.Run", "enum-value-added", "medium"),
        ("models.RunStatus", "enum-value-removed", None),
        ("models.RunStatus", "enum-value-added", "cancelled"),
    ]


def test_usage_errors_exit_2(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "old.yaml", BASE)
    assert main(["diff", "old.yaml"]) == 2
    assert main(["diff", "old.yaml", "new.yaml", "--format", "xml"]) == 2
    capsys.readouterr()
    assert main(["diff", "old.yaml", "missing.yaml"]) == 1  # a spec error, with its pointer
    assert capsys.readouterr().err.startswith("missing.yaml:#: error: cannot read file")


# The seed specs ----------------------------------------------------------------------------


def test_seed_specs_field_removed_and_enum_value_added(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parallel = yaml.safe_load((ROOT / "specs" / "parallel_tasks.yaml").read_text())
    write(in_tmp, "parallel_tasks.yaml", parallel)
    task_run = parallel["components"]["schemas"]["TaskRun"]
    del task_run["properties"]["processor"]
    task_run["required"].remove("processor")
    write(in_tmp, "parallel_tasks_new.yaml", parallel)
    code, lines = run(capsys, "parallel_tasks.yaml", "parallel_tasks_new.yaml")
    assert (code, lines) == (
        0,
        [
            "parallel_tasks.yaml -> parallel_tasks_new.yaml",
            "breaking  models.TaskRun: field `processor` removed",
            "1 change: 1 breaking, 0 safe",
        ],
    )
    flora = yaml.safe_load((ROOT / "specs" / "flora_runs.yaml").read_text())
    write(in_tmp, "flora_runs.yaml", flora)
    flora["components"]["schemas"]["RunState"]["enum"].append("cancelled")
    write(in_tmp, "flora_runs_new.yaml", flora)
    code, lines = run(capsys, "flora_runs.yaml", "flora_runs_new.yaml", "--fail-on-breaking")
    assert (code, lines) == (
        0,
        [
            "flora_runs.yaml -> flora_runs_new.yaml",
            "safe      models.RunState: enum value 'cancelled' added",
            "1 change: 0 breaking, 1 safe",
        ],
    )


# diff --git and check ----------------------------------------------------------------------

PYPROJECT = """
[tool.clientgen]
output = "generated"

[tool.clientgen.targets.runs]
spec = "specs/runs.yaml"

[tool.clientgen.targets.other]
spec = "specs/other.yaml"
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(in_tmp: Path) -> Path:
    (in_tmp / "pyproject.toml").write_text(PYPROJECT)
    (in_tmp / "specs").mkdir()
    write(in_tmp / "specs", "runs.yaml", BASE)
    write(in_tmp / "specs", "other.yaml", BASE)
    git(in_tmp, "init", "-q")
    git(in_tmp, "add", ".")
    git(in_tmp, "commit", "-q", "-m", "specs")
    return in_tmp


def test_diff_git_compares_a_revision_with_the_working_tree(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = copy.deepcopy(BASE)
    remove_method(changed)
    write(repo / "specs", "runs.yaml", changed)
    code, lines = run(capsys, "--git", "HEAD", "--fail-on-breaking")
    assert code == 1
    assert lines == [
        "other: specs/other.yaml (HEAD -> working tree)",
        "no API changes",
        "",
        "runs: specs/runs.yaml (HEAD -> working tree)",
        "breaking  runs.create_and_poll: method removed",
        "breaking  runs.get: method removed",
        "breaking  runs.poll_get: method removed",
        "3 changes: 3 breaking, 0 safe",
    ]
    code, lines = run(capsys, "--git", "HEAD", "other", "--fail-on-breaking")
    assert (code, lines) == (
        0,
        ["other: specs/other.yaml (HEAD -> working tree)", "no API changes"],
    )
    assert main(["diff", "--git", "HEAD", "nope"]) == 2
    assert main(["diff", "--git", "no-such-rev"]) == 2
    assert "unknown revision 'no-such-rev'" in capsys.readouterr().err


def test_diff_git_with_a_spec_new_since_the_revision(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "rm", "-q", "specs/other.yaml")
    git(repo, "commit", "-q", "-m", "drop other")
    write(repo / "specs", "other.yaml", BASE)
    code, lines = run(capsys, "--git", "HEAD", "other", "--fail-on-breaking")
    assert code == 0
    assert lines == [
        "other: specs/other.yaml (new since HEAD)",
        *(
            f"safe      runs.{name}: method added"
            for name in ("create", "create_and_poll", "get", "poll_get")
        ),
        *(
            f"safe      models.{name}: model added"
            for name in ("CreateRunRequest", "Problem", "Run", "RunId", "RunStatus")
        ),
        "9 changes: 0 breaking, 9 safe",
    ]
    code, lines = run(capsys, "--git", "HEAD~1", "runs")
    assert lines[-1] == "no API changes"


def test_check_prints_the_api_changes_above_the_file_diff(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text(PYPROJECT.split("[tool.clientgen.targets.other]")[0])
    assert main(["generate", "--quiet"]) == 0
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "generated")
    capsys.readouterr()
    changed = copy.deepcopy(BASE)
    add_enum_values(changed)
    write(repo / "specs", "runs.yaml", changed)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    summary, _, diff = out.partition("\n\n")
    assert summary.splitlines() == [
        "runs: API changes in specs/runs.yaml since HEAD",
        "safe      models.Run: field `mode`: enum value 'medium' added",
        "safe      models.RunStatus: enum value 'cancelled' added",
        "2 changes: 0 breaking, 2 safe",
    ]
    assert diff.startswith("--- a/generated/runs/")
    assert "+++ b/generated/runs/runs/models/_run.py" in diff
    assert main(["check", "--quiet"]) == 1
    assert "stale: generated/runs/runs/models/_run.py" in capsys.readouterr().out.splitlines()


# The pre-commit hook -----------------------------------------------------------------------


def test_pre_commit_hook_runs_check_and_fails_on_drift(tmp_path: Path) -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "clientgen-check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("specs/parallel_tasks.yaml", "generated/parallel_tasks/parallel_tasks/client.py"):
        assert files.search(path), path
    command, *args = hook["entry"].split()
    assert (command, args) == ("clientgen", ["check"])
    script = Path(sys.executable).parent / command
    entry = [str(script)] if script.exists() else [sys.executable, "-m", "generator"]
    # a project with one target keeps the test quick: pyproject + specs + generated
    (tmp_path / "pyproject.toml").write_text(
        '[tool.clientgen]\noutput = "generated"\n\n[tool.clientgen.targets.parallel_tasks]\n'
        'spec = "specs/parallel_tasks.yaml"\napi_key_env = "PARALLEL_API_KEY"\n'
    )
    (tmp_path / "specs").mkdir()
    shutil.copy(ROOT / "specs" / "parallel_tasks.yaml", tmp_path / "specs")
    shutil.copytree(
        ROOT / "generated" / "parallel_tasks",
        tmp_path / "generated" / "parallel_tasks",
        ignore=shutil.ignore_patterns("__pycache__"),
    )

    def hook_run(*hook_args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*entry, *hook_args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    # up to date even while the generator changes under a working tree (the drift test
    # in test_cli checks the committed code itself)
    assert hook_run("generate", "--quiet").returncode == 0
    clean = hook_run(*args)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    spec = tmp_path / "specs" / "parallel_tasks.yaml"
    text = spec.read_text()
    spec.write_text(text.replace("Retrieves run status by run_id.", "Retrieves the run.", 1))
    drift = hook_run(*args)
    assert drift.returncode == 1
    assert "+        Retrieves the run." in drift.stdout
