"""generator.spec.hoist: components get class names, inline objects are named from their place."""

from __future__ import annotations

from typing import Any

import pytest

from generator.spec.hoist import hoist, is_hoistable
from generator.spec.normalize import normalize

PREFIX = "#/components/schemas/"
OBJ = {"type": "object", "properties": {"v": {"type": "string"}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": PREFIX + name}


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def spec_of(schemas: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths or {},
        "components": {"schemas": schemas},
    }


def run(
    schemas: dict[str, Any],
    paths: dict[str, Any] | None = None,
    names: dict[tuple[str, str], str] | None = None,
) -> dict[str, Any]:
    result = hoist(spec_of(schemas, paths), names or {})
    return result["components"]["schemas"]  # type: ignore[no-any-return]


def json_content(schema: Any) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


# -- components -------------------------------------------------------------------------------


def test_components_get_pascal_case_names_and_refs_follow() -> None:
    schemas = run(
        {
            "task-run": obj(owner=ref("run_owner")),
            "run_owner": OBJ,
            "Holder": obj(runs={"type": "array", "items": ref("task-run")}),
        }
    )
    assert list(schemas) == ["TaskRun", "RunOwner", "Holder"]
    assert schemas["TaskRun"]["properties"]["owner"] == ref("RunOwner")
    assert schemas["Holder"]["properties"]["runs"]["items"] == ref("TaskRun")


def test_refs_in_paths_are_rewritten() -> None:
    paths = {"/r": {"get": {"responses": {"200": json_content(ref("task-run"))}}}}
    result = hoist(spec_of({"task-run": OBJ}, paths), {("/r", "get"): "GetR"})
    schema = result["paths"]["/r"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"] == ref("TaskRun")


def test_refs_into_a_component_keep_their_tail() -> None:
    described = {**ref("task-run/properties/v"), "description": "the run's v"}
    task_run = obj(v={"not": {"type": "object"}})  # no plain schema: it is not copied
    schemas = run({"task-run": task_run, "Other": obj(v=described)})
    assert schemas["Other"]["properties"]["v"] == {
        **ref("TaskRun/properties/v"),
        "description": "the run's v",
    }


def test_a_ref_into_a_schema_names_what_stands_there() -> None:
    """The component an object there was hoisted into; a copy of a plain schema."""
    paths = {
        "/a": {"get": {"responses": {"200": json_content(OBJ)}}},
        "/b": {
            "get": {
                "responses": {
                    "200": json_content(
                        {"$ref": "#/paths/~1a/get/responses/200/content/application~1json/schema"}
                    )
                }
            }
        },
    }
    status = {"type": "string", "enum": ["queued", "done"]}
    result = hoist(
        spec_of({"Run": obj(status=status), "Other": obj(s=ref("Run/properties/status"))}, paths),
        {("/a", "get"): "GetA", ("/b", "get"): "GetB"},
    )
    schema = result["paths"]["/b"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"] == ref("GetAResponse")
    assert result["components"]["schemas"]["Other"]["properties"]["s"] == status


def test_responses_and_request_bodies_in_components_are_hoisted() -> None:
    spec = spec_of({}, {})
    spec["components"]["responses"] = {
        "NotFound": json_content(obj(message={"type": "string"})),
        "RunResponse": json_content(OBJ),
    }
    spec["components"]["requestBodies"] = {"RunBody": json_content(OBJ)}
    schemas = hoist(spec, {})["components"]["schemas"]
    assert list(schemas) == ["NotFoundResponse", "RunResponse", "RunBody"]


def test_reserved_component_names_get_a_suffix() -> None:
    schemas = run({"BaseModel": OBJ, "Field": OBJ, "list": OBJ, "Client": OBJ, "str": OBJ})
    assert list(schemas) == ["BaseModelModel", "FieldModel", "ListModel", "ClientModel", "Str"]


def test_component_clashes_get_numeric_suffixes_in_document_order() -> None:
    schemas = run({"task-run": OBJ, "TaskRun": OBJ, "task_run": OBJ})
    assert list(schemas) == ["TaskRun", "TaskRun2", "TaskRun3"]


def test_discriminator_mapping_follows_renames() -> None:
    schemas = run(
        {
            "Shape": {
                "oneOf": [ref("circle-shape"), ref("square-shape")],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {"c": PREFIX + "circle-shape", "s": "square-shape"},
                },
            },
            "circle-shape": obj(kind={"const": "c"}),
            "square-shape": obj(kind={"const": "s"}),
        }
    )
    shape = schemas["Shape"]
    assert shape["oneOf"] == [ref("CircleShape"), ref("SquareShape")]
    assert shape["discriminator"]["mapping"] == {  # bare names become full refs
        "c": PREFIX + "CircleShape",
        "s": PREFIX + "SquareShape",
    }


def test_discriminator_mappings_follow_renames_wherever_a_schema_stands() -> None:
    def union() -> dict[str, Any]:  # hoisted where it stands: a tagged union is a class
        return {
            "oneOf": [ref("circle-shape"), ref("square-shape")],
            "discriminator": {"propertyName": "kind", "mapping": {"c": "circle-shape"}},
        }

    example = {"discriminator": {"mapping": {"c": "circle-shape"}}}  # data, not a schema
    body = {"content": {"application/json": {"schema": {"items": union()}, "example": example}}}
    paths = {"/shapes": {"post": {"requestBody": body, "responses": {}}}}
    drawing = obj(main=union(), layers={"type": "array", "items": union()})
    result = hoist(
        spec_of(
            {
                "Drawing": drawing,
                "circle-shape": obj(kind={"const": "c"}),
                "square-shape": obj(kind={"const": "s"}),
            },
            paths,
        ),
        {("/shapes", "post"): "AddShapes"},
    )
    schemas = result["components"]["schemas"]
    unions = [s for s in schemas.values() if "discriminator" in s]
    assert len(unions) == 3
    assert all(u["discriminator"]["mapping"] == {"c": PREFIX + "CircleShape"} for u in unions)
    media = result["paths"]["/shapes"]["post"]["requestBody"]["content"]["application/json"]
    assert media["example"] == {"discriminator": {"mapping": {"c": "circle-shape"}}}


# -- inline objects ---------------------------------------------------------------------------


def test_inline_objects_are_named_from_their_place() -> None:
    schemas = run(
        {
            "Order": obj(
                customer=obj(address=obj(geo=obj(lat={"type": "number"}))),
                lines={"type": "array", "items": OBJ},
                attributes={"type": "object", "additionalProperties": OBJ},
                choice={"anyOf": [OBJ, obj(w={})]},
                maybe={"anyOf": [OBJ, {"type": "null"}]},
            )
        }
    )
    props = schemas["Order"]["properties"]
    assert props["customer"] == ref("OrderCustomer")
    assert schemas["OrderCustomer"]["properties"]["address"] == ref("OrderCustomerAddress")
    assert schemas["OrderCustomerAddress"]["properties"]["geo"] == ref("OrderCustomerAddressGeo")
    assert props["lines"]["items"] == ref("OrderLinesItem")
    assert props["attributes"]["additionalProperties"] == ref("OrderAttributesValue")
    assert props["choice"]["anyOf"] == [ref("OrderChoiceOption1"), ref("OrderChoiceOption2")]
    assert props["maybe"]["anyOf"] == [ref("OrderMaybe"), {"type": "null"}]


def test_operation_bodies_and_responses_are_named_after_the_operation() -> None:
    paths = {
        "/orders": {
            "post": {
                "requestBody": json_content(obj(a={})),
                "responses": {
                    "201": json_content(obj(id={}, totals=obj(net={}))),
                    "400": json_content(obj(message={})),
                },
            }
        }
    }
    schemas = run({}, paths, {("/orders", "post"): "CreateOrder"})
    assert set(schemas) == {
        "CreateOrderRequest",
        "CreateOrderResponse",
        "CreateOrderResponseTotals",
        "CreateOrder400Response",
    }


def test_default_response_name_is_pascal_case() -> None:
    paths = {"/orders": {"post": {"responses": {"default": json_content(obj(detail={}))}}}}
    schemas = run({}, paths, {("/orders", "post"): "CreateOrder"})
    assert set(schemas) == {"CreateOrderDefaultResponse"}


def test_one_word_title_is_preferred() -> None:
    schemas = run({"Order": obj(shipping={**OBJ, "title": "ShippingOption"})})
    assert schemas["Order"]["properties"]["shipping"] == ref("ShippingOption")
    assert "OrderShipping" not in schemas


def test_title_of_several_words_is_not_used() -> None:
    schemas = run({"Order": obj(gift={**OBJ, "title": "A gift note"})})
    assert schemas["Order"]["properties"]["gift"] == ref("OrderGift")


def test_inline_name_clashing_with_a_component_gets_a_suffix() -> None:
    schemas = run({"Order": obj(customer=OBJ), "OrderCustomer": OBJ})
    assert schemas["Order"]["properties"]["customer"] == ref("OrderCustomer2")
    assert schemas["OrderCustomer"] == OBJ


def test_a_title_already_taken_yields_to_the_place_name() -> None:
    """GitHub titles hundreds of inline schemas `Link`: the first is Link, the rest are named
    from where they stand, never Link2 ... Link219."""
    schemas = run({"A": obj(x={**OBJ, "title": "Result"}), "B": obj(y={**OBJ, "title": "Result"})})
    assert schemas["A"]["properties"]["x"] == ref("Result")
    assert schemas["B"]["properties"]["y"] == ref("BY")


def test_union_members_are_named_by_title_or_tag() -> None:
    tagged = {
        "type": "object",
        "properties": {"kind": {"const": "circle"}, "r": {"type": "number"}},
    }
    titled = {"type": "object", "title": "square", "properties": {"side": {"type": "number"}}}
    plain = {"type": "object", "properties": {"n": {"type": "number"}}}
    schemas = run({"Shape": {"oneOf": [tagged, titled, plain]}})
    assert schemas["Shape"]["oneOf"] == [ref("ShapeCircle"), ref("Square"), ref("ShapeOption3")]


def test_non_objects_stay_inline() -> None:
    plain = {
        "s": {"type": "string"},
        "bare": {"type": "object"},
        "map": {"type": "object", "additionalProperties": {"type": "integer"}},
        "wrapped": {"allOf": [ref("Other")]},
        "union": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
    }
    schemas = run({"Holder": obj(**plain), "Other": OBJ})
    assert schemas["Holder"]["properties"] == plain
    assert set(schemas) == {"Holder", "Other"}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (OBJ, True),
        ({"type": "object"}, False),
        ({"type": "object", "properties": {}}, False),
        (ref("X"), False),
        ({"allOf": [ref("X"), OBJ]}, True),
        ({"allOf": [ref("X")]}, False),
        ({"allOf": [OBJ]}, True),
        ({"oneOf": [ref("X"), ref("Y")]}, False),
        ({"oneOf": [ref("X"), ref("Y")], "discriminator": {"propertyName": "k"}}, True),
        ({"type": "string"}, False),
        ("not a schema", False),
    ],
)
def test_is_hoistable(schema: Any, expected: bool) -> None:
    assert is_hoistable(schema) is expected


def test_nullable_component_object_is_not_named_with_a_clash_suffix() -> None:
    spec = {
        "openapi": "3.1.0",
        "components": {"schemas": {"Config": {"anyOf": [OBJ, {"type": "null"}]}}},
    }
    schemas = run(normalize(spec)["components"]["schemas"])
    assert not any(name[-1].isdigit() for name in schemas), list(schemas)


def test_a_ref_through_a_node_hoisted_away_reaches_its_component() -> None:
    spec = spec_of(
        {
            "Run": obj(
                child=obj(name={"type": "string"}),
                tags={"type": "array", "items": ref("Tag")},
                status={"type": "string", "enum": ["queued", "done"]},
            ),
            "Tag": {"type": "string"},
            "Other": obj(
                name=ref("Run/properties/child/properties/name"),
                tags=ref("Run/properties/tags"),
                status={**ref("Run/properties/status"), "description": "its status"},
            ),
        }
    )
    spec["components"]["requestBodies"] = {"Filter": json_content(obj(kinds=OBJ))}
    filter_ref = "#/components/requestBodies/Filter/content/application~1json/schema"
    spec["components"]["schemas"]["Other"]["properties"]["kinds"] = {
        "$ref": filter_ref + "/properties/kinds"
    }
    other = hoist(spec, {})["components"]["schemas"]["Other"]["properties"]
    assert other["name"] == {"type": "string"}
    assert other["tags"] == {"type": "array", "items": ref("Tag")}
    assert other["status"] == {
        "type": "string",
        "enum": ["queued", "done"],
        "description": "its status",
    }
    assert other["kinds"] == ref("FilterRequestKinds")
