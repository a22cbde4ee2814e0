"""In-process fake of the Crewship (crewship.dev) runs API, with thread runs.

A run starts at ``steps[0]``; every GET of the run advances it one step, and the events
stream walks it to its last step. A thread is ``busy`` while its latest run is not terminal,
and a new thread run then gets 409. There is no cancel or list endpoint in the API, so none
here. ``retry_after``, when given, is sent as a ``Retry-After`` header on a run that is not
terminal (the API documents no such hint). ``webhook_tokens`` maps incoming-webhook tokens
to deployment ids.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from tests.support.server import Request, Response, sse

TERMINAL = ("succeeded", "failed", "canceled")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(status: int, message: str) -> Response:
    return Response(status, json={"error": {"message": message}})


class FakeCrewship:
    version_id = "ver_abc123xyz"
    version_number = 1

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        steps: list[str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.api_key = api_key
        self.steps = list(steps or ["running", "running", "succeeded"])
        self.retry_after = retry_after
        self.runs: dict[str, dict[str, Any]] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        self.thread_runs: dict[str, list[str]] = {}
        self.webhook_tokens: dict[str, str] = {"test-webhook-token": "dep_abc123xyz"}
        self._step: dict[str, int] = {}

    def _set(self, run: dict[str, Any], status: str) -> None:
        run["status"] = status
        if status != "pending" and run["started_at"] is None:
            run["started_at"] = _now()
        if status in TERMINAL and run["completed_at"] is None:
            run["completed_at"] = _now()
        if status == "succeeded":
            run["output"] = {"result": f"Fake output for {run['input']}"}
        if status == "failed":
            run["error_message"] = "Fake run failed"

    def _advance(self, run_id: str) -> dict[str, Any]:
        self._step[run_id] = min(self._step[run_id] + 1, len(self.steps) - 1)
        self._set(self.runs[run_id], self.steps[self._step[run_id]])
        return self.runs[run_id]

    def _create(self, deployment_id: str, run_input: dict[str, Any]) -> dict[str, Any]:
        run_id = f"run_{uuid.uuid4().hex[:12]}"
        run: dict[str, Any] = {
            "id": run_id,
            "version_id": self.version_id,
            "deployment_id": deployment_id,
            "status": self.steps[0],
            "input": run_input,
            "output": None,
            "error_message": None,
            "created_at": _now(),
            "started_at": None,
            "completed_at": None,
        }
        self._set(run, self.steps[0])
        self.runs[run_id], self._step[run_id] = run, 0
        return run

    def _accepted(self, run: dict[str, Any], **extra: Any) -> Response:
        body = {"run_id": run["id"], **extra, "version_id": self.version_id}
        body.update(version_number=self.version_number, status=run["status"])
        return Response(202, json=body)

    def _thread(self, thread_id: str) -> dict[str, Any]:
        thread = self.threads[thread_id]
        runs = self.thread_runs[thread_id]
        busy = bool(runs) and self.runs[runs[-1]]["status"] not in TERMINAL
        thread["status"] = "busy" if busy else "idle"
        return thread

    def _events(self, run_id: str) -> list[str]:
        run = self.runs[run_id]
        if run["status"] in TERMINAL:
            return [sse({"type": "complete", "data": {"status": run["status"]}})]
        task = {"task": "research", "agent": "researcher"}
        events = [{"type": "run.started", "data": {"entrypoint": "default"}}]
        events.append({"type": "task.started", "data": task})
        events.append({"type": "log", "data": {"message": "Working on it"}})
        while self._step[run_id] < len(self.steps) - 1:
            self._advance(run_id)
        if run["status"] == "succeeded":
            events.append({"type": "task.completed", "data": task})
            events.append({"type": "run.completed", "data": {"status": "succeeded"}})
        elif run["status"] == "failed":
            events.append({"type": "run.failed", "data": {"error_message": run["error_message"]}})
        elif run["status"] == "canceled":
            events.append({"type": "complete", "data": {"status": "canceled"}})
        else:
            events.append({"type": "timeout", "data": {}})
        return [sse(e) for e in events]

    def __call__(self, request: Request) -> Response:
        parts = [unquote(p) for p in request.path.strip("/").split("/")]
        method = request.method
        try:
            body = request.json() if request.body else None
        except ValueError:
            body = None
        if method == "POST" and len(parts) == 3 and parts[:2] == ["webhooks", "runs"]:
            if parts[2] not in self.webhook_tokens:
                return _error(404, "Webhook not found")
            if not isinstance(body, dict):
                return _error(400, "Request body must be a JSON object")
            return self._accepted(self._create(self.webhook_tokens[parts[2]], body))
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Unauthorized")
        if method == "POST" and parts in (["v1", "runs"], ["v1", "threads"]):
            if not isinstance(body, dict) or not isinstance(body.get("deployment_id"), str):
                return _error(400, "deployment_id is required")
            if parts[1] == "runs":
                return self._accepted(self._create(body["deployment_id"], body.get("input") or {}))
            thread_id = f"thr_{uuid.uuid4().hex[:12]}"
            now = _now()
            self.threads[thread_id] = {
                "thread_id": thread_id,
                "deployment_id": body["deployment_id"],
                "status": "idle",
                "metadata": body.get("metadata") or {},
                "values": body.get("values") or {},
                "created_at": now,
                "updated_at": now,
            }
            self.thread_runs[thread_id] = []
            return Response(201, json=self._thread(thread_id))
        if len(parts) in (3, 4) and parts[:2] == ["v1", "runs"]:
            run_id = parts[2]
            if method == "GET" and parts[3:] == ["events"]:
                if run_id not in self.runs:
                    missing = {"type": "error", "data": {"message": "Run not found"}}
                    return Response(events=[sse(missing)])
                return Response(events=self._events(run_id))
            if method == "GET" and len(parts) == 3:
                if run_id not in self.runs:
                    return _error(404, "Run not found")
                run = self._advance(run_id)
                headers = {}
                if self.retry_after is not None and run["status"] not in TERMINAL:
                    headers["Retry-After"] = f"{self.retry_after:g}"
                return Response(200, json=dict(run), headers=headers)
        if len(parts) in (3, 4) and parts[:2] == ["v1", "threads"]:
            thread_id = parts[2]
            if thread_id not in self.threads:
                return _error(404, "Thread not found")
            if method == "GET" and len(parts) == 3:
                return Response(200, json=self._thread(thread_id))
            if method == "POST" and parts[3:] == ["runs"]:
                if self._thread(thread_id)["status"] == "busy":
                    return _error(409, "Thread is busy")
                body = body if isinstance(body, dict) else {}
                thread = self.threads[thread_id]
                run = self._create(thread["deployment_id"], body.get("input") or {})
                self.thread_runs[thread_id].append(run["id"])
                thread["updated_at"] = _now()
                return self._accepted(run, thread_id=thread_id)
        return _error(404, "Not found")
