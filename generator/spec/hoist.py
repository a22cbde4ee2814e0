"""Give every object schema a class name: components are renamed, inline objects hoisted.

After this step each schema that becomes a pydantic class is a component whose key *is* its
class name, and every reference to it is ``#/components/schemas/<ClassName>``. The IR and
datamodel-code-generator then agree on names without guessing.

- A component keeps its name, made a safe PascalCase class name (``task-run`` -> ``TaskRun``,
  ``BaseModel`` -> ``BaseModelModel``); clashes get ``2``, ``3`` suffixes in document order.
- An inline object schema (one with ``properties``, an ``allOf`` composition or a tagged
  union) takes its ``title`` when that is one word and no other class has it yet; otherwise it
  is named from where it stands:
  ``<Parent><Property>`` for a property, ``<Parent><Property>Item`` for array items,
  ``<Parent>Value`` for map values, ``<Parent><Title>`` or ``<Parent><Tag>`` for a union
  member with a title or a constant tag property (``<Parent>Option<N>`` without either),
  ``<Operation>Request`` for a request body and ``<Operation>Response`` (or
  ``<Operation><Status>Response``, ``<Operation>DefaultResponse``) for a response, and
  ``<Webhook>Event`` (``<Callback>Event``) for the body of a request the API sends;
  ``<Key>Response`` and ``<Key>Request`` for the body of a response or request body written
  once in ``components`` (``<Key>`` alone where it already ends with that word or ``Body``).
- A schema reference into the document anywhere but a component schema then names what
  stands there (``_direct_refs``).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from generator.diagnostics import pointer
from generator.naming import NameRegistry, PyIdent, to_class_name
from generator.naming import words as naming_words
from generator.spec.pointer import pointer_parts, resolve_pointer
from generator.spec.schemas import (
    SCHEMA_PREFIX,
    Schema,
    component_name,
    operations,
    schema_nodes_where,
    sent_operations,
    set_at,
)

_TITLE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}")


def hoist(spec: dict[str, Any], operation_names: dict[tuple[str, str], str]) -> dict[str, Any]:
    """``operation_names`` maps (path, method) to the operation's PascalCase name."""
    components = spec.setdefault("components", {})
    old_schemas: dict[str, Any] = components.get("schemas") or {}
    registry = NameRegistry()
    renamed: dict[str, str] = {}
    for key in old_schemas:
        renamed[key] = registry.claim_class(to_class_name(key))
    _rewrite_refs(spec, renamed)
    new_schemas: dict[str, Any] = {renamed[k]: v for k, v in old_schemas.items()}
    components["schemas"] = new_schemas
    hoister = _Hoister(new_schemas, registry)
    for name in list(new_schemas):
        if isinstance(new_schemas[name], dict):
            hoister.visit_children(new_schemas[name], name)
    for path, method, operation, _ in operations(spec):
        base = operation_names[(path, method)]
        body = operation.get("requestBody")
        if isinstance(body, dict):
            for content in (body.get("content") or {}).values():
                hoister.at(content, "schema", f"{base}Request")
        for status, response in (operation.get("responses") or {}).items():
            if not isinstance(response, dict):
                continue
            suffix = "Response" if str(status).startswith("2") else f" {status} Response"
            for content in (response.get("content") or {}).values():
                hoister.at(content, "schema", f"{base}{suffix}")
    for _, name, operation in sent_operations(spec):  # webhooks and callbacks: their events
        body = operation.get("requestBody")
        if isinstance(body, dict):
            for content in (body.get("content") or {}).values():
                hoister.at(content, "schema", f"{name} Event")
    # responses and request bodies written once in components, for operations to refer to
    for kind, suffix in (("responses", "response"), ("requestBodies", "request")):
        shared = components.get(kind)
        for key, holder in shared.items() if isinstance(shared, dict) else ():
            if not isinstance(holder, dict) or not isinstance(holder.get("content"), dict):
                continue
            said = naming_words(str(key))
            base = str(key) if said and said[-1] in (suffix, "body") else f"{key} {suffix}"
            for content in holder["content"].values():
                hoister.at(content, "schema", base)
    _direct_refs(spec)
    return spec


