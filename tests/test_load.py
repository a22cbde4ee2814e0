"""The load stage on its own: reading (generator.spec.read), bundling, $ref checks, validation.

The CLI-level snapshots of bad specs are in tests/invalid (see test_cli.py); these tests pin
what those cannot: JSON input, limits (size, depth, alias expansion) and how fast they stop
a document, YAML semantics kept from PyYAML, multi-file bundling, and the validator's
messages and pointers.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.diagnostics import SpecError
from generator.spec import read as document
from generator.spec.load import is_schema_position, load_spec
from generator.spec.read import MAX_DEPTH, MAX_VALUES, read_document
from generator.spec.validate import MESSAGE_LIMIT, validate
from tests.support.corpus import GITHUB as GITHUB_PACKAGE
from tests.support.corpus import CorpusUnavailable, install

ROOT = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def failure(path: Path, reader: Any = read_document) -> str:
    with pytest.raises(SpecError) as caught:
        reader(path, path.name)
    (diagnostic,) = caught.value.diagnostics
    return f"{diagnostic.pointer}: {diagnostic.message}"


# -- JSON -------------------------------------------------------------------------------------


def test_json_duplicate_key_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.json", '{"paths": {"/a": {"get": {}, "get": {}}}}')
    assert failure(path) == "#/paths/~1a/get: duplicate key 'get'"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_non_finite_numbers_are_refused(tmp_path: Path, constant: str) -> None:
    path = write(tmp_path, "nan.json", f'{{"x": [1, {constant}]}}')
    assert failure(path) == f"#/x/1: {constant} is not a JSON number"


def test_json_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '{\n  "a": 1\n  "b": 2\n}')
    assert failure(path) == "#: invalid JSON: Expecting ',' delimiter (line 3, column 3)"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000, 200_000])
def test_json_nesting_is_capped_without_recursion_errors(tmp_path: Path, depth: int) -> None:
    path = write(tmp_path, "deep.json", '{"x": ' + "[" * depth + "]" * depth + "}")
    assert failure(path).endswith(f"the document nests deeper than {MAX_DEPTH} levels")


def test_json_at_the_depth_limit_loads(tmp_path: Path) -> None:
    depth = MAX_DEPTH - 1  # the root object is one level
    path = write(tmp_path, "deep.json", '{"x": ' + "[" * depth + "]" * depth + "}")
    assert read_document(path, "deep.json")["x"] == json.loads("[" * depth + "]" * depth)


def test_json_number_of_too_many_digits(tmp_path: Path) -> None:
    path = write(tmp_path, "big.json", '{"x": ' + "9" * 5000 + "}")
    assert "more digits than Python converts" in failure(path)


def test_json_lone_surrogates_become_replacement_characters(tmp_path: Path) -> None:
    path = write(tmp_path, "s.json", '{"a\\ud800": "b\\udfff"}')
    assert read_document(path, "s.json") == {"a\ufffd": "b\ufffd"}


def test_json_escaped_surrogate_pairs_are_their_character_and_stray_halves_scrubbed(
    tmp_path: Path,
) -> None:
    # a pair is one character; a half beside an escaped backslash or another half is alone
    text = '{"pair": "\\ud83d\\ude00", "split": "\\ud83d\\\\\\ude00", "high": "\\udbff\\udbff"}'
    path = write(tmp_path, "p.json", text)
    assert read_document(path, "p.json") == {
        "pair": "\U0001f600",
        "split": "\ufffd\\\ufffd",
        "high": "\ufffd\ufffd",
    }
    path = write(tmp_path, "q.json", '{"pair": "\\ud83d\\ude00", "text": "\\\\ud800"}')
    assert read_document(path, "q.json") == {"pair": "\U0001f600", "text": "\\ud800"}


# -- files ------------------------------------------------------------------------------------


def test_file_size_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document, "MAX_BYTES", 1024 * 1024)
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"x: " + b"a" * (2 * 1024 * 1024))
    assert failure(path) == "#: the file is larger than 1 MB, the most clientgen reads"


def test_the_size_cap_reads_no_more_than_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real_open = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, *args, **kwargs)
        real_read = handle.read

        def read(size: int = -1) -> bytes:
            reads.append(size)
            return real_read(size)  # type: ignore[no-any-return]

        handle.read = read
        return handle

    monkeypatch.setattr(Path, "open", spy)
    path = write(tmp_path, "small.yaml", "a: 1\n")
    read_document(path, "small.yaml")
    assert reads == [document.MAX_BYTES + 1]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_special_files_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    assert failure(fifo) == "#: cannot read file: not a regular file"
    assert failure(tmp_path) == "#: cannot read file: it is a directory"
    if Path("/dev/zero").exists():
        assert failure(Path("/dev/zero")) == "#: cannot read file: not a regular file"


def test_missing_file(tmp_path: Path) -> None:
    assert failure(tmp_path / "nowhere.yaml") == "#: cannot read file: No such file or directory"


# -- YAML -------------------------------------------------------------------------------------


def test_yaml_reads_like_pyyaml_for_the_seed_specs() -> None:
    def keys_as_text(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): keys_as_text(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keys_as_text(v) for v in value]
        return value

    for spec in sorted((ROOT / "specs").glob("*.yaml")):
        expected = yaml.load(spec.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        assert read_document(spec, spec.name) == keys_as_text(expected), spec.name


def test_yaml_keys_are_the_text_written_and_timestamps_stay_strings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "keys.yaml",
        """
        200: a
        on: b
        1.0: c
        null: d
        0x1F: e
        when: 2024-01-02T03:04:05Z
        day: 2024-01-02
        n: !!int "12"
        q: '200'
        """,
    )
    assert read_document(path, "keys.yaml") == {
        "200": "a",
        "on": "b",
        "1.0": "c",
        "null": "d",
        "0x1F": "e",
        "when": "2024-01-02T03:04:05Z",
        "day": "2024-01-02",
        "n": 12,
        "q": "200",
    }


def test_yaml_merge_keys_and_anchors_work_as_in_pyyaml(tmp_path: Path) -> None:
    text = """
        defaults: &defaults {a: 1, b: 2}
        more: &more {b: 3, c: 4}
        one:
          <<: *defaults
          b: 9
        both:
          <<: [*defaults, *more]
          d: 5
        list: &list [1, 2]
        again: *list
        """
    path = write(tmp_path, "merge.yaml", text)
    assert read_document(path, "merge.yaml") == yaml.safe_load(textwrap.dedent(text))


def test_yaml_duplicate_key_has_pointer_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", "a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert failure(path) == "#/a/b: duplicate key 'b' (line 4, column 3)"


def test_yaml_merged_keys_may_be_overridden_but_not_repeated(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", "x: &x {a: 1}\ny:\n  <<: *x\n  <<: *x\n")
    assert failure(path) == "#/y/<<: duplicate merge key '<<' (line 4, column 3)"


def test_yaml_alias_bomb_stops_at_once(tmp_path: Path) -> None:
    lines = ['a0: ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 12):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    lines[0] = "a0: &a0 " + lines[0][4:]
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    message = failure(path)  # stopped where the count passed the limit, not after expanding
    assert message.startswith("#/a6/3: the document holds more than ")
    assert message.endswith(f"{MAX_VALUES:,} values (YAML aliases expanded) (line 7, column 25)")


def test_yaml_alias_counts_toward_depth(tmp_path: Path) -> None:
    half = MAX_DEPTH // 2 + 1
    path = write(
        tmp_path,
        "deep.yaml",
        "a: &deep " + "[" * half + "]" * half + "\nb: " + "[" * half + "*deep" + "]" * half + "\n",
    )
    assert "nests deeper than" in failure(path)


def test_yaml_deep_nesting_does_not_crash_the_parser(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.yaml", "x: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "nests deeper than" in failure(path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("x: !!binary aGk=", "#/x: YAML tag !!binary is not supported"),
        ("x: !!set {a, b}", "#/x: YAML tag !!set is not supported"),
        ("x: !!python/name:os.system ''", "#/x: YAML tag !!python/name:os.system is not"),
        ("x: !custom 1", "#/x: YAML tag !custom is not supported"),
        ("x: [.inf]", "#/x/0: .inf is not a JSON number"),
        ("x: *nowhere", "#/x: undefined YAML alias *nowhere"),
        ("? [a, b]\n: c", "#: a mapping key must be a string"),
        ("a: 1\n---\nb: 2", "#: more than one YAML document in the file"),
    ],
)
def test_yaml_outside_json_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    assert failure(write(tmp_path, "x.yaml", text + "\n")).startswith(problem)


@pytest.mark.slow
def test_githubs_13_mb_spec_is_within_every_limit() -> None:
    """The limits never bother a real spec: GitHub's (13 MB) reads whole."""
    try:
        github = install(*GITHUB_PACKAGE) / "generated" / "api.github.com.json"
    except CorpusUnavailable as exc:
        pytest.fail(f"GitHub's spec cannot be installed, so it was not tested: {exc}")
    data = read_document(github, github.name)
    assert len(data["paths"]) > 500
    assert len(data["components"]["schemas"]) > 500


