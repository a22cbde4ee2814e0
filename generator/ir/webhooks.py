"""Requests the API sends (3.1 ``webhooks``, operations' ``callbacks``) -> ``Webhooks``.

Each sent operation with a JSON body is an event; its payload model is the body's schema
(hoisted to a component, ``<Name>Event``, when written inline). A payload that is a union of
models gives one event per member. The events' type field is the property every payload
model pins to string values (``const`` or ``enum``), ``type`` first; an explicit
``discriminator`` of a union payload wins. Without one, a payload is tried against each model.

The signature scheme comes from ``[tool.clientgen]`` (``Target.webhook_signature``), else
from ``x-webhook-signature`` at the spec's top level or on a sent operation, else Standard
Webhooks. The secret's environment variable sits beside the API key's (``FLORA_API_KEY`` ->
``FLORA_WEBHOOK_SECRET``), else is ``<PACKAGE>_WEBHOOK_SECRET``.
"""

from __future__ import annotations

from typing import Any

from generator import naming
from generator.config import SIGNATURE_SCHEMES, SignatureSettings, signature_settings
from generator.diagnostics import SpecError, pointer
from generator.ir import types
from generator.ir.nodes import EventType, SignatureScheme, WebhookEvent, Webhooks
from generator.ir.operations import SpecContext
from generator.literals import literal, one_line
from generator.spec.schemas import SCHEMA_PREFIX, merged_properties, sent_operations

UNKNOWN = "UnknownWebhookEvent"  # the runtime's model of an event type the spec does not name
_TYPE_FIELDS = ("type", "event", "event_type", "kind")  # preferred, in this order
EXTENSION = "x-webhook-signature"


def build_webhooks(
    ctx: SpecContext, package: str, api_key_env: str | None, configured: SignatureSettings | None
) -> Webhooks | None:
    events: list[WebhookEvent] = []
    payloads: list[tuple[str, list[str], dict[str, str]]] = []  # (model, members, mapping)
    kinds: dict[str, types.Type] = {}  # each model as printed -> its type
    extension: tuple[str, Any] | None = None
    if EXTENSION in ctx.spec:
        extension = (pointer(EXTENSION), ctx.spec[EXTENSION])
    for where, name, operation in sent_operations(ctx.spec):
        if extension is None and EXTENSION in operation:
            extension = (pointer(*where, EXTENSION), operation[EXTENSION])
        schema = _json_body(ctx, operation.get("requestBody"), pointer(*where))
        if schema is None:
            continue
        kind = types.of_schema(schema)
        model = types.render(kind)
        kinds[model] = kind
        members, mapping = _members(ctx, kind, kinds)
        payloads.append((model, members, mapping))
        events.append(
            WebhookEvent(
                name=_safe(name),
                method=str(where[-1]).upper(),
                model=model,
                type_values=(),
                summary=_safe(operation.get("summary") or operation.get("description") or ""),
            )
        )
    if not events:
        return None
    models: list[str] = []
    for model, members, _ in payloads:
        for member in members or [model]:
            if member not in models:
                models.append(member)
    field, by_type = _type_field(ctx, payloads, models, kinds)
    values = {m: tuple(_safe(t) for t, model in by_type if model == m) for m in models}
    events = [
        WebhookEvent(
            e.name,
            e.method,
            e.model,
            tuple(v for member in (payloads[i][1] or [e.model]) for v in values[member]),
            e.summary,
        )
        for i, e in enumerate(events)
    ]
    union = types.render(
        types.union([*(kinds[m] for m in models), *([types.Plain(UNKNOWN)] if field else [])])
    )
    return Webhooks(
        events=tuple(events),
        models=tuple(models),
        type_field=_safe(field),
        type_field_literal=literal(field),
        by_type=tuple(EventType(literal(value), model) for value, model in by_type),
        union=union,
        scheme=_scheme(ctx, _secret_env(package, api_key_env), configured, extension),
        example_model=next((m for m in models if m.startswith("models.")), ""),
        type_column=f"`{_safe(field)}`" if field else "type",
    )


def _safe(text: object) -> str:
    """One line, safe in a docstring, a comment and a Markdown code span."""
    return one_line(text).replace("`", "'").replace("|", "/")


def _json_body(ctx: SpecContext, body: Any, where: str) -> Any:
    body = ctx.resolve(body)
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict) or not content:
        return None  # nothing to parse: no event model, nothing skipped
    for media, item in content.items():
        base = str(media).split(";", 1)[0].strip().lower()
        if (base == "application/json" or base.endswith("+json")) and isinstance(item, dict):
            return item.get("schema") if isinstance(item.get("schema"), dict) else {}
    ctx.warn(
        f"{where}/requestBody",
        f"the payload is not JSON ({', '.join(map(str, content))}); no event model for it",
    )
    return None


def _component(ctx: SpecContext, kind: types.Type) -> dict[str, Any]:
    name = types.model_name(kind)
    if name is None:
        return {}
    schemas = (ctx.spec.get("components") or {}).get("schemas") or {}
    found = ctx.resolve(schemas.get(name))
    return found if isinstance(found, dict) else {}


