"""The schemas as datamodel-code-generator is given them: pure transforms of JSON data.

datamodel-code-generator gets only what it needs: the component schemas of the normalized,
hoisted spec, whose keys are already the class names (so the IR's ``models.<Name>`` always
exists). Before the call each schema is prepared for a client that reads what servers send:

- enums of strings or integers are opened (``anyOf: [enum, string]``), so that a value the
  server adds later is kept (``Literal[...] | str``) while editors still list the known ones;
  enums that tag a discriminated union stay closed, as pydantic needs;
- validation keywords (``minimum``, ``maxLength``, ``pattern``, ...) are dropped: they are
  the server's rules for input, the server is the authority on its output, and a regex that
  pydantic's engine cannot compile would otherwise break the import;
- string formats other than date-time, date, time, uuid and binary are plain strings (no
  ``EmailStr`` that needs an extra package, no strict URL type rejecting a relative link);
- a ``const`` that no ``Literal`` can hold (a float, an object, an array) becomes its JSON
  type, so that a not-required one is optional like any other field;
- ``patternProperties`` become ``additionalProperties`` (a map of those values: the key
  pattern is a rule for the server, and a regex would land in the code).
- a class whose ``allOf`` bases Python cannot order keeps its first base and has the others'
  fields written in;
- a union's option that is the union itself is dropped (it adds no value);
- a union variant's tag property that refers to a scalar component (``const``, a one-value
  ``enum``) gets that schema in place, so that its field is the ``Literal`` pydantic needs.

The spec is someone else's text, so datamodel-code-generator sees only what it needs: each
schema keeps the keywords of ``MODEL_KEYWORDS`` and no others (``x-python-type``,
``customTypePath``, ``customBasePath`` would make it import any module; ``$id`` would move
its reference resolution elsewhere), a ``$ref`` is local or dropped, and descriptions and
titles are plain text (``literals.plain``; it escapes them itself, as docstrings and
``repr`` literals). Every field name comes from ``naming.field_names``, given to it as its
``aliases`` option (``Class.wire_name`` -> attribute), so a model's attribute and the
client's keyword for the same property are spelled alike.
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.literals import DOC_LIMIT, plain
from generator.naming import PyIdent, field_names
from generator.spec.schemas import SCHEMA_PREFIX, Schema, rewrite, transform
from generator.spec.schemas import visit as visit_schemas


def prepared_schemas(spec: dict[str, Any]) -> dict[str, Any]:
    """The component schemas as datamodel-code-generator is given them (see the module doc)."""
    schemas: dict[str, Any] = (spec.get("components") or {}).get("schemas") or {}
    schemas = ordered_bases(untag_bases(without_self_members(schemas)))
    closed = discriminator_fields(schemas)
    schemas = inline_tag_types(schemas, closed)
    return {
        name: _prepare(schema, closed.get(name, frozenset()))
        if isinstance(schema, dict)
        else schema
        for name, schema in schemas.items()
    }


SHARE_ROUNDS = 8


def share_identical(schemas: dict[str, Any], members: frozenset[str]) -> dict[str, Any]:
    """Object schemas identical to an earlier one become its subclass: ``{"allOf": [$ref]}``.

    Done for large specs only (``model_chunks.is_large``): a small one reads better with
    each class spelled out. Large specs repeat themselves (GitHub's inlines one user object
    in hundreds of webhook payloads); a copy costs datamodel-code-generator a class to build
    and the package a class to import, a subclass neither, and it keeps its own name.

    Two schemas are identical when they are equal once every reference to a shared schema
    is read as one to its first (found in rounds, at most ``SHARE_ROUNDS``). Members of
    discriminated unions keep their own fields (their tag is narrowed per union), and only
    plain objects are shared (properties; no ``allOf``, ``anyOf`` or ``oneOf``).
    """
    shareable = [
        name
        for name, schema in schemas.items()
        if name not in members
        and isinstance(schema, dict)
        and "properties" in schema
        and not ({"allOf", "anyOf", "oneOf", "discriminator"} & schema.keys())
    ]
    first: dict[str, str] = {}  # name -> the earlier identical schema it is read as
    # name -> (reading, key): a schema's key as written, and the references it holds
    keys: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
        name: ((), json.dumps(schemas[name], sort_keys=True)) for name in shareable
    }
    refs = {name: _references(keys[name][1]) for name in shareable}
    for _ in range(SHARE_ROUNDS):
        seen: dict[str, str] = {}
        found: dict[str, str] = {}
        for name in shareable:
            # a schema's key changes only with how the schemas it refers to are read
            reading = tuple(sorted((r, first[r]) for r in refs[name] if r in first))
            if name not in keys or keys[name][0] != reading:
                keys[name] = reading, json.dumps(_read_as(schemas[name], first), sort_keys=True)
            found[name] = seen.setdefault(keys[name][1], name)
        found = {name: target for name, target in found.items() if target != name}
        if found == first:
            break
        first = found
    shared = dict(schemas)
    for name, target in first.items():
        wrapper: dict[str, Any] = {"allOf": [{"$ref": SCHEMA_PREFIX + target}]}
        for key in ("title", "description"):
            if key in schemas[name]:
                wrapper[key] = schemas[name][key]
        shared[name] = wrapper
    return shared


# A ``$ref`` key with a string value in ``json.dumps`` text: within a string every quote is
# escaped, so a quote after ``{`` or a space opens a key or a value, and ``"$ref": "`` after
# one is that key.
_REF_IN_TEXT = re.compile(r'"\$ref": ("[^"\\]*(?:\\.[^"\\]*)*")')


def _references(text: str) -> frozenset[str]:
    """The component schemas that a schema refers to, at any depth, from its ``json.dumps``
    text (every mapping holding a string ``$ref``, as ``load.iter_refs`` finds them)."""
    refs = (
        json.loads(found.group(1))
        for found in _REF_IN_TEXT.finditer(text)
        if text[found.start() - 1] in "{ "
    )
    return frozenset(r[len(SCHEMA_PREFIX) :] for r in refs if r.startswith(SCHEMA_PREFIX))


def _read_as(schema: Schema, first: dict[str, str]) -> Schema:
    """``schema`` with each reference to a shared schema read as one to its first."""
    if not first:
        return schema

    def visit(node: Schema) -> Schema:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            target = first.get(ref[len(SCHEMA_PREFIX) :])
            if target is not None:
                return {**node, "$ref": SCHEMA_PREFIX + target}
        return node

    return rewrite(schema, visit)


def model_fields(schemas: dict[str, Any]) -> dict[str, dict[str, PyIdent]]:
    """Class -> (wire name -> attribute) of every property that becomes a model field.

    A class's fields are those of its ``allOf`` members that are not references (merged in,
    in order), then its own ``properties``; an ``allOf`` reference is a base class, whose
    fields it inherits (see ``naming.field_names``). A union variant without the union's
    tag property gets it last (datamodel-code-generator adds it), named like the others'.
    """
    found: dict[str, dict[str, PyIdent]] = {}
    tags = discriminator_fields(schemas)

    def fields_of(name: str, visiting: frozenset[str]) -> dict[str, PyIdent]:
        if name in found:
            return found[name]
        schema = schemas.get(name)
        if name in visiting or not isinstance(schema, dict):
            return {}
        inherited: dict[str, PyIdent] = {}
        wires: list[str] = []
        for base, member in _members(schema):
            if base is not None:
                inherited.update(fields_of(base, visiting | {name}))
            elif member is not None:
                wires.extend(_property_names(member))
        wires.extend(_property_names(schema))
        wires.extend(sorted(t for t in tags.get(name, ()) if t not in wires and t not in inherited))
        found[name] = field_names(wires, inherited)
        return found[name]

    for name in schemas:
        fields_of(name, frozenset())
    return found


def model_field_aliases(schemas: dict[str, Any]) -> dict[str, str]:
    """datamodel-code-generator's ``aliases`` option: ``Class.wire`` -> attribute."""
    return {
        f"{name}.{wire}": attribute
        for name, fields in model_fields(schemas).items()
        for wire, attribute in fields.items()
        if attribute != wire
    }


