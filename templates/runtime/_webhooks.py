"""Webhook deliveries: check the signature over the raw body, then parse the typed event.

No I/O and nothing per API here; ``webhooks.py`` of the package passes its ``SignatureScheme``
and ``EventTypes``. Two signature schemes:

- ``standard``: Standard Webhooks (standardwebhooks.com). Headers ``webhook-id``,
  ``webhook-timestamp`` (unix seconds) and ``webhook-signature: v1,<base64> [v1,<base64>...]``;
  the secret is ``whsec_`` followed by the base64 of the key; the signed content is
  ``{id}.{timestamp}.{body}``.
- ``timestamped``: the header Stripe and FLORA send, ``t=<unix seconds>,v1=<hex>[,v1=<hex>...]``;
  the secret's text is the key; the signed content is ``{timestamp}.{body}``.

The signature is an HMAC-SHA256 over the signed content, where ``{body}`` is the payload's
bytes exactly as received. Every ``v1`` signature of the header is tried (a sender rotating
its secret signs with both), each compared in constant time. A timestamp further than
``tolerance`` seconds from now, in either direction, is refused.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import hashlib
import hmac
import json
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias, Union

import httpx
import pydantic

from . import errors

Payload: TypeAlias = bytes | bytearray | memoryview | str
HeadersLike: TypeAlias = httpx.Headers | Mapping[str, str] | Sequence[tuple[str, str]]

DEFAULT_TOLERANCE: Final = 300.0
SECRET_PREFIX: Final = "whsec_"
_PLACEHOLDER: Final = re.compile(r"\{(id|timestamp|body)\}")


@dataclass(frozen=True)
class SignatureScheme:
    """How one API signs its deliveries."""

    kind: Literal["standard", "timestamped"]
    signature_header: str
    timestamp_header: str = ""  # standard: the header holding the timestamp
    id_header: str = ""  # the header holding the delivery id, where {id} is signed
    signed: str = "{id}.{timestamp}.{body}"  # the signed content; {body} is the raw payload
    secret_env: str = ""  # the environment variable read when no secret is passed


@dataclass(frozen=True)
class EventTypes:
    """The events of one API: by the value of their type field, or tried in order."""

    models: tuple[Any, ...]  # the payload types (models, mostly)
    field: str = ""  # the type field of every event ("" when the events have none)
    by_type: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class UnknownWebhookEvent(pydantic.BaseModel):
    """An event whose type the spec does not know (yet); every field of it is kept."""

    model_config = pydantic.ConfigDict(extra="allow", frozen=True)


def verify_signature(
    scheme: SignatureScheme,
    payload: Payload,
    headers: HeadersLike,
    *,
    secret: str | None = None,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Returns when one signature of ``headers`` signs ``payload`` with ``secret`` and the
    timestamp is within ``tolerance`` seconds of ``now`` (``None``: not checked); raises
    ``errors.WebhookVerificationError`` otherwise."""
    body = _bytes(payload)
    key = _key(scheme, _secret(scheme, secret))
    found = httpx.Headers(headers)
    delivery = _header(found, scheme.id_header) if "{id}" in scheme.signed else ""
    if scheme.kind == "standard":
        timestamp = _header(found, scheme.timestamp_header)
        signatures = _standard_signatures(found.get_list(scheme.signature_header))
    else:
        timestamp, signatures = _timestamped_signatures(found.get_list(scheme.signature_header))
    if not signatures:
        raise errors.WebhookVerificationError(
            f"no {scheme.signature_header} header with a v1 signature"
        )
    seconds = _timestamp(timestamp, scheme)
    content = _signed_content(scheme.signed, delivery, timestamp, body)
    expected = hmac.new(key, content, hashlib.sha256).digest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise errors.WebhookVerificationError(
            "no signature matches: the body was changed or the secret is not the sender's"
        )
    if tolerance is not None:
        age = (time.time() if now is None else now) - seconds
        if age > tolerance:
            raise errors.WebhookVerificationError(
                f"the signature's timestamp is {age:.0f} s old, more than {tolerance:g} s"
            )
        if age < -tolerance:
            raise errors.WebhookVerificationError(
                f"the signature's timestamp is {-age:.0f} s in the future, more than "
                f"{tolerance:g} s"
            )


