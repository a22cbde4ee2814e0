"""The models package: which module each class lands in, and that they import lazily."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.models import modules as model_modules
from generator.models.build import render_models
from tests.conftest import ROOT

SEEDS = sorted(p.name for p in (ROOT / "generated").iterdir() if (p / p.name).is_dir())


def _modules(schemas: dict[str, object]) -> dict[str, set[str]]:
    """Module stem -> the names it defines."""
    spec = {"openapi": "3.1.0", "components": {"schemas": schemas}}
    models = render_models(spec, "spec.yaml", "spec.yaml", "pkg")
    return {m.name: set(m.defines) for m in models.modules}


def _object(**properties: object) -> dict[str, object]:
    return {"type": "object", "properties": properties}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_a_class_referred_to_once_lives_with_its_referrer() -> None:
    modules = _modules(
        {
            "Run": _object(status=_ref("RunStatus"), owner=_ref("User")),
            "RunStatus": {"type": "string", "enum": ["queued", "done"]},
            "User": _object(name={"type": "string"}),
            "Team": _object(lead=_ref("User")),
        }
    )
    assert modules == {"_run": {"Run", "RunStatus"}, "_team": {"Team"}, "_user": {"User"}}


def test_aliases_that_refer_to_each_other_through_a_quoted_value_share_a_module() -> None:
    """``X = TypeAliasType("X", "list[Y]")``: the quoted value is a reference too."""
    modules = _modules(
        {
            "X": {"type": "array", "items": _ref("Y")},
            "Y": {"type": "array", "items": _ref("X")},
            "Z": _object(x=_ref("X")),
        }
    )
    assert modules == {"_z": {"X", "Y", "Z"}}


def test_classes_that_refer_to_each_other_share_a_module() -> None:
    modules = _modules(
        {
            "Node": _object(parent=_ref("Tree"), tag=_ref("Tag")),
            "Tree": _object(root=_ref("Node")),
            "Tag": _object(name={"type": "string"}),
            "Forest": _object(trees={"type": "array", "items": _ref("Tree")}),
            "Grove": _object(trees={"type": "array", "items": _ref("Tree")}),
        }
    )
    assert modules == {
        "_forest": {"Forest"},
        "_grove": {"Grove"},
        "_node": {"Node", "Tree", "Tag"},
    }


def test_module_names_are_unique_and_safe() -> None:
    source = "\n".join(
        f"class {name}(Model):\n    pass\n"
        for name in ("HTTPError", "HttpError", "X" * 90, "Model_")
    )
    split = model_modules.parse(source)
    names = [m.name for m in split.modules]
    assert names[:2] == ["_http_error", "_http_error_2"]
    assert all(n.isidentifier() and n.islower() and len(n) <= 60 for n in names)
    assert len(set(names)) == len(names)


def test_a_quoted_forward_reference_is_imported() -> None:
    source = (
        "class Header(Model):\n    pass\n\n\n"
        "class A(Model):\n"
        '    __annotations__ = {"__pydantic_extra__": dict[str, list["Header"]]}\n\n\n'
        "class B(Model):\n"
        '    kind: Literal["Header"]\n\n\n'
        "class C(Model):\n"
        "    header: Header\n"
    )
    split = model_modules.parse(source)
    files = model_modules.render(split, "# header")
    assert {m.name: m.defines for m in split.modules} == {
        "_header": ("Header",),
        "_a": ("A",),
        "_b": ("B",),
        "_c": ("C",),
    }
    assert "from ._header import Header" in files["_a"]
    assert "from ._header import Header" not in files["_b"]  # a Literal's text is no name


def _run(code: str, package: str) -> object:
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "generated" / package,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


LOADED = "sorted(m for m in sys.modules if m.startswith(PKG + '.models.'))"


@pytest.mark.parametrize("package", SEEDS)
def test_importing_the_client_builds_no_model(package: str) -> None:
    code = (
        f"import json, sys\nPKG = {package!r}\n"
        f"import {package}\n{package}.Client(api_key='k')\n{package}.AsyncClient(api_key='k')\n"
        f"print(json.dumps({LOADED}))"
    )
    assert _run(code, package) == []


@pytest.mark.parametrize("package", SEEDS)
def test_a_model_loads_only_the_modules_it_needs(package: str) -> None:
    """A model asked for in a fresh interpreter loads its module and those it imports, no
    more; and every model's schema builds (every name it uses is there at run time)."""
    code = f"""
import importlib, json, sys
import pydantic
PKG = {package!r}
models = importlib.import_module(PKG + ".models")
name = sys.argv[1]
value = getattr(models, name)
if isinstance(value, type) and issubclass(value, pydantic.BaseModel):
    value.model_json_schema()
else:
    pydantic.TypeAdapter(value).json_schema()
print(json.dumps({LOADED}))
"""
    package_dir = ROOT / "generated" / package / package
    init = (package_dir / "models" / "__init__.py").read_text(encoding="utf-8")
    where = _where(init)
    first = sorted(where)[0]
    needed = _closure(package_dir / "models", where[first])
    out = subprocess.run(
        [sys.executable, "-c", code, first],
        cwd=package_dir.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == sorted(f"{package}.models.{m}" for m in needed)
    check_all = f"""
import importlib, pydantic
models = importlib.import_module({package!r} + ".models")
for name in reversed(models.__all__):
    value = getattr(models, name)
    if isinstance(value, type) and issubclass(value, pydantic.BaseModel):
        value.model_json_schema()
    else:
        pydantic.TypeAdapter(value).json_schema()
"""
    out = subprocess.run(
        [sys.executable, "-c", check_all],
        cwd=package_dir.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr


def _where(init_source: str) -> dict[str, str]:
    tree = ast.parse(init_source)
    table = next(
        n
        for n in tree.body
        if isinstance(n, ast.AnnAssign) and ast.unparse(n.target) == "_MODULES" and n.value
    )
    assert isinstance(table, ast.AnnAssign) and table.value is not None
    where: dict[str, str] = ast.literal_eval(table.value)
    return where


def _closure(folder: Path, stem: str) -> set[str]:
    """A model module and every model module it imports, transitively."""
    seen: set[str] = set()
    todo = [stem]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        tree = ast.parse((folder / f"{current}.py").read_text(encoding="utf-8"))
        todo += [
            n.module
            for n in tree.body
            if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module
        ]
    return seen
