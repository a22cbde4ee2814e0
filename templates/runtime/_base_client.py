"""What ``Client`` and ``AsyncClient`` share: configuration, request building, and the
send / retry / poll loops written once, as flows that do no I/O.

A flow is a generator: it yields what it needs done (``Send`` a request, ``Sleep``, ...)
and is sent the outcome; the sync and async clients (``_client``, ``_async_client``) run
the same flows and differ only in how they do each step (``httpx.Client`` and
``time.sleep``, or ``httpx.AsyncClient`` and ``asyncio.sleep``).
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import uuid
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Generic, TypeVar, cast

import httpx

from . import errors
from ._auth import Credentials, credentials, redacted, select
from ._polling import Poller
from ._request import (
    RequestOptions,
    checked_headers,
    clean,
    encode_body,
    query_items,
    render_path,
)
from ._response import RawResponse, parse, parse_error_body, parse_event
from ._retry import RetryState
from ._streaming import ServerSentEvent
from ._types import NOT_GIVEN, Headers, NotGiven, QueryValue, Timeout

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "BaseClient",
    "ClientConfig",
    "Close",
    "Fetch",
    "Flow",
    "ReadAndClose",
    "ResourceCache",
    "Send",
    "Sleep",
]

T = TypeVar("T")
ClientT = TypeVar("ClientT")
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
SelfT = TypeVar("SelfT", bound="BaseClient[Any]")

log = logging.getLogger(__package__)

DEFAULT_TIMEOUT: Final = 60.0
DEFAULT_MAX_RETRIES: Final = 2


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """What a generated client knows about its API: where it lives and how it authenticates."""

    default_base_url: str
    base_url_env: str
    api_key_env: str
    # scheme name -> (kind, name): kind "bearer" | "basic" | "header" | "query" | "cookie",
    # name the header, query parameter or cookie carrying the key
    auth_schemes: Mapping[str, tuple[str, str]]
    # the document's security: alternatives, each the names of the schemes it sends together
    security: tuple[tuple[str, ...], ...]
    auth_required: bool
    user_agent: str


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


# --- the steps a flow asks for -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Send:
    """Send ``request``; the outcome is the ``httpx.Response`` or the ``httpx.TransportError``."""

    request: httpx.Request
    stream: bool


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait ``seconds``; the outcome is None."""

    seconds: float


@dataclass(frozen=True, slots=True)
class ReadAndClose:
    """Read the body of ``response``, then close it; the outcome is None or the
    ``httpx.TransportError`` that broke the read."""

    response: httpx.Response


@dataclass(frozen=True, slots=True)
class Close:
    """Close ``response`` unread; the outcome is None."""

    response: httpx.Response


@dataclass(frozen=True, slots=True)
class Fetch:
    """Call ``fetch`` (and await its result, in the async client); the outcome is its value."""

    fetch: Callable[[], object]


Action = Send | Sleep | ReadAndClose | Close | Fetch
Flow = Generator[Action, object, T]
EventParser = Callable[[ServerSentEvent, httpx.Response], Any]


