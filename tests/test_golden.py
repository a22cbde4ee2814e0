"""Golden files: each tests/golden/<case>/spec.yaml pins one spec pattern's output.

A case's ``expected/`` tree holds the files of its pattern (``PINS``): the models for a schema
pattern, the client and resource modules for an operation pattern; the ``polling`` case pins
every file but the static runtime modules. A change to one part of the output then rewrites
only the cases about that part; the drift test of generated/ keeps whole trees. On a
difference the test prints a unified diff; after reviewing it, accept the new output with
``UPDATE_GOLDEN=1 make test`` or ``pytest --update-golden``.

The generated projects must also pass ``mypy --strict``, ``ruff check`` and
``ruff format --check`` (with the settings of their own pyproject.toml), and import and
construct both clients. Known generator problems are at the end, each with a minimal spec and
a strict xfail mark that comes off once the generator is fixed.
"""

from __future__ import annotations

import ast
import difflib
import fnmatch
import json
import subprocess
import sys
import tempfile
import textwrap
from functools import cache
from pathlib import Path

import pytest

from generator.config import Target
from generator.diagnostics import SpecError
from generator.emit.render import RUNTIME_FILES
from generator.workflow.pipeline import Generated, generate
from tests.support.layout import models_source, models_source_at
from tests.support.typecheck import in_group

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "spec.yaml").is_file())
DIFF_LINES = 200
UPDATE_HINT = (
    "golden files differ; review and run `UPDATE_GOLDEN=1 make test` "
    "(or `pytest --update-golden`) to accept"
)


@cache
def _generate(case: str) -> Generated:
    spec_name = f"tests/golden/{case}/spec.yaml"
    return generate(
        GOLDEN / case / "spec.yaml", Target(package=case, spec_name=spec_name), display=spec_name
    )


MODELS = ("{case}/models/*",)
OPERATIONS = ("{case}/client.py", "{case}/async_client.py", "{case}/resources/*")
EVERYTHING = ("*",)
# The files each case is about, as fnmatch patterns over the project's paths.
PINS: dict[str, tuple[str, ...]] = {
    "additional_properties": MODELS,
    "allof_conflicts": MODELS,
    "allof_wrapper": MODELS,
    "anyof_null": MODELS + OPERATIONS,
    "arrays_of_refs": MODELS + OPERATIONS,
    "const": MODELS + OPERATIONS,
    "enums": MODELS + OPERATIONS,
    "external_refs": MODELS,
    "inline_objects": MODELS + OPERATIONS,
    "keywords_builtins": MODELS + OPERATIONS,
    "model_defaults": MODELS,
    "name_clashes": OPERATIONS,
    "names_and_ids": (*MODELS, *OPERATIONS, "README.md"),
    "noisy_operation_ids": OPERATIONS,
    "nullable_30": MODELS + OPERATIONS,
    "pagination_cursor": (*OPERATIONS, "README.md"),
    "pagination_fern": (*OPERATIONS, "README.md"),
    "pagination_header_cursor": (*OPERATIONS, "README.md"),
    "pagination_last_id": (*OPERATIONS, "README.md"),
    "pagination_link": (*OPERATIONS, "README.md"),
    "pagination_next_url": (*OPERATIONS, "README.md"),
    "pagination_offset": (*OPERATIONS, "README.md"),
    "pagination_page": (*OPERATIONS, "README.md"),
    "pagination_speakeasy": (*OPERATIONS, "README.md"),
    "pagination_warn_arrays": OPERATIONS,
    "pagination_warn_no_id": OPERATIONS,
    "pagination_warn_no_items": OPERATIONS,
    "pagination_warn_no_param": OPERATIONS,
    "pagination_warn_no_source": OPERATIONS,
    "parameter_styles": OPERATIONS,
    "polling": EVERYTHING,
    "python_names": MODELS + OPERATIONS,
    "recursion": MODELS,
    "request_bodies": MODELS + OPERATIONS,
    "request_side": MODELS + OPERATIONS,
    "security_schemes": OPERATIONS,
    "shared_errors": MODELS + OPERATIONS,
    "sse": MODELS + OPERATIONS,
    "untagged_resources": (*OPERATIONS, "README.md"),
    "webhooks": (*MODELS, *OPERATIONS, "{case}/webhooks.py", "README.md"),
}


