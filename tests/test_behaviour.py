"""A generated client against real HTTP servers on 127.0.0.1, sync and async, with faults.

The client is generated in this session from tests/behaviour/spec.yaml (a small run API),
so these tests pin what the generator and the runtime do together. It is generated once for
each HTTP library a target may choose (``http = "httpx2"`` or ``"httpx"``), and every test
runs against both: ``library`` is the module, ``api`` the package generated for it.
"""

from __future__ import annotations

import email.utils
import importlib
import inspect
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.config import Target
from generator.emit.write import write_tree
from generator.workflow.pipeline import generate
from tests.support.server import LocalServer, Request, Response, sequence, sse

SPEC = Path(__file__).parent / "behaviour" / "spec.yaml"
KEY = "sk-test-5ecret-value"
RUN = {"id": "run_1", "status": "queued", "priority": 1, "created_at": "2026-01-02T03:04:05Z"}


# the HTTP library -> the package generated for it (two names: both are imported at once)
PACKAGES = {"httpx2": "behaviour_api", "httpx": "behaviour_api_httpx"}


@pytest.fixture(scope="session", params=sorted(PACKAGES))
def library(request: pytest.FixtureRequest) -> ModuleType:
    return importlib.import_module(str(request.param))


@pytest.fixture(scope="session")
def api(library: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    package = PACKAGES[library.__name__]
    out = tmp_path_factory.mktemp(package)
    target = Target(package, "tests/behaviour/spec.yaml", http=library.__name__)
    write_tree(out, generate(SPEC, target).files, package)
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(out))


def env(api: ModuleType, name: str) -> str:
    """The environment variable ``<PACKAGE>_<name>`` of the generated package."""
    return f"{api.__name__.upper()}_{name}"


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def serve(api: ModuleType, flavour: str) -> Iterator[Callable[..., tuple[LocalServer, Any]]]:
    """``serve(handler, **client_options)`` -> (server, client of the test's flavour)."""
    started: list[tuple[LocalServer, Any]] = []

    def start(handler: Callable[[Request], Response], **options: Any) -> tuple[LocalServer, Any]:
        server = LocalServer(handler).__enter__()
        options.setdefault("api_key", KEY)
        options.setdefault("base_url", server.url + "/v1")
        client = (api.Client if flavour == "sync" else api.AsyncClient)(**options)
        started.append((server, client))
        return server, client

    yield start
    for server, client in started:
        server.__exit__(None, None, None)
        if flavour == "sync":
            client.close()


async def call(value: Any) -> Any:
    """Await an async client's result; a sync client's is already there."""
    return await value if inspect.isawaitable(value) else value


async def collect(stream: Any, limit: int | None = None) -> list[Any]:
    items: list[Any] = []
    if hasattr(stream, "__aiter__"):
        async for item in stream:
            items.append(item)
            if limit is not None and len(items) >= limit:
                break
    else:
        for item in stream:
            items.append(item)
            if limit is not None and len(items) >= limit:
                break
    return items


def ok(body: Any = None, **kw: Any) -> Response:
    return Response(200, json=RUN if body is None else body, **kw)


pytestmark = pytest.mark.anyio


# --- retries ------------------------------------------------------------------------------------


async def test_429_with_retry_after_then_success(serve: Any) -> None:
    server, client = serve(
        sequence(Response(429, json={"message": "slow"}, headers={"retry-after": "0.3"}), ok())
    )
    started = time.monotonic()
    run = await call(client.runs.retrieve("run_1"))
    assert run.id == "run_1"
    assert len(server.requests) == 2
    assert time.monotonic() - started >= 0.3


async def test_retry_after_as_http_date_and_in_milliseconds(serve: Any) -> None:
    soon = email.utils.formatdate(time.time() + 1, usegmt=True)
    server, client = serve(
        sequence(
            Response(503, headers={"retry-after": soon}),
            Response(429, headers={"retry-after-ms": "50"}),
            ok(),
        )
    )
    run = await call(client.runs.retrieve("run_1"))
    assert run.status == "queued"
    assert len(server.requests) == 3


async def test_503_twice_then_success(serve: Any) -> None:
    server, client = serve(
        sequence(
            Response(503, headers={"retry-after": "0"}),
            Response(503, headers={"retry-after": "0"}),
            ok(),
        )
    )
    assert (await call(client.runs.retrieve("run_1"))).id == "run_1"
    assert len(server.requests) == 3


