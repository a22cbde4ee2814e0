"""Everything a client does except the network call, shared by ``Client`` and ``AsyncClient``.

Building requests (paths, query, headers, auth, JSON bodies), deciding on retries, parsing
responses into models, mapping errors and deciding when a poll is done all live here and do
no I/O. The generated clients only send what this module builds and sleep as it says.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import math
import os
import random
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import IO, TYPE_CHECKING, Any, Final, Generic, TypeVar, cast
from urllib.parse import quote, urlencode

import httpx
import pydantic

from . import errors
from ._streaming import ServerSentEvent

if TYPE_CHECKING:
    from ._pagination import Pager

T = TypeVar("T")
ClientT = TypeVar("ClientT")

log = logging.getLogger(__package__)

DEFAULT_TIMEOUT: Final = 60.0
DEFAULT_MAX_RETRIES: Final = 2
INITIAL_RETRY_DELAY: Final = 0.5
MAX_RETRY_DELAY: Final = 8.0
MAX_RETRY_AFTER: Final = 60.0
POLL_INITIAL_DELAY: Final = 1.0
POLL_MAX_DELAY: Final = 30.0
POLL_HINT_FIELDS: Final = ("retry_after", "poll_after", "poll_interval")
RETRY_STATUSES: Final = frozenset({408, 409, 429})


class Model(pydantic.BaseModel):
    """The base of every generated model. Its validator is built when first used, not at
    import, so a package with thousands of models imports quickly."""

    model_config = pydantic.ConfigDict(defer_build=True)


class NotGiven:
    """The value of an argument that was left out: it is not sent at all (not even as null)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Headers = Mapping[str, str]
Query = Mapping[str, object]
Body = Mapping[str, object]
Timeout = float | httpx.Timeout | None
FileContent = bytes | IO[bytes] | tuple[str, bytes | IO[bytes]] | tuple[str, bytes | IO[bytes], str]
QueryValue = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """What a generated client knows about its API: where it lives and how it authenticates."""

    default_base_url: str
    base_url_env: str
    api_key_env: str
    auth_kind: str  # "bearer" | "basic" | "header" | "query" | "cookie" | "none"
    auth_name: str
    auth_required: bool
    user_agent: str


@dataclass(slots=True)
class RequestOptions:
    method: str
    path: str
    path_params: Mapping[str, object] = field(default_factory=dict)
    query: Mapping[str, object] = field(default_factory=dict)
    headers: Mapping[str, object] = field(default_factory=dict)
    cookies: Mapping[str, object] = field(default_factory=dict)
    query_styles: Mapping[str, str] = field(default_factory=dict)  # csv, ssv, pipes, deep
    json: object = NOT_GIVEN
    form: object = NOT_GIVEN  # application/x-www-form-urlencoded fields
    multipart: object = NOT_GIVEN  # multipart/form-data fields; files as FileContent
    content: bytes | str | NotGiven = NOT_GIVEN
    extra_headers: Headers | None = None
    extra_query: Query | None = None
    extra_body: Body | None = None
    timeout: Timeout | NotGiven = NOT_GIVEN
    max_retries: int | NotGiven = NOT_GIVEN
    errors: Mapping[int | str, Any] = field(default_factory=dict)
    response_kind: str = "json"  # "json" | "text" | "binary" | "empty" | "sse"
    idempotency_header: str | None = None
    authenticated: bool = True  # False for operations that declare `security: []`
    pager: Pager | None = None  # a list operation's way to its next page (_pagination)


@dataclass(frozen=True, slots=True)
class RawResponse(Generic[T]):
    """A parsed value with the ``httpx.Response`` it came from."""

    http_response: httpx.Response
    parsed: T

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers


