"""Spec patterns that once failed to generate or gave a client that broke on valid data.

Each test generates a small spec into a temporary folder, imports the package and uses it:
against a real server on 127.0.0.1 where the pattern is about a call, on its models where it
is about data. Generated code passing ``mypy --strict`` is checked by ``_mypy``.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.config import Target
from generator.diagnostics import SpecError
from generator.emit.write import write_tree
from generator.workflow.pipeline import Generated, generate
from tests.support.server import LocalServer, Request, Response


def _generate(folder: Path, package: str, spec: str) -> Generated:
    path = folder / f"{package}.yaml"
    path.write_text(textwrap.dedent(spec), encoding="utf-8")
    generated = generate(path, Target(package, path.name, resources="flat"), display=path.name)
    write_tree(folder / "out" / package, generated.files, package)
    return generated


def _import(folder: Path, package: str) -> ModuleType:
    sys.path.insert(0, str(folder / "out" / package))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(folder / "out" / package))


def _mypy(folder: Path, package: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", package],
        cwd=folder / "out" / package,
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in result.stdout.splitlines() if ": error:" in line]


# -- percent-encoded JSON pointers in $ref (RFC 6901 section 6) -------------------------------

PERCENT_REFS = """
    openapi: 3.0.3
    info: {title: t, version: '1'}
    paths:
      /companies/{companyId}:
        parameters:
          - {name: companyId, in: path, required: true, schema: {type: string}}
        get:
          operationId: getCompany
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema:
                    type: object
                    properties: {name: {type: string}}
                    required: [name]
      /copies/{companyId}:
        parameters:
          - $ref: '#/paths/~1companies~1%7BcompanyId%7D/parameters/0'
        get:
          operationId: getCopy
          responses:
            '200':
              $ref: '#/paths/~1companies~1%7BcompanyId%7D/get/responses/200'
    components:
      schemas:
        Big Thing:
          type: object
          properties: {n: {type: integer}}
        Holder:
          type: object
          properties:
            thing: {$ref: '#/components/schemas/Big%20Thing'}
"""


def test_percent_encoded_pointers_resolve(tmp_path: Path) -> None:
    generated = _generate(tmp_path, "pct_refs", PERCENT_REFS)
    assert not [d for d in generated.diagnostics if "reference" in d.message]
    package: Any = _import(tmp_path, "pct_refs")
    holder = package.models.Holder.model_validate({"thing": {"n": 3}})
    assert type(holder.thing).__name__ == "BigThing" and holder.thing.n == 3

    def handler(request: Request) -> Response:
        return Response(json={"name": request.path.rsplit("/", 1)[-1]})

    with LocalServer(handler) as server, package.Client("k", base_url=server.url) as client:
        copy = client.get_copy("acme")
        assert copy.name == "acme"
        assert server.requests[0].path == "/copies/acme"


def test_percent_encoded_pointer_to_nothing_is_a_located_error(tmp_path: Path) -> None:
    spec = PERCENT_REFS.replace("Big%20Thing", "Big%20Nothing")
    with pytest.raises(SpecError) as caught:
        _generate(tmp_path, "pct_missing", spec)
    (problem,) = caught.value.diagnostics
    assert problem.file == "pct_missing.yaml"
    assert problem.pointer == "#/components/schemas/Holder/properties/thing/$ref"
    assert "unresolvable reference" in problem.message


HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"

# -- documents without paths ------------------------------------------------------------------

MODELS_ONLY = """
    openapi: {version}
    info: {{title: t, version: '1'}}
    components:
      schemas:
        Pet:
          type: object
          properties: {{name: {{type: string}}}}
          required: [name]
