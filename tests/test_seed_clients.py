"""The run lifecycle of each seed API, through its generated sync and async clients.

Every test runs twice, once with ``Client`` and once with ``AsyncClient`` (the ``kind``
fixture), against the API's in-process fake (tests/fakes) served on 127.0.0.1. The test body
is shared: ``resolve`` awaits what the async client returns and passes the sync client's
values through, ``collect`` and ``first_then_break`` iterate either kind of stream.

The first part pins what all five clients share (polling, create-and-poll, poll timeouts,
error mapping, raw responses, configuration from the environment) through the ``API`` table;
the second part walks each API's own surface: the exact requests its create calls send,
the parsed models, streams, lists, cancel, groups and threads.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

import ai21_maestro
import anyio
import crewship_runs
import flora_runs
import httpx2
import parallel_tasks
import praisonai_jobs
import pytest

from tests.fakes.ai21_maestro import FakeAI21Maestro
from tests.fakes.crewship_runs import FakeCrewship
from tests.fakes.flora_runs import FakeFlora
from tests.fakes.parallel_tasks import FakeParallel
from tests.fakes.praisonai_jobs import FakePraisonAI
from tests.support.server import Handler, LocalServer, Request

pytestmark = pytest.mark.anyio

KEY = "test-key"
FAST = 0.01  # poll interval: the fakes advance per request, not with time


# --- plumbing -------------------------------------------------------------------------------


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], LocalServer]]:
    """Start a ``LocalServer`` for a handler; every server started is stopped after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda handler: stack.enter_context(LocalServer(handler))


