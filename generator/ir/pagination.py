"""Which list operations page, and how: the pager of an operation, found in a plain spec.

A GET operation gets a pager when three things line up in the spec: one array of items in
its 2xx JSON response, a source for the next page, and the request parameter that takes it.
The rules, tried in this order (names compared case-insensitively, without ``_`` or ``-``):

1. ``link``: the 2xx response declares a ``Link`` header. Its ``rel="next"`` URL is followed;
   no parameter is needed.
2. ``next_url``: a string property named ``next_url``, ``next_page_url``, ``next_link``,
   ``@odata.nextLink`` (or ``next`` with ``format: uri``, or ``links.next``/``_links.next.href``,
   or a plain ``next`` where no query parameter takes a cursor) at the body's root or under
   ``meta``, ``pagination``, ``links``, ``paging``, ``page_info``, ``response_metadata``.
   The URL is followed only on the client's own base URL.
3. ``cursor`` (body): a string property named ``next_cursor``, ``next_page_token``,
   ``next_token``, ``continuation_token``, ``end_cursor``, ``next_page`` (string) ... at the
   root or under one of those objects, and a query parameter named ``cursor``, ``page_token``,
   ``next_token``, ``continuation_token``, ``after``, ``starting_after``, ``marker``, ``next``,
   ``page`` (string) ... that takes it.
4. ``cursor`` (header): a response header named ``x-next-cursor``, ``next-cursor``,
   ``x-next-page-token``, ``x-continuation-token`` ..., and such a cursor parameter.
5. ``last_id``: a boolean ``has_more`` (``has_next``, ``has_next_page``) in the body, a
   ``starting_after``/``after``/``after_id`` parameter, and items with an ``id``.
6. ``offset``: an ``offset``/``skip`` parameter; ``total``/``total_count``/``count`` in the
   body, when there, ends it.
7. ``page``: an integer ``page``/``page_number`` parameter; ``total_pages``, ``total`` (with
   the page size parameter ``page_size``/``per_page``/``limit`` and its default) or
   ``has_more`` end it.

The items are the response body when it is an array, else its one array property (of
several, the one named ``data``, ``items``, ``results``, ``records``, ``entries`` or like the
operation's last path segment). An object whose path ends in a parameter (``/runs/{id}``) is
one resource: an array inside it, unless named so, is not a page of items. A ``has_more``
flag, where the body has one, ends every style.

Where the evidence is partial (a cursor parameter on a list with no next source, a next
cursor with no parameter to take it, several arrays and no way to choose, ``has_more`` and
``starting_after`` over items without an ``id``), no pager is made and a warning
names the operation and the override that would settle it. Pagers given by the spec win over
detection: ``x-speakeasy-pagination`` and ``x-fern-pagination`` on the operation; and the
project's ``[tool.clientgen.targets.<name>.pagination]`` table wins over both, per operation
(by operationId or ``"GET /path"``): a table ``{style, items, next, param, ...}`` or ``false``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from generator.literals import literal
from generator.spec.schemas import deref, object_properties

STYLES = ("cursor", "last_id", "next_url", "link", "offset", "page")
ITEM_NAMES = ("data", "items", "results", "records", "entries", "values", "nodes", "list")
NESTS = (
    "meta",
    "metadata",
    "pagination",
    "paging",
    "pageinfo",
    "links",
    "responsemetadata",
    "cursor",
    "page",
)
NEXT_URL_FIELDS = ("nexturl", "nextpageurl", "nextlink", "nextpagelink", "@odata.nextlink")
NEXT_CURSOR_FIELDS = (
    "nextcursor",
    "nextpagetoken",
    "nexttoken",
    "nextpagecursor",
    "continuationtoken",
    "endcursor",
    "nextmarker",
    "nextpage",
    "next",
    "cursor",
)
CURSOR_HEADERS = (
    "xnextcursor",
    "nextcursor",
    "xnextpagetoken",
    "xcontinuationtoken",
    "xcontinuation",
    "xnextpagecursor",
    "xcursor",
)
CURSOR_PARAMS = (
    "cursor",
    "pagetoken",
    "nexttoken",
    "pagecursor",
    "continuationtoken",
    "startcursor",
    "after",
    "startingafter",
    "marker",
    "next",
)
LAST_ID_PARAMS = ("startingafter", "after", "afterid")
HAS_MORE_FIELDS = ("hasmore", "hasnext", "hasnextpage", "more")
OFFSET_PARAMS = ("offset", "skip")
PAGE_PARAMS = ("page", "pagenumber", "pagenum")
SIZE_PARAMS = ("pagesize", "perpage", "limit", "size", "pagelimit", "maxresults", "count")
TOTAL_FIELDS = ("total", "totalcount", "count", "totalresults", "totalitems")
TOTAL_PAGES_FIELDS = ("totalpages", "pagecount", "numpages", "pages", "lastpage")
OVERRIDE_KEYS = frozenset(
    {"style", "items", "next", "header", "param", "has_more", "total", "total_pages"}
    | {"size_param", "id_field"}
)


@dataclass(frozen=True, slots=True)
class Found:
    """A pager as data (the runtime's ``_pagination.Pager`` fields) and where it came from."""

    style: str
    items: tuple[str, ...] = ()
    next: tuple[str, ...] = ()
    header: str = ""
    param: str = ""
    has_more: tuple[str, ...] = ()
    total: tuple[str, ...] = ()
    total_pages: tuple[str, ...] = ()
    size_param: str = ""
    size_default: int | None = None
    first_page: int = 1
    id_field: str = "id"
    source: str = "detected"  # "detected", "x-speakeasy-pagination", "x-fern-pagination", "config"
    item_schema: Any = None

    def runtime_literal(self) -> str:
        """``_pagination.Pager(...)``, with the fields that differ from the defaults."""
        parts = []
        for field in fields(self):
            if field.name in ("source", "item_schema"):
                continue
            value = getattr(self, field.name)
            if value != field.default:
                text = literal(value)
                if isinstance(value, tuple):
                    inner = ", ".join(literal(v) for v in value)
                    text = f"({inner},)" if len(value) == 1 else f"({inner})"
                parts.append(f"{field.name}={text}")
        return "_pagination.Pager(" + ", ".join(parts) + ")"

    def summary(self) -> str:
        """One line for READMEs and reports: ``cursor: meta.next_cursor -> cursor``."""
        source = {
            "link": "Link header",
            "next_url": ".".join(self.next),
            "cursor": f"header {self.header}" if self.header else ".".join(self.next),
            "last_id": f"last item's {self.id_field}",
            "offset": "item count",
            "page": "page number",
        }[self.style]
        target = f" -> {self.param}" if self.param else ""
        return f"{self.style}: {source}{target}"


@dataclass(frozen=True, slots=True)
class Outcome:
    found: Found | None
    warning: str = ""  # why a list-like operation got no pager
    hint: str = ""


def _key(name: str) -> str:
    return re.sub(r"[_\-\s]", "", name).lower()


def _type(spec: dict[str, Any], schema: Any) -> str:
    resolved = deref(spec, schema)
    kind = resolved.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind is None:
        for key in ("anyOf", "oneOf"):
            options = [_type(spec, o) for o in resolved.get(key) or [] if _type(spec, o) != "null"]
            if len(options) == 1:
                return options[0]
        if "items" in resolved:
            return "array"
        if "properties" in resolved:
            return "object"
    return str(kind or "")


def find_property(
    spec: dict[str, Any], schema: Any, names: tuple[str, ...], kinds: tuple[str, ...]
) -> tuple[str, ...] | None:
    """The path of the first property named like ``names`` (in that order) of a kind in
    ``kinds``, at the root of ``schema`` or one level down in a ``NESTS`` object."""
    properties, _ = object_properties(spec, schema)
    keyed = {_key(n): n for n in properties}
    nested = [
        (keyed[k], properties[keyed[k]])
        for k in NESTS
        if k in keyed and _type(spec, properties[keyed[k]]) == "object"
    ]
    for wanted in names:
        if wanted in keyed and _type(spec, properties[keyed[wanted]]) in kinds:
            return (keyed[wanted],)
        for parent, holder in nested:
            inner, _ = object_properties(spec, holder)
            inner_keyed = {_key(n): n for n in inner}
            if wanted in inner_keyed and _type(spec, inner[inner_keyed[wanted]]) in kinds:
                return (parent, inner_keyed[wanted])
    return None


def _next_url(spec: dict[str, Any], schema: Any) -> tuple[str, ...] | None:
    found = find_property(spec, schema, NEXT_URL_FIELDS, ("string",))
    if found is not None:
        return found
    properties, _ = object_properties(spec, schema)
    for name, prop in properties.items():
        resolved = deref(spec, prop)
        if _key(name) == "next" and resolved.get("format") in ("uri", "url", "uri-reference"):
            return (name,)
        if _key(name) in ("links", "_links") and _type(spec, prop) == "object":
            inner, _ = object_properties(spec, prop)
            for inner_name, inner_prop in inner.items():
                if _key(inner_name) != "next":
                    continue
                if _type(spec, inner_prop) == "string":
                    return (name, inner_name)
                href = object_properties(spec, inner_prop)[0]
                if "href" in href:
                    return (name, inner_name, "href")
    return None


def find_arrays(
    spec: dict[str, Any], schema: Any, path: str
) -> tuple[dict[tuple[str, ...], Any], tuple[str, ...] | None]:
    """Every array of the body (path -> its item schema) and the one holding the items."""
    resolved = deref(spec, schema)
    if _type(spec, resolved) == "array":
        return {(): resolved.get("items")}, ()
    properties, _ = object_properties(spec, schema)
    arrays: dict[tuple[str, ...], Any] = {
        (name,): deref(spec, prop).get("items")
        for name, prop in properties.items()
        if _type(spec, prop) == "array"
    }
    if len(arrays) == 1:
        return arrays, next(iter(arrays))
    segment = _key(path.rstrip("/").rsplit("/", 1)[-1])
    for wanted in (*ITEM_NAMES, segment):
        chosen = [p for p in arrays if _key(p[0]) == wanted]
        if len(chosen) == 1:
            return arrays, chosen[0]
    return arrays, None


def _has_field(spec: dict[str, Any], schema: Any, name: str) -> bool:
    """Whether every value of ``schema`` has the property ``name`` (each member of a union)."""
    if name in object_properties(spec, schema)[0]:
        return True
    resolved = deref(spec, schema)
    members = [m for k in ("anyOf", "oneOf") for m in resolved.get(k) or []]
    members = [m for m in members if _type(spec, m) != "null"]
    return bool(members) and all(_has_field(spec, m, name) for m in members)


def _query_params(params: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {_key(p["name"]): p for p in params if p.get("in") == "query"}


def _param(query: dict[str, dict[str, Any]], names: tuple[str, ...]) -> dict[str, Any] | None:
    return next((query[n] for n in names if n in query), None)


def _param_type(spec: dict[str, Any], param: dict[str, Any]) -> str:
    return _type(spec, param.get("schema") or {})


def detect(
    spec: dict[str, Any],
    path: str,
    schema: Any,
    headers: Mapping[str, Any],
    params: list[dict[str, Any]],
) -> Outcome:
    """The pager of a GET operation from its response ``schema`` and ``headers`` and its
    parameters, or why there is none (an empty ``warning`` when it does not page at all)."""
    query = _query_params(params)
    arrays, items = find_arrays(spec, schema, path)
    header_names = {_key(h): h for h in headers}
    has_more = find_property(spec, schema, HAS_MORE_FIELDS, ("boolean",))
    total = find_property(spec, schema, TOTAL_FIELDS, ("integer",))
    link = "link" in header_names
    next_url = _next_url(spec, schema)
    body_cursor = find_property(spec, schema, NEXT_CURSOR_FIELDS, ("string", "integer"))
    if body_cursor is not None and body_cursor == next_url:
        body_cursor = None
    header_cursor = next((header_names[h] for h in CURSOR_HEADERS if h in header_names), "")
    cursor_param = _param(query, CURSOR_PARAMS)
    page_param = _param(query, PAGE_PARAMS)
    if (
        cursor_param is None
        and page_param is not None
        and _param_type(spec, page_param) == "string"
    ):
        cursor_param, page_param = page_param, None  # a page token, not a number
    if (
        next_url is None
        and cursor_param is None
        and body_cursor is not None
        and _key(body_cursor[-1]) == "next"
    ):
        next_url, body_cursor = body_cursor, None  # `next` and nothing to take a cursor: a URL
    last_id_param = _param(query, LAST_ID_PARAMS)
    offset_param = _param(query, OFFSET_PARAMS)
    size_param = _param(query, SIZE_PARAMS)
    sources = [
        s
        for s, present in (
            ("a Link header", link),
            (f"`{'.'.join(next_url or ())}`", next_url),
            (f"`{'.'.join(body_cursor or ())}`", body_cursor and cursor_param),
            (f"header `{header_cursor}`", header_cursor and cursor_param),
        )
        if present
    ]
    if items is None:
        if sources or (has_more and last_id_param):
            if not arrays:
                return Outcome(
                    None,
                    f"the next page comes from {sources[0] if sources else '`has_more`'}"
                    " but no one array of items is found in the response",
                    "",
                )
            names = ", ".join(f"`{'.'.join(p)}`" for p in sorted(arrays))
            style, more = (
                ("link", {})
                if link
                else ("next_url", {"next": next_url})
                if next_url
                else ("cursor", {"next": body_cursor, "param": (cursor_param or {}).get("name")})
            )
            return Outcome(
                None,
                f"the response pages but has several arrays ({names}); which holds the items?",
                example(style, items=min(arrays), **more),
            )
        return Outcome(None)
    listed = items == () or _key(items[-1]) in (*ITEM_NAMES, _key(path.rsplit("/", 1)[-1]))
    if not listed and path.endswith("}"):
        return Outcome(None)  # one resource (its path ends in its id) with an array inside
    item_schema = arrays[items]
    common = {"items": items, "has_more": has_more or (), "item_schema": item_schema}
    if link:
        return Outcome(Found("link", **common))
    if next_url is not None:
        return Outcome(Found("next_url", next=next_url, **common))
    if body_cursor is not None and cursor_param is not None:
        return Outcome(Found("cursor", next=body_cursor, param=cursor_param["name"], **common))
    if header_cursor and cursor_param is not None:
        return Outcome(Found("cursor", header=header_cursor, param=cursor_param["name"], **common))
    if has_more is not None and last_id_param is not None:
        item_properties, _ = object_properties(spec, item_schema)
        if _has_field(spec, item_schema, "id"):
            return Outcome(Found("last_id", param=last_id_param["name"], **common))
        return Outcome(
            None,
            f"`{'.'.join(has_more)}` and `{last_id_param['name']}` suggest paging by the last"
            " item's id, but the items have no `id`",
            example(
                "last_id",
                items=items,
                param=last_id_param["name"],
                has_more=has_more,
                id_field=next(iter(item_properties), "id"),
            ),
        )
    if (
        body_cursor is not None
        and cursor_param is None
        and offset_param is None
        and page_param is None
    ):
        return Outcome(
            None,
            f"the response carries a next cursor `{'.'.join(body_cursor)}` but no query"
            " parameter takes it",
            "",
        )
    if offset_param is not None:
        return Outcome(Found("offset", param=offset_param["name"], total=total or (), **common))
    if page_param is not None and _param_type(spec, page_param) in ("integer", "number", ""):
        size_default = None
        if size_param is not None:
            default = deref(spec, size_param.get("schema") or {}).get("default")
            size_default = default if isinstance(default, int) and default > 0 else None
        start = deref(spec, page_param.get("schema") or {}).get("minimum")
        return Outcome(
            Found(
                "page",
                param=page_param["name"],
                total=total or (),
                total_pages=find_property(spec, schema, TOTAL_PAGES_FIELDS, ("integer",)) or (),
                size_param=size_param["name"] if size_param is not None else "",
                size_default=size_default,
                first_page=start if start == 0 else 1,
                **common,
            )
        )
    if cursor_param is not None and listed:
        return Outcome(
            None,
            f"the query parameter `{cursor_param['name']}` takes a cursor, but the response"
            " declares no next cursor, next URL or Link header",
            example("cursor", items=items, next="<next cursor field>", param=cursor_param["name"]),
        )
    return Outcome(None)


def item_schema_at(spec: dict[str, Any], schema: Any, items: tuple[str, ...]) -> Any:
    """The item schema of the array at ``items`` in ``schema``, or None when there is none."""
    current = schema
    for name in items:
        properties, _ = object_properties(spec, current)
        if name not in properties:
            return None
        current = properties[name]
    resolved = deref(spec, current)
    return resolved.get("items") if _type(spec, resolved) == "array" else None


def example(style: str, **values: str | tuple[str, ...] | None) -> str:
    """An override table for pyproject.toml: ``{ style = "cursor", items = "data" }``."""
    parts = [f"style = {json.dumps(style)}"]
    for key, value in values.items():
        text = ".".join(value) if isinstance(value, tuple) else value
        if text:
            parts.append(f"{key} = {json.dumps(text)}")
    return "{ " + ", ".join(parts) + " }"
