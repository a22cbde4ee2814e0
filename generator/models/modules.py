"""The models package: datamodel-code-generator's one module, split so that it imports lazily.

A package of thousands of pydantic models takes seconds to import even from bytecode: each
class is built when its module runs. So the models of a generated package live in many small
modules under ``<package>/models/``, and ``models/__init__.py`` imports one only when one of
its names is first asked for (a module ``__getattr__``; under ``TYPE_CHECKING`` it imports
them all, so ``from <package>.models import X`` is typed). Touching one model costs that
model's module and the modules it refers to, nothing else.

How statements are grouped into modules:

- Each top-level statement of the generated module defines one or more names (a class, a
  type alias) or rebuilds a class (``X.model_rebuild()``, which goes with ``X``).
- Statements that refer to each other in a cycle (a strongly connected component of the
  "refers to" graph) share a module: Python modules cannot import each other in a cycle.
- A component referred to by exactly one other component joins that component's module:
  the helper classes of a schema (its inline objects, its enums) live with it. One referred
  to by several, or by none, starts a module of its own, named after its first class.

The modules then form an acyclic import graph: a module is entered only through the component
that started it (every other member has one referrer, inside the module), so an import cycle
between modules would be a cycle between components, which were merged. Within a module the
statements keep the generated order; each module imports exactly the names it uses.
"""

from __future__ import annotations

import ast
import heapq
import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from generator.naming import to_snake

