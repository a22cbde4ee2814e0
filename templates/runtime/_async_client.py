"""``AsyncAPIClient``: the base of ``AsyncClient``; runs the shared flows with asyncio I/O."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import httpx

from . import _base_client as steps
from ._base_client import BaseClient, EventParser, Flow
from ._closing import AsyncClosing
from ._middleware import AsyncMiddleware, chain_async
from ._polling import Poller
from ._request import RequestOptions
from ._response import RawResponse
from ._streamed_response import AsyncStreamedResponse, AsyncStreamedResponseManager
from ._streaming import AsyncStream

__all__ = ["AsyncAPIClient"]

T = TypeVar("T")
SelfT = TypeVar("SelfT", bound="AsyncAPIClient")


class AsyncAPIClient(BaseClient[httpx.AsyncClient, AsyncMiddleware], AsyncClosing):
    def _stream(self, response: httpx.Response, parse: EventParser) -> AsyncStream[Any]:
        return AsyncStream(response, parse)

    def _new_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(follow_redirects=True)

    async def close(self) -> None:
        """Close the connection pool, if this client opened it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self: SelfT) -> SelfT:
        return self

    async def _request_raw(self, options: RequestOptions, cast_to: Any) -> RawResponse[object]:
        return await self._run(self._request_flow(options, cast_to))

    async def _request(self, options: RequestOptions, cast_to: Any) -> object:
        return (await self._run(self._request_flow(options, cast_to))).parsed

    def _request_streamed(
        self, options: RequestOptions, cast_to: Any
    ) -> AsyncStreamedResponseManager[object]:
        async def start() -> AsyncStreamedResponse[object]:
            response = await self._run(self._checked_flow(options, stream=True))
            parser = self._parser(options, cast_to)
            return AsyncStreamedResponse(response, parser, reads=options.response_kind != "sse")

        return AsyncStreamedResponseManager(start)

    async def _poll(self, fetch: Callable[[], Awaitable[RawResponse[T]]], poller: Poller) -> T:
        with poller.wait:  # the wait's one deadline bounds every request made in it
            return cast(T, await self._run(self._poll_flow(fetch, poller)))

    async def _run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its end, doing each step it asks for."""
        outcome: object = None
        try:
            while True:
                outcome = await self._do(flow.send(outcome))
        except StopIteration as done:
            return cast(T, done.value)

    async def _do(self, step: steps.Action) -> object:
        if isinstance(step, steps.Send):
            try:
                if not self._middleware:
                    return await self._http.send(step.request, stream=step.stream)

                def send(request: httpx.Request) -> Awaitable[httpx.Response]:
                    return self._http.send(request, stream=step.stream)

                return await chain_async(self._middleware, send)(step.request)
            except httpx.TransportError as exc:
                return exc
        if isinstance(step, steps.Sleep):
            await asyncio.sleep(step.seconds)
            return None
        if isinstance(step, steps.ReadAndClose):
            try:
                await step.response.aread()
            except httpx.TransportError as exc:
                return exc
            finally:
                await step.response.aclose()
            return None
        if isinstance(step, steps.Close):
            await step.response.aclose()
            return None
        if isinstance(step, steps.Authorize):
            assert self._tokens is not None
            return await self._tokens.token_async(self._http.send, step.stale)
        return await cast(Awaitable[object], step.fetch())
