"""Small helpers over JSON-schema nodes, shared by the stages that read schemas."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from generator.spec.pointer import canonical_parts, follow, resolve_pointer

Schema = dict[str, Any]
SCHEMA_PREFIX = "#/components/schemas/"  # a reference to a component schema starts so
# The one vocabulary of JSON-schema keywords whose values are schemas: a list of them, a
# mapping of names to them, or one schema. Every walk over sub-schemas reads it.
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_APPLICATORS = ("items", "additionalProperties", "not", "contains", "propertyNames")
_UNEVALUATED = ("unevaluatedItems", "unevaluatedProperties", "additionalItems")
SUBSCHEMA_SINGLE = (*_APPLICATORS, "if", "then", "else", *_UNEVALUATED)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
NULL: Schema = {"type": "null"}


def component_name(ref: Any) -> str | None:
    """``Pet`` for ``#/components/schemas/Pet``; None for any other reference (one into a
    component, ``#/components/schemas/Pet/properties/id``, included)."""
    if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
        name = ref[len(SCHEMA_PREFIX) :]
        return name if "/" not in name else None
    return None


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


_LIST, _MAP, _SINGLE = 0, 1, 2
_KIND = {
    **dict.fromkeys(SUBSCHEMA_LISTS, _LIST),
    **dict.fromkeys(SUBSCHEMA_MAPS, _MAP),
    **dict.fromkeys(SUBSCHEMA_SINGLE, _SINGLE),
}


_ORDER = {key: index for index, key in enumerate(_KIND)}


def _keywords(schema: Schema) -> list[str]:
    """The keywords of ``schema`` that hold sub-schemas, in the vocabulary's order."""
    found = [key for key in schema if key in _KIND]
    if len(found) > 1:
        found.sort(key=_ORDER.__getitem__)
    return found


def children(schema: Schema) -> Iterator[tuple[tuple[str | int, ...], Schema]]:
    """Direct sub-schemas with their relative location."""
    for key in _keywords(schema):
        value = schema[key]
        kind = _KIND[key]
        if kind == _LIST:
            if isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, dict):
                        yield (key, index), item
        elif kind == _MAP:
            if isinstance(value, dict):
                for name, item in value.items():
                    if isinstance(item, dict):
                        yield (key, name), item
        elif isinstance(value, dict):
            yield (key,), value


def json_copy(data: Any) -> Any:
    """A deep copy of JSON data (mappings, lists and scalars), as ``copy.deepcopy`` makes
    it: a mapping or list met twice (a YAML alias) is one copy, met twice."""
    memo: dict[int, Any] = {}

    def copied(node: Any) -> Any:
        made = memo.get(id(node))
        if made is None:
            if isinstance(node, dict):
                made = {k: copied(v) if isinstance(v, _NESTED) else v for k, v in node.items()}
            else:
                made = [copied(v) if isinstance(v, _NESTED) else v for v in node]
            memo[id(node)] = made
        return made

    return copied(data) if isinstance(data, _NESTED) else data


_NESTED = (dict, list)


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


def sent_operations(
    document: dict[str, Any],
) -> Iterator[tuple[tuple[str | int, ...], str, dict[str, Any]]]:
    """(location, name, operation) for every request the API sends, in document order: each
    operation of a 3.1 ``webhooks`` entry (named by its key), then of every operation's
    ``callbacks`` (named by the callback's key). A local ``$ref`` to a path item or callback is
    followed; the location is where the operation is written."""
    for name, item in (document.get("webhooks") or {}).items():
        where, item = _followed(document, ("webhooks", name), item)
        yield from _item_operations(where, str(name), item)
    for path, method, operation, _ in operations(document):
        for name, callback in (operation.get("callbacks") or {}).items():
            at, callback = _followed(document, ("paths", path, method, "callbacks", name), callback)
            if not isinstance(callback, dict):
                continue
            for expression, item in callback.items():
                where, item = _followed(document, (*at, expression), item)
                yield from _item_operations(where, str(name), item)


def _item_operations(
    where: tuple[str | int, ...], name: str, item: Any
) -> Iterator[tuple[tuple[str | int, ...], str, dict[str, Any]]]:
    if isinstance(item, dict):
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                yield (*where, method), name, item[method]


def _followed(
    document: dict[str, Any], where: tuple[str | int, ...], node: Any
) -> tuple[tuple[str | int, ...], Any]:
    """``node``, or what its local ``$ref`` names (a few hops at most), with its location."""
    for _ in range(8):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/"):
            break
        try:
            where, node = tuple(canonical_parts(document, ref)), resolve_pointer(document, ref)
        except KeyError:
            break
    return where, node


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
    for where, _, operation in sent_operations(document):
        yield from _body_schemas((*where, "requestBody"), operation.get("requestBody"))


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
    for key in _keywords(rebuilt):
        value = rebuilt[key]
        kind = _KIND[key]
        if kind == _LIST:
            if isinstance(value, list):
                rebuilt[key] = [transform(s, rule) if isinstance(s, dict) else s for s in value]
        elif kind == _MAP:
            if isinstance(value, dict):
                rebuilt[key] = {
                    k: transform(s, rule) if isinstance(s, dict) else s for k, s in value.items()
                }
        elif isinstance(value, dict):
            rebuilt[key] = transform(value, rule)
    return rule(rebuilt)