MODULE_NAME_LIMIT = 60
_MODULE_NAME = re.compile(r"_[a-z0-9]+(?:_[a-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class Statement:
    source: str
    defines: tuple[str, ...]  # names bound at module level (empty for a rebuild call)
    owner: str | None  # the class a ``X.model_rebuild()`` call rebuilds
    uses: frozenset[str]  # every name it reads
    needs: frozenset[str]  # the names it reads when it runs (annotations are read later)
    chunk: int = 0  # the generated module it comes from (see ``generator.models.chunks``)


@dataclass(frozen=True, slots=True)
class ModelModule:
    name: str  # the module's file stem under models/, e.g. ``_full_repository``
    statements: tuple[Statement, ...]
    defines: tuple[str, ...]


ImportNode = ast.Import | ast.ImportFrom


@dataclass(frozen=True, slots=True)
class SplitModels:
    modules: tuple[ModelModule, ...]
    imports: tuple[tuple[ImportNode, ...], ...]  # each generated module's imports


class NameClash(Exception):
    """Two statements put in one module mean different things by one name."""


def read(source: str, chunk: int = 0) -> tuple[tuple[ImportNode, ...], list[Statement]]:
    """A generated module's imports (``__future__`` aside) and its other statements."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    imports: list[ImportNode] = []
    statements: list[Statement] = []
    ends: list[int] = []  # each statement's last line
    classes: set[str] = set()  # the classes defined so far
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            if not (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
                imports.append(node)
            continue
        end = node.end_lineno or node.lineno
        if _is_docstring(node) and statements:  # an alias's docstring: part of the alias
            last = statements.pop()
            text = last.source + "".join(lines[ends.pop() : end])
            statements.append(
                Statement(text, last.defines, last.owner, last.uses, last.needs, chunk)
            )
        else:
            text = "".join(lines[node.lineno - 1 : end])
            node, text = _plain_alias(node, text, classes)
            if isinstance(node, ast.ClassDef):
                classes.add(node.name)
            elif _aliased_class(node, classes):  # a plain alias of a class is one too
                classes.add(_aliased_class(node, classes))
            statements.append(
                Statement(text, _defined(node), _rebuilt(node), _used(node), _needed(node), chunk)
            )
        ends.append(end)
    return _unaliased(tuple(imports), statements)


def _unaliased(
    imports: tuple[ImportNode, ...], statements: list[Statement]
) -> tuple[tuple[ImportNode, ...], list[Statement]]:
    """The statements, each with an import the generator renamed for the whole module
    (``from datetime import date as date_aliased``, because some class of it has a field
    ``date``) written by its own name wherever the statement itself binds no such name.

    datamodel-code-generator renames an import for its whole module once any name of the
    module hides it, so a class's text would depend on the other classes of its chunk; a
    class reads the same whatever chunk it came from. The statement keeps the renamed import
    where its own class body (or its own module-level name) binds the name, and where the
    chunk defines a class of that name.
    """
    renamed = {
        alias.asname: alias.name
        for node in imports
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname is not None and alias.asname.startswith(alias.name + "_aliased")
    }
    if not renamed:
        return imports, statements
    defined = {name for s in statements for name in s.defines}
    restored: set[str] = set()
    out: list[Statement] = []
    for statement in statements:
        wanted = {
            alias: name
            for alias, name in renamed.items()
            if alias in statement.uses and name not in defined
        }
        text = _renamed_names(statement.source, wanted) if wanted else None
        if text is None:
            out.append(statement)
            continue
        node = ast.parse(text).body[0]
        if set(wanted.values()) & _bound_within(node):  # its own field hides the name: kept
            out.append(statement)
            continue
        restored.update(wanted)
        out.append(
            Statement(
                text,
                statement.defines,
                statement.owner,
                _used(node),
                _needed(node),
                statement.chunk,
            )
        )
    if not restored:
        return imports, statements
    plain = [
        ast.ImportFrom(module=node.module, names=[ast.alias(name=alias.name)], level=node.level)
        for node in imports
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname in restored
    ]
    return (*imports, *plain), out


def _renamed_names(source: str, names: dict[str, str]) -> str | None:
    """``source`` with each name token in ``names`` replaced by its value; None where one of
    them also appears other than as a name (inside a string: a quoted type)."""
    lines = source.splitlines(keepends=True)
    spots: list[tuple[int, int, int, str]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NAME and token.string in names:
                (row, start), (_, end) = token.start, token.end
                spots.append((row - 1, start, end, names[token.string]))
            elif token.type == tokenize.STRING and any(n in token.string for n in names):
                return None
    except (tokenize.TokenError, SyntaxError):
        return None
    for row, start, end, name in reversed(spots):
        lines[row] = lines[row][:start] + name + lines[row][end:]
    return "".join(lines)


def _bound_within(node: ast.stmt) -> set[str]:
    """The names a statement binds: its own, and those of the class bodies within it."""
    bound = set(_defined(node))
    for child in ast.walk(node):
        if isinstance(child, ast.ClassDef):
            for item in child.body:
                bound.update(_defined(item))
    return bound


def dump(source: str) -> list[Any]:
    """``read`` of a generated module as JSON values: its imports' source, its statements."""
    imports, statements = read(source)
    return [
        "\n".join(ast.unparse(node) for node in imports),
        [[s.source, list(s.defines), s.owner, sorted(s.uses), sorted(s.needs)] for s in statements],
    ]


def load(dumped: list[Any], chunk: int = 0) -> tuple[tuple[ImportNode, ...], list[Statement]]:
    """What ``dump`` wrote, as ``read`` returns it for the generated module ``chunk``."""
    import_source, rows = dumped
    imports = tuple(n for n in ast.parse(import_source).body if isinstance(n, ImportNode))
    statements = [
        Statement(source, tuple(defines), owner, frozenset(uses), frozenset(needs), chunk)
        for source, defines, owner, uses, needs in rows
    ]
    return imports, statements


def _plain_alias(node: ast.stmt, text: str, classes: set[str]) -> tuple[ast.stmt, str]:
    """``X = TypeAliasType("X", Y)``, an alias of a model class defined above, as ``X = Y``.

    pydantic (2.14) writes the alias's reference into the schema it keeps for ``Y``, so once
    a model ``Y`` refers to itself, the second schema built through ``X`` (a field of a
    second model, a second ``TypeAdapter``) fails as "a circular reference to itself". The
    plain alias is the same type to mypy and no new schema to pydantic.
    """
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "TypeAliasType"
        and len(node.value.args) == 2
        and not node.value.keywords
        and isinstance(node.value.args[1], ast.Name)
        and node.value.args[1].id in classes
    ):
        plain = f"{node.targets[0].id} = {node.value.args[1].id}\n"
        return ast.parse(plain).body[0], plain
    return node, text


