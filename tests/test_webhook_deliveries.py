"""Signed webhook deliveries, verified and parsed by the generated packages.

FLORA signs with the timestamped HMAC header (``Flora-Signature: t=...,v1=<hex>``), Parallel
with clientgen's default, Standard Webhooks; each test signs real payloads the way the sender
does and hands them to ``<package>.webhooks`` (or to a receiving server on 127.0.0.1). This
module needs the generated packages only, not the generator: it also runs in the dependency
matrix (tests/test_dependency_matrix.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import flora_runs
import flora_runs.webhooks
import httpx2 as httpx  # the seed packages' HTTP library
import parallel_tasks
import parallel_tasks.webhooks
import pytest

from tests.support.server import LocalServer, Request, Response

FLORA_SECRET = "whsec_flora_workspace_secret_1"
STANDARD_KEY = b"parallel webhook key, 32 bytes.."
STANDARD_SECRET = "whsec_" + base64.b64encode(STANDARD_KEY).decode()

RUN = {
    "run_id": "trun_1",
    "status": "completed",
    "is_active": False,
    "processor": "base",
    "created_at": "2026-01-01T00:00:00Z",
    "modified_at": "2026-01-01T00:01:00Z",
}


def flora_event(kind: str = "run.completed", **extra: Any) -> bytes:
    status = kind.rpartition(".")[2]
    data = {"run_id": "run_1", "run_type": "generation", "workspace_id": "ws_1", "status": status}
    event = {"id": "whd_1", "type": kind, "api_version": "2026-06-11", "created_at": 1.0}
    return json.dumps({**event, "data": data, **extra}).encode()


def parallel_event(**extra: Any) -> bytes:
    event = {"timestamp": "2026-01-01T00:01:00Z", "type": "task_run.status", "data": RUN}
    return json.dumps({**event, **extra}).encode()


def sign_flora(
    body: bytes, *, secrets: tuple[str, ...] = (FLORA_SECRET,), at: float | None = None
) -> dict[str, str]:
    t = str(int(time.time() if at is None else at))
    signatures = [
        hmac.new(s.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest() for s in secrets
    ]
    value = ",".join([f"t={t}", *(f"v1={s}" for s in signatures)])
    return {"Flora-Signature": value, "Flora-Webhook-Id": "whd_1", "Flora-Event": "run.completed"}


def sign_standard(
    body: bytes, *, keys: tuple[bytes, ...] = (STANDARD_KEY,), at: float | None = None
) -> dict[str, str]:
    t = str(int(time.time() if at is None else at))
    content = b"msg_1." + t.encode() + b"." + body
    signatures = [base64.b64encode(hmac.new(k, content, hashlib.sha256).digest()) for k in keys]
    value = " ".join(f"v1,{s.decode()}" for s in signatures)
    return {"webhook-id": "msg_1", "webhook-timestamp": t, "webhook-signature": value}


@dataclass(frozen=True)
class Sender:
    """One API's webhooks: its package, how it signs, its secret, a valid body."""

    name: str
    package: ModuleType
    module: ModuleType
    sign: Callable[..., dict[str, str]]
    secret: str
    other_secret: str  # a secret that is not the sender's (rotated, or wrong)
    rotate: Callable[[bytes], dict[str, str]]  # signed with the other and the right secret
    body: Callable[..., bytes]
    env: str


SENDERS = [
    Sender(
        "flora",
        flora_runs,
        flora_runs.webhooks,
        sign_flora,
        FLORA_SECRET,
        "whsec_flora_old_secret",
        lambda body: sign_flora(body, secrets=("whsec_flora_old_secret", FLORA_SECRET)),
        flora_event,
        "FLORA_WEBHOOK_SECRET",
    ),
    Sender(
        "parallel",
        parallel_tasks,
        parallel_tasks.webhooks,
        sign_standard,
        STANDARD_SECRET,
        "whsec_" + base64.b64encode(b"an old key").decode(),
        lambda body: sign_standard(body, keys=(b"an old key", STANDARD_KEY)),
        parallel_event,
        "PARALLEL_WEBHOOK_SECRET",
    ),
]