"""


@pytest.mark.parametrize("version", ["3.1.0", "3.0.3"])
def test_a_document_without_paths_gives_a_models_only_package(tmp_path: Path, version: str) -> None:
    package_name = "models_only_" + version.replace(".", "")
    generated = _generate(tmp_path, package_name, MODELS_ONLY.format(version=version))
    assert generated.api.operation_count == 0
    warnings = [(d.pointer, d.message) for d in generated.diagnostics]
    # 3.0 requires `paths`: read as none, with the validator's warning
    assert warnings == ([] if version == "3.1.0" else [("#", "missing required key 'paths'")])
    package: Any = _import(tmp_path, package_name)
    assert package.models.Pet.model_validate({"name": "Rex"}).name == "Rex"
    with package.Client("k", base_url="http://127.0.0.1:9") as client:
        assert not [m for m in vars(type(client)) if m.startswith("get")]
    assert _mypy(tmp_path, package_name) == []


def test_webhooks_alone_are_a_document(tmp_path: Path) -> None:
    spec = """
        openapi: 3.1.0
        info: {title: t, version: '1'}
        webhooks:
          petAdded:
            post:
              requestBody:
                content:
                  application/json:
                    schema: {type: object, properties: {id: {type: string}}}
              responses: {'200': {description: ok}}
    """
    generated = _generate(tmp_path, "webhooks_only", spec)
    assert generated.api.operation_count == 0


def test_a_31_document_with_nothing_in_it_says_what_it_needs(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        _generate(tmp_path, "empty31", HEAD)
    (problem,) = caught.value.diagnostics
    assert (problem.file, problem.pointer) == ("empty31.yaml", "#")
    assert problem.message == (
        "an OpenAPI 3.1 document needs at least one of `paths`, `components` or `webhooks`"
    )


def test_paths_that_are_not_a_mapping_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        _generate(tmp_path, "bad_paths", HEAD + "paths: []\n")
    (problem,) = caught.value.diagnostics
    assert (problem.pointer, problem.message) == ("#/paths", "not a mapping: `paths`")


# -- boolean schemas --------------------------------------------------------------------------

BOOLEAN_SCHEMAS = """
    openapi: 3.1.0
    info: {title: t, version: '1'}
    paths:
      /things:
        get:
          operationId: getThing
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Thing'}
    components:
      schemas:
        Anything: true
        Thing:
          type: object
          required: [id, gone]
          properties:
            id: {allOf: [true, {type: string}]}
            any: true
            gone: false
            either: {anyOf: [false, {type: integer}]}
            one: {oneOf: [{type: string}, false]}
            tags: {type: array, items: true}
            pair: {type: array, prefixItems: [{type: string}, true], items: false}
            never: {allOf: [false, {type: object}], description: admits nothing}
            ref: {$ref: '#/components/schemas/Anything'}
"""


def test_boolean_schemas_anywhere_generate_and_validate(tmp_path: Path) -> None:
    _generate(tmp_path, "bool_schemas", BOOLEAN_SCHEMAS)
    package: Any = _import(tmp_path, "bool_schemas")
    thing = package.models.Thing.model_validate(
        {"id": "a", "any": [1], "either": 2, "one": "x", "tags": [1, "b"], "pair": ["a", 2]}
    )
    assert (thing.id, thing.either, thing.one, thing.pair) == ("a", 2, "x", ["a", 2])
    assert "gone" not in package.models.Thing.model_fields
    with pytest.raises(ValueError):
        package.models.Thing.model_validate({"id": "a", "either": "not an integer"})

    def handler(request: Request) -> Response:
        return Response(json={"id": "t1", "ref": {"free": True}})

    with LocalServer(handler) as server, package.Client("k", base_url=server.url) as client:
        assert client.get_thing().id == "t1"
    assert _mypy(tmp_path, "bool_schemas") == []


# -- allOf: [{$ref: <string enum>}, {description: ...}] ---------------------------------------

ENUM_ALLOF = """
    openapi: 3.0.3
    info: {title: t, version: '1'}
    paths:
      /runs/{id}:
        get:
          operationId: getRun
          parameters: [{name: id, in: path, required: true, schema: {type: string}}]
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Run'}
    components:
      schemas:
        Status:
          type: string
          enum: [queued, running, done]
        Run:
          type: object
          required: [status]
          properties:
            status:
              allOf:
                - $ref: '#/components/schemas/Status'
                - description: Where the run is.
            previous:
              allOf:
                - $ref: '#/components/schemas/Status'
                - description: Where it was.
              nullable: true
"""


def test_an_enum_reference_with_a_description_member_is_the_enum(tmp_path: Path) -> None:
    generated = _generate(tmp_path, "enum_allof", ENUM_ALLOF)
    assert set(generated.api.model_names) == {"Run", "Status"}
    source = next(v for k, v in generated.files.items() if k.endswith("models/_run.py")).decode()
    assert "status: Status\n" in source and "Where the run is." in source
    package: Any = _import(tmp_path, "enum_allof")

    def handler(request: Request) -> Response:
        return Response(json={"status": "running", "previous": None})

    with LocalServer(handler) as server, package.Client("k", base_url=server.url) as client:
        run = client.get_run("r1")
    assert (run.status, run.previous) == ("running", None)
    assert _mypy(tmp_path, "enum_allof") == []


# -- models complete across the lazily imported model modules ---------------------------------

LATE_ALIAS = """
    openapi: 3.1.0
    info: {title: t, version: '1'}
    components:
      schemas:
        Named:
          type: object
          properties:
            nickname:
              allOf: [{type: string}, {maxLength: 8}]
        Described:
          allOf:
            - $ref: '#/components/schemas/Named'
            - description: A named object with a description.
        Pet:
          allOf:
            - $ref: '#/components/schemas/Named'
            - type: object
              properties: {age: {type: integer}}
        Cat:
          allOf: [{$ref: '#/components/schemas/Pet'}]