def _aliased_class(node: ast.stmt, classes: set[str]) -> str:
    """``X`` of ``X = Y`` where ``Y`` is one of ``classes``; else ``""``."""
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Name)
        and node.value.id in classes
    ):
        return node.targets[0].id
    return ""


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def split(imports: tuple[tuple[ImportNode, ...], ...], statements: list[Statement]) -> SplitModels:
    """Statements of one or more generated modules, grouped (see the module doc)."""
    bound = [bound_names(chunk) for chunk in imports]
    return SplitModels(tuple(_group(statements, bound)), imports)


def parse(source: str) -> SplitModels:
    """One generated module's statements, grouped into modules."""
    imports, statements = read(source)
    return split((imports,), statements)


def bound_names(imports: Iterable[ImportNode]) -> frozenset[str]:
    return frozenset(a.asname or a.name.split(".")[0] for node in imports for a in node.names)


def render(models: SplitModels, header: str) -> dict[str, str]:
    """Module stem -> source of every module of the models package (not ``__init__``).

    Raises ``NameClash`` where statements from different generated modules, put in one
    module, bind one name to different things (``Field`` imported from pydantic by one, a
    model ``Field`` by another)."""
    where = {name: module.name for module in models.modules for name in module.defines}
    bound = [bound_names(chunk) for chunk in models.imports]
    files: dict[str, str] = {}
    for module in models.modules:
        own = set(module.defines)
        bindings: dict[str, str] = {}
        for statement in module.statements:
            chunk = statement.chunk
            for line in _imports_used(models.imports[chunk], statement.uses):
                _bind(bindings, line)
            for name in statement.uses - bound[chunk] - own:
                if name in where:
                    _bind(bindings, (name, f"from .{where[name]} import {name}"))
        if own & bindings.keys():
            raise NameClash(f"{sorted(own & bindings.keys())} defined and imported")
        lines = [header, "", "from __future__ import annotations", ""]
        lines += sorted(set(bindings.values()))
        body = "\n\n".join(s.source.rstrip("\n") for s in module.statements)
        files[module.name] = "\n".join(lines) + "\n\n\n" + body + "\n"
    return files


def _bind(bindings: dict[str, str], binding: tuple[str, str]) -> None:
    name, line = binding
    if bindings.setdefault(name, line) != line:
        raise NameClash(f"{name}: {bindings[name]!r} and {line!r}")


def _imports_used(imports: Iterable[ImportNode], used: frozenset[str]) -> Iterator[tuple[str, str]]:
    """(bound name, one import line) of each imported name ``used`` reads."""
    for node in imports:
        for alias in node.names:
            name = alias.asname or alias.name.split(".")[0]
            if name in used:
                single: ImportNode = (
                    ast.ImportFrom(module=node.module, names=[alias], level=node.level)
                    if isinstance(node, ast.ImportFrom)
                    else ast.Import(names=[alias])
                )
                yield name, ast.unparse(single)


def _defined(node: ast.stmt) -> tuple[str, ...]:
    if isinstance(node, ast.ClassDef):
        return (node.name,)
    if isinstance(node, ast.Assign):
        return tuple(t.id for t in node.targets if isinstance(t, ast.Name))
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return (node.target.id,)
    return ()


def _rebuilt(node: ast.stmt) -> str | None:
    """``X`` of an ``X.model_rebuild()`` statement."""
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and isinstance(node.value.func.value, ast.Name)
    ):
        return node.value.func.value.id
    return None


def _used(node: ast.stmt) -> frozenset[str]:
    """Every name the statement reads, those of quoted type expressions included."""
    names: set[str] = set()

    def visit(child: ast.AST, in_type: bool) -> None:
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
            names.add(child.id)
        elif isinstance(child, ast.Constant) and isinstance(child.value, str) and in_type:
            names.update(_quoted_names(child.value))
        elif isinstance(child, ast.Subscript):
            visit(child.value, in_type)
            if not (isinstance(child.value, ast.Name) and child.value.id == "Literal"):
                visit(child.slice, True)
        elif isinstance(child, ast.AnnAssign):
            visit(child.target, False)
            visit(child.annotation, True)
            if child.value is not None:
                visit(child.value, False)
        elif (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Name)
            and child.func.id == "TypeAliasType"
        ):  # TypeAliasType("A", "list[B]"): the value is a type, quoted where it is recursive
            visit(child.func, False)
            for argument in [*child.args[1:], *(k.value for k in child.keywords)]:
                visit(argument, True)
        else:
            for grandchild in ast.iter_child_nodes(child):
                visit(grandchild, in_type)

    visit(node, False)
    return frozenset(names)


