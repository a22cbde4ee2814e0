"""generator.ir.polling: which responses can be polled, what ends a run, what names the run."""

from __future__ import annotations

from typing import Any

import pytest

from generator.ir.polling import id_attribute, response_fields, terminal_states

LIFECYCLE = {"type": "string", "enum": ["queued", "running", "completed", "failed", "cancelled"]}
SPEC: dict[str, Any] = {
    "components": {
        "schemas": {
            "Status": LIFECYCLE,
            "DeclaredStatus": {
                "type": "string",
                "enum": ["queued", "running", "needs_input", "done"],
                "x-terminal-states": ["done", "needs_input"],
            },
            "Run": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "status": {"$ref": "#/components/schemas/Status"},
                },
            },
            "Base": {
                "type": "object",
                "properties": {"status": {"$ref": "#/components/schemas/DeclaredStatus"}},
            },
            "Child": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"type": "object", "properties": {"run_id": {"type": "string"}}},
                ]
            },
        }
    }
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def with_status(status: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"status": status}}


# -- terminal_states --------------------------------------------------------------------------


def test_usual_words_are_terminal_in_enum_order() -> None:
    assert terminal_states(SPEC, with_status(LIFECYCLE)) == ("completed", "failed", "cancelled")


def test_usual_words_match_case_insensitively_and_keep_the_spec_spelling() -> None:
    status = {"type": "string", "enum": ["Running", "Succeeded", "FAILED"]}
    assert terminal_states(SPEC, with_status(status)) == ("Succeeded", "FAILED")


def test_x_terminal_states_wins_over_the_words() -> None:
    status = {**LIFECYCLE, "x-terminal-states": ["completed"]}
    assert terminal_states(SPEC, with_status(status)) == ("completed",)


def test_x_terminal_states_may_name_unusual_words() -> None:
    assert terminal_states(SPEC, with_status(ref("DeclaredStatus"))) == ("done", "needs_input")


def test_x_terminal_states_beside_a_ref() -> None:
    status = {**ref("Status"), "x-terminal-states": ["failed"]}
    assert terminal_states(SPEC, with_status(status)) == ("failed",)


def test_empty_x_terminal_states_means_no_polling() -> None:
    status = {**LIFECYCLE, "x-terminal-states": []}
    assert terminal_states(SPEC, with_status(status)) is None


def test_no_success_word_means_no_polling() -> None:
    status = {"type": "string", "enum": ["idle", "busy", "error"]}
    assert terminal_states(SPEC, with_status(status)) is None


def test_single_value_status_is_not_a_lifecycle() -> None:
    assert terminal_states(SPEC, with_status({"type": "string", "enum": ["done"]})) is None


def test_status_without_enum_is_not_pollable() -> None:
    assert terminal_states(SPEC, with_status({"type": "string"})) is None


def test_no_status_property_is_not_pollable() -> None:
    assert terminal_states(SPEC, {"type": "object", "properties": {"state": LIFECYCLE}}) is None


def test_non_object_response_is_not_pollable() -> None:
    assert terminal_states(SPEC, {"type": "array", "items": ref("Run")}) is None
    assert terminal_states(SPEC, None) is None


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(ref("Run"), id="response-ref"),
        pytest.param({"anyOf": [ref("Run"), {"type": "null"}]}, id="nullable-response"),
        pytest.param({"allOf": [ref("Run")]}, id="allof-response"),
        pytest.param(with_status(ref("Status")), id="status-ref"),
        pytest.param(with_status({"allOf": [ref("Status")]}), id="status-allof"),
        pytest.param(
            with_status({"anyOf": [ref("Status"), {"type": "null"}]}), id="status-nullable"
        ),
        pytest.param(
            with_status({"anyOf": [LIFECYCLE, {"type": "string"}]}), id="status-open-enum"
        ),
    ],
)
def test_status_is_found_through_refs_allof_and_nullability(response: Any) -> None:
    assert terminal_states(SPEC, response) == ("completed", "failed", "cancelled")


def test_status_inherited_through_allof_composition() -> None:
    assert terminal_states(SPEC, ref("Child")) == ("done", "needs_input")


def test_dangling_ref_is_not_pollable() -> None:
    assert terminal_states(SPEC, ref("Missing")) is None


# -- id_attribute -----------------------------------------------------------------------------


def test_id_attribute_prefers_the_path_parameter() -> None:
    response = {"type": "object", "properties": {"id": {}, "run_id": {}}}
    assert id_attribute(response_fields(SPEC, response), "run_id", "runs") == "run_id"


def test_id_attribute_falls_back_to_id() -> None:
    assert id_attribute(response_fields(SPEC, ref("Run")), "run_id", "runs") == "id"


def test_id_attribute_falls_back_to_singular_collection_id() -> None:
    response = {"type": "object", "properties": {"job_id": {}}}
    assert id_attribute(response_fields(SPEC, response), "id", "jobs") == "job_id"


def test_id_attribute_through_allof() -> None:
    assert id_attribute(response_fields(SPEC, ref("Child")), "run_id", "runs") == "run_id"


def test_id_attribute_none_when_nothing_names_the_run() -> None:
    response = {"type": "object", "properties": {"name": {}}}
    assert id_attribute(response_fields(SPEC, response), "run_id", "runs") is None