"""


def test_subclasses_in_other_modules_validate_without_a_rebuild(tmp_path: Path) -> None:
    """``Named`` reads an alias its module defines after it; ``Described`` and ``Pet`` live
    in other modules. Each validates as first thing done with it, in a fresh interpreter."""
    _generate(tmp_path, "late_alias", LATE_ALIAS)
    script = textwrap.dedent(
        """
        import sys
        from pydantic import TypeAdapter
        from late_alias import models
        name = sys.argv[1]
        model = getattr(models, name)
        value = {"nickname": "Rex", "age": 3}
        if isinstance(model, type):
            print(model.model_validate(value).nickname)
        else:
            print(TypeAdapter(model).validate_python(value).nickname)
        """
    )
    for name in ("Described", "Pet", "Cat", "Named"):
        result = subprocess.run(
            [sys.executable, "-c", script, name],
            cwd=tmp_path / "out" / "late_alias",
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{name}: {result.stderr[-800:]}"
        assert result.stdout.strip() == "Rex"


# -- Content-Type among a response's headers "SHALL be ignored" -------------------------------


def test_a_content_type_response_header_is_ignored_with_its_reference(tmp_path: Path) -> None:
    spec = """
        openapi: 3.1.0
        info: {title: t, version: '1'}
        paths:
          /upload:
            get:
              operationId: getUpload
              responses:
                '200':
                  description: ok
                  headers:
                    Content-Type: {$ref: 'missing.yaml#/components/headers/ContentType'}
                    X-Rate: {schema: {type: integer}}
                  content:
                    application/json:
                      schema: {type: object, properties: {size: {type: integer}}}
    """
    generated = _generate(tmp_path, "ignored_header", spec)
    assert generated.api.operation_count == 1
    package: Any = _import(tmp_path, "ignored_header")
    with (
        LocalServer(lambda request: Response(json={"size": 3})) as server,
        package.Client("k", base_url=server.url) as client,
    ):
        assert client.get_upload().size == 3


# -- patterns that are not ECMA-262 regular expressions ---------------------------------------

PYTHON_PATTERNS = """
    openapi: 3.1.0
    info: {title: t, version: '1'}
    paths: {}
    components:
      schemas:
        Doubled: {type: string, pattern: '^(a)\\1$'}
        Info:
          type: object
          properties:
            pair: {type: string, pattern: '^(?P<letter>[a-z])(?P=letter)$'}
            doubled: {$ref: '#/components/schemas/Doubled'}
          patternProperties:
            '(?i)^x-': {type: string}
"""


def test_a_pattern_written_for_python_is_a_warning_at_its_pointer(tmp_path: Path) -> None:
    """An ECMA-262 backreference is fine; Python's named groups and inline flags are not
    ECMA-262, each gets a warning where it is written, and the package still imports."""
    generated = _generate(tmp_path, "python_patterns", PYTHON_PATTERNS)
    found = sorted((d.level, d.pointer, d.message) for d in generated.diagnostics)
    assert found == [
        (
            "warning",
            "#/components/schemas/Info/patternProperties/(?i)^x-",
            "'(?i)^x-' is not an ECMA-262 regular expression, as OpenAPI requires",
        ),
        (
            "warning",
            "#/components/schemas/Info/properties/pair/pattern",
            "'^(?P<letter>[a-z])(?P=letter)$' is not an ECMA-262 regular expression, "
            "as OpenAPI requires",
        ),
    ]
    models = _import(tmp_path, "python_patterns").models
    assert models.Info.model_validate({"pair": "ab", "doubled": "aa"}).pair == "ab"


# -- YAML keys that are not strings -------------------------------------------------------------

UNQUOTED_KEYS = """
    openapi: 3.0.3
    info: {title: t, version: '1'}
    paths: {}
    x-shared:
      responses:
        200: {type: object, properties: {a: {type: integer}}}
    components:
      schemas:
        Ok: {$ref: '#/x-shared/responses/200'}
        Yes: {type: object, properties: {on: {type: boolean}}}
