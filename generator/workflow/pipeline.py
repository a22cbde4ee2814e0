"""The whole pipeline for one spec: load -> normalize -> hoist -> build IR -> models -> render
-> format.

``analyse`` runs the stages every command needs (generate, check, validate, diff) and returns
the prepared spec with its IR; ``generate`` goes on to the package's files, as bytes. Writing
or comparing them is the caller's choice. A ``progress`` callback, when given, is called with
each stage's name (one of ``STAGES``) as the stage starts; the pipeline prints nothing.

For a large spec (``WORKER_FROM_BYTES`` and up) openapi-spec-validator, the slow part of load,
runs in a worker process (``generator.workflow.validation_worker``) while this one goes on with
normalize, build and models; its warnings are joined in before the diagnostics are returned, in
the same order as when it runs here. Where the worker cannot start or fails, validation runs in
this process.

``generate`` starts the models before the IR is built: their chunks go to the worker
processes (``models.pool``) while this process builds the IR, renders the files that do not
depend on the models and reads the formatted files of an earlier run, then takes any chunk
left and joins the rest.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.config import Target
from generator.diagnostics import Diagnostic, as_errors
from generator.emit.format import FormatStore, format_files, format_keys
from generator.emit.render import render_client, render_models_files
from generator.ir.build import build_ir
from generator.ir.nodes import Api
from generator.models.build import ChunkRecord, Models, start_models
from generator.models.chunks import ChunkStore
from generator.models.pool import Worker, Workers, model_workers, start_process
from generator.spec.load import LoadedSpec, load_spec
from generator.spec.prepare import prepare
from generator.spec.subtrees import Validated

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
    # What a package's manifest records of the run (``generator.workflow.manifest``): the
    # models' chunks, and each Python file's ``format.format_key``.
    chunks: tuple[ChunkRecord, ...] = ()
    format_keys: dict[str, str] = field(default_factory=dict)
    validated: Validated | None = None  # ``subtrees.Validated``: what validated clean


class _Validation:
    """openapi-spec-validator's warnings of a spec, from a worker process when that pays (it
    then serves chunks of models too: ``worker``)."""

    def __init__(
        self,
        spec_path: Path,
        display: str | None,
        serve: bool = False,
        previous: Validated | None = None,
    ) -> None:
        """``serve``: the worker may go on to serve chunks of models; ``previous``: what an
        earlier run validated clean (``subtrees.Validated``)."""
        self.spec_path, self.display, self.previous = spec_path, display, previous
        self.worker: Worker | None = None
        self._record: str | None = None  # the file that hands ``previous`` to the worker
        try:
            large = spec_path.stat().st_size >= WORKER_FROM_BYTES
        except OSError:
            large = False
        if large:
            if previous is not None:
                handle, self._record = tempfile.mkstemp(prefix="clientgen-", suffix=".json")
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(previous.to_dict(), out)
            arguments = json.dumps([str(spec_path), display, serve, self._record])
            process = start_process("generator.workflow.validation_worker", arguments)
            self.worker = Worker(process, preamble=True) if process is not None else None

    def findings(self, loaded: LoadedSpec) -> tuple[tuple[Diagnostic, ...], Validated | None]:
        """Waits for the worker's findings and what validated clean; ``loaded`` was loaded
        without validation when there is a worker."""
        if self.worker is None:
            return loaded.warnings, loaded.validated
        try:
            answer = json.loads(self.worker.preamble())
            if isinstance(answer, dict) and isinstance(answer.get("warnings"), list):
                warnings = tuple(Diagnostic.from_dict(row) for row in answer["warnings"])
                return warnings, Validated.from_dict(answer.get("validated"))
        except (ValueError, TypeError, KeyError):
            pass
        finally:
            self._forget()
        again = load_spec(self.spec_path, self.display, previous=self.previous)  # it failed
        return again.warnings, again.validated

    def _forget(self) -> None:
        if self._record is not None:
            try:
                os.unlink(self._record)
            except OSError:
                pass
            self._record = None

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.end()
        self._forget()


@dataclass(frozen=True, slots=True)
class _Started:
    """Analysis up to the IR, with the validator's warnings maybe still to come, and the
    models under way (or the error that stopped them, raised after the IR's)."""

    loaded: LoadedSpec
    spec: dict[str, Any]
    api: Api
    warnings: tuple[Diagnostic, ...]
    validation: _Validation
    workers: Workers | None = None
    models: Models | Exception | None = None

    def finish(self, strict: bool) -> Analysis:
        warnings, validated = self.validation.findings(self.loaded)
        loaded = LoadedSpec(self.loaded.document, self.loaded.file, warnings, validated)
        diagnostics = (*warnings, *self.warnings)
        if strict and diagnostics:
            raise as_errors(diagnostics)
        return Analysis(loaded, self.spec, self.api, diagnostics)

    def close(self) -> None:
        """Ends the worker processes (after ``finish``, which reads the validator's findings;
        before it, only when the run has failed)."""
        if isinstance(self.models, Models):
            self.models.cancel()
        for worker in self.workers.all if self.workers is not None else []:
            worker.end()
        self.validation.cancel()


StartModels = Callable[[dict[str, Any], str, Workers | None], Models]  # spec, file, workers


def _start(
    spec_path: Path,
    target: Target,
    display: str | None,
    report: Progress,
    models: StartModels | None = None,
    previous: Validated | None = None,
) -> _Started:
    """Load, normalize, build; with ``models``, worker processes for the models of a large
    spec are started as soon as it is loaded (``pool.model_workers``), and the models are
    started (``models``) before the IR is built, so that their chunks run in those workers
    meanwhile. ``previous``: what an earlier run validated clean."""
    report("load")
    validation = _Validation(spec_path, display, serve=models is not None, previous=previous)
    workers: Workers | None = None
    pending: Models | Exception | None = None
    try:
        validate = validation.worker is None
        loaded = load_spec(spec_path, display, validate=validate, previous=previous)
        if models is not None:
            workers = model_workers(loaded.document, validation.worker)
        report("normalize")
        spec = prepare(loaded.document)
        if models is not None:
            # The document as read is not needed again, only what was made of it.
            loaded = LoadedSpec({}, loaded.file, loaded.warnings, loaded.validated)
            try:
                pending = models(spec, loaded.file, workers)
            except Exception as exc:  # reported after the IR's errors, as if it came later
                pending = exc
        report("build")
        api, warnings = build_ir(spec, target, loaded.file)
    except BaseException:
        if isinstance(pending, Models):
            pending.cancel()
        if workers is not None:
            workers.close()
        validation.cancel()
        raise
    return _Started(loaded, spec, api, tuple(warnings), validation, workers, pending)


def _model_sources(package: str, provenance: dict[str, str]) -> dict[str, str]:
    """The models' modules as their provenance: what their formatted text is kept under."""
    return {f"{package}/models/{stem}.py": made for stem, made in provenance.items()}


class _ReadAhead:
    """A ``FormatStore`` read ahead (``load`` keeps what it read): the committed package's
    formatted files are read while the models are generated, not after."""

    def __init__(self, store: FormatStore | None) -> None:
        self.store = store
        self.known: dict[str, str] | None = None

    def load(self) -> dict[str, str]:
        if self.known is None:
            self.known = self.store.load() if self.store is not None else {}
        return self.known

    def save(self, formatted: dict[str, str]) -> None:
        if self.store is not None:
            self.store.save(formatted)


def analyse(
    spec_path: Path,
    target: Target,
    *,
    display: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> Analysis:
    started = _start(spec_path, target, display, progress or _quiet)
    try:
        return started.finish(strict)
    finally:
        started.close()


def generate(
    spec_path: Path,
    target: Target,
    *,
    display: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    store: ChunkStore | None = None,
    formatted: FormatStore | None = None,
    validated: Validated | None = None,
) -> Generated:
    """The package's files; ``store`` keeps the models' generated chunks between runs,
    ``formatted`` the formatted files, and ``validated`` is what an earlier run validated
    clean (``subtrees.Validated``): only what may differ is validated again.

    The models' chunks run in worker processes from before the IR is built; meanwhile this
    process builds the IR and renders the files that do not depend on the models, then
    joins them. Errors are reported in the stages' order all the same: the IR's, the
    models', then those of rendering and formatting."""
    report = progress or _quiet

    def begin(spec: dict[str, Any], file: str, workers: Workers | None) -> Models:
        return start_models(spec, target.spec_name, file, target.package, store, workers)

    started = _start(spec_path, target, display, report, begin, previous=validated)
    ahead = _ReadAhead(formatted)
    try:
        # Under --strict a warning stops the run before the models: join the validator first.
        analysis = started.finish(strict) if strict else None
        if isinstance(started.models, Exception):
            raise started.models
        assert started.models is not None
        report("models")
        # While the workers generate the models: what does not depend on them. ruff runs
        # once, after the models, when the workers have ended (its memory is not added to
        # theirs), and is given only what the format store does not hold.
        client_error: Exception | None = None
        try:
            client = render_client(started.api)
            keys = format_keys(client)
            ahead.load()
        except Exception as exc:  # reported after the models' errors
            client_error = exc
        models = started.models.result()
        if client_error is not None:
            raise client_error
        report("render")
        models_files = render_models_files(started.api, models)
        report("format")
        keys |= format_keys(models_files, _model_sources(target.package, models.provenance))
        keys = dict(sorted(keys.items()))
        files_formatted = format_files(client | models_files, ahead, keys)
        analysis = analysis or started.finish(strict)
    finally:
        started.close()
    files = {name: text.encode("utf-8") for name, text in sorted(files_formatted.items())}
    return Generated(
        analysis.api,
        analysis.spec,
        files,
        analysis.diagnostics,
        models.chunks,
        keys,
        analysis.loaded.validated,
    )