# -- bundling and references ------------------------------------------------------------------


def test_references_into_other_files_are_bundled(tmp_path: Path) -> None:
    write(
        tmp_path,
        "common.yaml",
        """
        parameters:
          Limit: {name: limit, in: query, schema: {$ref: '#/schemas/Count'}}
        responses:
          Runs:
            description: ok
            content:
              application/json:
                schema: {type: array, items: {$ref: '#/schemas/Run'}}
        paths:
          runs:
            get:
              operationId: listRuns
              parameters: [{$ref: '#/parameters/Limit'}]
              responses: {'200': {$ref: '#/responses/Runs'}}
        schemas:
          Count: {type: integer}
          Run: {type: object, properties: {id: {type: string}, next: {$ref: '#/schemas/Run'}}}
        """,
    )
    spec = write(
        tmp_path,
        "main.yaml",
        """
        openapi: 3.1.0
        info: {title: Files, version: "1"}
        paths:
          /runs: {$ref: './common.yaml#/paths/runs'}
        """,
    )
    loaded = load_spec(spec)
    operation = loaded.document["paths"]["/runs"]["get"]
    assert operation["parameters"] == [
        {"name": "limit", "in": "query", "schema": {"$ref": "#/components/schemas/Count"}}
    ]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Run"},
    }
    assert set(loaded.document["components"]["schemas"]) == {"Count", "Run"}
    assert loaded.warnings == ()


