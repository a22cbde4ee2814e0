"""In-process fake of the PraisonAI Jobs API (specs/praisonai_jobs.yaml).

A job is created in ``steps[0]``; each GET of ``/api/v1/runs/{job_id}`` moves it one step
along ``steps`` and then answers. The stream walks the remaining steps at once and ends with
the terminal event. Auth follows the server: none when ``api_key`` is None, otherwise
``Authorization: Bearer <key>`` or ``X-API-Key: <key>``.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from tests.support.server import Request, Response, sse

PREFIX = "/api/v1/runs"
STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
TERMINAL = ("succeeded", "failed", "cancelled")
STATUS_FIELDS = (
    "job_id status progress created_at started_at completed_at agent_id run_id session_id error"
    " retry_after"
).split()
RESULT_FIELDS = (
    "job_id status result result_url metrics created_at started_at completed_at"
    " duration_seconds error"
).split()
NO_PROGRESS = {"percentage": 0.0, "current_step": None, "steps_completed": 0, "steps_total": None}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _detail(status: int, detail: Any) -> Response:
    return Response(status=status, json={"detail": detail})


def _invalid(loc: list[Any], kind: str, msg: str, value: Any) -> Response:
    return _detail(422, [{"type": kind, "loc": loc, "msg": msg, "input": value}])


def _status_event(job: dict[str, Any]) -> str:
    return sse({"status": job["status"], "job_id": job["job_id"]}, event="status")


def _progress_event(job: dict[str, Any]) -> str:
    progress = job["progress"]
    return sse(
        {"percentage": progress["percentage"], "step": progress["current_step"] or ""},
        event="progress",
    )


class FakePraisonAI:
    """Jobs under ``/api/v1/runs``; ``self.runs`` maps job id -> job dict."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        steps: list[str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.api_key = api_key
        self.steps = steps or ["queued", "running", "succeeded"]
        self.retry_after = retry_after  # sent as the body's retry_after while not terminal
        self.runs: dict[str, dict[str, Any]] = {}
        self._step: dict[str, int] = {}
        self._keys: dict[str, str] = {}

    def __call__(self, request: Request) -> Response:
        if self.api_key is not None and not self._authorized(request):
            return Response(status=401, json={"error": "Unauthorized"})
        path = request.path.rstrip("/")
        if path == PREFIX:
            if request.method == "POST":
                return self._submit(request)
            if request.method == "GET":
                return self._list(request)
        elif path.startswith(PREFIX + "/"):
            parts = path[len(PREFIX) + 1 :].split("/")
            job = self.runs.get(unquote(parts[0]))
            action = (request.method, parts[1] if len(parts) > 1 else "")
            if len(parts) <= 2 and action in _ROUTES:
                if job is None:
                    return _detail(404, f"Job not found: {unquote(parts[0])}")
                return _ROUTES[action](self, job)
        return _detail(404, "Not Found")

    def _authorized(self, request: Request) -> bool:
        bearer = request.headers.get("authorization", "")
        return (
            bearer == f"Bearer {self.api_key}" or request.headers.get("x-api-key") == self.api_key
        )

    def _submit(self, request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            return _invalid(["body", 0], "json_invalid", "JSON decode error", {})
        if not isinstance(body, dict) or not isinstance(body.get("prompt"), str):
            if isinstance(body, dict) and "prompt" in body:
                return _invalid(
                    ["body", "prompt"], "string_type", "Input should be a valid string", body
                )
            return _invalid(["body", "prompt"], "missing", "Field required", body)
        key = request.headers.get("idempotency-key") or body.get("idempotency_key")
        if key and key in self._keys:
            job = self.runs[self._keys[key]]
        else:
            job_id = f"run_{uuid.uuid4().hex[:12]}"
            job = dict.fromkeys(STATUS_FIELDS + RESULT_FIELDS + ["prompt"]) | {
                "job_id": job_id,
                "created_at": _now(),
                "progress": dict(NO_PROGRESS),
                "session_id": body.get("session_id"),
                "prompt": body["prompt"],
            }
            self.runs[job_id] = job
            self._step[job_id] = 0
            self._set_status(job, self.steps[0])
            if key:
                self._keys[key] = job_id
        base = f"http://{request.headers.get('host', '127.0.0.1:8005')}{PREFIX}/{job['job_id']}"
        return Response(
            status=202,
            headers={"Location": base, "Retry-After": "2"},
            json={k: job[k] for k in ("job_id", "status", "created_at")}
            | {"poll_url": base, "stream_url": f"{base}/stream"},
        )

    def _list(self, request: Request) -> Response:
        query = {k: v[-1] for k, v in request.query.items()}
        status = query.get("status")
        if status and status not in STATUSES:
            return _detail(400, f"Invalid status: {status}. Valid values: {list(STATUSES)}")
        numbers = {"page": 1, "page_size": 20}
        for name, high in (("page", None), ("page_size", 100)):
            raw = query.get(name, str(numbers[name]))
            loc = ["query", name]
            if not raw.lstrip("-").isdigit():
                return _invalid(loc, "int_parsing", "Input should be a valid integer", raw)
            if int(raw) < 1 or (high is not None and int(raw) > high):
                kind, bound = ("greater_than", 1) if int(raw) < 1 else ("less_than", high)
                text = kind.replace("_", " ")
                return _invalid(
                    loc, f"{kind}_equal", f"Input should be {text} or equal to {bound}", raw
                )
            numbers[name] = int(raw)
        jobs = [
            job
            for job in reversed(self.runs.values())
            if (not status or job["status"] == status)
            and ("session_id" not in query or job["session_id"] == query["session_id"])
        ]
        start = (numbers["page"] - 1) * numbers["page_size"]
        page = jobs[start : start + numbers["page_size"]]
        body = {"jobs": [self._status_body(job) for job in page], "total": len(jobs)}
        return Response(json=body | numbers)

    def _get(self, job: dict[str, Any]) -> Response:
        index = self._step[job["job_id"]]
        if job["status"] not in TERMINAL and index + 1 < len(self.steps):
            self._step[job["job_id"]] = index + 1
            self._set_status(job, self.steps[index + 1])
        return Response(json=self._status_body(job))

    def _result(self, job: dict[str, Any]) -> Response:
        if job["status"] not in TERMINAL:
            return _detail(409, f"Job is not complete. Current status: {job['status']}")
        body = {name: job.get(name) for name in RESULT_FIELDS}
        if job["started_at"] and job["completed_at"]:
            started, completed = (
                datetime.fromisoformat(job[k]) for k in ("started_at", "completed_at")
            )
            body["duration_seconds"] = (completed - started).total_seconds()
        return Response(json=body)

    def _cancel(self, job: dict[str, Any]) -> Response:
        if job["status"] in TERMINAL:
            return _detail(409, f"Job is already complete. Status: {job['status']}")
        self._set_status(job, "cancelled")
        return Response(json=self._status_body(job))

    def _delete(self, job: dict[str, Any]) -> Response:
        if job["status"] not in TERMINAL:
            return _detail(409, "Cannot delete a running job. Cancel it first.")
        del self.runs[job["job_id"]]
        return Response(status=204, body=b"")

    def _stream(self, job: dict[str, Any]) -> Response:
        events = [_status_event(job), _progress_event(job)]
        while job["status"] not in TERMINAL and self._step[job["job_id"]] + 1 < len(self.steps):
            self._step[job["job_id"]] += 1
            before = (job["status"], job["progress"]["percentage"])
            self._set_status(job, self.steps[self._step[job["job_id"]]])
            if job["status"] != before[0]:
                events.append(_status_event(job))
            if job["progress"]["percentage"] != before[1]:
                events.append(_progress_event(job))
        if job["status"] == "succeeded":
            events.append(sse({"result": str(job["result"])[:1000]}, event="result"))
        elif job["status"] == "failed":
            events.append(sse({"error": job["error"] or "Unknown error"}, event="error"))
        elif job["status"] == "cancelled":
            events.append(sse({"message": "Job was cancelled"}, event="cancelled"))
        return Response(events=events)

    def _set_status(self, job: dict[str, Any], status: str) -> None:
        job["status"] = status
        if status == "running" and job["started_at"] is None:
            job["started_at"] = _now()
            job["progress"].update(percentage=10.0, current_step="Initializing agent")
        if status in TERMINAL and job["completed_at"] is None:
            job["completed_at"] = _now()
        if status == "succeeded":
            job["progress"]["percentage"] = 100.0
            job["result"] = f"Completed: {job['prompt']}"
        elif status == "failed":
            job["error"] = "Agent execution timeout"
        ra = self.retry_after
        if status in TERMINAL or ra is None:
            job["retry_after"] = None
        else:
            job["retry_after"] = int(ra) if float(ra).is_integer() else ra

    def _status_body(self, job: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy({name: job[name] for name in STATUS_FIELDS})


_ROUTES = {
    ("GET", ""): FakePraisonAI._get,
    ("GET", "result"): FakePraisonAI._result,
    ("POST", "cancel"): FakePraisonAI._cancel,
    ("DELETE", ""): FakePraisonAI._delete,
    ("GET", "stream"): FakePraisonAI._stream,
}
