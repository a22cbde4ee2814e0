"""Each schema's check against its dialect's metaschema, answered first by jsonschema-rs.

openapi-spec-validator checks every schema it meets at a ``schema`` keyword (a component, a
parameter's, a media type's) against its dialect's metaschema with jsonschema: draft 4 for
OpenAPI 3.0, the OpenAPI 3.1 base dialect (draft 2020-12 and the OAS vocabulary) for 3.1.
That was 1.7 of the 3.8 CPU-seconds the validator takes on GitHub's spec.

``prechecked`` wraps that check: jsonschema-rs first, with the same metaschema documents
(the registry openapi-schema-validator gives jsonschema), the same draft and the same format
checks (each format a metaschema names is answered by the validator's own format checker,
so a ``pattern`` is Python's ``re`` here, as there). A schema it accepts is one jsonschema
accepts, and the check stops; one it rejects, or cannot read, is checked again by
jsonschema, whose error (its message and path) is the one reported. Where the check is not
the one modelled here (a 3.1 schema whose ``$schema``, or the document's
``jsonSchemaDialect``, names a plain JSON Schema draft), jsonschema alone answers, as before.

The two engines differ where jsonschema-rs is the stricter (a metaschema ``pattern`` such as
``$anchor``'s is ECMA-262 there, where Python's ``$`` also matches before a final newline):
such a schema is only checked twice. ``tests/test_metaschema.py`` holds the cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache, partial
from typing import Any

Checker = Callable[[Any], None]


def prechecked(checker: Checker) -> Checker:
    """``checker`` (the validator's metaschema check of one schema), answered first by
    jsonschema-rs where it is the check modelled here; ``checker`` itself otherwise."""
    fast = _fast_for(checker)
    if fast is None:
        return checker

    def check(value: Any) -> None:
        try:
            if fast.is_valid(value):
                return
        except Exception:  # a value it cannot read (a non-string key, a huge number)
            pass
        checker(value)

    return check


def _fast_for(checker: Checker) -> Any:
    """The jsonschema-rs validator doing what ``checker`` does, or None."""
    args: tuple[Any, ...] = ()
    keywords: dict[str, Any] = {}
    func: Any = checker
    if isinstance(checker, partial):
        func, args, keywords = checker.func, checker.args, dict(checker.keywords)
    owner: Any = getattr(func, "__self__", None)
    if args or set(keywords) - {"format_checker"} or not isinstance(owner, type):
        return None
    try:
        from openapi_schema_validator.validators import check_openapi_schema
    except ImportError:
        return None
    if getattr(func, "__func__", None) is not check_openapi_schema:
        return None
    format_checker = keywords.get("format_checker", getattr(owner, "FORMAT_CHECKER", None))
    return None if format_checker is None else _compiled(owner, format_checker)


@cache
def _compiled(owner: type[Any], format_checker: Any) -> Any:
    """``check_openapi_schema(owner, ..., format_checker)`` as a jsonschema-rs validator:
    ``owner.META_SCHEMA`` under the draft jsonschema picks for it, the registry
    openapi-schema-validator gives it, each format of those documents answered by
    ``format_checker``. None where jsonschema-rs is missing or cannot build it."""
    try:
        import jsonschema_rs
        from jsonschema import validators  # type: ignore[import-untyped]
        from openapi_schema_validator._specifications import REGISTRY
    except ImportError:  # jsonschema-rs not built for this platform
        return None
    engines = {
        validators.Draft4Validator: jsonschema_rs.Draft4Validator,
        validators.Draft6Validator: jsonschema_rs.Draft6Validator,
        validators.Draft7Validator: jsonschema_rs.Draft7Validator,
        validators.Draft201909Validator: jsonschema_rs.Draft201909Validator,
        validators.Draft202012Validator: jsonschema_rs.Draft202012Validator,
    }
    meta_schema = owner.META_SCHEMA
    engine = engines.get(validators.validator_for(meta_schema, default=owner))
    if engine is None:
        return None
    resources = [(uri, REGISTRY[uri].contents) for uri in sorted(REGISTRY)]
    names: set[str] = set()
    for _, contents in resources:
        names.update(_format_names(contents))
    formats: dict[str, Callable[..., bool]] = {
        name: partial(_conforms, format_checker, name) for name in sorted(names)
    }
    try:
        return engine(
            meta_schema,
            registry=jsonschema_rs.Registry(resources),
            formats=formats,
            validate_formats=True,
        )
    except Exception:  # a metaschema it cannot build: jsonschema alone answers
        return None


def _conforms(format_checker: Any, name: str, value: Any) -> bool:
    return bool(format_checker.conforms(value, name))


def _format_names(node: Any) -> Iterator[str]:
    """The ``format`` values a metaschema document names."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("format"), str):
                yield item["format"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
