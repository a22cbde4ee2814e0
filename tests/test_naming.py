"""generator.naming: every name that reaches generated code is a safe, readable identifier."""

from __future__ import annotations

import builtins
import keyword

import pytest

from generator.config import Target
from generator.ir.build import build_ir
from generator.naming import (
    CLIENT_PARAMETERS,
    RESERVED_MODULE_NAMES,
    TEMPLATE_BUILTINS,
    NameRegistry,
    PyIdent,
    field_names,
    keyword_names,
    to_class_name,
    to_field_name,
    to_identifier,
    to_method_name,
    to_snake,
    words,
)

HOSTILE = [
    "class",
    "match",
    "case",
    "_",
    "type",
    "list",
    "2fa",
    "",
    "   ",
    "ünïcode",
    "中文",
    "fooBar",
    "my-field",
    "Task Runs",
    "a.b/c",
    "__init__",
    "None",
    "True",
    "$ref",
    "-",
    "1",
]


# -- words and snake case ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("camelCase", ["camel", "case"]),
        ("PascalCase", ["pascal", "case"]),
        ("HTTPServerError", ["http", "server", "error"]),
        ("getHTTPResponse", ["get", "http", "response"]),
        ("kebab-case-name", ["kebab", "case", "name"]),
        ("Task Runs", ["task", "runs"]),
        ("dotted.name", ["dotted", "name"]),
        ("snake_case", ["snake", "case"]),
        ("v2Items", ["v2", "items"]),
        ("ünïcode", ["unicode"]),
        ("", []),
        ("---", []),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_to_snake() -> None:
    assert to_snake("createTaskRun") == "create_task_run"
    assert to_snake("Task Runs") == "task_runs"


# -- identifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("class", "class_"),
        ("from", "from_"),
        ("import", "import_"),
        ("None", "none"),
        ("match", "match"),  # soft keywords are valid names, kept as they are
        ("case", "case"),
        ("_", "field"),
        ("2fa", "field_2fa"),
        ("", "field"),
        ("中文", "field"),
        ("ünïcode", "unicode"),
        ("my-field", "my_field"),
        ("fooBar", "foo_bar"),
        ("foo bar", "foo_bar"),
        ("foo__bar", "foo_bar"),
        ("HTTPServer", "http_server"),
        ("__init__", "init"),
    ],
)
def test_to_identifier(text: str, expected: str) -> None:
    assert to_identifier(text) == expected


def test_identifiers_do_not_depend_on_the_python_version(monkeypatch: pytest.MonkeyPatch) -> None:
    names = []
    for soft in ({"_", "case", "match"}, {"_", "case", "match", "type"}):  # 3.10/3.11, 3.12+
        monkeypatch.setattr(keyword, "issoftkeyword", soft.__contains__)
        names.append([to_identifier(t) for t in ("type", "match", "case", "_")])
    assert names[0] == names[1]


def test_to_identifier_reserved_names_get_a_trailing_underscore() -> None:
    assert to_identifier("timeout", CLIENT_PARAMETERS) == "timeout_"
    assert to_identifier("extra_headers", CLIENT_PARAMETERS) == "extra_headers_"
    assert to_identifier("self", CLIENT_PARAMETERS) == "self_"
    assert to_identifier("timeout") == "timeout"


@pytest.mark.parametrize("text", HOSTILE)
def test_to_identifier_is_always_a_safe_identifier(text: str) -> None:
    name = to_identifier(text, CLIENT_PARAMETERS)
    assert name.isidentifier() and name.isascii()
    assert not keyword.iskeyword(name)
    assert name not in CLIENT_PARAMETERS


# -- class names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("task-run", "TaskRun"),
        ("task_run", "TaskRun"),
        ("task run", "TaskRun"),
        ("taskRun", "TaskRun"),
        ("HTTPValidationError", "HTTPValidationError"),  # kept as written
        ("Error_2", "Error2"),
        ("str", "Str"),
        ("Str", "Str"),
        ("list", "ListModel"),
        ("List", "ListModel"),
        ("Exception", "ExceptionModel"),
        ("BaseModel", "BaseModelModel"),
        ("Field", "FieldModel"),
        ("Any", "AnyModel"),
        ("Literal", "LiteralModel"),
        ("datetime", "Datetime"),
        ("Client", "ClientModel"),
        ("Model", "ModelModel"),
        ("None", "NoneModel"),
        ("True", "TrueModel"),
        ("2fa", "Model2fa"),
        ("ünïcode", "Unicode"),
        ("__Dunder__", "Dunder"),
    ],
)
def test_to_class_name(text: str, expected: str) -> None:
    assert to_class_name(text) == expected


