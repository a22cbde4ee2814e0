"""``SyncAPIClient``: the base of ``Client``; runs the shared flows with blocking I/O."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, cast

import httpx

from ._base_client import BaseClient, Close, EventParser, Fetch, Flow, ReadAndClose, Send, Sleep
from ._polling import Poller
from ._request import RequestOptions
from ._response import RawResponse
from ._streaming import Stream

__all__ = ["SyncAPIClient"]

T = TypeVar("T")
SelfT = TypeVar("SelfT", bound="SyncAPIClient")


class SyncAPIClient(BaseClient[httpx.Client]):
    def _stream(self, response: httpx.Response, parse: EventParser) -> Stream[Any]:
        return Stream(response, parse)

    def _new_http(self) -> httpx.Client:
        return httpx.Client(follow_redirects=True)

    def close(self) -> None:
        """Close the connection pool, if this client opened it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self: SelfT) -> SelfT:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _request_raw(self, options: RequestOptions, cast_to: Any) -> RawResponse[object]:
        return self._run(self._request_flow(options, cast_to))

    def _request(self, options: RequestOptions, cast_to: Any) -> object:
        return self._run(self._request_flow(options, cast_to)).parsed

    def _poll(self, fetch: Callable[[], RawResponse[T]], poller: Poller) -> T:
        return cast(T, self._run(self._poll_flow(fetch, poller)))

    def _run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its end, doing each step it asks for."""
        outcome: object = None
        try:
            while True:
                outcome = self._do(flow.send(outcome))
        except StopIteration as done:
            return cast(T, done.value)

    def _do(self, step: Send | Sleep | ReadAndClose | Close | Fetch) -> object:
        if isinstance(step, Send):
            try:
                return self._http.send(step.request, stream=step.stream)
            except httpx.TransportError as exc:
                return exc
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            return None
        if isinstance(step, ReadAndClose):
            try:
                step.response.read()
            except httpx.TransportError as exc:
                return exc
            finally:
                step.response.close()
            return None
        if isinstance(step, Close):
            step.response.close()
            return None
        return step.fetch()
