"""The types a call's arguments take, and ``NOT_GIVEN``: an argument that was left out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Final

import httpx

__all__ = [
    "NOT_GIVEN",
    "Body",
    "FileContent",
    "Headers",
    "NotGiven",
    "Query",
    "QueryValue",
    "Timeout",
]


class NotGiven:
    """The value of an argument that was left out: it is not sent at all (not even as null)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Headers = Mapping[str, str]
Query = Mapping[str, object]
Body = Mapping[str, object]
Timeout = float | httpx.Timeout | None
FileContent = bytes | IO[bytes] | tuple[str, bytes | IO[bytes]] | tuple[str, bytes | IO[bytes], str]
QueryValue = str | int | float | bool | None