def _members(schema: Schema) -> list[tuple[str | None, Schema | None]]:
    """An ``allOf``'s members: (base class name, None) for a reference, else (None, member)."""
    members: list[tuple[str | None, Schema | None]] = []
    for member in schema.get("allOf") or []:
        if not isinstance(member, dict):
            continue
        ref = member.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            members.append((ref[len(SCHEMA_PREFIX) :], None))
        else:
            members.extend(_members(member))
            members.append((None, member))
    return members


def _property_names(schema: Schema) -> list[str]:
    properties = schema.get("properties")
    return [str(k) for k in properties] if isinstance(properties, dict) else []


def discriminator_fields(schemas: dict[str, Any]) -> dict[str, frozenset[str]]:
    """Component -> property names that tag a discriminated union (enums there stay closed)."""
    closed: dict[str, set[str]] = {}

    def seen(schema: Schema) -> None:
        discriminator = schema.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
            prop = discriminator["propertyName"]
            targets = [
                o.get("$ref")
                for o in schema.get("oneOf") or schema.get("anyOf") or []
                if isinstance(o, dict)
            ]
            targets += list((discriminator.get("mapping") or {}).values())
            for ref in targets:
                if isinstance(ref, str):
                    closed.setdefault(ref.rsplit("/", 1)[-1], set()).add(prop)

    for schema in schemas.values():
        if isinstance(schema, dict):
            visit_schemas(schema, seen)
    return {name: frozenset(props) for name, props in closed.items()}


