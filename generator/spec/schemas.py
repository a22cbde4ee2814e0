"""Small helpers over JSON-schema nodes, shared by the stages that read schemas."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Schema = dict[str, Any]
SCHEMA_PREFIX = "#/components/schemas/"  # a reference to a component schema starts so
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
SUBSCHEMA_SINGLE = ("items", "additionalProperties", "not", "contains", "propertyNames")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
NULL: Schema = {"type": "null"}


def is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") == "null" or schema == {"enum": [None]})


def split_nullable(schema: Schema) -> tuple[Schema, bool]:
    """``anyOf: [X, {type: null}]`` (the normalized form) -> (X, True); else (it, False)."""
    options = schema.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and any(is_null(o) for o in options):
        inner = next(o for o in options if not is_null(o))
        if isinstance(inner, dict):
            return inner, True
    return schema, False


def children(schema: Schema) -> Iterator[tuple[tuple[str | int, ...], Schema]]:
    """Direct sub-schemas with their relative location."""
    for key in SUBSCHEMA_LISTS:
        value = schema.get(key)
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield (key, index), item
    for key in SUBSCHEMA_MAPS:
        value = schema.get(key)
        if isinstance(value, dict):
            for name, item in value.items():
                if isinstance(item, dict):
                    yield (key, name), item
    for key in SUBSCHEMA_SINGLE:
        value = schema.get(key)
        if isinstance(value, dict):
            yield (key,), value


def operations(
    document: dict[str, Any],
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(path, method, operation, path item) for every operation, in document order."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield path, method, operation, item


def schema_roots(document: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Schema]]:
    """Every top-level schema position of the document (components and operations)."""
    components = document.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        if isinstance(schema, dict):
            yield ("components", "schemas", name), schema
    for kind in ("parameters", "headers"):
        for name, holder in (components.get(kind) or {}).items():
            yield from _holder_schemas(("components", kind, name), holder)
    for kind in ("requestBodies", "responses"):
        for name, holder in (components.get(kind) or {}).items():
            yield from _body_schemas(("components", kind, name), holder)
    for path, method, operation, _ in operations(document):
        base = ("paths", path, method)
        for index, param in enumerate(operation.get("parameters") or []):
            yield from _holder_schemas((*base, "parameters", index), param)
        yield from _body_schemas((*base, "requestBody"), operation.get("requestBody"))
        for status, response in (operation.get("responses") or {}).items():
            yield from _body_schemas((*base, "responses", str(status)), response)
    for path, item in (document.get("paths") or {}).items():
        if isinstance(item, dict):
            for index, param in enumerate(item.get("parameters") or []):
                yield from _holder_schemas(("paths", path, "parameters", index), param)


def _holder_schemas(
    where: tuple[str | int, ...], holder: Any
) -> Iterator[tuple[tuple[str | int, ...], Schema]]:
    if isinstance(holder, dict):
        if isinstance(holder.get("schema"), dict):
            yield (*where, "schema"), holder["schema"]
        yield from _content_schemas(where, holder)


def _body_schemas(
    where: tuple[str | int, ...], holder: Any
) -> Iterator[tuple[tuple[str | int, ...], Schema]]:
    if isinstance(holder, dict):
        yield from _content_schemas(where, holder)
        for name, header in (holder.get("headers") or {}).items():
            yield from _holder_schemas((*where, "headers", name), header)


def _content_schemas(
    where: tuple[str | int, ...], holder: dict[str, Any]
) -> Iterator[tuple[tuple[str | int, ...], Schema]]:
    for media, content in (holder.get("content") or {}).items():
        if isinstance(content, dict) and isinstance(content.get("schema"), dict):
            yield (*where, "content", media, "schema"), content["schema"]


def transform(schema: Schema, rule: Callable[[Schema], Schema]) -> Schema:
    """Apply ``rule`` bottom-up to a schema and all its sub-schemas (returns a new tree)."""
    rebuilt = dict(schema)
    for key in SUBSCHEMA_LISTS:
        if isinstance(rebuilt.get(key), list):
            rebuilt[key] = [transform(s, rule) if isinstance(s, dict) else s for s in rebuilt[key]]
    for key in SUBSCHEMA_MAPS:
        if isinstance(rebuilt.get(key), dict):
            rebuilt[key] = {
                k: transform(s, rule) if isinstance(s, dict) else s for k, s in rebuilt[key].items()
            }
    for key in SUBSCHEMA_SINGLE:
        if isinstance(rebuilt.get(key), dict):
            rebuilt[key] = transform(rebuilt[key], rule)
    return rule(rebuilt)


def set_at(document: Any, where: tuple[str | int, ...], value: Any) -> None:
    node = document
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value


def schema_nodes(document: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Schema]]:
    """Every schema of the document, sub-schemas included (pre-order)."""
    stack = list(schema_roots(document))
    stack.reverse()
    while stack:
        where, schema = stack.pop()
        yield where, schema
        stack.extend(reversed([((*where, *rel), sub) for rel, sub in children(schema)]))