def test_a_broken_referenced_file_is_named_beside_the_spec(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    write(tmp_path, "specs/bad.yaml", "a: [\n")
    spec = write(
        tmp_path,
        "specs/main.yaml",
        """
        openapi: 3.1.0
        info: {title: x, version: "1"}
        paths: {/x: {$ref: './bad.yaml#/a'}}
        """,
    )
    with pytest.raises(SpecError) as caught:
        load_spec(spec, "specs/main.yaml")
    assert caught.value.diagnostics[0].file == "specs/bad.yaml"


def test_recursive_schemas_are_no_reference_cycle(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        "tree.yaml",
        """
        openapi: 3.1.0
        info: {title: Tree, version: "1"}
        paths: {}
        components:
          schemas:
            Node:
              type: object
              properties:
                children: {type: array, items: {$ref: '#/components/schemas/Node'}}
            Alias: {$ref: '#/components/schemas/Node'}
        """,
    )
    assert load_spec(spec).warnings == ()


@pytest.mark.parametrize(
    ("where", "schema"),
    [
        (("components", "schemas", "A"), True),
        (("paths", "/a", "get", "responses", "200", "content", "application/json", "schema"), True),
        (("components", "schemas", "A", "properties", "b"), True),
        (("components", "schemas", "A", "allOf", 0), True),
        (("components", "schemas", "A", "items"), True),
        (("paths", "/a", "get", "parameters", 0), False),
        (("paths", "/a"), False),
        (("components", "responses", "R"), False),
        (("components", "schemas", "A", "properties"), False),
        (("x", "schemas", "A"), False),
    ],
)
def test_schema_positions(where: tuple[str | int, ...], schema: bool) -> None:
    assert is_schema_position(where) is schema


# -- validation -------------------------------------------------------------------------------


def test_validator_findings_are_short_located_and_translated(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        "val.yaml",
        """
        openapi: 3.1.0
        info: {title: Val, version: "1"}
        paths:
          /runs/{id}:
            get:
              operationId: getRun
              parameters:
                - {name: id, in: path, required: true, schema: {type: string}}
                - name: q
                  in: querystring
                  description: a long description that must not be repeated in the message
                  schema: {type: string}
                - {name: limit, in: query, schema: {$ref: '#/components/schemas/Limit'}}
              responses:
                '200': {description: ok}
          /runs:
            post:
              operationId: getRun
              responses: {'204': {description: ok}}
            bogus: 2
        components:
          schemas:
            Limit: {type: integer, default: "ten"}
        """,
    )
    found = {d.pointer: d.message for d in load_spec(spec).warnings}
    assert found == {
        "#/paths/~1runs~1{id}/get/parameters/1/in": (
            "'querystring' is not one of 'query', 'header', 'path', 'cookie'"
        ),
        "#/paths/~1runs": "unexpected key 'bogus'",
        "#/components/schemas/Limit/default": "expected integer, got 'ten'",
        "#/paths/~1runs/post": "Operation ID 'getRun' for 'post' in '/runs' is not unique",
    }


def test_validator_messages_are_bounded_and_leave_no_cache() -> None:
    from openapi_spec_validator.validation.validators import SpecValidator

    huge = {"x" * 50: ["y" * 500] * 20}
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": huge}}}},
    }
    found = list(validate(spec, "huge.yaml"))
    assert found and all(len(d.message) <= MESSAGE_LIMIT for d in found)
    assert all("yyyy" not in d.message for d in found)
    assert SpecValidator.iter_errors.__wrapped__.cache_info().currsize == 0  # type: ignore[attr-defined]


