"""What the command line shows: progress (terminal, plain, quiet) and diagnostics (grouped on
a terminal, one plain line each elsewhere, JSON for machines)."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.cli.commands import main
from generator.cli.console import message_kind, print_diagnostics
from generator.diagnostics import Diagnostic, as_errors
from tests.conftest import ROOT

SPEC = textwrap.dedent("""
    openapi: 3.1.0
    info: {title: Jobs, version: "1"}
    paths:
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
                  schema:
                    type: object
                    properties:
                      job_id: {type: string}
          unknownKey: 1
""")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SUMMARY = re.compile(
    r"jobs: 1 operations, 1 models, \d+ files \(\d+ changed\), 1 warnings, \d+\.\d\ds -> \S+"
)


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.yaml"
    path.write_text(SPEC)
    return path


def test_plain_progress_lines_when_not_a_terminal(
    spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", str(spec), "-o", str(tmp_path / "out"), "-p", "jobs"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[:-1] == [
        f"jobs: {stage}" for stage in ("load", "normalize", "build", "models", "render", "format")
    ]
    assert SUMMARY.fullmatch(lines[-1]), lines[-1]
    assert captured.err.startswith(f"{spec}:#/paths/~1jobs~1{{job_id}}/get: warning: ")


def test_quiet_prints_nothing(
    spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", str(spec), "-o", str(tmp_path / "out"), "-p", "jobs", "-q"]) == 0
    assert capsys.readouterr() == ("", "")


def _run_in_terminal(args: list[str], cwd: Path) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal; return what it showed."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**env, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", "COLUMNS": "120"},
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            process.kill()
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def _screen(shown: str) -> str:
    """What stays on screen: each line's last redraw, without control sequences."""
    lines = []
    for line in shown.split("\n"):
        drawn = [ANSI.sub("", part) for part in line.split("\r")]
        lines.append(next((part for part in reversed(drawn) if part.strip()), ""))
    return "\n".join(lines)


def test_terminal_shows_a_live_display_and_a_summary(spec: Path, tmp_path: Path) -> None:
    shown = _run_in_terminal(["generate", str(spec), "-o", "out", "-p", "jobs"], tmp_path)
    assert "\x1b[" in shown  # colour and cursor control: a live display, not plain lines
    text = _screen(shown)
    assert "jobs: load" not in text
    assert SUMMARY.search(text), text
    headers = [line for line in text.splitlines() if line.startswith("warning: ")]
    assert len(headers) == 1 and headers[0].endswith(" (1)"), text  # one group of one
    assert "1 warning" in text.splitlines()[-1]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_diagnostics_on_a_terminal_are_grouped_by_kind_with_a_count() -> None:
    diagnostics = [
        Diagnostic("warning", "#/paths/~1a/get", "unknown key 'x' here", "s.yaml"),
        Diagnostic("warning", "#/paths/~1b/post", "media type ['text/csv'] unsupported", "s.yaml"),
        Diagnostic("error", "#/components", "unresolvable reference '#/x'", "s.yaml", hint="fix"),
        Diagnostic("warning", "#/paths/~1c/get", "unknown key 'y' here", "s.yaml"),
    ]
    stream = Terminal()
    print_diagnostics(diagnostics, stream)
    assert ANSI.sub("", stream.getvalue()).splitlines() == [
        "1 error",
        "  s.yaml:#/components: unresolvable reference '#/x'",
        "    hint: fix",
        "warning: unknown key … here (2)",
        "  s.yaml:#/paths/~1a/get: unknown key 'x' here",
        "  s.yaml:#/paths/~1c/get: unknown key 'y' here",
        "warning: media type … unsupported (1)",
        "  s.yaml:#/paths/~1b/post: media type ['text/csv'] unsupported",
        "1 error, 3 warnings",
    ]
    plain = io.StringIO()
    print_diagnostics(diagnostics, plain)
    assert plain.getvalue().splitlines() == [d.format() for d in diagnostics]


def test_message_kind_masks_particulars() -> None:
    assert message_kind("path parameter {run_id} is not declared in `parameters`") == (
        "path parameter … is not declared in …"
    )


def test_json_diagnostics(spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(spec), "--json"]) == 0
    [warning] = json.loads(capsys.readouterr().out)
    assert set(warning) == {"level", "file", "line", "pointer", "message", "hint"}
    assert Diagnostic.from_dict(warning).to_dict() == warning  # the one wire form
    assert (warning["level"], warning["file"], warning["pointer"]) == (
        "warning",
        str(spec),
        "#/paths/~1jobs~1{job_id}/get",
    )
    out = tmp_path / "out"
    assert main(["generate", str(spec), "-o", str(out), "-p", "jobs", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [warning] and captured.err == ""
    broken = tmp_path / "broken.yaml"
    broken.write_text(SPEC.replace('info: {title: Jobs, version: "1"}', ""))
    assert main(["generate", str(broken), "-o", str(out), "-p", "jobs", "--json"]) == 1
    [error] = json.loads(capsys.readouterr().out)
    assert error["level"] == "error" and error["file"] == str(broken)


def test_a_diagnostic_has_one_wire_form_and_strict_makes_errors() -> None:
    warning = Diagnostic("warning", "#/paths", "unknown key 'x'", "s.yaml", 3, "drop it")
    wire = json.loads(json.dumps(warning.to_dict()))
    assert Diagnostic.from_dict(wire) == warning
    with pytest.raises(ValueError, match="not a diagnostic level"):
        Diagnostic.from_dict({**wire, "level": "fatal"})
    with pytest.raises(KeyError):
        Diagnostic.from_dict({k: v for k, v in wire.items() if k != "pointer"})
    error = as_errors([warning])
    assert error.diagnostics == (
        Diagnostic("error", "#/paths", "unknown key 'x'", "s.yaml", 3, "drop it"),
    )
