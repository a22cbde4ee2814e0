"""A tiny keep-alive HTTP/1.1 server for the request-overhead benchmark, run as its own process.

Every GET answers 200 with the same TaskRun-like JSON body. Prints its port on stdout, then
serves until killed.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BODY = json.dumps(
    {
        "run_id": "trun_e0083b6aac0544eb8686e8d2a76533d2",
        "status": "running",
        "is_active": True,
        "warnings": None,
        "error": None,
        "processor": "base",
        "metadata": {"customer": "acme", "priority": 2},
        "taskgroup_id": None,
        "created_at": "2025-04-23T20:21:48.037943Z",
        "modified_at": "2025-04-23T20:21:48.037943Z",
    }
).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
