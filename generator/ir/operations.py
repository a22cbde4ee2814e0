"""One operation of the spec -> an ``ir.Operation``: parameters, body, responses, errors.

A request body is JSON (an object's properties become keyword arguments, anything else one
``body`` argument), a form (``application/x-www-form-urlencoded``: properties as keyword
arguments), multipart (properties as keyword arguments; ``format: binary`` ones take files),
or raw content (``body: bytes``, ``body: str`` for ``text/*``). Responses: JSON, text,
binary, empty, or server-sent events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from generator import naming
from generator.diagnostics import Diagnostic, pointer
from generator.ir import polling, types
from generator.ir.nodes import ErrorModel, OAuth2, Operation, Param, Poll, ResponseKind
from generator.literals import docstring, literal, one_line
from generator.naming import NameRegistry, PyIdent
from generator.spec.pointer import follow
from generator.spec.schemas import deref, object_properties

PATH_PARAM = re.compile(r"{([^{}]+)}")
# OpenAPI says these header parameters are ignored; ``Authorization`` is kept all the same
# (see ``_authorization``): a caller must be able to send the value the spec asks for.
_IGNORED_HEADERS = frozenset({"accept", "content-type"})
_IDEMPOTENCY_HEADERS = frozenset({"idempotency-key", "x-idempotency-key"})
# Path styles other than ``simple`` without explode, as the runtime's ``render_path`` names them.
_PATH_STYLES = {
    ("simple", True): "simple*",
    ("label", False): "label",
    ("label", True): "label*",
    ("matrix", False): "matrix",
    ("matrix", True): "matrix*",
}
_QUERY_STYLES = {
    ("form", False): "csv",
    ("spaceDelimited", False): "ssv",
    ("pipeDelimited", False): "pipes",
    ("deepObject", True): "deep",
}


@dataclass
class SpecContext:
    spec: dict[str, Any]
    file: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, where: str, message: str) -> None:
        self.diagnostics.append(Diagnostic("warning", where, message, self.file))

    def fail(self, where: str, message: str) -> None:
        self.diagnostics.append(Diagnostic("error", where, message, self.file))

    def resolve(self, node: Any) -> Any:
        return follow(self.spec, node)


def success_schema(ctx: SpecContext, operation: dict[str, Any]) -> Any:
    for status, response in sorted(
        (operation.get("responses") or {}).items(), key=lambda kv: str(kv[0])
    ):
        if str(status).startswith("2"):
            content = ctx.resolve(response).get("content") or {}
            for media, body in content.items():
                if _is_json(media) and isinstance(body, dict):
                    return body.get("schema")
    return None


def build_operation(
    ctx: SpecContext,
    path: str,
    method: str,
    operation: dict[str, Any],
    item: dict[str, Any],
    name: str,
    operation_id: str,
    poll: Poll | None,
    methods: frozenset[str],
) -> Operation:
    """``poll``: the operation's poll helper, where it has one (``poll_helper``); ``methods``:
    the names of its class's methods, which shadow builtins of the same name in annotations."""
    where = pointer("paths", path, method)
    params = _merged_parameters(ctx, operation, item)
    registry = NameRegistry(naming.CLIENT_PARAMETERS)
    shadowed = methods & types.BUILTIN_TYPES
    path_params = []
    declared = {p["name"]: p for p in params if p.get("in") == "path"}
    for wire in PATH_PARAM.findall(path):
        if wire not in declared:
            ctx.fail(where, f"path parameter {{{wire}}} is not declared in `parameters`")
            continue
        path_params.append(_param(ctx, declared[wire], "path", registry, shadowed, required=True))
    by_location: dict[str, list[Param]] = {"query": [], "header": [], "cookie": []}
    for raw in params:
        location = raw.get("in")
        if location not in by_location:
            continue
        header = str(raw.get("name", "")).lower() if location == "header" else ""
        if header in _IGNORED_HEADERS:
            continue
        required = bool(raw.get("required"))
        if header == "authorization" and _credentials_send_authorization(ctx):
            required = False  # left out, the client's credentials are sent instead
        by_location[location].append(_param(ctx, raw, location, registry, shadowed, required))
    empty = _empty_get_body(ctx, method, operation)
    body = _Body() if empty else _body(ctx, operation, registry, shadowed)
    body_params, body_param = body.params, body.whole
    response_kind, returns = _response(ctx, operation)
    keyword_params = (
        *by_location["query"],
        *by_location["header"],
        *by_location["cookie"],
        *body_params,
    )
    if body_param is not None:
        keyword_params = (*keyword_params, body_param)
    # read in this order: required arguments, then optional ones (each in the spec's order)
    keyword_params = tuple(sorted(keyword_params, key=lambda p: not p.required))
    # a parameter named like a builtin shadows it in the method body, which casts to the
    # return type and the error types
    in_body = shadowed | frozenset(p.py_name for p in (*path_params, *keyword_params))
    return_annotation = types.render(returns, in_body & types.BUILTIN_TYPES)
    idempotency = next(
        (
            p.wire_literal
            for p in by_location["header"]
            if p.wire_name.lower() in _IDEMPOTENCY_HEADERS
        ),
        None,
    )
    return Operation(
        name=name,
        operation_id=operation_id,
        http_method=method.upper(),
        path_literal=literal(path),
        path=path,
        doc=_doc(operation, [*path_params, *keyword_params], method, path),
        path_params=tuple(path_params),
        keyword_params=tuple(keyword_params),
        query_params=tuple(by_location["query"]),
        styled_path=tuple(p for p in path_params if p.style),
        styled_query=tuple(p for p in by_location["query"] if p.style),
        header_params=tuple(by_location["header"]),
        cookie_params=tuple(by_location["cookie"]),
        body_params=tuple(body_params),
        body_param=body_param,
        has_body=bool(body.keyword),
        body_keyword=body.keyword,
        body_required=body.required,
        body_optional=bool(body.params) and not body.required,
        content_type_literal=literal(body.media) if body.media else "",
        accept_literal=_accept(ctx, operation, response_kind),
        response_kind=response_kind,
        return_annotation=return_annotation,
        returns=returns,
        cast_to=return_annotation,
        errors=_errors(ctx, operation, in_body & types.BUILTIN_TYPES),
        idempotency_header=idempotency,
        security_literal=security_literal(operation.get("security")),
        deprecated=bool(operation.get("deprecated")),
        poll=poll,
        create_and_poll=None,
        response_fields=_response_fields(ctx, method, operation, response_kind),
    )


