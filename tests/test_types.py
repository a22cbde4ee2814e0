"""Types as data (``generator.ir.types``): what signatures print and what ``diff`` compares."""

from __future__ import annotations

from typing import Any

import pytest

from generator.apidiff.shape import split_enum
from generator.ir import types
from generator.ir.types import Generic, Literals, Plain, Union


@pytest.mark.parametrize(
    ("schema", "printed"),
    [
        ({"$ref": "#/components/schemas/TaskRun"}, "models.TaskRun"),
        ({"$ref": "#/components/schemas/A/properties/b"}, "Any"),
        ({"type": "string", "format": "date-time"}, "datetime.datetime"),
        ({"type": ["string", "null"]}, "str | None"),
        ({"enum": ["a", "b", None]}, "Literal['a', 'b'] | str | None"),
        ({"enum": [1, 2]}, "Literal[1, 2] | int"),
        ({"enum": [True]}, "Literal[True]"),
        ({"const": "x"}, "Literal['x']"),
        ({"anyOf": [{"type": "null"}, {"type": "integer"}, {"type": "integer"}]}, "int | None"),
        ({"oneOf": [{"type": "string"}, {}]}, "Any"),
        (
            {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
            "list[list[float]]",
        ),
        ({"type": "object", "additionalProperties": {"type": "boolean"}}, "dict[str, bool]"),
        ({"type": "object"}, "dict[str, Any]"),
        ("not a schema", "Any"),
    ],
)
def test_a_schema_prints_as_its_type(schema: Any, printed: str) -> None:
    assert types.annotation(schema) == printed


def test_a_union_is_flat_each_member_once_none_last() -> None:
    inner = types.union([Plain("str"), types.NONE])
    kind = types.union([types.NONE, inner, Plain("int"), Plain("str")])
    assert kind == Union((Plain("str"), Plain("int"), types.NONE))
    assert types.union([Plain("str")]) == Plain("str")
    assert types.union([]) == types.ANY
    assert types.union([Plain("str"), types.ANY]) == types.ANY


def test_shadowed_builtins_are_qualified_where_they_are_types_only() -> None:
    kind = types.union(
        [
            Generic("list", (Literals(("list", "dict")),)),
            Generic("dict", (Plain("str"), Plain("int"))),
        ]
    )
    shadowed = frozenset({"list", "str"})
    assert types.render(kind, shadowed) == (
        "builtins.list[Literal['list', 'dict']] | dict[builtins.str, int]"
    )
    assert types.render(kind) == "list[Literal['list', 'dict']] | dict[str, int]"


def test_files_in_multipart_take_bytes_a_file_or_a_named_tuple() -> None:
    assert types.file_type(types.BYTES) == Plain("_base.FileContent")
    assert types.render(types.file_type(Generic("list", (types.BYTES,)))) == (
        "list[_base.FileContent]"
    )
    assert types.file_type(Plain("str")) == Plain("str")


@pytest.mark.parametrize(
    ("schema", "base", "values"),
    [
        ({"enum": ["a", "b"]}, "Literal[...] | str", ("a", "b")),
        ({"const": "a"}, "Literal['a']", None),
        ({"type": "array", "items": {"enum": [1, 2]}}, "list[Literal[...] | int]", (1, 2)),
        ({"anyOf": [{"const": "a"}, {"type": "string"}]}, "Literal[...] | str", ("a",)),
        ({"type": "string"}, "str", None),
        ({"anyOf": [{"const": {"a": 1}}, {"type": "null"}]}, "Literal[{'a': 1}] | None", None),
        ({"anyOf": [{"const": 1.5}, {"type": "integer"}]}, "Literal[1.5] | int", None),
        ({"enum": [1, True, "a"]}, "Literal[...]", (1, True, "a")),
    ],
)
def test_an_enum_splits_into_its_shape_and_values(
    schema: Any, base: str, values: tuple[Any, ...] | None
) -> None:
    split = split_enum(types.of_schema(schema))
    assert (split.base, split.values) == (base, values)
