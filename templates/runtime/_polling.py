"""Polling: whether a run is done, and how long to wait before fetching it again."""

from __future__ import annotations

import math
import time
from enum import Enum
from typing import Final

import httpx

from ._deadline import Deadline
from ._response import field_value
from ._retry import retry_after

__all__ = ["Poller", "status_of"]

POLL_INITIAL_DELAY: Final = 1.0
POLL_MAX_DELAY: Final = 30.0
POLL_HINT_FIELDS: Final = ("retry_after", "poll_after", "poll_interval")


class Poller:
    """Decides after each fetch whether a run is done, and how long to wait if not.

    The wait is the server's hint (a ``retry_after``/``poll_after``/``poll_interval`` body
    field, else a ``Retry-After`` header), else ``interval``, else a backoff from 1 s to 30 s.
    ``poll_timeout`` is the budget of the whole wait (``wait``, a ``Deadline``): the fetches, their
    retries and the sleeps. The last sleep ends at the deadline, and the wait then ends in
    ``errors.PollTimeoutError`` without another fetch.
    """

    def __init__(
        self, *, terminal: frozenset[str], poll_timeout: float | None, interval: float | None
    ) -> None:
        self.terminal = terminal
        self.interval = interval
        self.wait = Deadline(poll_timeout)
        self.fetches = 0

    def next_delay(self, value: object, response: httpx.Response) -> float | None:
        self.fetches += 1
        self.wait.last = value
        status = status_of(value)
        if status in self.terminal:
            return None
        delay = self._hint(value, response)
        if delay is None:
            delay = self.interval if self.interval is not None else _poll_backoff(self.fetches)
        remaining = self.wait.remaining()
        return max(delay if remaining is None else min(delay, remaining), 0.0)

    def check(self) -> None:
        """Raise ``errors.PollTimeoutError`` when the wait's time is up."""
        deadline = self.wait.at
        if deadline is not None and time.monotonic() >= deadline:
            status = status_of(self.wait.last)
            raise self.wait.timeout_error(f"Still {status!r} after {self.fetches} fetches")

    @staticmethod
    def _hint(value: object, response: httpx.Response) -> float | None:
        for name in POLL_HINT_FIELDS:
            hint = field_value(value, name)
            if isinstance(hint, int | float) and not isinstance(hint, bool) and math.isfinite(hint):
                return max(float(hint), 0.0)
        return retry_after(response.headers)


def status_of(value: object) -> str | None:
    status = field_value(value, "status")
    if isinstance(status, Enum):
        status = status.value
    return status if isinstance(status, str) else None


def _poll_backoff(fetches: int) -> float:
    return min(POLL_INITIAL_DELAY * 1.5 ** (fetches - 1), POLL_MAX_DELAY)