def _response_fields(
    ctx: SpecContext, method: str, operation: dict[str, Any], response_kind: str
) -> tuple[str, ...]:
    """A POST's JSON success body's property names: a create-and-poll reads the id there."""
    if method != "post" or response_kind != "json":
        return ()
    schema = success_schema(ctx, operation)
    return polling.response_fields(ctx.spec, schema) if schema else ()


def _merged_parameters(
    ctx: SpecContext, operation: dict[str, Any], item: dict[str, Any]
) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        param = ctx.resolve(raw)
        if isinstance(param, dict) and isinstance(param.get("name"), str):
            merged[(param["name"], str(param.get("in")))] = param
    return list(merged.values())


def _param(
    ctx: SpecContext,
    raw: dict[str, Any],
    location: str,
    registry: NameRegistry,
    shadowed: frozenset[str],
    required: bool,
) -> Param:
    schema = raw.get("schema")
    if not isinstance(schema, dict) and isinstance(raw.get("content"), dict):
        schema = next((c.get("schema") for c in raw["content"].values() if isinstance(c, dict)), {})
    description = raw.get("description") or ctx.resolve(schema or {}).get("description")
    kind = types.of_schema(schema)
    param = _make_param(raw["name"], location, kind, shadowed, required, registry, description)
    if location == "path":
        style = str(raw.get("style") or "simple")
        return replace(param, style=_PATH_STYLES.get((style, bool(raw.get("explode"))), ""))
    if location != "query":
        return param
    if isinstance(raw.get("content"), dict) and any(_is_json(m) for m in raw["content"]):
        return replace(param, style="json")  # the value as JSON text: filter={"name":"x"}
    style = str(raw.get("style") or "form")
    explode = bool(raw.get("explode", style == "form"))
    return replace(param, style=_QUERY_STYLES.get((style, explode), ""))


def _credentials_send_authorization(ctx: SpecContext) -> bool:
    """Whether one of the document's security schemes sends an ``Authorization`` header (so
    the client's credentials can stand in for a declared ``Authorization`` parameter)."""
    schemes = (ctx.spec.get("components") or {}).get("securitySchemes")
    for raw in schemes.values() if isinstance(schemes, dict) else ():
        scheme = ctx.resolve(raw)
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type")
        if kind in ("http", "oauth2", "openIdConnect"):
            return True
        if kind == "apiKey" and scheme.get("in") == "header":
            if str(scheme.get("name", "")).lower() == "authorization":
                return True
    return False


