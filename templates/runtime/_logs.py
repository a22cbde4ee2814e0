"""The package's log: silent unless ``<PACKAGE>_LOG`` is ``info`` or ``debug``.

``info`` logs each attempt of each call: method, URL (credentials masked), status, attempt
number, elapsed time, and each retry's delay and reason. ``debug`` adds the request and
response headers (credentials masked) and the response's request id. Lines go to stderr
through the package's logger (named after the package), which an application may also
configure itself with ``logging``; nothing here touches the root logger.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import urlencode

import httpx

__all__ = ["Secrets", "log", "log_error", "log_response", "log_retry", "secrets", "setup_logging"]

log = logging.getLogger(__package__)

LEVELS: Final = {"info": logging.INFO, "debug": logging.DEBUG}
FORMAT: Final = "[%(asctime)s %(name)s %(levelname)s] %(message)s"
MASK: Final = "***"
# Always masked: the headers that carry credentials whatever the spec says.
SECRET_HEADERS: Final = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
REQUEST_ID_HEADERS: Final = ("x-request-id", "request-id", "x-amzn-requestid", "x-correlation-id")

Secrets = tuple[frozenset[str], frozenset[str]]  # header names (lower case), query parameters


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``setup_logging`` adds; one per logger, however many clients are made."""


def setup_logging(env: str) -> None:
    """Turn the package's log on at the level ``env`` names (``info``, ``debug``); without it,
    or with another value, leave logging as the application set it."""
    level = LEVELS.get(os.environ.get(env, "").strip().lower()) if env else None
    if level is None:
        return
    log.setLevel(level)
    if not any(isinstance(handler, _Handler) for handler in log.handlers):
        handler = _Handler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        log.addHandler(handler)


def secrets(schemes: Mapping[str, tuple[str, str]]) -> Secrets:
    """The header and query parameter names the security schemes put a credential in."""
    headers = set(SECRET_HEADERS)
    query = set()
    for kind, name in schemes.values():
        if kind == "header":
            headers.add(name.lower())
        elif kind == "query":
            query.add(name)
    return frozenset(headers), frozenset(query)


def masked_url(url: httpx.URL, hidden: Secrets) -> str:
    """The URL with no user info and each credential query parameter's value as ``***``."""
    text = str(url.copy_with(fragment=None, username=None, password=None))
    for name in hidden[1]:
        encoded = re.escape(urlencode({name: ""}))  # as it appears in a URL: "api_key="
        text = re.sub(rf"([?&]{encoded})[^&]*", rf"\g<1>{MASK}", text)
    return text


def masked_headers(headers: Iterable[tuple[str, str]], hidden: Secrets) -> str:
    return ", ".join(
        f"{name}: {MASK if name.lower() in hidden[0] else value}" for name, value in headers
    )


def log_response(
    response: httpx.Response, attempt: int, attempts: int, elapsed: float, hidden: Secrets
) -> None:
    """One attempt that got a response (whether final or about to be retried)."""
    if not log.isEnabledFor(logging.INFO):
        return
    request = response.request
    log.info(
        "%s %s -> %s in %.3fs (attempt %d of %d)",
        request.method,
        masked_url(request.url, hidden),
        response.status_code,
        elapsed,
        attempt,
        attempts,
    )
    if log.isEnabledFor(logging.DEBUG):
        request_id = next(
            (response.headers[h] for h in REQUEST_ID_HEADERS if h in response.headers), None
        )
        log.debug("request headers: %s", masked_headers(request.headers.multi_items(), hidden))
        log.debug("response headers: %s", masked_headers(response.headers.multi_items(), hidden))
        log.debug("request id: %s", request_id)


def log_error(
    request: httpx.Request,
    error: Exception,
    attempt: int,
    attempts: int,
    elapsed: float,
    hidden: Secrets,
) -> None:
    """One attempt that got no response."""
    if not log.isEnabledFor(logging.INFO):
        return
    log.info(
        "%s %s failed after %.3fs (attempt %d of %d): %s",
        request.method,
        masked_url(request.url, hidden),
        elapsed,
        attempt,
        attempts,
        type(error).__name__,
    )
    if log.isEnabledFor(logging.DEBUG):
        log.debug("request headers: %s", masked_headers(request.headers.multi_items(), hidden))


def log_retry(
    request: httpx.Request,
    delay: float,
    cause: httpx.Response | Exception,
    attempt: int,
    attempts: int,
    hidden: Secrets,
) -> None:
    """The wait before the next attempt, and why: the error, or the status and whether the
    server asked for the wait (``Retry-After``) or it is the client's backoff."""
    if not log.isEnabledFor(logging.INFO):
        return
    if isinstance(cause, httpx.Response):
        asked = "retry-after" in cause.headers or "retry-after-ms" in cause.headers
        why = f"status {cause.status_code}, " + ("as the server asked" if asked else "backoff")
    else:
        why = type(cause).__name__
    log.info(
        "retrying %s %s in %.2fs (attempt %d of %d next): %s",
        request.method,
        masked_url(request.url, hidden),
        delay,
        attempt,
        attempts,
        why,
    )
