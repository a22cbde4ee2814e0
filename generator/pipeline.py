"""The whole pipeline for one spec: load -> normalize -> hoist -> build IR -> models -> render
-> format.

``analyse`` runs the stages every command needs (generate, check, validate, diff) and returns
the prepared spec with its IR; ``generate`` goes on to the package's files, as bytes. Writing
or comparing them is the caller's choice. A ``progress`` callback, when given, is called with
each stage's name (one of ``STAGES``) as the stage starts; the pipeline prints nothing.
"""

from __future__ import annotations

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
from generator.models import render_models
from generator.naming import to_class_name
from generator.normalize import merge_conflicting_allof, normalize
from generator.render import render_package

STAGES = ("load", "normalize", "build", "models", "render", "format")
Progress = Callable[[str], None]


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


def analyse(
    spec_path: Path,
    target: Target,
    *,
    display: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> Analysis:
    report = progress or _quiet
    report("load")
    loaded = load_spec(spec_path, display)
    report("normalize")
    spec = prepare(loaded.document)
    report("build")
    api, warnings = build_ir(spec, target, loaded.file)
    diagnostics = (*loaded.warnings, *warnings)
    if strict and diagnostics:
        raise SpecError(
            [Diagnostic("error", d.pointer, d.message, d.file, d.line, d.hint) for d in diagnostics]
        )
    return Analysis(loaded, spec, api, diagnostics)


def generate(
    spec_path: Path,
    target: Target,
    *,
    display: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> Generated:
    report = progress or _quiet
    analysis = analyse(spec_path, target, display=display, strict=strict, progress=report)
    report("models")
    models_source = render_models(analysis.spec, target.spec_name, analysis.loaded.file)
    report("render")
    rendered = render_package(analysis.api, models_source)
    report("format")
    formatted = format_files(rendered)
    files = {name: text.encode("utf-8") for name, text in sorted(formatted.items())}
    return Generated(analysis.api, analysis.spec, files, analysis.diagnostics)