def _pinned(case: str, files: dict[str, bytes]) -> dict[str, bytes]:
    """The generated files a golden tree holds: those of its pattern, never the static
    runtime modules."""
    runtime = {f"{case}/{name}" for name in RUNTIME_FILES}
    patterns = [pattern.format(case=case) for pattern in PINS[case]]
    return {
        path: data
        for path, data in files.items()
        if path not in runtime and any(fnmatch.fnmatchcase(path, p) for p in patterns)
    }


def _expected(case: str) -> dict[str, bytes]:
    root = GOLDEN / case / "expected"
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _diff(name: str, expected: bytes | None, actual: bytes | None) -> list[str]:
    def lines(data: bytes | None) -> list[str]:
        return [] if data is None else data.decode("utf-8", "replace").splitlines(keepends=True)

    return list(
        difflib.unified_diff(
            lines(expected),
            lines(actual),
            fromfile=f"expected/{name}" if expected is not None else "/dev/null",
            tofile=f"generated/{name}" if actual is not None else "/dev/null",
        )
    )


def _write_expected(case: str, files: dict[str, bytes]) -> None:
    root = GOLDEN / case / "expected"
    for name in _expected(case).keys() - files.keys():
        (root / name).unlink()
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    for directory in sorted(root.rglob("*"), reverse=True):  # drop emptied folders
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


PATTERNS = {
    "additional_properties",
    "allof_wrapper",
    "anyof_null",
    "arrays_of_refs",
    "const",
    "enums",
    "inline_objects",
    "keywords_builtins",
    "nullable_30",
    "polling",
    "python_names",
    "recursion",
    "shared_errors",
    "sse",
    "webhooks",
}


def test_every_pattern_has_a_case() -> None:
    assert set(CASES) >= PATTERNS
    assert set(PINS) == set(CASES), "each case says which files it pins (PINS)"


def test_one_case_pins_every_kind_of_file() -> None:
    """The ``polling`` case pins every file a package has but the static runtime."""
    files = _generate("polling").files
    runtime = {name for name in files if name.removeprefix("polling/") in RUNTIME_FILES}
    assert runtime and set(_pinned("polling", files)) == files.keys() - runtime


# Warnings a case exists to show (the pattern itself is worth a warning).
EXPECTED_WARNINGS = {
    "keywords_builtins": ["`copy` is taken in the client; this resource is `copy_2`"],
    "name_clashes": [
        "method `update` of client.widgets is taken by another operation; this one is"
        " `update_patch`",
        "method `with_raw_response` of client.widgets is taken by another operation; this one"
        " is `with_raw_response_post`",
    ],
    "webhooks": ["`webhooks` is taken in the client; this resource is `webhooks_2`"],
    "names_and_ids": ["Operation ID 'saveInvoice' for 'put' in '/invoices/{id}' is not unique"],
    "pagination_warn_arrays": [
        "no pager: the response pages but has several arrays (`pinned`, `recent`);"
        " which holds the items?"
    ],
    "pagination_warn_no_id": [
        "no pager: `has_more` and `starting_after` suggest paging by the last item's id,"
        " but the items have no `id`"
    ],
    "pagination_warn_no_items": [
        "no pager: the next page comes from `next_cursor` but no one array of items is found in"
        " the response"
    ],
    "pagination_warn_no_param": [
        "no pager: the response carries a next cursor `next_cursor` but no query parameter takes it"
    ],
    "pagination_warn_no_source": [
        "no pager: the query parameter `cursor` takes a cursor, but the response declares no"
        " next cursor, next URL or Link header"
    ],
}