def _make_param(
    wire: str,
    location: Any,
    kind: types.Type,
    shadowed: frozenset[str],
    required: bool,
    registry: NameRegistry,
    description: Any,
    name: PyIdent | None = None,  # the name it should have, if free (body properties)
) -> Param:
    py_name = registry.claim(name or naming.to_identifier(wire, naming.CLIENT_PARAMETERS))
    annotation = types.render(kind, shadowed)
    return Param(
        wire_name=wire,
        wire_literal=literal(wire),
        py_name=py_name,
        location=location,
        annotation=annotation if required else f"{annotation} | NotGiven",
        type=kind,
        required=required,
        default="" if required else "NOT_GIVEN",
        doc=one_line(description),
    )


@dataclass(frozen=True, slots=True)
class _Body:
    params: tuple[Param, ...] = ()  # an object body's properties, as keyword arguments
    whole: Param | None = None  # or the body as one argument
    keyword: str = ""  # how RequestOptions takes it: json, form, multipart or content
    required: bool = False
    media: str = ""  # the declared media type, where it is not what the runtime sends anyway


_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


def _empty_get_body(ctx: SpecContext, method: str, operation: dict[str, Any]) -> bool:
    """A GET or HEAD whose optional body is an object with no properties (Stripe declares one
    on every GET): nothing to send, so no ``body`` argument."""
    body = ctx.resolve(operation.get("requestBody"))
    if method.lower() not in ("get", "head") or not isinstance(body, dict) or body.get("required"):
        return False
    content = body.get("content")
    if not isinstance(content, dict):
        return False
    for holder in content.values():
        schema = ctx.resolve(holder.get("schema")) if isinstance(holder, dict) else None
        if (
            not isinstance(schema, dict)
            or schema.get("properties")
            or schema.get("type") != "object"
        ):
            return False
        if schema.get("additionalProperties") not in (None, False):
            return False
    return True


def _body(
    ctx: SpecContext, operation: dict[str, Any], registry: NameRegistry, shadowed: frozenset[str]
) -> _Body:
    body = ctx.resolve(operation.get("requestBody"))
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("content"), dict)
        or not body["content"]
    ):
        return _Body()
    required = bool(body.get("required"))
    content: dict[str, Any] = body["content"]
    bases = {m.split(";", 1)[0].strip().lower(): m for m in content}
    media = next((m for m in content if _is_json(m)), None)
    keyword = "json"
    if media is None and (_FORM in bases or _MULTIPART in bases):
        keyword = "form" if _FORM in bases else "multipart"
        media = bases[_FORM if keyword == "form" else _MULTIPART]
    if media is None:  # anything else is sent as it is given
        media = next(iter(content))
        text = media.lower().startswith("text/")
        kind: types.Type = types.STR if text else types.BYTES
        whole = _make_param(
            "body", "body", kind, shadowed, required, registry, body.get("description")
        )
        default = "text/plain" if text else "application/octet-stream"
        return _Body(
            whole=whole, keyword="content", required=required, media=_declared(media, default)
        )
    declared = _declared(media, _DEFAULT_MEDIA[keyword])
    holder = content[media] if isinstance(content[media], dict) else {}
    schema = holder.get("schema")
    properties, required_names = object_properties(ctx.spec, schema)
    resolved = deref(ctx.spec, schema)
    if properties and not _open_or_union(ctx, resolved):
        params = []
        names = naming.keyword_names(properties)  # as the model's fields are named
        for wire, prop in properties.items():
            if (
                not isinstance(prop, dict)
                or ctx.resolve(prop).get("readOnly")
                or prop.get("readOnly")
            ):
                continue
            kind = types.of_schema(prop)
            if keyword == "multipart":
                kind = types.file_type(kind)
            description = prop.get("description") or ctx.resolve(prop).get("description")
            params.append(
                _make_param(
                    wire,
                    "body",
                    kind,
                    shadowed,
                    required and wire in required_names,
                    registry,
                    description,
                    names[wire],
                )
            )
        return _Body(params=tuple(params), keyword=keyword, required=required, media=declared)
    kind = types.of_schema(schema) if schema is not None else types.ANY
    description = body.get("description")
    whole = _make_param("body", "body", kind, shadowed, required, registry, description)
    return _Body(whole=whole, keyword=keyword, required=required, media=declared)