def _needed(node: ast.stmt) -> frozenset[str]:
    """The names a statement reads as it runs: all but those in annotations."""
    names: set[str] = set()

    def visit(child: ast.AST) -> None:
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
            names.add(child.id)
        elif isinstance(child, ast.AnnAssign):
            if child.value is not None:
                visit(child.value)
        else:
            for grandchild in ast.iter_child_nodes(child):
                visit(grandchild)

    visit(node)
    return frozenset(names)


def _quoted_names(text: str) -> set[str]:
    """The names of a forward reference (``"list[Pet]"``); none if it is not an expression."""
    try:
        parsed = ast.parse(text, mode="eval")
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(parsed) if isinstance(n, ast.Name)}


def _group(statements: list[Statement], bound: list[frozenset[str]]) -> list[ModelModule]:
    """Statements -> modules, in the order of each module's first statement."""
    # Nodes: one per defining statement; a rebuild call joins the statement of its class.
    defining = [i for i, s in enumerate(statements) if s.defines]
    if not defining:
        return []
    node_of: dict[str, int] = {}
    for index, i in enumerate(defining):
        for name in statements[i].defines:
            node_of.setdefault(name, index)
    members: list[list[int]] = [[i] for i in defining]
    for i, statement in enumerate(statements):
        if not statement.defines:
            owner = node_of.get(statement.owner or "")
            # A statement tied to no class (none are generated today) stays with the last.
            members[owner if owner is not None else len(members) - 1].append(i)
    # A name the statement's own generated module imports is not a model, whatever else
    # has that name.
    edges = [
        sorted(
            {
                node_of[n]
                for s in members[k]
                for n in statements[s].uses - bound[statements[s].chunk]
                if n in node_of
            }
            - {k}
        )
        for k in range(len(members))
    ]
    component_of, components = _strongly_connected(edges)
    referrers: list[set[int]] = [set() for _ in components]
    for k, targets in enumerate(edges):
        for t in targets:
            if component_of[t] != component_of[k]:
                referrers[component_of[t]].add(component_of[k])
    module_of: list[int] = [-1] * len(components)
    roots: list[int] = []
    for c in _topological(components, referrers):
        if len(referrers[c]) == 1:
            module_of[c] = module_of[next(iter(referrers[c]))]
        else:
            module_of[c] = len(roots)
            roots.append(c)
    grouped: list[list[int]] = [[] for _ in roots]
    for c, nodes in enumerate(components):
        for k in nodes:
            grouped[module_of[c]].extend(members[k])
    # Each module is named after the first class of the component that started it.
    first_names = [statements[members[components[root][0]][0]].defines[0] for root in roots]
    modules: list[ModelModule] = []
    taken: set[str] = set()
    for indexes, first in sorted(
        ((sorted(g), name) for g, name in zip(grouped, first_names, strict=True)),
        key=lambda pair: pair[0][0],
    ):
        chosen = _run_order([statements[i] for i in indexes], bound)
        defines = tuple(n for s in chosen for n in s.defines)
        modules.append(ModelModule(_module_name(first, taken), chosen, defines))
    return modules


