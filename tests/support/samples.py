"""A minimal value that matches a schema: for fake servers in smoke tests, and (checked with
jsonschema by ``checked_sample``) for the arguments of conformance calls."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from typing import Any

from generator.spec.pointer import resolve_pointer

_STRINGS = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05",  # the form both jsonschema's and Prism's (ajv's) checkers accept
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


def sample(
    schema: Any,
    spec: dict[str, Any],
    depth: int = 0,
    examples: bool = False,
    choice: int = 0,
    full: bool = False,
) -> Any:
    """A small value for ``schema``; with ``examples``, a schema's own example or default is
    taken where it has one (they are often the only values that meet a ``pattern``);
    ``choice`` picks which branch of each ``oneOf``/``anyOf`` (counted round); ``full`` gives
    an object every property (at the top: nested objects stay small), not only the required."""
    schema = _resolved(schema, spec)
    if depth > 12:
        raise Unsatisfiable
    if not isinstance(schema, dict):
        return None
    again = (spec, depth + 1, examples, choice)  # nested values stay small
    if examples:
        own = own_examples(schema)
        if own:
            return own[0]
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        values = [v for v in schema["enum"] if v is not None]
        return next((v for v in values if _of_type(v, schema.get("type"))), None)
    for key in ("oneOf", "anyOf"):
        options = [o for o in schema.get(key) or [] if not _is_null(o)]
        if depth > 3 and len(options) < len(schema.get(key) or []):
            return None  # a nullable (often recursive) branch: stop here
        if options:
            return _union(schema, options, spec, depth + 1, examples, choice, full)
    if isinstance(schema.get("allOf"), list):
        return sample(_merged(schema, spec), spec, depth + 1, examples, choice, full)
    if "if" in schema and isinstance(schema.get("else"), dict):  # a small value misses `if`
        rest = {k: v for k, v in schema.items() if k not in ("if", "then", "else")}
        return sample({"allOf": [rest, schema["else"]]}, spec, depth + 1, examples, choice, full)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        names = [n for n in schema.get("required") or [] if isinstance(n, str)]
        if full:
            names += [
                n for n in properties if n not in names and not _read_only(properties[n], spec)
            ]
        least = schema.get("minProperties")
        if isinstance(least, int):
            names += [n for n in properties if n not in names][: max(0, least - len(names))]
        return {name: sample(properties.get(name, {}), *again) for name in names}
    if kind == "array":
        if schema.get("items") is False or schema.get("maxItems") == 0:
            return []  # no item can be valid
        count = schema.get("minItems")
        count = count if isinstance(count, int) else 0
        try:
            item = sample(schema.get("items", {}), *again)
        except Unsatisfiable:
            if count:
                raise
            return []
        if schema.get("uniqueItems") and count > 1:
            raise Unsatisfiable
        return [item] * max(count, 1)
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return int(_number(schema, 1))
    if kind == "number":
        return _number(schema, 1.5)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return "x"


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _of_type(value: Any, kind: Any) -> bool:
    """Whether ``value`` is of the JSON type (or one of the types) ``kind`` names."""
    kinds = kind if isinstance(kind, list) else [kind]
    if kind is None or (value is None and "null" in kinds):
        return True
    for name in kinds:
        types = _TYPES.get(str(name), ())
        if isinstance(value, types) and not (isinstance(value, bool) and name != "boolean"):
            return True
    return False


def _resolved(schema: Any, spec: dict[str, Any]) -> Any:
    """The schema a ``$ref`` names, with the keywords written beside the ``$ref`` on top."""
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 32:
        seen += 1
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        target = resolve_pointer(spec, schema["$ref"])
        schema = {**target, **siblings} if isinstance(target, dict) and siblings else target
    return schema


def _read_only(schema: Any, spec: dict[str, Any]) -> bool:
    resolved = _resolved(schema, spec)
    return isinstance(resolved, dict) and bool(resolved.get("readOnly"))


def _merged(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """``allOf`` members and the schema around them as one schema (properties and required
    joined, every other keyword from the last that says it)."""
    merged: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    required: list[Any] = []
    kinds: set[str] = set()
    for member in [*schema["allOf"], {k: v for k, v in schema.items() if k != "allOf"}]:
        member = _resolved(member, spec)
        if not isinstance(member, dict):
            continue
        if isinstance(member.get("allOf"), list):
            member = _merged(member, spec)
        if isinstance(member.get("type"), str):
            kinds.add(member["type"])
        if len(kinds - {"integer"} if kinds >= {"integer", "number"} else kinds) > 1:
            raise Unsatisfiable  # allOf: [{type: string}, {type: integer}]
        properties.update(member.get("properties") or {})
        required += [r for r in member.get("required") or [] if r not in required]
        merged.update({k: v for k, v in member.items() if k not in ("properties", "required")})
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged


def _string(schema: dict[str, Any]) -> str:
    pattern = schema.get("pattern")
    text = _STRINGS.get(str(schema.get("format")), "x")
    if isinstance(pattern, str) and not re.search(pattern, text):
        text = _matching(pattern) or text
    low = schema.get("minLength")
    if isinstance(low, int) and len(text) < low:
        text = text + "x" * (low - len(text))
    return text


@functools.cache
def _matching(pattern: str) -> str | None:
    """The simplest string that matches ``pattern`` (hypothesis shrinks to it; deterministic)."""
    from hypothesis import HealthCheck, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    try:
        found: str = find(
            st.from_regex(pattern),
            lambda text: True,
            settings=settings(
                database=None, max_examples=50, suppress_health_check=list(HealthCheck)
            ),
        )
    except (NoSuchExample, re.error, ValueError):
        return None
    return found


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def _union(
    schema: dict[str, Any],
    options: list[Any],
    spec: dict[str, Any],
    depth: int,
    examples: bool,
    choice: int,
    full: bool = False,
) -> Any:
    """A value of one branch: the ``choice``-th first, then the others; each small, then with
    every property (``full``). Of a ``oneOf``, the first that matches exactly one branch."""
    siblings = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "discriminator")}
    discriminator = schema.get("discriminator")
    tag = discriminator.get("propertyName") if isinstance(discriminator, dict) else None
    mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
    tagged: list[tuple[Any, Any]] = []  # (branch, its tag or None)
    if isinstance(mapping, dict) and mapping:
        tagged += [({"$ref": _mapped(ref)}, key) for key, ref in mapping.items()]
    for option in options:
        ref = option.get("$ref") if isinstance(option, dict) else None
        name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None
        tagged.append((option, name if tag else None))
    if "oneOf" in schema and _twins(options, spec):
        raise Unsatisfiable  # two branches alike: no value matches exactly one
    count = len(tagged)
    found: list[Any] = []
    for k in range(count):
        option, key = tagged[(choice + k) % count]
        if "properties" in siblings or "required" in siblings:
            option = {"allOf": [option, siblings]}
        for wide in dict.fromkeys((full, True)):
            try:
                value = sample(option, spec, depth, examples, choice, wide)
            except Unsatisfiable:
                continue
            if isinstance(value, dict) and tag and key is not None:
                value[tag] = key
            if "oneOf" not in schema or _valid(schema, spec, value):
                return value
            found.append(value)
            spoiled = _spoiled(value, option, options, spec)
            if spoiled is not None and _valid(schema, spec, spoiled):
                return spoiled
    if found:
        return found[0]
    raise Unsatisfiable


_ANNOTATIONS = frozenset({"title", "description", "example", "examples", "deprecated"})


def _twins(options: list[Any], spec: dict[str, Any]) -> bool:
    """Whether two branches are the same schema, annotations aside."""
    shapes = []
    for option in options:
        resolved = _resolved(option, spec)
        if not isinstance(resolved, dict):
            return False
        shapes.append({k: v for k, v in resolved.items() if k not in _ANNOTATIONS})
    return any(a == b for i, a in enumerate(shapes) for b in shapes[i + 1 :])


_OTHER_TYPE = {"string": 0, "integer": "x", "number": "x", "boolean": "x", "array": "x"}


def _spoiled(value: Any, option: Any, options: list[Any], spec: dict[str, Any]) -> Any:
    """``value`` (an object of branch ``option``) made to fail the other branches: a property
    that only another branch declares, given a value of another type than it says there
    (valid in ``option``, whose undeclared properties are free). None where none fits."""
    if not isinstance(value, dict):
        return None
    mine = _resolved(option, spec)
    mine = _merged(mine, spec) if isinstance(mine, dict) and "allOf" in mine else mine
    if not isinstance(mine, dict) or mine.get("additionalProperties") is False:
        return None
    declared = mine.get("properties") or {}
    spoiled = dict(value)
    for other in options:
        if other is option:
            continue
        theirs = _resolved(other, spec)
        theirs = _merged(theirs, spec) if isinstance(theirs, dict) and "allOf" in theirs else theirs
        for name, prop in ((theirs or {}).get("properties") or {}).items():
            kind = (_resolved(prop, spec) or {}).get("type")
            if name not in declared and name not in spoiled and kind in _OTHER_TYPE:
                spoiled[name] = _OTHER_TYPE[kind]
                break
    return spoiled if spoiled != value else None


def _mapped(target: Any) -> str:
    """A discriminator mapping's value as a reference (it may be a bare schema name)."""
    text = str(target)
    return text if "/" in text or text.startswith("#") else f"#/components/schemas/{text}"