async def test_500_until_retries_run_out(api: ModuleType, serve: Any) -> None:
    server, client = serve(
        lambda r: Response(500, json={"message": "boom"}, headers={"retry-after": "0"})
    )
    with pytest.raises(api.errors.InternalServerError) as caught:
        await call(client.runs.retrieve("run_1"))
    assert caught.value.status_code == 500
    assert len(server.requests) == 3  # the first attempt and max_retries=2 more


async def test_max_retries_per_client_and_per_call(api: ModuleType, serve: Any) -> None:
    server, client = serve(lambda r: Response(502, headers={"retry-after": "0"}), max_retries=4)
    with pytest.raises(api.errors.InternalServerError):
        await call(client.runs.retrieve("run_1"))
    assert len(server.requests) == 5
    with pytest.raises(api.errors.InternalServerError):
        await call(client.runs.retrieve("run_1", max_retries=0))
    assert len(server.requests) == 6
    with pytest.raises(api.errors.InternalServerError):
        await call(client.with_options(max_retries=1).runs.retrieve("run_1"))
    assert len(server.requests) == 8


async def test_client_errors_are_not_retried(api: ModuleType, serve: Any) -> None:
    server, client = serve(lambda r: Response(400, json={"message": "bad"}))
    with pytest.raises(api.errors.BadRequestError):
        await call(client.runs.retrieve("run_1"))
    assert len(server.requests) == 1


async def test_retry_that_would_outlive_the_timeout_is_not_made(
    api: ModuleType, serve: Any
) -> None:
    server, client = serve(lambda r: Response(503, headers={"retry-after": "5"}), timeout=1.0)
    started = time.monotonic()
    with pytest.raises(api.errors.InternalServerError):
        await call(client.runs.retrieve("run_1"))
    assert time.monotonic() - started < 1.0
    assert len(server.requests) == 1


async def test_retried_post_keeps_its_idempotency_key(serve: Any) -> None:
    server, client = serve(
        sequence(Response(503, headers={"retry-after": "0"}), Response(201, json=RUN))
    )
    await call(client.runs.create(prompt="hi"))
    keys = [r.headers.get("idempotency-key") for r in server.requests]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert uuid.UUID(str(keys[0]))
    await call(client.runs.create(prompt="hi", idempotency_key="mine"))
    assert server.requests[-1].headers["idempotency-key"] == "mine"


# --- timeouts and broken connections -----------------------------------------------------------


async def test_slow_response_against_a_short_timeout(api: ModuleType, serve: Any) -> None:
    _server, client = serve(lambda r: ok(delay=1.5))
    started = time.monotonic()
    with pytest.raises(api.errors.APITimeoutError) as caught:
        await call(client.runs.retrieve("run_1", timeout=0.3))
    assert isinstance(caught.value, api.errors.APIConnectionError)
    assert time.monotonic() - started < 1.2


async def test_httpx_timeout_per_call_and_per_client(
    api: ModuleType, library: ModuleType, serve: Any
) -> None:
    _server, client = serve(lambda r: ok(delay=1.0), timeout=library.Timeout(0.2))
    started = time.monotonic()
    with pytest.raises(api.errors.APITimeoutError):
        await call(client.runs.retrieve("run_1"))
    with pytest.raises(api.errors.APITimeoutError):
        await call(client.runs.retrieve("run_1", timeout=library.Timeout(5.0, read=0.2)))
    assert time.monotonic() - started < 1.5
    assert (await call(client.runs.retrieve("run_1", timeout=5.0))).id == "run_1"


async def test_connection_dropped_mid_response_is_retried(serve: Any) -> None:
    server, client = serve(sequence(ok(drop_mid_body=True), ok()))
    assert (await call(client.runs.retrieve("run_1"))).id == "run_1"
    assert len(server.requests) == 2


async def test_connection_dropped_every_time(api: ModuleType, serve: Any) -> None:
    server, client = serve(lambda r: Response(drop=True), max_retries=1)
    with pytest.raises(api.errors.APIConnectionError) as caught:
        await call(client.runs.retrieve("run_1"))
    assert not isinstance(caught.value, api.errors.APITimeoutError)
    assert len(server.requests) == 2


async def test_connection_refused(api: ModuleType, flavour: str) -> None:
    client = (api.Client if flavour == "sync" else api.AsyncClient)(
        api_key=KEY, base_url="http://127.0.0.1:9/v1", max_retries=0
    )
    with pytest.raises(api.errors.APIConnectionError):
        await call(client.runs.retrieve("run_1"))
    await call(client.close())


