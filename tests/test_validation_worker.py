"""openapi-spec-validator in a worker process: the same diagnostics, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import Target
from generator.diagnostics import SpecError
from generator.models import pool
from generator.workflow import pipeline as pipeline
from tests.conftest import ROOT
from tests.test_cache import SCHEMAS, SPEC

TARGET = Target("things", "things.yaml")


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    (tmp_path / "schemas.yaml").write_text(SCHEMAS)
    path = tmp_path / "things.yaml"
    path.write_text(SPEC)
    return path


def both(spec: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[pipeline.Generated, ...]:
    monkeypatch.setattr(pipeline, "WORKER_FROM_BYTES", 10**12)
    here = pipeline.generate(spec, TARGET, display="things.yaml")
    monkeypatch.setattr(pipeline, "WORKER_FROM_BYTES", 0)
    there = pipeline.generate(spec, TARGET, display="things.yaml")
    return here, there


def test_the_worker_reports_what_in_process_validation_does(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = both(spec, monkeypatch)
    assert any("unknownKey" in d.message for d in here.diagnostics)
    assert there.diagnostics == here.diagnostics
    assert there.files == here.files


def _outcome(path: Path) -> tuple[str, tuple[object, ...]]:
    try:
        return "ok", pipeline.analyse(path, TARGET, display=path.name).diagnostics
    except SpecError as exc:
        return "error", exc.diagnostics


SPECS = sorted([*(ROOT / "tests" / "invalid").glob("*.yaml"), *(ROOT / "specs").glob("*.yaml")])


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_same_outcome_for_every_spec(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "WORKER_FROM_BYTES", 0)
    there = _outcome(path)
    monkeypatch.setattr(pipeline, "WORKER_FROM_BYTES", 10**12)
    assert there == _outcome(path)


def test_strict_still_stops_on_a_validator_warning(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "WORKER_FROM_BYTES", 0)
    with pytest.raises(SpecError) as raised:
        pipeline.generate(spec, TARGET, display="things.yaml", strict=True)
    assert any("unknownKey" in d.message for d in raised.value.diagnostics)


@pytest.mark.parametrize("executable", ["/bin/false", "/nonexistent/python"])
def test_a_failing_worker_falls_back_to_this_process(
    spec: Path, monkeypatch: pytest.MonkeyPatch, executable: str
) -> None:
    here = pipeline.generate(spec, TARGET, display="things.yaml")
    monkeypatch.setattr(pipeline, "WORKER_FROM_BYTES", 0)
    monkeypatch.setattr(pool.sys, "executable", executable)
    assert pipeline.generate(spec, TARGET, display="things.yaml").diagnostics == here.diagnostics


def test_a_preamble_longer_than_a_pipe_holds_does_not_stall_a_job() -> None:
    """A worker writes its whole preamble before it reads a job: one longer than the pipe's
    buffer (a large spec's record of what validated clean) is read before the job is sent."""
    import subprocess
    import sys
    import threading

    script = (
        "import sys\n"
        "sys.stdout.write('x' * 300000 + '\\n'); sys.stdout.flush()\n"
        "for line in sys.stdin:\n"
        "    sys.stdout.write('[1, %d]\\n' % len(line)); sys.stdout.flush()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    worker = pool.Worker(process, preamble=True)
    answers: list[object] = []
    asking = threading.Thread(target=lambda: answers.append(worker.ask(["y" * 300000])))
    asking.start()
    asking.join(timeout=30)
    stalled = asking.is_alive()
    process.kill()  # (not ``end``, which would wait for the stalled write to let go)
    asking.join(timeout=30)
    worker.end()
    assert not stalled
    assert answers == [[1, 300000 + len('[""]') + 1]]
    assert len(worker.preamble()) == 300001