def discriminator_tags(schemas: dict[str, Any]) -> dict[str, dict[str, frozenset[str]]]:
    """Component -> discriminator property -> the tags its class is given: the mapping's
    keys that name it, else (a variant the mapping leaves out) its own name."""
    tags: dict[str, dict[str, set[str]]] = {}

    def seen(schema: Schema) -> None:
        discriminator = schema.get("discriminator")
        if not (
            isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str)
        ):
            return
        prop = discriminator["propertyName"]
        mapping = discriminator.get("mapping")
        mapped: dict[str, set[str]] = {}
        for tag, ref in mapping.items() if isinstance(mapping, dict) else []:
            if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
                mapped.setdefault(ref[len(SCHEMA_PREFIX) :], set()).add(str(tag))
        for variant in schema.get("oneOf") or schema.get("anyOf") or []:
            ref = variant.get("$ref") if isinstance(variant, dict) else None
            if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
                name = ref[len(SCHEMA_PREFIX) :]
                mapped.setdefault(name, set()).update(mapped.get(name) or {name})
        for name, names in mapped.items():
            tags.setdefault(name, {}).setdefault(prop, set()).update(names)

    for schema in schemas.values():
        if isinstance(schema, dict):
            visit_schemas(schema, seen)
    return {name: {p: frozenset(t) for p, t in by.items()} for name, by in tags.items()}


_ANNOTATIONS = ("description", "title", "discriminator", "example", "examples", "deprecated")
_COMPOSITE = frozenset({"properties", "allOf", "anyOf", "oneOf", "items", "discriminator"})
_REF_HOPS = 16


def ordered_bases(schemas: dict[str, Any]) -> dict[str, Any]:
    """A class whose ``allOf`` bases admit no method resolution order (``E: allOf [C, D]``,
    ``C: allOf [A, B]``, ``D: allOf [B, A]``) keeps its first base; the schemas of the others
    are written in place of their references, with every base of theirs written in too, so
    that it has each of their fields and no base Python (or mypy) cannot order."""
    orders: dict[str, list[str] | None] = {}

    def bases(name: str) -> list[str]:
        schema = schemas.get(name)
        if not isinstance(schema, dict):
            return []
        return [b for b, _ in _members(schema) if b is not None and b in schemas]

    def order(name: str, seen: frozenset[str]) -> list[str] | None:
        """C3 linearization of ``name``; None when there is none."""
        if name in orders:
            return orders[name]
        if name in seen:
            return None
        parents = bases(name)
        lines = [order(b, seen | {name}) for b in parents]
        known = [line for line in lines if line is not None]
        found = _c3(name, [*known, parents]) if len(known) == len(lines) else None
        orders[name] = found
        return found

    def written_in(name: str, seen: frozenset[str]) -> Schema:
        schema = schemas[name]
        copy = {k: v for k, v in schema.items() if k not in _ANNOTATIONS}
        if isinstance(copy.get("allOf"), list):
            members = []
            for member in copy["allOf"]:
                ref = member.get("$ref") if isinstance(member, dict) else None
                if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
                    base = ref[len(SCHEMA_PREFIX) :]
                    if base in schemas and base not in seen:
                        member = written_in(base, seen | {base})
                members.append(member)
            copy["allOf"] = members
        return copy

    result = dict(schemas)
    for name, schema in schemas.items():
        parents = bases(name)
        if len(parents) < 2 or order(name, frozenset()) is not None:
            continue
        if any(order(b, frozenset()) is None for b in parents):
            continue  # a base of its own is the one to fix (or a cycle: not ours)
        first = SCHEMA_PREFIX + parents[0]
        members = []
        for member in schema.get("allOf") or []:
            ref = member.get("$ref") if isinstance(member, dict) else None
            if isinstance(ref, str) and ref != first and ref[len(SCHEMA_PREFIX) :] in parents:
                member = written_in(ref[len(SCHEMA_PREFIX) :], frozenset({name}))
            members.append(member)
        result[name] = {**schema, "allOf": members}
    return result


