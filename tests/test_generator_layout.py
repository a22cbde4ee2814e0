"""The generator's layout holds: one level of stage sub-packages, imports only one way.

The rule is ``tests/support/generator_layout.py``; here it is held over ``generator/`` and
shown to catch what it forbids, on small trees written for the purpose.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.generator_layout import ALLOWED, imports, layout_problems

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "generator"


def test_the_generator_keeps_its_layout() -> None:
    assert layout_problems(GENERATOR) == []


def test_nothing_imports_the_command_line_but_main() -> None:
    importers = {i.module for i in imports(GENERATOR) if i.target.startswith("generator.cli")}
    assert {m for m in importers if not m.startswith("generator.cli.")} == {"generator.__main__"}


@pytest.mark.parametrize("part", sorted(ALLOWED.keys() - {"__main__"}))
def test_each_stage_exports_its_public_names(part: str) -> None:
    """Each sub-package's ``__init__`` names what it exports, and those names exist."""
    package = importlib.import_module(f"generator.{part}")
    exported = getattr(package, "__all__", None)
    assert exported, f"generator/{part}/__init__.py has no __all__"
    assert all(hasattr(package, name) for name in exported)


@pytest.mark.parametrize("part", sorted(ALLOWED.keys() - {"__main__"}))
def test_each_stage_imports_on_its_own(part: str) -> None:
    """A stage imported first, in a fresh interpreter, does not depend on import order."""
    result = subprocess.run(
        [sys.executable, "-c", f"import generator.{part}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "generator"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


STAGES = {
    "spec/__init__.py": "",
    "spec/load.py": "from generator.diagnostics import Diagnostic\n",
    "ir/__init__.py": "",
    "ir/build.py": "from generator.spec.load import load\n",
    "diagnostics.py": "",
}


def test_a_tree_that_follows_the_rule_passes(tmp_path: Path) -> None:
    assert layout_problems(_tree(tmp_path, STAGES)) == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (  # backwards: the spec stage reads the IR
            {"spec/hoist.py": "def f():\n    from generator.ir import build\n"},
            "generator.spec.hoist:2 imports generator.ir.build: spec may not import ir",
        ),
        (  # a worker started by name counts as an import
            {"spec/hoist.py": 'MODULE = "generator.ir.build"\n'},
            "generator.spec.hoist:1 imports generator.ir.build: spec may not import ir",
        ),
        (
            {"naming.py": "import generator.spec.load\n"},
            "generator.naming:1 imports generator.spec.load: a leaf imports leaves only",
        ),
        (
            {"ir/readme.py": "from generator import cli\n", "cli/__init__.py": ""},
            "generator.ir.readme:1 imports generator.cli: ir may not import cli",
        ),
        ({"helpers.py": ""}, "helpers.py: 'helpers' is neither a leaf nor a stage"),
        ({"ir/deep/x.py": ""}, "ir/deep/x.py: sub-packages are one level deep"),
        ({"emit/render.py": ""}, "emit/: a sub-package needs an __init__.py"),
        ({"ir/types.py": "from . import build\n"}, "ir/types.py:1: relative import"),
    ],
)
def test_what_the_rule_forbids_is_found(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    assert expected in layout_problems(_tree(tmp_path, {**STAGES, **files}))
