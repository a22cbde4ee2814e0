"""In-process fake of AI21 Maestro runs (``/studio/v1/maestro/runs``).

Create answers 200 with the run at ``steps[0]``; every GET of the run advances it one step.
There is no cancel, list or streaming endpoint in the API, so none here. Error bodies are
``{"detail": ...}`` (the real shape is undocumented). ``retry_after``, when given, is sent as
a ``Retry-After`` header on a run that is not terminal (the API documents no such hint).
Requests are accepted with or without the ``/studio/v1`` prefix of the base URL.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

from tests.support.server import Request, Response

TERMINAL = ("completed", "failed", "requires_action")


class FakeAI21Maestro:
    def __init__(
        self,
        api_key: str = "test-key",
        *,
        steps: list[str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.api_key = api_key
        self.steps = list(steps or ["in_progress", "in_progress", "completed"])
        self.retry_after = retry_after
        self.runs: dict[str, dict[str, Any]] = {}
        self.requests: dict[str, dict[str, Any]] = {}
        self._step: dict[str, int] = {}

    def _set(self, run_id: str, status: str) -> None:
        run, body = self.runs[run_id], self.requests[run_id]
        run["status"] = status
        include = body.get("include") or []
        if status == "completed":
            text = body["input"] if isinstance(body["input"], str) else body["input"][-1]["content"]
            run["result"] = f"Fake result for: {text}"
            if "data_sources" in include:
                run["data_sources"] = {"web_search": [], "file_search": []}
            if "requirements_result" in include:
                met = {"score": 1.0, "reason": None}
                items = [
                    {**req, "is_mandatory": req.get("is_mandatory", False), **met}
                    for req in body.get("requirements") or []
                ]
                result = {"score": 1.0, "finish_reason": None, "requirements": items}
                run["requirements_result"] = result
        if status == "failed":
            run["error"] = {"message": "The run failed."}

    def _run_response(self, run: dict[str, Any]) -> Response:
        headers = {}
        if self.retry_after is not None and run["status"] not in TERMINAL:
            headers["Retry-After"] = f"{self.retry_after:g}"
        return Response(200, json=dict(run), headers=headers)

    def __call__(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Response(401, json={"detail": "Unauthorized"})
        parts = [unquote(p) for p in request.path.strip("/").split("/")]
        if parts[:2] == ["studio", "v1"]:
            parts = parts[2:]
        if request.method == "POST" and parts == ["maestro", "runs"]:
            try:
                body = request.json()
            except ValueError:
                body = None
            if not isinstance(body, dict) or not isinstance(body.get("input"), (str, list)):
                detail = [{"loc": ["body", "input"], "msg": "Field required", "type": "missing"}]
                return Response(422, json={"detail": detail})
            if isinstance(body["input"], list) and not body["input"]:
                return Response(422, json={"detail": "input must not be empty"})
            run_id = str(uuid.uuid4())
            run: dict[str, Any] = {"id": run_id, "status": self.steps[0], "result": None}
            include = body.get("include") or []
            for field in ("data_sources", "requirements_result"):
                if field in include:
                    run[field] = None
            self.runs[run_id], self.requests[run_id], self._step[run_id] = run, body, 0
            self._set(run_id, self.steps[0])
            return self._run_response(run)
        if request.method == "GET" and len(parts) == 3 and parts[:2] == ["maestro", "runs"]:
            run_id = parts[2]
            if run_id not in self.runs:
                return Response(404, json={"detail": f"Run {run_id} not found"})
            self._step[run_id] = min(self._step[run_id] + 1, len(self.steps) - 1)
            self._set(run_id, self.steps[self._step[run_id]])
            return self._run_response(self.runs[run_id])
        return Response(404, json={"detail": "Not Found"})
