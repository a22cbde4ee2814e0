"""The metaschema check answered first by jsonschema-rs (generator/spec/metaschema.py) finds
what jsonschema alone found, word for word and in the same order.

The whole corpus is compared by ``python -m tests.support.metaschema_audit``; here, the
documents held in this repository and the crafted schemas of tests/metaschema/ (one per kind
of breakage, for OpenAPI 3.0's draft 4 and 3.1's dialect), each also through variants.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from generator.spec import metaschema
from generator.spec import validate as validate_module
from generator.spec.load import load_spec
from tests.support.metaschema_audit import HELD, ROOT, Tally, compare

CRAFTED = ROOT / "tests" / "metaschema"


def _held() -> list[Path]:
    return sorted(p for f in HELD for p in (ROOT / f).glob("*") if p.suffix in (".yaml", ".json"))


@pytest.mark.parametrize("name", ["schemas_30", "schemas_31"])
def test_crafted_bad_schemas_are_reported_word_for_word(name: str) -> None:
    """Every kind of bad schema (type, required, minimum, nullable, patterns written for
    Python or for ECMA-262 only, defaults...) reported as by jsonschema alone, which wrote
    the expected file."""
    path = CRAFTED / f"{name}.yaml"
    expected = (CRAFTED / f"{name}.expected").read_text().splitlines()
    found = [d.format() for d in load_spec(path, path.name).warnings]
    with mock.patch.object(validate_module, "prechecked", lambda checker: checker):
        alone = [d.format() for d in load_spec(path, path.name).warnings]
    assert found == alone == expected


def test_held_documents_and_their_variants_find_the_same() -> None:
    """Each held document validated both ways gives the same findings; of each schema the
    validator checks, and of 60 variants per document, jsonschema-rs never accepts one that
    jsonschema rejects."""
    tally = Tally()
    problems: list[str] = []
    for path in _held():
        compare(path, tally, 60, problems)
    assert problems == []
    assert tally["documents"] >= 15 and tally["checks"] >= 250 and tally["variants"] >= 600
    assert tally["differ"] == tally["laxer"] == tally["variant_laxer"] == 0


class _Spy:
    def __init__(self, fast: Any, answers: list[bool]) -> None:
        self.fast = fast
        self.answers = answers

    def is_valid(self, value: Any) -> bool:
        answer = bool(self.fast.is_valid(value))
        self.answers.append(answer)
        return answer


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_clean_spec_is_checked_by_jsonschema_rs_alone(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[bool] = []
    built = metaschema._fast_for
    monkeypatch.setattr(metaschema, "_fast_for", lambda checker: _Spy(built(checker), answers))
    spec = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "A": {"type": "object", "properties": {"b": {"type": "string", "pattern": "^x"}}},
                "C": {"type": "array", "items": {"$ref": "#/components/schemas/A"}},
            }
        },
    }
    assert validate_module.check(spec, "t.yaml").diagnostics == ()
    assert answers == [True, True]


def test_only_openapi_schema_validator_dialect_checks_are_answered_first() -> None:
    """A 3.1 schema under another dialect (its ``$schema``, or the document's
    ``jsonSchemaDialect``) is checked by jsonschema's own ``check_schema``: left to it."""
    from jsonschema.validators import Draft7Validator  # type: ignore[import-untyped]
    from openapi_schema_validator import oas30_format_checker, oas31_format_checker
    from openapi_schema_validator.validators import OAS30Validator, OAS31Validator

    assert metaschema._fast_for(OAS30Validator.check_schema) is not None
    assert metaschema._fast_for(OAS31Validator.check_schema) is not None
    from functools import partial

    checker = partial(OAS31Validator.check_schema, format_checker=oas31_format_checker)
    assert metaschema._fast_for(checker) is not None
    assert metaschema._fast_for(Draft7Validator.check_schema) is None
    assert metaschema._fast_for(partial(OAS30Validator.check_schema, {})) is None
    other = partial(OAS31Validator.check_schema, format_checker=oas30_format_checker)
    assert metaschema._fast_for(other) is not metaschema._fast_for(checker)


@pytest.mark.parametrize("dialect", [None, "https://json-schema.org/draft/2020-12/schema"])
def test_another_dialect_still_finds_the_same(dialect: str | None) -> None:
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "nope"}
    spec: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"A": schema, "B": {"type": "nope"}}},
    }
    if dialect is not None:
        spec["jsonSchemaDialect"] = dialect
    found = [d.format() for d in validate_module.check(spec, "t.yaml").diagnostics]
    with mock.patch.object(validate_module, "prechecked", lambda checker: checker):
        alone = [d.format() for d in validate_module.check(spec, "t.yaml").diagnostics]
    assert found == alone
    assert any("#/components/schemas/A/type" in line for line in found)


def test_pathables_lookups_answer_as_its_own_code() -> None:
    """A dict's or a list's child comes straight from it (validate._direct_lookups); what is
    missing is a KeyError naming the part, as pathable's own lookup says; any other node is
    left to pathable."""
    from pathable.accessors import SubscriptableAccessor

    own = validate_module._direct_lookups()
    assert own is not None, "written for the locked pathable: read its lookup again"
    assert SubscriptableAccessor._get_subnode.__func__ is not own.__func__
    nodes: list[Any] = [{"a": 1}, [10, 20], "text", None, 3, {1: "x"}, ("t",)]
    parts: list[Any] = ["a", 0, 1, 5, -1, "1", None]
    quick = SubscriptableAccessor._get_subnode
    slow = own.__get__(None, SubscriptableAccessor)
    for node in nodes:
        for part in parts:
            assert _outcome(quick, node, part) == _outcome(slow, node, part), (node, part)
    assert _outcome(quick, {"a": 1}, "b") == ("KeyError", ("b",))


def _outcome(lookup: Any, node: Any, part: Any) -> tuple[str, Any]:
    try:
        return ("child", lookup(node, part))
    except KeyError as exc:
        return ("KeyError", exc.args)


def test_required_names_without_a_property_are_listed_sorted() -> None:
    """openapi-spec-validator lists them from a set, in an order that changed with the hash
    seed from one run to the next."""
    from openapi_spec_validator.validation.exceptions import ExtraParametersError

    problem = ExtraParametersError("Required list has not defined properties: ['b', 'a', 'c']")
    assert validate_module.explain(problem)[1] == (
        "Required list has not defined properties: ['a', 'b', 'c']"
    )
