"""Every name that reaches generated code is made here, and only here.

Spec text is arbitrary; the names returned are always valid, non-reserved Python identifiers.
``PyIdent`` marks strings that are safe to print as identifiers. A ``NameRegistry`` is one
scope (a class's fields, a method's parameters, a module's classes) and resolves clashes with
``_2``, ``_3`` suffixes in the order names are claimed, which callers keep deterministic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import NewType

PyIdent = NewType("PyIdent", str)

# Hard keywords only, written out: soft keywords (match, case, type, _) are valid names, and the
# running Python's own lists change between versions; the output must not.
HARD_KEYWORDS = frozenset(
    {
        "False",
        "None",
        "True",
        "and",
        "as",
        "assert",
        "async",
        "await",
        "break",
        "class",
        "continue",
        "def",
        "del",
        "elif",
        "else",
        "except",
        "finally",
        "for",
        "from",
        "global",
        "if",
        "import",
        "in",
        "is",
        "lambda",
        "nonlocal",
        "not",
        "or",
        "pass",
        "raise",
        "return",
        "try",
        "while",
        "with",
        "yield",
    }
)

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")

# Names a generated models.py imports or that pydantic/typing reserve at class level.
RESERVED_CLASS_NAMES = frozenset(
    {
        "Annotated",
        "Any",
        "AnyUrl",
        "AwareDatetime",
        "BaseModel",
        "ConfigDict",
        "Field",
        "Literal",
        "Optional",
        "RootModel",
        "TypeAliasType",
        "Union",
        "List",
        "Dict",
        "UUID",
        "Decimal",
        "date",
        "datetime",
        "time",
        "timedelta",
        "Enum",
        "Client",
        "AsyncClient",
        "NotGiven",
        "Base64Str",
        "SecretStr",
        "EmailStr",
        "NaiveDatetime",
        "Json",
        "Path",
        "Model",
        "Models",
        "IntEnum",
        "StrEnum",
        "Sequence",
        "Mapping",
        "Callable",
    }
    # Capitalised builtins (the only ones a class name can collide with), fixed across versions.
    | {
        "ArithmeticError",
        "AssertionError",
        "AttributeError",
        "BaseException",
        "BaseExceptionGroup",
        "BlockingIOError",
        "BrokenPipeError",
        "BufferError",
        "BytesWarning",
        "ChildProcessError",
        "ConnectionAbortedError",
        "ConnectionError",
        "ConnectionRefusedError",
        "ConnectionResetError",
        "DeprecationWarning",
        "EOFError",
        "Ellipsis",
        "EncodingWarning",
        "EnvironmentError",
        "Exception",
        "ExceptionGroup",
        "False",
        "FileExistsError",
        "FileNotFoundError",
        "FloatingPointError",
        "FutureWarning",
        "GeneratorExit",
        "IOError",
        "ImportError",
        "ImportWarning",
        "IndentationError",
        "IndexError",
        "InterruptedError",
        "IsADirectoryError",
        "KeyError",
        "KeyboardInterrupt",
        "LookupError",
        "MemoryError",
        "ModuleNotFoundError",
        "NameError",
        "None",
        "NotADirectoryError",
        "NotImplemented",
        "NotImplementedError",
        "OSError",
        "OverflowError",
        "PendingDeprecationWarning",
        "PermissionError",
        "ProcessLookupError",
        "PythonFinalizationError",
        "RecursionError",
        "ReferenceError",
        "ResourceWarning",
        "RuntimeError",
        "RuntimeWarning",
        "StopAsyncIteration",
        "StopIteration",
        "SyntaxError",
        "SyntaxWarning",
        "SystemError",
        "SystemExit",
        "TabError",
        "TimeoutError",
        "True",
        "TypeError",
        "UnboundLocalError",
        "UnicodeDecodeError",
        "UnicodeEncodeError",
        "UnicodeError",
        "UnicodeTranslateError",
        "UnicodeWarning",
        "UserWarning",
        "ValueError",
        "Warning",
        "ZeroDivisionError",
    }
)

# Parameters every generated method has; a spec parameter with one of these names is renamed.
CLIENT_PARAMETERS = frozenset(
    {
        "self",
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
        "max_retries",
        "poll_timeout",
        "poll_interval",
        "cast",
        "models",
        "errors",
        "httpx",
        "typing",
        "_base",
        # modules and locals that a generated method's body reads
        "builtins",
        "datetime",
        "raw",
        "poller",
    }
)


# Names a field of a generated pydantic model must not take, written out like the keywords so
# that the output does not change with the installed pydantic: BaseModel's own public
# attributes (a field would shadow ``model_dump`` or ``json``), the methods the runtime's
# ``Model`` adds (``to_dict``, ``to_json``), and the builtin types that model annotations use
# (a field ``str`` would shadow ``str`` for the fields after it).
MODEL_RESERVED = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "model_computed_fields",
        "model_config",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_extra",
        "model_fields",
        "model_fields_set",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "mro",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "register",
        "schema",
        "schema_json",
        "to_dict",
        "to_json",
        "update_forward_refs",
        "validate",
    }
    | {"bool", "bytes", "float", "frozenset", "int", "list", "set", "str", "tuple"}
)
# Names a resource module may not take: it is ``<package>/resources/<name>.py``, beside
# ``resources/__init__.py``, and Windows refuses device names as file names whatever the
# extension (``con.py``). Resource attributes are lowercase: no two modules differ only in case.
RESERVED_MODULE_NAMES = frozenset(
    {"__init__", "__main__", "con", "prn", "aux", "nul"}
    | {f"{device}{digit}" for device in ("com", "lpt") for digit in range(10)}
)

# pydantic refuses fields in these namespaces (``model_dump_json_`` included).
MODEL_PROTECTED_PREFIXES = ("model_dump", "model_validate")


def words(text: str) -> list[str]:
    """Split any spelling (camelCase, kebab-case, 'Task Runs', dotted.names) into words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    spaced = _WORD_BOUNDARY.sub(" ", ascii_text)
    return [w.lower() for w in _NON_WORD.split(spaced) if w]