"""


def test_unquoted_yaml_keys_are_their_text_for_clientgen_and_the_corpus_rule(
    tmp_path: Path,
) -> None:
    """``200:`` and ``Yes:`` are the strings written (OpenAPI limits YAML keys to the
    Failsafe schema's strings), both for clientgen and for the rule that sorts the peer
    corpus into valid and invalid documents; a pointer through ``200`` resolves and a schema
    named ``Yes`` is a model."""
    from generator.spec.read import read_document
    from tests.support.peer_corpus import load_yaml

    path = tmp_path / "keys.yaml"
    path.write_text(textwrap.dedent(UNQUOTED_KEYS), encoding="utf-8")
    assert load_yaml(path.read_text()) == read_document(path, path.name)
    generated = _generate(tmp_path, "unquoted_keys", UNQUOTED_KEYS)
    assert not generated.diagnostics
    models = _import(tmp_path, "unquoted_keys").models
    assert "Ok" in models.__all__
    assert models.Yes.model_validate({"on": True}).on is True


# -- $anchor references (JSON Schema 2020-12 section 8.2.2) -------------------------------------

ANCHOR_API = """
    openapi: 3.1.0
    info: {title: t, version: '1'}
    paths:
      /notes:
        post:
          requestBody: {$ref: body.yaml}
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema: {$ref: '#tag'}
    components:
      schemas:
        Tag: {$anchor: tag, type: object, properties: {label: {type: string}}}
        Box:
          $id: https://example.com/box.json
          type: object
          properties:
            item: {$ref: '#tag'}
          $defs:
            tag: {$anchor: tag, type: integer}
        Size: {$ref: 'body.yaml#size'}
"""

ANCHOR_BODY = """
    content:
      application/json:
        schema:
          type: object
          properties:
            title: {$anchor: title, type: string}
            subtitle: {$ref: '#title'}
            size: {$anchor: size, type: integer}
"""


def test_anchor_references_resolve_in_their_schema_resource(tmp_path: Path) -> None:
    """``#tag`` names the schema whose ``$anchor`` is ``tag`` in the same resource: the file,
    or inside a schema with an ``$id`` that schema (where ``tag`` is another schema); a file
    referred to resolves its own anchors, and ``file#name`` names one of them."""
    (tmp_path / "body.yaml").write_text(textwrap.dedent(ANCHOR_BODY), encoding="utf-8")
    generated = _generate(tmp_path, "anchors", ANCHOR_API)
    assert not [d for d in generated.diagnostics if d.level == "error"]
    package: Any = _import(tmp_path, "anchors")
    models = package.models
    assert models.Box.model_validate({"item": 3}).item == 3
    with pytest.raises(ValueError):
        models.Box.model_validate({"item": {"label": "x"}})

    def handler(request: Request) -> Response:
        return Response(json={"label": request.json()["subtitle"]})

    with LocalServer(handler) as server, package.Client("k", base_url=server.url) as client:
        note = client.post_notes(title="a", subtitle="b", size=1)
        assert type(note).__name__ == "Tag" and note.label == "b"
        assert server.requests[0].json() == {"title": "a", "subtitle": "b", "size": 1}
    assert _mypy(tmp_path, "anchors") == []


def test_an_anchor_no_resource_declares_is_a_located_error(tmp_path: Path) -> None:
    spec = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
    spec += "components: {schemas: {A: {$anchor: a, type: string}, B: {$ref: '#b'}}}\n"
    path = tmp_path / "missing.yaml"
    path.write_text(spec, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        generate(path, Target("missing", path.name), display=path.name)
    assert [(d.pointer, d.message) for d in caught.value.diagnostics] == [
        ("#/components/schemas/B/$ref", "unresolvable reference '#b'")
    ]


# -- a method named like a builtin: the class's annotations say builtins.<name> -------------

BUILTIN_METHODS = """
    openapi: 3.1.0
    info: {title: t, version: '1'}
    paths:
      /things:
        get:
          operationId: list
          parameters:
            - name: kind
              in: query
              schema: {type: string, enum: [list, dict, str]}
            - name: tags
              in: query
              schema: {type: array, items: {type: string}}
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema: {type: array, items: {type: string, enum: [list, dict]}}
      /things/{id}:
        get:
          operationId: dict
          parameters:
            - {name: id, in: path, required: true, schema: {type: string}}
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema: {type: object, additionalProperties: {type: string}}
"""


def test_a_builtin_shadowed_by_a_method_is_qualified_but_never_inside_a_literal(
    tmp_path: Path,
) -> None:
    _generate(tmp_path, "shadowing", BUILTIN_METHODS)
    source = (tmp_path / "out" / "shadowing" / "shadowing" / "client.py").read_text()
    assert 'kind: Literal["list", "dict", "str"] | str | NotGiven' in source
    assert "tags: builtins.list[str] | NotGiven" in source
    assert '-> builtins.list[Literal["list", "dict"] | str]:' in source
    assert "-> builtins.dict[str, str]:" in source
    assert '"builtins.' not in source
    assert _mypy(tmp_path, "shadowing") == []
    package: Any = _import(tmp_path, "shadowing")

    def handler(request: Request) -> Response:
        if request.path == "/things":
            return Response(json=["list", "dict"])
        return Response(json={"id": request.path.rsplit("/", 1)[-1]})

    with LocalServer(handler) as server, package.Client("k", base_url=server.url) as client:
        assert client.list(kind="list", tags=["a"]) == ["list", "dict"]
        assert client.dict("t1") == {"id": "t1"}
        assert server.requests[0].query == {"kind": ["list"], "tags": ["a"]}


# -- references into paths and into components other than schemas ----------------------------

DEEP_REFS = """
    openapi: 3.0.3
    info: {title: t, version: '1'}
    paths:
      /a:
        get:
          operationId: getA
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema:
                    type: object
                    properties: {n: {type: integer}}
                    required: [n]
      /b:
        get:
          operationId: getB
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema:
                    $ref: '#/paths/~1a/get/responses/200/content/application~1json/schema'
            '404':
              $ref: '#/components/responses/NotFound'
    components:
      responses:
        NotFound:
          description: no such thing
          content:
            application/json:
              schema:
                type: object
                properties: {message: {type: string}}
                required: [message]
      schemas:
        Holder:
          type: object
          properties:
            missing: {$ref: '#/components/responses/NotFound/content/application~1json/schema'}
            status: {$ref: '#/components/schemas/Holder/properties/state'}
            state: {type: string, enum: [queued, done]}
"""


def test_references_into_paths_and_components_name_their_models(tmp_path: Path) -> None:
    generated = _generate(tmp_path, "deep_refs", DEEP_REFS)
    assert set(generated.api.model_names) == {"GetAResponse", "Holder", "NotFoundResponse"}
    assert _mypy(tmp_path, "deep_refs") == []
    package: Any = _import(tmp_path, "deep_refs")
    holder = package.models.Holder.model_validate({"missing": {"message": "m"}, "status": "done"})
    assert isinstance(holder.missing, package.models.NotFoundResponse)
    assert holder.status == "done"

    answers = [Response(json={"n": 2}), Response(status=404, json={"message": "gone"})]

    with (
        LocalServer(lambda request: answers.pop(0)) as server,
        package.Client("k", base_url=server.url, max_retries=0) as client,
    ):
        found = client.get_b()
        assert isinstance(found, package.models.GetAResponse) and found.n == 2
        with pytest.raises(package.NotFoundError) as caught:
            client.get_b()
        assert isinstance(caught.value.body, package.models.NotFoundResponse)
        assert caught.value.body.message == "gone"


PARAMETER_NAMED_LIST = """
    openapi: 3.0.3
    info: {title: t, version: '1'}
    paths:
      /things:
        post:
          operationId: createThing
          parameters:
            - {name: list, in: query, schema: {type: string}}
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema: {type: array, items: {type: string}}
            '400':
              description: bad
              content:
                application/json:
                  schema: {type: array, items: {type: string}}
"""


def test_a_parameter_named_like_a_builtin_leaves_the_types_of_the_method_body_alone(
    tmp_path: Path,
) -> None:
    """The return and error types are read in the method body, where ``list`` is the
    argument."""
    _generate(tmp_path, "param_list", PARAMETER_NAMED_LIST)
    assert _mypy(tmp_path, "param_list") == []
    package: Any = _import(tmp_path, "param_list")
    answers = [Response(json=["a"]), Response(status=400, json=["bad"])]
    with (
        LocalServer(lambda request: answers.pop(0)) as server,
        package.Client("k", base_url=server.url, max_retries=0) as client,
    ):
        assert client.create_thing(list="x") == ["a"]
        with pytest.raises(package.BadRequestError) as caught:
            client.create_thing(list="y")
        assert caught.value.body == ["bad"]
        assert [r.query for r in server.requests] == [{"list": ["x"]}, {"list": ["y"]}]
