"""Property-based: specs with arbitrary names, descriptions, enum values, defaults and paths.

Each example is one spec with several operations and models whose every piece of text is
drawn by hypothesis (any Unicode, plus a list of known-hostile strings). The generated package
must hold only the statement and call shapes the templates write (so no spec text runs: see
``tests/support/code_policy.py``), import, expose every operation on both clients, keep
every path and wire name exact, and name every model field through ``generator.naming``.
The examples are few and large (``max_examples`` below), so the file stays well under a
minute; the packages of all examples then go through one ``mypy --strict`` run.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config import Target
from generator.diagnostics import pointer
from generator.models.prepare import model_fields, prepared_schemas
from generator.spec.schemas import operations
from generator.workflow.pipeline import generate
from tests.support.code_policy import package_problems
from tests.support.layout import models_source_at

# A deeper search: CLIENTGEN_PROPERTY_EXAMPLES=500 pytest tests/test_properties.py; a new one
# each run with CLIENTGEN_PROPERTY_RANDOM=1 (make test draws the same examples every run, so
# that CI is not red by chance: a failure found by a random run becomes a case in PAYLOADS,
# NAMES or tests/test_hostile.py)
MAX_EXAMPLES = int(os.environ.get("CLIENTGEN_PROPERTY_EXAMPLES", "25"))
RANDOM = os.environ.get("CLIENTGEN_PROPERTY_RANDOM") == "1"
PAYLOADS = [
    '"""; import os; os.system("touch /tmp/clientgen-pwned") #',
    "'''; import os #",
    "\\",
    'ends in a quote"',
    "\\N{BULLET}",
    "\\x00\\u1234",
    "line\r\nbreak = 1\nimport os",
    "\u202eevil\u2066",
    "\x1b[31m",
    "{{ 7 * 7 }} {% raw %}",
    "-->",
]
NAMES = [
    "",
    "class",
    "__init__",
    "__class__",
    "model_config",
    "model_dump",
    "json",
    "copy",
    "schema",
    "fields",
    "self",
    "timeout",
    "extra_headers",
    "extra_body",
    "max_retries",
    "2fa",
    "ünïcode",
    "unicode",
    "中文",
    "a-b",
    "a_b",
    "aB",
    "type",
    "None",
    "True",
    "with_raw_response",
    "close",
    "_base",
    "httpx",
    "models",
    "errors",
    "str",
    "list",
    "int",
    "date",
    "BaseModel",
    "Field",
]
TEXT = st.text(max_size=24)
NAME = st.one_of(st.sampled_from(NAMES), st.text(max_size=16))
DESCRIPTION = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=60))
PATH_CHARACTERS = st.characters(exclude_categories=["Cs"], exclude_characters="/{}")
SEGMENT = st.one_of(
    st.sampled_from(
        ["..", ".", "%2e%2e", "it's", '"q"', "a b", "ü", "x?y=1", "#frag", "\\", "\x00", 'a"""b']
    ),
    st.text(alphabet=PATH_CHARACTERS, min_size=1, max_size=10),
)
PARAM_NAME = st.one_of(
    st.sampled_from([n for n in NAMES if n]),
    st.text(alphabet=PATH_CHARACTERS, min_size=1, max_size=10),
)
_numbers = count()


@st.composite
def property_schemas(draw: st.DrawFn, components: list[str]) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            ["string", "integer", "number", "boolean", "enum", "int_enum", "array", "map", "ref"]
            if components
            else ["string", "integer", "number", "boolean", "enum", "int_enum", "array", "map"]
        )
    )
    schema: dict[str, Any]
    if kind == "string":
        schema = {"type": "string"}
        default: Any = draw(st.one_of(TEXT, st.sampled_from(PAYLOADS)))
    elif kind == "integer":
        schema = {"type": "integer"}
        default = draw(st.integers(min_value=-(2**70), max_value=2**70))
    elif kind == "number":
        schema = {"type": "number"}
        default = draw(st.floats(allow_nan=False, allow_infinity=False))
    elif kind == "boolean":
        schema = {"type": "boolean"}
        default = draw(st.booleans())
    elif kind == "enum":
        texts = draw(st.lists(st.one_of(TEXT, st.sampled_from(PAYLOADS)), min_size=1, max_size=5))
        schema = {"type": "string", "enum": list(dict.fromkeys(texts))}
        default = draw(st.sampled_from(schema["enum"]))
    elif kind == "int_enum":
        numbers = draw(st.lists(st.integers(-5, 2**40), min_size=1, max_size=4, unique=True))
        schema = {"type": "integer", "enum": numbers}
        default = draw(st.sampled_from(numbers))
    elif kind == "array":
        schema = {"type": "array", "items": {"type": "string"}}
        default = draw(st.lists(TEXT, max_size=3))
    elif kind == "map":
        schema = {"type": "object", "additionalProperties": {"type": "string"}}
        default = draw(st.dictionaries(TEXT, TEXT, max_size=3))
    else:
        schema = {"$ref": pointer("components", "schemas", draw(st.sampled_from(components)))}
        default = None
    if default is not None and draw(st.booleans()):
        schema["default"] = default
    if draw(st.booleans()):
        schema["description"] = draw(DESCRIPTION)
    if "$ref" not in schema and draw(st.booleans()):
        schema["title"] = draw(TEXT)
    return schema


