"""The models index: each component schema of the prepared spec as ``clientgen diff`` compares
it (``nodes.Model``), so that no later stage reads the spec again.

An object model (properties, an ``allOf``, or a closed ``type: object``) is its fields, with
the properties of its ``allOf`` members merged; any other model (an enum, a union, an alias of
another type) is the one type it stands for.
"""

from __future__ import annotations

from typing import Any

from generator.ir import types
from generator.ir.nodes import Model, ModelField, ModelKind
from generator.spec.schemas import object_properties


def model_index(spec: dict[str, Any]) -> tuple[Model, ...]:
    """``spec`` is normalized and hoisted: the schemas the models package is made from."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    return tuple(_model(spec, name, schemas[name]) for name in sorted(schemas))


def _model(spec: dict[str, Any], name: str, schema: Any) -> Model:
    if _is_object(schema):
        properties, required = object_properties(spec, schema)
        fields = tuple(
            ModelField(wire, types.of_schema(prop), wire in required)
            for wire, prop in properties.items()
        )
        return Model(name, "object", None, fields)
    kind = types.of_schema(schema)
    shape: ModelKind = "enum" if isinstance(schema, dict) and "enum" in schema else "alias"
    return Model(name, shape, kind, ())


def _is_object(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if "$ref" in schema or "anyOf" in schema or "oneOf" in schema or "enum" in schema:
        return False
    return (
        bool(schema.get("properties"))
        or isinstance(schema.get("allOf"), list)
        or (schema.get("type") == "object" and not schema.get("additionalProperties"))
    )