def _direct_refs(spec: dict[str, Any]) -> None:
    """A schema reference to anywhere but a component schema (``#/paths/~1a/get/responses/
    200/content/application~1json/schema``, ``#/components/schemas/A/properties/b``) names
    what stands there now: the component an object there was hoisted into; for a schema that
    is no class (a scalar, an enum, an array of those), a copy of it, the reference's own
    keywords (a ``description``) kept; else a pointer that reaches it without passing through
    a node hoisted away. Later stages then read every type from a component or in place."""
    for where, schema in list(schema_nodes_where(spec, _refers_into_document)):
        ref = schema["$ref"]
        found = _target(spec, ref)
        if found is None:
            continue
        direct, target = found
        if isinstance(target, dict) and _is_component(target.get("$ref")):
            schema["$ref"] = target["$ref"]
        elif _plain(target):
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            set_at(spec, where, {**copy.deepcopy(target), **siblings})
        else:
            schema["$ref"] = direct


def _refers_into_document(schema: Schema) -> bool:
    ref = schema.get("$ref")
    return isinstance(ref, str) and ref.startswith("#/") and not _is_component(ref)


def _target(spec: dict[str, Any], ref: str) -> tuple[str, Any] | None:
    """Where a chain of references starting at ``ref`` ends: a direct pointer to it and the
    node, which is a component reference or no reference at all. A node hoisted away on the
    way (``#/components/responses/R/content/application~1json/schema/properties/tags``,
    where ``schema`` is now ``{$ref: RResponse}``) is passed through to its component.
    None where the chain names nothing or goes on too long."""
    for _ in range(32):
        try:
            parts = pointer_parts(ref)
        except KeyError:
            return None
        node: Any = spec
        path: list[str | int] = []
        for part in parts:
            if isinstance(node, dict) and part not in node and _is_component(node.get("$ref")):
                try:  # moved: go on in its component
                    path, node = (
                        list(pointer_parts(node["$ref"])),
                        resolve_pointer(spec, node["$ref"]),
                    )
                except KeyError:
                    return None
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
            path.append(part)
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return pointer(*path), node
        if _is_component(node["$ref"]) or set(node) != {"$ref"}:
            return pointer(*path), node
        ref = node["$ref"]
    return None


def _is_component(ref: Any) -> bool:
    return component_name(ref) is not None


def _plain(schema: Any) -> bool:
    """A schema that is no class and refers to none but components: nothing in it is an
    object or a reference into the document."""
    if isinstance(schema, list):
        return all(_plain(item) for item in schema)
    if not isinstance(schema, dict):
        return True
    if "$ref" in schema and not _is_component(schema["$ref"]):
        return False
    if "properties" in schema or schema.get("type") == "object":
        return False
    return all(_plain(value) for key, value in schema.items() if key not in _DATA_KEYWORDS)


_DATA_KEYWORDS = frozenset({"enum", "const", "default", "example", "examples", "x-enum-varnames"})


def _rewrite_refs(spec: dict[str, Any], renamed: dict[str, str]) -> None:
    holders, within = _refs_and_mappings(spec)
    for holder in holders:
        holder["$ref"] = _renamed_ref(holder["$ref"], renamed)
    if not within:
        return
    for _, schema in schema_nodes_where(spec, _maps_discriminator, within):
        mapping = schema["discriminator"]["mapping"]
        for tag, ref in list(mapping.items()):
            if isinstance(ref, str):
                mapping[tag] = _renamed_ref(ref if "/" in ref else SCHEMA_PREFIX + ref, renamed)


_Chain = tuple[Any, Any] | None  # (parent's _Chain, node)


def _refs_and_mappings(spec: dict[str, Any]) -> tuple[list[dict[str, Any]], set[int]]:
    """Every mapping holding a string ``$ref`` (``load.iter_refs``, in document order), and
    the ids of every mapping or list on the way to each discriminator with a ``mapping``
    (each way, where YAML aliases make more than one)."""
    holders: list[dict[str, Any]] = []
    within: set[int] = set()
    stack: list[tuple[_Chain, Any]] = [(None, spec)]
    pop, push = stack.pop, stack.append
    while stack:
        chain, node = pop()
        if isinstance(node, dict):
            if "$ref" in node and isinstance(node["$ref"], str):
                holders.append(node)
            if "discriminator" in node and _maps_discriminator(node):
                link: _Chain = (chain, node)
                while link is not None:
                    within.add(id(link[1]))
                    link = link[0]
            nested = [item for item in node.values() if isinstance(item, (dict, list))]
        elif isinstance(node, list):
            nested = [item for item in node if isinstance(item, (dict, list))]
        else:
            continue
        here = (chain, node)
        for item in reversed(nested):
            push((here, item))
    return holders, within


