"""Every OpenAPI document of @readme/oas-examples generates, imports, passes mypy --strict,
and answers one call against a local server. A table of the results is printed at the end."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from generator.config import Target
from generator.diagnostics import SpecError
from generator.emit.write import write_tree
from generator.ir.nodes import Operation
from generator.workflow.pipeline import Generated, generate
from tests.support.corpus import OAS_EXAMPLES, CorpusUnavailable, install
from tests.support.samples import Unsatisfiable, sample
from tests.support.server import LocalServer, Request, Response

# Documents that are not valid OpenAPI and are expected to be refused, with the reason.
INVALID: dict[str, str] = {}

SIMPLE = {"str": '"x"', "int": "1", "float": "1.5", "bool": "True"}


@dataclass
class Outcome:
    document: str
    package: str
    operations: int = 0
    models: int = 0
    warnings: int = 0
    generated: Generated | None = None
    error: str = ""
    mypy_errors: list[str] = field(default_factory=list)
    call: str = ""


# the corpus is generated and type-checked once: one pytest-xdist worker runs this module
pytestmark = pytest.mark.xdist_group("corpus")


@pytest.fixture(scope="session")
def corpus() -> list[Path]:
    try:
        folder = install(*OAS_EXAMPLES)
    except CorpusUnavailable as exc:
        pytest.fail(f"the corpus cannot be installed, so it was not tested: {exc}")
    documents = sorted(folder.glob("3.0/json/*.json")) + sorted(folder.glob("3.1/json/*.json"))
    assert len(documents) >= 50, f"expected the whole corpus, found {len(documents)} documents"
    return documents


def _package(document: Path) -> str:
    return "oas_" + re.sub(r"\W", "_", f"{document.parent.parent.name}_{document.stem}")


@pytest.fixture(scope="session")
def outcomes(
    corpus: list[Path], tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> dict[str, Outcome]:
    out = tmp_path_factory.mktemp("corpus")
    results: dict[str, Outcome] = {}
    for document in corpus:
        name = f"{document.parent.parent.name}/{document.name}"
        outcome = results[name] = Outcome(name, _package(document))
        try:
            generated = generate(document, Target(outcome.package, name))
        except SpecError as exc:
            outcome.error = str(exc).splitlines()[0][:200]
            continue
        outcome.generated = generated
        outcome.operations = generated.api.operation_count
        outcome.models = len(generated.api.model_names)
        outcome.warnings = len(generated.diagnostics)
        write_tree(out / outcome.package, generated.files, outcome.package)
    packages = [o.package for o in results.values() if o.generated is not None]
    mypy = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--no-error-summary",
            *[f"{p}/{p}" for p in packages],
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in mypy.stdout.splitlines():
        package = line.split("/", 1)[0]
        for outcome in results.values():
            if outcome.package == package and ": error:" in line:
                outcome.mypy_errors.append(line)
    sys.path[:0] = [str(out / p) for p in packages]
    request.config.stash[CORPUS_TABLE] = results
    return results


CORPUS_TABLE = pytest.StashKey[dict[str, Outcome]]()


def _documents() -> Iterator[str]:
    """The document names, for parametrising: the corpus is installed at collection."""
    try:
        folder = install(*OAS_EXAMPLES)
    except CorpusUnavailable:
        yield "(corpus unavailable)"  # the `corpus` fixture then fails with the reason
        return
    found = sorted(folder.glob("3.0/json/*.json")) + sorted(folder.glob("3.1/json/*.json"))
    yield from (f"{d.parent.parent.name}/{d.name}" for d in found)


def _outcome(outcomes: dict[str, Outcome], document: str) -> Outcome:
    return outcomes[document]


@pytest.mark.parametrize("document", list(_documents()))
def test_document_generates_and_type_checks(outcomes: dict[str, Outcome], document: str) -> None:
    outcome = _outcome(outcomes, document)
    if document in INVALID:
        assert outcome.error, f"{document} should be refused: {INVALID[document]}"
        return
    assert not outcome.error, outcome.error
    assert not outcome.mypy_errors, "\n".join(outcome.mypy_errors[:20])


# The documents that declare requests the API sends, and those requests' event models.
WEBHOOK_DOCUMENTS = {
    "3.0/callbacks.json": ["models.OnDataEvent"],
    "3.1/train-travel.json": ["models.NewBookingEvent"],
    "3.1/webhooks.json": ["models.Pet"],
}


@pytest.mark.parametrize("document", sorted(WEBHOOK_DOCUMENTS))
def test_webhooks_and_callbacks_become_event_models(
    outcomes: dict[str, Outcome], document: str
) -> None:
    """Their event models are generated (nothing skipped, no warning), type-check, import,
    and parse a delivery signed as Standard Webhooks sign it."""
    outcome = _outcome(outcomes, document)
    assert outcome.generated is not None and not outcome.mypy_errors
    hooks = outcome.generated.api.webhooks
    assert hooks is not None
    assert [e.model for e in hooks.events] == WEBHOOK_DOCUMENTS[document]
    assert outcome.warnings == 0, outcome.generated.diagnostics
    spec = outcome.generated.spec
    schema = spec["components"]["schemas"][hooks.models[0].removeprefix("models.")]
    body = json.dumps(sample(schema, spec)).encode()
    key, stamp = b"corpus key", str(int(time.time()))
    digest = hmac.new(key, b"msg_1." + stamp.encode() + b"." + body, hashlib.sha256).digest()
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }
    webhooks = importlib.import_module(f"{outcome.package}.webhooks")
    secret = "whsec_" + base64.b64encode(key).decode()
    event = webhooks.unwrap(body, headers, secret=secret)
    assert type(event).__name__ == hooks.models[0].removeprefix("models.")
    client = importlib.import_module(outcome.package).Client(
        api_key="k", base_url="http://127.0.0.1:9"
    )
    assert client.webhooks.unwrap(body, headers, secret=secret) == event
    with pytest.raises(
        importlib.import_module(f"{outcome.package}.errors").WebhookVerificationError
    ):
        webhooks.unwrap(body + b" ", headers, secret=secret)


def test_the_quick_schema_check_agrees_with_jsonschema(corpus: list[Path]) -> None:
    """jsonschema-rs says "valid" for a document only where jsonschema finds nothing either
    (generator.spec.validate trusts its "valid" and lets jsonschema report the rest)."""
    from generator.spec.read import read_document
    from generator.spec.validate import _validator_class

    disagree = []
    for path in corpus:
        spec = read_document(path, path.name)
        checker = _validator_class(str(spec.get("openapi", "")).startswith("3.1")).schema_validator
        exact = next(iter(checker.exact.iter_errors(spec)), None) is None
        if checker.fast.is_valid(spec) != exact:
            disagree.append(f"{path.parent.parent.name}/{path.name}: jsonschema says {exact}")
    assert not disagree, disagree


@pytest.mark.parametrize("document", list(_documents()))
def test_client_answers_one_call(outcomes: dict[str, Outcome], document: str) -> None:
    outcome = _outcome(outcomes, document)
    if outcome.generated is None:
        assert document in INVALID
        return
    module = importlib.import_module(outcome.package)
    spec = outcome.generated.spec
    found, status, body = _callable_operation(outcome.generated, spec)
    with LocalServer(lambda r: Response(404)) as server:
        client = module.Client(api_key="key", base_url=server.url)
        assert repr(client).startswith("Client(")
        if found is None:
            outcome.call = "(no operation without complex arguments)"
            return
        resource, op = found
        server.handler = lambda request: _answer(request, status, body, op)
        target = client
        for attr in filter(None, resource.split(".")):
            target = getattr(target, attr)
        args = [SIMPLE[p.annotation] for p in op.path_params if p.annotation in SIMPLE]
        kwargs = {p.py_name: SIMPLE[p.annotation] for p in op.keyword_params if p.required}
        call = f"{op.name}({', '.join([*args, *(f'{k}={v}' for k, v in kwargs.items())])})"
        outcome.call = f"client.{resource + '.' if resource else ''}{call}"
        result = eval(f"target.{call}", {"target": target})
        if op.response_kind == "sse":
            list(result)
        client.close()
    assert len(server.requests) == 1
    assert server.requests[0].method == op.http_method


def _callable_operation(
    generated: Generated, spec: dict[str, Any]
) -> tuple[tuple[str, Operation] | None, int, Any]:
    """The first operation that takes simple arguments and whose response can exist."""
    for candidate in _candidates(generated):
        try:
            status, body = _response(candidate[1], spec)
        except Unsatisfiable:
            continue
        return candidate, status, body
    return None, 0, None


def _candidates(generated: Generated) -> list[tuple[str, Operation]]:
    candidates = [(r.attr_path, op) for r in generated.api.all_resources for op in r.operations]
    candidates += [("", op) for op in generated.api.operations]
    simple = [
        (attr, op)
        for attr, op in candidates
        if all(p.annotation in SIMPLE for p in op.path_params)
        and all(p.annotation in SIMPLE for p in op.keyword_params if p.required)
    ]
    simple.sort(key=lambda pair: (pair[1].http_method != "GET", pair[1].response_kind != "json"))
    return simple


def _response(op: Operation, spec: dict[str, Any]) -> tuple[int, Any]:
    responses = spec["paths"][op.path][op.http_method.lower()].get("responses") or {}
    for status, response in sorted(responses.items(), key=lambda kv: str(kv[0])):
        if str(status).startswith("2"):
            code = int(status) if str(status).isdigit() else 200
            while isinstance(response, dict) and "$ref" in response:
                from generator.spec.pointer import resolve_pointer

                response = resolve_pointer(spec, response["$ref"])
            for media, content in (response.get("content") or {}).items():
                if "json" in media and isinstance(content, dict):
                    return code, sample(content.get("schema"), spec)
            return code, None
    return 200, None


def _answer(request: Request, status: int, body: Any, op: Operation) -> Response:
    if op.response_kind == "sse":
        return Response(events=[f"data: {json.dumps(body)}"])
    if op.response_kind == "empty" or status == 204:
        return Response(204 if status == 204 else status, body=b"")
    if op.response_kind in ("text", "binary"):
        return Response(status, body=b"text", headers={"content-type": "text/plain"})
    return Response(status, json=body if body is not None else {})


def pytest_terminal_summary_table(results: dict[str, Outcome]) -> list[str]:
    lines = [
        "",
        "corpus: @readme/oas-examples " + OAS_EXAMPLES[1],
        f"{'document':<44} {'ops':>4} {'models':>6} {'warn':>4}  result",
    ]
    for outcome in results.values():
        status = (
            ("refused: " + outcome.error[:60])
            if outcome.error
            else (f"mypy: {len(outcome.mypy_errors)} errors" if outcome.mypy_errors else "ok")
        )
        lines.append(
            f"{outcome.document:<44} {outcome.operations:>4} {outcome.models:>6} "
            f"{outcome.warnings:>4}  {status}  {outcome.call[:60]}"
        )
    ok = sum(1 for o in results.values() if not o.error and not o.mypy_errors)
    lines.append(f"{ok}/{len(results)} documents generate, import and pass mypy --strict")
    return lines
