"""The datamodel-code-generator call: one chunk's schemas -> its module of classes.

``generate_chunk`` is what a worker process runs (``models.worker``): the library is called
with the options of a client that reads what servers send (pydantic v2, open literals,
extra fields allowed, no timestamp, no formatter: ``emit.format`` runs ruff later), and a
component whose class name an inline object took first is moved to the front and the run
repeated until every component has its own name.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, SpecError
from generator.models import chunks as model_chunks
from generator.models import modules as model_modules
from generator.spec.schemas import SCHEMA_PREFIX


def generate_chunk(arguments: list[Any]) -> list[Any]:
    """One chunk's module, read (``model_modules.dump``): ``arguments`` are a
    ``model_chunks.ChunkJob`` in its wire form."""
    job = model_chunks.ChunkJob.from_wire(arguments)
    return model_modules.dump(
        _generate(job.document, job.header, job.file, job.aliases, job.package)
    )


def import_generator() -> None:
    """Imports datamodel-code-generator (a worker does so while it waits for its first job)."""
    import datamodel_code_generator.parser.openapi  # noqa: F401


def _generate(
    document: dict[str, Any], header: str, file: str, aliases: dict[str, str], package: str
) -> str:
    """datamodel-code-generator's module for ``document``, where each component schema's
    class has the schema's name.

    It names classes first come, first served, and a component's name may already have gone
    to an inline object of a schema before it (``Holder.detail`` -> ``Detail``, and the
    component ``Detail`` -> ``Detail1``). So every component is mapped to its own name; where
    that name is taken it says so, and the component is moved to the front and the run
    repeated, until each component has its name.
    """
    import datamodel_code_generator as dcg

    schemas: dict[str, Any] = document["components"]["schemas"]
    first: list[str] = []
    while True:
        order = first + [name for name in schemas if name not in first]
        ordered = {**document, "components": {"schemas": {n: schemas[n] for n in order}}}
        try:
            return _run_generator(ordered, header, file, aliases, package)
        except dcg.Error as exc:
            taken = _NAME_TAKEN.search(str(exc))
            name = taken.group(1) if taken else None
            if name is None or name not in schemas or name in first:
                raise SpecError(
                    [Diagnostic("error", "#/components/schemas", f"models: {exc}", file)]
                ) from None
            first.append(name)


def _templates() -> Path:
    """The folder of the library's templates that clientgen replaces (templates/dcg/; see
    pydantic_v2/BaseModel.jinja2 there), installed or in the checkout."""
    package = Path(__file__).parent.parent  # generator/
    installed = package / "templates" / "dcg"
    return installed if installed.is_dir() else package.parent / "templates" / "dcg"


_NAME_TAKEN = re.compile(r"maps '#/components/schemas/([^']+)' to '[^']+', but that model name is")


def _run_generator(
    document: dict[str, Any], header: str, file: str, aliases: dict[str, str], package: str
) -> str:
    import datamodel_code_generator as dcg
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import DatetimeClassType, PythonVersion
    from datamodel_code_generator.parser import LiteralType

    names = {SCHEMA_PREFIX + name: name for name in document["components"]["schemas"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = dcg.generate(
            document,
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_310,
            custom_file_header=header,
            disable_timestamp=True,
            enum_field_as_literal=LiteralType.All,
            # extra="allow" and populate_by_name are on the base model (_base.Model), once
            use_single_line_docstring=True,
            use_annotated=True,
            field_constraints=True,
            use_double_quotes=True,
            use_union_operator=True,
            use_standard_collections=True,
            use_schema_description=True,
            use_field_description=True,
            use_type_alias=True,
            output_datetime_class=DatetimeClassType.Datetime,
            formatters=[],
            keep_model_order=True,
            # _base.Model defers each validator's build to its first use: a package of
            # thousands of models imports in a fraction of the time
            base_class=f"{package}._base.Model",
            aliases=aliases,
            model_name_map=names,
            custom_template_dir=_templates(),
            additional_imports=["pydantic.Field"],
        )
    if not isinstance(result, str):
        raise SpecError(
            [
                Diagnostic(
                    "error",
                    "#/components/schemas",
                    "models: expected one module from datamodel-code-generator",
                    file,
                )
            ]
        )
    return result