def _open_or_union(ctx: SpecContext, schema: Any, depth: int = 0) -> bool:
    """Whether a body schema takes more than its properties: ``additionalProperties``, or a
    union, also inside its ``allOf`` (``allOf: [{anyOf: [A, B]}, {...}]``). Such a body is
    one argument, not keyword arguments (which would drop the union's fields)."""
    if not isinstance(schema, dict) or depth > 16:
        return False
    if any(schema.get(k) for k in ("additionalProperties", "anyOf", "oneOf")):
        return True
    members = schema.get("allOf")
    return isinstance(members, list) and any(
        _open_or_union(ctx, ctx.resolve(m), depth + 1) for m in members
    )


# What the runtime sends for each body keyword when no content type is given.
_DEFAULT_MEDIA = {"json": "application/json", "form": _FORM, "multipart": _MULTIPART}


def _declared(media: str, default: str) -> str:
    """``media`` where a request must say it, or "" where the runtime's default is the same
    type (parameters such as a charset aside) or the spec allows anything (``*/*``)."""
    base = media.split(";", 1)[0].strip().lower()
    if base == default or "*" in base or base == _MULTIPART:  # httpx writes the boundary
        return ""
    return media


def _accept(ctx: SpecContext, operation: dict[str, Any], kind: str) -> str:
    """The media types the responses declare, 2xx first, then the others, each once (JSON
    ones first where the call reads JSON); "" where that is just ``application/json`` (every
    client's default) or the call streams."""
    if kind == "sse":
        return ""
    responses = operation.get("responses") or {}
    ordered = sorted(
        ((str(s), r) for s, r in responses.items()),
        key=lambda kv: (not kv[0].startswith("2"), kv[0]),
    )
    found: list[str] = []
    for _, raw in ordered:
        response = ctx.resolve(raw)
        content = response.get("content") if isinstance(response, dict) else None
        for media in content if isinstance(content, dict) else ():
            if isinstance(media, str) and media not in found:
                found.append(media)
    if kind == "json":  # a server picks the first it can send: one the client can read
        found.sort(key=lambda media: not _is_json(media))
    if not found or found == ["application/json"]:
        return ""
    return literal(", ".join(found))


def security_literal(requirements: Any) -> str:
    """An operation's ``security`` as a tuple of alternatives, each a tuple of scheme names
    (``()`` for "no credentials"); "" when the operation does not declare its own."""
    if not isinstance(requirements, list):
        return ""
    alternatives = [
        "(" + "".join(f"{literal(name)}, " for name in requirement) + ")"
        for requirement in requirements
        if isinstance(requirement, dict)
    ]
    return "(" + "".join(f"{alt}, " for alt in alternatives) + ")"


def oauth2_flow(ctx: SpecContext, env_prefix: str) -> OAuth2 | None:
    """The first security scheme with an OAuth2 client-credentials flow whose ``tokenUrl`` is
    given; its scopes are those the document's and the operations' requirements name."""
    schemes = (ctx.spec.get("components") or {}).get("securitySchemes") or {}
    for name, raw in schemes.items() if isinstance(schemes, dict) else ():
        scheme = ctx.resolve(raw)
        flows = scheme.get("flows") if isinstance(scheme, dict) else None
        flow = flows.get("clientCredentials") if isinstance(flows, dict) else None
        if scheme.get("type") != "oauth2" or not isinstance(flow, dict):
            continue
        token_url = flow.get("tokenUrl")
        if not isinstance(token_url, str) or not token_url:
            ctx.warn(
                pointer("components", "securitySchemes", name, "flows", "clientCredentials"),
                "a client-credentials flow without a tokenUrl is not run; pass a token as api_key",
            )
            continue
        scopes = _required_scopes(ctx.spec, str(name))
        client_id_env, client_secret_env = f"{env_prefix}_CLIENT_ID", f"{env_prefix}_CLIENT_SECRET"
        return OAuth2(
            scheme_literal=literal(name),
            token_url_literal=literal(token_url),
            scopes_literal="(" + "".join(f"{literal(s)}, " for s in scopes) + ")",
            scopes_doc=one_line(", ".join(scopes)),
            client_id_env=client_id_env,
            client_id_env_literal=literal(client_id_env),
            client_secret_env=client_secret_env,
            client_secret_env_literal=literal(client_secret_env),
        )
    return None