def _documents_held() -> list[Path]:
    """The YAML documents held here that read as a mapping (the others are refused earlier)."""
    folders = ("specs", "tests/invalid", "tests/hostile")
    found = []
    for path in sorted(p for f in folders for p in (ROOT / f).glob("*.yaml")):
        try:
            if isinstance(read_document(path, path.name), dict):
                found.append(path)
        except SpecError:
            pass
    return found


@pytest.mark.parametrize("path", _documents_held(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_quick_schema_check_agrees_with_jsonschema(path: Path) -> None:
    """jsonschema-rs answers "valid?" first and jsonschema reports (generator.spec.validate): on
    every document held here the two give the same verdict."""
    from generator.spec.validate import _validator_class

    spec = read_document(path, path.name)
    checker = _validator_class(str(spec.get("openapi", "")).startswith("3.1")).schema_validator
    assert checker.fast is not None, "jsonschema-rs is a dependency: it must be importable"
    exact = next(iter(checker.exact.iter_errors(spec)), None) is None
    assert checker.fast.is_valid(spec) == exact


def test_a_content_type_header_shared_through_an_alias_is_ignored_wherever_it_stands(
    tmp_path: Path,
) -> None:
    """The response's headers mapping is also ``components/headers``, walked first: its
    ``Content-Type`` is dropped all the same, and its reference is never followed."""
    path = write(
        tmp_path,
        "shared.yaml",
        """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /p: {get: {operationId: getP, responses: {'200': {$ref: '#/components/responses/Ok'}}}}
        components:
          headers: &common
            Content-Type: {$ref: '#/components/headers/ContentType'}
            X-Rate: {schema: {type: integer}}
          responses: {Ok: {description: ok, headers: *common}}
        """,
    )
    loaded = load_spec(path, validate=False)
    assert list(loaded.document["components"]["headers"]) == ["X-Rate"]
    assert list(loaded.document["components"]["responses"]["Ok"]["headers"]) == ["X-Rate"]
