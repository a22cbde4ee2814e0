"""Retries: whether a failed attempt is tried again, and after how long."""

from __future__ import annotations

import email.utils
import math
import random
import time
from typing import Final

import httpx

from . import errors
from ._deadline import Deadline, current_deadline
from ._types import Timeout

__all__ = ["RetryState", "backoff", "retry_after", "should_retry"]

INITIAL_RETRY_DELAY: Final = 0.5
MAX_RETRY_DELAY: Final = 8.0
MAX_RETRY_AFTER: Final = 60.0
RETRY_STATUSES: Final = frozenset({408, 409, 429})


class RetryState:
    """Decides, attempt by attempt, whether and when to send a request again.

    Retried: connection errors and timeouts, 408, 409, 429 and 5xx (a server may say
    otherwise with ``x-should-retry``). The wait is the server's ``retry-after-ms`` or
    ``Retry-After`` (seconds or an HTTP date), else exponential backoff with jitter. The
    call's timeout is a budget for all attempts and waits together: a retry that cannot
    finish within it is not made. Inside a wait (``_deadline.Deadline``) the wait's deadline
    bounds the call too, and a call stopped by it marks the wait spent.
    """

    def __init__(self, max_retries: int, timeout: Timeout) -> None:
        self.max_retries = max_retries
        self.timeout = timeout
        self.attempt = 0
        budget = timeout.read if isinstance(timeout, httpx.Timeout) else timeout
        self.deadline = None if budget is None else time.monotonic() + budget
        self._wait: Deadline | None = None  # the wait whose deadline bounds this call
        wait = current_deadline()
        if wait is not None and wait.at is not None:
            if self.deadline is None or wait.at <= self.deadline:
                self.deadline, self._wait = wait.at, wait

    def prepare(self, request: httpx.Request) -> None:
        """Give this attempt what is left of the budget as its timeout."""
        if self.deadline is None:
            timeout = (
                self.timeout if isinstance(self.timeout, httpx.Timeout) else httpx.Timeout(None)
            )
        else:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                self._out_of_time()
                raise errors.APITimeoutError(request=request)
            if isinstance(self.timeout, httpx.Timeout):
                timeout = httpx.Timeout(
                    connect=_min(self.timeout.connect, remaining),
                    read=_min(self.timeout.read, remaining),
                    write=_min(self.timeout.write, remaining),
                    pool=_min(self.timeout.pool, remaining),
                )
            else:
                timeout = httpx.Timeout(remaining)
        request.extensions["timeout"] = timeout.as_dict()

    def after_error(self, exc: Exception, request: httpx.Request) -> float:
        """The wait before the next attempt, or raises the client error for ``exc``."""
        if isinstance(exc, httpx.TimeoutException):
            error: errors.APIError = errors.APITimeoutError(request=request)
        else:
            error = errors.APIConnectionError(
                f"Connection error: {type(exc).__name__}", request=request
            )
        delay = self._next_delay(None)
        if delay is None:
            raise error from exc
        return delay

    def after_response(self, response: httpx.Response) -> float | None:
        """The wait before the next attempt, or None when this response is final."""
        if not should_retry(response):
            return None
        return self._next_delay(response)

    def _next_delay(self, response: httpx.Response | None) -> float | None:
        asked = retry_after(response.headers) if response is not None else None
        delay = asked if asked is not None else backoff(self.attempt)
        if self.deadline is not None and time.monotonic() + delay >= self.deadline:
            self._out_of_time()  # checked first: a wait that ran out ends as out of time
            return None
        if self.attempt >= self.max_retries or (asked is not None and asked > MAX_RETRY_AFTER):
            return None
        self.attempt += 1
        return delay

    def _out_of_time(self) -> None:
        if self._wait is not None:
            self._wait.spent = True


def should_retry(response: httpx.Response) -> bool:
    override = str(response.headers.get("x-should-retry", "")).lower()
    if override in ("true", "false"):
        return override == "true"
    return response.status_code in RETRY_STATUSES or response.status_code >= 500


def backoff(attempt: int) -> float:
    delay = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asks to wait: ``retry-after-ms``, or ``Retry-After`` in seconds or
    as a date."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - time.time()
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _min(value: float | None, bound: float) -> float:
    return bound if value is None else min(value, bound)