@pytest.mark.parametrize("text", HOSTILE)
def test_to_class_name_is_always_a_safe_identifier(text: str) -> None:
    name = to_class_name(text)
    assert name.isidentifier() and name.isascii() and name[0].isupper()
    assert not keyword.iskeyword(name)
    assert name not in dir(builtins)


@pytest.mark.parametrize("text", ["", "中文", "_"])
def test_to_class_name_fallback_reads_well(text: str) -> None:
    assert to_class_name(text) != "ModelModel"


# -- method names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation_id", "resource", "expected"),
    [
        ("retrieveTaskRun", "Task Runs", "retrieve"),  # singular form of the resource
        ("listTaskRuns", "Task Runs", "list"),  # plural form
        ("createTaskRun", "Task Runs", "create"),
        ("getCategory", "categories", "get"),  # -ies -> -y
        ("listCategories", "categories", "list"),
        ("getAddress", "address", "get"),  # -ss is not a plural
        ("repos/get-content", "repos", "get_content"),
        ("repos/get-content", "", "get_content"),
        ("getRepo", "repos", "get"),
        ("get_runs_run", "runs", "get_run"),  # only one occurrence is removed
        ("cancel", "runs", "cancel"),
        ("TaskRuns", "Task Runs", "task_runs"),  # nothing would be left: words kept
        ("taskRun", "Task Runs", "task_run"),
        ("runs", "runs", "runs"),
        ("timeout", "", "timeout_"),  # a client parameter
        ("class", "", "class_"),
        ("2fa", "", "field_2fa"),
    ],
)
def test_to_method_name(operation_id: str, resource: str, expected: str) -> None:
    assert to_method_name(operation_id, words(resource)) == expected


# -- registries -------------------------------------------------------------------------------


def test_registry_suffixes_clashes_in_claim_order() -> None:
    registry = NameRegistry()
    claimed = [registry.claim(PyIdent(n)) for n in ("name", "name", "name", "other")]
    assert claimed == ["name", "name_2", "name_3", "other"]


def test_registry_skips_taken_suffixes() -> None:
    registry = NameRegistry()
    assert [registry.claim(PyIdent(n)) for n in ("a_2", "a", "a")] == ["a_2", "a", "a_3"]


def test_registry_reserved_names_are_taken_from_the_start() -> None:
    registry = NameRegistry(frozenset({"copy"}))
    assert registry.claim(PyIdent("copy")) == "copy_2"


def test_registry_distinct_wire_names_that_sanitize_alike() -> None:
    registry = NameRegistry()
    names = [registry.claim(to_identifier(w)) for w in ("foo-bar", "foo_bar", "fooBar")]
    assert names == ["foo_bar", "foo_bar_2", "foo_bar_3"]


def test_registry_suffix_after_trailing_underscore() -> None:
    registry = NameRegistry()
    assert [registry.claim(to_identifier("class")) for _ in range(2)] == ["class_", "class_2"]


def test_registry_class_names_take_bare_suffixes() -> None:
    registry = NameRegistry()
    claimed = [registry.claim_class(PyIdent(n)) for n in ("Error", "Error", "Error", "Other")]
    assert claimed == ["Error", "Error2", "Error3", "Other"]


def test_registry_scopes_are_independent() -> None:
    first, second = NameRegistry(), NameRegistry()
    assert first.claim(PyIdent("x")) == second.claim(PyIdent("x")) == "x"


# -- model fields -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("model_config", "model_config_"),
        ("json", "json_"),
        ("to_dict", "to_dict_"),  # the runtime Model's own methods
        ("to_json", "to_json_"),
        ("copy", "copy_"),
        ("schema", "schema_"),
        ("dict", "dict_"),
        ("validate", "validate_"),
        ("str", "str_"),
        ("list", "list_"),
        ("model_dump", "field_model_dump"),  # pydantic refuses its protected namespaces
        ("model_dump_json", "field_model_dump_json"),
        ("modelValidateX", "field_model_validate_x"),
        ("model_id", "model_id"),
        ("fields", "fields"),  # no attribute of pydantic v2's BaseModel
        ("type", "type"),
        ("object", "object"),
        ("self", "self"),
        ("timeout", "timeout"),
        ("__class__", "class_"),
        ("__init__", "init"),
        ("", "field"),
        ("2fa", "field_2fa"),
        ("ünïcode", "unicode"),
        ("runId", "run_id"),
    ],
)
def test_to_field_name(text: str, expected: str) -> None:
    assert to_field_name(text) == expected


