"""A real HTTP/1.1 server on 127.0.0.1 for behaviour tests, with fault injection.

A test hands ``LocalServer`` a handler: a callable that takes a ``Request`` and returns a
``Response``. The server runs in a thread, records every request it received (``.requests``)
and can misbehave on demand: delay before answering, drop the connection before or in the
middle of a response, stream server-sent events with pauses between them.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str  # as received: percent-encoding intact, without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Response:
    status: int = 200
    json: Any = None  # serialised when ``body`` is None and ``json`` is not None
    body: bytes | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before sending anything
    drop: bool = False  # close the connection without sending a response
    drop_mid_body: bool = False  # send headers and half the body, then close
    events: list[str] | None = None  # SSE: raw event blocks, sent one by one
    event_delay: float = 0.0  # pause between two events
    chunks: Iterable[bytes] | None = None  # a body written piece by piece, made as it is sent
    length: int | None = None  # the content-length of ``chunks``


Handler = Callable[[Request], Response]


def sse(data: Any, event: str | None = None, id: str | None = None) -> str:
    """One server-sent event block (without the blank line that ends it)."""
    lines = []
    if event is not None:
        lines.append(f"event: {event}")
    if id is not None:
        lines.append(f"id: {id}")
    text = data if isinstance(data, str) else json.dumps(data)
    lines.extend(f"data: {line}" for line in text.split("\n"))
    return "\n".join(lines)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        self.server.owner.requests.append(request)
        try:
            response = self.server.owner.handler(request)
        except Exception as exc:  # a broken fake answers 599 so the test sees it
            response = Response(status=599, body=f"fake raised {exc!r}")
        if response.delay:
            time.sleep(response.delay)
        if response.drop:
            self._abort()
            return
        if response.events is not None:
            self._send_events(response)
            return
        if response.chunks is not None:
            self._send_chunks(response)
            return
        payload = _payload(response)
        self.send_response(response.status)
        headers = {"content-type": "application/json"} if response.body is None else {}
        headers.update({k.lower(): v for k, v in response.headers.items()})
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        if response.drop_mid_body:
            self.wfile.write(payload[: max(1, len(payload) // 2)])
            self.wfile.flush()
            self._abort()
            return
        self.wfile.write(payload)

    def _send_events(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for index, block in enumerate(response.events or []):
                if index and response.event_delay:
                    time.sleep(response.event_delay)
                self.wfile.write(block.encode() + b"\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client closed the stream early, as it may

    def _send_chunks(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(response.length))
        self.end_headers()
        try:
            for chunk in response.chunks or ():
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client stopped reading, as it may

    def _abort(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


def _payload(response: Response) -> bytes:
    if response.body is not None:
        return response.body.encode() if isinstance(response.body, str) else response.body
    if response.json is not None:
        return json.dumps(response.json).encode()
    return b""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: LocalServer


class LocalServer:
    """``with LocalServer(handler) as server: ... server.url ... server.requests``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def sequence(*responses: Response) -> Handler:
    """A handler that answers with each response in turn, then repeats the last one."""
    queue: Iterator[Response] = iter(responses)
    last: list[Response] = []

    def handler(request: Request) -> Response:
        response = next(queue, None)
        if response is None:
            return last[0]
        last[:] = [response]
        return response

    return handler
