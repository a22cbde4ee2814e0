"""What a ``with`` block closes when it ends, however it ends: ``Closing`` (``with``) and
``AsyncClosing`` (``async with``), the bases of the clients, the event streams and the
streamed-response managers. A subclass says what ``close()`` does and what entering gives."""

from __future__ import annotations

from abc import ABC, abstractmethod

__all__ = ["AsyncClosing", "Closing"]


class Closing(ABC):
    @abstractmethod
    def close(self) -> None: ...

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClosing(ABC):
    @abstractmethod
    async def close(self) -> None: ...

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
