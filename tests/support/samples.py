"""A minimal value that matches a schema, for fake servers in smoke tests."""

from __future__ import annotations

from typing import Any

from generator.spec.load import resolve_pointer

_STRINGS = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


class Unsatisfiable(Exception):
    """No finite value matches (a required, non-nullable reference to itself)."""


def sample(schema: Any, spec: dict[str, Any], depth: int = 0) -> Any:
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        schema = resolve_pointer(spec, schema["$ref"])
    if depth > 12:
        raise Unsatisfiable
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return next((v for v in schema["enum"] if v is not None), None)
    for key in ("oneOf", "anyOf"):
        options = [o for o in schema.get(key) or [] if not _is_null(o)]
        if depth > 3 and len(options) < len(schema.get(key) or []):
            return None  # a nullable (often recursive) branch: stop here
        if options:
            return _union(schema, options, spec, depth)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for member in schema["allOf"]:
            value = sample(member, spec, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in schema:
        required = schema.get("required") or []
        properties = schema.get("properties") or {}
        return {name: sample(properties.get(name, {}), spec, depth + 1) for name in required}
    if kind == "array":
        return []
    if kind == "string":
        return _STRINGS.get(str(schema.get("format")), "x")
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return "x"


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def _union(schema: dict[str, Any], options: list[Any], spec: dict[str, Any], depth: int) -> Any:
    discriminator = schema.get("discriminator")
    if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
        tag, ref = next(iter(discriminator["mapping"].items()))
        value = sample({"$ref": ref}, spec, depth + 1)
        if isinstance(value, dict):
            value[discriminator["propertyName"]] = tag
        return value
    return sample(options[0], spec, depth + 1)