class ResourceCache(Generic[ClientT]):
    """The resource objects of one client, each made the first time it is asked for.

    A client holds one; the copy ``with_options`` makes gets a new one, so a resource object
    always calls the client it was made for.
    """

    __slots__ = ("_client", "_made")

    def __init__(self, client: ClientT) -> None:
        self._client = client
        self._made: dict[Callable[[ClientT], object], object] = {}

    def get(self, make: Callable[[ClientT], T]) -> T:
        """``make(client)`` on the first call, the same object after (``make`` is a class)."""
        made = self._made.get(make)
        if made is None:
            made = self._made[make] = make(self._client)
        return cast(T, made)


class BaseClient:
    _http: httpx.Client | httpx.AsyncClient
    _plain_http = False  # True when the client made its own httpx client (no defaults set)

    def __init__(
        self,
        *,
        config: ClientConfig,
        api_key: str | None,
        base_url: str | None,
        timeout: Timeout,
        max_retries: int,
        default_headers: Headers | None,
    ) -> None:
        key = api_key if api_key is not None else (os.environ.get(config.api_key_env) or None)
        if key is None and config.auth_required and config.auth_kind != "none":
            raise errors.MissingAPIKeyError(
                f"No API key: pass api_key=... or set the {config.api_key_env} environment variable."
            )
        url = base_url or os.environ.get(config.base_url_env) or config.default_base_url
        if not url.startswith(("http://", "https://")):
            raise ValueError(
                f"base_url must be an absolute http(s) URL; pass base_url=... or set {config.base_url_env}"
            )
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._config = config
        self._api_key = key
        self.base_url = url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self._default_headers = {
            "accept": "application/json",
            "user-agent": config.user_agent,
            **_checked_headers(default_headers or {}),
        }
        self._auth_headers, self._auth_query, self._auth_cookies = _auth(config, key)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    # --- requests -------------------------------------------------------------------------

    def _build_request(self, options: RequestOptions) -> httpx.Request:
        url = self.base_url + render_path(options.path, options.path_params)
        auth_headers, auth_query, auth_cookies = (
            (self._auth_headers, self._auth_query, self._auth_cookies)
            if options.authenticated
            else ({}, {}, {})
        )
        headers = {
            **self._default_headers,
            **auth_headers,
            **_checked_headers(_clean(options.headers)),
            **_checked_headers(options.extra_headers or {}),
        }
        if options.idempotency_header:  # one key per call: every retry carries the same one
            headers.setdefault(options.idempotency_header.lower(), str(uuid.uuid4()))
        if options.response_kind == "sse":
            headers["accept"] = "text/event-stream"
        params: list[tuple[str, QueryValue]] = [
            *_query_items(options.query, options.query_styles),
            *_query_items(options.extra_query or {}),
            *auth_query.items(),
        ]
        content, files = _encode_body(options, headers)
        cookies = {**auth_cookies, **{k: str(v) for k, v in _clean(options.cookies).items()}}
        if self._plain_http:  # our own httpx client has no defaults to merge: skip that work
            return httpx.Request(
                options.method,
                url,
                params=params or None,
                headers=headers,
                content=content,
                files=files,
                cookies=cookies or None,
            )
        return self._http.build_request(  # a caller's client: its own defaults apply too
            options.method,
            url,
            params=params,
            headers=headers,
            content=content,
            files=files,
            cookies=cookies or None,
        )

    def _retry_state(self, options: RequestOptions) -> RetryState:
        max_retries = (
            self.max_retries if isinstance(options.max_retries, NotGiven) else options.max_retries
        )
        timeout = self.timeout if isinstance(options.timeout, NotGiven) else options.timeout
        return RetryState(max_retries, timeout)

    def _parse(self, response: httpx.Response, options: RequestOptions, cast_to: Any) -> Any:
        kind = options.response_kind
        if kind == "empty" or cast_to is None:
            return None
        if kind == "text":
            return response.text
        if kind == "binary":
            return response.content
        value = validate_json(cast_to, response)
        if options.pager is not None:  # a page: it fetches the pages after it itself
            from ._pagination import attach

            attach(value, self, options, cast_to, response)
        return value

    @staticmethod
    def _event_parser(cast_to: Any) -> Callable[[ServerSentEvent, httpx.Response], Any]:
        return functools.partial(parse_event, cast_to)

    def _status_error(
        self, response: httpx.Response, options: RequestOptions
    ) -> errors.APIStatusError:
        log.debug(
            "%s %s -> %s",
            response.request.method,
            _redacted(response.request.url),
            response.status_code,
        )
        return errors.make_status_error(response, parse_error_body(response, options.errors))


