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
import os
import time
import uuid
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Generic, TypeVar, cast

import httpx

from . import errors
from ._auth import Credentials, chosen, credentials, select
from ._logs import log_error, log_response, log_retry, secrets, setup_logging
from ._oauth2 import ClientAuthMethod, OAuth2Config, TokenSource, client_credentials
from ._pagination import attach
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
    "Authorize",
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
MiddlewareT = TypeVar("MiddlewareT")  # _middleware.Middleware, or AsyncMiddleware
SelfT = TypeVar("SelfT", bound="BaseClient[Any, Any]")

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
    log_env: str = ""  # the variable that turns the package's log on: "<PACKAGE>_LOG"
    oauth2: OAuth2Config | None = None  # a client-credentials flow the client can run


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


@dataclass(frozen=True, slots=True)
class Authorize:
    """An OAuth2 access token; the outcome is the token. ``stale`` is one the server refused."""

    stale: str | None


Action = Send | Sleep | ReadAndClose | Close | Fetch | Authorize
Flow = Generator[Action, object, T]
EventParser = Callable[[ServerSentEvent, httpx.Response], Any]


class BaseClient(Generic[HttpT, MiddlewareT]):
    """Configuration, request building and the flows; ``SyncAPIClient`` and
    ``AsyncAPIClient`` add the I/O. A generated client sets ``_config``."""

    _config: ClassVar[ClientConfig]
    _http: HttpT
    _client: Any  # the generated client itself, as its methods and resources call it
    _resources: ResourceCache[Any]
    _default_auth: Credentials  # what a call sends unless its operation says otherwise
    _plain_http = False  # True when the client made its own httpx client (no defaults set)
    _tokens: TokenSource | None  # OAuth2 client credentials, when given
    _middleware: tuple[MiddlewareT, ...]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Headers | None = None,
        http_client: HttpT | None = None,
        middleware: Sequence[MiddlewareT] = (),
        client_id: str | None = None,
        client_secret: str | None = None,
        client_auth_method: ClientAuthMethod = "client_secret_basic",
    ) -> None:
        config = self._config
        key = api_key if api_key is not None else (os.environ.get(config.api_key_env) or None)
        oauth2 = client_credentials(config.oauth2, client_id, client_secret)
        if key is None and oauth2 is None and config.auth_required:
            also = (
                ""
                if config.oauth2 is None
                else f", or client_id=... and client_secret=... ({config.oauth2.client_id_env}, "
                f"{config.oauth2.client_secret_env})"
            )
            raise errors.MissingAPIKeyError(
                f"No API key: pass api_key=... or set the {config.api_key_env} "
                f"environment variable{also}."
            )
        url = base_url or os.environ.get(config.base_url_env) or config.default_base_url
        if not url.startswith(("http://", "https://")):
            raise ValueError(
                "base_url must be an absolute http(s) URL; "
                f"pass base_url=... or set {config.base_url_env}"
            )
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if http_client is not None and not isinstance(
            http_client, (httpx.Client, httpx.AsyncClient)
        ):  # e.g. the other library's client: the package is written for this one
            kind = type(http_client)
            raise TypeError(
                "http_client must be an httpx.Client or httpx.AsyncClient, "
                f"not {kind.__module__.partition('.')[0]}.{kind.__qualname__}"
            )
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
        self._secrets = secrets(config.auth_schemes)  # masked in log lines
        setup_logging(config.log_env)
        self._tokens = None
        if config.oauth2 is not None and oauth2 is not None:
            self._tokens = TokenSource(
                config.oauth2,
                base_url=self.base_url,
                client_id=oauth2[0],
                client_secret=oauth2[1],
                method=client_auth_method,
            )
            self._credentials[config.oauth2.scheme] = ({}, {}, {})  # the token: per attempt
        self._default_auth = select(self._credentials, config.security)
        self._middleware = tuple(middleware)
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
        return errors.make_status_error(response, parse_error_body(response, options.errors))

    def _uses_token(self, options: RequestOptions) -> bool:
        """Whether this call's credentials are the OAuth2 token."""
        if self._tokens is None:
            return False
        security = self._config.security if options.security is None else options.security
        return self._tokens.scheme in chosen(self._credentials, security)

    def _parser(self, options: RequestOptions, cast_to: Any) -> Callable[[httpx.Response], Any]:
        """What turns a 2xx response into the value the method returns."""
        if options.response_kind == "sse":
            return lambda response: self._stream(response, functools.partial(parse_event, cast_to))

        def parse_body(response: httpx.Response) -> Any:
            parsed = parse(response, options.response_kind, cast_to)
            if options.pager is not None:  # a page: it fetches the pages after it itself
                attach(parsed, self, options, cast_to, response)
            return parsed

        return parse_body

    # --- flows: the loops, written once -----------------------------------------------------

    def _send_flow(self, options: RequestOptions, *, stream: bool) -> Flow[httpx.Response]:
        """Send until a response is final: retries with their waits, within the budget. With
        an OAuth2 token, a 401 fetches a new one and sends again, once."""
        retry = self._retry_state(options)
        request = self._build_request(options)
        attempts = retry.max_retries + 1
        uses_token = self._uses_token(options)
        token = stale = None
        refreshed = False
        while True:
            if uses_token:  # each attempt: the cached token, or a new one if it expired
                token = cast(str, (yield Authorize(stale)))
                request.headers["authorization"] = f"Bearer {token}"
                stale = None
            retry.prepare(request)
            attempt, started = retry.attempt + 1, time.monotonic()
            outcome = yield Send(request, stream)
            elapsed = time.monotonic() - started
            if isinstance(outcome, httpx.TransportError):
                log_error(request, outcome, attempt, attempts, elapsed, self._secrets)
                wait = retry.after_error(outcome, request)
                log_retry(request, wait, outcome, attempt + 1, attempts, self._secrets)
                yield Sleep(wait)
                continue
            response = cast(httpx.Response, outcome)
            log_response(response, attempt, attempts, elapsed, self._secrets)
            if response.status_code == 401 and uses_token and not refreshed:
                refreshed, stale = True, token  # refused: fetch a new one, send once more
                yield Close(response)
                continue
            delay = retry.after_response(response)
            if delay is None:
                return response
            log_retry(request, delay, response, attempt + 1, attempts, self._secrets)
            yield Close(response)
            yield Sleep(delay)

    def _checked_flow(self, options: RequestOptions, *, stream: bool) -> Flow[httpx.Response]:
        """The final response of a call, or its status error raised (its body read)."""
        response = yield from self._send_flow(options, stream=stream)
        if not response.is_success:
            failed = yield ReadAndClose(response)
            if isinstance(failed, httpx.TransportError):
                raise errors.APIConnectionError(request=response.request) from failed
            raise self._status_error(response, options)
        return response

    def _request_flow(self, options: RequestOptions, cast_to: Any) -> Flow[RawResponse[object]]:
        """One call: its final response parsed, or its status error raised."""
        response = yield from self._checked_flow(options, stream=options.response_kind == "sse")
        return RawResponse(response, self._parser(options, cast_to)(response))

    def _poll_flow(self, fetch: Callable[[], object], poller: Poller) -> Flow[object]:
        """Fetch until the poller says the run is done; its last parsed value."""
        while True:
            raw = cast(RawResponse[object], (yield Fetch(fetch)))
            delay = poller.next_delay(raw.parsed, raw.http_response)
            if delay is None:
                return raw.parsed
            yield Sleep(delay)
            poller.check()  # the budget spent: no fetch after the last sleep
