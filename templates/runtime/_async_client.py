"""``AsyncAPIClient``: the base of ``AsyncClient``; runs the shared flows with asyncio I/O."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar, cast

import httpx

from ._base_client import BaseClient, Close, EventParser, Fetch, Flow, ReadAndClose, Send, Sleep
from ._polling import Poller
from ._request import RequestOptions
from ._response import RawResponse
from ._streaming import AsyncStream

__all__ = ["AsyncAPIClient"]

T = TypeVar("T")
SelfT = TypeVar("SelfT", bound="AsyncAPIClient")


class AsyncAPIClient(BaseClient[httpx.AsyncClient]):
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

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _request_raw(self, options: RequestOptions, cast_to: Any) -> RawResponse[object]:
        return await self._run(self._request_flow(options, cast_to))

    async def _request(self, options: RequestOptions, cast_to: Any) -> object:
        return (await self._run(self._request_flow(options, cast_to))).parsed

    async def _poll(self, fetch: Callable[[], Awaitable[RawResponse[T]]], poller: Poller) -> T:
        return cast(T, await self._run(self._poll_flow(fetch, poller)))

    async def _run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its end, doing each step it asks for."""
        outcome: object = None
        try:
            while True:
                outcome = await self._do(flow.send(outcome))
        except StopIteration as done:
            return cast(T, done.value)

    async def _do(self, step: Send | Sleep | ReadAndClose | Close | Fetch) -> object:
        if isinstance(step, Send):
            try:
                return await self._http.send(step.request, stream=step.stream)
            except httpx.TransportError as exc:
                return exc
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            return None
        if isinstance(step, ReadAndClose):
            try:
                await step.response.aread()
            except httpx.TransportError as exc:
                return exc
            finally:
                await step.response.aclose()
            return None
        if isinstance(step, Close):
            await step.response.aclose()
            return None
        return await cast(Awaitable[object], step.fetch())
