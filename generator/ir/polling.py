"""Which operations get polling helpers, and what ends a run.

A GET whose 2xx JSON body is an object with a string-enum ``status`` property (directly,
through ``$ref``/``allOf``, or nullable) can be polled. Its terminal states are the status
schema's ``x-terminal-states`` list when the spec gives one, else the enum values that are
conventional final words. A POST in the same resource, one path segment above the GET
(``POST /runs`` beside ``GET /runs/{run_id}``), whose response carries the GET's path
parameter (or ``id``, or ``<singular>_id``), also gets a ``<create>_and_poll`` helper.
A pollable GET below another pollable GET (``/runs/{id}/result`` beside ``/runs/{id}``) gets
no helper of its own: the resource is polled, not its parts.
A status schema may say ``x-terminal-states: []`` to get no poll helper at all.
"""

from __future__ import annotations

from typing import Any

from generator.spec.pointer import resolve_pointer
from generator.spec.schemas import deref, object_properties

SUCCESS_WORDS = frozenset(
    {"completed", "complete", "succeeded", "success", "successful", "done", "finished"}
)
TERMINAL_WORDS = frozenset(
    {
        "completed",
        "complete",
        "succeeded",
        "success",
        "successful",
        "done",
        "finished",
        "failed",
        "failure",
        "error",
        "errored",
        "cancelled",
        "canceled",
        "expired",
        "timed_out",
        "timeout",
        "rejected",
        "aborted",
    }
)


def terminal_states(spec: dict[str, Any], response_schema: Any) -> tuple[str, ...] | None:
    """The terminal statuses of a pollable response schema, or None when it is not pollable."""
    properties, _ = object_properties(spec, response_schema)
    status = properties.get("status")
    if not isinstance(status, dict):
        return None
    declared = _find_extension(spec, status)
    if declared is not None:  # an explicit empty list says: this status never ends
        return tuple(str(v) for v in declared) or None
    values = _enum_values(spec, status)
    found = tuple(v for v in values if v.lower() in TERMINAL_WORDS)
    if len(values) < 2 or not any(v.lower() in SUCCESS_WORDS for v in found):
        return None  # a lifecycle has a way to succeed; "idle/busy/error" is not one
    return found


def _find_extension(spec: dict[str, Any], schema: Any, depth: int = 0) -> list[Any] | None:
    while isinstance(schema, dict) and depth < 32:
        depth += 1
        states = schema.get("x-terminal-states")
        if isinstance(states, list):
            return states
        if isinstance(schema.get("$ref"), str):
            try:
                schema = resolve_pointer(spec, schema["$ref"])
            except KeyError:
                return None
            continue
        for key in ("anyOf", "oneOf", "allOf"):
            for option in schema.get(key) or []:
                found = _find_extension(spec, option, depth)
                if found is not None:
                    return found
        return None
    return None


def _enum_values(spec: dict[str, Any], schema: Any) -> list[str]:
    schema = deref(spec, schema)
    values = schema.get("enum")
    if isinstance(values, list):
        return [v for v in values if isinstance(v, str)]
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key) or []:
            found = _enum_values(spec, option)
            if found:
                return found
    return []


def response_fields(spec: dict[str, Any], response_schema: Any) -> tuple[str, ...]:
    """The wire names of a response body's properties (``allOf`` members merged)."""
    return tuple(object_properties(spec, response_schema)[0])


def id_attribute(fields: tuple[str, ...], path_param: str, collection: str) -> str | None:
    """Which of a create response's ``fields`` names the run to poll (wire name), if any.

    Tried in turn: the GET's path parameter (``run_id``), ``id``, and the collection's
    singular with ``_id`` (``/runs/{id}`` -> ``run_id``).
    """
    singular = collection[:-1] if collection.endswith("s") else collection
    for candidate in (path_param, "id", f"{singular}_id"):
        if candidate in fields:
            return candidate
    return None
