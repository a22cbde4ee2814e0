"""The models stage: what datamodel-code-generator is given, and what comes back."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from generator.config import Target
from generator.emit.write import write_tree
from generator.models.build import render_models
from generator.workflow.pipeline import generate


def _spec(schemas: dict[str, object]) -> dict[str, object]:
    return {"openapi": "3.1.0", "components": {"schemas": schemas}}


def _source(schemas: dict[str, object]) -> str:
    """Every model module generated for ``schemas``, joined."""
    models = render_models(_spec(schemas), "spec.yaml", "spec.yaml", "pkg")
    return "\n".join(models.sources.values())


def _fields(source: str, class_name: str) -> dict[str, str]:
    cls = next(
        n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == class_name
    )
    return {
        n.target.id: ast.unparse(n.annotation)
        for n in cls.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }


def test_required_write_only_property_is_optional_in_the_model() -> None:
    user = {
        "type": "object",
        "required": ["name", "password"],
        "properties": {
            "name": {"type": "string"},
            "password": {"type": "string", "writeOnly": True},
        },
    }
    fields = _fields(_source({"User": user}), "User")
    assert fields == {"name": "str", "password": "str | None"}


def test_models_derive_from_the_package_base_with_deferred_build() -> None:
    source = _source({"Thing": {"type": "object", "properties": {"a": {"type": "integer"}}}})
    assert "from pkg._base import Model" in source
    assert "class Thing(Model):" in source


def test_typed_defaults_are_values_of_the_field_type(tmp_path: Path) -> None:
    """An object default of a model-typed field, and a string default of a date, time or
    UUID field, are built into the field's type (the golden case ``model_defaults``)."""
    spec = Path(__file__).parent / "golden" / "model_defaults" / "spec.yaml"
    generated = generate(spec, Target("model_defaults", "spec.yaml"))
    write_tree(tmp_path / "model_defaults", generated.files, "model_defaults")
    check = """
import datetime, uuid
from model_defaults.models import Limits, Schedule, Settings, Window
s = Settings()
assert s.window == Window(start=0, end=10), s.window
assert s.windows == [Window(start=0, end=1)], s.windows
assert s.fallback == Limits(requests=60), s.fallback
assert s.span == Window(start=1, end=2), s.span
assert s.limits is None
d = Schedule()
assert d.day == datetime.date(2024, 1, 31), d.day
assert d.at == datetime.datetime(2024, 1, 31, 9, 30, tzinfo=datetime.timezone.utc), d.at
assert d.opens == datetime.time(9), d.opens
assert d.calendar == uuid.UUID("9c5b94b1-35ad-49bb-b118-8e8fc24abf80"), d.calendar
assert d.label == "weekly"
assert Settings().window is not Settings().window  # each instance its own default
"""
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=tmp_path / "model_defaults",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_const_no_literal_can_hold_is_typed_and_optional() -> None:
    holder = {
        "type": "object",
        "required": ["rate"],
        "properties": {
            "rate": {"const": 1.5},
            "ratio": {"const": 0.5},
            "limits": {"const": {"max": 3}},
            "tags": {"const": ["a"]},
            "level": {"const": 2},
        },
    }
    fields = _fields(_source({"Holder": holder}), "Holder")
    assert fields == {
        "rate": "float",
        "ratio": "float | None",
        "limits": "dict[str, Any] | None",
        "tags": "list[Any] | None",
        "level": "Literal[2] | None",
    }


def _class(source: str, class_name: str) -> ast.ClassDef:
    return next(
        n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == class_name
    )


def _union(prop: str, tags: dict[str, str]) -> dict[str, object]:
    return {
        "type": "object",
        "properties": {
            "item": {
                "oneOf": [{"$ref": f"#/components/schemas/{n}"} for n in tags.values()],
                "discriminator": {
                    "propertyName": prop,
                    "mapping": {t: f"#/components/schemas/{n}" for t, n in tags.items()},
                },
            }
        },
    }


