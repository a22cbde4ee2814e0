"""Derived subclasses (a schema shared as a subclass of an identical earlier one) come from
clientgen's own template, not from datamodel-code-generator, and read as the library wrote
them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.config import Target
from generator.literals import plain
from generator.models import build, pool, prepare, subclasses
from generator.models import chunks as model_chunks
from generator.workflow.pipeline import generate

R = "#/components/schemas/"
DESCRIPTIONS = ['Quotes """ and \\ backslashes', "Ends in a quote: 'x'\"", "Two\nlines", ""]


def _spec() -> dict[str, Any]:
    """650 object schemas in 50 shapes (so most are shared), some referred to as field types,
    one from inside an inline ``allOf`` member, one as a base."""
    schemas: dict[str, Any] = {}
    for index in range(650):
        shape = index % 50
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {"id": {"type": "string"}, f"field_{shape}": {"type": "integer"}},
        }
        description = DESCRIPTIONS[index % len(DESCRIPTIONS)]
        if description:
            schema["description"] = description
        schemas[f"Node{index}"] = schema
    schemas["Holder"] = {
        "type": "object",
        "properties": {
            "one": {"$ref": R + "Node160"},
            "either": {"anyOf": [{"$ref": R + "Node170"}, {"$ref": R + "Node220"}]},
            "many": {"type": "array", "items": {"$ref": R + "Node180"}},
        },
    }
    schemas["Merged"] = {
        "allOf": [
            {"type": "object", "properties": {"owner": {"$ref": R + "Node190"}}},
            {"type": "object", "properties": {"owner": {"$ref": R + "Node240"}}},
        ]
    }
    schemas["Built"] = {"allOf": [{"$ref": R + "Node199"}, {"type": "object"}]}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shapes", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("subclasses") / "shapes.json"
    path.write_text(json.dumps(_spec()))
    return path


TARGET = Target("shapes", "shapes.json")


def _models(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name.startswith("shapes/models/")}


@pytest.mark.slow
def test_derived_subclasses_come_from_the_template_as_the_library_wrote_them(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "processes", lambda: 1)  # every chunk in this process
    given: list[dict[str, Any]] = []
    real = build.generate_chunk

    def recorded(arguments: list[Any]) -> list[Any]:
        given.append(arguments[0]["components"]["schemas"])
        return real(arguments)

    monkeypatch.setattr(build, "generate_chunk", recorded)
    ours = generate(spec, TARGET, display="shapes.json")
    before, after = _shared(spec)
    graph = model_chunks.closure_graph(after)
    derived = set(subclasses.derived(before, after, graph, model_chunks.stubs(after)))
    assert len(derived) > 400
    # merged from an inline allOf member, or a base: left to the library
    assert not {"Node190", "Node240", "Node199"} & derived
    assert "Node160" in derived and "Node170" in derived
    for schemas in given:  # the library never builds one; it is given a stub where named
        for name in derived & schemas.keys():
            assert schemas[name].get("properties") == {}, name
            assert "allOf" not in schemas[name]

    monkeypatch.setattr(subclasses, "derived", lambda *arguments: {})
    theirs = generate(spec, TARGET, display="shapes.json")
    assert _models(ours.files) == _models(theirs.files)
    source = b"".join(_models(ours.files).values()).decode()
    assert "class Node160(Node60):" in source


def _shared(spec: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    document = json.loads(spec.read_text())
    prepared = prepare.prepared_schemas(document)
    members = frozenset(prepare.discriminator_fields(prepared))
    return prepared, prepare.share_identical(prepared, members)


@pytest.mark.parametrize(
    "description",
    [
        "One line.",
        "ends in a quote: 'x'\"",
        'tail ""',
        'escaped \\"',
        "x\\",
        "Two\nlines",
        'a\n\nb "',
        "",
    ],
)
def test_a_derived_class_docstring_is_the_one_the_library_writes(description: str) -> None:
    from datamodel_code_generator._python_syntax import format_docstring

    expected = format_docstring(plain(description), 4, use_single_line_docstring=True)
    assert subclasses._docstring({"description": description}) == expected