def parse_event(events: EventTypes, payload: Payload) -> Any:
    """The event model of a (verified) payload; an unknown type gives ``UnknownWebhookEvent``."""
    try:
        data = json.loads(_bytes(payload).decode("utf-8"))  # JSON is UTF-8 (RFC 8259)
    except (UnicodeDecodeError, ValueError):
        raise errors.WebhookPayloadError("the webhook payload is not UTF-8 JSON") from None
    if events.field:
        if not isinstance(data, dict):
            raise errors.WebhookPayloadError("the webhook payload is not a JSON object")
        kind = data.get(events.field)
        model = events.by_type.get(kind) if isinstance(kind, str) else None
        if model is None:
            return UnknownWebhookEvent.model_validate(data)
        return _validate(model, data)
    if len(events.models) == 1:
        return _validate(events.models[0], data)
    return _validate(Union[events.models], data)  # noqa: UP007 (a runtime union)


def _validate(model: Any, data: object) -> Any:
    try:
        return _adapter(model).validate_python(data)
    except pydantic.ValidationError as exc:
        name = getattr(model, "__name__", None) or "the event union"
        raise errors.WebhookPayloadError(
            f"the webhook payload does not match {name}: {exc.error_count()} errors",
            model=name,
            errors=exc.errors(include_url=False),
        ) from None


@functools.lru_cache(maxsize=64)
def _adapter(model: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(model)


def _bytes(payload: Payload) -> bytes:
    if isinstance(payload, str):
        return payload.encode("utf-8")
    return bytes(payload)


def _secret(scheme: SignatureScheme, secret: str | None) -> str:
    if secret is None and scheme.secret_env:
        secret = os.environ.get(scheme.secret_env)
    if not secret:
        where = f" and {scheme.secret_env} is not set" if scheme.secret_env else ""
        raise errors.WebhookVerificationError(f"no webhook secret: none was passed{where}")
    return secret


def _key(scheme: SignatureScheme, secret: str) -> bytes:
    if scheme.kind == "timestamped":
        return secret.encode("utf-8")
    text = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise errors.WebhookVerificationError(
            f"the webhook secret is not base64 (after its {SECRET_PREFIX} prefix)"
        ) from None


def _header(headers: httpx.Headers, name: str) -> str:
    value = headers.get(name)
    if not value:
        raise errors.WebhookVerificationError(f"no {name} header")
    return str(value).strip()


def _standard_signatures(values: list[str]) -> list[bytes]:
    """``v1,<base64>`` entries separated by spaces; other versions are ignored."""
    found = []
    for value in values:
        for entry in value.split():
            version, _, signature = entry.partition(",")
            if version == "v1" and signature:
                try:
                    found.append(base64.b64decode(signature, validate=True))
                except (binascii.Error, ValueError):
                    continue
    return found


def _timestamped_signatures(values: list[str]) -> tuple[str, list[bytes]]:
    """``t=<seconds>`` and any number of ``v1=<hex>``, separated by commas."""
    timestamp, found = "", []
    for value in values:
        for entry in value.split(","):
            name, _, item = entry.strip().partition("=")
            if name == "t":
                timestamp = item.strip()
            elif name == "v1" and item:
                try:
                    found.append(bytes.fromhex(item.strip()))
                except ValueError:
                    continue
    return timestamp, found


def _timestamp(text: str, scheme: SignatureScheme) -> int:
    if not text:
        raise errors.WebhookVerificationError(
            f"no timestamp in the {scheme.timestamp_header or scheme.signature_header} header"
        )
    if not text.isascii() or not text.isdigit():
        raise errors.WebhookVerificationError(
            "the signature's timestamp is not a whole number of seconds"
        )
    return int(text)


def _signed_content(template: str, delivery: str, timestamp: str, body: bytes) -> bytes:
    values = {"id": delivery.encode("utf-8"), "timestamp": timestamp.encode("utf-8"), "body": body}
    parts = _PLACEHOLDER.split(template)
    # split() alternates literal text and placeholder names: text, name, text, name, ...
    return b"".join(
        values[part] if index % 2 else part.encode("utf-8") for index, part in enumerate(parts)
    )
