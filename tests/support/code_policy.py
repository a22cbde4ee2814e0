"""What generated code may contain: the statement and call shapes templates and dcg emit.

Spec text reaches generated code only as literals, docstrings, comments and names made by
``generator.naming``. If some text escaped its literal it would show up here as a statement
or a call no template writes: an ``import os``, a call of ``os.system``, ``__import__``,
``eval``, a decorator, a module-level expression. ``problems`` lists every such node of a
generated module (the static runtime modules must be their templates, compared as syntax trees).

Imports are the templates' own, exactly: the top of a module imports the modules below, a
resource module (``resources/<name>.py``) the package's modules one level up. Only two imports
are not at the top: under ``if TYPE_CHECKING:`` (for annotations) a resource module imports the
client classes and a client module its resources' classes, and a client module's resource
property imports its resource's class when first used (``from .resources.repos import Repos``).
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from generator.config import HTTP_LIBRARIES
from generator.naming import RESERVED_MODULE_NAMES

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "templates" / "runtime"
RESOURCES = "resources"  # the subpackage holding one module per resource
GENERATED_MODULES = (
    "__init__.py",
    "client.py",
    "async_client.py",
    f"{RESOURCES}/__init__.py",
)
CLIENT_MODULES = frozenset({"client.py", "async_client.py"})
WEBHOOKS_MODULE = "webhooks.py"  # generated where the spec has webhooks or callbacks
# What a client module imports for ``client.webhooks`` (in its property and for annotations).
WEBHOOKS_IMPORT = ("webhooks", "Webhooks")
WEBHOOKS_FUNCTIONS = frozenset({"verify_signature", "unwrap"})  # webhooks.py's functions

ALLOWED_IMPORTS = frozenset(
    {
        "__future__",
        "asyncio",
        "builtins",
        "collections.abc",
        "copy",
        "datetime",
        "decimal",
        "httpx",
        "httpx2",
        "pydantic",
        "time",
        "types",
        "typing",
        "typing_extensions",
        "uuid",
    }
)
ALLOWED_RELATIVE = frozenset(
    {None, "_base", "_streaming", "_webhooks", "async_client", "client", "errors"}
)
RESOURCE_RELATIVE = frozenset({None, "_base", "_streaming", "errors"})  # from ``..``
# ``from . import`` / ``from .. import``
RELATIVE_NAMES = frozenset({"_base", "_pagination", "_webhooks", "errors", "models"})
# What a resource module imports under ``if TYPE_CHECKING:``: (module, name), one level up.
RESOURCE_TYPE_CHECKING = frozenset({("client", "Client"), ("async_client", "AsyncClient")})
# Functions a generated module calls by bare name; classes it defines come on top.
ALLOWED_CALLS = frozenset(
    {
        "cast",
        "isinstance",
        "super",
        "frozenset",
        "TypeVar",
        "Field",
        "ConfigDict",
        "TypeAliasType",
        "Stream",
        "AsyncStream",
        *WEBHOOKS_FUNCTIONS,  # webhooks.py: its class's methods call its functions
    }
)
# Objects whose methods a generated module calls: modules the templates import, and the
# template's own local variables.
ALLOWED_RECEIVERS = frozenset(
    {
        "_base",
        "_webhooks",
        "_pagination",
        "errors",
        "httpx",
        "httpx2",
        "asyncio",
        "time",
        "copy",
        "self",
        "response",
        "retry",
        "poller",
        "raw",
        "other",
    }
)
# The runtime classes a generated client extends, and the config it sets on its class.
CLIENT_BASES = frozenset({"_base.SyncAPIClient", "_base.AsyncAPIClient"})
MODULE_LEVEL_CALLS = frozenset(
    {
        "TypeVar",
        "_base.ClientConfig",
        "TypeAliasType",
        "_webhooks.SignatureScheme",
        "_webhooks.EventTypes",
    }
)
DECORATORS = frozenset({"property"})


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{dotted(node.func)}()"
    return f"<{type(node).__name__}>"


Resources = Mapping[str, frozenset[str]]  # resource module -> the classes it defines


def problems(
    name: str,
    source: str,
    resources: Resources | None = None,
    siblings: frozenset[str] = frozenset(),
) -> list[str]:
    """Every node of a generated module that its templates could not have written.

    ``name`` is the module's path in its package (``client.py``, ``resources/repos.py``);
    ``resources`` are the package's resource modules, whose classes a client module imports;
    ``siblings``, for a module of the models package, the other model modules, which it may
    import classes from (``from ._x import A``).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"{name}: does not parse: {exc}"]
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    classes |= {
        alias.name
        for n in tree.body
        if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module in siblings
        for alias in n.names
        if alias.asname is None
    }
    resources = resources or {}
    found = [
        f"{name}:{line}: {what}" for line, what in _module(tree, classes, name, resources, siblings)
    ]
    found += [
        f"{name}:{line}: {what}" for line, what in _everywhere(tree, classes, name, resources)
    ]
    return found