def _c3(name: str, sequences: list[list[str]]) -> list[str] | None:
    """``[name]`` and the merge of ``sequences`` (Python's MRO rule); None if none exists."""
    merged = [name]
    pending = [list(s) for s in sequences if s]
    while pending:
        head = next(
            (s[0] for s in pending if not any(s[0] in other[1:] for other in pending)), None
        )
        if head is None:
            return None
        merged.append(head)
        pending = [[x for x in s if x != head] for s in pending]
        pending = [s for s in pending if s]
    return merged


def without_self_members(schemas: dict[str, Any]) -> dict[str, Any]:
    """A ``oneOf``/``anyOf`` option that is a reference to the schema itself is dropped (and
    its discriminator mapping entry): ``Item: oneOf [Item, Ref]`` holds the values of ``Ref``
    and no others, and as a type alias ``Item = Item | Ref`` is no type at all."""
    result = dict(schemas)
    for name, schema in schemas.items():
        if not isinstance(schema, dict):
            continue
        itself = SCHEMA_PREFIX + name
        kept = dict(schema)
        for key in ("oneOf", "anyOf"):
            options = schema.get(key)
            if not isinstance(options, list):
                continue
            others = [o for o in options if not (isinstance(o, dict) and o.get("$ref") == itself)]
            if others and len(others) < len(options):
                kept[key] = others
        discriminator = kept.get("discriminator")
        if kept != schema and isinstance(discriminator, dict):
            mapping = discriminator.get("mapping")
            if isinstance(mapping, dict):
                mapping = {tag: ref for tag, ref in mapping.items() if ref != itself}
                kept["discriminator"] = {**discriminator, "mapping": mapping}
        result[name] = kept
    return result


def inline_tag_types(schemas: dict[str, Any], closed: dict[str, frozenset[str]]) -> dict[str, Any]:
    """A variant's tag property that refers to a scalar component schema (``type: {$ref:
    RootTagType}``, ``RootTagType: {const: root}``) is given that schema in place.

    pydantic needs the tag field's annotation to be a ``Literal`` itself, and a reference
    would make it the component's alias (``type: RootTagType``), which it refuses. Only the
    variant's own ``properties`` and those of its inline ``allOf`` members change; the
    component stays, for every other use of it.
    """

    def target(schema: Any) -> Schema | None:
        """The scalar schema a reference ends at, with the referring node's own keywords."""
        siblings: Schema = {}
        for _ in range(_REF_HOPS):
            if not isinstance(schema, dict):
                return None
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                break
            siblings = {**{k: v for k, v in schema.items() if k != "$ref"}, **siblings}
            if not ref.startswith(SCHEMA_PREFIX):
                return None
            schema = schemas.get(ref[len(SCHEMA_PREFIX) :])
        else:
            return None
        if not isinstance(schema, dict) or "$ref" in schema or _COMPOSITE & schema.keys():
            return None
        return {**schema, **siblings}

    def inlined(schema: Schema, tags: frozenset[str]) -> Schema:
        properties = schema.get("properties")
        result = dict(schema)
        if isinstance(properties, dict) and tags & properties.keys():
            result["properties"] = {
                key: (target(value) or value) if key in tags and isinstance(value, dict) else value
                for key, value in properties.items()
            }
        if isinstance(schema.get("allOf"), list):
            result["allOf"] = [
                inlined(m, tags) if isinstance(m, dict) and "$ref" not in m else m
                for m in schema["allOf"]
            ]
        return result

    return {
        name: inlined(schema, closed[name])
        if name in closed and isinstance(schema, dict)
        else schema
        for name, schema in schemas.items()
    }


