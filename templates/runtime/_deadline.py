"""One deadline for a whole wait: ``create_and_poll`` and ``poll_*``.

A wait opens a ``Deadline`` (``with Deadline(seconds):``); every request made inside it, its
retries and the sleeps between polls are bounded by it: a request's own timeout is cut to
what is left (``RetryState.prepare``), and a retry that could not finish in time is not
started (``RetryState``). A deadline inside another keeps the earlier of the two. When a
request inside the wait fails because the time ran out, the wait ends in
``errors.PollTimeoutError`` (its ``__cause__`` is the request's error, ``.last`` the last
value polled).
"""

from __future__ import annotations

import time
from contextvars import ContextVar, Token

from . import errors

__all__ = ["Deadline", "current_deadline"]

_CURRENT: ContextVar[Deadline | None] = ContextVar("clientgen_deadline", default=None)


class Deadline:
    """``seconds`` from now (None: no bound, unless an enclosing deadline has one)."""

    at: float | None  # time.monotonic() at the deadline

    def __init__(self, seconds: float | None) -> None:
        self.started = time.monotonic()
        at = None if seconds is None else self.started + max(seconds, 0.0)
        outer = _CURRENT.get()
        if outer is not None and outer.at is not None and (at is None or outer.at < at):
            at = outer.at
        self.at = at
        self.spent = False  # a request inside it failed because the time ran out
        self.last: object = None  # the last value a poll fetched
        self._token: Token[Deadline | None] | None = None

    def remaining(self) -> float | None:
        """Seconds left, never below 0; None without a bound."""
        return None if self.at is None else max(self.at - time.monotonic(), 0.0)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def timeout_error(self, what: str) -> errors.PollTimeoutError:
        elapsed = self.elapsed()
        return errors.PollTimeoutError(
            f"{what} ({elapsed:.1f}s of the wait)", last=self.last, elapsed=elapsed
        )

    def __enter__(self) -> Deadline:
        self._token = _CURRENT.set(self)
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if self._token is not None:
            _CURRENT.reset(self._token)
            self._token = None
        if (
            self.spent
            and isinstance(exc, errors.APIError)
            and not isinstance(exc, errors.PollTimeoutError)
        ):
            raise self.timeout_error(f"Out of time: {type(exc).__name__}") from exc


def current_deadline() -> Deadline | None:
    """The innermost deadline of the wait this code runs in, if any."""
    return _CURRENT.get()