def runtime_problems(name: str, source: str) -> list[str]:
    """A static runtime module is its template (formatted) under a one-line comment header;
    in a package on httpx2, with the word ``httpx`` (the module) read as ``httpx2``."""
    header = source.partition("\n")[0]
    template = (RUNTIME / name).read_text(encoding="utf-8")
    found = []
    if not header.startswith("# Generated by clientgen from "):
        found.append(f"{name}: header is not one comment line")
    try:
        shipped = ast.dump(ast.parse(source))
        same = any(
            shipped == ast.dump(ast.parse(re.sub(r"\bhttpx\b", library, template)))
            for library in HTTP_LIBRARIES
        )
    except SyntaxError as exc:
        return [*found, f"{name}: does not parse: {exc}"]
    if not same:
        found.append(f"{name}: differs from templates/runtime/{name}")
    return found


def package_problems(package_dir: Path) -> list[str]:
    """The problems of every module of a generated package, and of its set of modules."""
    resources = resource_classes(package_dir)
    found = []
    for path in sorted(package_dir.glob("*.py")) + sorted(package_dir.glob(f"{RESOURCES}/*.py")):
        name = path.relative_to(package_dir).as_posix()
        source = path.read_text(encoding="utf-8")
        if name in GENERATED_MODULES or name == WEBHOOKS_MODULE or _in_resources(name):
            found += problems(name, source, resources)
        else:
            found += runtime_problems(name, source)
    expected = {*GENERATED_MODULES, *(p.name for p in RUNTIME.glob("*.py"))}
    if (package_dir / WEBHOOKS_MODULE).is_file():
        expected.add(WEBHOOKS_MODULE)
    expected |= {f"{RESOURCES}/{module}.py" for module in resources}
    expected |= {f"models/{p.name}" for p in (package_dir / "models").glob("*.py")}
    actual = {p.relative_to(package_dir).as_posix() for p in package_dir.rglob("*.py")}
    if actual != expected:
        found.append(f"modules {sorted(actual)} != {sorted(expected)}")
    found += [f"{RESOURCES}/{m}.py: not a plain module name" for m in resources if not _plain(m)]
    folders = {p.name for p in package_dir.iterdir() if p.is_dir() and p.name != "__pycache__"}
    if folders != {"models", RESOURCES}:
        found.append(f"folders {sorted(folders)} != ['models', {RESOURCES!r}]")
    return found + models_problems(package_dir / "models")


# The end of models/__init__.py: the same in every package.
MODELS_INIT_TAIL = """
if not _typing.TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        module = _MODULES.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
"""
_MODEL_MODULE = re.compile(r"_[a-z0-9]+(?:_[a-z0-9]+)*\.py")