def _maps_discriminator(schema: Schema) -> bool:
    discriminator = schema.get("discriminator")
    return isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict)


def _renamed_ref(ref: str, renamed: dict[str, str]) -> str:
    if not ref.startswith(SCHEMA_PREFIX):
        return ref
    name, *rest = pointer_parts(ref, decode=False)[2:]
    if name not in renamed:
        return ref
    return pointer("components", "schemas", renamed[name], *rest)


def is_hoistable(schema: Any) -> bool:
    """An inline schema that becomes a class: an object with properties, or a composition."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    if any(k in schema for k in ("anyOf", "oneOf")):
        return isinstance(schema.get("discriminator"), dict)  # a tagged union gets a name
    members = schema.get("allOf")
    if isinstance(members, list) and members:
        return len(members) > 1 or "$ref" not in members[0] or bool(schema.get("properties"))
    return isinstance(schema.get("properties"), dict) and bool(schema["properties"])


def _option_label(option: Any, index: int, schemas: dict[str, Any] | None = None) -> str:
    """A union member's name: its title, else the value of its constant tag, else its place."""
    members = option.get("allOf") if isinstance(option, dict) else None
    if isinstance(members, list) and members and isinstance(members[0], dict):
        option = members[0]  # a composition is named after its first part
    if isinstance(option, dict) and isinstance(option.get("$ref"), str) and schemas is not None:
        option = schemas.get(option["$ref"].rsplit("/", 1)[-1], option)
    if isinstance(option, dict):
        title = option.get("title")
        if isinstance(title, str) and naming_words(title):
            return title
        for prop in (option.get("properties") or {}).values():
            if (
                isinstance(prop, dict)
                and isinstance(prop.get("const"), str)
                and naming_words(prop["const"])
            ):
                return str(prop["const"])
    return f"Option {index + 1}"


class _Hoister:
    def __init__(self, schemas: dict[str, Any], registry: NameRegistry) -> None:
        self.schemas = schemas
        self.registry = registry

    def at(self, holder: Any, key: str | int, name: str) -> None:
        """Hoist ``holder[key]`` if it is an inline object; then visit what it holds."""
        schema = holder.get(key) if isinstance(holder, dict) else holder[key]
        if not isinstance(schema, dict):
            return
        if is_hoistable(schema):
            title = schema.get("title")
            if (
                isinstance(title, str)
                and _TITLE.fullmatch(title)
                and to_class_name(title) not in self.registry
            ):
                name = title  # the spec's own name for it reads best, while it is free
            class_name: PyIdent = self.registry.claim_class(to_class_name(name))
            self.schemas[class_name] = schema
            holder[key] = {"$ref": SCHEMA_PREFIX + class_name}
            self.visit_children(schema, class_name)
        else:
            self.visit_children(schema, name)

    def visit_children(self, schema: Schema, name: str) -> None:
        for prop, sub in list((schema.get("properties") or {}).items()):
            if isinstance(sub, dict):
                self.at(schema["properties"], prop, f"{name} {prop}")
        if isinstance(schema.get("items"), dict):
            self.at(schema, "items", f"{name} Item")
        if isinstance(schema.get("additionalProperties"), dict):
            self.at(schema, "additionalProperties", f"{name} Value")
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list):
                real = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
                for index in range(len(options)):
                    label = (
                        name
                        if len(real) == 1
                        else f"{name} {_option_label(options[index], index, self.schemas)}"
                    )
                    self.at(options, index, label)
        members = schema.get("allOf")
        if isinstance(members, list):
            for member in members:
                if isinstance(member, dict):
                    self.visit_children(member, name)
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict):
            for pattern in list(patterns):
                self.at(patterns, pattern, f"{name} Value")
