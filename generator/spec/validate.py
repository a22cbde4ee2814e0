"""openapi-spec-validator's findings as short warnings, each at the pointer of its node.

The validator finds two kinds of problems. Those against the OpenAPI JSON schema carry the
path of the offending value. Those of its own checks (a schema's keywords, a default that
breaks its schema, a duplicate operationId) carry none, so every keyword validator is
subclassed (through the validator's ``keyword_validators`` table) to prefix the path it was
looking at. That path runs through ``$ref``s as the validator followed them; it becomes the
pointer of the node in the document. Two of its costs are cut without changing a finding:
each schema's check against its dialect's metaschema is answered by jsonschema-rs first
(``metaschema``), and pathable's child lookups of a dict or a list directly
(``_direct_lookups``); ``python -m tests.support.metaschema_audit`` compares both ways.

Messages say what is wrong without dumping the value: a ``oneOf``/``anyOf`` failure names its
most relevant cause, a value longer than a few words is described ("this mapping"), and
every message is one line of at most ``MESSAGE_LIMIT`` characters.

A schema's ``pattern`` (and each ``patternProperties`` name) must be an ECMA-262 regular
expression (the OpenAPI schema's ``format: regex``). The check of the whole document runs
with formats off, so every pattern is checked here, by the same engine the validator uses
(jsonschema-rs); one written for Python (``(?P<name>...)``, ``(?i)``, ``\\Z``) gets a warning
at its pointer. The models never carry patterns, so nothing breaks at import either way.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from typing import Any

from generator.diagnostics import Diagnostic, pointer
from generator.spec.metaschema import prechecked
from generator.spec.pointer import canonical_parts, resolve_pointer
from generator.spec.schemas import schema_nodes
from generator.spec.subtrees import Subtrees, Validated

MESSAGE_LIMIT = 200
_SHORT_VALUE = 40
_EXTRA_KEY = re.compile(r"^(.*) (?:does|do) not match any of the regexes")
_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)")
_LOCATED = "_clientgen_located"
_UNDEFINED_REQUIRED = re.compile(r"Required list has not defined properties: (\[.*\])")


@dataclass(frozen=True, slots=True)
class Findings:
    diagnostics: tuple[Diagnostic, ...]
    # What the next run may take as checked (``subtrees``): only of a document the validator
    # found nothing in.
    validated: Validated | None


def validate(document: dict[str, Any], file: str) -> Iterator[Diagnostic]:
    return iter(check(document, file).diagnostics)


def check(document: dict[str, Any], file: str, previous: Validated | None = None) -> Findings:
    """The validator's findings; with ``previous`` (a clean earlier run's record), only the
    subtrees whose check can differ are checked again (``subtrees.Subtrees.reduced``)."""
    validator_class = _validator_class(str(document.get("openapi", "")).startswith("3.1"))
    parts = Subtrees(document)
    checked = parts.reduced(previous)
    diagnostics: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    try:
        found = list(validator_class(document if checked is None else checked).iter_errors())
    except Exception as exc:  # the validator itself gave up: report, keep going
        found = [_STOPPED]
        text = f"validator stopped early: {short(str(exc))}"
        diagnostics.append(Diagnostic("warning", "#", text, file))
    finally:
        _clear_validator_cache()
    for problem in found:
        if problem is _STOPPED:
            continue
        where, message = explain(problem)
        ptr = real_pointer(document, where)
        if (ptr, message) not in seen:
            seen.add((ptr, message))
            diagnostics.append(Diagnostic("warning", ptr, message, file))
    diagnostics.extend(_pattern_findings(document, file))
    return Findings(tuple(diagnostics), None if found else parts.validated())


_STOPPED: Any = object()


def _pattern_findings(document: dict[str, Any], file: str) -> Iterator[Diagnostic]:
    """A warning at every ``pattern`` and ``patternProperties`` name that is not ECMA-262."""
    for where, schema in schema_nodes(document):
        value = schema.get("pattern")
        if isinstance(value, str) and not is_ecma_regex(value):
            yield Diagnostic("warning", pointer(*where, "pattern"), _not_ecma(value), file)
        names = schema.get("patternProperties")
        if isinstance(names, dict):
            for name in names:
                if isinstance(name, str) and not is_ecma_regex(name):
                    ptr = pointer(*where, "patternProperties", name)
                    yield Diagnostic("warning", ptr, _not_ecma(name), file)


def _not_ecma(regex: str) -> str:
    return f"{describe(regex)} is not an ECMA-262 regular expression, as OpenAPI requires"


@cache
def is_ecma_regex(regex: str) -> bool:
    """Whether ``regex`` is an ECMA-262 regular expression (jsonschema-rs's ``regex`` format);
    true when jsonschema-rs is not installed (Python's ``re`` cannot tell)."""
    checker = _regex_checker()
    return checker is None or bool(checker.is_valid(regex))


@cache
def _regex_checker() -> Any:
    try:
        import jsonschema_rs
    except ImportError:  # not built for this platform
        return None
    return jsonschema_rs.validator_for({"format": "regex"}, validate_formats=True)


@cache
def _validator_class(v31: bool) -> type[Any]:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    _direct_lookups()
    base: type[Any] = OpenAPIV31SpecValidator if v31 else OpenAPIV30SpecValidator
    keywords = {name: _located(name, cls) for name, cls in base.keyword_validators.items()}
    members = {"keyword_validators": keywords, "schema_validator": _Prechecked(v31)}
    return type(f"Located{base.__name__}", (base,), members)


class _Prechecked:
    """The check of the whole document against the OpenAPI JSON schema, answered first by
    jsonschema-rs when it is installed: most documents pass, and it says so in a fraction of
    the time (3 s of GitHub's 6). A document it rejects is checked again by jsonschema, whose
    errors (their paths, keywords and messages) are the ones reported."""

    def __init__(self, v31: bool) -> None:
        from jsonschema.validators import validator_for  # type: ignore[import-untyped]
        from openapi_spec_validator.schemas import schema_v30, schema_v31

        schema = dict(schema_v31 if v31 else schema_v30)
        self.exact = validator_for(schema)(schema)
        self.fast: Any = None
        try:
            import jsonschema_rs

            self.fast = jsonschema_rs.validator_for(schema, validate_formats=False)
        except Exception:  # not installed for this platform, or it cannot read the schema
            self.fast = None

    def iter_errors(self, instance: Any) -> Iterator[Any]:
        if self.fast is not None:
            try:
                if self.fast.is_valid(instance):
                    return iter(())
            except Exception:  # a value it cannot read (a non-string key): ask jsonschema
                pass
        errors: Iterator[Any] = self.exact.iter_errors(instance)
        return errors


class _SeenIds(set[int]):
    """The schema validator's "seen" registries, which it keeps as lists: ``id in list`` made
    its walk quadratic (9 s of 13 on GitHub's spec). A set answers the same questions."""

    def append(self, value: int) -> None:
        self.add(value)


# pathable's version whose child lookup ``_direct_lookups`` was read from.
_PATHABLE = "0.6.0"


@cache
def _direct_lookups() -> Any:
    """pathable (which the validator walks the document with) looks a child up by first
    asking ``isinstance(node, Subscriptable)``, a runtime-checkable Protocol that Python 3.11
    answers by listing the protocol's members on every call: 0.65 of the 2.1 CPU-seconds the
    validator took on GitHub's spec. A dict and a list are Subscriptable, so for them the
    lookup is answered directly, with the same child and the same ``KeyError``; any other
    node goes through pathable's own code. Only on the pathable version this was read from.
    Returns pathable's own lookup (a classmethod), None where it was left alone."""
    try:
        from pathable.accessors import SubscriptableAccessor

        if metadata.version("pathable") != _PATHABLE:
            return None
    except (ImportError, metadata.PackageNotFoundError):
        return None
    own = SubscriptableAccessor.__dict__["_get_subnode"]
    original = own.__func__

    def _get_subnode(cls: Any, node: Any, part: Any) -> Any:
        if type(node) is dict or type(node) is list:
            try:
                return node[part]
            except (KeyError, IndexError, TypeError) as exc:
                raise KeyError(part) from exc
        return original(cls, node, part)

    SubscriptableAccessor._get_subnode = classmethod(_get_subnode)  # type: ignore[assignment]
    return own


# The schema validator's dedupe registries (lists of ``id()``s it only appends to and tests).
_SEEN_REGISTRIES = ("visited_schema_ids", "meta_checked_schema_ids")


def _located(keyword: str, cls: type[Any]) -> type[Any]:
    """``cls`` whose errors carry the document path it was checking (once: innermost wins),
    with its seen-schema registries as sets; the schema validator's metaschema check is
    answered first by jsonschema-rs (``metaschema.prechecked``)."""
    from jsonschema_path import SchemaPath

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        cls.__init__(self, *args, **kwargs)
        for name in _SEEN_REGISTRIES:
            seen = getattr(self, name, None)
            if isinstance(seen, list):
                setattr(self, name, _SeenIds(seen))

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        at = next((a for a in args if isinstance(a, SchemaPath)), None)
        prefix = list(at.parts) if at is not None else []
        if keyword == "default":  # (schema, value): the errors are about the schema's default
            prefix.append("default")
        for problem in cls.__call__(self, *args, **kwargs):
            if not getattr(problem, _LOCATED, False):
                problem.path.extendleft(reversed(prefix))
                setattr(problem, _LOCATED, True)
            yield problem

    members: dict[str, Any] = {"__init__": __init__, "__call__": __call__}
    if keyword == "schema":

        def _get_schema_checker(self: Any, *args: Any) -> Any:
            return prechecked(cls._get_schema_checker(self, *args))

        members["_get_schema_checker"] = _get_schema_checker
    return type(f"Located{cls.__name__}", (cls,), members)


def _clear_validator_cache() -> None:
    """The validator memoises ``iter_errors`` per instance forever; let the document go."""
    from openapi_spec_validator.validation.validators import SpecValidator

    cached: Any = getattr(SpecValidator.iter_errors, "__wrapped__", None)
    if hasattr(cached, "cache_clear"):
        cached.cache_clear()


def explain(problem: Any) -> tuple[list[str | int], str]:
    """The path and a short message of a validation error (its best cause, for oneOf/anyOf)."""
    from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

    hops = 0
    while getattr(problem, "validator", None) in ("oneOf", "anyOf") and problem.context:
        causes = [c for c in problem.context if not _not_a_reference(c)] or problem.context
        problem = best_match(causes)
        hops += 1
        if hops > 8:
            break
    path: list[str | int] = list(getattr(problem, "absolute_path", None) or ())
    return path, short(_message(problem))


def _not_a_reference(cause: Any) -> bool:
    """The "is it a $ref?" branch failing says nothing about an object that is not one."""
    value = getattr(cause, "instance", None)
    return (
        getattr(cause, "validator", None) == "required"
        and getattr(cause, "validator_value", None) == ["$ref"]
        and isinstance(value, dict)
        and "$ref" not in value
    )


def _message(problem: Any) -> str:
    kind = getattr(problem, "validator", None)
    value = getattr(problem, "instance", None)
    expected = getattr(problem, "validator_value", None)
    message = str(getattr(problem, "message", problem))
    undefined = _UNDEFINED_REQUIRED.fullmatch(message)
    if undefined:  # the validator lists them from a set: in an order of the hash seed
        try:
            names = ast.literal_eval(undefined.group(1))
            return f"Required list has not defined properties: {sorted(names, key=repr)}"
        except (ValueError, SyntaxError, TypeError):
            pass
    if kind == "required" and isinstance(value, dict) and isinstance(expected, list):
        missing = [name for name in expected if name not in value]
        if missing:
            return "missing required key " + ", ".join(repr(name) for name in missing)
    if kind == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return f"expected {wanted}, got {describe(value)}"
    if kind == "enum" and isinstance(expected, list):
        shown = ", ".join(repr(v) for v in expected[:8]) + (", ..." if len(expected) > 8 else "")
        return f"{describe(value)} is not one of {shown}"
    if kind in ("minProperties", "minItems") and not value:
        return "must not be empty"
    if kind in ("additionalProperties", "unevaluatedProperties"):
        extra = _EXTRA_KEY.match(message) or _UNEXPECTED.search(message)
        if extra:
            return f"unexpected key {extra.group(1)}"
    if kind in ("oneOf", "anyOf"):
        return f"{describe(value)} does not match any allowed form"
    shown = repr(value)
    if len(shown) > _SHORT_VALUE and message.startswith(shown):
        return describe(value) + message[len(shown) :]
    return message


def describe(value: Any) -> str:
    """A value in a few words: its repr when short, else its kind."""
    shown = repr(value)
    if len(shown) <= _SHORT_VALUE:
        return shown
    if isinstance(value, str):
        return repr(value[: _SHORT_VALUE - 10]) + "..."
    if isinstance(value, dict):
        return "this mapping"
    if isinstance(value, list):
        return "this list"
    return f"this {type(value).__name__}"


def short(text: str, limit: int = MESSAGE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def real_pointer(document: Any, parts: list[str | int]) -> str:
    """The pointer of the node a path names, where the path follows ``$ref``s as it goes."""
    node = document
    real: list[str | int] = []
    for index, part in enumerate(parts):
        hops = 0
        while (
            isinstance(node, dict)
            and isinstance(node.get("$ref"), str)
            and str(part) not in node
            and hops < 32
        ):
            try:
                real = list(canonical_parts(document, node["$ref"]))
                node = resolve_pointer(document, node["$ref"])
            except KeyError:
                return pointer(*real, *parts[index:])
            hops += 1
        child = _child(node, part)
        if child is _MISSING:
            return pointer(*real, *parts[index:])
        node = child
        real.append(part)
    return pointer(*real)


_MISSING: Any = object()


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(str(part), _MISSING)
    if isinstance(node, list):
        index = part if isinstance(part, int) else int(part) if str(part).isdigit() else -1
        return node[index] if 0 <= index < len(node) else _MISSING
    return _MISSING
