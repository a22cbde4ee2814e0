"""Operations get their pagers: from the project's overrides, the spec's extensions, or
detection (``generator.ir.pagination``), in that order; the page classes are named here, and
an operation that looks like it pages but gets no pager is a warning with its override."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from generator import naming
from generator.diagnostics import Diagnostic, pointer
from generator.ir import types
from generator.ir.nodes import Operation, Pager
from generator.ir.operations import SpecContext
from generator.ir.operations import _is_json as is_json
from generator.ir.operations import _merged_parameters as merged_parameters
from generator.ir.pagination import Found, detect, example
from generator.ir.pagination_given import (
    check_params,
    fern,
    from_config,
    speakeasy,
    with_item_schema,
)
from generator.literals import one_line
from generator.naming import NameRegistry, PyIdent
from generator.spec.schemas import object_properties


def hint(package: str, operation_id: str, example: str) -> str:
    """The override that settles a warning: the example table when there is one, else false."""
    table = f"[tool.clientgen.targets.{package}.pagination]"
    if not example:
        return f"declare what is missing in the spec, or set {table} {operation_id} = false"
    return f"settle it in pyproject.toml: {table} {operation_id} = {example}, or = false"


def warning(where: str, message: str, file: str, hint_text: str) -> Diagnostic:
    return Diagnostic("warning", where, f"no pager: {message}", file, hint=hint_text)


def _success(ctx: SpecContext, operation: dict[str, Any]) -> tuple[Any, Mapping[str, Any]]:
    """The first 2xx JSON response's schema and declared headers."""
    for status, raw in sorted(
        (operation.get("responses") or {}).items(), key=lambda kv: str(kv[0])
    ):
        if not str(status).startswith("2"):
            continue
        response = ctx.resolve(raw)
        if not isinstance(response, dict):
            continue
        content = response.get("content") or {}
        media = next((m for m in content if is_json(m)), None)
        if media is not None and isinstance(content[media], dict):
            headers = response.get("headers")
            return content[media].get("schema"), headers if isinstance(headers, dict) else {}
    return None, {}


def _found(
    ctx: SpecContext,
    op: Operation,
    operation: dict[str, Any],
    params: list[dict[str, Any]],
    override: Any,
) -> tuple[Found | None, str, str]:
    """The pager of one operation, and a warning (with its hint key) when there is none."""
    schema, headers = _success(ctx, operation)
    spec = ctx.spec
    if override is not _NO_OVERRIDE:
        given: Found | str | None = from_config(override, schema, spec, op.path)
        source = "override"
    elif "x-speakeasy-pagination" in operation:
        given = speakeasy(operation["x-speakeasy-pagination"], schema, spec, op.path)
        source = "x-speakeasy-pagination"
    elif "x-fern-pagination" in operation and operation["x-fern-pagination"] is not True:
        given = fern(operation["x-fern-pagination"], schema, spec, op.path)
        source = "x-fern-pagination"
    else:
        if op.http_method != "GET" or schema is None:
            return None, "", ""
        outcome = detect(spec, op.path, schema, headers, params)
        return outcome.found, outcome.warning, outcome.hint
    if given is None:
        return None, "", ""
    if isinstance(given, str):
        return None, f"{source}: {given}" if source == "override" else given, _GENERIC
    checked = with_item_schema(given, spec, schema)
    if isinstance(checked, str):
        return None, f"{source}: {checked}", _GENERIC
    problem = check_params(checked, params)
    return (None, f"{source}: {problem}", _GENERIC) if problem else (checked, "", "")


PAGE_MEMBERS = frozenset({"has_next_page", "get_next_page", "iter_pages"})


def _clash(spec: dict[str, Any], schema: Any) -> str:
    """A property of the page model named like a method of pages ("" when there is none)."""
    properties, _ = object_properties(spec, schema)
    return next((name for name in properties if naming.to_snake(name) in PAGE_MEMBERS), "")


def schema_of(ctx: SpecContext, op: Operation) -> Any:
    return _success(ctx, ctx.spec["paths"][op.path][op.http_method.lower()])[0]


