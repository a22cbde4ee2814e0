"""OAuth2 client credentials: the token a spec's ``flows.clientCredentials`` describes.

``Client(client_id=..., client_secret=...)`` (or ``<PACKAGE>_CLIENT_ID`` and
``<PACKAGE>_CLIENT_SECRET``) fetches a token from the scheme's ``tokenUrl`` on first use,
with the scopes the spec asks for, and keeps it until shortly before its ``expires_in``.
Many threads (or tasks) that need a token at once make one fetch between them; a 401 makes
one refresh and one retry. The client authenticates to the token endpoint with HTTP basic
(``client_secret_basic``, the default) or in the form body (``client_secret_post``).
Neither the secret nor a token appears in a repr, a log line or an error message.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import os
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import quote, urlencode, urljoin

import httpx

from . import errors
from ._deadline import current_deadline

__all__ = ["ClientAuthMethod", "OAuth2Config", "TokenSource", "client_credentials"]

ClientAuthMethod = Literal["client_secret_basic", "client_secret_post"]

EXPIRY_MARGIN: Final = 30.0  # refresh this long before expiry (at most a tenth of a lifetime)
TOKEN_TIMEOUT: Final = 30.0


@dataclass(frozen=True, slots=True)
class OAuth2Config:
    """A spec's client-credentials flow, as a generated client declares it."""

    scheme: str  # its name in components.securitySchemes
    token_url: str  # absolute, or relative to the base URL
    scopes: tuple[str, ...]
    client_id_env: str
    client_secret_env: str


class TokenSource:
    """Fetches, caches and refreshes one client's access token.

    The I/O is the caller's: ``token`` and ``token_async`` take the function that sends the
    token request. ``stale`` is a token the server refused: a cached token equal to it is
    not handed out again but replaced.
    """

    def __init__(
        self,
        config: OAuth2Config,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        method: ClientAuthMethod = "client_secret_basic",
    ) -> None:
        if method not in ("client_secret_basic", "client_secret_post"):
            raise ValueError("client_auth_method must be client_secret_basic or client_secret_post")
        for value in (client_id, client_secret):
            if any(c in value for c in "\r\n\0"):
                raise ValueError("The client id or secret holds a line break or NUL character")
        self.scheme = config.scheme
        self.token_url = urljoin(base_url.rstrip("/") + "/", config.token_url)
        self._scopes = config.scopes
        self._client_id = client_id
        self._client_secret = client_secret
        self._method = method
        self._token: str | None = None
        self._expires_at: float | None = None
        self._lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None
        self.fetches = 0

    def __repr__(self) -> str:
        return f"TokenSource(token_url={self.token_url!r}, method={self._method!r})"

    def token(self, send: Callable[[httpx.Request], httpx.Response], stale: str | None) -> str:
        """A valid token; fetched (once, under a lock) when none is cached or it is ``stale``."""
        found = self._cached(stale)
        if found is not None:
            return found
        with self._lock:
            found = self._cached(stale)
            if found is not None:
                return found
            request = self._request()
            try:
                response = send(request)
            except httpx.TransportError as exc:
                raise self._connection_error(exc, request) from exc
            return self._accept(response)

    async def token_async(
        self, send: Callable[[httpx.Request], Awaitable[httpx.Response]], stale: str | None
    ) -> str:
        """``token`` for the async client: one fetch however many tasks wait for it."""
        found = self._cached(stale)
        if found is not None:
            return found
        if self._async_lock is None:
            self._async_lock = asyncio.Lock()
        async with self._async_lock:
            found = self._cached(stale)
            if found is not None:
                return found
            request = self._request()
            try:
                response = await send(request)
            except httpx.TransportError as exc:
                raise self._connection_error(exc, request) from exc
            return self._accept(response)

    def _cached(self, stale: str | None) -> str | None:
        token = self._token
        if token is None or token == stale:
            return None
        if self._expires_at is not None and time.monotonic() >= self._expires_at:
            return None
        return token

    def _request(self) -> httpx.Request:
        form = {"grant_type": "client_credentials"}
        if self._scopes:
            form["scope"] = " ".join(self._scopes)
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "accept": "application/json",
        }
        if self._method == "client_secret_post":
            form |= {"client_id": self._client_id, "client_secret": self._client_secret}
        else:  # RFC 6749 2.3.1: each form-encoded, then joined for HTTP basic
            pair = f"{quote(self._client_id, safe='')}:{quote(self._client_secret, safe='')}"
            headers["authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        wait = current_deadline()  # inside a wait, the token request is bounded by it too
        remaining = None if wait is None else wait.remaining()
        timeout = TOKEN_TIMEOUT if remaining is None else min(TOKEN_TIMEOUT, remaining)
        return httpx.Request(
            "POST",
            self.token_url,
            content=urlencode(form).encode(),
            headers=headers,
            extensions={"timeout": httpx.Timeout(timeout).as_dict()},
        )

    def _accept(self, response: httpx.Response) -> str:
        """The token of a token endpoint's response, cached; an error for anything else."""
        self.fetches += 1
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        if not response.is_success:
            body = data if data is not None else response.text
            raise errors.make_status_error(response, body)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token or any(c in token for c in "\r\n\0"):
            raise errors.APIResponseValidationError(
                "The token endpoint's response holds no access_token",
                response=response,
                model="token response",
            )
        lifetime = data.get("expires_in") if isinstance(data, dict) else None
        self._token = token
        self._expires_at = None
        if isinstance(lifetime, int | float) and not isinstance(lifetime, bool):
            if math.isfinite(lifetime):
                margin = min(EXPIRY_MARGIN, max(lifetime, 0.0) / 10)
                self._expires_at = time.monotonic() + lifetime - margin
        return token

    @staticmethod
    def _connection_error(exc: Exception, request: httpx.Request) -> errors.APIConnectionError:
        if isinstance(exc, httpx.TimeoutException):
            wait = current_deadline()
            if wait is not None and wait.remaining() == 0.0:
                wait.spent = True  # the wait's time ran out while fetching the token
            return errors.APITimeoutError("The token request timed out.", request=request)
        return errors.APIConnectionError(
            f"Token request failed: {type(exc).__name__}", request=request
        )


def client_credentials(
    config: OAuth2Config | None, client_id: str | None, client_secret: str | None
) -> tuple[str, str] | None:
    """The OAuth2 client id and secret, passed or from the environment; None without both."""
    if config is None:
        if client_id is not None or client_secret is not None:
            raise ValueError("This API declares no OAuth2 client-credentials flow")
        return None
    client_id = client_id if client_id is not None else os.environ.get(config.client_id_env)
    secret = (
        client_secret if client_secret is not None else os.environ.get(config.client_secret_env)
    )
    if not client_id and not secret:
        return None
    if not client_id or not secret:
        raise ValueError(
            "OAuth2 client credentials need both a client id and a secret "
            f"(client_id=/{config.client_id_env}, client_secret=/{config.client_secret_env})"
        )
    return client_id, secret