def _members(
    ctx: SpecContext, kind: types.Type, kinds: dict[str, types.Type]
) -> tuple[list[str], dict[str, str]]:
    """A union payload's member models and its discriminator mapping (value -> model); each
    member's type goes into ``kinds``."""
    component = _component(ctx, kind)
    options = component.get("oneOf") or component.get("anyOf")
    if not isinstance(options, list) or not options:
        return [], {}
    found = [types.of_schema(o) for o in options if isinstance(o, dict)]
    if not all(types.model_name(t) for t in found):
        return [], {}
    members = [types.render(t) for t in found]
    kinds.update(zip(members, found, strict=True))
    mapping: dict[str, str] = {}
    discriminator = component.get("discriminator")
    if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
        mapping[""] = discriminator["propertyName"]
        for value, ref in (discriminator.get("mapping") or {}).items():
            if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
                mapping[str(value)] = "models." + ref[len(SCHEMA_PREFIX) :]
    return members, mapping


def _pinned(ctx: SpecContext, model: types.Type) -> dict[str, list[str]]:
    """Properties of ``model`` (its allOf parts included) that only take given strings."""
    properties, _ = merged_properties(
        _component(ctx, model), lambda part: _component(ctx, types.of_schema(part))
    )
    found: dict[str, list[str]] = {}
    for name, prop in properties.items():
        prop = ctx.resolve(prop)
        if not isinstance(prop, dict):
            continue
        if isinstance(prop.get("const"), str):
            found[str(name)] = [prop["const"]]
        elif isinstance(prop.get("enum"), list) and prop["enum"]:
            if all(isinstance(v, str) for v in prop["enum"]):
                found[str(name)] = list(prop["enum"])
    return found


def _type_field(
    ctx: SpecContext,
    payloads: list[tuple[str, list[str], dict[str, str]]],
    models: list[str],
    kinds: dict[str, types.Type],
) -> tuple[str, list[tuple[str, str]]]:
    """The type field and (value, model) pairs; ("", []) when the events have none."""
    explicit = [m for _, _, m in payloads if m]
    if len(payloads) == 1 and explicit:
        mapping = explicit[0]
        field = mapping[""]
        pairs = [(v, m) for v, m in mapping.items() if v and m in models]
        pinned = {m: _pinned(ctx, kinds[m]).get(field, []) for m in models}
        for model in models:  # members the mapping leaves out: their own pinned values
            if not any(m == model for _, m in pairs):
                pairs += [(v, model) for v in pinned[model]]
        return field, _unique(pairs)
    fields = {m: _pinned(ctx, kinds[m]) for m in models}
    common = [f for f in fields[models[0]] if all(f in fields[m] for m in models)]
    common.sort(key=lambda f: (_TYPE_FIELDS.index(f) if f in _TYPE_FIELDS else 99, f))
    for field in common:
        pairs = [(value, m) for m in models for value in fields[m][field]]
        values = [v for v, _ in pairs]
        if len(set(values)) == len(values):
            return field, pairs
    return "", []


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    kept = []
    for value, model in pairs:
        if value not in seen:
            seen.add(value)
            kept.append((value, model))
    return kept


def _secret_env(package: str, api_key_env: str | None) -> str:
    """Beside the API key's variable: ``FLORA_API_KEY`` -> ``FLORA_WEBHOOK_SECRET``; else
    ``<PACKAGE>_WEBHOOK_SECRET``."""
    if api_key_env and api_key_env.endswith("_API_KEY") and len(api_key_env) > len("_API_KEY"):
        return api_key_env[: -len("_API_KEY")] + "_WEBHOOK_SECRET"
    return f"{naming.env_var_prefix(package)}_WEBHOOK_SECRET"


def _scheme(
    ctx: SpecContext,
    default_secret_env: str,
    configured: SignatureSettings | None,
    extension: tuple[str, Any] | None,
) -> SignatureScheme:
    settings: dict[str, str | float] = dict(configured or ())
    if configured is None and extension is not None:
        try:
            settings = dict(signature_settings(extension[1], extension[0], ctx.file))
        except SpecError as exc:
            ctx.diagnostics.extend(exc.diagnostics)
    scheme = str(settings.get("scheme", "standard-webhooks"))
    header, timestamp_header, id_header, signed = SIGNATURE_SCHEMES[scheme]
    standard = scheme == "standard-webhooks"
    header = str(settings.get("header", header))
    timestamp_header = str(settings.get("timestamp_header", timestamp_header)) if standard else ""
    id_header = str(settings.get("id_header", id_header))
    signed = str(settings.get("signed", signed))
    tolerance = float(settings.get("tolerance", 300.0))
    secret_env = str(settings.get("secret_env", default_secret_env))
    return SignatureScheme(
        kind="standard" if standard else "timestamped",
        name="Standard Webhooks" if standard else "timestamped HMAC",
        signature_header=header,
        signature_header_literal=literal(header),
        timestamp_header=timestamp_header,
        timestamp_header_literal=literal(timestamp_header),
        id_header=id_header,
        id_header_literal=literal(id_header),
        signed=_safe(signed),
        signed_literal=literal(signed),
        tolerance=repr(tolerance),
        tolerance_doc=f"{tolerance:g}",
        secret_env=secret_env,
        secret_env_literal=literal(secret_env),
        signs_id="{id}" in signed,
    )
