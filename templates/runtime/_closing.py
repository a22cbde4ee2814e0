"""What a ``with`` block closes when it ends, however it ends: ``Closing`` (``with``) and
``AsyncClosing`` (``async with``), the bases of the clients, the event streams and the
streamed-response managers. A subclass says what ``close()`` does and what entering gives."""

from __future__ import annotations

__all__ = ["AsyncClosing", "Closing"]


class Closing:
    def close(self) -> None:
        raise NotImplementedError

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClosing:
    async def close(self) -> None:
        raise NotImplementedError

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