def to_snake(text: str) -> str:
    return "_".join(words(text))


def _safe_identifier(name: str, reserved: frozenset[str] = frozenset()) -> PyIdent:
    if not name:
        name = "field"
    if name[0].isdigit():
        name = f"field_{name}"
    if name in HARD_KEYWORDS or name in reserved:
        name = f"{name}_"
    return PyIdent(name)


def to_identifier(text: str, reserved: frozenset[str] = frozenset()) -> PyIdent:
    """snake_case identifier for a parameter, attribute or method."""
    return _safe_identifier(to_snake(text), reserved)


def to_field_name(text: str) -> PyIdent:
    """snake_case attribute of a generated model (the wire name stays its alias).

    Like ``to_identifier``, and pydantic's own attributes and the builtin types get a trailing
    underscore (``json`` -> ``json_``), pydantic's protected namespaces a ``field_`` prefix.
    """
    name = to_identifier(text, MODEL_RESERVED)
    if name.startswith(MODEL_PROTECTED_PREFIXES):
        name = PyIdent(f"field_{name.rstrip('_')}")
    return name


def field_names(
    wire_names: Iterable[str], inherited: Mapping[str, PyIdent] | None = None
) -> dict[str, PyIdent]:
    """The fields of one model class: wire name -> attribute (see ``property_names``).

    ``inherited`` are the fields of its base classes: a wire name among them keeps its name
    (the class overrides that field), and no other field takes one of their names.
    """
    return property_names(wire_names, to_field_name, inherited)


def keyword_names(wire_names: Iterable[str]) -> dict[str, PyIdent]:
    """Keyword arguments for the properties of one JSON body, named as the model's fields
    are where the client's own parameters allow (``json`` stays ``json``, ``timeout`` is
    ``timeout_``)."""
    return property_names(wire_names, lambda w: to_identifier(w, CLIENT_PARAMETERS))


def property_names(
    wire_names: Iterable[str],
    to_name: Callable[[str], PyIdent],
    inherited: Mapping[str, PyIdent] | None = None,
) -> dict[str, PyIdent]:
    """One name per property, unique, and never the wire name of another property.

    A wire name that already is the name it would get keeps it, before any other property
    is named: with ``foo-bar`` and ``foo_bar``, ``foo_bar`` is ``foo_bar`` and ``foo-bar``
    becomes ``foo_bar_2``, whatever their order. (A pydantic model populated by name would
    otherwise give ``Model(foo_bar=...)`` to both fields.) The result keeps the given order.
    """
    wires = [w for w in dict.fromkeys(wire_names) if w not in (inherited or {})]
    names: dict[str, PyIdent] = dict(inherited or {})
    registry = NameRegistry(frozenset(names.values()))
    exact = {w for w in wires if to_name(w) == w and w not in registry.taken()}
    for wire in wires:
        if wire in exact:
            names[wire] = registry.claim(PyIdent(wire))
    registry = NameRegistry(registry.taken() | frozenset(wires) | frozenset(inherited or {}))
    for wire in wires:
        if wire not in exact:
            names[wire] = registry.claim(to_name(wire))
    return {**dict(inherited or {}), **{w: names[w] for w in wires}}