def visit(schema: Schema, seen: Callable[[Schema], object]) -> None:
    """Call ``seen`` on a schema and all its sub-schemas, in ``transform``'s order (bottom-up),
    changing nothing."""
    for key in _keywords(schema):
        value = schema[key]
        kind = _KIND[key]
        if kind == _LIST:
            if isinstance(value, list):
                for sub in value:
                    if isinstance(sub, dict):
                        visit(sub, seen)
        elif kind == _MAP:
            if isinstance(value, dict):
                for sub in value.values():
                    if isinstance(sub, dict):
                        visit(sub, seen)
        elif isinstance(value, dict):
            visit(value, seen)
    seen(schema)


def rewrite(schema: Schema, rule: Callable[[Schema], Schema]) -> Schema:
    """``transform`` for a ``rule`` that never changes the mapping it is given (it returns
    that mapping, or a new one): a schema none of whose sub-schemas changed is passed on as
    it is, not copied."""
    changed: dict[str, Any] = {}
    for key in _keywords(schema):
        value = schema[key]
        kind = _KIND[key]
        if kind == _LIST:
            if isinstance(value, list):
                items = [rewrite(s, rule) if isinstance(s, dict) else s for s in value]
                if any(new is not old for new, old in zip(items, value, strict=True)):
                    changed[key] = items
        elif kind == _MAP:
            if isinstance(value, dict):
                named = {
                    k: rewrite(s, rule) if isinstance(s, dict) else s for k, s in value.items()
                }
                if any(named[k] is not s for k, s in value.items()):
                    changed[key] = named
        elif isinstance(value, dict):
            sub = rewrite(value, rule)
            if sub is not value:
                changed[key] = sub
    return rule({**schema, **changed} if changed else schema)


def set_at(document: Any, where: tuple[str | int, ...], value: Any) -> None:
    node = document
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value


def schema_nodes(document: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Schema]]:
    """Every schema of the document, sub-schemas included (pre-order)."""
    return schema_nodes_where(document, _always)


def _always(schema: Schema) -> bool:
    return True


_Link = tuple[Any, tuple[str | int, ...]]  # (parent's _Link or None, location below it)


def schema_nodes_where(
    document: dict[str, Any],
    wanted: Callable[[Schema], bool],
    within: set[int] | None = None,
) -> Iterator[tuple[tuple[str | int, ...], Schema]]:
    """``schema_nodes``, of the schemas ``wanted`` holds true of (a location is made only for
    those). ``within``: the ids of every node on the way to every such schema, where the
    caller knows them; nothing else is walked."""
    roots = [
        ((None, where), schema)
        for where, schema in schema_roots(document)
        if within is None or id(schema) in within
    ]
    roots.reverse()
    stack: list[tuple[_Link, Schema]] = roots
    pop, push = stack.pop, stack.append
    while stack:
        link, schema = pop()
        if wanted(schema):
            yield _location(link), schema
        kids = list(children(schema))
        if kids:
            kids.reverse()
            for rel, sub in kids:
                if within is None or id(sub) in within:
                    push(((link, rel), sub))


def _location(link: _Link) -> tuple[str | int, ...]:
    parts: list[tuple[str | int, ...]] = []
    while link is not None:
        link, rel = link
        parts.append(rel)
    return tuple(part for rel in reversed(parts) for part in rel)


def deref(document: dict[str, Any], schema: Any) -> Schema:
    """Follow ``$ref``s, single-member ``allOf``s and nullability to the schema underneath."""
    for _ in range(32):
        schema = follow(document, schema)
        if not isinstance(schema, dict):
            break
        inner, nullable = split_nullable(schema)
        members = schema.get("allOf")
        if nullable:
            schema = inner
        elif isinstance(members, list) and len(members) == 1 and not schema.get("properties"):
            schema = members[0]
        else:
            return schema
    return schema if isinstance(schema, dict) else {}


def merged_properties(
    schema: Schema, resolve: Callable[[Any], Any], depth: int = 0
) -> tuple[dict[str, Any], list[str]]:
    """The one ``allOf`` merge: the properties and required names of ``schema`` with those of
    its ``allOf`` members (each read through ``resolve``, members of members too): members in
    order, then the schema's own, a later one winning."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    if depth > 16:
        return properties, required
    for member in schema.get("allOf") or []:
        member = resolve(member)
        if isinstance(member, dict):
            more, more_required = merged_properties(member, resolve, depth + 1)
            properties.update(more)
            required += [r for r in more_required if r not in required]
    properties.update(schema.get("properties") or {})
    required += [
        r for r in schema.get("required") or [] if isinstance(r, str) and r not in required
    ]
    return properties, required


def object_properties(document: dict[str, Any], schema: Any) -> tuple[dict[str, Any], set[str]]:
    """Properties and required names of an object schema (``deref``ed), ``allOf`` members
    merged."""
    properties, required = merged_properties(
        deref(document, schema), lambda member: deref(document, member)
    )
    return properties, set(required)
