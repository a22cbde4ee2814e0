"""Normalize stage: rewrite the habits real specs have into one form, on a copy of the spec.

Rules, each applied bottom-up to every schema of the document:

1. **Single-ref allOf wrapper**: ``allOf: [{$ref: X}]`` with only annotation keys beside it
   (description, title, default, nullable, readOnly, writeOnly, deprecated, examples) becomes
   ``$ref: X`` keeping those keys. An ``allOf`` member of annotation keys only counts as
   annotations beside it: ``allOf: [{$ref: X}, {description: d}]`` is such a wrapper too.
   A wrapper with structural siblings (properties, required, type, ...) is a real
   composition and is left alone.
2. **Nullability has one spelling**: ``anyOf``/``oneOf: [X, {type: null}]``, 3.0's
   ``nullable: true`` (also beside a ``$ref``), 3.1 type lists with ``null`` and
   ``enum`` lists holding ``null`` all become ``anyOf: [X, {type: 'null'}]``. A 3.1 document
   that still writes ``nullable: true`` (3.1 dropped the keyword) means it too: its servers
   send null there, and a client that refused it would fail on real answers.
3. **3.0 leftovers**: boolean ``exclusiveMinimum``/``exclusiveMaximum`` become 3.1 numbers;
   a schema's ``example`` is dropped (examples never shape types).
4. **Single-value enum** of a string is kept as ``const`` (a tag, not an open enum), also
   when the enum lists ``null`` beside it (a nullable const).
5. **Nullable components**: a component that is a nullable object (3.0 ``nullable: true`` on
   the component) stays the object; every reference to it becomes nullable instead, so the
   class keeps the component's name.
6. **allOf inheritance only where it type-checks** (run after ``hoist``, by
   ``merge_conflicting_allof``): ``allOf: [{$ref: Parent}, {...}]`` becomes a subclass of
   Parent, unless the child redeclares one of Parent's properties with another schema or
   requiredness (``data: [object]`` narrowed to ``data: [Booking]``), or two parents declare
   one property differently; then the parents' properties are merged into one object (the
   child's declaration wins), since a subclass may not change a field's type.
7. **Constraint-only unions are validation, not types**: ``anyOf: [{required: [a]},
   {required: [b]}]`` ("at least one of") is dropped; the properties stay.
8. **Boolean schemas** (3.1: ``true`` admits anything, ``false`` nothing) become mappings,
   first, so that no later rule meets a bare boolean: ``true`` is ``{}``; a ``false``
   property, pattern property or ``anyOf``/``oneOf`` option is dropped (the property from
   ``required`` too), ``items: false`` becomes ``maxItems`` (no items past ``prefixItems``),
   ``not: false`` and ``false`` in assertion-only keywords (``contains``, ``propertyNames``,
   ``if``/``then``/``else``) are dropped, and a schema with ``false`` among its ``allOf``
   members admits nothing: ``{not: {}}`` with its annotations. ``additionalProperties``,
   ``unevaluatedProperties``, ``unevaluatedItems`` and ``additionalItems`` keep their
   booleans, which every later stage reads.

The document's ``openapi`` becomes ``3.1.0``: every later stage reads one dialect.
"""

from __future__ import annotations

from typing import Any

from generator.diagnostics import pointer
from generator.spec.pointer import follow, resolve_pointer
from generator.spec.schemas import (
    NULL,
    SUBSCHEMA_MAPS,
    SUBSCHEMA_SINGLE,
    Schema,
    is_null,
    json_copy,
    merged_properties,
    rewrite,
    schema_roots,
    set_at,
    split_nullable,
    transform,
)

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
    spec: dict[str, Any] = json_copy(document)
    _boolean_roots(spec)
    for where, schema in list(schema_roots(spec)):
        set_at(spec, where, transform(schema, _normalize_schema))
    nullable = _unwrap_nullable_components(spec)
    if nullable:
        for where, schema in list(schema_roots(spec)):
            set_at(spec, where, rewrite(schema, lambda s: _nullable_refs(s, nullable)))
    spec["openapi"] = "3.1.0"
    return spec