def is_valid(schema: Any, spec: dict[str, Any], value: Any) -> bool:
    """Whether ``value`` is valid against ``schema`` as Prism reads it."""
    return _valid(schema, spec, value)


def _valid(schema: Any, spec: dict[str, Any], value: Any) -> bool:
    return next(iter(_validator(schema, spec).iter_errors(value)), None) is None


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
    """No value built from the spec is valid against its schema: the test's fault, unless
    ``unsatisfiable`` (no finite value can be: the spec's)."""

    def __init__(self, message: str, unsatisfiable: bool = False) -> None:
        super().__init__(message)
        self.unsatisfiable = unsatisfiable


def checked_sample(
    schema: Any, spec: dict[str, Any], offered: list[Any] | None = None, full: bool = False
) -> Any:
    """A value that jsonschema finds valid against ``schema`` (read with the spec's own
    references and OpenAPI dialect): the values ``offered`` by its holder, its own examples,
    then a built one (``full``: objects with every property first, as a path parameter wants
    them). Raises ``BadSample`` naming what was wrong with each."""
    validator = _validator(schema, spec)
    resolved = _resolved(schema, spec)
    given = [*(offered or []), *(own_examples(resolved) if isinstance(resolved, dict) else [])]
    problems: list[str] = []
    empty: list[Any] = [[], {}]  # the last resort: `items: false`, say
    for value in itertools.chain(given, _built(schema, spec, problems, full), empty):
        error = next(iter(validator.iter_errors(value)), None)
        if error is None and not _format_ok(resolved, value):
            problems.append(f"{value!r:.80}: not a {resolved.get('format')!r} as Prism reads it")
            continue
        if error is None:
            return value
        problems.append(f"{value!r:.80}: {error.message[:160]}")
    raise BadSample("; ".join(dict.fromkeys(problems)), unsatisfiable=_UNSATISFIABLE in problems)