def test_a_variant_tagged_otherwise_than_its_base_stops_deriving_from_it() -> None:
    """``Hammer`` (tag ``hammer``) extends ``Tool`` (tag ``tool`` in another union): it keeps
    ``Tool``'s fields as its own instead of overriding ``Literal["tool"]``."""
    tool = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string"}, "weight": {"type": "integer"}},
    }
    hammer = {
        "allOf": [
            {"$ref": "#/components/schemas/Tool"},
            {"type": "object", "properties": {"head": {"type": "string"}}},
        ]
    }
    gadget = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}}
    source = _source(
        {
            "Tool": tool,
            "Gadget": gadget,
            "Hammer": hammer,
            "Workshop": _union("kind", {"tool": "Tool", "gadget": "Gadget"}),
            "Shed": _union("kind", {"hammer": "Hammer", "gadget": "Gadget"}),
        }
    )
    cls = _class(source, "Hammer")
    assert [ast.unparse(b) for b in cls.bases] == ["Model"]
    assert _fields(source, "Hammer") == {
        "kind": "Literal['hammer']",
        "weight": "int | None",
        "head": "str | None",
    }
    assert _fields(source, "Tool")["kind"] == "Literal['tool']"


def test_a_subclass_of_a_variant_keeps_the_tag_it_redefines_as_a_plain_type() -> None:
    dog = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}}
    robot = {
        "allOf": [
            {"$ref": "#/components/schemas/Dog"},
            {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"type": "string"}, "model": {"type": "string"}},
            },
        ]
    }
    hound = {"allOf": [{"$ref": "#/components/schemas/Dog"}], "required": ["kind"]}
    source = _source(
        {"Dog": dog, "Robot": robot, "Hound": hound, "Pets": _union("kind", {"dog": "Dog"})}
    )
    assert [ast.unparse(b) for b in _class(source, "Robot").bases] == ["Dog"]
    assert _fields(source, "Robot") == {"model": "str | None"}
    assert _fields(source, "Hound") == {}