@pytest.mark.parametrize("text", [*HOSTILE, "model_config", "model_dump", "json", "__dict__"])
def test_field_names_are_safe_attributes(text: str) -> None:
    from pydantic import BaseModel

    name = to_field_name(text)
    assert name.isidentifier() and name.isascii() and not name.startswith("_")
    assert not keyword.iskeyword(name) and not hasattr(BaseModel, name)


def test_a_wire_name_that_is_already_a_name_keeps_it_whatever_the_order() -> None:
    for wires in (["foo-bar", "foo_bar", "fooBar"], ["foo_bar", "fooBar", "foo-bar"]):
        names = field_names(wires)
        assert names["foo_bar"] == "foo_bar"
        assert sorted(names.values()) == ["foo_bar", "foo_bar_2", "foo_bar_3"]
        assert list(names) == wires


def test_no_field_is_named_like_another_fields_wire_name() -> None:
    wires = ["ünïcode", "unicode", "a b", "a_b_2", "a-b", "json", "json_"]
    names = field_names(wires)
    for wire, name in names.items():
        assert name not in set(wires) - {wire}, (wire, name)
    assert len(set(names.values())) == len(wires)


def test_a_subclass_keeps_inherited_field_names() -> None:
    parent = field_names(["x", "foo-bar"])
    child = field_names(["foo_bar", "x", "own"], parent)
    assert child == {"x": "x", "foo-bar": "foo_bar", "foo_bar": "foo_bar_2", "own": "own"}


def test_body_keywords_are_named_like_model_fields() -> None:
    wires = ["foo-bar", "foo_bar", "json", "timeout", "self", "ünïcode"]
    keywords, fields = keyword_names(wires), field_names(wires)
    assert keywords == {
        "foo-bar": "foo_bar_2",
        "foo_bar": "foo_bar",
        "json": "json",
        "timeout": "timeout_",
        "self": "self_",
        "ünïcode": "unicode",
    }
    assert {w: n.rstrip("_") for w, n in keywords.items() if w not in ("self", "timeout")} == {
        w: n.rstrip("_") for w, n in fields.items() if w not in ("self", "timeout")
    }


@pytest.mark.parametrize("name", sorted(TEMPLATE_BUILTINS))
def test_methods_do_not_shadow_the_builtins_templates_annotate_with(name: str) -> None:
    assert to_method_name(name, []) == f"{name}_"


@pytest.mark.parametrize("name", ["builtins", "datetime", "raw", "poller", "cast"])
def test_parameters_do_not_shadow_what_a_method_body_reads(name: str) -> None:
    assert to_identifier(name, CLIENT_PARAMETERS) == f"{name}_"


def _resource_modules(tags: list[str]) -> dict[str, str]:
    """attr -> module of the resources a spec with one operation per tag gets."""
    paths = {
        f"/op{index}": {
            "get": {
                "operationId": f"op{index}",
                "tags": [tag],
                "responses": {"204": {"description": "ok"}},
            }
        }
        for index, tag in enumerate(tags)
    }
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    api, _ = build_ir(spec, Target("pkg", "spec.yaml"), "spec.yaml")
    return {r.attr: r.module for r in api.resources}


def test_a_resource_module_is_named_as_its_attribute() -> None:
    assert _resource_modules(["Task Runs", "__init__", "__class__"]) == {
        "class_": "class_",
        "init": "init",
        "task_runs": "task_runs",
    }


def test_resource_modules_are_valid_unique_file_names() -> None:
    tags = ["CON", "con", "Con 2", "nul", "COM1", "lpt9", "aux", "prn", "__main__", "_base"]
    modules = list(_resource_modules(tags).values())
    assert len(set(modules)) == len(modules)
    for module in modules:
        assert module.isidentifier() and module.islower() and not module.startswith("_")
        assert module not in RESERVED_MODULE_NAMES