@dataclass(frozen=True, slots=True)
class ResourceClasses:
    """The classes one resource defines in one flavour: itself, its raw-response twin and
    its streaming-response twin."""

    name: PyIdent
    raw: PyIdent
    streaming: PyIdent


FLAVOUR_PREFIXES = {"sync": "", "async": "Async"}  # of a resource's class names


def resource_classes(base: str) -> dict[str, ResourceClasses]:
    """Flavour (``sync``, ``async``) -> the classes of a resource whose class name is
    ``base``: ``Runs`` and ``RunsWithRawResponse``, ``AsyncRuns`` and
    ``AsyncRunsWithRawResponse`` (and the ``WithStreamingResponse`` twins)."""
    return {
        kind: ResourceClasses(
            PyIdent(prefix + base),
            PyIdent(f"{prefix}{base}WithRawResponse"),
            PyIdent(f"{prefix}{base}WithStreamingResponse"),
        )
        for kind, prefix in FLAVOUR_PREFIXES.items()
    }


def to_class_name(text: str) -> PyIdent:
    """PascalCase class name; reserved names get a ``Model`` suffix ("str" -> "StrModel").

    A name that already is a capitalised ASCII word is kept as written
    (``HTTPValidationError`` stays), so classes read as the spec names them.
    """
    if text.isascii() and text.isalnum() and text[0].isupper():
        name = text
        if name in RESERVED_CLASS_NAMES or name in HARD_KEYWORDS:
            name = f"{name}Model"
        return PyIdent(name)
    parts = words(text)
    name = "".join(w[:1].upper() + w[1:] for w in parts) or "Schema"
    if name[0].isdigit():
        name = f"Model{name}"
    if name in RESERVED_CLASS_NAMES or name in HARD_KEYWORDS:
        name = f"{name}Model"
    return PyIdent(name)


# Builtins that the templates' own annotations use in a client or resource class
# (``max_retries: int``, ``timeout: float``, ``-> object``): a method of that name would
# shadow them there. (``list``, ``dict`` ... appear only in annotations from the spec, which
# build_ir writes ``builtins.list`` where a method shadows them.)
TEMPLATE_BUILTINS = frozenset({"bool", "float", "int", "object", "str", "type"})


def to_method_name(operation_id: str, resource_words: list[str]) -> PyIdent:
    """Method name from an operationId, without the resource's own words.

    ``retrieveTaskRun`` in resource ``Task Runs`` -> ``retrieve``; ``repos/get-content`` ->
    ``get_content``. The resource's words are removed (plural or singular form) only where
    something is left.
    """
    tail = operation_id.rsplit("/", 1)[-1]
    tokens = words(tail)
    for candidate in _word_forms(resource_words):
        size = len(candidate)
        for start in range(len(tokens) - size + 1):
            if tokens[start : start + size] == candidate and len(tokens) > size:
                tokens = tokens[:start] + tokens[start + size :]
                return to_identifier("_".join(tokens), CLIENT_PARAMETERS | TEMPLATE_BUILTINS)
    return to_identifier("_".join(tokens), CLIENT_PARAMETERS | TEMPLATE_BUILTINS)


def _word_forms(resource_words: list[str]) -> list[list[str]]:
    if not resource_words:
        return []
    forms = [resource_words]
    last = resource_words[-1]
    if last.endswith("ies"):
        forms.append([*resource_words[:-1], last[:-3] + "y"])
    elif last.endswith("s") and not last.endswith("ss"):
        forms.append([*resource_words[:-1], last[:-1]])
    return forms


def env_var_prefix(package: str) -> str:
    return to_snake(package).upper()


class NameRegistry:
    """One naming scope: ``claim`` returns a unique name, suffixing ``_2``, ``_3`` on clashes."""

    def __init__(self, taken: frozenset[str] = frozenset()) -> None:
        self._taken: set[str] = set(taken)

    def __contains__(self, name: object) -> bool:
        return name in self._taken

    def taken(self) -> frozenset[str]:
        return frozenset(self._taken)

    def claim(self, name: PyIdent) -> PyIdent:
        stem = name[:-1] if name.endswith("_") and len(name) > 1 else name  # class_ -> class_2
        return self._claim(name, f"{stem}_")

    def claim_class(self, name: PyIdent) -> PyIdent:
        """Class names take a bare numeric suffix (``Error2``), which stays PascalCase."""
        return self._claim(name, name)

    def _claim(self, name: PyIdent, prefix: str) -> PyIdent:
        """``name`` if free, else the first free ``<prefix>2``, ``<prefix>3`` ..."""
        index = 1
        unique = name
        while unique in self._taken:
            index += 1
            unique = PyIdent(f"{prefix}{index}")
        self._taken.add(unique)
        return unique
