"""Validation done again only where it can differ (``generator.spec.subtrees``).

A document the validator found nothing in leaves a record (``Validated``); the next one is
checked as its reduction, and finds what a check of the whole finds: a new problem in a
changed subtree, one in an unchanged subtree that a change elsewhere made wrong, and a
duplicate operationId across subtrees.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from generator.spec import validate as validate_module
from generator.spec.load import load_spec
from generator.spec.subtrees import Subtrees, Validated
from generator.spec.validate import check

FILE = "spec.json"


def _ok(schema: str) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    return {"200": {"description": "ok", "content": content}}


BASE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/a": {"get": {"operationId": "getA", "responses": _ok("A")}},
        "/c": {"get": {"operationId": "getC", "responses": _ok("C")}},
    },
    "components": {
        "schemas": {
            "A": {
                "type": "object",
                "properties": {"b": {"$ref": "#/components/schemas/B"}},
                "default": {"b": "text"},
            },
            "B": {"type": "string"},
            "C": {"type": "object", "properties": {"n": {"type": "integer"}}},
        }
    },
}


@pytest.fixture(scope="module")
def record() -> Validated:
    found = check(copy.deepcopy(BASE), FILE)
    assert found.diagnostics == ()
    assert found.validated is not None
    return found.validated


def _changed(**edits: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    for where, value in edits.items():
        *parents, last = where.split("__")
        node = document
        for part in parents:
            node = node[part.replace("_", "/") if part.startswith("_") else part]
        node[last.replace("_", "/") if last.startswith("_") else last] = value
    return document


def _reduction(document: dict[str, Any], record: Validated) -> dict[str, Any]:
    reduced = Subtrees(document).reduced(record)
    assert reduced is not None
    return {
        "paths": list(reduced["paths"]),
        "schemas": list(reduced["components"]["schemas"]),
    }


def test_a_document_with_findings_leaves_no_record() -> None:
    document = _changed(components__schemas__C={"type": 5})
    found = check(document, FILE)
    assert found.diagnostics and found.validated is None


def test_only_what_a_change_can_reach_is_checked_again(record: Validated) -> None:
    changed_c = _changed(components__schemas__C={"type": "object"})
    assert _reduction(changed_c, record) == {"paths": ["/c"], "schemas": ["C"]}
    # B is reached from A, and A from /a: all three again; /c and C are left out
    changed_b = _changed(components__schemas__B={"type": "string", "maxLength": 9})
    assert _reduction(changed_b, record) == {"paths": ["/a"], "schemas": ["A", "B"]}
    added = _changed(components__schemas__D={"type": "string"})
    assert _reduction(added, record) == {"paths": [], "schemas": ["D"]}


@pytest.mark.parametrize(
    "edits",
    [
        # a new problem in the changed subtree
        {"components__schemas__C": {"type": "object", "properties": {"n": {"type": 5}}}},
        # A did not change, but its default no longer fits the B it refers to
        {"components__schemas__B": {"type": "integer"}},
        # /c's operationId now repeats /a's, which did not change
        {"paths___c": {"get": {"operationId": "getA", "responses": _ok("C")}}},
        # a path parameter the unchanged path item does not declare, in a changed one
        {"paths___c~{id}": {"get": {"operationId": "getX", "responses": _ok("C")}}},
    ],
    ids=["changed-subtree", "unchanged-subtree-in-a-changed-context", "operation-id", "param"],
)
def test_a_reduced_check_finds_what_a_whole_check_finds(
    record: Validated, edits: dict[str, Any]
) -> None:
    document = _changed(**{k.replace("~", "/"): v for k, v in edits.items()})
    whole = check(copy.deepcopy(document), FILE)
    reduced = check(document, FILE, record)
    assert whole.diagnostics, "the edit makes a finding"
    assert reduced.diagnostics == whole.diagnostics
    assert reduced.validated is None


def test_the_unchanged_subtree_is_where_the_finding_points(record: Validated) -> None:
    found = check(_changed(components__schemas__B={"type": "integer"}), FILE, record)
    assert [d.pointer for d in found.diagnostics] == ["#/components/schemas/A/default/b"]


def test_no_reduction_without_the_same_skeleton_and_validator(record: Validated) -> None:
    assert Subtrees(_changed(info={"title": "t", "version": "2"})).reduced(record) is None
    other = Validated("another validator", record.subtrees)
    assert Subtrees(_changed(components__schemas__C={})).reduced(other) is None
    # unchanged: only the skeleton is checked again
    assert _reduction(copy.deepcopy(BASE), record) == {"paths": [], "schemas": []}


def test_no_reduction_where_references_cannot_be_followed_by_subtree(record: Validated) -> None:
    whole_section = _changed(components__schemas__C={"$ref": "#/components/schemas"})
    assert Subtrees(whole_section).reduced(record) is None
    moved = _changed(components__schemas__C={"$id": "https://example.com/c", "type": "string"})
    assert Subtrees(moved).reduced(record) is None


def test_a_reduced_check_runs_the_validator_on_the_reduction(
    record: Validated, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []
    real = validate_module._validator_class

    def spy(v31: bool) -> Any:
        cls = real(v31)

        def made(document: dict[str, Any]) -> Any:
            seen.append(list(document["components"]["schemas"]))
            return cls(document)

        return made

    monkeypatch.setattr(validate_module, "_validator_class", spy)
    check(_changed(components__schemas__C={"type": "object"}), FILE, record)
    check(_changed(components__schemas__C={"type": "object"}), FILE)
    assert seen == [["C"], ["A", "B", "C"]]


def test_load_spec_hands_the_record_on(tmp_path: Path, record: Validated) -> None:
    path = tmp_path / FILE
    path.write_text(json.dumps(_changed(components__schemas__C={"type": "object"})))
    loaded = load_spec(path, FILE, previous=record)
    assert loaded.warnings == ()
    assert loaded.validated == Subtrees(loaded.document).validated()
    assert Validated.from_dict(json.loads(json.dumps(record.to_dict()))) == record
    assert Validated.from_dict({"key": 1}) is None