def models_problems(folder: Path) -> list[str]:
    """The models package: ``__init__`` as its template writes it, model modules as dcg's."""
    paths = sorted(folder.glob("*.py"))
    stems = frozenset(p.stem for p in paths if p.name != "__init__.py")
    found = [
        f"models/{p.name}: not a model module name"
        for p in paths
        if p.name != "__init__.py" and not _MODEL_MODULE.fullmatch(p.name)
    ]
    for path in paths:
        if path.name != "__init__.py":
            source = path.read_text(encoding="utf-8")
            found += problems(f"models/{path.name}", source, siblings=stems)
    init = folder / "__init__.py"
    if not init.is_file():
        return [*found, "models/__init__.py: missing"]
    return found + [f"models/__init__.py: {p}" for p in _models_init(init.read_text(), stems)]


def _models_init(source: str, stems: frozenset[str]) -> Iterator[str]:
    body = ast.parse(source).body
    if not (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)):
        yield "no docstring"
        return
    head = [ast.dump(n) for n in body[1:4]]
    expected = "\n".join(
        (
            "from __future__ import annotations",
            "import importlib as _importlib",
            "import typing as _typing",
        )
    )
    if not stems:
        head = [ast.dump(n) for n in body[1:]]
        if head != [
            ast.dump(n)
            for n in ast.parse("from __future__ import annotations\n__all__: list[str] = []").body
        ]:
            yield "an empty models package has more than __all__"
        return
    if head != [ast.dump(n) for n in ast.parse(expected).body]:
        yield "imports are not the template's"
    rest = body[4:]
    if len(rest) != 4:
        yield f"{len(rest)} statements after the imports, not 4"
        return
    typing_block, names, modules, tail = rest
    if not (
        isinstance(typing_block, ast.If) and dotted(typing_block.test) == "_typing.TYPE_CHECKING"
    ):
        yield "no TYPE_CHECKING block"
    else:
        for node in typing_block.body:
            if not (
                isinstance(node, ast.ImportFrom)
                and node.level == 1
                and node.module in stems
                and all(a.asname is None and a.name.isidentifier() for a in node.names)
            ):
                yield f"line {node.lineno}: not an import of a model module"
    if not (
        isinstance(names, ast.Assign)
        and [dotted(t) for t in names.targets] == ["__all__"]
        and isinstance(names.value, ast.List)
        and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in names.value.elts)
    ):
        yield "__all__ is not a list of strings"
    if not (
        isinstance(modules, ast.AnnAssign)
        and dotted(modules.target) == "_MODULES"
        and isinstance(modules.value, ast.Dict)
        and all(isinstance(k, ast.Constant) for k in modules.value.keys)
        and all(isinstance(v, ast.Constant) and v.value in stems for v in modules.value.values)
    ):
        yield "_MODULES does not map names to model modules"
    if ast.dump(tail) != ast.dump(ast.parse(MODELS_INIT_TAIL).body[0]):
        yield "its __getattr__ is not the template's"


def resource_classes(package_dir: Path) -> dict[str, frozenset[str]]:
    """resource module -> the classes it defines, for the modules in ``resources/``."""
    found = {}
    for path in sorted((package_dir / RESOURCES).glob("*.py")):
        if path.stem != "__init__":
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except SyntaxError:
                tree = ast.Module(body=[], type_ignores=[])  # problems() reports it
            found[path.stem] = frozenset(n.name for n in tree.body if isinstance(n, ast.ClassDef))
    return found


def _plain(module: str) -> bool:
    """A name a resource module may have: a lowercase identifier, no keyword, no leading
    underscore, no name Windows refuses for a file."""
    return (
        module.isidentifier()
        and module.isascii()
        and module == module.lower()
        and not module.startswith("_")
        and not keyword.iskeyword(module)
        and module not in RESERVED_MODULE_NAMES
    )


def _in_resources(name: str) -> bool:
    return name.startswith(f"{RESOURCES}/")