class RetryState:
    """Decides, attempt by attempt, whether and when to send a request again.

    Retried: connection errors and timeouts, 408, 409, 429 and 5xx (a server may say
    otherwise with ``x-should-retry``). The wait is the server's ``retry-after-ms`` or
    ``Retry-After`` (seconds or an HTTP date), else exponential backoff with jitter. The
    call's timeout is a budget for all attempts and waits together: a retry that cannot
    finish within it is not made.
    """

    def __init__(self, max_retries: int, timeout: Timeout) -> None:
        self.max_retries = max_retries
        self.timeout = timeout
        self.attempt = 0
        budget = timeout.read if isinstance(timeout, httpx.Timeout) else timeout
        self.deadline = None if budget is None else time.monotonic() + budget

    def prepare(self, request: httpx.Request) -> None:
        """Give this attempt what is left of the budget as its timeout."""
        if self.deadline is None:
            timeout = (
                self.timeout if isinstance(self.timeout, httpx.Timeout) else httpx.Timeout(None)
            )
        else:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise errors.APITimeoutError(request=request)
            if isinstance(self.timeout, httpx.Timeout):
                timeout = httpx.Timeout(
                    connect=_min(self.timeout.connect, remaining),
                    read=_min(self.timeout.read, remaining),
                    write=_min(self.timeout.write, remaining),
                    pool=_min(self.timeout.pool, remaining),
                )
            else:
                timeout = httpx.Timeout(remaining)
        request.extensions["timeout"] = timeout.as_dict()

    def after_error(self, exc: Exception, request: httpx.Request) -> float:
        """The wait before the next attempt, or raises the client error for ``exc``."""
        if isinstance(exc, httpx.TimeoutException):
            error: errors.APIError = errors.APITimeoutError(request=request)
        else:
            error = errors.APIConnectionError(
                f"Connection error: {type(exc).__name__}", request=request
            )
        delay = self._next_delay(None)
        if delay is None:
            raise error from exc
        log.info(
            "%s %s failed (%s); retrying in %.2fs",
            request.method,
            _redacted(request.url),
            type(exc).__name__,
            delay,
        )
        return delay

    def after_response(self, response: httpx.Response) -> float | None:
        """The wait before the next attempt, or None when this response is final."""
        if not should_retry(response):
            return None
        delay = self._next_delay(response)
        if delay is not None:
            log.info(
                "%s %s -> %s; retrying in %.2fs",
                response.request.method,
                _redacted(response.request.url),
                response.status_code,
                delay,
            )
        return delay

    def _next_delay(self, response: httpx.Response | None) -> float | None:
        if self.attempt >= self.max_retries:
            return None
        asked = retry_after(response.headers) if response is not None else None
        if asked is not None and asked > MAX_RETRY_AFTER:
            return None
        delay = asked if asked is not None else backoff(self.attempt)
        if self.deadline is not None and time.monotonic() + delay >= self.deadline:
            return None
        self.attempt += 1
        return delay


def should_retry(response: httpx.Response) -> bool:
    override = str(response.headers.get("x-should-retry", "")).lower()
    if override in ("true", "false"):
        return override == "true"
    return response.status_code in RETRY_STATUSES or response.status_code >= 500


def backoff(attempt: int) -> float:
    delay = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())  # noqa: S311 - jitter, not security


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asks to wait: ``retry-after-ms``, or ``Retry-After`` in seconds or as a date."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - time.time()
    return max(seconds, 0.0) if math.isfinite(seconds) else None


# --- values in and out ------------------------------------------------------------------------