# Formats jsonschema checks only with optional packages, checked here as Prism (ajv) does.
_FORMATS = {
    "duration": re.compile(
        r"^P(?!$)((\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|(\d+W)?)$"
    ),
    "json-pointer": re.compile(r"^(?:/(?:[^~/]|~0|~1)*)*$"),
}


def _format_ok(schema: Any, value: Any) -> bool:
    pattern = _FORMATS.get(str(schema.get("format"))) if isinstance(schema, dict) else None
    return pattern is None or not isinstance(value, str) or bool(pattern.match(value))


_UNSATISFIABLE = "no finite value (a required reference to itself, or a branch none can meet)"


def _built(
    schema: Any, spec: dict[str, Any], problems: list[str], full_first: bool = False
) -> Iterator[Any]:
    """Values built from the schema: nested examples first, then each branch of the unions,
    small objects before full ones (or after, with ``full_first``)."""
    seen: list[Any] = []
    ways = [(True, False), (False, False), (True, True), (False, True)]
    for examples, full in sorted(ways, key=lambda way: way[1] != full_first):
        for choice in range(4):
            try:
                value = sample(schema, spec, examples=examples, choice=choice, full=full)
            except Unsatisfiable:
                problems.append(_UNSATISFIABLE)
                return
            if value not in seen:
                seen.append(value)
                yield value


def _validator(schema: Any, spec: dict[str, Any]) -> Any:
    from openapi_schema_validator import (
        OAS30Validator,
        OAS31Validator,
        oas30_format_checker,
        oas31_format_checker,
    )

    schema = {} if schema is None else schema  # a media type without a schema takes anything
    root = {**_as_prism_reads(spec), "$ref": "#/x-conformance-schema"}
    root["x-conformance-schema"] = _plain(schema, _is_31(spec))
    if _is_31(spec):
        return OAS31Validator(root, format_checker=oas31_format_checker)
    return OAS30Validator(root, format_checker=oas30_format_checker)


_PLAIN: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}


def _as_prism_reads(spec: dict[str, Any]) -> dict[str, Any]:
    """The document as Prism (ajv) validates it: ``discriminator`` is only a hint, so a
    ``oneOf`` value must match exactly one branch whatever its tag; the draft-04 boolean
    ``exclusiveMinimum``/``exclusiveMaximum`` some 3.1 schemas still write are 2020-12
    numbers. Cached per document."""
    found = _PLAIN.get(id(spec))
    if found is None or found[0] is not spec:
        found = (spec, _plain(spec, _is_31(spec)))
        _PLAIN[id(spec)] = found
    return found[1]


def _is_31(spec: dict[str, Any]) -> bool:
    return str(spec.get("openapi", "")).startswith("3.1")


def _plain(node: Any, numeric_bounds: bool) -> Any:
    if isinstance(node, list):
        return [_plain(item, numeric_bounds) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _plain(v, numeric_bounds) for k, v in node.items() if k != "discriminator"}
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if not numeric_bounds or not isinstance(out.get(flag), bool):
            continue
        if out[flag] and isinstance(out.get(bound), int | float):
            out[flag] = out.pop(bound)
        else:
            del out[flag]
    return out
