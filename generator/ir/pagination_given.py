"""Pagers the spec or the project gives: ``x-speakeasy-pagination``, ``x-fern-pagination``
and the ``[tool.clientgen.targets.<name>.pagination]`` overrides, read into the same
``Found`` values that detection makes (``generator.ir.pagination``), and checked against the
operation they are for."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from generator.ir.pagination import (
    HAS_MORE_FIELDS,
    OVERRIDE_KEYS,
    STYLES,
    Found,
    find_arrays,
    find_property,
    item_schema_at,
)


def _json_path(text: Any, prefix: str) -> tuple[str, ...] | None:
    """``$response.meta.next`` / ``$.meta.next`` -> ("meta", "next"); None for other forms."""
    if not isinstance(text, str) or not text.startswith(prefix):
        return None
    rest = text[len(prefix) :].lstrip(".")
    if not rest:
        return ()
    parts = tuple(rest.split("."))
    return parts if all(re.fullmatch(r"[^\[\]*]+", p) for p in parts) else None


def speakeasy(extension: Any, schema: Any, spec: dict[str, Any], path: str) -> Found | str:
    """A pager from ``x-speakeasy-pagination``, or the reason it cannot be used."""
    if not isinstance(extension, dict):
        return "x-speakeasy-pagination is not an object"
    kind = extension.get("type")
    inputs = [i for i in extension.get("inputs") or [] if isinstance(i, dict)]
    outputs: dict[str, Any] = extension.get("outputs") or {}
    if not isinstance(outputs, dict):
        return "x-speakeasy-pagination: `outputs` is not an object"
    by_type = {str(i.get("type")): i for i in inputs}
    if any(i.get("in") not in (None, "parameters") for i in inputs):
        return "x-speakeasy-pagination: only inputs `in: parameters` are supported"
    results = _json_path(outputs.get("results"), "$") if "results" in outputs else None
    if results is None:
        results = find_arrays(spec, schema, path)[1]
    if results is None:
        return "x-speakeasy-pagination: `outputs.results` is missing or not a plain path"
    has_more = find_property(spec, schema, HAS_MORE_FIELDS, ("boolean",)) or ()
    if kind == "cursor":
        cursor = by_type.get("cursor")
        next_cursor = outputs.get("nextCursor")
        if cursor is None or not isinstance(next_cursor, str):
            return "x-speakeasy-pagination: a cursor pager needs a cursor input and nextCursor"
        last = re.fullmatch(r"\$\.(.+)\[-1\]\.(\w+)", next_cursor)
        if last and _json_path("$." + last.group(1), "$") == results:
            return Found(
                "last_id",
                results,
                param=str(cursor["name"]),
                id_field=last.group(2),
                has_more=has_more,
                source="x-speakeasy-pagination",
            )
        next_path = _json_path(next_cursor, "$")
        if not next_path:
            return "x-speakeasy-pagination: `outputs.nextCursor` is not a plain path"
        return Found(
            "cursor",
            results,
            next=next_path,
            param=str(cursor["name"]),
            has_more=has_more,
            source="x-speakeasy-pagination",
        )
    if kind == "offsetLimit":
        limit = by_type.get("limit")
        size = str(limit["name"]) if limit else ""
        if "offset" in by_type:
            return Found(
                "offset",
                results,
                param=str(by_type["offset"]["name"]),
                size_param=size,
                has_more=has_more,
                source="x-speakeasy-pagination",
            )
        if "page" in by_type:
            pages = _json_path(outputs.get("numPages"), "$") or ()
            return Found(
                "page",
                results,
                param=str(by_type["page"]["name"]),
                size_param=size,
                total_pages=pages,
                has_more=has_more,
                source="x-speakeasy-pagination",
            )
        return "x-speakeasy-pagination: an offsetLimit pager needs an offset or page input"
    if kind == "url":
        next_url = _json_path(outputs.get("nextUrl"), "$")
        if not next_url:
            return "x-speakeasy-pagination: a url pager needs `outputs.nextUrl`"
        return Found(
            "next_url", results, next=next_url, has_more=has_more, source="x-speakeasy-pagination"
        )
    return f"x-speakeasy-pagination: type {kind!r} is not supported"


def fern(extension: Any, schema: Any, spec: dict[str, Any], path: str) -> Found | str | None:
    """A pager from ``x-fern-pagination`` (None for ``true``: detect), or why it cannot be used."""
    if extension is True:
        return None
    if not isinstance(extension, dict):
        return "x-fern-pagination is not an object"
    results = _json_path(extension.get("results"), "$response")
    if results is None:
        return "x-fern-pagination: `results` is missing or not a `$response.` path"
    has_more = _json_path(extension.get("has-next-page"), "$response") or ()
    common: dict[str, Any] = {"has_more": has_more, "source": "x-fern-pagination"}
    if "next_uri" in extension:
        next_url = _json_path(extension["next_uri"], "$response")
        if not next_url:
            return "x-fern-pagination: `next_uri` is not a `$response.` path"
        return Found("next_url", results, next=next_url, **common)
    if "cursor" in extension:
        param = _json_path(extension["cursor"], "$request")
        next_cursor = _json_path(extension.get("next_cursor"), "$response")
        if not param or len(param) != 1 or not next_cursor:
            return (
                "x-fern-pagination: a cursor pager needs `cursor: $request.<param>`"
                " and `next_cursor`"
            )
        return Found("cursor", results, next=next_cursor, param=param[0], **common)
    if "offset" in extension:
        param = _json_path(extension["offset"], "$request")
        if not param or len(param) != 1:
            return "x-fern-pagination: `offset` must be `$request.<param>`"
        step = _json_path(extension.get("step"), "$request")
        if step:  # the offset grows by the page size: an item offset
            return Found("offset", results, param=param[0], size_param=step[0], **common)
        return Found("page", results, param=param[0], **common)  # grows by one: a page number
    return "x-fern-pagination: none of `cursor`, `offset`, `next_uri` is given"


def from_config(entry: Any, schema: Any, spec: dict[str, Any], path: str) -> Found | str | None:
    """A pager from the project's override table (None for ``false``: no pager)."""
    if entry is False:
        return None
    if not isinstance(entry, dict):
        return "an override is a table {style, items, next, param, ...} or false"
    unknown = sorted(set(entry) - OVERRIDE_KEYS)
    if unknown:
        known = ", ".join(sorted(OVERRIDE_KEYS))
        return f"unknown override keys: {', '.join(unknown)} (known: {known})"
    style = entry.get("style")
    if style not in STYLES:
        return f"override `style` must be one of {', '.join(STYLES)}"
    if not all(isinstance(v, str) for v in entry.values()):
        return "override values are strings"

    def dotted(name: str) -> tuple[str, ...]:
        text = entry.get(name, "")
        return tuple(text.split(".")) if text else ()

    items = dotted("items") if "items" in entry else find_arrays(spec, schema, path)[1]
    if items is None:
        return "override: say which array holds the items (`items`)"
    found = Found(
        style,
        items,
        next=dotted("next"),
        header=entry.get("header", ""),
        param=entry.get("param", ""),
        has_more=dotted("has_more"),
        total=dotted("total"),
        total_pages=dotted("total_pages"),
        size_param=entry.get("size_param", ""),
        id_field=entry.get("id_field", "id"),
        source="config",
    )
    needs = {
        "cursor": found.param and (found.next or found.header),
        "last_id": found.param,
        "next_url": found.next,
        "link": True,
        "offset": found.param,
        "page": found.param,
    }
    if not needs[style]:
        return f"override: a {style} pager needs " + {
            "cursor": "`param` and `next` (or `header`)",
            "next_url": "`next`",
        }.get(style, "`param`")
    return found


def with_item_schema(found: Found, spec: dict[str, Any], schema: Any) -> Found | str:
    item = item_schema_at(spec, schema, found.items)
    if item is None:
        return f"`{'.'.join(found.items) or '(body)'}` is not an array in the response"
    return replace(found, item_schema=item)


def check_params(found: Found, params: list[dict[str, Any]]) -> str:
    """Why the pager's parameters do not fit the operation ("" when they do)."""
    names = {p["name"] for p in params if p.get("in") == "query"}
    for name in (found.param, found.size_param):
        if name and name not in names:
            return f"`{name}` is not a query parameter of this operation"
    return ""