@contextlib.asynccontextmanager
async def opened(package: ModuleType, kind: str, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
    """The package's ``Client`` (``with``) or ``AsyncClient`` (``async with``)."""
    if kind == "sync":
        with package.Client(*args, **kwargs) as client:
            yield client
    else:
        async with package.AsyncClient(*args, **kwargs) as client:
            yield client


async def resolve(value: Any) -> Any:
    """What a client call returned: awaited for the async client, as is for the sync one."""
    return await value if inspect.isawaitable(value) else value


async def raises(expected: type[BaseException], call: Callable[[], Any]) -> Any:
    with pytest.raises(expected) as info:
        await resolve(call())
    return info.value


async def collect(stream: Any) -> list[Any]:
    if hasattr(stream, "__aiter__"):
        return [item async for item in stream]
    return list(stream)


async def first_then_break(stream: Any) -> Any:
    """Leave the loop after the first event; the stream must then close its response."""
    first = None
    if hasattr(stream, "__aiter__"):
        async for item in stream:
            first = item
            break
        # ``async for`` cannot close an async generator itself; the event loop finalises it
        # (and so closes the response) within a few ticks.
        for _ in range(20):
            if stream.response.is_closed:
                break
            await anyio.sleep(0)
    else:
        for item in stream:
            first = item
            break
    assert stream.response.is_closed
    return first


def sent(server: LocalServer, method: str | None = None, path: str | None = None) -> list[Request]:
    return [
        r
        for r in server.requests
        if (method is None or r.method == method) and (path is None or r.path == path)
    ]


def assert_json_request(request: Request, method: str, path: str, body: Any) -> None:
    assert (request.method, request.path) == (method, path)
    assert request.headers["content-type"] == "application/json"
    assert request.json() == body


# --- the five APIs, as far as their lifecycles agree ----------------------------------------


@dataclass(frozen=True)
class Api:
    id: str
    package: ModuleType
    fake: Callable[..., Handler]
    prefix: str  # the path prefix of the spec's server URL
    key_env: str
    base_env: str
    auth_header: str
    bearer: bool
    running: tuple[str, ...]  # non-terminal statuses a run passes through
    done: str
    failed: str
    hint: float | None  # a poll hint the fake can send (None: the API has none)
    resource: str  # client attribute of the run resource
    retrieve: str  # its method that fetches a run; ``poll_<retrieve>`` polls it
    run_path: str  # the path ``retrieve`` requests, with ``{id}``
    run_model: str
    not_found_model: str
    unauthorized_model: str
    create: Callable[[Any], Any]  # client -> the created run (or its start response)
    run_id: Callable[[Any], str]  # the id in what ``create`` returned
    id_field: str  # the id's field in the run model
    create_and_poll: Callable[..., Any]  # (client, **poll options) -> the terminal run
    failure: Callable[[Any], Any]  # a failed run -> what it says about the failure

    def __str__(self) -> str:
        return self.id

    def auth(self, key: str = KEY) -> str:
        return f"Bearer {key}" if self.bearer else key


def _technique_input() -> list[Any]:
    return [flora_runs.models.TechniqueRunInput(id="prompt", type="text", value="A ceramic mug")]


APIS = [
    Api(
        id="parallel",
        package=parallel_tasks,
        fake=FakeParallel,
        prefix="",
        key_env="PARALLEL_API_KEY",
        base_env="PARALLEL_TASKS_BASE_URL",
        auth_header="x-api-key",
        bearer=False,
        running=("queued", "running", "running"),
        done="completed",
        failed="failed",
        hint=0.01,
        resource="task_runs",
        retrieve="retrieve",
        run_path="/v1/tasks/runs/{id}",
        run_model="TaskRun",
        not_found_model="ErrorResponse",
        unauthorized_model="ErrorResponse",
        create=lambda c: c.task_runs.create(
            input="What was the GDP of France in 2023?", processor="base"
        ),
        run_id=lambda run: run.run_id,
        id_field="run_id",
        create_and_poll=lambda c, **kw: c.task_runs.create_and_poll(
            input="What was the GDP of France in 2023?", processor="base", **kw
        ),
        failure=lambda run: run.error.message,
    ),
    Api(
        id="ai21",
        package=ai21_maestro,
        fake=FakeAI21Maestro,
        prefix="/studio/v1",
        key_env="AI21_API_KEY",
        base_env="AI21_MAESTRO_BASE_URL",
        auth_header="authorization",
        bearer=True,
        running=("in_progress", "in_progress", "in_progress"),
        done="completed",
        failed="failed",
        hint=0.01,
        resource="maestro_runs",
        retrieve="retrieve",
        run_path="/studio/v1/maestro/runs/{id}",
        run_model="RunResponse",
        not_found_model="ErrorResponse",
        unauthorized_model="ErrorResponse",
        create=lambda c: c.maestro_runs.create(input="Compare solar and wind power."),
        run_id=lambda run: run.id,
        id_field="id",
        create_and_poll=lambda c, **kw: c.maestro_runs.create_and_poll(
            input="Compare solar and wind power.", **kw
        ),
        failure=lambda run: run.error.message,
    ),
    Api(
        id="flora",
        package=flora_runs,
        fake=FakeFlora,
        prefix="/api/v1",
        key_env="FLORA_API_KEY",
        base_env="FLORA_RUNS_BASE_URL",
        auth_header="authorization",
        bearer=True,
        running=("pending", "running", "running"),
        done="completed",
        failed="failed",
        hint=None,  # FLORA sends no poll hint
        resource="generations",
        retrieve="retrieve",
        run_path="/api/v1/runs/{id}",
        run_model="RunStatus",
        not_found_model="ErrorResponse",
        unauthorized_model="ErrorResponse",
        create=lambda c: c.generations.create(
            type="image",
            prompt="A cinematic product photo of a ceramic mug on a sunlit table",
            workspace_id="ws_abc123",
            project_id="prj_abc123",
        ),
        run_id=lambda run: run.run_id,
        id_field="run_id",
        create_and_poll=lambda c, **kw: c.technique_runs.create_and_poll(
            "product-photo", inputs=_technique_input(), mode="async", **kw
        ),
        failure=lambda run: run.error_code == "provider_error" and run.error_message,
    ),
    Api(
        id="crewship",
        package=crewship_runs,
        fake=FakeCrewship,
        prefix="",
        key_env="CREWSHIP_API_KEY",
        base_env="CREWSHIP_RUNS_BASE_URL",
        auth_header="authorization",
        bearer=True,
        running=("pending", "running", "running"),
        done="succeeded",
        failed="failed",
        hint=0.01,
        resource="runs",
        retrieve="retrieve",
        run_path="/v1/runs/{id}",
        run_model="Run",
        not_found_model="ErrorResponse",
        unauthorized_model="ErrorResponse",
        create=lambda c: c.runs.create(deployment_id="dep_abc123xyz", input={"topic": "AI"}),
        run_id=lambda run: run.run_id,
        id_field="id",
        create_and_poll=lambda c, **kw: c.runs.create_and_poll(
            deployment_id="dep_abc123xyz", input={"topic": "AI"}, **kw
        ),
        failure=lambda run: run.error_message,
    ),
    Api(
        id="praisonai",
        package=praisonai_jobs,
        fake=FakePraisonAI,
        prefix="",
        key_env="PRAISONAI_JOBS_API_KEY",
        base_env="PRAISONAI_JOBS_BASE_URL",
        auth_header="authorization",
        bearer=True,
        running=("queued", "running", "running"),
        done="succeeded",
        failed="failed",
        hint=0,  # the body's retry_after is an integer
        resource="jobs",
        retrieve="get_status",
        run_path="/api/v1/runs/{id}",
        run_model="JobStatusResponse",
        not_found_model="ErrorResponse",
        unauthorized_model="UnauthorizedError",
        create=lambda c: c.jobs.submit(prompt="Research the latest AI trends"),
        run_id=lambda run: run.job_id,
        id_field="job_id",
        create_and_poll=lambda c, **kw: c.jobs.submit_and_poll(
            prompt="Research the latest AI trends", **kw
        ),
        failure=lambda run: run.error,
    ),
]


@pytest.fixture(params=APIS, ids=str)
def api(request: pytest.FixtureRequest) -> Api:
    return request.param  # type: ignore[no-any-return]


def start(serve: Callable[[Handler], LocalServer], api: Api, **options: Any) -> LocalServer:
    return serve(api.fake(api_key=KEY, **options))


def client_of(api: Api, kind: str, server: LocalServer, key: str = KEY) -> Any:
    return opened(api.package, kind, key, base_url=server.url + api.prefix)


def model(api: Api, name: str) -> type:
    return getattr(api.package.models, name)  # type: ignore[no-any-return]


# --- what every API does ----------------------------------------------------------------------


POLL_WAITS = [
    pytest.param(a, wait, id=f"{a}-{wait}")
    for a in APIS
    for wait in ("poll_interval", "server_hint")
    if wait == "poll_interval" or a.hint is not None  # FLORA documents no poll hint
]


@pytest.mark.parametrize(("api", "wait"), POLL_WAITS)
async def test_poll_follows_the_state_machine(serve, api: Api, kind: str, wait: str) -> None:
    steps = [*api.running, api.done]
    hint = api.hint if wait == "server_hint" else None
    server = start(serve, api, steps=steps, retry_after=hint)
    async with client_of(api, kind, server) as client:
        run_id = api.run_id(await resolve(api.create(client)))
        poll = getattr(getattr(client, api.resource), f"poll_{api.retrieve}")
        options = {"poll_interval": FAST} if wait == "poll_interval" else {}
        began = time.monotonic()
        run = await resolve(poll(run_id, poll_timeout=10, **options))
        elapsed = time.monotonic() - began
    assert isinstance(run, model(api, api.run_model))
    assert run.status == api.done
    # the run is created at steps[0]; each GET moves it one step
    gets = sent(server, "GET")
    assert len(gets) == len(steps) - 1
    assert {r.path for r in gets} == {api.run_path.format(id=run_id)}
    assert elapsed < 0.9  # neither way waits the 1 s default backoff


@pytest.mark.parametrize("outcome", ["done", "failed"])
async def test_create_and_poll_returns_the_terminal_run(
    serve, api: Api, kind: str, outcome: str
) -> None:
    final = getattr(api, outcome)
    steps = [*api.running, final]
    server = start(serve, api, steps=steps)
    async with client_of(api, kind, server) as client:
        run = await resolve(api.create_and_poll(client, poll_interval=FAST))
    assert isinstance(run, model(api, api.run_model))
    assert run.status == final
    if outcome == "failed":  # returned, not raised, with what went wrong
        assert api.failure(run)
    assert len(sent(server, "POST")) == 1
    assert len(sent(server, "GET")) == len(steps) - 1


async def test_poll_timeout_raises_with_the_last_run(serve, api: Api, kind: str) -> None:
    server = start(serve, api, steps=list(api.running))
    async with client_of(api, kind, server) as client:
        run_id = api.run_id(await resolve(api.create(client)))
        poll = getattr(getattr(client, api.resource), f"poll_{api.retrieve}")
        began = time.monotonic()
        error = await raises(
            api.package.errors.PollTimeoutError,
            lambda: poll(run_id, poll_timeout=0.3, poll_interval=0.05),
        )
    assert 0.3 <= time.monotonic() - began < 2
    assert isinstance(error, api.package.errors.APIError)
    assert isinstance(error.last, model(api, api.run_model))
    assert getattr(error.last, api.id_field) == run_id
    assert error.last.status == api.running[-1]
    assert error.elapsed >= 0.3
    assert len(sent(server, "GET")) >= 3


async def test_unknown_run_raises_not_found_with_the_declared_body(
    serve, api: Api, kind: str
) -> None:
    server = start(serve, api)
    async with client_of(api, kind, server) as client:
        retrieve = getattr(getattr(client, api.resource), api.retrieve)
        error = await raises(api.package.errors.NotFoundError, lambda: retrieve("run_missing"))
    assert error.status_code == 404
    assert isinstance(error.body, model(api, api.not_found_model))
    assert isinstance(error.response, httpx2.Response)
    assert len(sent(server)) == 1  # a 404 is not retried


async def test_wrong_key_raises_authentication_error(serve, api: Api, kind: str) -> None:
    server = start(serve, api)
    async with client_of(api, kind, server, key="wrong-key") as client:
        error = await raises(api.package.errors.AuthenticationError, lambda: api.create(client))
        assert "wrong-key" not in repr(client)
    assert error.status_code == 401
    assert isinstance(error.body, model(api, api.unauthorized_model))
    assert "wrong-key" not in str(error)
    assert sent(server)[0].headers[api.auth_header] == api.auth("wrong-key")


async def test_raw_response_gives_the_http_response_and_the_parsed_run(
    serve, api: Api, kind: str
) -> None:
    server = start(serve, api, steps=[*api.running, api.done])
    async with client_of(api, kind, server) as client:
        run_id = api.run_id(await resolve(api.create(client)))
        raw_resource = getattr(client.with_raw_response, api.resource)
        raw = await resolve(getattr(raw_resource, api.retrieve)(run_id))
    assert isinstance(raw.http_response, httpx2.Response)
    assert raw.http_response.status_code == raw.status_code == 200
    assert raw.http_response.request.url.path == api.run_path.format(id=run_id)
    assert isinstance(raw.parsed, model(api, api.run_model))
    # the model gives back what the server sent: its wire names, no field it did not send
    assert raw.parsed.to_dict(mode="json") == raw.http_response.json()
    assert json.loads(raw.parsed.to_json(indent=None)) == raw.http_response.json()
    assert getattr(raw.parsed, api.id_field) == run_id
    assert raw.http_response.json()["status"] == raw.parsed.status == api.running[1]


async def test_key_and_base_url_come_from_the_environment(
    serve, api: Api, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = serve(api.fake(api_key="env-key"))
    monkeypatch.setenv(api.key_env, "env-key")
    monkeypatch.setenv(api.base_env, server.url + api.prefix)
    async with opened(api.package, kind) as client:
        assert client.base_url == server.url + api.prefix
        created = await resolve(api.create(client))
    assert api.run_id(created)
    assert sent(server)[0].headers[api.auth_header] == api.auth("env-key")


async def test_missing_key_is_refused_before_any_request(
    api: Api, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(api.key_env, raising=False)
    if api.id == "praisonai":  # its key is optional: the client is made, and sends none
        async with opened(api.package, kind, base_url="http://127.0.0.1:9") as client:
            assert client._default_auth == ({}, {}, {})
        return
    with pytest.raises(api.package.errors.MissingAPIKeyError, match=api.key_env):
        async with opened(api.package, kind, base_url="http://127.0.0.1:9"):
            pass


# --- Parallel Task API ----------------------------------------------------------------------


async def test_parallel_create_sends_the_request(serve, kind: str) -> None:
    models = parallel_tasks.models
    server = serve(FakeParallel(KEY))
    async with opened(parallel_tasks, kind, KEY, base_url=server.url) as client:
        run = await resolve(
            client.task_runs.create(
                input="What was the GDP of France in 2023?",
                processor="base",
                metadata={"my_key": "my_value"},
            )
        )
        spec = models.TaskSpec(
            output_schema=models.JsonSchema(
                json_schema={"type": "object", "properties": {"gdp": {"type": "string"}}}
            )
        )
        await resolve(
            client.task_runs.create(
                input={"country": "France"},
                processor="core",
                task_spec=spec,
                parallel_beta="events-sse-2025-07-24",
            )
        )
    first, second = server.requests
    assert_json_request(
        first,
        "POST",
        "/v1/tasks/runs",
        {
            "input": "What was the GDP of France in 2023?",
            "processor": "base",
            "metadata": {"my_key": "my_value"},
        },
    )
    assert first.headers["x-api-key"] == KEY
    assert "authorization" not in first.headers
    assert "parallel-beta" not in first.headers
    assert first.headers["accept"] == "application/json"
    assert_json_request(
        second,
        "POST",
        "/v1/tasks/runs",
        {
            "input": {"country": "France"},
            "processor": "core",
            "task_spec": {
                "output_schema": {
                    "json_schema": {"type": "object", "properties": {"gdp": {"type": "string"}}}
                }
            },
        },
    )
    assert second.headers["parallel-beta"] == "events-sse-2025-07-24"
    assert isinstance(run, models.TaskRun)
    assert run.run_id.startswith("trun_")
    assert (run.status, run.is_active, run.processor) == ("queued", True, "base")
    assert run.metadata == {"my_key": "my_value"}


async def test_parallel_retrieve_input_and_result(serve, kind: str) -> None:
    models = parallel_tasks.models
    server = serve(FakeParallel(KEY))
    async with opened(parallel_tasks, kind, KEY, base_url=server.url) as client:
        created = await resolve(
            client.task_runs.create(
                input="What was the GDP of France in 2023?",
                processor="base",
                metadata={"my_key": "my_value"},
            )
        )
        run = await resolve(client.task_runs.retrieve(created.run_id))
        given = await resolve(client.task_runs.retrieve_input(created.run_id))
        await resolve(client.task_runs.poll_retrieve(created.run_id, poll_interval=FAST))
        result = await resolve(client.task_runs.result(created.run_id))
    assert isinstance(run, models.TaskRun)
    assert run.run_id == created.run_id
    assert (run.status, run.is_active) == ("running", True)
    assert isinstance(run.created_at, str) and isinstance(run.modified_at, str)
    assert run.error is None and run.warnings is None
    assert isinstance(given, models.TaskRunInput)
    assert (given.input, given.processor) == ("What was the GDP of France in 2023?", "base")
    assert isinstance(result, models.TaskRunResult)
    assert (result.run.status, result.run.is_active) == ("completed", False)
    assert isinstance(result.output, models.TaskRunTextOutput)
    assert "GDP of France" in result.output.content
    assert isinstance(result.output.basis[0], models.FieldBasis)
    assert sent(server, "GET")[-1].path == f"/v1/tasks/runs/{created.run_id}/result"


async def test_parallel_failed_run_carries_its_error(serve, kind: str) -> None:
    server = serve(FakeParallel(KEY, steps=["queued", "running", "failed"]))
    async with opened(parallel_tasks, kind, KEY, base_url=server.url) as client:
        created = await resolve(client.task_runs.create(input="q", processor="base"))
        run = await resolve(client.task_runs.poll_retrieve(created.run_id, poll_interval=FAST))
    assert (run.status, run.is_active) == ("failed", False)
    assert isinstance(run.error, parallel_tasks.models.Error)
    assert run.error.message == "Task run failed"


async def test_parallel_run_events_stream(serve, kind: str) -> None:
    models = parallel_tasks.models
    server = serve(FakeParallel(KEY))
    async with opened(parallel_tasks, kind, KEY, base_url=server.url) as client:
        created = await resolve(client.task_runs.create(input="q", processor="base"))
        events = await collect(await resolve(client.task_runs.stream_events(created.run_id)))
        other = await resolve(client.task_runs.create(input="q", processor="base"))
        stream = await resolve(client.task_runs.stream_events(other.run_id))
        first = await first_then_break(stream)
    kinds = [type(event) for event in events]
    assert kinds == [
        models.TaskRunEvent,
        models.TaskRunProgressStatsEvent,
        models.TaskRunProgressMessageEvent,
        models.TaskRunEvent,
        models.TaskRunEvent,
    ]
    assert [e.run.status for e in events if isinstance(e, models.TaskRunEvent)] == [
        "queued",
        "running",
        "completed",
    ]
    assert events[1].progress_meter == 50.0
    assert isinstance(events[1].source_stats, models.SourceStats)
    assert events[2].type == "task_run.progress_msg.plan"
    assert isinstance(first, models.TaskRunEvent)
    request = sent(server, "GET")[0]
    assert request.path == f"/v1beta/tasks/runs/{created.run_id}/events"
    assert request.headers["accept"] == "text/event-stream"


async def test_parallel_task_group_lifecycle(serve, kind: str) -> None:
    models = parallel_tasks.models
    server = serve(FakeParallel(KEY))
    async with opened(parallel_tasks, kind, KEY, base_url=server.url) as client:
        groups = client.task_groups
        group = await resolve(groups.create(metadata={"key": "value"}))
        added = await resolve(
            groups.add_runs(
                group.taskgroup_id,
                inputs=[
                    models.BetaRunInput(input="GDP of France in 2023?", processor="base"),
                    models.BetaRunInput(input="GDP of Germany in 2023?", processor="base"),
                ],
            )
        )
        status = await resolve(groups.retrieve(group.taskgroup_id))
        run = await resolve(
            groups.poll_retrieve_run(group.taskgroup_id, added.run_ids[0], poll_interval=FAST)
        )
        runs = await collect(await resolve(groups.get_runs(group.taskgroup_id, include_input=True)))
        events = await collect(await resolve(groups.stream_events(group.taskgroup_id)))
        missing = await raises(
            parallel_tasks.errors.NotFoundError, lambda: groups.get_runs("tgrp_missing")
        )
    create_group, add_runs = sent(server, "POST")
    assert_json_request(
        create_group, "POST", "/v1beta/tasks/groups", {"metadata": {"key": "value"}}
    )
    assert_json_request(
        add_runs,
        "POST",
        f"/v1beta/tasks/groups/{group.taskgroup_id}/runs",
        {
            "inputs": [
                {"input": "GDP of France in 2023?", "processor": "base"},
                {"input": "GDP of Germany in 2023?", "processor": "base"},
            ]
        },
    )
    assert isinstance(group, models.TaskGroupResponse)
    assert group.taskgroup_id.startswith("tgrp_") and group.metadata == {"key": "value"}
    assert isinstance(added, models.TaskGroupRunResponse) and len(added.run_ids) == 2
    assert isinstance(status.status, models.TaskGroupStatus)
    assert (status.status.num_task_runs, status.status.is_active) == (2, True)
    assert (run.status, run.taskgroup_id) == ("completed", group.taskgroup_id)
    polls = sent(
        server, "GET", f"/v1beta/tasks/groups/{group.taskgroup_id}/runs/{added.run_ids[0]}"
    )
    assert len(polls) == 2
    assert [type(r) for r in runs] == [models.TaskRunEvent, models.TaskRunEvent]
    assert {r.run.run_id for r in runs} == set(added.run_ids)
    assert all(isinstance(r.input, models.BetaRunInput) for r in runs)
    listing = sent(server, "GET", f"/v1beta/tasks/groups/{group.taskgroup_id}/runs")[0]
    assert listing.query == {"include_input": ["true"]}
    assert {type(e) for e in events} == {models.TaskGroupStatusEvent, models.TaskRunEvent}
    assert isinstance(events[-1], models.TaskGroupStatusEvent)
    assert events[-1].status.is_active is False
    assert isinstance(missing.body, models.ErrorResponse)
    assert missing.body.error.message == "TaskGroup not found"


# --- AI21 Maestro -----------------------------------------------------------------------------


async def test_ai21_create_sends_the_request(serve, kind: str) -> None:
    models = ai21_maestro.models
    server = serve(FakeAI21Maestro(KEY))
    base_url = server.url + "/studio/v1"
    async with opened(ai21_maestro, kind, KEY, base_url=base_url) as client:
        run = await resolve(
            client.maestro_runs.create(
                input="Write a short summary of the main differences between solar and wind power.",
                requirements=[
                    models.Requirement(
                        name="length",
                        description="The summary is at most 150 words.",
                        is_mandatory=True,
                    )
                ],
                budget="low",
                include=["requirements_result"],
            )
        )
        await resolve(
            client.maestro_runs.create(
                input=[models.MaestroMessage(role="user", content="Hello")],
                models_=["jamba-large"],
            )
        )
    first, second = server.requests
    assert_json_request(
        first,
        "POST",
        "/studio/v1/maestro/runs",
        {
            "input": "Write a short summary of the main differences between solar and wind power.",
            "requirements": [
                {
                    "name": "length",
                    "description": "The summary is at most 150 words.",
                    "is_mandatory": True,
                }
            ],
            "budget": "low",
            "include": ["requirements_result"],
        },
    )
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert_json_request(
        second,
        "POST",
        "/studio/v1/maestro/runs",
        {"input": [{"role": "user", "content": "Hello"}], "models": ["jamba-large"]},
    )
    assert isinstance(run, models.RunResponse)
    assert str(uuid.UUID(run.id)) == run.id
    assert (run.status, run.result, run.error) == ("in_progress", None, None)


async def test_ai21_completed_run_has_its_result(serve, kind: str) -> None:
    models = ai21_maestro.models
    server = serve(FakeAI21Maestro(KEY))
    base_url = server.url + "/studio/v1"
    async with opened(ai21_maestro, kind, KEY, base_url=base_url) as client:
        created = await resolve(
            client.maestro_runs.create(
                input="Compare solar and wind power.",
                requirements=[models.Requirement(name="length", description="Short.")],
                include=["requirements_result", "data_sources"],
            )
        )
        running = await resolve(client.maestro_runs.retrieve(created.id))
        run = await resolve(client.maestro_runs.poll_retrieve(created.id, poll_interval=FAST))
    assert running.status == "in_progress" and running.result is None
    assert run.status == "completed"
    assert run.result == "Fake result for: Compare solar and wind power."
    assert isinstance(run.requirements_result, models.RequirementsResult)
    assert run.requirements_result.score == 1.0
    item = run.requirements_result.requirements[0]
    assert isinstance(item, models.RequirementResultItem)
    assert (item.name, item.is_mandatory, item.score) == ("length", False, 1.0)
    assert isinstance(run.data_sources, models.DataSources)
    assert run.data_sources.web_search == []
    assert run.error is None


# --- FLORA ------------------------------------------------------------------------------------


async def test_flora_generation_create_sends_the_request(serve, kind: str) -> None:
    models = flora_runs.models
    server = serve(FakeFlora(KEY))
    async with opened(flora_runs, kind, KEY, base_url=server.url + "/api/v1") as client:
        started = await resolve(
            client.generations.create(
                type="image",
                prompt="A cinematic product photo of a ceramic mug on a sunlit table",
                workspace_id="ws_abc123",
                project_id="prj_abc123",
                model="t2i-flux-2-pro",
            )
        )
    (request,) = server.requests
    assert_json_request(
        request,
        "POST",
        "/api/v1/generate",
        {
            "type": "image",
            "prompt": "A cinematic product photo of a ceramic mug on a sunlit table",
            "workspace_id": "ws_abc123",
            "project_id": "prj_abc123",
            "model": "t2i-flux-2-pro",
        },
    )
    assert request.headers["authorization"] == f"Bearer {KEY}"
    uuid.UUID(request.headers["idempotency-key"])  # one made up for safe retries
    assert isinstance(started, models.RunStartResponse)
    assert started.run_id.startswith("run_")
    assert (started.type, started.estimated_seconds, started.charged_cost) == (
        "generation",
        None,
        0.0,
    )
    assert str(started.poll_url) == f"{server.url}/api/v1/runs/{started.run_id}"
    assert isinstance(started.model, models.RunStartResponseModel)
    assert started.model.model_id == "t2i-flux-2-pro"


async def test_flora_run_status_and_outputs(serve, kind: str) -> None:
    models = flora_runs.models
    server = serve(FakeFlora(KEY))
    async with opened(flora_runs, kind, KEY, base_url=server.url + "/api/v1") as client:
        started = await resolve(
            client.generations.create(
                type="image", prompt="A mug", workspace_id="ws_abc123", project_id="prj_abc123"
            )
        )
        running = await resolve(client.generations.retrieve(started.run_id))
        run = await resolve(client.generations.poll_retrieve(started.run_id, poll_interval=FAST))
    assert isinstance(running, models.RunStatus)
    assert (running.status, running.progress) == ("running", 50)
    assert isinstance(running.created_at, float) and isinstance(running.started_at, float)
    assert running.completed_at is None and running.outputs is None
    assert (run.status, run.progress) == ("completed", 100)
    assert isinstance(run.completed_at, float)
    (output,) = run.outputs
    assert isinstance(output, models.RunOutput)
    assert (output.type, output.url) == ("imageUrl", "https://media.flora.ai/output.png")


async def test_flora_technique_runs(serve, kind: str) -> None:
    models = flora_runs.models
    server = serve(FakeFlora(KEY))
    async with opened(flora_runs, kind, KEY, base_url=server.url + "/api/v1") as client:
        runs = client.technique_runs
        created = await resolve(
            runs.create(
                "product photo",
                inputs=[
                    models.TechniqueRunInput(
                        id="prompt", type="text", value="A ceramic mug on a sunlit table"
                    )
                ],
                mode="async",
            )
        )
        running = await resolve(runs.retrieve("product photo", created.run_id))
        done = await resolve(
            runs.poll_retrieve("product photo", created.run_id, poll_interval=FAST)
        )
        page = await resolve(runs.list(technique_id="tech_product-photo", limit=5))
    assert_json_request(
        server.requests[0],
        "POST",
        "/api/v1/techniques/product%20photo/runs",
        {
            "inputs": [
                {"id": "prompt", "type": "text", "value": "A ceramic mug on a sunlit table"}
            ],
            "mode": "async",
        },
    )
    assert isinstance(created, models.RunStatus) and created.status == "pending"
    assert running.status == "running"
    assert done.status == "completed"
    polls = sent(server, "GET", f"/api/v1/techniques/product%20photo/runs/{created.run_id}")
    assert len(polls) == 2
    listing = sent(server, "GET", "/api/v1/technique-runs")[0]
    assert listing.query == {"technique_id": ["tech_product-photo"], "limit": ["5"]}
    assert isinstance(page, models.TechniqueRunsCursorPage)
    (item,) = page.technique_runs
    assert isinstance(item, models.TechniqueRunListItem)
    assert (item.run_id, item.status) == (created.run_id, "completed")
    assert isinstance(item.technique, models.TechniqueRef)
    assert item.technique.technique_id == "tech_product-photo"
    assert page.meta.next_cursor is None


async def test_flora_list_generations_page_by_page(serve, kind: str) -> None:
    models = flora_runs.models
    server = serve(FakeFlora(KEY))
    async with opened(flora_runs, kind, KEY, base_url=server.url + "/api/v1") as client:
        ids = []
        for n in range(3):
            started = await resolve(
                client.generations.create(
                    type="image", prompt=f"mug {n}", workspace_id="ws_1", project_id="prj_1"
                )
            )
            ids.append(started.run_id)
        first = await resolve(client.generations.list(limit=2, project_id="prj_1"))
        second = await resolve(
            client.generations.list(limit=2, project_id="prj_1", cursor=first.meta.next_cursor)
        )
    assert isinstance(first, models.GenerationsCursorPage)
    assert all(isinstance(g, models.GenerationListItem) for g in first.generations)
    assert [g.run_id for g in first.generations + second.generations] == ids[::-1]
    assert first.meta.next_cursor == ids[0]
    assert second.meta.next_cursor is None
    assert first.generations[0].project_id == "prj_1"
    first_query, second_query = (r.query for r in sent(server, "GET"))
    assert first_query == {"limit": ["2"], "project_id": ["prj_1"]}
    assert second_query == {"cursor": [ids[0]], "limit": ["2"], "project_id": ["prj_1"]}


async def test_flora_action_and_technique_starts(serve, kind: str) -> None:
    models = flora_runs.models
    server = serve(FakeFlora(KEY))
    async with opened(flora_runs, kind, KEY, base_url=server.url + "/api/v1") as client:
        action = await resolve(
            client.actions.run(
                action_id="rotate-image-browser",
                workspace_id="ws_abc123",
                project_id="prj_abc123",
                inputs=[models.ActionInput(type="image", url="https://media.flora.ai/output.png")],
            )
        )
        technique = await resolve(
            client.runs.start_technique(
                technique_id="tech_abcd1234",
                workspace_id="ws_abc123",
                inputs={"prompt": "A ceramic mug on a sunlit table"},
            )
        )
        done = await resolve(client.generations.poll_retrieve(action.run_id, poll_interval=FAST))
    action_request, technique_request = sent(server, "POST")
    assert_json_request(
        action_request,
        "POST",
        "/api/v1/runs/action",
        {
            "action_id": "rotate-image-browser",
            "inputs": [{"type": "image", "url": "https://media.flora.ai/output.png"}],
            "project_id": "prj_abc123",
            "workspace_id": "ws_abc123",
        },
    )
    assert_json_request(
        technique_request,
        "POST",
        "/api/v1/runs/technique",
        {
            "technique_id": "tech_abcd1234",
            "workspace_id": "ws_abc123",
            "inputs": {"prompt": "A ceramic mug on a sunlit table"},
        },
    )
    assert isinstance(action, models.RunStartResponse)
    assert action.type == "action" and action.action.action_id == "rotate-image-browser"
    assert technique.type == "technique"
    assert technique.technique.technique_id == "tech_abcd1234"
    assert done.status == "completed"


async def test_flora_idempotency_key_is_sent_as_given(serve, kind: str) -> None:
    server = serve(FakeFlora(KEY))
    async with opened(flora_runs, kind, KEY, base_url=server.url + "/api/v1") as client:
        options = {
            "type": "image",
            "prompt": "A mug",
            "workspace_id": "ws_1",
            "project_id": "prj_1",
        }
        await resolve(client.generations.create(idempotency_key="key-1", **options))
        assert server.requests[0].headers["idempotency-key"] == "key-1"
        duplicate = await raises(
            flora_runs.errors.ConflictError,
            lambda: client.generations.create(idempotency_key="key-1", max_retries=0, **options),
        )
    assert duplicate.body.error.code == "idempotency_duplicate"


# --- Crewship ---------------------------------------------------------------------------------


async def test_crewship_create_sends_the_request(serve, kind: str) -> None:
    models = crewship_runs.models
    server = serve(FakeCrewship(KEY))
    async with opened(crewship_runs, kind, KEY, base_url=server.url) as client:
        created = await resolve(
            client.runs.create(
                deployment_id="dep_abc123xyz",
                input={"topic": "AI agents"},
                environment="production",
            )
        )
        await resolve(client.runs.create(deployment_id="dep_abc123xyz"))
    first, second = server.requests
    assert_json_request(
        first,
        "POST",
        "/v1/runs",
        {
            "deployment_id": "dep_abc123xyz",
            "input": {"topic": "AI agents"},
            "environment": "production",
        },
    )
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert_json_request(second, "POST", "/v1/runs", {"deployment_id": "dep_abc123xyz"})
    assert isinstance(created, models.CreateRunResponse)
    assert created.run_id.startswith("run_")
    assert (created.version_id, created.version_number, created.status) == (
        "ver_abc123xyz",
        1,
        "running",
    )


async def test_crewship_run_fields(serve, kind: str) -> None:
    models = crewship_runs.models
    server = serve(FakeCrewship(KEY))
    async with opened(crewship_runs, kind, KEY, base_url=server.url) as client:
        created = await resolve(
            client.runs.create(deployment_id="dep_abc123xyz", input={"topic": "AI agents"})
        )
        running = await resolve(client.runs.retrieve(created.run_id))
        run = await resolve(client.runs.poll_retrieve(created.run_id, poll_interval=FAST))
    assert isinstance(running, models.Run)
    assert (running.id, running.status) == (created.run_id, "running")
    assert (running.deployment_id, running.version_id) == ("dep_abc123xyz", "ver_abc123xyz")
    assert running.input == {"topic": "AI agents"}
    assert isinstance(running.created_at, datetime) and isinstance(running.started_at, datetime)
    assert running.output is None and running.completed_at is None
    assert running.error_message is None
    assert run.status == "succeeded"
    assert run.output == {"result": "Fake output for {'topic': 'AI agents'}"}
    assert isinstance(run.completed_at, datetime)


async def test_crewship_event_stream(serve, kind: str) -> None:
    models = crewship_runs.models
    server = serve(FakeCrewship(KEY))
    async with opened(crewship_runs, kind, KEY, base_url=server.url) as client:
        created = await resolve(client.runs.create(deployment_id="dep_abc123xyz"))
        events = await collect(await resolve(client.runs.stream_events(created.run_id)))
        after = await collect(await resolve(client.runs.stream_events(created.run_id)))
        unknown = await collect(await resolve(client.runs.stream_events("run_missing")))
        other = await resolve(client.runs.create(deployment_id="dep_abc123xyz"))
        first = await first_then_break(await resolve(client.runs.stream_events(other.run_id)))
    assert [type(e) for e in events] == [
        models.RunStartedEvent,
        models.TaskStartedEvent,
        models.LogEvent,
        models.TaskCompletedEvent,
        models.RunCompletedEvent,
    ]
    assert events[0].data.entrypoint == "default"
    assert (events[1].data.task, events[1].data.agent) == ("research", "researcher")
    assert events[2].data.message == "Working on it"
    assert events[-1].data.status == "succeeded"
    assert [type(e) for e in after] == [models.CompleteEvent]
    assert after[0].data == {"status": "succeeded"}
    assert [type(e) for e in unknown] == [models.ErrorEvent]
    assert isinstance(first, models.RunStartedEvent)
    request = sent(server, "GET")[0]
    assert request.path == f"/v1/runs/{created.run_id}/events"
    assert request.headers["accept"] == "text/event-stream"


async def test_crewship_thread_runs(serve, kind: str) -> None:
    models = crewship_runs.models
    server = serve(FakeCrewship(KEY))
    async with opened(crewship_runs, kind, KEY, base_url=server.url) as client:
        thread = await resolve(
            client.threads.create(deployment_id="dep_abc123xyz", metadata={"user_id": "user_42"})
        )
        started = await resolve(
            client.threads.create_run(thread.thread_id, input={"topic": "AI agents"})
        )
        busy = await resolve(client.threads.retrieve(thread.thread_id))
        refused = await raises(
            crewship_runs.errors.ConflictError,
            lambda: client.threads.create_run(thread.thread_id, max_retries=0),
        )
        await resolve(client.runs.poll_retrieve(started.run_id, poll_interval=FAST))
        idle = await resolve(client.threads.retrieve(thread.thread_id))
        again = await resolve(client.threads.create_run(thread.thread_id))
    create_thread, create_run = sent(server, "POST")[:2]
    assert_json_request(
        create_thread,
        "POST",
        "/v1/threads",
        {"deployment_id": "dep_abc123xyz", "metadata": {"user_id": "user_42"}},
    )
    assert_json_request(
        create_run,
        "POST",
        f"/v1/threads/{thread.thread_id}/runs",
        {"input": {"topic": "AI agents"}},
    )
    assert isinstance(thread, models.Thread)
    assert (thread.status, thread.metadata) == ("idle", {"user_id": "user_42"})
    assert isinstance(thread.created_at, datetime)
    assert isinstance(started, models.CreateThreadRunResponse)
    assert started.thread_id == thread.thread_id
    assert busy.status == "busy" and idle.status == "idle"
    assert refused.status_code == 409
    assert isinstance(refused.body, models.ErrorResponse)
    assert refused.body.error.message == "Thread is busy"
    assert again.run_id != started.run_id


async def test_crewship_webhook_trigger_starts_a_run(serve, kind: str) -> None:
    server = serve(FakeCrewship(KEY))
    async with opened(crewship_runs, kind, KEY, base_url=server.url) as client:
        created = await resolve(
            client.runs.trigger_webhook("test-webhook-token", body={"topic": "AI agents"})
        )
        run = await resolve(client.runs.retrieve(created.run_id))
    assert_json_request(
        server.requests[0], "POST", "/webhooks/runs/test-webhook-token", {"topic": "AI agents"}
    )
    assert isinstance(created, crewship_runs.models.CreateRunResponse)
    assert (run.deployment_id, run.input) == ("dep_abc123xyz", {"topic": "AI agents"})


async def test_crewship_webhook_trigger_sends_no_api_key(serve, kind: str) -> None:
    server = serve(FakeCrewship(KEY))
    async with opened(crewship_runs, kind, KEY, base_url=server.url) as client:
        await resolve(client.runs.trigger_webhook("test-webhook-token", body={"topic": "AI"}))
    assert "authorization" not in server.requests[0].headers


# --- PraisonAI Jobs ---------------------------------------------------------------------------


async def test_praisonai_submit_sends_the_request(serve, kind: str) -> None:
    models = praisonai_jobs.models
    server = serve(FakePraisonAI())  # no key: the server's default on localhost
    async with opened(praisonai_jobs, kind, base_url=server.url) as client:
        job = await resolve(
            client.jobs.submit(
                prompt="Summarise this week's support tickets",
                recipe_name="support-summary",
                session_id="session-42",
                timeout_=600,
            )
        )
        await resolve(
            client.jobs.submit(
                prompt="Research the latest AI trends", idempotency_key_2="body-key", config=None
            )
        )
    first, second = server.requests
    assert_json_request(
        first,
        "POST",
        "/api/v1/runs",
        {
            "prompt": "Summarise this week's support tickets",
            "recipe_name": "support-summary",
            "session_id": "session-42",
            "timeout": 600,
        },
    )
    assert "authorization" not in first.headers and "x-api-key" not in first.headers
    uuid.UUID(first.headers["idempotency-key"])
    assert_json_request(
        second,
        "POST",
        "/api/v1/runs",
        {"prompt": "Research the latest AI trends", "idempotency_key": "body-key", "config": None},
    )
    assert isinstance(job, models.JobSubmitResponse)
    assert job.job_id.startswith("run_") and job.status == "queued"
    assert isinstance(job.created_at, datetime)
    assert str(job.poll_url) == f"{server.url}/api/v1/runs/{job.job_id}"
    assert str(job.stream_url) == f"{server.url}/api/v1/runs/{job.job_id}/stream"


async def test_praisonai_status_and_result(serve, kind: str) -> None:
    models = praisonai_jobs.models
    server = serve(FakePraisonAI())
    async with opened(praisonai_jobs, kind, base_url=server.url) as client:
        job = await resolve(client.jobs.submit(prompt="Research the latest AI trends"))
        running = await resolve(client.jobs.get_status(job.job_id))
        early = await raises(
            praisonai_jobs.errors.ConflictError,
            lambda: client.jobs.get_result(job.job_id, max_retries=0),
        )
        await resolve(client.jobs.poll_get_status(job.job_id, poll_interval=FAST))
        result = await resolve(client.jobs.get_result(job.job_id))
        again = await resolve(client.jobs.get_result(job.job_id))
    assert isinstance(running, models.JobStatusResponse)
    assert running.status == "running"
    assert isinstance(running.progress, models.JobProgress)
    assert (running.progress.percentage, running.progress.current_step) == (
        10.0,
        "Initializing agent",
    )
    assert isinstance(running.started_at, datetime) and running.completed_at is None
    assert isinstance(early.body, models.ErrorResponse)
    assert early.body.detail == "Job is not complete. Current status: running"
    assert isinstance(result, models.JobResultResponse)
    assert (result.status, result.result) == (
        "succeeded",
        "Completed: Research the latest AI trends",
    )
    assert isinstance(result.duration_seconds, float) and result.duration_seconds >= 0
    assert isinstance(result.completed_at, datetime)
    assert again == result


async def test_praisonai_cancel_and_delete(serve, kind: str) -> None:
    models = praisonai_jobs.models
    server = serve(FakePraisonAI())
    async with opened(praisonai_jobs, kind, base_url=server.url) as client:
        job = await resolve(client.jobs.submit(prompt="Research the latest AI trends"))
        cancelled = await resolve(client.jobs.cancel(job.job_id))
        twice = await raises(
            praisonai_jobs.errors.ConflictError,
            lambda: client.jobs.cancel(job.job_id, max_retries=0),
        )
        stopped = await resolve(client.jobs.poll_get_status(job.job_id, poll_interval=FAST))
        deleted = await resolve(client.jobs.delete(job.job_id))
        gone = await raises(
            praisonai_jobs.errors.NotFoundError, lambda: client.jobs.get_status(job.job_id)
        )
    cancel = sent(server, "POST")[1]
    assert (cancel.path, cancel.body) == (f"/api/v1/runs/{job.job_id}/cancel", b"")
    assert isinstance(cancelled, models.JobStatusResponse)
    assert cancelled.status == "cancelled" and isinstance(cancelled.completed_at, datetime)
    assert twice.body.detail == "Job is already complete. Status: cancelled"
    assert stopped.status == "cancelled"
    assert len(sent(server, "GET", f"/api/v1/runs/{job.job_id}")) == 2  # poll + the 404
    assert deleted is None
    assert len(sent(server, "DELETE", f"/api/v1/runs/{job.job_id}")) == 1
    assert isinstance(gone.body, models.ErrorResponse)
    assert gone.body.detail == f"Job not found: {job.job_id}"


async def test_praisonai_list_jobs(serve, kind: str) -> None:
    models = praisonai_jobs.models
    server = serve(FakePraisonAI())
    async with opened(praisonai_jobs, kind, base_url=server.url) as client:
        ids = []
        for n in range(3):
            job = await resolve(client.jobs.submit(prompt=f"task {n}", session_id="s-1"))
            ids.append(job.job_id)
        await resolve(client.jobs.submit(prompt="elsewhere", session_id="s-2"))
        await resolve(client.jobs.cancel(ids[1]))
        page = await resolve(client.jobs.list(session_id="s-1", page=1, page_size=2))
        cancelled = await resolve(client.jobs.list(status="cancelled"))
        refused = await raises(
            praisonai_jobs.errors.BadRequestError, lambda: client.jobs.list(status="done")
        )
    first_query = sent(server, "GET")[0].query
    assert first_query == {"session_id": ["s-1"], "page": ["1"], "page_size": ["2"]}
    assert isinstance(page, models.JobListResponse)
    assert (page.total, page.page, page.page_size) == (3, 1, 2)
    assert [j.job_id for j in page.jobs] == [ids[2], ids[1]]
    assert all(isinstance(j, models.JobStatusResponse) for j in page.jobs)
    assert [j.job_id for j in cancelled.jobs] == [ids[1]]
    assert isinstance(refused.body, models.ErrorResponse)


@pytest.mark.parametrize(
    ("final", "last_event"),
    [("succeeded", "ResultEvent"), ("failed", "ErrorEvent")],
)
async def test_praisonai_stream(serve, kind: str, final: str, last_event: str) -> None:
    models = praisonai_jobs.models
    server = serve(FakePraisonAI(steps=["queued", "running", final]))
    async with opened(praisonai_jobs, kind, base_url=server.url) as client:
        job = await resolve(client.jobs.submit(prompt="Research the latest AI trends"))
        events = await collect(await resolve(client.jobs.stream(job.job_id)))
        other = await resolve(client.jobs.submit(prompt="Research the latest AI trends"))
        first = await first_then_break(await resolve(client.jobs.stream(other.job_id)))
    statuses = [e.status for e in events if isinstance(e, models.StatusEvent)]
    assert statuses == ["queued", "running", final]
    progress = [e for e in events if isinstance(e, models.ProgressEvent)]
    assert [p.percentage for p in progress][:2] == [0.0, 10.0]
    assert isinstance(events[-1], getattr(models, last_event))
    assert len(events) == len(statuses) + len(progress) + 1
    assert isinstance(first, models.StatusEvent) and first.job_id == other.job_id
    request = sent(server, "GET")[0]
    assert request.path == f"/api/v1/runs/{job.job_id}/stream"
    assert request.headers["accept"] == "text/event-stream"


async def test_praisonai_cancelled_job_stream(serve, kind: str) -> None:
    models = praisonai_jobs.models
    server = serve(FakePraisonAI())
    async with opened(praisonai_jobs, kind, base_url=server.url) as client:
        job = await resolve(client.jobs.submit(prompt="Research the latest AI trends"))
        await resolve(client.jobs.cancel(job.job_id))
        events = await collect(await resolve(client.jobs.stream(job.job_id)))
    assert [type(e) for e in events] == [
        models.StatusEvent,
        models.ProgressEvent,
        models.CancelledEvent,
    ]
    assert events[-1].message == "Job was cancelled"


async def test_praisonai_works_without_a_key(
    serve, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = serve(FakePraisonAI())
    monkeypatch.delenv("PRAISONAI_JOBS_API_KEY", raising=False)
    monkeypatch.setenv("PRAISONAI_JOBS_BASE_URL", server.url)
    async with opened(praisonai_jobs, kind) as client:
        job = await resolve(client.jobs.submit(prompt="Research the latest AI trends"))
        status = await resolve(client.jobs.get_status(job.job_id))
    assert status.status == "running"
    assert all("authorization" not in r.headers for r in server.requests)


async def test_praisonai_idempotency_key_returns_the_same_job(serve, kind: str) -> None:
    server = serve(FakePraisonAI())
    async with opened(praisonai_jobs, kind, base_url=server.url) as client:
        first = await resolve(client.jobs.submit(prompt="task", idempotency_key="key-1"))
        second = await resolve(client.jobs.submit(prompt="task", idempotency_key="key-1"))
    assert [r.headers["idempotency-key"] for r in server.requests] == ["key-1", "key-1"]
    assert second.job_id == first.job_id


class _Ticking:
    """FakePraisonAI whose jobs also move on while the client asks for the result.

    The real server runs jobs on its own; the fake only moves a job when its status is read,
    so this wrapper reads it before every ``GET .../result``.
    """

    def __init__(self, fake: FakePraisonAI) -> None:
        self.fake = fake

    def __call__(self, request: Request) -> Any:
        if request.method == "GET" and request.path.endswith("/result"):
            job = self.fake.runs.get(request.path.split("/")[-2])
            if job is not None:
                self.fake._get(job)
        return self.fake(request)


def test_praisonai_result_endpoint_gets_no_poll_helper() -> None:
    """getJobResult answers 409 until the job ends; the job itself (getJobStatus) is polled."""
    for client_class in (praisonai_jobs.Client, praisonai_jobs.AsyncClient):
        jobs = client_class(base_url="http://127.0.0.1:9").jobs
        assert hasattr(jobs, "poll_get_status") and not hasattr(jobs, "poll_get_result")
