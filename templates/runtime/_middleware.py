"""Middleware: callables that see every attempt of every call, inside the retry loop.

``Client(middleware=[...])`` takes callables ``(request, call_next) -> response``;
``AsyncClient`` takes ``async`` ones. The first in the list is the outermost. Each runs once
per attempt, so it sees retried attempts and error statuses (a 503 that is then retried, a
404 that raises); it may change the request, return another response, or raise. An OAuth2
token request (``_oauth2``) is not an attempt of a call and does not pass through them.

    import time

    def stamp(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        request.headers["x-client-trace"] = "abc"
        return call_next(request)

    def timing(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        started = time.monotonic()
        response = call_next(request)
        log.info("%s %s: %s in %.3fs", request.method, request.url.path,
                 response.status_code, time.monotonic() - started)
        return response

    client = Client(middleware=[stamp, timing])

    async def async_stamp(request: httpx.Request, call_next: AsyncCallNext) -> httpx.Response:
        request.headers["x-client-trace"] = "abc"
        return await call_next(request)

    client = AsyncClient(middleware=[async_stamp])
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import httpx

__all__ = ["AsyncCallNext", "AsyncMiddleware", "CallNext", "Middleware", "chain", "chain_async"]

CallNext = Callable[[httpx.Request], httpx.Response]
Middleware = Callable[[httpx.Request, CallNext], httpx.Response]
AsyncCallNext = Callable[[httpx.Request], Awaitable[httpx.Response]]
AsyncMiddleware = Callable[[httpx.Request, AsyncCallNext], Awaitable[httpx.Response]]


def chain(middleware: Sequence[Middleware], send: CallNext) -> CallNext:
    """``send`` wrapped in ``middleware``, the first outermost."""
    handler = send
    for layer in reversed(middleware):
        handler = _bind(layer, handler)
    return handler


def chain_async(middleware: Sequence[AsyncMiddleware], send: AsyncCallNext) -> AsyncCallNext:
    """``send`` wrapped in ``middleware``, the first outermost."""
    handler = send
    for layer in reversed(middleware):
        handler = _bind_async(layer, handler)
    return handler


def _bind(layer: Middleware, call_next: CallNext) -> CallNext:
    return lambda request: layer(request, call_next)


def _bind_async(layer: AsyncMiddleware, call_next: AsyncCallNext) -> AsyncCallNext:
    return lambda request: layer(request, call_next)
