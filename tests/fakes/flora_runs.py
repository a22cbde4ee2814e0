"""In-process fake of FLORA's run endpoints (specs/flora_runs.yaml).

Paths are served with or without the ``/api/v1`` prefix of the real base URL. A run is
created in ``steps[0]``; each GET of the run (``/runs/{id}`` or the technique run path)
moves it one step along ``steps`` and then answers. FLORA has no cancel endpoint, no
stream and no poll hint on runs, so ``retry_after`` is accepted and never sent.
With ``api_key=None`` no ``Authorization`` header is required.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from typing import Any
from urllib.parse import unquote

from tests.support.server import Request, Response

TERMINAL = ("completed", "failed")
STATUS_FIELDS = (
    "run_id status progress created_at started_at completed_at charged_cost error_code"
    " error_message outputs poll_url"
).split()
OUTPUT_TYPES = {"image": "imageUrl", "video": "videoUrl", "audio": "audioUrl", "text": "text"}
PROGRESS = {"pending": 0, "running": 50, "completed": 100, "failed": 0}
REQUIRED = {
    "generation": ("type", "prompt", "workspace_id", "project_id"),
    "technique": ("technique_id", "workspace_id", "inputs"),
    "nested": ("inputs", "mode"),
    "action": ("action_id", "inputs", "project_id", "workspace_id"),
}


def _error(
    status: int, code: str, message: str, fields: list[dict[str, str]] | None = None
) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return Response(status=status, json={"error": error})


def _invalid(fields: list[str], message: str = "Required") -> Response:
    text = "; ".join(f"{name}: {message}" for name in fields)
    return _error(
        400, "input_validation_error", text, [{"field": n, "message": message} for n in fields]
    )


class FakeFlora:
    """Generation, technique and action runs; ``self.runs`` maps run id -> run record."""

    def __init__(
        self,
        api_key: str | None = "test-key",
        *,
        steps: list[str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.api_key = api_key
        self.steps = steps or ["pending", "running", "completed"]
        self.retry_after = retry_after
        self.runs: dict[str, dict[str, Any]] = {}
        self._step: dict[str, int] = {}
        self._keys: set[str] = set()

    def __call__(self, request: Request) -> Response:
        response = self._route(request)
        response.headers.setdefault("request-id", f"req_{uuid.uuid4().hex[:16]}")
        return response

    def _route(self, request: Request) -> Response:
        auth = request.headers.get("authorization")
        if self.api_key is not None and auth != f"Bearer {self.api_key}":
            if auth is None or not auth.startswith("Bearer "):
                return _error(401, "unauthorized", "Missing API key.")
            return _error(401, "invalid_api_key", "Invalid API key.")
        prefix = "/api/v1" if request.path.startswith("/api/v1/") else ""
        parts = [unquote(p) for p in request.path[len(prefix) :].strip("/").split("/")]
        base = f"http://{request.headers.get('host', 'localhost')}{prefix}"
        nested = len(parts) >= 3 and parts[0] == "techniques" and parts[2] == "runs"
        if request.method == "POST":
            kind = {"generate": "generation", "runs/generation": "generation"}.get("/".join(parts))
            kind = kind or {"runs/technique": "technique", "runs/action": "action"}.get(
                "/".join(parts)
            )
            if kind or (nested and len(parts) == 3):
                return self._start(request, kind or "nested", parts, base)
        elif request.method == "GET":
            if len(parts) == 2 and parts[0] == "runs":
                return self._get(parts[1], None)
            if nested and len(parts) == 4:
                return self._get(parts[3], parts[1])
            if parts in (["generations"], ["technique-runs"]):
                return self._list(
                    request, "generation" if parts[0] == "generations" else "technique"
                )
        return _error(404, "not_found", "Not found.")

    def _start(self, request: Request, kind: str, parts: list[str], base: str) -> Response:
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return _error(400, "invalid_json", "Request body is not valid JSON.")
        if not isinstance(body, dict):
            return _error(400, "invalid_json", "Request body must be a JSON object.")
        missing = [name for name in REQUIRED[kind] if name not in body]
        if missing:
            return _invalid(missing)
        if kind == "generation" and (body["type"] not in OUTPUT_TYPES or not body["prompt"]):
            return _invalid(
                ["type" if body["type"] not in OUTPUT_TYPES else "prompt"], "Invalid value"
            )
        if kind == "nested" and body["mode"] not in ("async", "stream"):
            return _invalid(["mode"], "Invalid value")
        if kind == "action" and not body["inputs"]:
            return _invalid(["inputs"], "Must contain at least 1 item")
        key = request.headers.get("idempotency-key") or body.get("idempotency_key")
        if key in self._keys:
            return _error(409, "idempotency_duplicate", "Duplicate idempotency key.")
        if key:
            self._keys.add(key)
        run_id = f"run_{uuid.uuid4().hex[:12]}"
        run: dict[str, Any] = {
            "run_id": run_id,
            "created_at": int(time.time() * 1000),
            "charged_cost": 0.0,
            "poll_url": f"{base}/runs/{run_id}",
            "type": "technique" if kind == "nested" else kind,
            "workspace_id": body.get("workspace_id", "ws_abc123"),
            "project_id": body.get("project_id", "prj_abc123"),
            "model": {"model_id": body["model"]} if body.get("model") else None,
            "technique": None,
            "action": {"action_id": body["action_id"]} if kind == "action" else None,
            "output_type": OUTPUT_TYPES.get(body.get("type", "image"), "imageUrl"),
        }
        if run["type"] == "technique":
            technique_id = body.get("technique_id") or parts[1]
            if not technique_id.startswith("tech_"):
                technique_id = "tech_" + "-".join(technique_id.split())
            run["technique"] = {
                "technique_id": technique_id,
                "name": body.get("technique_id") or parts[1],
            }
            run["technique_run_id"] = str(uuid.uuid4())
        elif run["type"] == "generation":
            run["generation_id"] = str(uuid.uuid4())
        self.runs[run_id] = run
        self._step[run_id] = 0
        self._set_status(run, self.steps[0])
        if kind == "nested":
            return Response(status=201, json=self._status_body(run))
        started = {
            name: run[name] for name in ("run_id", "type", "charged_cost", "poll_url", "project_id")
        }
        extras = {name: run[name] for name in ("model", "technique", "action")}
        return Response(status=201, json=started | extras | {"estimated_seconds": None})

    def _get(self, run_id: str, technique: str | None) -> Response:
        run = self.runs.get(run_id)
        if run is None or (technique is not None and run["type"] != "technique"):
            return _error(404, "not_found", "Not found.")
        index = self._step[run_id]
        if run["status"] not in TERMINAL and index + 1 < len(self.steps):
            self._step[run_id] = index + 1
            self._set_status(run, self.steps[index + 1])
        return Response(json=self._status_body(run))

    def _list(self, request: Request, kind: str) -> Response:
        query = {name: values[-1] for name, values in request.query.items()}
        if not query.get("limit", "20").isdigit():
            return _invalid(["limit"], "Expected number")
        limit = int(query.get("limit", "20"))
        filters = [f for f in ("workspace_id", "project_id", "status") if f in query]
        runs = [
            run
            for run in reversed(self.runs.values())
            if run["type"] == kind
            and all(run[f] == query[f] for f in filters)
            and (
                "technique_id" not in query
                or run["technique"]["technique_id"] == query["technique_id"]
            )
        ]
        ids = [run["run_id"] for run in runs]
        start = ids.index(query["cursor"]) if query.get("cursor") in ids else 0
        page = runs[start : start + limit]
        next_cursor = ids[start + limit] if start + limit < len(ids) else None
        extra = ["project_id", "workspace_id"]
        extra += (
            ["generation_id", "model"]
            if kind == "generation"
            else ["technique_run_id", "technique"]
        )
        items = [self._status_body(run) | {name: run[name] for name in extra} for run in page]
        if kind == "generation":
            for item in items:
                item["model"] = item["model"] or {"model_id": None}
        key = "generations" if kind == "generation" else "technique_runs"
        return Response(json={key: copy.deepcopy(items), "meta": {"next_cursor": next_cursor}})

    def _set_status(self, run: dict[str, Any], status: str) -> None:
        now = int(time.time() * 1000)
        run["status"] = status
        run["progress"] = PROGRESS.get(status, 0)
        if status == "running":
            run.setdefault("started_at", now)
        if status in TERMINAL:
            run.setdefault("completed_at", now)
        if status == "completed":
            url = "https://media.flora.ai/output.png"
            run["outputs"] = [{"output_id": "output_1", "type": run["output_type"], "url": url}]
        elif status == "failed":
            run["error_code"] = "provider_error"
            run["error_message"] = "The provider failed to complete the generation."

    def _status_body(self, run: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy({name: run[name] for name in STATUS_FIELDS if name in run})
