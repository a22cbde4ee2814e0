"""The whole pipeline for one spec: load -> normalize -> build IR -> models -> render -> format.

Returns the package's files as bytes; writing or comparing them is the caller's choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.build_ir import Target, build_ir, operation_ids
from generator.diagnostics import Diagnostic, SpecError
from generator.format import format_files
from generator.hoist import hoist
from generator.ir import Api
from generator.load import load_spec
from generator.models import render_models
from generator.naming import to_class_name
from generator.normalize import normalize
from generator.render import render_package


@dataclass(frozen=True, slots=True)
class Generated:
    api: Api
    files: dict[str, bytes]
    diagnostics: tuple[Diagnostic, ...]


def generate(
    spec_path: Path, target: Target, *, display: str | None = None, strict: bool = False
) -> Generated:
    loaded = load_spec(spec_path, display)
    spec = normalize(loaded.document)
    names = {key: str(to_class_name(op_id)) for key, op_id in operation_ids(spec).items()}
    spec = hoist(spec, names)
    api, warnings = build_ir(spec, target, loaded.file)
    diagnostics = (*loaded.warnings, *warnings)
    if strict and diagnostics:
        raise SpecError(
            [Diagnostic("error", d.pointer, d.message, d.file, d.line, d.hint) for d in diagnostics]
        )
    models_source = render_models(spec, target.spec_name, loaded.file)
    rendered = format_files(render_package(api, models_source))
    files = {name: text.encode("utf-8") for name, text in sorted(rendered.items())}
    return Generated(api, files, diagnostics)
