"""OAuth2 client credentials, against a real token endpoint on 127.0.0.1, sync and async, on
each HTTP library a target may choose.

The client is generated from tests/behaviour/oauth2.yaml: its document takes an OAuth2
client-credentials token (``tokenUrl: /oauth/token``, scopes ``runs:read`` and, for one
operation, ``runs:write``) or an API key. The fake token endpoint counts its calls.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs

import pytest

from generator.config import Target
from generator.emit.write import write_tree
from generator.workflow.pipeline import generate
from tests.support.server import LocalServer, Request, Response

SPEC = Path(__file__).parent / "behaviour" / "oauth2.yaml"
CLIENT_ID = "client-7id"
SECRET = "cs-5ecret/value+with=odd&chars"
RUN = {"id": "run_1", "status": "queued"}

pytestmark = pytest.mark.anyio


# the HTTP library -> the package generated for it (two names: both are imported at once)
PACKAGES = {"httpx2": "token_api", "httpx": "token_api_httpx"}


@pytest.fixture(scope="module", params=sorted(PACKAGES))
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    package = PACKAGES[request.param]
    out = tmp_path_factory.mktemp("oauth2")
    target = Target(package, "tests/behaviour/oauth2.yaml", http=request.param)
    write_tree(out, generate(SPEC, target).files, package)
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(out))


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TokenServer:
    """A token endpoint and an API that accepts the tokens it issued and has not revoked."""

    def __init__(self, *, expires_in: float | None = 3600, token_delay: float = 0.0) -> None:
        self.expires_in = expires_in
        self.token_delay = token_delay
        self.token_requests: list[Request] = []
        self.api_requests: list[Request] = []
        self.revoked: set[str] = set()
        self.reject_all = False  # the API answers 401 whatever the token
        self.token_status = 200
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        if request.path == "/oauth/token":
            with self._lock:
                self.token_requests.append(request)
                token = f"tok-{len(self.token_requests)}"
            if self.token_status != 200:
                return Response(self.token_status, json={"error": "invalid_client"})
            body: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
            if self.expires_in is not None:
                body["expires_in"] = self.expires_in
            return Response(200, json=body, delay=self.token_delay)
        self.api_requests.append(request)
        auth = request.headers.get("authorization", "")
        if self.reject_all or not auth.startswith("Bearer tok-") or auth[7:] in self.revoked:
            return Response(401, json={"message": "bad token"})
        if request.method == "DELETE":
            return Response(204, body=b"")
        return Response(200, json=RUN)

    def tokens_used(self) -> list[str]:
        return [r.headers.get("authorization", "")[7:] for r in self.api_requests]


@pytest.fixture
def serve(api: ModuleType, flavour: str) -> Iterator[Callable[..., tuple[TokenServer, Any]]]:
    started: list[tuple[LocalServer, Any]] = []

    def start(fake: TokenServer | None = None, **options: Any) -> tuple[TokenServer, Any]:
        fake = fake or TokenServer()
        server = LocalServer(fake).__enter__()
        options.setdefault("client_id", CLIENT_ID)
        options.setdefault("client_secret", SECRET)
        options.setdefault("base_url", server.url + "/v1")
        client = (api.Client if flavour == "sync" else api.AsyncClient)(**options)
        started.append((server, client))
        return fake, client

    yield start
    for server, client in started:
        server.__exit__(None, None, None)
        if flavour == "sync":
            client.close()


async def call(value: Any) -> Any:
    return await value if asyncio.iscoroutine(value) else value


def form(request: Request) -> dict[str, list[str]]:
    return parse_qs(request.body.decode())


async def test_token_fetched_on_first_use_with_the_spec_scopes(serve: Any) -> None:
    fake, client = serve()
    assert fake.token_requests == []  # nothing before the first call
    assert (await call(client.runs.retrieve("run_1"))).id == "run_1"
    assert (await call(client.runs.retrieve("run_1"))).id == "run_1"
    assert len(fake.token_requests) == 1
    token_request = fake.token_requests[0]
    assert token_request.method == "POST"
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form(token_request) == {
        "grant_type": ["client_credentials"],
        "scope": ["runs:read runs:write"],
    }
    # client_secret_basic: id and secret each form-encoded, then joined (RFC 6749 2.3.1)
    basic = base64.b64decode(token_request.headers["authorization"].removeprefix("Basic "))
    assert basic == b"client-7id:cs-5ecret%2Fvalue%2Bwith%3Dodd%26chars"
    assert fake.tokens_used() == ["tok-1", "tok-1"]


async def test_client_secret_post(serve: Any) -> None:
    fake, client = serve(client_auth_method="client_secret_post")
    await call(client.runs.retrieve("run_1"))
    token_request = fake.token_requests[0]
    assert "authorization" not in token_request.headers
    assert form(token_request)["client_id"] == [CLIENT_ID]
    assert form(token_request)["client_secret"] == [SECRET]


async def test_one_fetch_for_50_concurrent_requests(serve: Any, flavour: str) -> None:
    fake, client = serve(TokenServer(token_delay=0.3))  # a slow endpoint: all 50 wait on it
    if flavour == "sync":
        with ThreadPoolExecutor(max_workers=50) as pool:
            runs = list(pool.map(lambda _: client.runs.retrieve("run_1"), range(50)))
    else:
        runs = await asyncio.gather(*(client.runs.retrieve("run_1") for _ in range(50)))
    assert [run.id for run in runs] == ["run_1"] * 50
    assert len(fake.token_requests) == 1
    assert fake.tokens_used() == ["tok-1"] * 50


async def test_token_refreshed_after_expiry(serve: Any) -> None:
    fake, client = serve(TokenServer(expires_in=1))  # kept until 0.1 s before it expires
    await call(client.runs.retrieve("run_1"))
    await call(client.runs.retrieve("run_1"))
    assert len(fake.token_requests) == 1
    time.sleep(1.0)
    await call(client.runs.retrieve("run_1"))
    assert len(fake.token_requests) == 2
    assert fake.tokens_used() == ["tok-1", "tok-1", "tok-2"]


async def test_a_401_refreshes_the_token_and_retries_once(api: ModuleType, serve: Any) -> None:
    fake, client = serve()
    await call(client.runs.retrieve("run_1"))
    fake.revoked.add("tok-1")  # the server forgets the token before it expires
    assert (await call(client.runs.retrieve("run_1"))).id == "run_1"
    assert len(fake.token_requests) == 2
    assert fake.tokens_used() == ["tok-1", "tok-1", "tok-2"]

    fake.reject_all = True  # a 401 whatever the token: one refresh, one retry, then the error
    with pytest.raises(api.errors.AuthenticationError):
        await call(client.runs.retrieve("run_1"))
    assert len(fake.token_requests) == 3
    assert fake.tokens_used()[3:] == ["tok-2", "tok-3"]


async def test_50_concurrent_401s_make_one_refresh(serve: Any, flavour: str) -> None:
    fake, client = serve()
    await call(client.runs.retrieve("run_1"))
    fake.revoked.add("tok-1")
    if flavour == "sync":
        with ThreadPoolExecutor(max_workers=50) as pool:
            list(pool.map(lambda _: client.runs.retrieve("run_1"), range(50)))
    else:
        await asyncio.gather(*(client.runs.retrieve("run_1") for _ in range(50)))
    assert len(fake.token_requests) == 2
    assert fake.tokens_used().count("tok-2") == 50


async def test_credentials_from_the_environment(
    api: ModuleType, serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = api.__name__.upper()
    monkeypatch.setenv(f"{prefix}_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv(f"{prefix}_CLIENT_SECRET", SECRET)
    fake, client = serve(client_id=None, client_secret=None)
    await call(client.runs.retrieve("run_1"))
    assert fake.tokens_used() == ["tok-1"]


async def test_without_client_credentials_an_api_key_is_a_ready_token(
    api: ModuleType, serve: Any
) -> None:
    fake, client = serve(client_id=None, client_secret=None, api_key="tok-issued-elsewhere")
    assert (await call(client.runs.retrieve("run_1"))).id == "run_1"
    assert fake.token_requests == []
    assert fake.tokens_used() == ["tok-issued-elsewhere"]


def test_missing_credentials_name_both_ways(
    api: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = api.__name__.upper()
    for name in ("API_KEY", "CLIENT_ID", "CLIENT_SECRET"):
        monkeypatch.delenv(f"{prefix}_{name}", raising=False)
    with pytest.raises(api.errors.MissingAPIKeyError, match=f"{prefix}_CLIENT_ID"):
        api.Client(base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="both a client id and a secret"):
        api.Client(base_url="http://127.0.0.1:9", client_id=CLIENT_ID)


async def test_secrets_and_tokens_stay_out_of_repr_errors_and_logs(
    api: ModuleType, serve: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"{api.__name__.upper()}_LOG", "debug")  # the package's own log, on
    caplog.set_level(logging.DEBUG)
    fake, client = serve()
    await call(client.runs.retrieve("run_1"))
    fake.revoked.add("tok-1")
    await call(client.runs.retrieve("run_1"))
    fake.token_status = 401
    fake.revoked.add("tok-2")
    with pytest.raises(api.errors.AuthenticationError) as caught:
        await call(client.runs.retrieve("run_1"))
    texts = [repr(client), repr(client._tokens), str(caught.value), repr(caught.value)]
    texts += [record.getMessage() for record in caplog.records]
    assert caplog.records  # httpx logged the requests
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    for secret in (SECRET, "tok-1", "tok-2", basic):
        assert not any(secret in text for text in texts), secret
