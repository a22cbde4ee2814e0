"""Requests as a validating server (Prism) checks them, against real servers on 127.0.0.1.

The client is generated in this session from tests/requests/spec.yaml. Each test pins one
rule of the request side: an optional body left out is not sent, ``Accept`` names what the
responses declare, an operation's own ``security`` decides the credentials, a multipart body
behind a ``$ref`` with siblings is multipart, and a declared vendor media type is sent.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.config import Target
from generator.emit.write import write_tree
from generator.workflow.pipeline import generate
from tests.support.server import LocalServer, Request, Response

SPEC = Path(__file__).parent / "requests" / "spec.yaml"
KEY = "sk-request-key"
NOTE = {"id": "n1", "title": "t"}

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    out = tmp_path_factory.mktemp("requests")
    # written against the methods of the client itself (untagged operations, flat)
    result = generate(SPEC, Target("request_api", "tests/requests/spec.yaml", resources="flat"))
    write_tree(out, result.files, "request_api")
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module("request_api")
    finally:
        sys.path.remove(str(out))


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def serve(api: ModuleType, flavour: str) -> Iterator[Callable[..., tuple[LocalServer, Any]]]:
    started: list[tuple[LocalServer, Any]] = []

    def start(handler: Callable[[Request], Response], **options: Any) -> tuple[LocalServer, Any]:
        server = LocalServer(handler).__enter__()
        options.setdefault("api_key", KEY)
        options.setdefault("base_url", server.url)
        client = (api.Client if flavour == "sync" else api.AsyncClient)(**options)
        started.append((server, client))
        return server, client

    yield start
    for server, client in started:
        server.__exit__(None, None, None)
        if flavour == "sync":
            client.close()


async def call(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


# --- 1. an optional body left out is not sent -------------------------------------------------


async def test_optional_json_body_left_out_is_not_sent(serve: Any) -> None:
    server, client = serve(lambda r: Response(201, json=NOTE))
    await call(client.create_note())
    request = server.requests[-1]
    assert request.body == b""
    assert "content-type" not in request.headers
    await call(client.create_note(title="t"))
    assert server.requests[-1].json() == {"title": "t"}
    assert server.requests[-1].headers["content-type"] == "application/json"


async def test_optional_body_with_extra_body_is_sent(serve: Any) -> None:
    server, client = serve(lambda r: Response(201, json=NOTE))
    await call(client.create_note(extra_body={"title": "x"}))
    assert server.requests[-1].json() == {"title": "x"}


async def test_optional_form_body_left_out_is_not_sent(serve: Any) -> None:
    server, client = serve(lambda r: Response(204))
    await call(client.submit_form())
    assert server.requests[-1].body == b""
    assert "content-type" not in server.requests[-1].headers
    await call(client.submit_form(name="a b"))
    assert server.requests[-1].body == b"name=a+b"


async def test_required_body_with_every_field_left_out_is_an_empty_object(serve: Any) -> None:
    server, client = serve(lambda r: Response(204))
    await call(client.replace_note())
    assert server.requests[-1].json() == {}
    assert server.requests[-1].headers["content-type"] == "application/json"


# --- 2. Accept names what the responses declare -----------------------------------------------


@pytest.mark.parametrize(
    ("method", "accept", "response"),
    [
        (
            "download_file",
            "application/octet-stream, application/problem+json",
            Response(body=b"\x00\x01", headers={"content-type": "application/octet-stream"}),
        ),
        (
            "get_report",
            "text/csv, application/xml",
            Response(body="a,b", headers={"content-type": "text/csv"}),
        ),
        (
            "get_speech",
            "audio/mpeg",
            Response(body=b"ID3", headers={"content-type": "audio/mpeg"}),
        ),
        (
            "list_things",
            "application/vnd.foo+json, application/json",
            Response(json=NOTE, headers={"content-type": "application/vnd.foo+json"}),
        ),
        ("create_note", "application/json", Response(201, json=NOTE)),
        # read as JSON, so JSON is asked for first (a server sends the first it can)
        ("get_pet", "application/json, application/xml", Response(json=NOTE)),
    ],
)
async def test_accept_names_the_declared_response_types(
    serve: Any, method: str, accept: str, response: Response
) -> None:
    def handler(request: Request) -> Response:
        wanted = {m.strip() for m in request.headers["accept"].split(",")}
        served = response.headers.get("content-type", "application/json")
        return response if served in wanted else Response(406, body="not acceptable")

    server, client = serve(handler)
    args = ("f1",) if method in ("download_file", "get_pet") else ()
    result = await call(getattr(client, method)(*args))
    assert server.requests[-1].headers["accept"] == accept
    assert result is not None


async def test_extra_headers_still_override_accept(serve: Any) -> None:
    server, client = serve(lambda r: Response(body=b"x", headers={"content-type": "audio/mpeg"}))
    await call(client.get_speech(extra_headers={"Accept": "audio/*"}))
    assert server.requests[-1].headers["accept"] == "audio/*"


# --- 6. an operation's own security -----------------------------------------------------------


def _credentials(request: Request) -> dict[str, str]:
    found = {}
    for name in ("authorization", "x-api-key", "cookie"):
        if name in request.headers:
            found[name] = request.headers[name]
    if "api_key" in request.query:
        found["api_key"] = request.query["api_key"][0]
    return found


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("with_document_default", {"authorization": f"Bearer {KEY}"}),
        ("with_header_key", {"x-api-key": KEY}),
        ("with_query_key", {"api_key": KEY}),
        ("with_cookie_key", {"cookie": f"session={KEY}"}),
        ("with_basic", {"authorization": "Basic " + base64.b64encode(KEY.encode()).decode()}),
        ("with_no_security", {}),
        ("with_alternatives", {"api_key": KEY}),  # the first alternative it can send
        ("with_optional_key", {"x-api-key": KEY}),
    ],
)
async def test_operation_security_decides_the_credentials(
    serve: Any, method: str, expected: dict[str, str]
) -> None:
    server, client = serve(lambda r: Response(204))
    await call(getattr(client, method)())
    assert _credentials(server.requests[-1]) == expected


# --- 7. multipart behind a $ref with sibling keys ---------------------------------------------


async def test_multipart_schema_ref_with_description_is_multipart(serve: Any) -> None:
    server, client = serve(lambda r: Response(204))
    await call(client.upload(file=("a.txt", b"hello", "text/plain"), caption="first"))
    request = server.requests[-1]
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="a.txt"' in request.body and b"hello" in request.body
    assert b'name="caption"\r\n\r\nfirst' in request.body


async def test_multipart_model_body_is_multipart(api: ModuleType, serve: Any) -> None:
    server, client = serve(lambda r: Response(204))
    form = api.models.TaggedUpload(file=b"\x00data", caption="c", team="blue")
    await call(client.upload_tagged(body=form))
    request = server.requests[-1]
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="upload"' in request.body and b"\x00data" in request.body
    assert b'name="caption"\r\n\r\nc' in request.body
    assert b'name="team"\r\n\r\nblue' in request.body


# --- 8. a declared vendor media type is sent --------------------------------------------------


async def test_vendor_json_request_types_are_sent_as_declared(api: ModuleType, serve: Any) -> None:
    server, client = serve(lambda r: Response(204))
    await call(client.patch_thing(title="new"))
    request = server.requests[-1]
    assert request.headers["content-type"] == "application/merge-patch+json"
    assert request.json() == {"title": "new"}
    await call(client.create_thing(title="t", body="b"))
    request = server.requests[-1]
    assert request.headers["content-type"] == "application/vnd.api+json"
    assert request.json() == {"title": "t", "body": "b"}


# --- 9. a required multipart body whose fields are all optional -------------------------------


async def test_required_multipart_body_with_no_field_given_is_sent_empty(serve: Any) -> None:
    server, client = serve(lambda r: Response(204))
    await call(client.upload_optional())
    request = server.requests[-1]
    kind, _, boundary = request.headers["content-type"].partition("; boundary=")
    assert kind == "multipart/form-data" and boundary
    assert request.body == f"--{boundary}--\r\n".encode()
    await call(client.upload_optional(url="https://example.com/spec.json"))
    assert b'name="url"\r\n\r\nhttps://example.com/spec.json' in server.requests[-1].body


# --- 10. path parameter styles ----------------------------------------------------------------


async def test_path_parameters_are_serialized_in_their_style(api: ModuleType, serve: Any) -> None:
    server, client = serve(lambda r: Response(204))
    await call(
        client.get_styled(
            ["a", "b c"],
            ["a", "b"],
            ["a", "b"],
            "x/y",
            ["a", "b"],
            api.models.Pair(role="admin", name="Al"),
        )
    )
    segments = server.requests[-1].path.split("/")[2:]
    assert segments == [
        "a,b%20c",  # simple
        ".a,b",  # label
        ".a.b",  # label, exploded
        ";matrix=x%2Fy",  # matrix
        ";matrices=a;matrices=b",  # matrix, exploded
        ";role=admin;name=Al",  # matrix, an exploded object
    ]


# --- 11. a declared Authorization header ------------------------------------------------------


async def test_declared_authorization_header_is_the_callers_else_the_credentials(
    serve: Any,
) -> None:
    server, client = serve(lambda r: Response(204))
    await call(client.get_signed(authorization="Token abc"))
    assert server.requests[-1].headers["authorization"] == "Token abc"
    await call(client.get_signed())
    assert server.requests[-1].headers["authorization"] == f"Bearer {KEY}"


# --- 12. a query parameter with JSON content --------------------------------------------------


async def test_query_parameter_with_json_content_is_sent_as_json(serve: Any) -> None:
    server, client = serve(lambda r: Response(204))
    await call(client.search(filter={"name": "a b"}))
    assert server.requests[-1].query == {"filter": ['{"name":"a b"}']}
    await call(client.search(filter={}))
    assert server.requests[-1].query == {"filter": ["{}"]}


# --- 13. a body whose allOf holds a union ------------------------------------------------------


async def test_body_whose_allof_holds_a_union_is_one_argument_sent_whole(serve: Any) -> None:
    server, client = serve(lambda r: Response(204))
    await call(client.create_item(body={"itemId": "i1", "text": "hello"}))
    assert server.requests[-1].json() == {"itemId": "i1", "text": "hello"}