@pytest.mark.parametrize("case", CASES)
def test_golden_specs_are_clean(case: str) -> None:
    """A golden spec pins one pattern; a validator warning would pin something else too."""
    messages = [d.message for d in _generate(case).diagnostics]
    assert messages == EXPECTED_WARNINGS.get(case, [])


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, update_golden: bool) -> None:
    actual = _pinned(case, _generate(case).files)
    if update_golden:
        _write_expected(case, actual)
        return
    expected = _expected(case)
    diff: list[str] = []
    for name in sorted(expected.keys() | actual.keys()):
        if expected.get(name) != actual.get(name):
            diff += _diff(name, expected.get(name), actual.get(name))
    if diff:
        shown = "".join(diff[:DIFF_LINES])
        more = f"\n... {len(diff) - DIFF_LINES} more diff lines" if len(diff) > DIFF_LINES else ""
        pytest.fail(f"{UPDATE_HINT}\n\n{shown}{more}", pytrace=False)


@pytest.mark.parametrize("case", CASES)
def test_expected_tree_holds_only_generated_files(case: str, update_golden: bool) -> None:
    if update_golden:
        pytest.skip("the update run has just rewritten the trees")
    expected = set(_expected(case))
    stale = sorted(expected - set(_pinned(case, _generate(case).files)))
    assert not stale, f"tests/golden/{case}/expected holds files that are not generated: {stale}"
    assert expected, f"tests/golden/{case}/expected is empty; run with UPDATE_GOLDEN=1"


# -- the generated code type-checks, lints and imports ---------------------------------------

# Minimal specs of known generator problems; generated beside the golden cases so that one
# mypy run covers both. Each has a strict xfail test at the end of this file.
BUG_SPECS = {
    "bug_client_attribute_ops": """
        openapi: 3.1.0
        info: {title: t, version: '1'}
        paths:
          /close:
            post:
              operationId: close
              responses: {'204': {description: closed}}
          /with-options:
            get:
              operationId: with_options
              responses: {'204': {description: ok}}
          /base-url:
            get:
              operationId: base_url
              responses: {'204': {description: ok}}
        """,
    "bug_any_response": """
        openapi: 3.1.0
        info: {title: t, version: '1'}
        paths:
          /anything:
            get:
              operationId: getAnything
              responses:
                '200':
                  description: any JSON value
                  content: {application/json: {schema: {}}}
        """,
    "bug_property_alias_steals_name": """
        openapi: 3.1.0
        info: {title: t, version: '1'}
        paths:
          /age:
            get:
              operationId: getAge
              responses:
                '200':
                  description: OK
                  content: {application/json: {schema: {$ref: '#/components/schemas/Age'}}}
        components:
          schemas:
            Holder:
              type: object
              properties:
                age:
                  anyOf: [{type: integer, minimum: 1}, {type: 'null'}]
            Age:
              type: string
        """,
}


def _bug_files(name: str, tmp: Path) -> dict[str, bytes]:
    spec = tmp / f"{name}.yaml"
    spec.write_text(textwrap.dedent(BUG_SPECS[name]), encoding="utf-8")
    return generate(spec, Target(package=name, spec_name=f"{name}.yaml"), display=spec.name).files


def golden_files() -> dict[str, dict[str, bytes]]:
    """Every golden case's and bug spec's generated project, runtime included (the conftest's
    ``golden_projects`` writes them beside the other typed projects)."""
    with tempfile.TemporaryDirectory() as tmp:
        bugs = {name: _bug_files(name, Path(tmp)) for name in BUG_SPECS}
    return {**{case: _generate(case).files for case in CASES}, **bugs}


@pytest.fixture
def projects(golden_projects: Path) -> Path:
    return golden_projects


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


@in_group
@pytest.mark.slow
def test_generated_packages_pass_mypy_strict(mypy_report: dict[str, list[str]]) -> None:
    errors = [line for case in CASES for line in mypy_report[case]]
    assert not errors, "\n".join(errors)


