"""The shape of the generator package, as a rule a test can hold: which part may import which.

``generator/`` is a few shared leaf modules and one level of sub-packages, one per stage.
Data goes one way (spec -> ir -> emit, spec -> models -> emit), ``workflow`` runs the stages,
``cli`` is the face (and ``__main__`` its one importer); ``ALLOWED`` says which other parts
each may import. Every part may import itself and the leaves; a leaf imports leaves only.

An import is any ``import``/``from ... import`` statement anywhere in a module (inside a
function too), and any string constant naming a module of the package (``python -m`` targets
such as ``"generator.models.worker"``), so a worker started by name counts as imported.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "generator"
LEAVES = frozenset({"__init__", "config", "diagnostics", "literals", "naming"})
ALLOWED: dict[str, frozenset[str]] = {
    "spec": frozenset(),
    "ir": frozenset({"spec"}),
    "models": frozenset({"spec"}),
    "emit": frozenset({"ir", "models"}),
    "apidiff": frozenset({"ir"}),
    "workflow": frozenset({"spec", "ir", "models", "emit"}),
    "cli": frozenset({"workflow", "apidiff", "emit"}),
    "__main__": frozenset({"cli"}),
}
_MODULE_NAME = re.compile(rf"{PACKAGE}(\.[a-z_][a-z0-9_]*)+")


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # the importing module, dotted
    line: int
    target: str  # the imported module, dotted

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def part_of(module: str) -> str:
    """``generator.spec.load`` -> ``spec``; a leaf module is its own part (``generator`` itself
    is ``__init__``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(root: Path, path: Path) -> str:
    relative = path.relative_to(root.parent).with_suffix("")
    return ".".join(relative.parts)


def _targets(node: ast.AST, names: set[str]) -> list[str]:
    """The package modules ``node`` imports (``names``: every module of the package)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == PACKAGE]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module.split(".")[0] == PACKAGE:  # ``from x import y``: module x.y, or x
            dotted = (f"{node.module}.{a.name}" for a in node.names)
            return [name if name in names else node.module for name in dotted]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if _MODULE_NAME.fullmatch(node.value) and node.value in names:
            return [node.value]
    return []


def imports(root: Path) -> list[Import]:
    """Every import between modules of the package at ``root`` (the ``generator`` folder)."""
    paths = sorted(root.rglob("*.py"))
    names = {module_name(root, p).removesuffix(".__init__") for p in paths}
    found: list[Import] = []
    for path in paths:
        module = module_name(root, path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for target in _targets(node, names):
                found.append(Import(module, getattr(node, "lineno", 0), target))
    return found


def layout_problems(root: Path) -> list[str]:
    """What breaks the layout: unknown parts, nesting, relative imports, backward imports."""
    problems: list[str] = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if len(parts) > 2:
            problems.append(f"{'/'.join(parts)}: sub-packages are one level deep")
        part = parts[0].removesuffix(".py")
        if part not in LEAVES and part not in ALLOWED:
            problems.append(f"{'/'.join(parts)}: {part!r} is neither a leaf nor a stage")
        if len(parts) == 2 and not (root / parts[0] / "__init__.py").is_file():
            problems.append(f"{parts[0]}/: a sub-package needs an __init__.py")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                problems.append(f"{'/'.join(parts)}:{node.lineno}: relative import")
    for found in imports(root):
        source, target = part_of(found.module), part_of(found.target)
        if source == target or target in LEAVES:
            continue
        if source in LEAVES:
            problems.append(f"{found}: a leaf imports leaves only")
        elif target not in ALLOWED.get(source, frozenset()):
            problems.append(f"{found}: {source} may not import {target}")
    return problems
