"""The shape of a generated client's API, as data to compare: its methods and its models.

Methods are the IR's operations (``generator.ir.nodes``), keyed the way callers reach them
(``task_runs.retrieve``; an untagged operation is ``client.<method>``). Models come from the
normalized, hoisted component schemas (the same ones ``models.py`` is generated from): an
object model is its fields (wire name, type, required); any other model (an enum, a union,
an alias) is the one type it stands for. Types are the annotations ``generator.ir.types`` prints,
so a model, a field and a parameter read the same way.

Open enums print as ``Literal['a', 'b'] | str``; ``split_enum`` takes such an annotation apart
into its shape with the values masked and the values themselves, so that a new value reads as
"enum value added" rather than as a change of type.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Literal

from generator.ir import polling, types
from generator.ir.nodes import Api, Operation

ModelKind = Literal["object", "enum", "alias"]
EnumValue = str | int | bool | None


@dataclass(frozen=True, slots=True)
class FieldShape:
    name: str  # the wire name, as the spec spells it
    annotation: str  # "models.Error | None", "Literal['queued', 'running'] | str"
    required: bool


@dataclass(frozen=True, slots=True)
class ModelShape:
    name: str  # the class name in models.py
    kind: ModelKind
    annotation: str  # the type an enum or alias stands for; "" for an object
    fields: tuple[FieldShape, ...]  # an object's properties, allOf members merged


@dataclass(frozen=True, slots=True)
class ApiShape:
    operations: tuple[tuple[str, Operation], ...]  # ("task_runs.retrieve", op), client order
    models: tuple[ModelShape, ...]  # sorted by name


EMPTY = ApiShape((), ())


@dataclass(frozen=True, slots=True)
class EnumSplit:
    base: str  # the annotation with each open enum's values masked: "Literal[...] | str"
    values: tuple[EnumValue, ...] | None  # the enum values, None when there is no open enum


def api_shape(api: Api, spec: dict[str, Any]) -> ApiShape:
    """``spec`` is the normalized, hoisted spec ``api`` was built from."""
    operations = [
        (f"{r.attr_path}.{op.name}", op) for r in api.all_resources for op in r.operations
    ]
    operations += [(f"client.{op.name}", op) for op in api.operations]
    schemas = (spec.get("components") or {}).get("schemas") or {}
    models = tuple(
        _model(spec, name, schema)
        for name, schema in sorted(schemas.items())
        if isinstance(schema, dict)
    )
    return ApiShape(tuple(operations), models)


def _model(spec: dict[str, Any], name: str, schema: dict[str, Any]) -> ModelShape:
    annotation = types.annotation(schema)
    if _is_object(schema):
        properties, required = polling.object_properties(spec, schema)
        fields = tuple(
            FieldShape(wire, types.annotation(prop), wire in required)
            for wire, prop in properties.items()
        )
        return ModelShape(name, "object", "", fields)
    kind: ModelKind = "enum" if split_enum(annotation).values is not None else "alias"
    return ModelShape(name, kind, annotation, ())


def _is_object(schema: dict[str, Any]) -> bool:
    if "$ref" in schema or "anyOf" in schema or "oneOf" in schema or "enum" in schema:
        return False
    return (
        bool(schema.get("properties"))
        or isinstance(schema.get("allOf"), list)
        or (schema.get("type") == "object" and not schema.get("additionalProperties"))
    )


def split_enum(annotation: str) -> EnumSplit:
    """``Literal['a', 'b'] | str`` -> (``Literal[...] | str``, ('a', 'b')).

    An enum is a ``Literal`` of two or more values, or one beside ``str``/``int`` in a union
    (an open enum); a ``Literal`` of one value alone is a constant and stays part of the type.
    """
    try:
        tree = ast.parse(annotation, mode="eval")
    except SyntaxError:
        return EnumSplit(annotation, None)
    masker = _EnumMasker()
    masked = masker.visit(tree)
    if not masker.values:
        return EnumSplit(annotation, None)
    return EnumSplit(ast.unparse(masked), tuple(masker.values))


def without_not_given(annotation: str) -> str:
    """A parameter's type without the ``| NotGiven`` an optional parameter carries."""
    return annotation.removesuffix(" | NotGiven")


class _EnumMasker(ast.NodeTransformer):
    def __init__(self) -> None:
        self.values: list[EnumValue] = []

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if not isinstance(node.op, ast.BitOr):
            return self.generic_visit(node)
        members = _union_members(node)
        open_enum = any(isinstance(m, ast.Name) and m.id in ("str", "int") for m in members)
        rebuilt = [self._member(m, open_enum) for m in members]
        result = rebuilt[0]
        for member in rebuilt[1:]:
            result = ast.BinOp(left=result, op=ast.BitOr(), right=member)
        return result

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        return self._member(node, open_enum=False)

    def _member(self, node: ast.expr, open_enum: bool) -> ast.expr:
        values = _literal_values(node)
        if values is not None and (open_enum or len(values) > 1):
            self.values.extend(v for v in values if v not in self.values)
            return ast.Subscript(
                value=ast.Name(id="Literal", ctx=ast.Load()),
                slice=ast.Constant(value=Ellipsis),
                ctx=ast.Load(),
            )
        if isinstance(node, ast.Subscript) and values is None:
            return ast.Subscript(value=node.value, slice=self.visit(node.slice), ctx=node.ctx)
        return node


def _union_members(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_union_members(node.left), *_union_members(node.right)]
    return [node]


def _literal_values(node: ast.expr) -> list[EnumValue] | None:
    if not (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Literal"
    ):
        return None
    items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    values: list[EnumValue] = []
    for item in items:
        if not isinstance(item, ast.Constant) or not isinstance(
            item.value, str | int | bool | type(None)
        ):
            return None
        values.append(item.value)
    return values