def _ruff() -> str:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    return str(find_ruff_bin())


@in_group
def test_generated_packages_pass_ruff_check(projects: Path) -> None:
    # each project is linted with its own pyproject.toml settings
    result = _run([_ruff(), "check", "--no-cache", *CASES], projects)
    assert result.returncode == 0, result.stdout + result.stderr


@in_group
def test_generated_packages_are_ruff_formatted(projects: Path) -> None:
    result = _run([_ruff(), "format", "--check", "--no-cache", *CASES], projects)
    assert result.returncode == 0, result.stdout + result.stderr


@in_group
def test_generated_packages_import_and_construct_clients(projects: Path) -> None:
    script = textwrap.dedent(
        """
        import asyncio
        import importlib
        import sys

        for case in sys.argv[1:]:
            sys.path.insert(0, case)
            package = importlib.import_module(case)
            importlib.import_module(case + ".models")
            with package.Client(api_key="k", base_url="http://127.0.0.1:1") as client:
                assert "k" not in repr(client)
            aclient = package.AsyncClient(api_key="k", base_url="http://127.0.0.1:1")
            asyncio.run(aclient.close())
            print(case, "ok")
        """
    )
    result = _run([sys.executable, "-c", script, *CASES], projects)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == [word for case in CASES for word in (case, "ok")]


# Imports a golden package, builds both clients, then uses one resource on each; prints which
# resource modules were imported at each step.
LAZY_SCRIPT = """
import importlib, json, sys

def loaded(package):
    return sorted(m for m in sys.modules if m.startswith(package + ".resources"))

for case, (first, last) in json.loads(sys.argv[1]).items():
    sys.path.insert(0, case)
    package = importlib.import_module(case)
    client = package.Client(api_key="k", base_url="http://127.0.0.1:1")
    aclient = package.AsyncClient(api_key="k", base_url="http://127.0.0.1:1")
    steps = [loaded(case)]
    getattr(client, first[0])
    steps.append(loaded(case))
    getattr(aclient.with_raw_response, last[0])
    steps.append(loaded(case))
    print(json.dumps([case, steps]))
"""


@in_group
def test_resource_modules_are_imported_when_first_used(projects: Path) -> None:
    """``import pkg`` and building the clients import no resource module; ``client.<resource>``
    imports that resource's module and no other."""
    resources = {
        case: [(r.attr, r.module) for r in _generate(case).api.resources] for case in CASES
    }
    used = {case: (found[0], found[-1]) for case, found in resources.items() if found}
    assert len(used) >= 10
    result = _run([sys.executable, "-c", LAZY_SCRIPT, json.dumps(used)], projects)
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        case, steps = json.loads(line)
        (_, first), (_, last) = used[case]
        package = f"{case}.resources"
        assert steps == [
            [],
            [package, f"{package}.{first}"],
            sorted({package, f"{package}.{first}", f"{package}.{last}"}),
        ], case
    assert len(result.stdout.splitlines()) == len(used)


# -- what every models.py should hold ---------------------------------------------------------


