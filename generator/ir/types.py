"""Python types for schemas, as data: what a generated signature prints, and what
``clientgen diff`` compares.

After ``hoist`` every object schema with properties is a component, so a schema here is a
reference (-> ``models.<Class>``), a scalar, a container of those, or a union. A type is one
of four frozen values: a ``Plain`` name (``str``, ``models.TaskRun``, ``Any``, ``None``), a
``Generic`` (``list[str]``, ``dict[str, int]``), the ``Literals`` of an enum or a constant,
or a ``Union`` of the others. ``render`` prints one; where a class defines a method named like
a builtin (``list``), that builtin is written ``builtins.list`` in the class's annotations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.literals import literal
from generator.spec.schemas import component_name

EnumValue = str | int | bool | None


@dataclass(frozen=True, slots=True)
class Plain:
    name: str  # "str", "models.TaskRun", "datetime.datetime", "Any", "None"


@dataclass(frozen=True, slots=True)
class Generic:
    origin: str  # "list", "dict", "Iterator"
    args: tuple[Type, ...]


@dataclass(frozen=True, slots=True)
class Literals:
    values: tuple[Any, ...]  # an enum's values (``EnumValue``), or a constant's one


@dataclass(frozen=True, slots=True)
class Union:
    members: tuple[Type, ...]  # two or more, none a union, ``None`` last


Type = Plain | Generic | Literals | Union

ANY = Plain("Any")
NONE = Plain("None")
STR = Plain("str")
BYTES = Plain("bytes")
BUILTIN_TYPES = frozenset(
    {"list", "dict", "str", "int", "float", "bool", "bytes", "type", "object"}
)

_STRING_FORMATS = {
    "date-time": "datetime.datetime",
    "date": "datetime.date",
    "binary": "bytes",
}
_SCALARS = {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}


_MODELS: dict[str, Plain] = {}  # a component's reference -> its class (a type is a value)
# The plain type of a string of each format, of each other scalar.
_STRINGS = {key: Plain(name) for key, name in _STRING_FORMATS.items()}
_SCALAR_TYPES = {key: Plain(name) for key, name in _SCALARS.items()}


def of_schema(schema: Any) -> Type:
    """The type of a value matching ``schema``; ``Any`` where the schema says nothing."""
    if not isinstance(schema, dict):
        return ANY
    ref = schema.get("$ref")
    if isinstance(ref, str):
        found = _MODELS.get(ref)
        if found is None:
            name = component_name(ref)
            if name is None:
                return ANY
            found = Plain(f"models.{name}")
            if len(_MODELS) < 65536:
                _MODELS[ref] = found
        return found
    if "const" in schema:
        return Literals((schema["const"],))
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return union([of_schema(option) for option in schema[key]])
    members = schema.get("allOf")
    if isinstance(members, list) and len(members) == 1:
        return of_schema(members[0])
    if isinstance(schema.get("enum"), list):
        return _enum_type(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return union([of_schema({**schema, "type": k}) for k in kind])
    if kind == "string":
        return _STRINGS.get(str(schema.get("format")), STR)
    if kind in _SCALAR_TYPES:
        return _SCALAR_TYPES[kind]
    if kind == "array" or "items" in schema:
        return Generic("list", (of_schema(schema.get("items")),))
    if kind == "object" or "properties" in schema or "additionalProperties" in schema:
        extra = schema.get("additionalProperties")
        value = of_schema(extra) if isinstance(extra, dict) and extra else ANY
        return Generic("dict", (STR, value))
    return ANY


def annotation(schema: Any) -> str:
    """``of_schema``, printed."""
    return render(of_schema(schema))


def _enum_type(values: list[Any]) -> Type:
    usable = [v for v in values if isinstance(v, str | int | bool) or v is None]
    if not usable:
        return ANY
    known = [v for v in usable if v is not None]
    parts: list[Type] = [Literals(tuple(known))] if known else []
    if known and all(isinstance(v, str) for v in known):
        parts.append(STR)  # open: a value the spec does not list yet is still accepted
    elif known and all(isinstance(v, int) and not isinstance(v, bool) for v in known):
        parts.append(Plain("int"))
    if None in usable:
        parts.append(NONE)
    return union(parts)


def union(parts: list[Type]) -> Type:
    """The union of ``parts``, flattened, each member once (as printed), ``None`` last;
    ``Any`` when one of them is ``Any`` or there is none."""
    seen: dict[str, Type] = {}
    for part in parts:
        for member in part.members if isinstance(part, Union) else (part,):
            seen.setdefault(render(member), member)
    if "Any" in seen or not seen:
        return ANY
    members = [t for printed, t in seen.items() if printed != "None"]
    if "None" in seen:  # None last reads best: "Foo | None"
        members.append(NONE)
    return members[0] if len(members) == 1 else Union(tuple(members))


def render(kind: Type, shadowed: frozenset[str] = frozenset()) -> str:
    """``kind`` as an annotation; a builtin named in ``shadowed`` (a method of the class the
    annotation is read in, or a parameter of the function) is written ``builtins.<name>``."""
    if isinstance(kind, Plain):
        return f"builtins.{kind.name}" if kind.name in shadowed else kind.name
    if isinstance(kind, Generic):
        origin = f"builtins.{kind.origin}" if kind.origin in shadowed else kind.origin
        return f"{origin}[{', '.join(render(arg, shadowed) for arg in kind.args)}]"
    if isinstance(kind, Literals):
        return "Literal[" + ", ".join(literal(v) for v in kind.values) + "]"
    return " | ".join(render(member, shadowed) for member in kind.members)


def model_name(kind: Type) -> str | None:
    """``TaskRun`` for ``models.TaskRun``; None for any other type."""
    if isinstance(kind, Plain) and kind.name.startswith("models."):
        return kind.name[len("models.") :]
    return None


_FILE = Plain("_base.FileContent")


def file_type(kind: Type) -> Type:
    """A multipart field that holds a file takes bytes, a file object or a (name, content) tuple."""
    if kind == BYTES:
        return _FILE
    if kind == Generic("list", (BYTES,)):
        return Generic("list", (_FILE,))
    return kind
