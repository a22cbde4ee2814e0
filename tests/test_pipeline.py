"""The pipeline's arrangement: the models start before the IR is built, and the client is
rendered while they are generated; errors are reported in the stages' order all the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.config import Target
from generator.diagnostics import Diagnostic, SpecError
from generator.workflow import pipeline as pipeline
from tests.test_cache import SCHEMAS, SPEC

TARGET = Target("things", "things.yaml")


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    (tmp_path / "schemas.yaml").write_text(SCHEMAS)
    path = tmp_path / "things.yaml"
    path.write_text(SPEC)
    return path


def _failing(stage: str) -> Any:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise SpecError([Diagnostic("error", "#", f"{stage} failed")])

    return fail


def _error(spec: Path) -> str:
    with pytest.raises(SpecError) as raised:
        pipeline.generate(spec, TARGET, display="things.yaml")
    return raised.value.diagnostics[0].message


def test_the_irs_error_comes_before_the_models_though_they_start_first(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    start_models = pipeline.start_models

    def models(*args: Any) -> Any:
        started.append("models")
        return start_models(*args)

    monkeypatch.setattr(pipeline, "start_models", models)
    monkeypatch.setattr(pipeline, "build_ir", _failing("build"))
    assert _error(spec) == "build failed"
    assert started == ["models"]  # under way before the IR was built
    monkeypatch.setattr(pipeline, "start_models", _failing("models"))
    assert _error(spec) == "build failed"


def test_the_models_error_comes_before_the_clients(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.models.build import Models

    monkeypatch.setattr(pipeline, "render_client", _failing("render"))
    assert _error(spec) == "render failed"
    monkeypatch.setattr(Models, "result", _failing("models"))
    assert _error(spec) == "models failed"