def untag_bases(schemas: dict[str, Any]) -> dict[str, Any]:
    """A variant of a tagged union stops deriving from a base that is a variant tagged
    otherwise: the base's schema is written into its ``allOf`` in place of the reference.

    ``Hammer`` (``allOf: [Tool, ...]``, tag ``hammer``) would otherwise be a subclass of
    ``Tool`` (tag ``tool`` in another union), its ``Literal["hammer"]`` overriding the base's
    ``Literal["tool"]``, which no type checker accepts. It keeps every field ``Tool`` has,
    and ``Tool``'s own bases, unless they are tagged otherwise too.
    """
    tags = discriminator_tags(schemas)

    def inherited(name: str, seen: frozenset[str]) -> dict[str, frozenset[str]]:
        own = dict(tags.get(name, {}))
        schema = schemas.get(name)
        if name in seen or not isinstance(schema, dict):
            return own
        for base, _ in _members(schema):
            if base is not None:
                for prop, names in inherited(base, seen | {name}).items():
                    own.setdefault(prop, names)
        return own

    def conflicts(base: str, own: dict[str, frozenset[str]]) -> bool:
        theirs = inherited(base, frozenset())
        return any(prop in theirs and theirs[prop] != names for prop, names in own.items())

    def flattened(schema: Schema, own: dict[str, frozenset[str]], seen: frozenset[str]) -> Schema:
        members = []
        for member in schema.get("allOf") or []:
            ref = member.get("$ref") if isinstance(member, dict) else None
            base = (
                ref[len(SCHEMA_PREFIX) :]
                if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX)
                else None
            )
            target = schemas.get(base) if base is not None else None
            if (
                base is not None
                and base not in seen
                and isinstance(target, dict)
                and conflicts(base, own)
            ):
                copy = {k: v for k, v in target.items() if k not in _ANNOTATIONS}
                member = flattened(copy, own, seen | {base})
            members.append(member)
        return {**schema, "allOf": members} if members else schema

    def kept_tags(schema: Schema, tagged: dict[str, frozenset[str]]) -> Schema:
        """A redefinition of an inherited tag property with no tag of its own dropped, in the
        schema and in its ``allOf`` members (the base requires the property already)."""
        if not isinstance(schema, dict) or "$ref" in schema:
            return schema
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        redefined = {
            key
            for key, value in properties.items()
            if key in tagged and isinstance(value, dict) and not {"const", "enum"} & value.keys()
        }
        required = schema.get("required")
        if isinstance(required, list):  # required here without a schema here
            redefined |= {r for r in required if r in tagged and r not in properties}
        kept = dict(schema)
        if redefined:
            kept["properties"] = {k: v for k, v in properties.items() if k not in redefined}
            if not kept["properties"]:
                del kept["properties"]
            if isinstance(required, list):
                kept["required"] = [r for r in required if r not in redefined]
        if isinstance(schema.get("allOf"), list):
            kept["allOf"] = [kept_tags(member, tagged) for member in schema["allOf"]]
        return kept

    result = dict(schemas)
    for name, schema in schemas.items():
        if not (isinstance(schema, dict) and isinstance(schema.get("allOf"), list)):
            continue
        own = tags.get(name)
        if own is not None:
            result[name] = flattened(schema, own, frozenset({name}))
            continue
        tagged: dict[str, frozenset[str]] = {}
        for base, _ in _members(schema):
            if base is not None:
                for prop, names in inherited(base, frozenset({name})).items():
                    tagged.setdefault(prop, names)
        if tagged:
            result[name] = kept_tags(schema, tagged)
    return result


VALIDATION_KEYWORDS = frozenset(
    {
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "minContains",
        "maxContains",
        "contains",
        "propertyNames",
    }
)
KEPT_FORMATS = frozenset({"date-time", "date", "time", "uuid", "binary"})
# The keywords of a schema that datamodel-code-generator is given; anything else is dropped:
# `title` and `examples` too, which it would copy onto every field as `Field(title=...)` noise
# (a field's description stays, as its docstring).
MODEL_KEYWORDS = frozenset(
    {
        "$ref",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "prefixItems",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "enum",
        "const",
        "default",
        "description",
        "format",
        "nullable",
        "readOnly",
        "writeOnly",
        "deprecated",
        "discriminator",
        "$defs",
        "definitions",
    }
)

_SHAPING = MODEL_KEYWORDS - VALIDATION_KEYWORDS


def _closed(node: Schema) -> Schema:
    node = _only_model_keywords(node)
    node = _const_as_type(node)
    if "format" in node and node["format"] not in KEPT_FORMATS:
        del node["format"]
    return node