def _is_model_base(node: ast.ImportFrom) -> bool:
    """``from <package>._base import Model``: models.py's base class, named by the package."""
    module = node.module or ""
    parts = module.split(".")
    return (
        len(parts) == 2
        and parts[0].isidentifier()
        and parts[1] == "_base"
        and [(a.name, a.asname) for a in node.names] == [("Model", None)]
    )


def _module(
    tree: ast.Module,
    classes: set[str],
    name: str,
    resources: Resources,
    siblings: frozenset[str] = frozenset(),
) -> Iterator[tuple[int, str]]:
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name not in ALLOWED_IMPORTS or alias.asname:
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module not in ALLOWED_IMPORTS and not _is_model_base(node):
                yield node.lineno, f"from {node.module} import"
            if node.level:
                yield from _relative_import(node, name, siblings)
            if node.level == 0 and node.module == "builtins" and node.names:
                yield node.lineno, "from builtins import (an alias of a builtin)"
        elif (block := _type_checking_block(node, name)) is not None:
            yield from _type_checking_imports(block, name, resources)
        elif isinstance(node, ast.ClassDef):
            yield from _class(node, classes)
        elif isinstance(node, ast.FunctionDef) and name == WEBHOOKS_MODULE:
            if node.decorator_list or node.name not in WEBHOOKS_FUNCTIONS:
                yield node.lineno, f"module-level function {node.name}"
        elif isinstance(node, ast.AnnAssign) and name == WEBHOOKS_MODULE:
            if not (_is_type_alias(node) and isinstance(node.target, ast.Name)):
                yield node.lineno, "annotated assignment other than the event type alias"
        elif isinstance(node, ast.Assign):
            if not all(isinstance(t, ast.Name) for t in node.targets):
                yield node.lineno, "assignment to something other than a name"
            yield from _module_value(node.value, node.lineno, classes)
        elif isinstance(node, ast.Expr):
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                continue  # a docstring
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr == "model_rebuild"
                and dotted(value.func.value) in classes
                and not value.args
                and not value.keywords
            ):
                continue
            yield node.lineno, f"module-level expression {dotted(value)}"
        else:
            yield node.lineno, f"module-level {type(node).__name__}"


def _relative_import(
    node: ast.ImportFrom, name: str, siblings: frozenset[str]
) -> Iterator[tuple[int, str]]:
    """At the top of a module: the package's modules, from one level up in a resource module;
    in a model module, the classes of other model modules."""
    if name.startswith("models/"):
        if node.level != 1 or node.module not in siblings:
            yield node.lineno, f"relative import {node.module!r} (level {node.level})"
        return
    level, allowed = (2, RESOURCE_RELATIVE) if _in_resources(name) else (1, ALLOWED_RELATIVE)
    if node.level != level or node.module not in allowed:
        yield node.lineno, f"relative import {node.module!r} (level {node.level})"
    elif node.module is None and not {a.name for a in node.names} <= RELATIVE_NAMES:
        yield node.lineno, f"relative import of {[a.name for a in node.names]}"


def _type_checking_block(node: ast.stmt, name: str) -> ast.If | None:
    """``node`` if it is an ``if TYPE_CHECKING:`` block in a module whose template writes one
    (a client or resource module)."""
    if (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
        and not node.orelse
        and (name in CLIENT_MODULES or _in_resources(name))
    ):
        return node
    return None


def _type_checking_imports(
    node: ast.If, name: str, resources: Resources
) -> Iterator[tuple[int, str]]:
    """``if TYPE_CHECKING:`` holds imports for annotations only: the client classes in a
    resource module, the resource classes in a client module."""
    for item in node.body:
        if not isinstance(item, ast.ImportFrom):
            yield item.lineno, f"{type(item).__name__} under if TYPE_CHECKING"
        elif name in CLIENT_MODULES and _is_webhooks_import(item):
            continue
        elif name in CLIENT_MODULES:
            yield from _resource_import(item, resources, single=False)
        elif item.level == 1 and item.module in resources:  # a nested resource's classes
            yield from _resource_import(_as_from_package(item), resources, single=False)
        elif (
            item.level != 2
            or any(a.asname for a in item.names)
            or not {(item.module, a.name) for a in item.names} <= RESOURCE_TYPE_CHECKING
        ):
            yield item.lineno, f"import from {item.module!r} under if TYPE_CHECKING"


