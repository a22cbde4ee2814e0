"""In-process fake of Parallel's Task API (task runs and /v1beta task groups).

A run starts at ``steps[0]``; every GET of the run (retrieve, retrieve group run, result)
advances it one step, and the SSE endpoints walk it to its last step. The result endpoint
answers 408 while the run is still going and 404 once it has failed, as the API does.
``retry_after``, when given, is sent as a ``Retry-After`` header on answers about a run
that is not terminal (the API itself documents no such hint).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from tests.support.server import Request, Response, sse

TERMINAL = ("completed", "failed", "cancelled")
ACTIVE = ("queued", "running", "cancelling")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _match(parts: list[str], pattern: str) -> list[str] | None:
    want = pattern.split("/")
    if len(want) != len(parts):
        return None
    pairs = list(zip(parts, want, strict=True))
    if any(w not in ("*", p) for p, w in pairs):
        return None
    return [p for p, w in pairs if w == "*"] or [""]


def _valid_input(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and isinstance(body.get("input"), (str, dict))
        and isinstance(body.get("processor"), str)
    )


def _error(status: int, message: str) -> Response:
    error = {"ref_id": str(uuid.uuid4()), "message": message}
    return Response(status, json={"type": "error", "error": error})


def _invalid(*loc: str) -> Response:
    detail = [{"loc": ["body", *loc], "msg": "Field required", "type": "missing"}]
    return Response(422, json={"detail": detail})


class FakeParallel:
    def __init__(
        self,
        api_key: str = "test-key",
        *,
        steps: list[str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.api_key = api_key
        self.steps = list(steps or ["queued", "running", "completed"])
        self.retry_after = retry_after
        self.runs: dict[str, dict[str, Any]] = {}
        self.inputs: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.group_runs: dict[str, list[str]] = {}
        self.group_events: dict[str, list[dict[str, Any]]] = {}
        self._step: dict[str, int] = {}

    def _set(self, run: dict[str, Any], status: str) -> None:
        run.update(status=status, is_active=status in ACTIVE, modified_at=_now())
        if status == "failed":
            run["error"] = {"ref_id": str(uuid.uuid4()), "message": "Task run failed"}
        if run.get("taskgroup_id"):
            event = {"type": "task_run.state", "run": dict(run)}
            self.group_events[run["taskgroup_id"]].append(event)

    def _advance(self, run_id: str) -> dict[str, Any]:
        self._step[run_id] = min(self._step[run_id] + 1, len(self.steps) - 1)
        self._set(self.runs[run_id], self.steps[self._step[run_id]])
        return self.runs[run_id]

    def _walk(self, run_id: str) -> list[dict[str, Any]]:
        """Advance a run to its last step; a snapshot of every state it was in."""
        states = [dict(self.runs[run_id])]
        while self._step[run_id] < len(self.steps) - 1:
            states.append(dict(self._advance(run_id)))
        return states

    def _hint(self, run: dict[str, Any]) -> dict[str, str]:
        if self.retry_after is None or run["status"] in TERMINAL:
            return {}
        return {"Retry-After": f"{self.retry_after:g}"}

    def _create_run(self, body: dict[str, Any], group_id: str | None = None) -> dict[str, Any]:
        run_id, now = f"trun_{uuid.uuid4().hex}", _now()
        run: dict[str, Any] = {"run_id": run_id, "processor": body["processor"]}
        run.update(metadata=body.get("metadata"), created_at=now, modified_at=now)
        if group_id is not None:
            run["taskgroup_id"] = group_id
        self.runs[run_id], self.inputs[run_id], self._step[run_id] = run, body, 0
        self._set(run, self.steps[0])
        return run

    def _output(self, run_id: str) -> dict[str, Any]:
        spec = (self.inputs[run_id].get("task_spec") or {}).get("output_schema")
        if isinstance(spec, dict) and spec.get("type", "json") == "json" and "json_schema" in spec:
            fields = list(spec["json_schema"].get("properties") or {"answer": {}})
            basis = [{"field": f, "reasoning": f"Fake reasoning for {f}."} for f in fields]
            return {"type": "json", "content": {f: f"fake {f}" for f in fields}, "basis": basis}
        basis = [{"field": "output", "reasoning": "Fake reasoning.", "citations": []}]
        content = f"Fake answer to: {self.inputs[run_id]['input']}"
        return {"type": "text", "content": content, "basis": basis}

    def _group_status(self, group_id: str) -> dict[str, Any]:
        runs = [self.runs[r] for r in self.group_runs[group_id]]
        counts: dict[str, int] = {}
        for run in runs:
            counts[run["status"]] = counts.get(run["status"], 0) + 1
        return {
            "num_task_runs": len(runs),
            "task_run_status_counts": counts,
            "is_active": any(r["is_active"] for r in runs),
            "status_message": None,
            "modified_at": _now(),
        }

    def __call__(self, request: Request) -> Response:
        if request.headers.get("x-api-key") != self.api_key:
            return _error(401, "Unauthorized: invalid or missing credentials")
        parts = [unquote(p) for p in request.path.strip("/").split("/")]
        method, query = request.method, request.query
        flag = {k: v[0] for k, v in query.items()}
        body: Any = None
        try:
            body = request.json() if request.body else None
        except ValueError:
            pass
        if method == "POST" and _match(parts, "v1/tasks/runs"):
            if not _valid_input(body):
                return _error(422, "Unprocessable content: request validation error")
            return Response(202, json=dict(self._create_run(body)))
        if method == "GET" and (a := _match(parts, "v1/tasks/runs/*")):
            if a[0] not in self.runs:
                return _error(404, "Run id not found")
            run = self._advance(a[0])
            return Response(200, json=dict(run), headers=self._hint(run))
        if method == "GET" and (a := _match(parts, "v1/tasks/runs/*/input")):
            if a[0] not in self.runs:
                return _error(404, "Run id not found")
            return Response(200, json=self.inputs[a[0]])
        if method == "GET" and (a := _match(parts, "v1/tasks/runs/*/result")):
            if a[0] not in self.runs:
                return _error(404, "Run failed or run id not found")
            run = self._advance(a[0])
            if run["status"] == "completed":
                return Response(200, json={"run": dict(run), "output": self._output(a[0])})
            if run["status"] in TERMINAL:
                return _error(404, "Run failed or run id not found")
            response = _error(408, "Request timed out; run still active")
            response.headers = self._hint(run)
            return response
        if method == "GET" and (a := _match(parts, "v1beta/tasks/runs/*/events")):
            if a[0] not in self.runs:
                return _error(404, "Run id not found")
            states = self._walk(a[0])
            sources = {"num_sources_considered": 12, "num_sources_read": 4}
            stats = {**sources, "sources_read_sample": []}
            stream: list[dict[str, Any]] = [
                {"type": "task_run.state", "event_id": None, "run": states[0]},
                {"type": "task_run.progress_stats", "progress_meter": 50.0, "source_stats": stats},
                {"type": "task_run.progress_msg.plan", "message": "Planning", "timestamp": _now()},
            ]
            stream += [{"type": "task_run.state", "event_id": None, "run": s} for s in states[1:]]
            return Response(events=[sse(e) for e in stream])
        if method == "POST" and _match(parts, "v1beta/tasks/groups"):
            if not isinstance(body, dict):
                return _invalid()
            group_id, meta = f"tgrp_{uuid.uuid4().hex}", body.get("metadata")
            group = {"taskgroup_id": group_id, "created_at": _now(), "metadata": meta}
            self.groups[group_id] = group
            self.group_runs[group_id], self.group_events[group_id] = [], []
            return Response(200, json={**group, "status": self._group_status(group_id)})
        if (g := _match(parts[:4], "v1beta/tasks/groups/*")) and g[0] not in self.groups:
            return _error(404, "Run id not found" if len(parts) == 6 else "TaskGroup not found")
        if method == "GET" and (a := _match(parts, "v1beta/tasks/groups/*")):
            return Response(200, json={**self.groups[a[0]], "status": self._group_status(a[0])})
        if method == "POST" and (a := _match(parts, "v1beta/tasks/groups/*/runs")):
            inputs = body.get("inputs") if isinstance(body, dict) else None
            if not isinstance(inputs, list) or not all(_valid_input(i) for i in inputs):
                return _invalid("inputs")
            runs, log = self.group_runs[a[0]], self.group_events[a[0]]
            cursors = {"event_cursor": str(len(log)), "run_cursor": None}
            if runs:
                cursors["run_cursor"] = str(len(runs))
            if default := body.get("default_task_spec"):
                inputs = [i if i.get("task_spec") else {**i, "task_spec": default} for i in inputs]
            run_ids = [self._create_run(i, a[0])["run_id"] for i in inputs]
            runs.extend(run_ids)
            log.append({"type": "task_group_status", "status": self._group_status(a[0])})
            return Response(200, json={"run_ids": run_ids, "status": log[-1]["status"], **cursors})
        if method == "GET" and (a := _match(parts, "v1beta/tasks/groups/*/runs")):
            after, events = int(flag.get("last_event_id") or 0), []
            for index, run_id in enumerate(self.group_runs[a[0]], start=1):
                run = self._walk(run_id)[-1]
                if index <= after or flag.get("status") not in (None, run["status"]):
                    continue
                event = {"type": "task_run.state", "event_id": str(index), "run": run}
                if flag.get("include_input") == "true":
                    event["input"] = self.inputs[run_id]
                if flag.get("include_output") == "true" and run["status"] == "completed":
                    event["output"] = self._output(run_id)
                events.append(sse(event))
            return Response(events=events)
        if method == "GET" and (a := _match(parts, "v1beta/tasks/groups/*/events")):
            for run_id in self.group_runs[a[0]]:
                self._walk(run_id)
            log = self.group_events[a[0]]
            log.append({"type": "task_group_status", "status": self._group_status(a[0])})
            blocks = [sse({**e, "event_id": str(i)}) for i, e in enumerate(log, start=1)]
            return Response(events=blocks[int(flag.get("last_event_id") or 0) :])
        if method == "GET" and (a := _match(parts, "v1beta/tasks/groups/*/runs/*")):
            if a[1] not in self.group_runs[a[0]]:
                return _error(404, "Run id not found")
            run = self._advance(a[1])
            return Response(200, json=dict(run), headers=self._hint(run))
        return _error(404, "Not Found")
