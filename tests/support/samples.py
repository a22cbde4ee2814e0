"""A minimal value that matches a schema: for fake servers in smoke tests, and (checked with
jsonschema by ``checked_sample``) for the arguments of conformance calls."""

from __future__ import annotations

from typing import Any

from generator.load import resolve_pointer

_STRINGS = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05Z",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/x",
    "url": "https://example.com/x",
    "iri": "https://example.com/x",
    "uri-reference": "https://example.com/x",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "byte": "eA==",
    "duration": "P1D",
    "json-pointer": "/x",
}


class Unsatisfiable(Exception):
    """No finite value matches (a required, non-nullable reference to itself)."""


def sample(schema: Any, spec: dict[str, Any], depth: int = 0, examples: bool = False) -> Any:
    """A small value for ``schema``; with ``examples``, a schema's own example or default is
    taken where it has one (they are often the only values that meet a ``pattern``)."""
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        schema = resolve_pointer(spec, schema["$ref"])
    if depth > 12:
        raise Unsatisfiable
    if not isinstance(schema, dict):
        return None
    if examples:
        own = own_examples(schema)
        if own:
            return own[0]
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return next((v for v in schema["enum"] if v is not None), None)
    for key in ("oneOf", "anyOf"):
        options = [o for o in schema.get(key) or [] if not _is_null(o)]
        if depth > 3 and len(options) < len(schema.get(key) or []):
            return None  # a nullable (often recursive) branch: stop here
        if options:
            return _union(schema, options, spec, depth, examples)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for member in schema["allOf"]:
            value = sample(member, spec, depth + 1, examples)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in schema:
        required = schema.get("required") or []
        properties = schema.get("properties") or {}
        return {
            name: sample(properties.get(name, {}), spec, depth + 1, examples) for name in required
        }
    if kind == "array":
        count = schema.get("minItems") or 0
        if not isinstance(count, int) or count == 0:
            return []
        item = sample(schema.get("items", {}), spec, depth + 1, examples)
        if schema.get("uniqueItems") and count > 1:
            raise Unsatisfiable
        return [item] * count
    if kind == "string":
        text = _STRINGS.get(str(schema.get("format")), "x")
        low = schema.get("minLength")
        if isinstance(low, int) and len(text) < low:
            text = text + "x" * (low - len(text))
        return text
    if kind == "integer":
        return int(_number(schema, 1))
    if kind == "number":
        return _number(schema, 1.5)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return "x"


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def _union(
    schema: dict[str, Any], options: list[Any], spec: dict[str, Any], depth: int, examples: bool
) -> Any:
    discriminator = schema.get("discriminator")
    if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
        tag, ref = next(iter(discriminator["mapping"].items()))
        value = sample({"$ref": ref}, spec, depth + 1, examples)
        if isinstance(value, dict):
            value[discriminator["propertyName"]] = tag
        return value
    return sample(options[0], spec, depth + 1, examples)


def _number(schema: dict[str, Any], usual: float) -> float:
    low, high = schema.get("minimum"), schema.get("maximum")
    value = usual
    if isinstance(low, int | float) and not isinstance(low, bool) and value < low:
        value = low + (1 if schema.get("exclusiveMinimum") is True else 0)
    if isinstance(high, int | float) and not isinstance(high, bool) and value > high:
        value = high - (1 if schema.get("exclusiveMaximum") is True else 0)
    for key, step in (("exclusiveMinimum", 1), ("exclusiveMaximum", -1)):
        bound = schema.get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            if (step == 1 and value <= bound) or (step == -1 and value >= bound):
                value = bound + step
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int | float) and multiple > 0 and value % multiple:
        value = multiple * max(1, round(value / multiple))
    return value


def own_examples(holder: dict[str, Any]) -> list[Any]:
    """The values a schema or parameter offers itself: ``example``, ``examples`` (a list in a
    schema, a map of Example objects in a parameter or media type), then ``default``."""
    found: list[Any] = []
    if "example" in holder:
        found.append(holder["example"])
    listed = holder.get("examples")
    if isinstance(listed, list):
        found.extend(listed)
    elif isinstance(listed, dict):
        found.extend(e["value"] for e in listed.values() if isinstance(e, dict) and "value" in e)
    if "default" in holder:
        found.append(holder["default"])
    return found


class BadSample(Exception):
    """No value built from the spec is valid against its schema: the test's fault."""


def checked_sample(schema: Any, spec: dict[str, Any], offered: list[Any] | None = None) -> Any:
    """A value that jsonschema finds valid against ``schema`` (read with the spec's own
    references and OpenAPI dialect): the values ``offered`` by its holder, its own examples,
    then a built one. Raises ``BadSample`` naming what was wrong with each."""
    validator = _validator(schema, spec)
    candidates: list[Any] = [*(offered or [])]
    resolved = schema
    while isinstance(resolved, dict) and isinstance(resolved.get("$ref"), str):
        resolved = resolve_pointer(spec, resolved["$ref"])
    if isinstance(resolved, dict):
        candidates += own_examples(resolved)
    problems: list[str] = []
    for examples in (True, False):
        try:
            candidates.append(sample(schema, spec, examples=examples))
        except Unsatisfiable:
            problems.append("no finite value (a required reference to itself)")
    for value in candidates:
        error = next(iter(validator.iter_errors(value)), None)
        if error is None:
            return value
        problems.append(f"{value!r:.80}: {error.message[:160]}")
    raise BadSample("; ".join(dict.fromkeys(problems)))


def _validator(schema: Any, spec: dict[str, Any]) -> Any:
    from openapi_schema_validator import (
        OAS30Validator,
        OAS31Validator,
        oas30_format_checker,
        oas31_format_checker,
    )

    root = {**spec, "$ref": "#/x-conformance-schema", "x-conformance-schema": schema}
    if str(spec.get("openapi", "")).startswith("3.1"):
        return OAS31Validator(root, format_checker=oas31_format_checker)
    return OAS30Validator(root, format_checker=oas30_format_checker)