# The JSON type of a ``const`` value that no ``Literal`` can hold.
_CONST_TYPES: dict[type, str] = {float: "number", dict: "object", list: "array"}


def _const_as_type(node: Schema) -> Schema:
    """A ``const`` that is a float, an object or an array becomes its JSON type.

    ``Literal`` holds strings, integers, booleans and ``None`` only, and for any other value
    datamodel-code-generator writes the value's type, as a not-required field a non-optional
    one with ``= None`` (``ratio: float = None``), which no type checker accepts. Given the
    type instead, it writes ``ratio: float | None = None``: the server is the authority on the
    value it sends."""
    kind = _CONST_TYPES.get(type(node.get("const")))
    if kind is None:
        return node
    typed = {k: v for k, v in node.items() if k != "const"}
    typed.setdefault("type", kind)
    return typed


def _write_only_not_required(node: Schema) -> Schema:
    """A writeOnly property (a password) is sent, never returned: models must not require it."""
    properties, required = node.get("properties"), node.get("required")
    if not (isinstance(properties, dict) and isinstance(required, list)):
        return node
    kept = [
        r
        for r in required
        if not (isinstance(properties.get(r), dict) and properties[r].get("writeOnly"))
    ]
    return node if len(kept) == len(required) else {**node, "required": kept}


def _lenient(node: Schema) -> Schema:
    node = _closed(node)
    node = _write_only_not_required(node)
    values = node.get("enum")
    if not isinstance(values, list) or len(values) < 2:
        return node
    if all(isinstance(v, str) for v in values):
        base = "string"
    elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        base = "integer"
    else:
        return node
    annotations = ("description", "title", "default")
    known = {k: v for k, v in node.items() if k not in annotations}
    known.setdefault("type", base)
    opened: Schema = {"anyOf": [known, {"type": base}]}
    opened.update({k: v for k, v in node.items() if k in annotations})
    return opened


def _only_model_keywords(node: Schema) -> Schema:
    """The keywords that shape a model, each of the JSON type it must have."""
    kept = {k: v for k, v in node.items() if k in _SHAPING}
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict) and patterns and "additionalProperties" not in kept:
        values = [v for v in patterns.values() if isinstance(v, dict)]
        kept["additionalProperties"] = values[0] if len(values) == 1 else {"anyOf": values}
    ref = kept.get("$ref")
    if "$ref" in kept and not (isinstance(ref, str) and ref.startswith("#/")):
        del kept["$ref"]
    if "description" in kept:
        text = plain(kept["description"], limit=DOC_LIMIT)
        if text:
            kept["description"] = text
        else:
            del kept["description"]
    for key in [k for k in kept if k in _KEYWORD_TYPES]:
        if not isinstance(kept[key], _KEYWORD_TYPES[key]):
            del kept[key]
    discriminator = kept.get("discriminator")
    if "discriminator" in kept:
        if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
            mapping = discriminator.get("mapping")
            kept["discriminator"] = {"propertyName": discriminator["propertyName"]}
            if isinstance(mapping, dict):
                kept["discriminator"]["mapping"] = {
                    str(tag): ref
                    for tag, ref in mapping.items()
                    if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX)
                }
        else:
            del kept["discriminator"]
    return kept


_KEYWORD_TYPES: dict[str, type | tuple[type, ...]] = {
    "type": (str, list),
    "properties": dict,
    "required": list,
    "additionalProperties": (dict, bool),
    "items": (dict, bool),
    "prefixItems": list,
    "allOf": list,
    "anyOf": list,
    "oneOf": list,
    "not": dict,
    "enum": list,
    "format": str,
    "$defs": dict,
    "definitions": dict,
}


def _prepare(schema: Schema, closed_properties: frozenset[str]) -> Schema:
    properties = schema.get("properties")
    if closed_properties and isinstance(properties, dict):
        kept = {name: properties[name] for name in closed_properties if name in properties}
        rest = {k: v for k, v in schema.items() if k != "properties"}
        others = {k: v for k, v in properties.items() if k not in kept}
        prepared = transform({**rest, "properties": others}, _lenient)
        prepared["properties"] = {
            name: transform(kept[name], _closed) if name in kept else prepared["properties"][name]
            for name in properties
        }
        return prepared
    return transform(schema, _lenient)