# --- parsing -----------------------------------------------------------------------------------


async def test_invalid_json_in_a_2xx_body(api: ModuleType, serve: Any) -> None:
    _server, client = serve(
        lambda r: Response(
            200, body=b'{"id": "run_1", "status": ', headers={"content-type": "application/json"}
        )
    )
    with pytest.raises(api.errors.APIResponseValidationError) as caught:
        await call(client.runs.retrieve("run_1"))
    assert "not valid JSON" in str(caught.value)
    assert caught.value.response.status_code == 200
    assert caught.value.model == "Run"


async def test_wrong_typed_field_names_model_and_field(api: ModuleType, serve: Any) -> None:
    _server, client = serve(lambda r: ok({**RUN, "priority": "high"}))
    with pytest.raises(api.errors.APIResponseValidationError) as caught:
        await call(client.runs.retrieve("run_1"))
    assert str(caught.value).startswith("Run: priority:")
    assert caught.value.errors[0]["loc"] == ("priority",)


async def test_wrong_item_in_a_list_names_its_index(api: ModuleType, serve: Any) -> None:
    _server, client = serve(lambda r: ok([RUN, {"id": "run_2"}]))
    with pytest.raises(api.errors.APIResponseValidationError) as caught:
        await call(client.runs.list())
    assert "1.status" in str(caught.value)


async def test_unknown_enum_value_and_unknown_field_are_kept(serve: Any) -> None:
    _server, client = serve(lambda r: ok({**RUN, "status": "paused", "shiny_new_field": {"a": 1}}))
    run = await call(client.runs.retrieve("run_1"))
    assert run.status == "paused"
    assert run.model_extra == {"shiny_new_field": {"a": 1}}
    assert run.model_dump(mode="json", exclude_none=True)["shiny_new_field"] == {"a": 1}


