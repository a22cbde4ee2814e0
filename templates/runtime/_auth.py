"""Credentials: what each security scheme sends with the API key, and keeping keys out of logs."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlencode

import httpx

__all__ = ["Credentials", "credentials", "redacted"]

Credentials = tuple[dict[str, str], dict[str, str], dict[str, str]]  # headers, query, cookies
NO_CREDENTIALS: Final[Credentials] = ({}, {}, {})


def credentials(schemes: Mapping[str, tuple[str, str]], key: str | None) -> dict[str, Credentials]:
    """What each security scheme (name -> (kind, name)) sends with ``key``; none without one."""
    if key is None:
        return {}
    if any(c in key for c in "\r\n\0"):
        raise ValueError("The API key holds a line break or NUL character")
    return {scheme: _scheme(kind, name, key) for scheme, (kind, name) in schemes.items()}


def select(
    found: Mapping[str, Credentials], security: tuple[tuple[str, ...], ...]
) -> Credentials:
    """The credentials of the first alternative whose every scheme has a key; none when no
    alternative fits. An empty alternative (``{}``: credentials optional) is taken only when
    no other one fits."""
    for alternative in security:
        if alternative and all(name in found for name in alternative):
            headers: dict[str, str] = {}
            query: dict[str, str] = {}
            cookies: dict[str, str] = {}
            for name in alternative:
                more_headers, more_query, more_cookies = found[name]
                headers.update(more_headers)
                query.update(more_query)
                cookies.update(more_cookies)
            return headers, query, cookies
    return NO_CREDENTIALS


def _scheme(kind: str, name: str, key: str) -> Credentials:
    if kind == "bearer":
        return {"authorization": f"Bearer {key}"}, {}, {}
    if kind == "basic":
        return {"authorization": "Basic " + base64.b64encode(key.encode()).decode()}, {}, {}
    if kind == "header":
        return {name.lower(): key}, {}, {}
    if kind == "query":
        _HIDE_QUERY_KEYS.hide(name)
        return {}, {name: key}, {}
    return {}, {}, {name: key}


class _HideQueryKeys(logging.Filter):
    """httpx logs each request's URL at INFO: a key sent in the query shows there as ``***``."""

    def __init__(self) -> None:
        super().__init__()
        self._patterns: dict[str, re.Pattern[str]] = {}

    def hide(self, name: str) -> None:
        encoded = urlencode({name: ""})  # the parameter as it appears in a URL: "api_key="
        self._patterns.setdefault(name, re.compile(rf"([?&]{re.escape(encoded)})[^&#\s\"']*"))
        httpx_log = logging.getLogger("httpx")
        if self not in httpx_log.filters:
            httpx_log.addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = message
        for pattern in self._patterns.values():
            hidden = pattern.sub(r"\1***", hidden)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


_HIDE_QUERY_KEYS: Final = _HideQueryKeys()


def redacted(url: httpx.URL) -> str:
    """A URL for logs and messages: no query string (it may hold a key), no user info."""
    return str(url.copy_with(query=None, fragment=None, username=None, password=None))