def test_a_tag_typed_by_a_scalar_component_is_a_literal_in_its_variant(tmp_path: Path) -> None:
    """A variant's tag property that refers to a ``const`` or one-value ``enum`` component
    is that ``Literal`` itself (pydantic refuses the component's alias as a tag), in the
    variant's own properties and in an inline ``allOf`` member; the component stays."""
    ref = "#/components/schemas/"
    schemas = {
        "RootType": {"const": "root"},
        "LeafType": {"type": "string", "enum": ["leaf"]},
        "Root": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"$ref": ref + "RootType"}, "id": {"type": "integer"}},
        },
        "Leaf": {
            "allOf": [
                {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"$ref": ref + "LeafType", "description": "tag"}},
                }
            ]
        },
        "Lone": {"oneOf": [{"$ref": ref + "Root"}], "discriminator": {"propertyName": "type"}},
        "Node": {
            "oneOf": [{"$ref": ref + "Root"}, {"$ref": ref + "Leaf"}],
            "discriminator": {"propertyName": "type"},
        },
        "Holder": {"type": "object", "properties": {"kind": {"$ref": ref + "RootType"}}},
    }
    source = _source(schemas)
    assert _fields(source, "Root") == {"type": "Literal['root']", "id": "int | None"}
    assert _fields(source, "Leaf") == {"type": "Literal['leaf']"}
    assert _fields(source, "Holder") == {"kind": "RootType | None"}
    spec = tmp_path / "tags.yaml"
    spec.write_text(json.dumps({"info": {"title": "t", "version": "1"}, **_spec(schemas)}))
    write_tree(tmp_path / "tags", generate(spec, Target("tags", "tags.yaml")).files, "tags")
    check = """
from pydantic import TypeAdapter
from tags.models import Leaf, Lone, Node, Root
assert TypeAdapter(Lone).validate_python({"type": "root", "id": 1}) == Root(type="root", id=1)
assert isinstance(TypeAdapter(Node).validate_python({"type": "leaf"}), Leaf)
assert isinstance(TypeAdapter(Node).validate_python({"type": "root"}), Root)
"""
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=tmp_path / "tags",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_an_alias_of_a_recursive_model_builds_in_every_model_that_uses_it(
    tmp_path: Path,
) -> None:
    """``Shrub`` (a ``$ref`` to the recursive ``Twig``, with a keyword the models drop) is a
    plain alias of ``Twig``: pydantic builds it as a field of two models and in two type
    adapters, where a ``TypeAliasType`` of a self-referring model fails the second time."""
    ref = "#/components/schemas/"
    schemas = {
        "Twig": {
            "type": "object",
            "properties": {"twigs": {"type": "array", "items": {"$ref": ref + "Twig"}}},
        },
        "Shrub": {"$ref": ref + "Twig", "minProperties": 1, "description": "A shrub."},
        "Holder": {"type": "object", "properties": {"shrub": {"$ref": ref + "Shrub"}}},
        "Index": {"type": "object", "additionalProperties": {"$ref": ref + "Shrub"}},
    }
    source = _source(schemas)
    assert 'Shrub = Twig\n"""A shrub."""' in source
    spec = tmp_path / "shrubs.yaml"
    spec.write_text(json.dumps({"info": {"title": "t", "version": "1"}, **_spec(schemas)}))
    generated = generate(spec, Target("shrubs", "shrubs.yaml"))
    write_tree(tmp_path / "shrubs", generated.files, "shrubs")
    check = """
from pydantic import TypeAdapter
from shrubs.models import Holder, Index, Shrub, Twig
for _ in range(2):
    assert TypeAdapter(Shrub).validate_python({"twigs": [{}]}) == Twig(twigs=[Twig()])
    TypeAdapter(Index).json_schema()
    Holder.model_json_schema()
assert Holder.model_validate({"shrub": {"twigs": []}}).shrub == Twig(twigs=[])
"""
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=tmp_path / "shrubs",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_a_union_that_lists_itself_is_the_union_of_its_other_options() -> None:
    """``RecursiveItem: oneOf [RecursiveItem, ItemReference]`` holds the values of
    ``ItemReference`` only; as an alias that names itself it would be no type to mypy."""
    ref = "#/components/schemas/"
    schemas = {
        "ItemReference": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"const": "item_reference"}},
        },
        "RecursiveItem": {
            "oneOf": [{"$ref": ref + "RecursiveItem"}, {"$ref": ref + "ItemReference"}],
            "discriminator": {
                "propertyName": "type",
                "mapping": {"self": ref + "RecursiveItem", "item_reference": ref + "ItemReference"},
            },
        },
        "Either": {"anyOf": [{"$ref": ref + "Either"}, {"type": "string"}, {"type": "integer"}]},
    }
    aliases = {
        node.targets[0].id: ast.unparse(node.value)
        for node in ast.parse(_source(schemas)).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert aliases["RecursiveItem"] == (
        "TypeAliasType('RecursiveItem', Annotated[ItemReference, Field(discriminator='type')])"
    )
    assert aliases["Either"] == "TypeAliasType('Either', str | int)"


def test_a_variant_without_the_tag_property_gets_it_under_the_same_name() -> None:
    """``Cat`` lacks ``petType``, which ``Dog`` declares: datamodel-code-generator adds it to
    ``Cat``, spelled ``pet_type`` as in ``Dog`` (it refuses a tag aliased two ways)."""
    cat = {"type": "object", "properties": {"firstName": {"type": "string"}}}
    dog = {
        "type": "object",
        "required": ["petType"],
        "properties": {"petType": {"type": "string"}, "firstName": {"type": "string"}},
    }
    source = _source(
        {"Pet": _union("petType", {"cat": "Cat", "dog": "Dog"}), "Cat": cat, "Dog": dog}
    )
    assert _fields(source, "Cat")["pet_type"] == "Literal['cat']"
    assert "pet_type: Literal['cat'] = Field(..., alias='petType')" in ast.unparse(
        _class(source, "Cat")
    )
    assert _fields(source, "Dog")["pet_type"] == "Annotated[Literal['dog'], Field(alias='petType')]"


def test_bases_python_cannot_order_become_fields_of_the_class() -> None:
    """``E: allOf [C, D]`` where ``C: allOf [A, B]`` and ``D: allOf [B, A]`` has no method
    resolution order: ``E`` derives from ``C`` and has ``D``'s fields (and its bases') as
    its own."""
    ref = "#/components/schemas/"

    def obj(name: str) -> dict[str, object]:
        return {"type": "object", "properties": {name: {"type": "string"}}}

    schemas = {
        "A": obj("a"),
        "B": obj("b"),
        "C": {"allOf": [{"$ref": ref + "A"}, {"$ref": ref + "B"}, obj("c")]},
        "D": {"allOf": [{"$ref": ref + "B"}, {"$ref": ref + "A"}, obj("d")]},
        "E": {"allOf": [{"$ref": ref + "C"}, {"$ref": ref + "D"}, obj("e")]},
    }
    source = _source(schemas)
    assert [ast.unparse(b) for b in _class(source, "E").bases] == ["C"]
    assert [ast.unparse(b) for b in _class(source, "D").bases] == ["B", "A"]
    assert set(_fields(source, "E")) == {"a", "b", "d", "e"}
