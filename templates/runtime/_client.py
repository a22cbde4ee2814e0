"""``SyncAPIClient``: the base of ``Client``; runs the shared flows with blocking I/O."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

import httpx

from . import _base_client as steps
from ._base_client import BaseClient, EventParser, Flow
from ._closing import Closing
from ._middleware import Middleware, chain
from ._polling import Poller
from ._request import RequestOptions
from ._response import RawResponse
from ._streamed_response import StreamedResponse, StreamedResponseManager
from ._streaming import Stream

__all__ = ["SyncAPIClient"]

T = TypeVar("T")
SelfT = TypeVar("SelfT", bound="SyncAPIClient")


class SyncAPIClient(BaseClient[httpx.Client, Middleware], Closing):
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

    def _request_raw(self, options: RequestOptions, cast_to: Any) -> RawResponse[object]:
        return self._run(self._request_flow(options, cast_to))

    def _request(self, options: RequestOptions, cast_to: Any) -> object:
        return self._run(self._request_flow(options, cast_to)).parsed

    def _request_streamed(
        self, options: RequestOptions, cast_to: Any
    ) -> StreamedResponseManager[object]:
        def start() -> StreamedResponse[object]:
            response = self._run(self._checked_flow(options, stream=True))
            parser = self._parser(options, cast_to)
            return StreamedResponse(response, parser, reads=options.response_kind != "sse")

        return StreamedResponseManager(start)

    def _poll(self, fetch: Callable[[], RawResponse[T]], poller: Poller) -> T:
        with poller.wait:  # the wait's one deadline bounds every request made in it
            return cast(T, self._run(self._poll_flow(fetch, poller)))

    def _run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its end, doing each step it asks for."""
        outcome: object = None
        try:
            while True:
                outcome = self._do(flow.send(outcome))
        except StopIteration as done:
            return cast(T, done.value)

    def _do(self, step: steps.Action) -> object:
        if isinstance(step, steps.Send):
            try:
                if not self._middleware:
                    return self._http.send(step.request, stream=step.stream)
                send = chain(self._middleware, lambda r: self._http.send(r, stream=step.stream))
                return send(step.request)
            except httpx.TransportError as exc:
                return exc
        if isinstance(step, steps.Sleep):
            time.sleep(step.seconds)
            return None
        if isinstance(step, steps.ReadAndClose):
            try:
                step.response.read()
            except httpx.TransportError as exc:
                return exc
            finally:
                step.response.close()
            return None
        if isinstance(step, steps.Close):
            step.response.close()
            return None
        if isinstance(step, steps.Authorize):
            assert self._tokens is not None
            return self._tokens.token(self._http.send, step.stale)
        return step.fetch()
