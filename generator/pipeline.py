"""The whole pipeline for one spec: load -> normalize -> hoist -> build IR -> models -> render
-> format.

``analyse`` runs the stages every command needs (generate, check, validate, diff) and returns
the prepared spec with its IR; ``generate`` goes on to the package's files, as bytes. Writing
or comparing them is the caller's choice. A ``progress`` callback, when given, is called with
each stage's name (one of ``STAGES``) as the stage starts; the pipeline prints nothing.

For a large spec (``WORKER_FROM_BYTES`` and up) openapi-spec-validator, the slow part of
load, runs in a worker process (``generator.worker``) while this one goes on with normalize,
build and models; its warnings are joined in before the diagnostics are returned, in the
same order as when it runs here. Where the worker cannot start or fails, validation runs
in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.build_ir import Target, build_ir, operation_ids
from generator.diagnostics import Diagnostic, SpecError
from generator.format import format_files
from generator.hoist import hoist
from generator.ir import Api
from generator.load import LoadedSpec, load_spec
from generator.model_chunks import ChunkStore, Workers, is_large
from generator.models import render_models
from generator.naming import to_class_name
from generator.normalize import merge_conflicting_allof, normalize
from generator.render import render_package

STAGES = ("load", "normalize", "build", "models", "render", "format")
Progress = Callable[[str], None]
WORKER_FROM_BYTES = 512 * 1024  # smaller specs validate faster than a process starts


def _quiet(stage: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Analysis:
    loaded: LoadedSpec
    spec: dict[str, Any]  # normalized and hoisted: what the IR and the models are built from
    api: Api
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class Generated:
    api: Api
    spec: dict[str, Any]
    files: dict[str, bytes]
    diagnostics: tuple[Diagnostic, ...]


def prepare(document: dict[str, Any]) -> dict[str, Any]:
    """A loaded document in the one form later stages read (see normalize and hoist)."""
    spec = normalize(document)
    names = {key: str(to_class_name(op_id)) for key, op_id in operation_ids(spec).items()}
    spec = hoist(spec, names)
    merge_conflicting_allof(spec)
    return spec


class _Validation:
    """openapi-spec-validator's warnings of a spec, from a worker process when that pays."""

    def __init__(self, spec_path: Path, display: str | None) -> None:
        self.spec_path, self.display = spec_path, display
        self.process: subprocess.Popen[bytes] | None = None
        try:
            large = spec_path.stat().st_size >= WORKER_FROM_BYTES
        except OSError:
            large = False
        if large:
            root = str(Path(__file__).resolve().parent.parent)
            path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
            try:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "generator.worker",
                        json.dumps([str(spec_path), display]),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env={**os.environ, "PYTHONPATH": path},
                )
            except OSError:
                self.process = None

    def warnings(self, loaded: LoadedSpec) -> tuple[Diagnostic, ...]:
        """Joins the worker; ``loaded`` was loaded without validation."""
        if self.process is None:
            return loaded.warnings
        out, _ = self.process.communicate()
        code, self.process = self.process.returncode, None
        try:
            rows = json.loads(out) if code == 0 else None
            if isinstance(rows, list):
                return tuple(Diagnostic(*row) for row in rows)
        except (ValueError, TypeError):
            pass
        return load_spec(self.spec_path, self.display).warnings  # the worker failed

    def cancel(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.communicate()
            self.process = None


@dataclass(frozen=True, slots=True)
class _Started:
    """Analysis up to the IR, with the validator's warnings maybe still to come."""

    loaded: LoadedSpec
    spec: dict[str, Any]
    api: Api
    warnings: tuple[Diagnostic, ...]
    validation: _Validation
    workers: Workers | None = None

    def finish(self, strict: bool) -> Analysis:
        try:
            validated = self.validation.warnings(self.loaded)
        finally:
            self.validation.cancel()
        loaded = LoadedSpec(self.loaded.document, self.loaded.file, validated)
        diagnostics = (*validated, *self.warnings)
        if strict and diagnostics:
            raise SpecError(
                [
                    Diagnostic("error", d.pointer, d.message, d.file, d.line, d.hint)
                    for d in diagnostics
                ]
            )
        return Analysis(loaded, self.spec, self.api, diagnostics)


def _start(
    spec_path: Path, target: Target, display: str | None, report: Progress, models: bool = False
) -> _Started:
    """Load, normalize, build; with ``models``, worker processes for the models of a large
    spec are started as soon as it is loaded (``model_chunks.Workers``)."""
    report("load")
    validation = _Validation(spec_path, display)
    workers: Workers | None = None
    try:
        loaded = load_spec(spec_path, display, validate=validation.process is None)
        if models:
            workers = _model_workers(loaded.document)
        report("normalize")
        spec = prepare(loaded.document)
        report("build")
        api, warnings = build_ir(spec, target, loaded.file)
    except BaseException:
        validation.cancel()
        if workers is not None:
            workers.close()
        raise
    return _Started(loaded, spec, api, tuple(warnings), validation, workers)


def _model_workers(document: Any) -> Workers | None:
    """One model worker per CPU but one, for a spec whose models are generated in chunks."""
    components = document.get("components") if isinstance(document, dict) else None
    schemas = components.get("schemas") if isinstance(components, dict) else None
    helpers = (os.cpu_count() or 1) - 1
    if not isinstance(schemas, dict) or not is_large(schemas) or helpers < 1:
        return None
    return Workers(helpers)


def analyse(
    spec_path: Path,
    target: Target,
    *,
    display: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> Analysis:
    return _start(spec_path, target, display, progress or _quiet).finish(strict)


def generate(
    spec_path: Path,
    target: Target,
    *,
    display: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    store: ChunkStore | None = None,
) -> Generated:
    """The package's files; ``store`` keeps the models' generated chunks between runs."""
    report = progress or _quiet
    started = _start(spec_path, target, display, report, models=True)
    try:
        # Under --strict a warning stops the run before the models: join the validator first.
        analysis = started.finish(strict) if strict else None
        report("models")
        models = render_models(
            started.spec,
            target.spec_name,
            started.loaded.file,
            target.package,
            store,
            started.workers,
        )
        report("render")
        rendered = render_package(started.api, models)
        report("format")
        formatted = format_files(rendered)
    except BaseException:
        started.validation.cancel()
        raise
    finally:
        if started.workers is not None:
            started.workers.close()
    analysis = analysis or started.finish(strict)
    files = {name: text.encode("utf-8") for name, text in sorted(formatted.items())}
    return Generated(analysis.api, analysis.spec, files, analysis.diagnostics)
