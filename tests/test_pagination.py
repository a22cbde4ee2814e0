"""Pagination: list methods iterate every item of every page, sync and async.

A client is generated in this session from tests/pagination/spec.yaml (one list endpoint per
pagination style) and run against a real server on 127.0.0.1 that pages seven items three at
a time. Each test counts every item once and reads the requests the server received: the
other arguments of the first call are carried to every next page, the loop guard stops a
server that hands out a cursor twice, and a next-page URL on another origin is not followed.
The FLORA and PraisonAI clients in generated/ iterate their fakes the same way.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import flora_runs
import praisonai_jobs
import pytest

from generator.config import Target
from generator.emit.write import write_tree
from generator.workflow.pipeline import generate
from tests.fakes.flora_runs import FakeFlora
from tests.fakes.praisonai_jobs import FakePraisonAI
from tests.support.server import LocalServer, Request, Response

pytestmark = pytest.mark.anyio

SPEC = Path(__file__).parent / "pagination" / "spec.yaml"
KEY = "sk-pages-secret"
ITEMS = [{"id": f"i{n}", "n": n} for n in range(1, 8)]  # seven items
SIZE = 3  # three a page: pages of 3, 3 and 1


@pytest.fixture(scope="session")
def pages_api(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    out = tmp_path_factory.mktemp("pages")
    result = generate(SPEC, Target("pages_api", "tests/pagination/spec.yaml"))
    assert [d.message for d in result.diagnostics] == []
    write_tree(out, result.files, "pages_api")
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module("pages_api")
    finally:
        sys.path.remove(str(out))


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[Request], Response]], LocalServer]]:
    with contextlib.ExitStack() as stack:
        yield lambda handler: stack.enter_context(LocalServer(handler))


@contextlib.asynccontextmanager
async def opened(package: ModuleType, kind: str, **options: Any) -> AsyncIterator[Any]:
    if kind == "sync":
        with package.Client(**options) as client:
            yield client
    else:
        async with package.AsyncClient(**options) as client:
            yield client


async def every(pages: Any) -> list[Any]:
    """Every item a list call yields: ``for`` on the sync client, ``async for`` on the async."""
    if hasattr(pages, "__aiter__"):
        return [item async for item in pages]
    return list(pages)


async def every_page(page: Any) -> list[Any]:
    if inspect.isawaitable(page):
        page = await page
    found = page.iter_pages()
    if hasattr(found, "__aiter__"):
        return [p async for p in found]
    return list(found)


def _one(query: dict[str, list[str]], name: str, default: str = "") -> str:
    return query.get(name, [default])[-1]


class StyleServer:
    """Pages ``ITEMS`` in every style of tests/pagination/spec.yaml."""

    def __init__(self) -> None:
        self.url = ""  # set once the server runs: next URLs and Link headers point at it
        self.foreign_next: str | None = None  # a next_url to hand out instead of ours
        self.repeat_cursor = False  # hand out the same cursor forever (the loop guard)

    def __call__(self, request: Request) -> Response:
        q = request.query
        if request.headers.get("authorization") != f"Bearer {KEY}":
            return Response(401, {"error": "no key"})
        path = request.path.removeprefix("/v1")
        limit = int(_one(q, "limit", str(SIZE)))
        if path in ("/cursor", "/slack", "/header-cursor", "/speakeasy"):
            name = {"/header-cursor": "page_token", "/speakeasy": "after"}.get(path, "cursor")
            start = int(_one(q, name, "0") or 0)
            page = ITEMS[start : start + limit]
            more = start + limit < len(ITEMS)
            token = str(start + limit) if more else None
            if self.repeat_cursor:
                token = "0"
            if path == "/cursor":
                return Response(json={"data": page, "meta": {"next_cursor": token}})
            if path == "/slack":
                body = {
                    "ok": True,
                    "members": page,
                    "response_metadata": {"next_cursor": token or ""},
                }
                return Response(json=body)
            if path == "/speakeasy":
                return Response(json={"entries": page, "paging": {"after": token} if token else {}})
            headers = {"x-next-page-token": token} if token else {}
            return Response(json={"items": page}, headers=headers)
        if path == "/stripe":
            after = _one(q, "starting_after")
            start = next((i + 1 for i, it in enumerate(ITEMS) if it["id"] == after), 0)
            page = ITEMS[start : start + limit]
            return Response(
                json={"object": "list", "data": page, "has_more": start + limit < len(ITEMS)}
            )
        if path == "/next-url":
            start = int(_one(q, "start", "0"))
            page = ITEMS[start : start + limit]
            more = start + limit < len(ITEMS)
            next_url = (
                f"{self.url}/v1/next-url?start={start + limit}&limit={limit}" if more else None
            )
            if self.foreign_next is not None and start == 0:
                next_url = self.foreign_next
            return Response(json={"results": page, "next_url": next_url})
        if path == "/link":
            per_page = int(_one(q, "per_page", str(SIZE)))
            number = int(_one(q, "page", "1"))
            start = (number - 1) * per_page
            page = ITEMS[start : start + per_page]
            headers = {}
            if start + per_page < len(ITEMS):
                nxt = f"{self.url}/v1/link?page={number + 1}&per_page={per_page}&tag=x"
                headers["link"] = f'<{nxt}>; rel="next", <{self.url}/v1/link?page=1>; rel="first"'
            return Response(json=page, headers=headers)
        if path in ("/offset", "/fern"):
            offset = int(_one(q, "offset" if path == "/offset" else "skip", "0"))
            size = int(_one(q, "limit" if path == "/offset" else "take", str(SIZE)))
            page = ITEMS[offset : offset + size]
            if path == "/fern":
                return Response(json={"rows": page})
            return Response(json={"items": page, "total": len(ITEMS)})
        if path == "/page":
            number = int(_one(q, "page", "1"))
            size = int(_one(q, "page_size", str(SIZE)))
            page = ITEMS[(number - 1) * size : number * size]
            pages = -(-len(ITEMS) // size)
            return Response(
                json={"data": page, "pagination": {"total_pages": pages, "page": number}}
            )
        if path == "/not-paged":
            return Response(json={"data": ["a", "b"]})
        return Response(404, {"error": "not found"})


@pytest.fixture
def styles(
    serve: Callable[[Callable[[Request], Response]], LocalServer],
) -> tuple[LocalServer, StyleServer]:
    handler = StyleServer()
    server = serve(handler)
    handler.url = server.url
    return server, handler


def queries(server: LocalServer, path: str) -> list[dict[str, list[str]]]:
    return [r.query for r in server.requests if r.path == path]


# method, server path, arguments, the queries the server must see (every page)
STYLE_CASES = {
    "cursor": (
        "list_cursor",
        "/v1/cursor",
        {"tag": "red", "limit": 3},
        [
            {"tag": ["red"], "limit": ["3"]},
            {"tag": ["red"], "limit": ["3"], "cursor": ["3"]},
            {"tag": ["red"], "limit": ["3"], "cursor": ["6"]},
        ],
    ),
    "slack": (
        "list_slack",
        "/v1/slack",
        {"limit": 3},
        [{"limit": ["3"]}, {"limit": ["3"], "cursor": ["3"]}, {"limit": ["3"], "cursor": ["6"]}],
    ),
    "last_id": (
        "list_stripe",
        "/v1/stripe",
        {"tag": "red"},
        [
            {"tag": ["red"]},
            {"tag": ["red"], "starting_after": ["i3"]},
            {"tag": ["red"], "starting_after": ["i6"]},
        ],
    ),
    "next_url": (
        "list_next_url",
        "/v1/next-url",
        {"limit": 3, "tag": "red"},
        [
            {"limit": ["3"], "tag": ["red"]},
            {"start": ["3"], "limit": ["3"]},
            {"start": ["6"], "limit": ["3"]},
        ],
    ),
    "link": (
        "list_link",
        "/v1/link",
        {"per_page": 3, "tag": "x"},
        [
            {"per_page": ["3"], "tag": ["x"]},
            {"page": ["2"], "per_page": ["3"], "tag": ["x"]},
            {"page": ["3"], "per_page": ["3"], "tag": ["x"]},
        ],
    ),
    "header": (
        "list_header_cursor",
        "/v1/header-cursor",
        {"tag": "red"},
        [
            {"tag": ["red"]},
            {"tag": ["red"], "page_token": ["3"]},
            {"tag": ["red"], "page_token": ["6"]},
        ],
    ),
    "offset": (
        "list_offset",
        "/v1/offset",
        {"limit": 3, "tag": "red"},
        [
            {"limit": ["3"], "tag": ["red"]},
            {"offset": ["3"], "limit": ["3"], "tag": ["red"]},
            {"offset": ["6"], "limit": ["3"], "tag": ["red"]},
        ],
    ),
    "page": (
        "list_page",
        "/v1/page",
        {"page_size": 3, "tag": "red"},
        [
            {"page_size": ["3"], "tag": ["red"]},
            {"page": ["2"], "page_size": ["3"], "tag": ["red"]},
            {"page": ["3"], "page_size": ["3"], "tag": ["red"]},
        ],
    ),
    "speakeasy": (
        "list_speakeasy",
        "/v1/speakeasy",
        {"tag": "red"},
        [{"tag": ["red"]}, {"tag": ["red"], "after": ["3"]}, {"tag": ["red"], "after": ["6"]}],
    ),
    "fern": (
        "list_fern",
        "/v1/fern",
        {"take": 3},
        [
            {"take": ["3"]},
            {"skip": ["3"], "take": ["3"]},
            {"skip": ["6"], "take": ["3"]},
            {"skip": ["7"], "take": ["3"]},  # no total: an empty page ends it
        ],
    ),
}


@pytest.mark.parametrize("style", sorted(STYLE_CASES))
async def test_every_item_once_with_the_other_arguments_carried(
    pages_api: ModuleType, styles: tuple[LocalServer, StyleServer], kind: str, style: str
) -> None:
    server, _ = styles
    method, path, arguments, expected = STYLE_CASES[style]
    async with opened(pages_api, kind, api_key=KEY, base_url=server.url + "/v1") as client:
        items = await every(
            getattr(client.styles, method)(**arguments, extra_headers={"x-trace": "t1"})
        )
    assert [item.id for item in items] == [it["id"] for it in ITEMS]
    assert all(isinstance(item, pages_api.models.Item) for item in items)
    assert queries(server, path) == expected
    for request in server.requests:  # headers and the key go with every page
        assert request.headers["x-trace"] == "t1"
        assert request.headers["authorization"] == f"Bearer {KEY}"


async def test_pages_step_by_hand_and_keep_their_fields(
    pages_api: ModuleType, styles: tuple[LocalServer, StyleServer], kind: str
) -> None:
    server, _ = styles
    async with opened(pages_api, kind, api_key=KEY, base_url=server.url + "/v1") as client:
        first = client.styles.list_cursor(limit=3)
        if kind == "async":
            first = await first
        assert [item.id for item in first.data] == ["i1", "i2", "i3"]
        assert first.meta.next_cursor == "3"
        assert first.has_next_page()
        second = first.get_next_page()
        if kind == "async":
            second = await second
        assert [item.id for item in second.data] == ["i4", "i5", "i6"]
        pages = await every_page(client.styles.list_cursor(limit=3))
        raw = client.with_raw_response.styles.list_cursor(limit=3)
        if kind == "async":
            raw = await raw
    assert [len(p.data) for p in pages] == [3, 3, 1]
    assert not pages[-1].has_next_page()
    with pytest.raises(RuntimeError, match="No next page"):
        pages[-1].get_next_page() if kind == "sync" else await pages[-1].get_next_page()
    assert raw.http_response.status_code == 200
    assert [item.id for item in raw.parsed.data] == ["i1", "i2", "i3"]
    assert raw.http_response.json()["meta"]["next_cursor"] == "3"


async def test_pages_get_the_same_retries_and_timeout(
    pages_api: ModuleType, serve: Callable[..., LocalServer], kind: str
) -> None:
    inner = StyleServer()
    failures = {"count": 0}

    def flaky(request: Request) -> Response:
        if request.query.get("cursor") == ["3"] and failures["count"] == 0:
            failures["count"] += 1
            return Response(503, {"error": "busy"}, headers={"retry-after": "0"})
        return inner(request)

    server = serve(flaky)
    inner.url = server.url
    async with opened(pages_api, kind, api_key=KEY, base_url=server.url + "/v1") as client:
        items = await every(client.styles.list_cursor(limit=3, max_retries=1, timeout=5.0))
    assert len(items) == len(ITEMS)
    assert [r.query.get("cursor") for r in server.requests] == [None, ["3"], ["3"], ["6"]]


async def test_loop_guard_stops_a_repeated_cursor(
    pages_api: ModuleType,
    styles: tuple[LocalServer, StyleServer],
    kind: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, handler = styles
    handler.repeat_cursor = True  # every page says: next, "0"
    async with opened(pages_api, kind, api_key=KEY, base_url=server.url + "/v1") as client:
        with caplog.at_level(logging.WARNING):
            items = await every(client.styles.list_cursor(limit=3))
    assert [item.id for item in items] == ["i1", "i2", "i3", "i1", "i2", "i3"]
    assert [r.query.get("cursor") for r in server.requests] == [None, ["0"]]
    assert "requested before" in caplog.text


async def test_next_url_on_another_origin_is_not_followed(
    pages_api: ModuleType,
    serve: Callable[..., LocalServer],
    styles: tuple[LocalServer, StyleServer],
    kind: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, handler = styles
    elsewhere = serve(lambda request: Response(json={"results": ITEMS, "next_url": None}))
    handler.foreign_next = f"{elsewhere.url}/v1/next-url?start=3"  # another port: another origin
    async with opened(pages_api, kind, api_key=KEY, base_url=server.url + "/v1") as client:
        with caplog.at_level(logging.WARNING):
            items = await every(client.styles.list_next_url(limit=3))
    assert [item.id for item in items] == ["i1", "i2", "i3"]
    assert elsewhere.requests == []  # the key never went there
    assert len(server.requests) == 1
    assert "not following a next-page URL" in caplog.text


async def test_empty_page_ends_offset_paging_without_a_total(
    pages_api: ModuleType, styles: tuple[LocalServer, StyleServer], kind: str
) -> None:
    server, _ = styles
    async with opened(pages_api, kind, api_key=KEY, base_url=server.url + "/v1") as client:
        items = await every(client.styles.list_fern(take=4))
    assert len(items) == len(ITEMS)
    assert [r.query.get("skip") for r in server.requests] == [None, ["4"], ["7"]]  # 4, 3, 0


async def test_a_list_that_does_not_page_is_unchanged(
    pages_api: ModuleType, styles: tuple[LocalServer, StyleServer], kind: str
) -> None:
    server, _ = styles
    async with opened(pages_api, kind, api_key=KEY, base_url=server.url + "/v1") as client:
        result = client.styles.list_tags()
        if kind == "async":
            result = await result
    assert type(result).__name__ != "SyncPage" and not hasattr(result, "iter_pages")
    assert result.data == ["a", "b"]


# --- the seed APIs against their fakes --------------------------------------------------------


async def test_flora_lists_iterate_every_run(serve: Callable[..., LocalServer], kind: str) -> None:
    models = flora_runs.models
    server = serve(FakeFlora("key"))
    async with opened(flora_runs, kind, api_key="key", base_url=server.url + "/api/v1") as client:
        made, techniques = [], []
        for n in range(5):
            created = await resolve(
                client.generations.create(
                    type="image", prompt=f"mug {n}", workspace_id="ws_1", project_id="prj_1"
                )
            )
            made.append(created.run_id)
        for n in range(4):
            prompt = models.TechniqueRunInput(id="prompt", type="text", value=f"mug {n}")
            run = await resolve(
                client.technique_runs.create("tech_1", inputs=[prompt], mode="async")
            )
            techniques.append(run.run_id)
        generations = await every(client.generations.list(limit=2, project_id="prj_1"))
        technique_runs = await every(client.technique_runs.list(limit=3, technique_id="tech_1"))
    assert [g.run_id for g in generations] == made[::-1]
    assert all(isinstance(g, models.GenerationListItem) for g in generations)
    listing = [r.query for r in server.requests if r.path == "/api/v1/generations"]
    assert [q.get("cursor") for q in listing] == [None, [made[2]], [made[0]]]  # 2, 2, 1
    assert all(q["project_id"] == ["prj_1"] and q["limit"] == ["2"] for q in listing)
    assert [t.run_id for t in technique_runs] == techniques[::-1]
    assert all(isinstance(t, models.TechniqueRunListItem) for t in technique_runs)
    listing = [r.query for r in server.requests if r.path == "/api/v1/technique-runs"]
    assert [q.get("cursor") for q in listing] == [None, [techniques[0]]]  # 3, 1
    assert all(q["technique_id"] == ["tech_1"] and q["limit"] == ["3"] for q in listing)


async def test_praisonai_list_iterates_every_job(
    serve: Callable[..., LocalServer], kind: str
) -> None:
    server = serve(FakePraisonAI())
    async with opened(praisonai_jobs, kind, base_url=server.url) as client:
        ids = []
        for n in range(7):
            job = await resolve(client.jobs.submit(prompt=f"task {n}", session_id="s-1"))
            ids.append(job.job_id)
        await resolve(client.jobs.submit(prompt="elsewhere", session_id="s-2"))
        jobs = await every(client.jobs.list(session_id="s-1", page_size=3))
        first = await resolve(client.jobs.list(session_id="s-1", page_size=3))
        pages = await every_page(client.jobs.list(session_id="s-1", page_size=3, page=2))
    assert [j.job_id for j in jobs] == ids[::-1]
    assert all(isinstance(j, praisonai_jobs.models.JobStatusResponse) for j in jobs)
    listing = [r.query for r in server.requests if r.method == "GET"]
    assert [q.get("page") for q in listing[:3]] == [None, ["2"], ["3"]]  # 3, 3, 1 of total 7
    assert all(q["session_id"] == ["s-1"] and q["page_size"] == ["3"] for q in listing)
    assert (first.total, first.page, len(first.jobs)) == (7, 1, 3)
    assert [len(p.jobs) for p in pages] == [3, 1]  # from page 2 on


async def resolve(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value
