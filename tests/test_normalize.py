"""generator.spec.normalize: one test per rule of its docstring, on tiny inline schemas."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.spec.normalize import normalize

A = {"$ref": "#/components/schemas/A"}
NULL = {"type": "null"}


def _spec(schema: dict[str, Any], version: str = "3.1.0") -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"A": {"type": "object"}, "X": schema}},
    }


def norm(schema: dict[str, Any], version: str = "3.1.0") -> Any:
    return normalize(_spec(schema, version))["components"]["schemas"]["X"]


# -- rule 1: single-ref allOf wrapper ---------------------------------------------------------


def test_allof_wrapper_becomes_ref_keeping_annotations() -> None:
    schema = {"allOf": [A], "description": "the owner", "title": "Owner", "readOnly": True}
    assert norm(schema) == {**A, "description": "the owner", "title": "Owner", "readOnly": True}


def test_allof_wrapper_sibling_annotation_wins_over_the_members() -> None:
    schema = {"allOf": [{**A, "description": "inner"}], "description": "outer"}
    assert norm(schema) == {**A, "description": "outer"}


def test_allof_wrapper_with_default_null_keeps_default() -> None:
    assert norm({"allOf": [A], "default": None}) == {**A, "default": None}


@pytest.mark.parametrize(
    "sibling",
    [
        {"properties": {"b": {"type": "string"}}},
        {"required": ["b"]},
        {"type": "object"},
        {"additionalProperties": False},
    ],
)
def test_allof_wrapper_with_structural_sibling_is_left_alone(sibling: dict[str, Any]) -> None:
    schema = {"allOf": [A], **sibling}
    assert norm(schema) == schema


def test_allof_with_several_members_is_left_alone() -> None:
    schema = {"allOf": [A, {"type": "object", "properties": {"b": {"type": "integer"}}}]}
    assert norm(schema) == schema


def test_allof_with_single_inline_member_is_left_alone() -> None:
    schema = {"allOf": [{"type": "object", "properties": {"b": {"type": "integer"}}}]}
    assert norm(schema) == schema


def test_allof_wrapper_is_unwrapped_inside_properties_and_items() -> None:
    schema = {
        "type": "object",
        "properties": {
            "owner": {"allOf": [A], "description": "d"},
            "owners": {"type": "array", "items": {"allOf": [A]}},
        },
    }
    assert norm(schema)["properties"] == {
        "owner": {**A, "description": "d"},
        "owners": {"type": "array", "items": A},
    }


# -- rule 2: one spelling of nullability ------------------------------------------------------


def test_anyof_ref_null_stays_in_normal_form() -> None:
    schema = {"anyOf": [A, NULL], "description": "d"}
    assert norm(schema) == schema


def test_oneof_ref_null_becomes_anyof() -> None:
    assert norm({"oneOf": [A, NULL], "description": "d"}) == {
        "anyOf": [A, NULL],
        "description": "d",
    }


def test_null_first_moves_last() -> None:
    assert norm({"anyOf": [NULL, {"type": "string"}]}) == {"anyOf": [{"type": "string"}, NULL]}


def test_nested_anyof_with_null_is_flattened() -> None:
    inner = {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    assert norm({"anyOf": [inner, NULL]}) == {
        "anyOf": [{"type": "string"}, {"type": "integer"}, NULL]
    }


def test_union_of_several_types_and_null_keeps_its_members() -> None:
    schema = {"anyOf": [{"type": "string"}, {"type": "integer"}, NULL]}
    assert norm(schema) == schema


def test_type_list_with_null() -> None:
    assert norm({"type": ["string", "null"], "format": "date-time", "description": "d"}) == {
        "anyOf": [{"type": "string", "format": "date-time"}, NULL],
        "description": "d",
    }


def test_type_list_of_several_types_with_null() -> None:
    assert norm({"type": ["string", "integer", "null"]}) == {
        "anyOf": [{"type": ["string", "integer"]}, NULL]
    }


def test_type_list_of_only_null() -> None:
    assert norm({"type": ["null"]}) == NULL


def test_enum_with_null() -> None:
    assert norm({"type": "string", "enum": ["a", "b", None]}) == {
        "anyOf": [{"type": "string", "enum": ["a", "b"]}, NULL]
    }


def test_enum_with_null_and_type_list_with_null() -> None:
    assert norm({"type": ["string", "null"], "enum": ["a", "b", None]}) == {
        "anyOf": [{"type": "string", "enum": ["a", "b"]}, NULL]
    }


def test_30_nullable_scalar() -> None:
    assert norm({"type": "string", "nullable": True, "description": "d"}, "3.0.3") == {
        "anyOf": [{"type": "string"}, NULL],
        "description": "d",
    }


def test_30_nullable_object() -> None:
    obj = {"type": "object", "properties": {"a": {"type": "string"}}}
    schema = {"type": "object", "properties": {"inner": {**obj, "nullable": True}}}
    assert norm(schema, "3.0.3")["properties"]["inner"] == {"anyOf": [obj, NULL]}


def test_nullable_component_stays_the_object_and_its_references_turn_nullable() -> None:
    obj = {"type": "object", "properties": {"a": {"type": "string"}}}
    spec = _spec({**obj, "nullable": True, "description": "d"}, "3.0.3")
    spec["components"]["schemas"]["Holder"] = {
        "type": "object",
        "properties": {
            "x": {"$ref": "#/components/schemas/X"},
            "y": {"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]},
        },
    }
    schemas = normalize(spec)["components"]["schemas"]
    assert schemas["X"] == {**obj, "description": "d"}
    x_ref = {"$ref": "#/components/schemas/X"}
    assert schemas["Holder"]["properties"]["x"] == {"anyOf": [x_ref, NULL]}
    assert schemas["Holder"]["properties"]["y"] == {"anyOf": [x_ref, NULL]}


def test_30_nullable_beside_ref() -> None:
    assert norm({**A, "nullable": True}, "3.0.3") == {"anyOf": [A, NULL]}


def test_30_nullable_beside_ref_inside_allof() -> None:
    schema = {"nullable": True, "description": "d", "allOf": [A]}
    assert norm(schema, "3.0.3") == {"anyOf": [A, NULL], "description": "d"}


def test_30_nullable_false_is_dropped() -> None:
    assert norm({"type": "string", "nullable": False}, "3.0.3") == {"type": "string"}


def test_nullable_keyword_left_in_a_31_document_is_honoured() -> None:
    # 3.1 dropped `nullable`, but a document that still writes it means it (oas-examples
    # 3.1/readme.json: its servers answer null there)
    assert norm({"type": "string", "nullable": True}) == {"anyOf": [{"type": "string"}, NULL]}
    assert norm({"type": "string", "nullable": False}) == {"type": "string"}


def test_30_nullable_inside_properties() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer", "nullable": True}}}
    assert norm(schema, "3.0.3")["properties"]["a"] == {"anyOf": [{"type": "integer"}, NULL]}


# -- rule 3: 3.0 leftovers --------------------------------------------------------------------


def test_boolean_exclusive_minimum_true_takes_the_minimum() -> None:
    assert norm({"type": "integer", "minimum": 0, "exclusiveMinimum": True}, "3.0.3") == {
        "type": "integer",
        "exclusiveMinimum": 0,
    }


def test_boolean_exclusive_maximum_true_takes_the_maximum() -> None:
    assert norm({"type": "number", "maximum": 1, "exclusiveMaximum": True}, "3.0.3") == {
        "type": "number",
        "exclusiveMaximum": 1,
    }


def test_boolean_exclusive_minimum_false_is_dropped() -> None:
    assert norm({"type": "integer", "minimum": 0, "exclusiveMinimum": False}, "3.0.3") == {
        "type": "integer",
        "minimum": 0,
    }


def test_boolean_exclusive_bound_without_a_bound_is_dropped() -> None:
    assert norm({"type": "integer", "exclusiveMaximum": True}, "3.0.3") == {"type": "integer"}


def test_numeric_exclusive_bound_is_kept() -> None:
    assert norm({"type": "integer", "exclusiveMinimum": 3}) == {
        "type": "integer",
        "exclusiveMinimum": 3,
    }


def test_example_is_dropped_and_examples_kept() -> None:
    assert norm({"type": "string", "example": "x", "examples": ["y"]}) == {
        "type": "string",
        "examples": ["y"],
    }


def test_example_is_dropped_in_sub_schemas() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "example": "x"}}}
    assert norm(schema)["properties"]["a"] == {"type": "string"}


# -- rule 4: single-value enum ----------------------------------------------------------------


def test_single_value_string_enum_becomes_const() -> None:
    assert norm({"type": "string", "enum": ["order"], "description": "d"}) == {
        "type": "string",
        "const": "order",
        "description": "d",
    }


@pytest.mark.parametrize("values", [[1], [True], ["a", "b"]])
def test_other_enums_stay_enums(values: list[Any]) -> None:
    assert norm({"enum": values}) == {"enum": values}


def test_single_value_enum_with_null_becomes_nullable_const() -> None:
    assert norm({"type": "string", "enum": ["x", None]}) == {
        "anyOf": [{"type": "string", "const": "x"}, NULL]
    }


# -- the document as a whole ------------------------------------------------------------------


def test_openapi_version_becomes_31() -> None:
    assert normalize(_spec({"type": "string"}, "3.0.3"))["openapi"] == "3.1.0"


def test_input_is_not_mutated() -> None:
    spec = _spec(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "a": {"allOf": [A], "description": "d"},
                "b": {"type": ["string", "null"], "example": "x"},
                "c": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
                "d": {"type": "string", "enum": ["only"]},
            },
        },
        "3.0.3",
    )
    before = copy.deepcopy(spec)
    result = normalize(spec)
    assert spec == before
    assert result != before


def test_every_schema_position_is_normalized() -> None:
    nullable = {"type": "string", "nullable": True}
    expected = {"anyOf": [{"type": "string"}, NULL]}
    spec: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x/{id}": {
                "parameters": [{"name": "id", "in": "path", "schema": dict(nullable)}],
                "post": {
                    "parameters": [{"name": "q", "in": "query", "schema": dict(nullable)}],
                    "requestBody": {"content": {"application/json": {"schema": dict(nullable)}}},
                    "responses": {
                        "200": {
                            "description": "ok",
                            "headers": {"X-Rate": {"schema": dict(nullable)}},
                            "content": {"application/json": {"schema": dict(nullable)}},
                        }
                    },
                },
            }
        },
        "components": {
            "parameters": {"P": {"name": "p", "in": "query", "schema": dict(nullable)}},
            "responses": {
                "R": {
                    "description": "r",
                    "content": {"application/json": {"schema": dict(nullable)}},
                }
            },
        },
    }
    result = normalize(spec)
    post = result["paths"]["/x/{id}"]["post"]
    assert result["paths"]["/x/{id}"]["parameters"][0]["schema"] == expected
    assert post["parameters"][0]["schema"] == expected
    assert post["requestBody"]["content"]["application/json"]["schema"] == expected
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == expected
    assert post["responses"]["200"]["headers"]["X-Rate"]["schema"] == expected
    assert result["components"]["parameters"]["P"]["schema"] == expected
    assert result["components"]["responses"]["R"]["content"]["application/json"]["schema"] == (
        expected
    )
