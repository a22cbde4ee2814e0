"""Streamed responses: ``client.<resource>.with_streaming_response.<method>()``.

The method returns a context manager; the request is sent (with its retries) when the
block is entered, and the block gets the response with its body still unread:

    with client.runs.with_streaming_response.download_artifact("run_1") as response:
        response.write_to_file("artifact.bin")   # chunk by chunk: memory stays small

    async with client.runs.with_streaming_response.download_artifact("run_1") as response:
        async for chunk in response.iter_bytes():
            ...

``iter_bytes()``, ``iter_text()`` and ``iter_lines()`` read the body piece by piece;
``read()`` reads it whole; ``parse()`` gives what the plain method returns. The response is
closed when the block ends. A non-2xx status raises its ``errors.APIStatusError`` when the
block is entered, as the plain method does.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Generic, TypeVar

import httpx

from ._closing import AsyncClosing, Closing
from ._response import ResponseFields
from ._streaming import reading

__all__ = [
    "AsyncStreamedResponse",
    "AsyncStreamedResponseManager",
    "StreamedResponse",
    "StreamedResponseManager",
]

T = TypeVar("T")
ChunkT = TypeVar("ChunkT", bytes, str)

CHUNK_SIZE = 64 * 1024


class _Base(ResponseFields, Generic[T]):
    def __init__(
        self, response: httpx.Response, parse: Callable[[httpx.Response], T], *, reads: bool
    ) -> None:
        self.http_response = response
        self._parse = parse
        self._reads = reads  # parse() needs the whole body first (all but event streams)


class StreamedResponse(_Base[T]):
    """A response whose body is read as the caller asks."""

    def _pieces(self, pieces: Iterator[ChunkT]) -> Iterator[ChunkT]:
        with reading(self.http_response):
            yield from pieces

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self._pieces(self.http_response.iter_bytes(chunk_size))

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        return self._pieces(self.http_response.iter_text(chunk_size))

    def iter_lines(self) -> Iterator[str]:
        return self._pieces(self.http_response.iter_lines())

    def read(self) -> bytes:
        with reading(self.http_response):
            return self.http_response.read()

    def parse(self) -> T:
        """What the plain method returns: the model, text, bytes, or the event stream."""
        if self._reads:
            self.read()
        return self._parse(self.http_response)

    def write_to_file(self, path: str | os.PathLike[str], chunk_size: int = CHUNK_SIZE) -> None:
        """Write the body to ``path`` chunk by chunk; memory use stays at about one chunk."""
        with open(path, "wb") as file:
            for chunk in self.iter_bytes(chunk_size):
                file.write(chunk)

    def close(self) -> None:
        self.http_response.close()


class AsyncStreamedResponse(_Base[T]):
    """A response whose body is read as the caller asks (``async for``, ``await``)."""

    async def _pieces(self, pieces: AsyncIterator[ChunkT]) -> AsyncIterator[ChunkT]:
        with reading(self.http_response):
            async for piece in pieces:
                yield piece

    def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return self._pieces(self.http_response.aiter_bytes(chunk_size))

    def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        return self._pieces(self.http_response.aiter_text(chunk_size))

    def iter_lines(self) -> AsyncIterator[str]:
        return self._pieces(self.http_response.aiter_lines())

    async def read(self) -> bytes:
        with reading(self.http_response):
            return await self.http_response.aread()

    async def parse(self) -> T:
        """What the plain method returns: the model, text, bytes, or the event stream."""
        if self._reads:
            await self.read()
        return self._parse(self.http_response)

    async def write_to_file(
        self, path: str | os.PathLike[str], chunk_size: int = CHUNK_SIZE
    ) -> None:
        """Write the body to ``path`` chunk by chunk; memory use stays at about one chunk."""
        with open(path, "wb") as file:
            async for chunk in self.iter_bytes(chunk_size):
                file.write(chunk)

    async def close(self) -> None:
        await self.http_response.aclose()


class StreamedResponseManager(Closing, Generic[T]):
    """``with``: sends the request on entering, closes the response on leaving."""

    def __init__(self, start: Callable[[], StreamedResponse[T]]) -> None:
        self._start = start
        self._response: StreamedResponse[T] | None = None

    def __enter__(self) -> StreamedResponse[T]:
        self._response = self._start()
        return self._response

    def close(self) -> None:
        if self._response is not None:
            self._response.close()


class AsyncStreamedResponseManager(AsyncClosing, Generic[T]):
    """``async with``: sends the request on entering, closes the response on leaving."""

    def __init__(self, start: Callable[[], Awaitable[AsyncStreamedResponse[T]]]) -> None:
        self._start = start
        self._response: AsyncStreamedResponse[T] | None = None

    async def __aenter__(self) -> AsyncStreamedResponse[T]:
        self._response = await self._start()
        return self._response

    async def close(self) -> None:
        if self._response is not None:
            await self._response.close()
