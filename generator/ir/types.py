"""Python type expressions for schemas, as printed in generated client signatures.

After ``hoist`` every object schema with properties is a component, so a schema here is a
reference (-> ``models.<Class>``), a scalar, a container of those, or a union.
"""

from __future__ import annotations

import re
from typing import Any

from generator.literals import literal
from generator.spec.schemas import SCHEMA_PREFIX, is_null

_STRING_FORMATS = {
    "date-time": "datetime.datetime",
    "date": "datetime.date",
    "binary": "bytes",
}
_SCALARS = {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}


def annotation(schema: Any) -> str:
    """The type of a value matching ``schema``; ``Any`` where the schema says nothing."""
    if not isinstance(schema, dict):
        return "Any"
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref.startswith(SCHEMA_PREFIX) and "/" not in ref[len(SCHEMA_PREFIX) :]:
            return "models." + ref[len(SCHEMA_PREFIX) :]
        return "Any"
    if "const" in schema:
        return _literal_type([schema["const"]])
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return union([annotation(option) for option in schema[key]])
    members = schema.get("allOf")
    if isinstance(members, list) and len(members) == 1:
        return annotation(members[0])
    if isinstance(schema.get("enum"), list):
        return _enum_type(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return union([annotation({**schema, "type": k}) for k in kind])
    if kind == "string":
        return _STRING_FORMATS.get(str(schema.get("format")), "str")
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "array" or "items" in schema:
        return f"list[{annotation(schema.get('items'))}]"
    if kind == "object" or "properties" in schema or "additionalProperties" in schema:
        extra = schema.get("additionalProperties")
        value = annotation(extra) if isinstance(extra, dict) and extra else "Any"
        return f"dict[str, {value}]"
    return "Any"


def _literal_type(values: list[Any]) -> str:
    return "Literal[" + ", ".join(literal(v) for v in values) + "]"


def _enum_type(values: list[Any]) -> str:
    usable = [v for v in values if isinstance(v, str | int | bool) or v is None]
    if not usable:
        return "Any"
    nullable = None in usable
    known = [v for v in usable if v is not None]
    parts = [_literal_type(known)] if known else []
    if known and all(isinstance(v, str) for v in known):
        parts.append("str")  # open: a value the spec does not list yet is still accepted
    elif known and all(isinstance(v, int) and not isinstance(v, bool) for v in known):
        parts.append("int")
    if nullable:
        parts.append("None")
    return union(parts)


def union(parts: list[str]) -> str:
    seen: list[str] = []
    for part in parts:
        for piece in _split_top_level(part):
            if piece not in seen:
                seen.append(piece)
    if "Any" in seen:
        return "Any"
    if "None" in seen:  # None last reads best: "Foo | None"
        seen = [p for p in seen if p != "None"] + ["None"]
    return " | ".join(seen) if seen else "Any"


def _split_top_level(text: str) -> list[str]:
    pieces, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "|" and depth == 0:
            pieces.append(text[start:index].strip())
            start = index + 1
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def is_nullable(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    options = schema.get("anyOf") or schema.get("oneOf")
    return isinstance(options, list) and any(is_null(o) for o in options)


BUILTIN_TYPES = ("list", "dict", "str", "int", "float", "bool", "bytes", "type", "object")


def qualify_builtins(text: str, shadowed: frozenset[str]) -> str:
    """``list[str]`` -> ``builtins.list[str]`` where a method of the class is named ``list``.

    A method named like a builtin shadows it in the class body, where annotations are read.
    """
    for name in BUILTIN_TYPES:
        if name in shadowed:
            text = re.sub(rf"(?<![\w.]){name}\b", f"builtins.{name}", text)
    return text


def file_annotation(annotation: str) -> str:
    """A multipart field that holds a file takes bytes, a file object or a (name, content) tuple."""
    if annotation == "bytes":
        return "_base.FileContent"
    if annotation == "list[bytes]":
        return "list[_base.FileContent]"
    return annotation