def _is_webhooks_import(node: ast.ImportFrom) -> bool:
    """``from .webhooks import Webhooks`` (a client module's ``webhooks`` property)."""
    return node.level == 1 and [(node.module, a.name, a.asname) for a in node.names] == [
        (*WEBHOOKS_IMPORT, None)
    ]


def _resource_import(
    node: ast.ImportFrom, resources: Resources, *, single: bool
) -> Iterator[tuple[int, str]]:
    """``from .resources.<module> import <class>, ...`` in a client module: classes that
    resource module defines, by their own names (``single``: exactly one)."""
    package, _, module = (node.module or "").partition(".")
    names = [a.name for a in node.names]
    if node.level != 1 or package != RESOURCES or module not in resources:
        yield node.lineno, f"import from {node.module!r} (level {node.level})"
    elif (
        any(a.asname for a in node.names)
        or not set(names) <= resources[module]
        or (single and len(names) != 1)
    ):
        yield node.lineno, f"import of {names} from {node.module!r}"


def _as_from_package(node: ast.ImportFrom) -> ast.ImportFrom:
    """``from .customers_sources import X`` in a resource module, read as the client module's
    ``from .resources.customers_sources import X``."""
    return ast.ImportFrom(
        module=f"{RESOURCES}.{node.module}", names=node.names, level=1, lineno=node.lineno
    )


def _lazy_imports(tree: ast.Module, name: str) -> set[ast.stmt]:
    """The imports a client or resource module's properties make (a resource's nested
    resources): statements of a ``@property`` body."""
    if name not in CLIENT_MODULES and not _in_resources(name):
        return set()
    return {
        statement
        for cls in tree.body
        if isinstance(cls, ast.ClassDef)
        for function in cls.body
        if isinstance(function, ast.FunctionDef)
        and [dotted(d) for d in function.decorator_list] == ["property"]
        for statement in function.body
        if isinstance(statement, ast.ImportFrom)
    }


def _is_type_alias(node: ast.AnnAssign) -> bool:
    """``Event: TypeAlias = models.A | models.B | UnknownWebhookEvent``: names and nothing else."""
    parts: list[ast.expr] = []
    stack = [node.value]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.BinOp) and isinstance(item.op, ast.BitOr):
            stack += [item.left, item.right]
        elif item is not None:
            parts.append(item)
    return (
        dotted(node.annotation) == "TypeAlias"
        and bool(parts)
        and all(isinstance(p, ast.Name | ast.Attribute) and "<" not in dotted(p) for p in parts)
    )


def _module_value(value: ast.expr, line: int, classes: set[str]) -> Iterator[tuple[int, str]]:
    if isinstance(value, ast.Call):
        if dotted(value.func) not in MODULE_LEVEL_CALLS:
            yield line, f"module-level call {dotted(value.func)}"
    elif not _is_literal(value):
        yield line, f"module-level value {type(value).__name__}"


def _is_literal(value: ast.expr) -> bool:
    try:
        ast.literal_eval(value)
    except ValueError:
        return False
    return True