def _module_names(source: str) -> set[str]:
    """The names a module defines at top level (classes and assignments, not imports)."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


@pytest.mark.parametrize("case", CASES)
def test_models_define_exactly_the_component_classes(case: str) -> None:
    generated = _generate(case)
    source = models_source(generated.files, case)
    assert _module_names(source) == set(generated.api.model_names)


# -- known generator problems (strict xfail: remove the mark once fixed) ---------------------


@in_group
@pytest.mark.slow  # reads the one mypy run
def test_root_operation_does_not_shadow_client_members(
    projects: Path, mypy_report: dict[str, list[str]]
) -> None:
    name = "bug_client_attribute_ops"
    tree = ast.parse((projects / name / name / "client.py").read_text(encoding="utf-8"))
    client = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Client")
    methods = [n.name for n in client.body if isinstance(n, ast.FunctionDef)]
    assert len(methods) == len(set(methods)), methods
    assert not mypy_report[name], "\n".join(mypy_report[name])


@in_group
@pytest.mark.slow  # reads the one mypy run
def test_any_response_passes_mypy(mypy_report: dict[str, list[str]]) -> None:
    errors = mypy_report["bug_any_response"]
    assert not errors, "\n".join(errors)


@in_group
def test_component_keeps_its_name_beside_property_aliases(projects: Path) -> None:
    name = "bug_property_alias_steals_name"
    source = models_source_at(projects / name / name)
    assert _module_names(source) == {"Age", "Holder"}
    alias = next(
        node.value
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "Age"
    )
    assert ast.unparse(alias) == "TypeAliasType('Age', str)"


@in_group
def test_unknown_integer_enum_value_is_kept(projects: Path) -> None:
    script = (
        "import sys; sys.path.insert(0, 'enums')\n"
        "from enums.models import Order\n"
        "order = Order.model_validate({'id': '1', 'status': 'paid', 'priority': 4})\n"
        "assert order.priority == 4\n"
    )
    result = _run([sys.executable, "-c", script], projects)
    assert result.returncode == 0, result.stderr


def test_args_are_indented_under_args_heading() -> None:
    source = _generate("allof_wrapper").files["allof_wrapper/resources/pets.py"].decode()
    pets = next(
        n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == "Pets"
    )
    create = next(n for n in pets.body if isinstance(n, ast.FunctionDef) and n.name == "create")
    doc = ast.get_docstring(create) or ""
    assert "Args:\n    owner: " in doc, doc


def _model_fields(source: str, class_name: str) -> dict[str, str]:
    """wire name -> Python name of a generated pydantic class's fields."""
    cls = next(
        n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == class_name
    )
    fields: dict[str, str] = {}
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            alias = next(
                (
                    kw.value.value
                    for call in ast.walk(node.annotation)
                    if isinstance(call, ast.Call)
                    for kw in call.keywords
                    if kw.arg == "alias" and isinstance(kw.value, ast.Constant)
                ),
                node.target.id,
            )
            fields[str(alias)] = node.target.id
    return fields


def _body_kwargs(source: str, class_name: str, method: str) -> dict[str, str]:
    """wire name -> keyword argument of a generated method's flattened JSON body."""
    cls = next(
        n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == class_name
    )
    func = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == method)
    body = next(
        kw.value
        for call in ast.walk(func)
        if isinstance(call, ast.Call)
        for kw in call.keywords
        if kw.arg == "json"
    )
    assert isinstance(body, ast.Dict)
    return {
        str(k.value): v.id
        for k, v in zip(body.keys, body.values, strict=True)
        if isinstance(k, ast.Constant) and isinstance(v, ast.Name)
    }


def test_model_fields_and_body_kwargs_share_names() -> None:
    files = _generate("keywords_builtins").files
    fields = _model_fields(models_source(files, "keywords_builtins"), "Item")
    kwargs = _body_kwargs(files["keywords_builtins/resources/items.py"].decode(), "Items", "class_")
    kwargs.pop("class")  # the path parameter took `class_` first; the body's is `class__2`
    fields.pop("class")
    # keywords differ by design: `list` is `list_` in a class body but a fine argument name
    differences = {
        wire: (fields[wire], kwargs[wire])
        for wire in kwargs
        if fields[wire].rstrip("_") != kwargs[wire].rstrip("_")
    }
    assert not differences


def test_lone_surrogate_in_a_json_spec_is_not_an_internal_error(tmp_path: Path) -> None:
    spec = tmp_path / "surrogate.json"
    spec.write_text(
        '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": '
        '{"operationId": "getX", "summary": "bad \\ud800 text", '
        '"responses": {"204": {"description": "ok"}}}}}}',
        encoding="utf-8",
    )
    try:
        generate(spec, Target(package="surrogate", spec_name="surrogate.json"))
    except SpecError:
        pass  # a diagnostic is a fine answer too