@pytest.fixture(params=SENDERS, ids=[s.name for s in SENDERS])
def sender(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Sender:
    result: Sender = request.param
    monkeypatch.delenv(result.env, raising=False)
    return result


def refused(sender: Sender, body: bytes, headers: dict[str, str], secret: str | None) -> str:
    """The message of the WebhookVerificationError that unwrap and verify_signature raise."""
    errors = sender.package.errors
    with pytest.raises(errors.WebhookVerificationError) as raised:
        sender.module.verify_signature(body, headers, secret=secret)
    with pytest.raises(errors.WebhookVerificationError):
        sender.module.unwrap(body, headers, secret=secret)
    message = str(raised.value)
    assert secret is None or secret not in message
    return message


# --- verification ---------------------------------------------------------------------------


def test_a_valid_delivery_is_verified_and_parsed(sender: Sender) -> None:
    body = sender.body()
    headers = sender.sign(body)
    assert sender.module.verify_signature(body, headers, secret=sender.secret) is None
    event = sender.module.unwrap(body, headers, secret=sender.secret)
    assert event.type in ("run.completed", "task_run.status")
    assert event.data.status == "completed"


def test_a_tampered_body_is_refused(sender: Sender) -> None:
    body = sender.body()
    headers = sender.sign(body)
    tampered = body.replace(b'"completed"', b'"failed"', 1)
    assert tampered != body
    assert "no signature matches" in refused(sender, tampered, headers, sender.secret)
    assert "no signature matches" in refused(sender, body + b" ", headers, sender.secret)


def test_a_wrong_secret_is_refused(sender: Sender) -> None:
    body = sender.body()
    message = refused(sender, body, sender.sign(body), sender.other_secret)
    assert "no signature matches" in message


def test_an_expired_timestamp_is_refused(sender: Sender) -> None:
    body = sender.body()
    stale = sender.sign(body, at=time.time() - 310)
    assert "old, more than 300 s" in refused(sender, body, stale, sender.secret)
    recent = sender.sign(body, at=time.time() - 290)
    assert sender.module.unwrap(body, recent, secret=sender.secret).data.run_id
    # a tolerance of one's own, or none at all
    sender.module.verify_signature(body, stale, secret=sender.secret, tolerance=600)
    sender.module.verify_signature(body, stale, secret=sender.secret, tolerance=None)
    with pytest.raises(sender.package.errors.WebhookVerificationError):
        sender.module.verify_signature(body, recent, secret=sender.secret, tolerance=10)


def test_a_future_timestamp_is_refused(sender: Sender) -> None:
    body = sender.body()
    ahead = sender.sign(body, at=time.time() + 310)
    assert "in the future, more than 300 s" in refused(sender, body, ahead, sender.secret)
    sender.module.verify_signature(
        body, sender.sign(body, at=time.time() + 60), secret=sender.secret
    )


def test_rotated_secrets_both_sign_one_header(sender: Sender) -> None:
    body = sender.body()
    headers = sender.rotate(body)
    assert sender.module.unwrap(body, headers, secret=sender.secret).data.status == "completed"
    assert sender.module.unwrap(body, headers, secret=sender.other_secret).data.status
    third = sender.other_secret[:-4] + "AAA="
    assert "no signature matches" in refused(sender, body, headers, third)


def test_missing_headers_are_refused(sender: Sender) -> None:
    body = sender.body()
    headers = sender.sign(body)
    assert "header" in refused(sender, body, {}, sender.secret)
    for name in headers:
        if name in ("Flora-Webhook-Id", "Flora-Event"):
            continue  # sent by FLORA, but not signed
        partial = {k: v for k, v in headers.items() if k != name}
        assert name.lower() in refused(sender, body, partial, sender.secret).lower()
    # a header without its timestamp or without a v1 signature
    if sender.name == "flora":
        value = headers["Flora-Signature"]
        no_t = value.split(",", 1)[1]
        assert "no timestamp" in refused(sender, body, {"Flora-Signature": no_t}, sender.secret)
        only_t = value.split(",", 1)[0]
        assert "v1 signature" in refused(sender, body, {"Flora-Signature": only_t}, sender.secret)
    else:
        v2 = {**headers, "webhook-signature": headers["webhook-signature"].replace("v1,", "v2,")}
        assert "v1 signature" in refused(sender, body, v2, sender.secret)
        text = {**headers, "webhook-timestamp": "soon"}
        assert "whole number" in refused(sender, body, text, sender.secret)


def test_headers_are_read_in_any_case_and_shape(sender: Sender) -> None:
    body = sender.body()
    headers = sender.sign(body)
    for shape in (
        {k.upper(): v for k, v in headers.items()},
        list(headers.items()),
        httpx.Headers(headers),
    ):
        assert sender.module.unwrap(body, shape, secret=sender.secret).data.run_id


def test_a_non_utf8_body_is_hashed_as_received(sender: Sender) -> None:
    body = b'{"type": "\xff\xfe"}'
    headers = sender.sign(body)
    sender.module.verify_signature(body, headers, secret=sender.secret)  # the exact bytes
    sender.module.verify_signature(bytearray(body), headers, secret=sender.secret)
    with pytest.raises(sender.package.errors.WebhookPayloadError, match="not UTF-8 JSON"):
        sender.module.unwrap(body, headers, secret=sender.secret)
    utf16 = '{"type": "run.completed"}'.encode("utf-16")  # JSON, but not UTF-8
    with pytest.raises(sender.package.errors.WebhookPayloadError, match="not UTF-8 JSON"):
        sender.module.unwrap(utf16, sender.sign(utf16), secret=sender.secret)
    # the same text re-encoded is another body: its signature does not match
    assert "no signature matches" in refused(
        sender, body.decode("latin-1").encode(), headers, sender.secret
    )


def test_the_secret_comes_from_the_environment(
    sender: Sender, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = sender.body()
    headers = sender.sign(body)
    message = refused(sender, body, headers, None)
    assert message == f"no webhook secret: none was passed and {sender.env} is not set"
    monkeypatch.setenv(sender.env, sender.secret)
    assert sender.module.unwrap(body, headers).data.status == "completed"
    monkeypatch.setenv(sender.env, sender.other_secret)
    assert "no signature matches" in refused(sender, body, headers, None)


def test_client_webhooks_needs_no_request(sender: Sender) -> None:
    body = sender.body()
    headers = sender.sign(body)
    with sender.package.Client(api_key="k", base_url="http://127.0.0.1:9") as client:
        assert client.webhooks is client.webhooks
        event = client.webhooks.unwrap(body, headers, secret=sender.secret)
        client.webhooks.verify_signature(body, headers, secret=sender.secret)
    assert event == sender.module.unwrap(body, headers, secret=sender.secret)
    async_client = sender.package.AsyncClient(api_key="k", base_url="http://127.0.0.1:9")
    assert async_client.webhooks.unwrap(body, headers, secret=sender.secret) == event


def test_a_malformed_secret_is_a_verification_error() -> None:
    body = parallel_event()
    errors = parallel_tasks.errors
    with pytest.raises(errors.WebhookVerificationError, match="not base64"):
        parallel_tasks.webhooks.unwrap(body, sign_standard(body), secret="whsec_***not base64")


def test_the_standard_webhooks_reference_vector() -> None:
    """The example of the Standard Webhooks specification, verified by the generated code."""
    body = b'{"test": 2432232314}'
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    parallel_tasks.webhooks.verify_signature(body, headers, secret=secret, tolerance=None)
    with pytest.raises(parallel_tasks.errors.WebhookVerificationError, match="old"):
        parallel_tasks.webhooks.verify_signature(body, headers, secret=secret)


# --- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["run.completed", "run.failed"])
def test_each_flora_event_type_is_its_model(kind: str) -> None:
    body = flora_event(kind)
    event = flora_runs.webhooks.unwrap(body, sign_flora(body), secret=FLORA_SECRET)
    assert isinstance(event, flora_runs.models.WebhookEvent)
    assert event.type == kind
    assert isinstance(event.data, flora_runs.models.WebhookEventData)
    assert event.data.status == kind.rpartition(".")[2]
    assert event.data.run_type == "generation"


def test_the_parallel_event_type_is_its_model() -> None:
    body = parallel_event()
    event = parallel_tasks.webhooks.unwrap(body, sign_standard(body), secret=STANDARD_SECRET)
    assert isinstance(event, parallel_tasks.models.TaskRunStatusEvent)
    assert event.type == "task_run.status"
    assert isinstance(event.data, parallel_tasks.models.TaskRun)
    assert event.data.run_id == "trun_1"
    assert event.data.is_active is False


def test_unknown_event_types_and_fields_are_kept(sender: Sender) -> None:
    body = sender.body(type="run.archived", shard=7)
    event = sender.module.unwrap(body, sender.sign(body), secret=sender.secret)
    assert isinstance(event, sender.module.UnknownWebhookEvent)
    assert event.model_extra is not None
    assert event.model_extra["type"] == "run.archived"
    assert event.model_extra["shard"] == 7
    for missing in ({"shard": 7}, {"type": None}, {"type": 7}):  # no type, or not a string
        body = json.dumps(missing).encode()
        event = sender.module.unwrap(body, sender.sign(body), secret=sender.secret)
        assert isinstance(event, sender.module.UnknownWebhookEvent)
        assert event.model_extra == missing
    body = sender.body(shard=7)
    known = sender.module.unwrap(body, sender.sign(body), secret=sender.secret)
    assert not isinstance(known, sender.module.UnknownWebhookEvent)
    assert known.model_extra == {"shard": 7}


def test_a_known_event_that_breaks_its_schema_names_the_model(sender: Sender) -> None:
    body = sender.body(data="not an object")
    errors = sender.package.errors
    with pytest.raises(errors.WebhookPayloadError) as raised:
        sender.module.unwrap(body, sender.sign(body), secret=sender.secret)
    assert raised.value.model in ("WebhookEvent", "TaskRunStatusEvent")
    assert raised.value.errors and raised.value.errors[0]["loc"] == ("data",)
    body = b"[1, 2]"
    with pytest.raises(errors.WebhookPayloadError, match="not a JSON object"):
        sender.module.unwrap(body, sender.sign(body), secret=sender.secret)


def test_a_receiving_endpoint_on_localhost() -> None:
    """The README's endpoint, served on 127.0.0.1: FLORA's deliveries, then forgeries."""
    received: list[str] = []

    def endpoint(request: Request) -> Response:
        try:
            event = flora_runs.webhooks.unwrap(request.body, request.headers, secret=FLORA_SECRET)
        except flora_runs.errors.WebhookVerificationError as exc:
            return Response(400, json={"error": str(exc)})
        received.append(str(event.type))
        return Response(204)

    with LocalServer(endpoint) as server:
        for kind in ("run.completed", "run.failed"):
            body = flora_event(kind)
            reply = httpx.post(server.url, content=body, headers=sign_flora(body))
            assert reply.status_code == 204
        forged = flora_event("run.completed")
        headers = sign_flora(flora_event("run.failed"))
        reply = httpx.post(server.url, content=forged, headers=headers)
        assert reply.status_code == 400
        assert "no signature matches" in reply.json()["error"]
    assert received == ["run.completed", "run.failed"]