def _claim_page_class(names: NameRegistry, name: str) -> str:
    """``name`` (or ``name2`` ...) where both it and ``Async<name>`` are free; claims both."""
    candidate, index = name, 1
    while candidate in names or f"Async{candidate}" in names:
        index += 1
        candidate = f"{name}{index}"
    names.claim_class(PyIdent(candidate))
    names.claim_class(PyIdent(f"Async{candidate}"))
    return candidate


_NO_OVERRIDE = object()
_GENERIC = example("cursor", items="data", next="meta.next_cursor", param="cursor")


def attach_pagers(
    ctx: SpecContext,
    ops: tuple[Operation, ...],
    class_prefix: str,
    class_names: NameRegistry,
    package: str,
    overrides: Mapping[str, Any],
) -> tuple[Operation, ...]:
    """``ops`` with their pagers; page classes are named ``<class_prefix><Method>Page``."""
    shadowed = frozenset(op.name for op in ops) & types.BUILTIN_TYPES
    result = []
    for op in ops:
        method = op.http_method.lower()
        operation = ctx.spec["paths"][op.path][method]
        where = pointer("paths", op.path, method)
        spelled = operation.get("operationId")
        keys = [k for k in (spelled, f"{op.http_method} {op.path}") if isinstance(k, str)]
        override = next((overrides[k] for k in keys if k in overrides), _NO_OVERRIDE)
        params = merged_parameters(ctx, operation, ctx.spec["paths"][op.path])
        found, problem, hint_key = _found(ctx, op, operation, params, override)
        op_name = keys[0]
        if found is not None and op.response_kind == "json":
            if found.items == ():  # the body is the array (a list, or a model of one)
                page_class = page_model = ""
            elif types.model_name(op.returns) and _clash(ctx.spec, schema_of(ctx, op)):
                clash = _clash(ctx.spec, schema_of(ctx, op))
                found, problem = (
                    None,
                    f"the page model's field `{clash}` would be hidden by the page",
                )
                hint_key = ""
            elif types.model_name(op.returns) and found.items:
                page_model = op.return_annotation
                page_class = _claim_page_class(
                    class_names, f"{class_prefix}{naming.to_class_name(f'{op.name} page')}"
                )
            else:
                found, problem = None, "the 2xx response is not one model or one array"
                hint_key = _GENERIC
        if found is not None and op.response_kind == "json":
            item = types.render(types.of_schema(found.item_schema), shadowed)
            pager = Pager(
                style=found.style,
                runtime=found.runtime_literal(),
                item=item,
                page_class=page_class,
                page_model=page_model,
                sync_page=page_class or f"_pagination.SyncArrayPage[{item}]",
                async_page=f"Async{page_class}"
                if page_class
                else f"_pagination.AsyncArrayPage[{item}]",
                summary=one_line(found.summary()),
                source=found.source,
            )
            op = replace(op, pager=pager)
        elif problem:
            ctx.diagnostics.append(
                warning(where, problem, ctx.file, hint(package, op_name, hint_key))
            )
        result.append(op)
    return tuple(result)


def check_overrides(ctx: SpecContext, overrides: Mapping[str, Any], package: str) -> None:
    """An override naming no operation is a warning: it would silently do nothing."""
    if not overrides:
        return
    known: set[str] = set()
    paths = ctx.spec.get("paths")
    for path, item in (paths if isinstance(paths, dict) else {}).items():
        for method, operation in (item if isinstance(item, dict) else {}).items():
            if isinstance(operation, dict) and method in _METHODS:
                known.add(f"{method.upper()} {path}")
                if isinstance(operation.get("operationId"), str):
                    known.add(operation["operationId"])
    for key in sorted(set(overrides) - known):
        ctx.diagnostics.append(
            Diagnostic(
                "warning",
                "#",
                f"[tool.clientgen.targets.{package}.pagination]: `{key}` names no operation",
                ctx.file,
                hint='use an operationId or "GET /path"',
            )
        )


_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
