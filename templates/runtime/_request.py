"""One call's request: its options, and the path, query, headers and body they become."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, urlencode

import pydantic

from ._types import NOT_GIVEN, Body, Headers, NotGiven, Query, QueryValue, Timeout

if TYPE_CHECKING:
    from ._pagination import Pager

__all__ = [
    "RequestOptions",
    "checked_headers",
    "clean",
    "encode_body",
    "query_items",
    "render_path",
    "scalar",
    "to_jsonable",
]


@dataclass(slots=True)
class RequestOptions:
    """Everything a generated method knows about one call; the client turns it into a request."""

    method: str
    path: str
    path_params: Mapping[str, object] = field(default_factory=dict)
    path_styles: Mapping[str, str] = field(default_factory=dict)  # label, matrix; * explodes
    query: Mapping[str, object] = field(default_factory=dict)
    headers: Mapping[str, object] = field(default_factory=dict)
    cookies: Mapping[str, object] = field(default_factory=dict)
    query_styles: Mapping[str, str] = field(default_factory=dict)  # csv, ssv, pipes, deep, json
    json: object = NOT_GIVEN
    form: object = NOT_GIVEN  # application/x-www-form-urlencoded fields
    multipart: object = NOT_GIVEN  # multipart/form-data fields; files as FileContent
    content: bytes | str | NotGiven = NOT_GIVEN
    body_optional: bool = False  # no body at all when every field is left out
    content_type: str | None = None  # the declared media type, where it is not the default
    extra_headers: Headers | None = None
    extra_query: Query | None = None
    extra_body: Body | None = None
    timeout: Timeout | NotGiven = NOT_GIVEN
    max_retries: int | NotGiven = NOT_GIVEN
    errors: Mapping[int | str, Any] = field(default_factory=dict)
    response_kind: str = "json"  # "json" | "text" | "binary" | "empty" | "sse"
    accept: str | None = None  # the responses' media types, where not application/json
    idempotency_header: str | None = None
    security: tuple[tuple[str, ...], ...] | None = None  # the operation's own; None: the API's
    pager: Pager | None = None  # a list operation's way to its next page (_pagination)


def render_path(
    template: str, params: Mapping[str, object], styles: Mapping[str, str] | None = None
) -> str:
    """Fill ``{name}`` placeholders, each value percent-encoded as one path segment in its
    style: ``simple`` (``a,b``), ``label`` (``.a.b``) or ``matrix`` (``;name=a,b``); a
    style ending in ``*`` explodes arrays and objects."""
    path = template
    for name, value in params.items():
        style = (styles or {}).get(name, "")
        segment = _path_segment(name, value, style.rstrip("*"), style.endswith("*"))
        path = path.replace("{" + name + "}", segment)
    return path


def _path_segment(name: str, value: object, style: str, explode: bool) -> str:
    if isinstance(value, pydantic.BaseModel):
        value = to_jsonable(value)
    pairs: list[tuple[str, str]] | None = None
    atoms: list[str]
    if isinstance(value, Mapping):
        pairs = [(_atom(k), _atom(v)) for k, v in value.items() if v is not None]
        atoms = [text for pair in pairs for text in pair]
    elif isinstance(value, list | tuple):
        atoms = [_atom(v) for v in value if v is not None]
    else:
        atoms = [_atom(value)]
    if not "".join(atoms):
        raise ValueError(f"Expected a non-empty value for `{name}` but received {value!r}")
    key = quote(name, safe="")
    if pairs is not None and explode:  # key=value, each pair on its own
        joined = [f"{k}={v}" for k, v in pairs]
        if style == "matrix":
            return "".join(f";{item}" for item in joined)
        return ("." if style == "label" else "") + ("." if style == "label" else ",").join(joined)
    if style == "matrix":
        if explode:  # an array: the name before each item
            return "".join(f";{key}={atom}" for atom in atoms)
        return f";{key}=" + ",".join(atoms)
    if style == "label":
        return "." + ("." if explode else ",").join(atoms)
    return ",".join(atoms)


def _atom(value: object) -> str:
    """One value of a path parameter, percent-encoded (a dot too: never ``.`` or ``..``)."""
    text = quote(scalar(value), safe="")
    return "%2E" * len(text) if text.strip(".") == "" else text


def encode_body(
    options: RequestOptions, headers: dict[str, str]
) -> tuple[bytes | None, list[tuple[str, Any]] | None]:
    """The request body as content or multipart parts; sets its content-type."""
    extra = dict(options.extra_body or {})
    if options.body_optional and not extra and not _given_fields(options):
        return None, None  # an optional body left out entirely is not sent, not even as {}
    if not isinstance(options.json, NotGiven) or (extra and _no_body(options)):
        body = options.json if not isinstance(options.json, NotGiven) else {}
        if extra:
            body = {**(body if isinstance(body, Mapping) else {}), **extra}
        headers["content-type"] = options.content_type or "application/json"
        return json.dumps(
            to_jsonable(body), separators=(",", ":"), ensure_ascii=False
        ).encode(), None
    if not isinstance(options.form, NotGiven):
        fields = {**_mapping(options.form), **extra}
        headers["content-type"] = options.content_type or "application/x-www-form-urlencoded"
        return urlencode(_form_items(fields)).encode(), None
    if not isinstance(options.multipart, NotGiven):
        parts: list[tuple[str, Any]] = []  # text fields as (None, text): multipart without files
        for name, value in {**_mapping(options.multipart), **extra}.items():
            items = value if isinstance(value, list | tuple) and not _is_file(value) else [value]
            for item in items:
                if item is not None:
                    parts.append((name, item if _is_file(item) else (None, _form_value(item))))
        if not parts:  # a required body with no field given: still a (empty) multipart body
            boundary = secrets.token_hex(16)
            headers["content-type"] = f"multipart/form-data; boundary={boundary}"
            return f"--{boundary}--\r\n".encode(), None
        return None, parts
    if not isinstance(options.content, NotGiven):
        text = isinstance(options.content, str)
        default = "text/plain; charset=utf-8" if text else "application/octet-stream"
        headers.setdefault("content-type", options.content_type or default)
        content = options.content
        return content.encode() if isinstance(content, str) else content, None
    return None, None


def _no_body(options: RequestOptions) -> bool:
    return all(isinstance(v, NotGiven) for v in (options.form, options.multipart, options.content))


def _given_fields(options: RequestOptions) -> bool:
    """Whether the body's fields hold one value that was given."""
    for body in (options.json, options.form, options.multipart):
        if isinstance(body, Mapping):
            return any(not isinstance(v, NotGiven) for v in body.values())
        if not isinstance(body, NotGiven):
            return True
    return not isinstance(options.content, NotGiven)


