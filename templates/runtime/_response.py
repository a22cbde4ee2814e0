"""Responses: parsing a body into its type, error bodies, and ``RawResponse``."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import pydantic

from . import errors
from ._streaming import ServerSentEvent

__all__ = [
    "RawResponse",
    "ResponseFields",
    "field_value",
    "parse",
    "parse_error_body",
    "parse_event",
    "validate_json",
]

T = TypeVar("T")


class ResponseFields:
    """The status and headers of ``http_response``, read through."""

    __slots__ = ()
    http_response: httpx.Response

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers


@dataclass(frozen=True, slots=True)
class RawResponse(ResponseFields, Generic[T]):
    """A parsed value with the ``httpx.Response`` it came from."""

    http_response: httpx.Response
    parsed: T


def parse(response: httpx.Response, kind: str, cast_to: Any) -> Any:
    """A 2xx body as the operation returns it: None, text, bytes or ``cast_to``."""
    if kind == "empty" or cast_to is None:
        return None
    if kind == "text":
        return response.text
    if kind == "binary":
        return response.content
    return validate_json(cast_to, response)


@functools.lru_cache(maxsize=512)
def _adapter(type_: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(type_)


def _type_name(type_: Any) -> str:
    return getattr(type_, "__name__", None) or str(type_).replace(f"{__package__}.models.", "")


def validate_json(type_: Any, response: httpx.Response, data: str | bytes | None = None) -> Any:
    """Parse a body into ``type_``; anything else is an ``APIResponseValidationError``."""
    raw = response.content if data is None else data
    try:
        if isinstance(type_, type) and issubclass(type_, pydantic.BaseModel):
            return type_.model_validate_json(raw)
        return _adapter(type_).validate_json(raw)
    except pydantic.ValidationError as exc:
        problems = exc.errors(include_url=False, include_input=False)
        first = problems[0] if problems else {"loc": (), "msg": str(exc)}
        location = ".".join(str(part) for part in first.get("loc", ())) or "(body)"
        name = _type_name(type_)
        if first.get("type") == "json_invalid":
            message = f"{name}: the response body is not valid JSON ({first.get('msg')})"
        else:
            message = f"{name}: {location}: {first.get('msg')}"
            if len(problems) > 1:
                message += f" (and {len(problems) - 1} more)"
        raise errors.APIResponseValidationError(
            message, response=response, model=name, errors=problems
        ) from None


def parse_event(type_: Any, event: ServerSentEvent, response: httpx.Response) -> Any:
    """One server-sent event's data parsed into ``type_``; None for keep-alives and ``[DONE]``."""
    if not event.data or event.data.strip() == "[DONE]":
        return None
    return validate_json(type_, response, event.data)


def parse_error_body(response: httpx.Response, error_types: Mapping[int | str, Any]) -> object:
    """A non-2xx body as the operation's error model for its status, else JSON, else text."""
    status = response.status_code
    for key in (status, f"{status // 100}XX", "default"):
        type_ = error_types.get(key)
        if type_ is not None:
            try:
                return validate_json(type_, response)
            except errors.APIResponseValidationError:
                break
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text


def field_value(model: object, wire_name: str) -> Any:
    """A model's value for a field by its name in the API (its alias)."""
    if isinstance(model, pydantic.BaseModel):
        for name, info in type(model).model_fields.items():
            if info.alias == wire_name or name == wire_name:
                return getattr(model, name)
        return (model.model_extra or {}).get(wire_name)
    return getattr(model, wire_name, None)