def _class(node: ast.ClassDef, classes: set[str]) -> Iterator[tuple[int, str]]:
    if node.decorator_list or node.keywords:
        yield node.lineno, f"class {node.name}: decorators or keywords"
    page_class = _is_page_class(node)
    for base in node.bases:
        if (
            dotted(base) not in {"Model", "RootModel", *CLIENT_BASES, *classes}
            and not (isinstance(base, ast.Subscript) and dotted(base.value) == "RootModel")
            and not page_class
        ):
            yield node.lineno, f"class {node.name}: base {dotted(base)}"
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in item.decorator_list:
                if dotted(decorator) not in DECORATORS:
                    yield item.lineno, f"decorator {dotted(decorator)}"
        elif isinstance(item, ast.AnnAssign):
            if not isinstance(item.target, ast.Name):
                yield item.lineno, "class attribute that is not a name"
        elif isinstance(item, ast.Assign):
            targets = [dotted(t) for t in item.targets]
            if not (
                (
                    targets == ["model_config"]
                    and dotted(getattr(item.value, "func", item)) == "ConfigDict"
                )
                or (targets == ["__annotations__"] and _typed_extra(item.value))
                or (targets == ["_config"] and dotted(item.value) == "_CONFIG")
            ):
                yield item.lineno, f"class-level assignment {targets}"
        elif isinstance(item, ast.Expr):
            if not (isinstance(item.value, ast.Constant) and isinstance(item.value.value, str)):
                yield item.lineno, f"class-level expression {dotted(item.value)}"
        elif isinstance(item, ast.Pass):
            if len(node.body) > 1:  # the body of a model with no field, docstring or config
                yield item.lineno, "class-level pass beside other statements"
        else:
            yield item.lineno, f"class-level {type(item).__name__}"


def _is_page_class(node: ast.ClassDef) -> bool:
    """A list operation's page: ``class P(models.X, _pagination.SyncPage[...])`` (or
    ``AsyncPage``), its body a docstring."""
    if len(node.bases) != 2 or len(node.body) != 1:
        return False
    model, page = node.bases
    return (
        isinstance(model, ast.Attribute)
        and dotted(model.value) == "models"
        and isinstance(page, ast.Subscript)
        and dotted(page.value) in ("_pagination.SyncPage", "_pagination.AsyncPage")
        and not any(isinstance(n, ast.Call) for n in ast.walk(page))
    )


def _typed_extra(value: ast.expr) -> bool:
    """dcg's ``__annotations__ = {"__pydantic_extra__": dict[str, X]}`` (typed extra fields)."""
    return (
        isinstance(value, ast.Dict)
        and len(value.keys) == 1
        and isinstance(value.keys[0], ast.Constant)
        and value.keys[0].value == "__pydantic_extra__"
        and not any(isinstance(n, ast.Call) for n in ast.walk(value))
    )


def _everywhere(
    tree: ast.Module, classes: set[str], name: str, resources: Resources
) -> Iterator[tuple[int, str]]:
    calls = ALLOWED_CALLS | classes
    lazy = _lazy_imports(tree, name)
    guarded = {  # checked by _module, with their block
        item
        for node in tree.body
        if (block := _type_checking_block(node, name)) is not None
        for item in block.body
    }
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Global | ast.Nonlocal | ast.Delete | ast.Yield | ast.YieldFrom):
            yield line, type(node).__name__
        elif isinstance(node, ast.Import | ast.ImportFrom) and node not in tree.body:
            if isinstance(node, ast.ImportFrom) and node in lazy and _is_webhooks_import(node):
                continue
            if isinstance(node, ast.ImportFrom) and node in lazy and _in_resources(name):
                yield from _resource_import(_as_from_package(node), resources, single=True)
            elif isinstance(node, ast.ImportFrom) and node in lazy:
                yield from _resource_import(node, resources, single=True)
            elif node not in guarded:
                yield line, "import inside a function or class"
        elif isinstance(node, ast.Attribute) and node.attr.startswith("__"):
            if node.attr not in ("__init__",):
                yield line, f"attribute {node.attr}"
        elif isinstance(node, ast.Call):
            yield from _call(node, calls)
        elif isinstance(node, ast.Lambda):
            if not isinstance(node.body, ast.Call):
                yield line, "lambda that is not a call"