def _required_scopes(spec: dict[str, Any], scheme: str) -> list[str]:
    """The scopes every security requirement of the document names for ``scheme``, in the
    order first met (document first, then the operations in path order)."""
    requirement_lists = [spec.get("security")]
    for item in (spec.get("paths") or {}).values():
        if isinstance(item, dict):
            requirement_lists.extend(
                op.get("security") for op in item.values() if isinstance(op, dict)
            )
    found: list[str] = []
    for requirements in requirement_lists:
        for requirement in requirements if isinstance(requirements, list) else ():
            scopes = requirement.get(scheme) if isinstance(requirement, dict) else None
            for scope in scopes if isinstance(scopes, list) else ():
                if isinstance(scope, str) and scope not in found:
                    found.append(scope)
    return found


def _is_json(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def _response(ctx: SpecContext, operation: dict[str, Any]) -> tuple[ResponseKind, types.Type]:
    """How the 2xx body is read, and its type (the item's type for server-sent events)."""
    responses = operation.get("responses") or {}
    candidates = sorted(((str(s), r) for s, r in responses.items() if str(s).startswith("2")))
    found: list[types.Type] = []
    kind = "empty"
    for _, raw in candidates:
        response = ctx.resolve(raw)
        content = response.get("content") if isinstance(response, dict) else None
        if not isinstance(content, dict) or not content:
            continue
        json_media = next((m for m in content if _is_json(m)), None)
        if json_media is not None:
            schema = (content[json_media] or {}).get("schema")
            found.append(types.of_schema(schema) if schema is not None else types.ANY)
            kind = "json"
        elif "text/event-stream" in content:
            schema = (content["text/event-stream"] or {}).get("schema")
            return "sse", types.of_schema(schema) if schema is not None else types.ANY
        elif any(m.startswith("text/") for m in content) and kind != "json":
            kind = "text"
        elif kind == "empty":
            kind = "binary"
    if kind == "json":
        return "json", types.union(found)
    if kind == "text":
        return "text", types.STR
    if kind == "binary":
        return "binary", types.BYTES
    return "empty", types.NONE


def _errors(
    ctx: SpecContext, operation: dict[str, Any], shadowed: frozenset[str]
) -> tuple[ErrorModel, ...]:
    found = []
    for status, raw in (operation.get("responses") or {}).items():
        status = str(status)
        if status.startswith("2"):
            continue
        response = ctx.resolve(raw)
        content = response.get("content") if isinstance(response, dict) else None
        if not isinstance(content, dict):
            continue
        media = next((m for m in content if _is_json(m)), None)
        schema = (content.get(media) or {}).get("schema") if media else None
        if schema is None:
            continue
        key = (
            literal(int(status))
            if status.isdigit()
            else literal(status.upper() if status != "default" else status)
        )
        model = types.render(types.of_schema(schema), shadowed)
        found.append(ErrorModel(status=status, status_literal=key, model=model))
    return tuple(sorted(found, key=lambda e: (not e.status.isdigit(), e.status)))


def terminal_states(ctx: SpecContext, method: str, operation: dict[str, Any]) -> tuple[str, ...]:
    """What ends a run polled by this operation, sorted: a GET whose first 2xx JSON body has
    a status to poll (``polling``); () for any other operation."""
    if method != "get" or _response(ctx, operation)[0] != "json":
        return ()
    for status, raw in sorted(
        (operation.get("responses") or {}).items(), key=lambda kv: str(kv[0])
    ):
        if not str(status).startswith("2"):
            continue
        content = ctx.resolve(raw).get("content") or {}
        media = next((m for m in content if _is_json(m)), None)
        if media is None:
            continue
        states = polling.terminal_states(ctx.spec, (content[media] or {}).get("schema"))
        return tuple(sorted(set(states or ())))
    return ()


def poll_helper(name: str, states: tuple[str, ...]) -> Poll:
    return Poll(
        name=name,
        terminal_literal="frozenset({" + ", ".join(literal(s) for s in states) + "})",
        terminal_doc=one_line(", ".join(states)),
    )


def _doc(operation: dict[str, Any], params: list[Param], method: str, path: str) -> str:
    parts = [str(operation.get(k)) for k in ("summary", "description") if operation.get(k)]
    if parts and len(parts) == 2 and parts[1].startswith(parts[0]):
        parts = parts[1:]
    text = "\n\n".join(parts) or f"{method.upper()} {path}"
    described = [p for p in params if p.doc]
    lines = [docstring(text)] if text else []
    if operation.get("deprecated"):
        lines.append("Deprecated.")
    if described:
        lines.append("Args:\n" + "\n".join(f"    {p.py_name}: {p.doc}" for p in described))
    return "\n\n".join(line for line in lines if line)
