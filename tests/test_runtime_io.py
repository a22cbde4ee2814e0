"""Middleware, streamed responses and downloads, and one deadline for a wait: the behaviour
API's generated client against real HTTP servers on 127.0.0.1, sync and async.
"""

from __future__ import annotations

import gc
import logging
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.support.server import Request, Response, sequence, sse
from tests.test_behaviour import RUN, api, call, collect, flavour, library, ok, serve

# the fixtures this module shares with test_behaviour
__all__ = ["api", "flavour", "library", "serve"]

pytestmark = pytest.mark.anyio


# --- middleware ---------------------------------------------------------------------------------


def attempt(seen: list[str]) -> int:
    return 1 + sum(1 for line in seen if line.startswith("stamp"))


def middleware_pair(flavour: str, seen: list[str]) -> list[Any]:
    """A header stamp and a timing log: each records what it saw, as the README's example."""
    log = logging.getLogger("tests.timing")
    if flavour == "sync":

        def stamp(request: httpx.Request, call_next: Any) -> httpx.Response:
            request.headers["x-stamp"] = f"attempt-{attempt(seen)}"
            seen.append(f"stamp {request.method} {request.url.path}")
            return call_next(request)  # type: ignore[no-any-return]

        def timing(request: httpx.Request, call_next: Any) -> httpx.Response:
            started = time.monotonic()
            response: httpx.Response = call_next(request)
            seen.append(f"timing {response.status_code}")
            log.info(
                "%s %s in %.3fs", request.url.path, response.status_code, time.monotonic() - started
            )
            return response

        return [stamp, timing]

    async def astamp(request: httpx.Request, call_next: Any) -> httpx.Response:
        request.headers["x-stamp"] = f"attempt-{attempt(seen)}"
        seen.append(f"stamp {request.method} {request.url.path}")
        return await call_next(request)  # type: ignore[no-any-return]

    async def atiming(request: httpx.Request, call_next: Any) -> httpx.Response:
        started = time.monotonic()
        response: httpx.Response = await call_next(request)
        seen.append(f"timing {response.status_code}")
        log.info(
            "%s %s in %.3fs", request.url.path, response.status_code, time.monotonic() - started
        )
        return response

    return [astamp, atiming]


