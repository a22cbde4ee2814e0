"""Every name that reaches generated code is made here, and only here.

Spec text is arbitrary; the names returned are always valid, non-reserved Python identifiers.
``PyIdent`` marks strings that are safe to print as identifiers. A ``NameRegistry`` is one
scope (a class's fields, a method's parameters, a module's classes) and resolves clashes with
``_2``, ``_3`` suffixes in the order names are claimed, which callers keep deterministic.
"""

from __future__ import annotations

import re
import unicodedata
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
    }
)


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


def to_class_name(text: str) -> PyIdent:
    """PascalCase class name; reserved names get a ``Model`` suffix ("str" -> "StrModel").

    A name that already is a capitalised ASCII identifier is kept as written
    (``HTTPValidationError`` stays), so classes read as the spec names them.
    """
    if text.isascii() and text.isidentifier() and text[0].isupper() and "__" not in text:
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
                return to_identifier("_".join(tokens), CLIENT_PARAMETERS)
    return to_identifier("_".join(tokens), CLIENT_PARAMETERS)


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

    def taken(self) -> frozenset[str]:
        return frozenset(self._taken)

    def claim(self, name: PyIdent) -> PyIdent:
        if name not in self._taken:
            self._taken.add(name)
            return name
        stem = name[:-1] if name.endswith("_") and len(name) > 1 else name  # class_ -> class_2
        index = 2
        while f"{stem}_{index}" in self._taken:
            index += 1
        unique = PyIdent(f"{stem}_{index}")
        self._taken.add(unique)
        return unique

    def claim_class(self, name: PyIdent) -> PyIdent:
        """Class names take a bare numeric suffix (``Error2``), which stays PascalCase."""
        if name not in self._taken:
            self._taken.add(name)
            return name
        index = 2
        while f"{name}{index}" in self._taken:
            index += 1
        unique = PyIdent(f"{name}{index}")
        self._taken.add(unique)
        return unique
