"""The shape of a generated client's API, as data to compare: its methods and its models.

Methods are the IR's operations (``generator.ir.nodes``), keyed the way callers reach them
(``task_runs.retrieve``; an untagged operation is ``client.<method>``). Models are the IR's
models index (``Api.models``): an object model is its fields (wire name, type, required); any
other model (an enum, a union, an alias) is the one type it stands for. Types are the IR's
``generator.ir.types`` values, so a model, a field and a parameter compare the same way.

An open enum is ``Literal['a', 'b'] | str``; ``split_enum`` takes such a type apart into its
shape with the values masked and the values themselves, so that a new value reads as "enum
value added" rather than as a change of type.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.ir import types
from generator.ir.nodes import Api, Model, Operation
from generator.ir.types import EnumValue, Generic, Literals, Plain, Type, Union

_MASK = Plain("Literal[...]")
_OPEN = ("str", "int")  # an enum beside one of these is open


@dataclass(frozen=True, slots=True)
class ApiShape:
    operations: tuple[tuple[str, Operation], ...]  # ("task_runs.retrieve", op), client order
    models: tuple[Model, ...]  # sorted by name


EMPTY = ApiShape((), ())


@dataclass(frozen=True, slots=True)
class EnumSplit:
    base: str  # the type with each enum's values masked: "Literal[...] | str"
    values: tuple[EnumValue, ...] | None  # the enum values, None when there is no enum


def api_shape(api: Api) -> ApiShape:
    operations = [
        (f"{r.attr_path}.{op.name}", op) for r in api.all_resources for op in r.operations
    ]
    operations += [(f"client.{op.name}", op) for op in api.operations]
    return ApiShape(tuple(operations), api.models)


def split_enum(kind: Type) -> EnumSplit:
    """``Literal['a', 'b'] | str`` -> (``Literal[...] | str``, ('a', 'b')).

    An enum is a ``Literal`` of two or more values, or one beside ``str``/``int`` in a union
    (an open enum); a ``Literal`` of one value alone is a constant and stays part of the type.
    """
    values: list[EnumValue] = []
    masked = _masked(kind, False, values)
    if not values:
        return EnumSplit(types.render(kind), None)
    return EnumSplit(types.render(masked), tuple(values))


def _masked(kind: Type, open_enum: bool, values: list[EnumValue]) -> Type:
    if isinstance(kind, Literals):
        if not (open_enum or len(kind.values) > 1) or not all(_is_value(v) for v in kind.values):
            return kind
        for value in kind.values:
            if not contains(values, value):
                values.append(value)
        return _MASK
    if isinstance(kind, Union):
        is_open = any(isinstance(m, Plain) and m.name in _OPEN for m in kind.members)
        return Union(tuple(_masked(m, is_open, values) for m in kind.members))
    if isinstance(kind, Generic):
        return Generic(kind.origin, tuple(_masked(a, False, values) for a in kind.args))
    return kind


def _is_value(value: object) -> bool:
    return value is None or isinstance(value, str | int | bool)


def contains(values: tuple[EnumValue, ...] | list[EnumValue], value: EnumValue) -> bool:
    """``value in values``, where ``True`` is not ``1``."""
    return any(type(v) is type(value) and v == value for v in values)
