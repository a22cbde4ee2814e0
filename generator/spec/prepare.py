"""Prepare: a loaded document -> the one form later stages read. Every spec rule runs here,
in this order:

1. ``normalize``: the habits of real specs rewritten into one spelling each;
2. operations named (``operation_ids``): each operation's id, from its operationId or else
   its method and path, unique; the IR names methods from it, and hoisting names inline
   request and response bodies after it, so it comes before;
3. ``hoist``: every object schema a component whose key is its class name;
4. compose (``merge_conflicting_allof``): allOf compositions whose members disagree, merged;
   it reads the hoisted names, so it comes last.
"""

from __future__ import annotations

from typing import Any

from generator import naming
from generator.naming import NameRegistry, PyIdent, to_class_name
from generator.spec.hoist import hoist
from generator.spec.normalize import merge_conflicting_allof, normalize
from generator.spec.schemas import operations


def operation_ids(spec: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Each operation's id: its operationId, or one made from method and path; unique."""
    registry = NameRegistry()
    ids: dict[tuple[str, str], str] = {}
    for path, method, operation, _ in operations(spec):
        given = operation.get("operationId")
        raw = given if isinstance(given, str) and naming.words(given) else f"{method} {path}"
        ids[(path, method)] = registry.claim(PyIdent(naming.to_snake(raw)))
    return ids


def prepare(document: dict[str, Any]) -> dict[str, Any]:
    """A loaded document in the one form later stages read, on a copy."""
    spec = normalize(document)
    names = {key: str(to_class_name(op_id)) for key, op_id in operation_ids(spec).items()}
    spec = hoist(spec, names)
    merge_conflicting_allof(spec)
    return spec