async def test_to_dict_and_to_json_use_wire_names_and_leave_out_unset_fields(
    api: ModuleType, serve: Any
) -> None:
    sent = {
        "id": "run_1",
        "status": "running",
        "created_at": "2026-01-02T03:04:05Z",
        "owner-id": "u_7",
        "options": {"verbose": True},
        "output": None,
        "shiny_new_field": [1, 2],
    }
    _server, client = serve(lambda r: ok(sent))
    run = await call(client.runs.retrieve("run_1"))
    assert run.owner_id == "u_7"
    as_dict = run.to_dict()
    assert set(as_dict) == set(sent)  # priority and retry_after were not sent: left out
    assert as_dict["owner-id"] == "u_7" and as_dict["options"] == {"verbose": True}
    assert as_dict["created_at"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert as_dict["output"] is None  # sent as null: set, so kept
    assert run.to_dict(mode="json") == {**sent, "created_at": "2026-01-02T03:04:05Z"}
    assert json.loads(run.to_json()) == {**sent, "created_at": "2026-01-02T03:04:05Z"}
    assert run.to_json().startswith('{\n  "id"') and "\n" not in run.to_json(indent=None)
    assert "owner_id" in run.to_dict(use_api_names=False)
    assert "output" not in run.to_dict(exclude_none=True)
    assert "priority" in run.to_dict(exclude_unset=False)
    built = api.models.RunOptions(verbose=False)
    assert built.to_dict() == {"verbose": False} and built.to_json(indent=None) == (
        '{"verbose":false}'
    )


async def test_text_binary_and_empty_responses(serve: Any) -> None:
    def handler(request: Request) -> Response:
        if request.path.endswith("/log"):
            return Response(body="line 1\nline 2", headers={"content-type": "text/plain"})
        if request.path.endswith("/artifact"):
            return Response(
                body=b"\x00\x01binary", headers={"content-type": "application/octet-stream"}
            )
        return Response(204)

    _server, client = serve(handler)
    assert await call(client.runs.retrieve_log("run_1")) == "line 1\nline 2"
    assert await call(client.runs.download_artifact("run_1")) == b"\x00\x01binary"
    assert await call(client.runs.delete("run_1")) is None


# --- errors ------------------------------------------------------------------------------------


async def test_404_carries_the_declared_error_model(
    api: ModuleType, library: ModuleType, serve: Any
) -> None:
    body = {"error": {"message": "Run not found", "code": "not_found"}}
    _server, client = serve(lambda r: Response(404, json=body, headers={"x-request-id": "req_42"}))
    with pytest.raises(api.errors.NotFoundError) as caught:
        await call(client.runs.retrieve("nope"))
    error = caught.value
    assert isinstance(error.body, api.models.ErrorResponse)
    assert error.body.error.message == "Run not found"
    assert (error.status_code, error.request_id) == (404, "req_42")
    assert isinstance(error.response, library.Response)
    assert error.headers["x-request-id"] == "req_42"
    assert "404" in str(error) and "Run not found" in str(error)


async def test_default_error_model_and_raw_bodies(api: ModuleType, serve: Any) -> None:
    _server, client = serve(
        sequence(
            Response(409, json={"message": "busy"}, headers={"x-should-retry": "false"}),
            Response(404, json={"unexpected": True}),
            Response(418, body="I am a teapot", headers={"content-type": "text/plain"}),
        )
    )
    with pytest.raises(api.errors.ConflictError) as conflict:
        await call(client.runs.retrieve("run_1"))
    assert isinstance(conflict.value.body, api.models.Error)  # the `default` response's model
    with pytest.raises(api.errors.NotFoundError) as missing:
        await call(client.runs.retrieve("run_1"))
    assert missing.value.body == {"unexpected": True}  # does not match the declared model: raw JSON
    with pytest.raises(api.errors.APIStatusError) as teapot:
        await call(client.runs.retrieve("run_1"))
    assert type(teapot.value) is api.errors.APIStatusError
    assert teapot.value.body == "I am a teapot"


async def test_status_codes_map_to_their_exception(api: ModuleType, serve: Any) -> None:
    expected = {
        400: "BadRequestError",
        401: "AuthenticationError",
        403: "PermissionDeniedError",
        404: "NotFoundError",
        422: "UnprocessableEntityError",
        429: "RateLimitError",
        500: "InternalServerError",
        504: "InternalServerError",
    }
    statuses = iter(expected)
    _server, client = serve(
        lambda r: Response(next(statuses), json={"message": "x"}), max_retries=0
    )
    for status, name in expected.items():
        with pytest.raises(api.errors.APIStatusError) as caught:
            await call(client.runs.retrieve("run_1"))
        assert type(caught.value).__name__ == name
        assert caught.value.status_code == status
        assert isinstance(caught.value, api.errors.APIError)


# --- requests ----------------------------------------------------------------------------------


async def test_path_parameters_are_percent_encoded(serve: Any) -> None:
    server, client = serve(lambda r: ok())
    await call(client.runs.retrieve("a/b c"))
    await call(client.runs.retrieve(".."))
    await call(client.runs.retrieve("ü?#%"))
    assert [r.path for r in server.requests] == [
        "/v1/runs/a%2Fb%20c",
        "/v1/runs/%2E%2E",
        "/v1/runs/%C3%BC%3F%23%25",
    ]


async def test_empty_path_parameter_and_header_injection_are_rejected(serve: Any) -> None:
    server, client = serve(lambda r: ok())
    with pytest.raises(ValueError, match="non-empty value for `run_id`"):
        await call(client.runs.retrieve(""))
    with pytest.raises(ValueError, match="line break"):
        await call(client.runs.retrieve("run_1", extra_headers={"x-note": "a\r\nx-evil: 1"}))
    with pytest.raises(ValueError, match="line break"):
        await call(client.runs.create(prompt="x", idempotency_key="k\nx"))
    assert server.requests == []


async def test_left_out_arguments_are_not_sent(api: ModuleType, serve: Any) -> None:
    server, client = serve(lambda r: Response(201, json=RUN))
    await call(client.runs.create(prompt="hello"))
    assert server.requests[-1].json() == {"prompt": "hello"}
    await call(
        client.runs.create(
            prompt="hello",
            metadata=None,
            tags=["a", "b"],
            options=api.models.RunOptions(verbose=True),
        )
    )
    assert server.requests[-1].json() == {
        "prompt": "hello",
        "tags": ["a", "b"],
        "metadata": None,
        "options": {"verbose": True},
    }
    request = server.requests[-1]
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.method == "POST" and request.path == "/v1/runs"


async def test_query_parameters(serve: Any) -> None:
    server, client = serve(lambda r: ok([RUN]))
    runs = await call(client.runs.list(limit=5, status=["queued", "running"], include_output=True))
    assert [r.id for r in runs] == ["run_1"]
    assert server.requests[-1].query == {
        "limit": ["5"],
        "status": ["queued", "running"],
        "include_output": ["true"],
    }
    await call(client.runs.list())
    assert server.requests[-1].query == {}


async def test_multipart_upload_with_a_file_and_text_fields(serve: Any, tmp_path: Path) -> None:
    server, client = serve(lambda r: Response(204))
    await call(
        client.runs.upload_attachment(
            "run_1",
            file=("report.txt", b"hello\x00bytes", "text/plain"),
            note="first",
            labels=["a", "b"],
        )
    )
    request = server.requests[-1]
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.body
    assert b'name="file"; filename="report.txt"' in body and b"hello\x00bytes" in body
    assert b'name="note"\r\n\r\nfirst' in body
    assert body.count(b'name="labels"') == 2
    path = tmp_path / "data.bin"
    path.write_bytes(b"from disk")
    with path.open("rb") as handle:
        await call(client.runs.upload_attachment("run_1", file=handle))
    assert (
        b'filename="data.bin"' in server.requests[-1].body
        and b"from disk" in server.requests[-1].body
    )
    assert b'name="note"' not in server.requests[-1].body  # left out: not sent


async def test_form_urlencoded_body(serve: Any) -> None:
    server, client = serve(lambda r: ok([RUN]))
    runs = await call(client.runs.search(q="gdp france", limit=5, status=["queued", "running"]))
    assert runs[0].id == "run_1"
    request = server.requests[-1]
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.body == b"q=gdp+france&limit=5&status=queued&status=running"


async def test_query_parameter_styles(serve: Any) -> None:
    server, client = serve(
        lambda r: Response(body="id\nrun_1", headers={"content-type": "text/csv"})
    )
    text = await call(
        client.runs.export(
            ids=["a", "b"], fields=["id", "status"], filter={"status": "queued", "owner": "me"}
        )
    )
    assert text == "id\nrun_1"
    assert server.requests[-1].query == {
        "ids": ["a,b"],
        "fields": ["id|status"],
        "filter[status]": ["queued"],
        "filter[owner]": ["me"],
    }


async def test_text_body(serve: Any) -> None:
    server, client = serve(lambda r: Response(204))
    await call(client.runs.replace_note("run_1", body="plain text, ünïcode"))
    request = server.requests[-1]
    assert request.headers["content-type"] == "text/plain; charset=utf-8"
    assert request.body.decode() == "plain text, ünïcode"


async def test_extra_headers_query_and_body(serve: Any) -> None:
    server, client = serve(lambda r: Response(201, json=RUN), default_headers={"x-team": "a"})
    await call(
        client.runs.create(
            prompt="p",
            extra_headers={"x-trace": "t1"},
            extra_query={"dry": "1"},
            extra_body={"beta_flag": True},
        )
    )
    request = server.requests[-1]
    assert request.headers["x-trace"] == "t1" and request.headers["x-team"] == "a"
    assert request.query == {"dry": ["1"]}
    assert request.json() == {"prompt": "p", "beta_flag": True}


async def test_operation_without_security_still_works(serve: Any) -> None:
    _server, client = serve(lambda r: ok({"ok": True}))
    assert (await call(client.health.retrieve())).ok is True


# --- polling -----------------------------------------------------------------------------------


class RunStateMachine:
    """queued -> running -> <final>, one step per GET, with a retry_after hint in the body."""

    def __init__(
        self,
        final: str = "succeeded",
        hint: float | None = 0.05,
        header: str | None = None,
        steps: tuple[str, ...] = ("queued", "running"),
    ) -> None:
        self.states = [*steps, final]
        self.hint = hint
        self.header = header
        self.gets = 0

    def __call__(self, request: Request) -> Response:
        if request.method == "POST":
            return Response(201, json={**RUN, "status": self.states[0]})
        status = self.states[min(self.gets, len(self.states) - 1)]
        self.gets += 1
        body = {**RUN, "status": status, "retry_after": self.hint}
        headers = {"retry-after": self.header} if self.header else {}
        return Response(200, json=body, headers=headers)


async def test_poll_follows_the_run_to_its_terminal_state(serve: Any) -> None:
    machine = RunStateMachine(hint=0.1)
    _server, client = serve(machine)
    started = time.monotonic()
    run = await call(client.runs.poll_retrieve("run_1", poll_timeout=10))
    assert run.status == "succeeded"
    assert machine.gets == 3
    assert 0.2 <= time.monotonic() - started < 2  # two waits of 0.1 s, as the server asked


async def test_poll_honours_retry_after_header_and_returns_failed_runs(serve: Any) -> None:
    machine = RunStateMachine(final="failed", hint=None, header="0.05")
    _server, client = serve(machine)
    run = await call(client.runs.poll_retrieve("run_1"))
    assert run.status == "failed"  # a terminal state, returned, not raised
    assert machine.gets == 3


async def test_poll_timeout_carries_the_last_run(api: ModuleType, serve: Any) -> None:
    machine = RunStateMachine(steps=("queued",) * 1000, hint=0.05)
    _server, client = serve(machine)
    started = time.monotonic()
    with pytest.raises(api.errors.PollTimeoutError) as caught:
        await call(client.runs.poll_retrieve("run_1", poll_timeout=0.3))
    assert 0.3 <= time.monotonic() - started < 1.5
    assert isinstance(caught.value.last, api.models.Run) and caught.value.last.status == "queued"
    assert machine.gets >= 3


async def test_create_and_poll(serve: Any) -> None:
    machine = RunStateMachine(hint=0.01)
    server, client = serve(machine)
    run = await call(client.runs.create_and_poll(prompt="go", poll_interval=0.01))
    assert run.status == "succeeded"
    assert [r.method for r in server.requests] == ["POST", "GET", "GET", "GET"]
    assert server.requests[1].path == "/v1/runs/run_1"


async def test_poll_interval_without_server_hint(serve: Any) -> None:
    machine = RunStateMachine(hint=None)
    _server, client = serve(machine)
    run = await call(client.runs.poll_retrieve("run_1", poll_interval=0.01))
    assert run.status == "succeeded" and machine.gets == 3


# --- streaming ---------------------------------------------------------------------------------


def events_handler(request: Request) -> Response:
    return Response(
        events=[
            ": keep-alive comment",
            sse({"type": "message", "text": "working"}, event="message", id="1"),
            sse({"type": "status", "run": {**RUN, "status": "running"}}, id="2"),
            sse({"type": "message", "text": "line one\nline two"}),
            sse({"type": "status", "run": {**RUN, "status": "succeeded"}}, id="3"),
            sse("[DONE]"),
        ],
        event_delay=0.01,
    )


async def test_sse_stream_parsed_into_typed_events(api: ModuleType, serve: Any) -> None:
    server, client = serve(events_handler)
    stream = await call(client.runs.stream_events("run_1"))
    events = await collect(stream)
    assert [type(e).__name__ for e in events] == [
        "MessageEvent",
        "StatusEvent",
        "MessageEvent",
        "StatusEvent",
    ]
    assert events[2].text == "line one\nline two"
    assert isinstance(events[3].run, api.models.Run) and events[3].run.status == "succeeded"
    assert server.requests[-1].headers["accept"] == "text/event-stream"
    assert stream.response.is_closed


async def test_events_arrive_as_they_are_sent(serve: Any) -> None:
    """A stream yields each event when it comes, not when the response ends."""
    blocks = [sse({"type": "message", "text": str(i)}) for i in range(3)]
    _server, client = serve(lambda r: Response(events=blocks, event_delay=0.4))
    started = time.monotonic()
    stream = await call(client.runs.stream_events("run_1"))
    first = await collect(stream, limit=1)
    assert first[0].text == "0"
    assert time.monotonic() - started < 0.4  # the next two events are still 0.8 s away
    if hasattr(stream, "__aiter__"):
        await stream.close()
    else:
        stream.close()


async def test_breaking_out_of_a_stream_closes_it(serve: Any) -> None:
    _server, client = serve(events_handler)
    stream = await call(client.runs.stream_events("run_1"))
    first = await collect(stream, limit=1)
    assert len(first) == 1
    if hasattr(stream, "__aiter__"):
        await stream.close()
    assert stream.response.is_closed


async def test_stream_with_a_bad_event_raises_a_typed_error(api: ModuleType, serve: Any) -> None:
    _server, client = serve(lambda r: Response(events=[sse({"type": "status"})]))
    stream = await call(client.runs.stream_events("run_1"))
    with pytest.raises(api.errors.APIResponseValidationError):
        await collect(stream)


async def test_stream_error_status_raises_before_iterating(api: ModuleType, serve: Any) -> None:
    _server, client = serve(lambda r: Response(404, json={"message": "gone"}))
    with pytest.raises(api.errors.NotFoundError):
        await call(client.runs.stream_events("run_1"))


# --- raw access, options, lifecycle, secrets ----------------------------------------------------


async def test_raw_response(api: ModuleType, library: ModuleType, serve: Any) -> None:
    _server, client = serve(lambda r: ok(headers={"x-request-id": "req_1"}))
    raw = await call(client.with_raw_response.runs.retrieve("run_1"))
    assert isinstance(raw, api.RawResponse)
    assert isinstance(raw.http_response, library.Response) and raw.status_code == 200
    assert raw.headers["x-request-id"] == "req_1"
    assert isinstance(raw.parsed, api.models.Run)
    same = await call(client.runs.with_raw_response.retrieve("run_1"))
    assert same.parsed == raw.parsed


async def test_a_client_makes_each_resource_once_and_a_copy_its_own(
    api: ModuleType, serve: Any
) -> None:
    server, client = serve(lambda r: Response(502, headers={"retry-after": "0"}), max_retries=0)
    runs = client.runs
    assert client.runs is runs
    assert runs.with_raw_response is client.with_raw_response.runs
    copy = client.with_options(max_retries=2)
    assert copy.runs is not runs and copy.with_raw_response is not client.with_raw_response
    with pytest.raises(api.errors.InternalServerError):
        await call(copy.runs.retrieve("run_1"))
    assert len(server.requests) == 3  # the copy's max_retries
    with pytest.raises(api.errors.InternalServerError):
        await call(copy.with_raw_response.runs.retrieve("run_1"))
    assert len(server.requests) == 6
    with pytest.raises(api.errors.InternalServerError):
        await call(runs.retrieve("run_1"))
    assert len(server.requests) == 7  # the original's resource still calls the original


async def test_bring_your_own_http_client(
    api: ModuleType, library: ModuleType, flavour: str
) -> None:
    with LocalServer(lambda r: ok()) as server:
        if flavour == "sync":
            http = library.Client(headers={"x-from-http-client": "yes"})
            with api.Client(api_key=KEY, base_url=server.url, http_client=http) as client:
                client.runs.retrieve("run_1")
            assert not http.is_closed  # not ours to close
            http.close()
        else:
            ahttp = library.AsyncClient(headers={"x-from-http-client": "yes"})
            async with api.AsyncClient(
                api_key=KEY, base_url=server.url, http_client=ahttp
            ) as aclient:
                await aclient.runs.retrieve("run_1")
            assert not ahttp.is_closed
            await ahttp.aclose()
        assert server.requests[-1].headers["x-from-http-client"] == "yes"


def test_the_other_librarys_client_is_refused_clearly(api: ModuleType, library: ModuleType) -> None:
    other = importlib.import_module("httpx" if library.__name__ == "httpx2" else "httpx2")
    with other.Client() as http, pytest.raises(TypeError) as caught:
        api.Client(api_key=KEY, base_url="http://127.0.0.1:9", http_client=http)
    assert str(caught.value) == (
        f"http_client must be an {library.__name__}.Client or {library.__name__}.AsyncClient, "
        f"not {other.__name__}.Client"
    )


async def test_context_manager_closes_its_own_pool(api: ModuleType, flavour: str) -> None:
    if flavour == "sync":
        with api.Client(api_key=KEY, base_url="http://127.0.0.1:9") as client:
            pass
    else:
        async with api.AsyncClient(api_key=KEY, base_url="http://127.0.0.1:9") as client:
            pass
    assert client._http.is_closed


async def test_key_and_base_url_from_the_environment(
    api: ModuleType, flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(env(api, "API_KEY"), "env-key")
    with LocalServer(lambda r: ok()) as server:
        monkeypatch.setenv(env(api, "BASE_URL"), server.url + "/v1")
        client = (api.Client if flavour == "sync" else api.AsyncClient)()
        await call(client.runs.retrieve("run_1"))
        await call(client.close())
    assert server.requests[-1].headers["authorization"] == "Bearer env-key"
    assert server.requests[-1].path == "/v1/runs/run_1"


def test_missing_key_is_a_clear_error(api: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(env(api, "API_KEY"), raising=False)
    with pytest.raises(api.errors.MissingAPIKeyError, match=env(api, "API_KEY")):
        api.Client()


async def test_secrets_stay_out_of_repr_errors_and_logs(
    api: ModuleType, serve: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server, client = serve(
        sequence(
            Response(503, headers={"retry-after": "0"}), Response(401, json={"message": "bad key"})
        )
    )
    with pytest.raises(api.errors.AuthenticationError) as caught:
        await call(client.runs.retrieve("run_1"))
    assert (
        KEY not in repr(client) and KEY not in str(caught.value) and KEY not in repr(caught.value)
    )
    assert "retrying" in caplog.text and api.__name__ in {r.name for r in caplog.records}
    assert KEY not in caplog.text
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_tls_verification_is_on_by_default(api: ModuleType) -> None:
    client = api.Client(api_key=KEY, base_url="https://127.0.0.1:9")
    transport = client._http._transport
    pool = getattr(transport, "_pool", None)
    context = getattr(pool, "_ssl_context", None)
    assert context is not None and context.verify_mode.name == "CERT_REQUIRED"
    client.close()


# --- the log switch: <PACKAGE>_LOG=info|debug ---------------------------------------------------


@pytest.fixture
def package_log(api: ModuleType) -> Iterator[logging.Logger]:
    """The package's logger, put back as it was (no handler, no level) after the test."""
    logger = logging.getLogger(api.__name__)
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:], logger.level = handlers, level


def faults_then_ok() -> Callable[[Request], Response]:
    return sequence(
        Response(drop=True),
        Response(503, headers={"retry-after": "0"}),
        ok(headers={"x-request-id": "req_9"}),
    )


async def test_nothing_is_logged_by_default(
    api: ModuleType,
    serve: Any,
    package_log: logging.Logger,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(env(api, "LOG"), raising=False)
    _server, client = serve(faults_then_ok())
    assert (await call(client.runs.retrieve("run_1"))).id == "run_1"
    assert package_log.handlers == [] and package_log.level == logging.NOTSET
    assert capfd.readouterr().err == ""


async def test_info_log_shows_each_attempt_with_credentials_masked(
    api: ModuleType,
    serve: Any,
    package_log: logging.Logger,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(env(api, "LOG"), "info")
    server = LocalServer(faults_then_ok()).__enter__()
    try:
        # a password in the URL is a credential too (httpx sends it as basic auth)
        base_url = server.url.replace("http://", "http://alice:pa55word@") + "/v1"
        _unused, client = serve(lambda r: ok(), base_url=base_url)
        assert (await call(client.runs.retrieve("run_1", extra_query={"page": "2"}))).id == "run_1"
    finally:
        server.__exit__(None, None, None)
    err = capfd.readouterr().err
    url = f"{server.url}/v1/runs/run_1?page=2"
    lines = [line.split("] ", 1)[1] for line in err.splitlines()]
    assert re.fullmatch(
        rf"GET {re.escape(url)} failed after \d+\.\d{{3}}s \(attempt 1 of 3\): \w+", lines[0]
    ), lines
    assert re.fullmatch(
        rf"retrying GET {re.escape(url)} in \d\.\d\ds \(attempt 2 of 3 next\): \w+", lines[1]
    ), lines
    assert re.fullmatch(
        rf"GET {re.escape(url)} -> 503 in \d+\.\d{{3}}s \(attempt 2 of 3\)", lines[2]
    ), lines
    assert lines[3] == (
        f"retrying GET {url} in 0.00s (attempt 3 of 3 next): status 503, as the server asked"
    )
    assert re.fullmatch(
        rf"GET {re.escape(url)} -> 200 in \d+\.\d{{3}}s \(attempt 3 of 3\)", lines[4]
    )
    assert len(lines) == 5 and " INFO] " in err.splitlines()[0]
    assert "[" in err and api.__name__ in err.splitlines()[0]
    assert "pa55word" not in err and KEY not in err and "headers" not in err


async def test_debug_log_adds_masked_headers_and_the_request_id(
    api: ModuleType,
    serve: Any,
    package_log: logging.Logger,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(env(api, "LOG"), "debug")
    server, client = serve(faults_then_ok())
    await call(client.runs.retrieve("run_1", extra_headers={"x-trace": "t-1"}))
    err = capfd.readouterr().err
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in err
    assert err.count("request headers: ") == 3 and err.count("response headers: ") == 2
    assert "authorization: ***" in err and "x-trace: t-1" in err
    assert "request id: req_9" in err and " DEBUG] " in err
    assert err.count(" -> 200 in ") == 1