def render_path(template: str, params: Mapping[str, object]) -> str:
    """Fill ``{name}`` placeholders, each value percent-encoded as one path segment."""
    path = template
    for name, value in params.items():
        text = _scalar(value)
        if text == "":
            raise ValueError(f"Expected a non-empty value for `{name}` but received {value!r}")
        segment = quote(text, safe="")
        if segment in (".", ".."):
            segment = segment.replace(".", "%2E")
        path = path.replace("{" + name + "}", segment)
    return path


def _encode_body(
    options: RequestOptions, headers: dict[str, str]
) -> tuple[bytes | None, list[tuple[str, Any]] | None]:
    """The request body as content or multipart parts; sets its content-type."""
    extra = dict(options.extra_body or {})
    if not isinstance(options.json, NotGiven) or (extra and _no_body(options)):
        body = options.json if not isinstance(options.json, NotGiven) else {}
        if extra:
            body = {**(body if isinstance(body, Mapping) else {}), **extra}
        headers["content-type"] = "application/json"
        return json.dumps(
            to_jsonable(body), separators=(",", ":"), ensure_ascii=False
        ).encode(), None
    if not isinstance(options.form, NotGiven):
        fields = {**_mapping(options.form), **extra}
        headers["content-type"] = "application/x-www-form-urlencoded"
        return urlencode(_form_items(fields)).encode(), None
    if not isinstance(options.multipart, NotGiven):
        parts: list[
            tuple[str, Any]
        ] = []  # text fields as (None, text): multipart even without files
        for name, value in {**_mapping(options.multipart), **extra}.items():
            items = value if isinstance(value, list | tuple) and not _is_file(value) else [value]
            for item in items:
                if item is not None:
                    parts.append((name, item if _is_file(item) else (None, _form_value(item))))
        return None, parts
    if not isinstance(options.content, NotGiven):
        text = isinstance(options.content, str)
        headers.setdefault(
            "content-type", "text/plain; charset=utf-8" if text else "application/octet-stream"
        )
        return options.content.encode() if isinstance(
            options.content, str
        ) else options.content, None
    return None, None


def _no_body(options: RequestOptions) -> bool:
    return all(isinstance(v, NotGiven) for v in (options.form, options.multipart, options.content))


def _mapping(value: object) -> dict[str, object]:
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
    return _scalar(value)


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


def _scalar(value: object) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):  # the "simple" style of path and header arrays
        return ",".join(_scalar(v) for v in value)
    return str(value)


def _clean(values: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if not isinstance(v, NotGiven) and v is not None}


_JOINERS: Final = {"csv": ",", "ssv": " ", "pipes": "|"}


def _query_items(
    query: Mapping[str, object], styles: Mapping[str, str] | None = None
) -> list[tuple[str, QueryValue]]:
    """Query pairs: lists repeat the key (form, explode) unless a style joins them; objects
    spread their properties (form) or nest them (``deep``: ``name[key]=value``)."""
    items: list[tuple[str, QueryValue]] = []
    for name, value in _clean(query).items():
        style = (styles or {}).get(name, "")
        if isinstance(value, pydantic.BaseModel):
            value = to_jsonable(value)
        if isinstance(value, Mapping):
            pairs = [(str(k), v) for k, v in value.items() if v is not None]
            items.extend((f"{name}[{k}]" if style == "deep" else k, _scalar(v)) for k, v in pairs)
        elif isinstance(value, list | tuple | set | frozenset):
            values = [_scalar(v) for v in value if v is not None]
            if style in _JOINERS:
                items.append((name, _JOINERS[style].join(values)))
            else:
                items.extend((name, v) for v in values)
        else:
            items.append((name, _scalar(value)))
    return items


def _checked_headers(headers: Mapping[str, object]) -> dict[str, str]:
    checked = {}
    for name, value in headers.items():
        text = _scalar(value)
        if any(c in name or c in text for c in "\r\n\0"):
            raise ValueError(f"Header {name!r} holds a line break or NUL character")
        checked[name.lower()] = text
    return checked