def _mapping(value: object) -> dict[str, object]:
    """Form or multipart fields from a mapping or a model (by alias, set fields only)."""
    if isinstance(value, pydantic.BaseModel):
        value = value.model_dump(by_alias=True, exclude_unset=True)
    return (
        {k: v for k, v in value.items() if not isinstance(v, NotGiven)}
        if isinstance(value, Mapping)
        else {}
    )


def _is_file(value: object) -> bool:
    return isinstance(value, bytes | bytearray | tuple) or hasattr(value, "read")


def _form_value(value: object) -> str:
    if isinstance(value, Mapping | list | pydantic.BaseModel):
        return json.dumps(to_jsonable(value), separators=(",", ":"), ensure_ascii=False)
    return scalar(value)


def _form_items(fields: Mapping[str, object]) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for name, value in fields.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            items.extend((name, _form_value(v)) for v in value if v is not None)
        else:
            items.append((name, _form_value(value)))
    return items


def scalar(value: object) -> str:
    """A path, query, header or form value as text."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):  # the "simple" style of path and header arrays
        return ",".join(scalar(v) for v in value)
    return str(value)


def clean(values: Mapping[str, object]) -> dict[str, object]:
    """The values that were given and are not None."""
    return {k: v for k, v in values.items() if not isinstance(v, NotGiven) and v is not None}


_JOINERS: Final = {"csv": ",", "ssv": " ", "pipes": "|"}


def query_items(
    query: Mapping[str, object], styles: Mapping[str, str] | None = None
) -> list[tuple[str, QueryValue]]:
    """Query pairs: lists repeat the key (form, explode) unless a style joins them; objects
    spread their properties (form) or nest them (``deep``: ``name[key]=value``); ``json``
    sends the value as JSON text (a parameter declared with JSON ``content``)."""
    items: list[tuple[str, QueryValue]] = []
    for name, value in clean(query).items():
        style = (styles or {}).get(name, "")
        if style == "json":
            text = json.dumps(to_jsonable(value), separators=(",", ":"), ensure_ascii=False)
            items.append((name, text))
            continue
        if isinstance(value, pydantic.BaseModel):
            value = to_jsonable(value)
        if isinstance(value, Mapping):
            pairs = [(str(k), v) for k, v in value.items() if v is not None]
            items.extend((f"{name}[{k}]" if style == "deep" else k, scalar(v)) for k, v in pairs)
        elif isinstance(value, list | tuple | set | frozenset):
            values = [scalar(v) for v in value if v is not None]
            if style in _JOINERS:
                items.append((name, _JOINERS[style].join(values)))
            else:
                items.extend((name, v) for v in values)
        else:
            items.append((name, scalar(value)))
    return items


def checked_headers(headers: Mapping[str, object]) -> dict[str, str]:
    """Header names lower-cased and values as text; a line break or NUL is refused."""
    checked = {}
    for name, value in headers.items():
        text = scalar(value)
        if any(c in name or c in text for c in "\r\n\0"):
            raise ValueError(f"Header {name!r} holds a line break or NUL character")
        checked[name.lower()] = text
    return checked


def to_jsonable(value: object) -> object:
    """Plain JSON data for a request body; models by alias, leaving out unset fields."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items() if not isinstance(v, NotGiven)}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