async def test_middleware_sees_each_retried_attempt(
    serve: Any, flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tests.timing")
    seen: list[str] = []
    server, client = serve(
        sequence(
            Response(503, headers={"retry-after": "0"}),
            Response(429, headers={"retry-after": "0"}),
            ok(),
        ),
        middleware=middleware_pair(flavour, seen),
    )
    assert (await call(client.runs.retrieve("run_1"))).id == "run_1"
    assert seen == [
        "stamp GET /v1/runs/run_1",
        "timing 503",
        "stamp GET /v1/runs/run_1",
        "timing 429",
        "stamp GET /v1/runs/run_1",
        "timing 200",
    ]
    assert [r.headers["x-stamp"] for r in server.requests] == [
        "attempt-1",
        "attempt-2",
        "attempt-3",
    ]
    assert [r.getMessage().split(" in ")[0] for r in caplog.records] == [
        "/v1/runs/run_1 503",
        "/v1/runs/run_1 429",
        "/v1/runs/run_1 200",
    ]


async def test_middleware_sees_error_statuses_and_can_answer_itself(
    api: ModuleType, serve: Any, flavour: str
) -> None:
    seen: list[str] = []
    server, client = serve(
        lambda r: Response(404, json={"error": {"message": "gone"}}),
        middleware=middleware_pair(flavour, seen),
    )
    with pytest.raises(api.errors.NotFoundError):
        await call(client.runs.retrieve("run_1"))
    assert seen == ["stamp GET /v1/runs/run_1", "timing 404"]

    def cached(request: httpx.Request, call_next: Any) -> httpx.Response:
        return httpx.Response(200, json={**RUN, "id": "from-cache"}, request=request)

    async def acached(request: httpx.Request, call_next: Any) -> httpx.Response:
        return cached(request, call_next)

    other = client.__class__(
        api_key="k",
        base_url=server.url + "/v1",
        middleware=[cached if flavour == "sync" else acached],
    )
    assert (await call(other.runs.retrieve("run_1"))).id == "from-cache"
    assert len(server.requests) == 1  # the middleware answered; nothing was sent


# --- streamed responses and downloads -----------------------------------------------------------


class Streamed:
    """``with`` / ``async with`` over a streaming-response manager, for both flavours."""

    def __init__(self, manager: Any) -> None:
        self.manager = manager

    async def __aenter__(self) -> Any:
        if hasattr(self.manager, "__aenter__"):
            return await self.manager.__aenter__()
        return self.manager.__enter__()

    async def __aexit__(self, *exc: object) -> None:
        if hasattr(self.manager, "__aexit__"):
            await self.manager.__aexit__(*exc)
        else:
            self.manager.__exit__(*exc)


async def chunks_of(iterable: Any) -> list[Any]:
    return await collect(iterable)


async def test_streaming_response_parse_read_and_lines(api: ModuleType, serve: Any) -> None:
    _server, client = serve(
        lambda r: (
            ok()
            if r.path.endswith("run_1")
            else Response(200, body="line one\nline two\n", headers={"content-type": "text/plain"})
        )
    )
    async with Streamed(client.runs.with_streaming_response.retrieve("run_1")) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        run = await call(response.parse())
        assert isinstance(run, api.models.Run) and run.id == "run_1"
    async with Streamed(client.runs.with_streaming_response.retrieve_log("run_1")) as response:
        assert await chunks_of(response.iter_lines()) == ["line one", "line two"]
    async with Streamed(client.with_streaming_response.runs.retrieve_log("run_1")) as response:
        assert await call(response.read()) == b"line one\nline two\n"
        assert await call(response.parse()) == "line one\nline two\n"


async def test_streaming_response_error_status_raises_on_entering(
    api: ModuleType, serve: Any
) -> None:
    server, client = serve(
        sequence(
            Response(503, headers={"retry-after": "0"}),
            Response(404, json={"error": {"message": "gone"}}),
        )
    )
    with pytest.raises(api.errors.NotFoundError) as caught:
        async with Streamed(client.runs.with_streaming_response.retrieve("run_1")):
            pytest.fail("the block is not entered")
    assert caught.value.body.error.message == "gone"
    assert len(server.requests) == 2  # retried like the plain method


async def test_streaming_response_of_events(api: ModuleType, serve: Any) -> None:
    _server, client = serve(lambda r: Response(events=[sse({"type": "message", "text": "hi"})]))
    manager = client.runs.with_streaming_response.stream_events("run_1")
    async with Streamed(manager) as response:
        events = await collect(await call(response.parse()))
    assert [event.text for event in events] == ["hi"]


BODY_SIZE = 200 * 1024 * 1024  # 200 MB
CHUNK = bytes(range(256)) * 4096  # 1 MiB


def artifact(request: Request) -> Response:
    def chunks() -> Iterator[bytes]:
        for _ in range(BODY_SIZE // len(CHUNK)):
            yield CHUNK

    return Response(
        200, chunks=chunks(), length=BODY_SIZE, headers={"content-type": "application/octet-stream"}
    )


async def test_200_mb_download_streams_to_disk_in_bounded_memory(
    serve: Any, flavour: str, tmp_path: Path
) -> None:
    """The body never sits in memory whole: the peak traced allocation (client and fake
    server together) stays a few MB for a 200 MB body. Measured here (tracemalloc, 2-core
    machine): 3.8 MB peak sync, 0.9 MB async, for the whole 200 MB written to disk."""
    _server, client = serve(artifact)
    target = tmp_path / "artifact.bin"
    gc.collect()
    tracemalloc.start()
    try:
        manager = client.runs.with_streaming_response.download_artifact("run_1")
        async with Streamed(manager) as response:
            await call(response.write_to_file(target))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert target.stat().st_size == BODY_SIZE
    with target.open("rb") as file:
        assert file.read(len(CHUNK)) == CHUNK
        file.seek(-len(CHUNK), 2)
        assert file.read() == CHUNK
    print(f"\n200 MB download ({flavour}): peak traced memory {peak / 1e6:.1f} MB")
    assert peak < 20 * 1024 * 1024  # far below the body's 200 MB


async def test_iter_bytes_reads_piece_by_piece(serve: Any) -> None:
    _server, client = serve(lambda r: Response(200, chunks=iter([b"a" * 10, b"b" * 10]), length=20))
    async with Streamed(client.runs.with_streaming_response.download_artifact("run_1")) as r:
        pieces = await chunks_of(r.iter_bytes(8))
    assert b"".join(pieces) == b"a" * 10 + b"b" * 10
    assert [len(p) for p in pieces] == [8, 8, 4]


# --- one deadline for a wait --------------------------------------------------------------------


class SlowRateLimitedRuns:
    """A run that never finishes, on a server that is slow and rate-limits: a POST is
    refused twice with 429 before it is taken; every GET takes ``latency`` seconds and every
    other one is a 429 with a ``Retry-After``. Each attempt is logged with its time."""

    def __init__(self, latency: float = 0.3, retry_after: str = "0.4") -> None:
        self.latency = latency
        self.retry_after = retry_after
        self.log: list[tuple[float, str, int]] = []
        self.posts = 0
        self.gets = 0

    def __call__(self, request: Request) -> Response:
        if request.method == "POST":
            self.posts += 1
            if self.posts <= 2:
                return self._logged(
                    request,
                    Response(429, json={"message": "slow down"}, headers={"retry-after": "0.2"}),
                )
            return self._logged(request, Response(201, json={**RUN, "status": "queued"}))
        self.gets += 1
        if self.gets % 2:
            return self._logged(
                request,
                Response(
                    429,
                    json={"message": "slow down"},
                    headers={"retry-after": self.retry_after},
                    delay=self.latency,
                ),
            )
        return self._logged(
            request,
            Response(
                200, json={**RUN, "status": "running", "retry_after": 0.2}, delay=self.latency
            ),
        )

    def _logged(self, request: Request, response: Response) -> Response:
        self.log.append((request.at, request.method, response.status))
        return response


@pytest.mark.parametrize("budget", [1.5, 3.0])
async def test_create_and_poll_ends_within_its_budget(
    api: ModuleType, serve: Any, budget: float
) -> None:
    machine = SlowRateLimitedRuns()
    _server, client = serve(machine, max_retries=5)
    started = time.monotonic()
    with pytest.raises(api.errors.PollTimeoutError) as caught:
        await call(client.runs.create_and_poll(prompt="go", poll_timeout=budget))
    elapsed = time.monotonic() - started
    assert elapsed < budget + machine.latency + 0.3  # the budget plus one request's latency
    # the server's log: no attempt started after the budget, and it met retries and polls
    assert all(at - started < budget for at, _, _ in machine.log)
    methods = [(method, status) for _, method, status in machine.log]
    assert methods[:3] == [("POST", 429), ("POST", 429), ("POST", 201)]
    assert ("GET", 429) in methods and ("GET", 200) in methods
    if caught.value.last is not None:
        assert caught.value.last.status == "running"
    assert caught.value.elapsed <= elapsed


async def test_create_and_poll_returns_when_the_run_ends_in_time(serve: Any) -> None:
    states = iter(["queued", "running", "succeeded"])
    posts: list[Request] = []

    def handler(request: Request) -> Response:
        if request.method == "POST":
            posts.append(request)
            if len(posts) == 1:
                return Response(429, headers={"retry-after": "0.1"})
            return Response(201, json=RUN)
        return Response(200, json={**RUN, "status": next(states), "retry_after": 0.1})

    server, client = serve(handler)
    started = time.monotonic()
    run = await call(client.runs.create_and_poll(prompt="go", poll_timeout=5))
    assert run.status == "succeeded"
    assert [r.method for r in server.requests] == ["POST", "POST", "GET", "GET", "GET"]
    assert time.monotonic() - started < 2


async def test_the_create_call_out_of_time_is_a_poll_timeout(api: ModuleType, serve: Any) -> None:
    server, client = serve(lambda r: Response(429, headers={"retry-after": "0.4"}), max_retries=10)
    started = time.monotonic()
    with pytest.raises(api.errors.PollTimeoutError) as caught:
        await call(client.runs.create_and_poll(prompt="go", poll_timeout=1.0))
    assert time.monotonic() - started < 1.0
    assert caught.value.last is None
    assert isinstance(caught.value.__cause__, api.errors.RateLimitError)
    assert len(server.requests) == 3  # at 0, 0.4, 0.8 s: a fourth would end after 1.0 s


async def test_each_request_timeout_is_cut_to_what_is_left(api: ModuleType, serve: Any) -> None:
    _server, client = serve(lambda r: ok(delay=5), timeout=60)
    started = time.monotonic()
    with pytest.raises(api.errors.PollTimeoutError) as caught:
        await call(client.runs.poll_retrieve("run_1", poll_timeout=0.5))
    assert time.monotonic() - started < 1.0  # not the client's 60 s timeout
    assert isinstance(caught.value.__cause__, api.errors.APITimeoutError)


async def test_a_retry_beyond_the_poll_budget_is_not_started(api: ModuleType, serve: Any) -> None:
    server, client = serve(
        sequence(
            Response(200, json={**RUN, "retry_after": 0.05}),
            Response(503, headers={"retry-after": "2"}),
            ok(),
        )
    )
    started = time.monotonic()
    with pytest.raises(api.errors.PollTimeoutError) as caught:
        await call(client.runs.poll_retrieve("run_1", poll_timeout=1.0))
    assert time.monotonic() - started < 0.5  # gave up at once: the retry could not fit
    assert len(server.requests) == 2
    assert caught.value.last.status == "queued"
    assert isinstance(caught.value.__cause__, api.errors.InternalServerError)


def test_client_credentials_for_an_api_without_oauth2_are_refused(api: ModuleType) -> None:
    with pytest.raises(ValueError, match="no OAuth2 client-credentials flow"):
        api.Client(api_key="k", client_id="id", client_secret="secret")
