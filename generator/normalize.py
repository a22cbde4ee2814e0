"""Normalize stage: rewrite the habits real specs have into one form, on a copy of the spec.

Rules, each applied bottom-up to every schema of the document:

1. **Single-ref allOf wrapper**: ``allOf: [{$ref: X}]`` with only annotation keys beside it
   (description, title, default, nullable, readOnly, writeOnly, deprecated, examples) becomes
   ``$ref: X`` keeping those keys. A wrapper with structural siblings (properties, required,
   type, ...) is a real composition and is left alone.
2. **Nullability has one spelling**: ``anyOf``/``oneOf: [X, {type: null}]``, 3.0's
   ``nullable: true`` (also beside a ``$ref``), 3.1 type lists with ``null`` and
   ``enum`` lists holding ``null`` all become ``anyOf: [X, {type: 'null'}]``.
3. **3.0 leftovers**: boolean ``exclusiveMinimum``/``exclusiveMaximum`` become 3.1 numbers;
   a schema's ``example`` is dropped (examples never shape types).
4. **Single-value enum** of a string is kept as ``const`` (a tag, not an open enum), also
   when the enum lists ``null`` beside it (a nullable const).
5. **Nullable components**: a component that is a nullable object (3.0 ``nullable: true`` on
   the component) stays the object; every reference to it becomes nullable instead, so the
   class keeps the component's name.

The document's ``openapi`` becomes ``3.1.0``: every later stage reads one dialect.
"""

from __future__ import annotations

import copy
from typing import Any

from generator.diagnostics import pointer
from generator.schemas import NULL, Schema, is_null, schema_roots, set_at, split_nullable, transform

ANNOTATION_KEYS = frozenset(
    {
        "description",
        "title",
        "default",
        "nullable",
        "readOnly",
        "writeOnly",
        "deprecated",
        "examples",
        "example",
        "externalDocs",
    }
)


def normalize(document: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(document)
    was_30 = str(spec.get("openapi", "")).startswith("3.0")
    for where, schema in list(schema_roots(spec)):
        set_at(spec, where, transform(schema, lambda s: _normalize_schema(s, was_30)))
    nullable = _unwrap_nullable_components(spec)
    if nullable:
        for where, schema in list(schema_roots(spec)):
            set_at(spec, where, transform(schema, lambda s: _nullable_refs(s, nullable)))
    spec["openapi"] = "3.1.0"
    return spec


def _normalize_schema(schema: Schema, was_30: bool) -> Schema:
    schema = _unwrap_single_ref_allof(schema)
    schema = _exclusive_bounds(schema)
    schema.pop("example", None)
    schema = _nullable(schema, was_30)
    inner, is_nullable = split_nullable(schema)
    if is_nullable:
        const = _single_value_enum(inner)
        return schema if const is inner else {**schema, "anyOf": [const, dict(NULL)]}
    return _single_value_enum(schema)


def _unwrap_nullable_components(spec: dict[str, Any]) -> frozenset[str]:
    """Components that are nullable objects become the object; returns their refs."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    refs = set()
    for name, schema in schemas.items():
        if not isinstance(schema, dict):
            continue
        inner, is_nullable = split_nullable(schema)
        if is_nullable and "$ref" not in inner and isinstance(inner.get("properties"), dict):
            annotations = {k: v for k, v in schema.items() if k != "anyOf"}
            schemas[name] = {**inner, **annotations}
            refs.add(pointer("components", "schemas", name))
    return frozenset(refs)


def _nullable_refs(schema: Schema, refs: frozenset[str]) -> Schema:
    if schema.get("$ref") in refs:
        annotations = {k: v for k, v in schema.items() if k != "$ref"}
        return _wrap_null({"$ref": schema["$ref"]}, annotations)
    options = schema.get("anyOf")
    if isinstance(options, list) and any(
        isinstance(o, dict) and set(o) == {"anyOf"} for o in options
    ):
        flat: list[Any] = []
        for option in options:  # [anyOf[ref, null], null] -> [ref, null]
            for item in (
                option["anyOf"]
                if isinstance(option, dict) and set(option) == {"anyOf"}
                else [option]
            ):
                if not (is_null(item) and any(is_null(f) for f in flat)):
                    flat.append(item)
        schema = {**schema, "anyOf": flat}
    return schema


def _unwrap_single_ref_allof(schema: Schema) -> Schema:
    members = schema.get("allOf")
    if not (isinstance(members, list) and len(members) == 1 and isinstance(members[0], dict)):
        return schema
    member = members[0]
    siblings = set(schema) - {"allOf"}
    if "$ref" not in member or not siblings <= ANNOTATION_KEYS:
        return schema
    unwrapped = {k: v for k, v in schema.items() if k != "allOf"}
    unwrapped.update({k: v for k, v in member.items() if k not in unwrapped})
    return unwrapped


def _exclusive_bounds(schema: Schema) -> Schema:
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(schema.get(flag), bool):
            if schema[flag] and bound in schema:
                schema[flag] = schema.pop(bound)
            else:
                del schema[flag]
    return schema


def _single_value_enum(schema: Schema) -> Schema:
    values = schema.get("enum")
    if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str):
        schema = {k: v for k, v in schema.items() if k != "enum"}
        schema["const"] = values[0]
    return schema


def _nullable(schema: Schema, was_30: bool) -> Schema:
    nullable = bool(schema.pop("nullable", False)) and was_30
    types = schema.get("type")
    if isinstance(types, list) and "null" in types:
        rest = [t for t in types if t != "null"]
        schema = dict(schema)
        if len(rest) == 1:
            schema["type"] = rest[0]
        elif rest:
            schema["type"] = rest
        else:
            return dict(NULL)
        nullable = True
    values = schema.get("enum")
    if isinstance(values, list) and None in values:
        schema = {**schema, "enum": [v for v in values if v is not None]}
        nullable = True
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if isinstance(options, list) and any(is_null(o) for o in options):
            rest = [o for o in options if not is_null(o)]
            if len(rest) == 1 and set(schema) - ANNOTATION_KEYS == {key}:
                annotations = {k: v for k, v in schema.items() if k != key}
                inner = rest[0]
                if set(inner) == {"anyOf"} and not annotations:
                    return {"anyOf": [*inner["anyOf"], dict(NULL)]}
                return _wrap_null(inner, annotations)
            if rest and len(rest) < len(options):
                schema = {**schema, key: [*rest, dict(NULL)]}
                return schema
    if nullable:
        annotations = {k: v for k, v in schema.items() if k in ANNOTATION_KEYS}
        inner = {k: v for k, v in schema.items() if k not in annotations}
        return _wrap_null(inner, annotations)
    return schema


def _wrap_null(inner: Schema, annotations: Schema) -> Schema:
    wrapped: Schema = {"anyOf": [inner, dict(NULL)]}
    wrapped.update(annotations)
    return wrapped
