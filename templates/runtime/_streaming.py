"""Server-sent events: a decoder shared by ``Stream`` (sync) and ``AsyncStream`` (async).

A stream closes its HTTP response when the loop ends, breaks, or raises; use it in a ``with``
block (``async with``) to close it without iterating.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx

from . import errors
from ._closing import AsyncClosing, Closing

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    event: str | None
    data: str
    id: str | None
    retry: int | None


class SSEDecoder:
    """Feed it lines; it returns an event at each blank line (the WHATWG rules)."""

    def __init__(self) -> None:
        self._event: str | None = None
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, line: str) -> ServerSentEvent | None:
        if not line:
            if not self._data and self._event is None:
                return None
            event = ServerSentEvent(self._event, "\n".join(self._data), self._id, self._retry)
            self._event, self._data, self._retry = None, [], None
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None


@contextmanager
def reading(response: httpx.Response) -> Iterator[None]:
    """Around reading a body: a transport error that breaks it raises ``APIConnectionError``."""
    try:
        yield
    except httpx.TransportError as exc:
        raise errors.APIConnectionError(
            f"Stream interrupted: {type(exc).__name__}", request=response.request
        ) from exc


class _EventStream(Generic[T]):
    """What both streams share: one decoder, parsing, and the error a broken stream raises."""

    def __init__(
        self, response: httpx.Response, parse: Callable[[ServerSentEvent, httpx.Response], T | None]
    ) -> None:
        self.response = response
        self._parse = parse
        self._decoder = SSEDecoder()

    def _item(self, line: str) -> T | None:
        """Feed one line (``""`` at the end of the body); the parsed event it completes, if any."""
        event = self._decoder.feed(line)
        return None if event is None else self._parse(event, self.response)


class Stream(_EventStream[T], Closing):
    """Iterate to get each event parsed into its declared type."""

    def __iter__(self) -> Iterator[T]:
        try:
            with reading(self.response):
                # "" ends the last event
                for line in itertools.chain(self.response.iter_lines(), ("",)):
                    if (item := self._item(line)) is not None:
                        yield item
        finally:
            self.response.close()

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> Stream[T]:
        return self


class AsyncStream(_EventStream[T], AsyncClosing):
    """``async for`` to get each event parsed into its declared type."""

    async def __aiter__(self) -> AsyncIterator[T]:
        try:
            with reading(self.response):
                async for line in self.response.aiter_lines():
                    if (item := self._item(line)) is not None:
                        yield item
                if (item := self._item("")) is not None:
                    yield item
        finally:
            await self.response.aclose()

    async def close(self) -> None:
        await self.response.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self