class BaseClient(Generic[HttpT]):
    """Configuration, request building and the flows; ``SyncAPIClient`` and
    ``AsyncAPIClient`` add the I/O. A generated client sets ``_config``."""

    _config: ClassVar[ClientConfig]
    _http: HttpT
    _client: Any  # the generated client itself, as its methods and resources call it
    _resources: ResourceCache[Any]
    _default_auth: Credentials  # what a call sends unless its operation says otherwise
    _plain_http = False  # True when the client made its own httpx client (no defaults set)

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Headers | None = None,
        http_client: HttpT | None = None,
    ) -> None:
        config = self._config
        key = api_key if api_key is not None else (os.environ.get(config.api_key_env) or None)
        if key is None and config.auth_required:
            raise errors.MissingAPIKeyError(
                f"No API key: pass api_key=... or set the {config.api_key_env} "
                "environment variable."
            )
        url = base_url or os.environ.get(config.base_url_env) or config.default_base_url
        if not url.startswith(("http://", "https://")):
            raise ValueError(
                "base_url must be an absolute http(s) URL; "
                f"pass base_url=... or set {config.base_url_env}"
            )
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._api_key = key
        self.base_url = url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self._default_headers = {
            "accept": "application/json",
            "user-agent": config.user_agent,
            **checked_headers(default_headers or {}),
        }
        self._credentials = credentials(config.auth_schemes, key)
        self._default_auth = select(self._credentials, config.security)
        self._client = self
        self._resources = ResourceCache(self)
        self._owns_http = self._plain_http = http_client is None
        self._http = http_client if http_client is not None else self._new_http()

    def _new_http(self) -> HttpT:
        """The httpx client this client makes when given none."""
        raise NotImplementedError

    def _stream(self, response: httpx.Response, parse: EventParser) -> object:
        """The ``Stream`` or ``AsyncStream`` of the events of ``response``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def with_options(
        self: SelfT,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> SelfT:
        """A copy of this client with other defaults, sharing its connection pool."""
        other = copy.copy(self)
        other._client = other
        other._resources = ResourceCache(other)  # not this client's resource objects
        other._owns_http = False
        if not isinstance(timeout, NotGiven):
            other.timeout = timeout
        if not isinstance(max_retries, NotGiven):
            other.max_retries = max_retries
        return other

    # --- requests ---------------------------------------------------------------------------

    def _build_request(self, options: RequestOptions) -> httpx.Request:
        url = self.base_url + render_path(options.path, options.path_params, options.path_styles)
        auth_headers, auth_query, auth_cookies = (
            self._default_auth
            if options.security is None
            else select(self._credentials, options.security)
        )
        headers = {
            **self._default_headers,
            **({"accept": options.accept} if options.accept else {}),
            **auth_headers,
            **checked_headers(clean(options.headers)),
            **checked_headers(options.extra_headers or {}),
        }
        if options.idempotency_header:  # one key per call: every retry carries the same one
            headers.setdefault(options.idempotency_header.lower(), str(uuid.uuid4()))
        if options.response_kind == "sse":
            headers["accept"] = "text/event-stream"
        params: list[tuple[str, QueryValue]] = [
            *query_items(options.query, options.query_styles),
            *query_items(options.extra_query or {}),
        ]
        params.extend(auth_query.items())
        content, files = encode_body(options, headers)
        cookies = {**auth_cookies, **{k: str(v) for k, v in clean(options.cookies).items()}}
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

    def _status_error(
        self, response: httpx.Response, options: RequestOptions
    ) -> errors.APIStatusError:
        log.debug(
            "%s %s -> %s",
            response.request.method,
            redacted(response.request.url),
            response.status_code,
        )
        return errors.make_status_error(response, parse_error_body(response, options.errors))

    # --- flows: the loops, written once -----------------------------------------------------

    def _send_flow(self, options: RequestOptions, *, stream: bool) -> Flow[httpx.Response]:
        """Send until a response is final: retries with their waits, within the budget."""
        retry = self._retry_state(options)
        request = self._build_request(options)
        while True:
            retry.prepare(request)
            outcome = yield Send(request, stream)
            if isinstance(outcome, httpx.TransportError):
                yield Sleep(retry.after_error(outcome, request))
                continue
            response = cast(httpx.Response, outcome)
            delay = retry.after_response(response)
            if delay is None:
                return response
            yield Close(response)
            yield Sleep(delay)

    def _request_flow(self, options: RequestOptions, cast_to: Any) -> Flow[RawResponse[object]]:
        """One call: its final response parsed, or its status error raised."""
        stream = options.response_kind == "sse"
        response = yield from self._send_flow(options, stream=stream)
        if not response.is_success:
            failed = yield ReadAndClose(response)
            if isinstance(failed, httpx.TransportError):
                raise errors.APIConnectionError(request=response.request) from failed
            raise self._status_error(response, options)
        if stream:
            events = self._stream(response, functools.partial(parse_event, cast_to))
            return RawResponse(response, events)
        return RawResponse(response, parse(response, options.response_kind, cast_to))

    def _poll_flow(self, fetch: Callable[[], object], poller: Poller) -> Flow[object]:
        """Fetch until the poller says the run is done; its last parsed value."""
        while True:
            raw = cast(RawResponse[object], (yield Fetch(fetch)))
            delay = poller.next_delay(raw.parsed, raw.http_response)
            if delay is None:
                return raw.parsed
            yield Sleep(delay)