def _call(node: ast.Call, calls: frozenset[str] | set[str]) -> Iterator[tuple[int, str]]:
    target = dotted(node.func)
    if isinstance(node.func, ast.Name):
        if target not in calls and target != "fetch":
            yield node.lineno, f"call {target}"
        return
    root = target.split(".", 1)[0]
    if target == "super().__init__":
        return
    if root == "builtins":
        yield node.lineno, f"call {target}"
    elif root not in ALLOWED_RECEIVERS and root not in calls:
        yield node.lineno, f"call {target}"


IMPORTABLE = frozenset(
    {
        "pydantic",
        "pydantic_core",
        "typing_extensions",
        "typing_inspection",
        "annotated_types",
        "httpx",
        "httpcore",
        "httpx2",
        "httpcore2",
        "truststore",
        "anyio",
        "sniffio",
        "certifi",
        "idna",
        "h11",
        "h2",
        "hpack",
        "hyperframe",
        "exceptiongroup",
        "zoneinfo",
        "_distutils_hack",
    }
)
SIDE_EFFECT_MODULES = frozenset(
    {"antigravity", "this", "webbrowser", "turtle", "tkinter", "idlelib", "pty", "pdb"}
)
DANGEROUS_EVENTS = (
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.kill",
    "os.remove",
    "os.rename",
    "os.rmdir",
    "shutil.rmtree",
    "subprocess.Popen",
    "socket.connect",
    "socket.getaddrinfo",
    "webbrowser.open",
    "ctypes.dlopen",
    "urllib.Request",
)

# Imports packages given on the command line, builds both clients, every resource (importing
# its module) and every model's schema, with an audit hook that records what a spec's text
# could have made happen.
AUDIT_SCRIPT = f"""
import sys
sys.dont_write_bytecode = True
packages = sys.argv[1:]
stdlib = set(sys.stdlib_module_names)
allowed = {sorted(IMPORTABLE)!r}
side_effects = {sorted(SIDE_EFFECT_MODULES)!r}
dangerous = {DANGEROUS_EVENTS!r}
seen = []
recording = False

def hook(event, args):
    if not recording:
        return
    if event == "import":
        top = str(args[0]).split(".")[0]
        if top in side_effects or (
            top not in stdlib and top not in allowed and top not in packages
            and not top.startswith("_sysconfigdata")
        ):
            seen.append(("import", str(args[0])))
    elif event.startswith(dangerous):
        seen.append((event, repr(args)[:120]))
    elif event == "open" and len(args) > 1 and isinstance(args[1], str) and (
        set(args[1]) & set("wax+")
    ):
        seen.append(("open for writing", repr(args[0])[:120]))

sys.addaudithook(hook)

import asyncio
import importlib
import inspect
import pkgutil

# what the runtime imports on its own (optional extras included) is no concern
import httpx
import httpx2
import pydantic

for library in (httpx, httpx2):
    with library.Client() as warm_up:
        pass
allowed += [name.split(".")[0] for name in sys.modules]
recording = True

def touch(obj, depth=0):  # every property: a client's resources and raw views, theirs in turn
    for name, value in list(vars(type(obj)).items()):
        if isinstance(value, property) and depth < 8:  # nested resources too
            touch(getattr(obj, name), depth + 1)

for package in packages:
    module = importlib.import_module(package)
    models = importlib.import_module(package + ".models")
    with module.Client(api_key="k", base_url="http://127.0.0.1:9") as client:
        touch(client)
    aclient = module.AsyncClient(api_key="k", base_url="http://127.0.0.1:9")
    touch(aclient)
    asyncio.run(aclient.close())
    resources = importlib.import_module(package + ".resources")
    for found in pkgutil.iter_modules(resources.__path__):
        assert package + ".resources." + found.name in sys.modules, found.name
    for name in models.__all__:
        value = getattr(models, name)
        if inspect.isclass(value) and hasattr(value, "model_json_schema"):
            if value.__module__.startswith(models.__name__ + "."):
                value.model_json_schema()
    print(package, "ok")
for event in seen:
    print("AUDIT", *event)
"""
