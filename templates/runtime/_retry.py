"""Retries: whether a failed attempt is tried again, and after how long."""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from typing import Final

import httpx

from . import errors
from ._auth import redacted
from ._types import Timeout

__all__ = ["RetryState", "backoff", "retry_after", "should_retry"]

log = logging.getLogger(__package__)

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
    finish within it is not made.
    """

    def __init__(self, max_retries: int, timeout: Timeout) -> None:
        self.max_retries = max_retries
        self.timeout = timeout
        self.attempt = 0
        budget = timeout.read if isinstance(timeout, httpx.Timeout) else timeout
        self.deadline = None if budget is None else time.monotonic() + budget

    def prepare(self, request: httpx.Request) -> None:
        """Give this attempt what is left of the budget as its timeout."""
        if self.deadline is None:
            timeout = (
                self.timeout if isinstance(self.timeout, httpx.Timeout) else httpx.Timeout(None)
            )
        else:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
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
        log.info(
            "%s %s failed (%s); retrying in %.2fs",
            request.method,
            redacted(request.url),
            type(exc).__name__,
            delay,
        )
        return delay

    def after_response(self, response: httpx.Response) -> float | None:
        """The wait before the next attempt, or None when this response is final."""
        if not should_retry(response):
            return None
        delay = self._next_delay(response)
        if delay is not None:
            log.info(
                "%s %s -> %s; retrying in %.2fs",
                response.request.method,
                redacted(response.request.url),
                response.status_code,
                delay,
            )
        return delay

    def _next_delay(self, response: httpx.Response | None) -> float | None:
        if self.attempt >= self.max_retries:
            return None
        asked = retry_after(response.headers) if response is not None else None
        if asked is not None and asked > MAX_RETRY_AFTER:
            return None
        delay = asked if asked is not None else backoff(self.attempt)
        if self.deadline is not None and time.monotonic() + delay >= self.deadline:
            return None
        self.attempt += 1
        return delay


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