def _auth(
    config: ClientConfig, key: str | None
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    if key is None or config.auth_kind == "none":
        return {}, {}, {}
    if any(c in key for c in "\r\n\0"):
        raise ValueError("The API key holds a line break or NUL character")
    if config.auth_kind == "bearer":
        return {"authorization": f"Bearer {key}"}, {}, {}
    if config.auth_kind == "basic":
        import base64

        return {"authorization": "Basic " + base64.b64encode(key.encode()).decode()}, {}, {}
    if config.auth_kind == "header":
        return {config.auth_name.lower(): key}, {}, {}
    if config.auth_kind == "query":
        _HIDE_QUERY_KEYS.hide(config.auth_name)
        return {}, {config.auth_name: key}, {}
    return {}, {}, {config.auth_name: key}


class _HideQueryKeys(logging.Filter):
    """httpx logs each request's URL at INFO: a key sent in the query shows there as ``***``."""

    def __init__(self) -> None:
        super().__init__()
        self._patterns: dict[str, re.Pattern[str]] = {}

    def hide(self, name: str) -> None:
        encoded = urlencode({name: ""})  # the parameter as it appears in a URL: "api_key="
        self._patterns.setdefault(name, re.compile(rf"([?&]{re.escape(encoded)})[^&#\s\"']*"))
        httpx_log = logging.getLogger("httpx")
        if self not in httpx_log.filters:
            httpx_log.addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = message
        for pattern in self._patterns.values():
            hidden = pattern.sub(r"\1***", hidden)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


_HIDE_QUERY_KEYS: Final = _HideQueryKeys()


def _min(value: float | None, bound: float) -> float:
    return bound if value is None else min(value, bound)


def _redacted(url: httpx.URL) -> str:
    """A URL for logs and messages: no query string (it may hold a key), no user info."""
    return str(url.copy_with(query=None, fragment=None, username=None, password=None))


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


# --- polling -----------------------------------------------------------------------------------


class Poller:
    """Decides after each fetch whether a run is done, and how long to wait if not.

    The wait is the server's hint (a ``retry_after``/``poll_after``/``poll_interval`` body
    field, else a ``Retry-After`` header), else ``interval``, else a backoff from 1 s to 30 s.
    """

    def __init__(
        self, *, terminal: frozenset[str], timeout: float | None, interval: float | None
    ) -> None:
        self.terminal = terminal
        self.interval = interval
        self.started = time.monotonic()
        self.deadline = None if timeout is None else self.started + timeout
        self.fetches = 0

    def next_delay(self, value: object, response: httpx.Response) -> float | None:
        self.fetches += 1
        status = status_of(value)
        if status in self.terminal:
            return None
        now = time.monotonic()
        if self.deadline is not None and now >= self.deadline:
            elapsed = now - self.started
            raise errors.PollTimeoutError(
                f"Still {status!r} after {elapsed:.1f}s and {self.fetches} fetches",
                last=value,
                elapsed=elapsed,
            )
        delay = self._hint(value, response)
        if delay is None:
            delay = self.interval if self.interval is not None else _poll_backoff(self.fetches)
        if self.deadline is not None:
            delay = min(delay, self.deadline - now)
        return max(delay, 0.0)

    @staticmethod
    def _hint(value: object, response: httpx.Response) -> float | None:
        for name in POLL_HINT_FIELDS:
            hint = field_value(value, name)
            if isinstance(hint, int | float) and not isinstance(hint, bool) and math.isfinite(hint):
                return max(float(hint), 0.0)
        return retry_after(response.headers)


def status_of(value: object) -> str | None:
    status = field_value(value, "status")
    if isinstance(status, Enum):
        status = status.value
    return status if isinstance(status, str) else None


def _poll_backoff(fetches: int) -> float:
    return min(POLL_INITIAL_DELAY * 1.5 ** (fetches - 1), POLL_MAX_DELAY)