_CONSTRAINT_KEYS = frozenset(
    {"required", "not", "minProperties", "maxProperties", "description", "title"}
)


def _drop_constraint_unions(schema: Schema) -> Schema:
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if (
            isinstance(options, list)
            and options
            and all(isinstance(o, dict) and o and set(o) <= _CONSTRAINT_KEYS for o in options)
        ):
            schema = {k: v for k, v in schema.items() if k != key}
    return schema


def _normalize_schema(schema: Schema) -> Schema:
    schema = _drop_constraint_unions(schema)
    schema = _unwrap_single_ref_allof(schema)
    schema = _exclusive_bounds(schema)
    schema.pop("example", None)
    schema = _nullable(schema)
    inner, is_nullable = split_nullable(schema)
    if is_nullable:
        const = _single_value_enum(inner)
        return schema if const is inner else {**schema, "anyOf": [const, dict(NULL)]}
    return _single_value_enum(schema)


def merge_conflicting_allof(spec: dict[str, Any]) -> None:
    """Rule 6, run once every object schema is a component (after ``hoist``)."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    for name, schema in list(schemas.items()):
        if isinstance(schema, dict) and _redeclares_parent_property(spec, schema):
            schemas[name] = _merged(spec, schema)


def _parents(spec: dict[str, Any], schema: Schema) -> list[Schema]:
    found = []
    for member in schema.get("allOf") or []:
        if isinstance(member, dict) and isinstance(member.get("$ref"), str):
            try:
                parent = resolve_pointer(spec, member["$ref"])
            except KeyError:
                continue
            if isinstance(parent, dict):
                found.append(parent)
    return found


def _own_properties(schema: Schema) -> dict[str, Any]:
    own = dict(schema.get("properties") or {})
    for member in schema.get("allOf") or []:
        if isinstance(member, dict) and "$ref" not in member:
            own.update(member.get("properties") or {})
    return own


def _redeclares_parent_property(spec: dict[str, Any], schema: Schema) -> bool:
    own_required = set(schema.get("required") or [])
    for member in schema.get("allOf") or []:
        if isinstance(member, dict) and "$ref" not in member:
            own_required |= set(member.get("required") or [])
    # the child's own properties, then each parent's in turn: (schema, required)
    seen = {k: (v, k in own_required) for k, v in _own_properties(schema).items()}
    for parent in _parents(spec, schema):
        merged = _merged(spec, parent)
        required = set(merged.get("required") or [])
        inherited = {k: (v, k in required) for k, v in (merged.get("properties") or {}).items()}
        if any(key in seen and seen[key] != value for key, value in inherited.items()):
            return True
        seen.update({k: v for k, v in inherited.items() if k not in seen})
    return False


def _merged(spec: dict[str, Any], schema: Schema) -> Schema:
    """One object schema with the properties of every allOf member (later ones win)."""
    if not isinstance(schema.get("allOf"), list):
        return schema
    properties, required = merged_properties(schema, lambda member: follow(spec, member))
    merged = {k: v for k, v in schema.items() if k not in ("allOf", "properties", "required")}
    merged.update({"type": "object", "properties": properties})
    if required:
        merged["required"] = required
    return merged


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
    members = schema.get("allOf")
    if isinstance(members, list):  # a parent is a parent, not "a parent or null"
        unwrapped = [
            split_nullable(m)[0]
            if isinstance(m, dict)
            and split_nullable(m)[1]
            and split_nullable(m)[0].get("$ref") in refs
            else m
            for m in members
        ]
        schema = {**schema, "allOf": unwrapped}
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


def _annotation_members(schema: Schema) -> Schema:
    """``allOf`` members that only annotate (``{description: ...}``) become the schema's own
    annotations (those written beside ``allOf`` win), so that ``allOf: [{$ref: X},
    {description: d}]`` is the wrapper of rule 1 and not a composition."""
    members = schema.get("allOf")
    if not isinstance(members, list):
        return schema
    notes = [m for m in members if isinstance(m, dict) and set(m) <= ANNOTATION_KEYS]
    if not notes:
        return schema
    merged: Schema = {}
    for note in notes:
        merged.update({k: v for k, v in note.items() if k not in merged})
    rest = [m for m in members if not any(m is note for note in notes)]
    result = {**merged, **{k: v for k, v in schema.items() if k != "allOf"}}
    if rest:
        result["allOf"] = rest
    return result


def _unwrap_single_ref_allof(schema: Schema) -> Schema:
    schema = _annotation_members(schema)
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


def _nullable(schema: Schema) -> Schema:
    nullable = schema.pop("nullable", False) is True
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


# -- rule 8: boolean schemas ------------------------------------------------------------------

NOTHING: Schema = {"not": {}}
_BOOLEAN_KEPT = frozenset(
    {"additionalProperties", "unevaluatedProperties", "unevaluatedItems", "additionalItems"}
)
_ASSERTIONS = frozenset({"contains", "propertyNames", "if", "then", "else", "not"})
_DATA_KEYS = frozenset({"example", "examples", "default", "const", "enum"})  # values, not schemas


def _boolean_roots(spec: dict[str, Any]) -> None:
    """Rule 8 over every schema of the document, component and media-type schemas included."""
    components = spec.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if isinstance(schemas, dict):
        for name, schema in schemas.items():
            if isinstance(schema, bool):
                schemas[name] = {} if schema else dict(NOTHING)
    stack: list[Any] = [spec]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if isinstance(node, dict):
            if "schema" in node and isinstance(node["schema"], bool):
                node["schema"] = {} if node["schema"] else dict(NOTHING)
            if not _MEMBER_KEYS.isdisjoint(node):
                _boolean_members(node)
            for key, value in node.items():
                if isinstance(value, (dict, list)) and key not in _DATA_KEYS:
                    push(value)
        else:
            for value in node:
                if isinstance(value, (dict, list)):
                    push(value)


_SINGLE_CHECKED = tuple(k for k in SUBSCHEMA_SINGLE if k not in _BOOLEAN_KEPT)
# The keywords whose sub-schemas ``_boolean_members`` reads: a mapping with none is left be.
_MEMBER_KEYS = frozenset(
    {"allOf", "anyOf", "oneOf", "prefixItems", *SUBSCHEMA_MAPS, *_SINGLE_CHECKED}
)


def _boolean_members(schema: dict[str, Any]) -> None:
    """Rule 8 on the direct sub-schemas of one mapping (a no-op where there are none)."""
    members = schema.get("allOf")
    if isinstance(members, list) and any(isinstance(m, bool) for m in members):
        if any(m is False for m in members):
            annotations = {k: v for k, v in schema.items() if k in ANNOTATION_KEYS}
            schema.clear()
            schema.update({**NOTHING, **annotations})
            return
        kept = [m for m in members if not isinstance(m, bool)]
        if kept:
            schema["allOf"] = kept
        else:
            del schema["allOf"]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and any(isinstance(o, bool) for o in options):
            kept = [{} if o is True else o for o in options if o is not False]
            schema[key] = kept or [dict(NOTHING)]
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list):
        schema["prefixItems"] = [
            ({} if p else dict(NOTHING)) if isinstance(p, bool) else p for p in prefix
        ]
    for key in SUBSCHEMA_MAPS:
        mapping = schema.get(key)
        if not isinstance(mapping, dict):
            continue
        for name, sub in list(mapping.items()):
            if sub is True:
                mapping[name] = {}
            elif sub is False and key in ("properties", "patternProperties"):
                del mapping[name]
                required = schema.get("required")
                if key == "properties" and isinstance(required, list) and name in required:
                    schema["required"] = [r for r in required if r != name]
            elif sub is False:
                mapping[name] = dict(NOTHING)
    for key in _SINGLE_CHECKED:
        sub = schema.get(key)
        if not isinstance(sub, bool):
            continue
        if key == "items":
            del schema["items"]
            if not sub and "maxItems" not in schema:
                schema["maxItems"] = len(prefix) if isinstance(prefix, list) else 0
        elif key == "not" and sub:
            schema["not"] = {}
        elif key in _ASSERTIONS:
            del schema[key]