def _run_order(statements: list[Statement], bound: list[frozenset[str]]) -> tuple[Statement, ...]:
    """A module's statements, each after those whose names it reads as it runs (a base class,
    an alias's members) and, where no cycle forbids it, after those its annotations read (so
    that pydantic builds each class complete at once), else in their order; rebuild calls
    last. A class left reading a name bound after it is rebuilt at the end
    (``_late_rebuilds``)."""
    rebuilds = [s for s in statements if not s.defines]
    defining = [s for s in statements if s.defines]
    definer = {n: i for i, s in enumerate(defining) for n in s.defines}

    def deps(names: frozenset[str], s: Statement, i: int) -> set[int]:
        return {definer[n] for n in names - bound[s.chunk] if n in definer and definer[n] != i}

    hard = [deps(s.needs, s, i) for i, s in enumerate(defining)]
    soft = [deps(s.uses, s, i) | hard[i] for i, s in enumerate(defining)]
    users: list[list[int]] = [[] for _ in defining]
    for i, wanted in enumerate(soft):
        for d in wanted:
            users[d].append(i)
    hard_left = [len(h) for h in hard]
    soft_left = [len(w) for w in soft]
    ready = [i for i in range(len(defining)) if not soft_left[i]]
    runnable = [i for i in range(len(defining)) if not hard_left[i]]
    heapq.heapify(ready)
    heapq.heapify(runnable)
    placed = [False] * len(defining)
    order: list[int] = []
    while len(order) < len(defining):
        while ready and placed[ready[0]]:
            heapq.heappop(ready)
        while runnable and placed[runnable[0]]:
            heapq.heappop(runnable)
        if ready:
            i = heapq.heappop(ready)
        elif runnable:  # a cycle through annotations: the first that can run goes first
            i = heapq.heappop(runnable)
        else:  # a cycle of base classes or alias members: as they came
            i = next(k for k in range(len(defining)) if not placed[k])
        placed[i] = True
        order.append(i)
        for user in users[i]:
            soft_left[user] -= 1
            if not soft_left[user]:
                heapq.heappush(ready, user)
            if i in hard[user]:
                hard_left[user] -= 1
                if not hard_left[user]:
                    heapq.heappush(runnable, user)
    ordered = [defining[i] for i in order]
    return tuple(ordered + rebuilds + _late_rebuilds(ordered, rebuilds))


def _late_rebuilds(ordered: list[Statement], rebuilds: list[Statement]) -> list[Statement]:
    """``X.model_rebuild()`` for each class whose annotations read a name its module binds
    only after it (an alias of a field's type, a class of a reference cycle).

    pydantic leaves such a class incomplete and completes it on first use from its own
    module's names. A subclass or a user in another module would try from that module's
    names, which lack the late one, and fail ("not fully defined"); rebuilt at the end of its
    own module, the class is complete before any other module can import it."""
    rebuilt = {s.owner for s in rebuilds}
    later: set[str] = set()
    late: list[Statement] = []
    for statement in reversed(ordered):
        later.update(statement.defines)
        if (
            statement.source.startswith("class ")
            and statement.defines[0] not in rebuilt
            and (statement.uses - statement.needs) & (later - set(statement.defines))
        ):
            name = statement.defines[0]
            uses = frozenset({name})
            source = f"{name}.model_rebuild()\n"
            late.append(Statement(source, (), name, uses, uses, statement.chunk))
    return late[::-1]


def _module_name(class_name: str, taken: set[str]) -> str:
    stem = "_" + to_snake(class_name)[: MODULE_NAME_LIMIT - 4].strip("_")
    if not _MODULE_NAME.fullmatch(stem):
        stem = "_model"
    name, number = stem, 1
    while name in taken:
        number += 1
        name = f"{stem}_{number}"
    taken.add(name)
    return name


def _strongly_connected(edges: list[list[int]]) -> tuple[list[int], list[list[int]]]:
    """Tarjan's algorithm, without recursion: (node -> component, components' nodes)."""
    count = len(edges)
    index = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    stack: list[int] = []
    component_of = [-1] * count
    components: list[list[int]] = []
    counter = 0
    for start in range(count):
        if index[start] != -1:
            continue
        work: list[tuple[int, int]] = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            if position < len(edges[node]):
                work.append((node, position + 1))
                target = edges[node][position]
                if index[target] == -1:
                    work.append((target, 0))
                elif on_stack[target]:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                nodes: list[int] = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component_of[member] = len(components)
                    nodes.append(member)
                    if member == node:
                        break
                components.append(sorted(nodes))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return component_of, components


def _topological(components: list[list[int]], referrers: list[set[int]]) -> list[int]:
    """Components with each after all that refer to it; ties by their first statement."""
    waiting = [len(r) for r in referrers]
    refers_to: list[list[int]] = [[] for _ in components]
    for c, rs in enumerate(referrers):
        for r in rs:
            refers_to[r].append(c)
    ready = [(components[c][0], c) for c in range(len(components)) if not waiting[c]]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        _, c = heapq.heappop(ready)
        order.append(c)
        for t in refers_to[c]:
            waiting[t] -= 1
            if not waiting[t]:
                heapq.heappush(ready, (components[t][0], t))
    return order