@st.composite
def object_schemas(draw: st.DrawFn, components: list[str]) -> dict[str, Any]:
    properties = draw(st.dictionaries(NAME, property_schemas(components), max_size=6))
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    required = [name for name in properties if draw(st.booleans())]
    if required:
        schema["required"] = required
    if draw(st.booleans()):
        schema["description"] = draw(DESCRIPTION)
    return schema


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    components = draw(st.lists(NAME, max_size=6, unique=True))
    schemas: dict[str, Any] = {}
    for index, name in enumerate(components):
        if index == 0 and draw(st.booleans()):
            values = draw(st.lists(st.one_of(TEXT, st.sampled_from(PAYLOADS)), min_size=1))
            schemas[name] = {"type": "string", "enum": list(dict.fromkeys(values))}
        else:
            schemas[name] = draw(object_schemas(components))
    paths: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 10))):
        segments = draw(st.lists(st.one_of(SEGMENT, PARAM_NAME.map(lambda n: "{" + n + "}"))))
        path = "/" + "/".join(segments)
        params = list(dict.fromkeys(s[1:-1] for s in segments if s.startswith("{")))
        method = draw(st.sampled_from(["get", "post", "put", "patch", "delete"]))
        operation: dict[str, Any] = {
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in params
            ],
            "responses": {},
        }
        for location in ("query", "header"):
            for name in draw(st.lists(PARAM_NAME, max_size=3, unique=True)):
                operation["parameters"].append(
                    {
                        "name": name,
                        "in": location,
                        "description": draw(DESCRIPTION),
                        "schema": draw(property_schemas(components)),
                    }
                )
        if draw(st.booleans()):
            operation["operationId"] = draw(NAME)
        if draw(st.booleans()):
            operation["tags"] = [draw(NAME)]
        for key in ("summary", "description"):
            if draw(st.booleans()):
                operation[key] = draw(DESCRIPTION)
        if method in ("post", "put", "patch") and draw(st.booleans()):
            operation["requestBody"] = {
                "required": draw(st.booleans()),
                "content": {"application/json": {"schema": draw(object_schemas(components))}},
            }
        response = draw(st.sampled_from(["204", "object", "ref"] if components else ["204"]))
        if response == "204":
            operation["responses"]["204"] = {"description": draw(DESCRIPTION) or "ok"}
        else:
            schema = (
                draw(object_schemas(components))
                if response == "object"
                else {"$ref": pointer("components", "schemas", draw(st.sampled_from(components)))}
            )
            operation["responses"]["200"] = {
                "description": "ok",
                "content": {"application/json": {"schema": schema}},
            }
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": draw(st.sampled_from(["3.0.3", "3.1.0"])),
        "info": {"title": draw(DESCRIPTION), "version": draw(TEXT), "description": draw(TEXT)},
        "tags": [{"name": draw(NAME), "description": draw(DESCRIPTION)}],
        "servers": [{"url": draw(st.sampled_from(["https://api.example.com", *PAYLOADS]))}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


# one pytest-xdist worker runs this module's examples (make test)
pytestmark = pytest.mark.xdist_group("properties")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("properties")
    sys.path.insert(0, str(folder))
    yield folder
    sys.path.remove(str(folder))


def test_any_spec_text_stays_data(workdir: Path) -> None:
    """Every example's package holds to the rules below; then all of them, in one run, pass
    ``mypy --strict`` (one test, so no order of tests can leave the run without packages)."""
    packages: list[Path] = []

    @given(spec=specs())
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=not RANDOM,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def example(spec: dict[str, Any]) -> None:
        packages.append(_check_example(workdir, spec))

    example()
    assert packages
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental"] + [p.name for p in packages],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def _check_example(workdir: Path, spec: dict[str, Any]) -> Path:
    """Generate one example's package and check it; the package's folder."""
    package = f"prop_{next(_numbers)}"
    spec_file = workdir / f"{package}.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    generated = generate(spec_file, Target(package, f"{package}.json"))
    for name, data in generated.files.items():
        path = workdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    assert package_problems(workdir / package) == []
    ops = [(path, method) for path, method, _, _ in operations(spec)]
    assert generated.api.operation_count == len(ops)
    _check_exact_paths(workdir / package, set(spec["paths"]))
    _check_model_fields(workdir / package, generated.spec)

    module = importlib.import_module(package)
    try:
        for flavour in (module.Client, module.AsyncClient):
            client = flavour(api_key="k", base_url="http://127.0.0.1:9")
            for resource in generated.api.resources:
                for op in resource.operations:
                    assert callable(getattr(getattr(client, resource.attr), op.name))
            for op in generated.api.operations:
                assert callable(getattr(client, op.name))
        for name in generated.api.model_names:
            model = getattr(module.models, name)
            if hasattr(model, "model_json_schema"):
                model.model_json_schema()
    finally:
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
    return workdir / package


def _check_exact_paths(package: Path, expected: set[str]) -> None:
    """The paths the client and resource modules send requests to are the spec's paths."""
    modules = [package / "client.py", *(package / "resources").glob("*.py")]
    paths = {
        keyword.value.value
        for module in modules
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "_base.RequestOptions"
        for keyword in node.keywords
        if keyword.arg == "path" and isinstance(keyword.value, ast.Constant)
    }
    assert paths == expected


def _check_model_fields(package_dir: Path, spec: dict[str, Any]) -> None:
    expected = model_fields(prepared_schemas(spec))
    for node in ast.parse(models_source_at(package_dir)).body:
        if not isinstance(node, ast.ClassDef):
            continue
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                wire = _alias(item.annotation)
                wire = item.target.id if wire is None else wire
                assert expected[node.name][wire] == item.target.id, (node.name, wire)


def _alias(annotation: ast.expr) -> str | None:
    for call in ast.walk(annotation):
        if isinstance(call, ast.Call) and ast.unparse(call.func) == "Field":
            for keyword in call.keywords:
                if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return None
