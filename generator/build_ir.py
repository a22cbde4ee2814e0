"""Build stage: the normalized, hoisted spec -> the IR (``generator.ir``), in one pass.

Returns values, never mutates the spec. Operations keep document order inside a resource;
resources are sorted by name; parameters keep the spec's order (path parameters in the order
they appear in the path). Warnings are returned beside the IR.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from generator import naming, polling, types
from generator.diagnostics import Diagnostic, SpecError, pointer
from generator.ir import Api, Auth, CreateAndPoll, ErrorModel, Operation, Param, Poll, Resource
from generator.literals import docstring, literal, one_line
from generator.load import resolve_pointer
from generator.naming import NameRegistry, PyIdent
from generator.readme import readme
from generator.schemas import operations

_PATH_PARAM = re.compile(r"{([^{}]+)}")
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_IDEMPOTENCY_HEADERS = frozenset({"idempotency-key", "x-idempotency-key"})
_CLIENT_ATTRIBUTES = frozenset(  # members of the generated Client besides its resources
    {
        "with_raw_response",
        "with_options",
        "close",
        "api_key",
        "base_url",
        "timeout",
        "max_retries",
        "copy",
    }
)
_RESOURCE_CLASS_RESERVED = frozenset(
    {"Client", "AsyncClient", "NotGiven", "RawResponse", "Stream", "AsyncStream", "Any", "Literal"}
)


@dataclass(frozen=True, slots=True)
class Target:
    package: str
    spec_name: str
    api_key_env: str | None = None


@dataclass
class _Context:
    spec: dict[str, Any]
    file: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, where: str, message: str) -> None:
        self.diagnostics.append(Diagnostic("warning", where, message, self.file))

    def fail(self, where: str, message: str) -> None:
        self.diagnostics.append(Diagnostic("error", where, message, self.file))

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
            seen += 1
            try:
                node = resolve_pointer(self.spec, node["$ref"])
            except KeyError:
                return {}
        return node


def operation_ids(spec: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Each operation's id: its operationId, or one made from method and path; unique."""
    registry = NameRegistry()
    ids: dict[tuple[str, str], str] = {}
    for path, method, operation, _ in operations(spec):
        given = operation.get("operationId")
        raw = given if isinstance(given, str) and naming.words(given) else f"{method} {path}"
        ids[(path, method)] = registry.claim(PyIdent(naming.to_snake(raw)))
    return ids


def build_ir(spec: dict[str, Any], target: Target, file: str) -> tuple[Api, list[Diagnostic]]:
    ctx = _Context(spec, file)
    ids = operation_ids(spec)
    grouped: dict[str, list[tuple[str, str, dict[str, Any], dict[str, Any]]]] = {}
    for path, method, operation, item in operations(spec):
        tags = operation.get("tags")
        tag = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else ""
        grouped.setdefault(tag, []).append((path, method, operation, item))
    client_names = NameRegistry(_CLIENT_ATTRIBUTES)
    class_names = NameRegistry(_RESOURCE_CLASS_RESERVED)
    resources: list[Resource] = []
    root_ops: tuple[Operation, ...] = ()
    for tag in sorted(grouped, key=lambda t: (t == "", naming.to_snake(t))):
        resource_words = naming.words(tag)
        reserved = client_names.taken() if not tag else frozenset({"with_raw_response"})
        ops = _build_operations(ctx, grouped[tag], ids, resource_words, reserved)
        if not tag:
            root_ops = ops
            continue
        attr = client_names.claim(naming.to_identifier(tag, naming.CLIENT_PARAMETERS))
        resources.append(
            Resource(
                attr=attr,
                class_name=class_names.claim_class(naming.to_class_name(tag)),
                doc=one_line(_tag_description(spec, tag)) or tag,
                operations=ops,
            )
        )
    errors = [d for d in ctx.diagnostics if d.level == "error"]
    if errors:
        raise SpecError(errors)
    api = _api(ctx, target, tuple(resources), root_ops)
    return api, ctx.diagnostics


def _tag_description(spec: dict[str, Any], tag: str) -> str:
    for entry in spec.get("tags") or []:
        if isinstance(entry, dict) and entry.get("name") == tag:
            return str(entry.get("description") or "")
    return ""


def _build_operations(
    ctx: _Context,
    entries: list[tuple[str, str, dict[str, Any], dict[str, Any]]],
    ids: dict[tuple[str, str], str],
    resource_words: list[str],
    reserved: frozenset[str],
) -> tuple[Operation, ...]:
    method_names = NameRegistry(reserved)
    built: list[Operation] = []
    for path, method, operation, item in entries:
        name = method_names.claim(naming.to_method_name(ids[(path, method)], resource_words))
        op = _operation(ctx, path, method, operation, item, name, ids[(path, method)])
        if op is not None:
            built.append(op)
    pollable = [op.path for op in built if op.poll is not None]
    by_path: dict[tuple[str, str], Operation] = {}
    for index, op in enumerate(built):
        poll = op.poll
        if poll is not None:
            # /runs/{id}/result beside a pollable /runs/{id}: poll the resource, not its parts
            if any(op.path.startswith(other + "/") for other in pollable):
                op = replace(op, poll=None)
            else:
                poll_name = method_names.claim(PyIdent(f"poll_{op.name}"))
                op = replace(op, poll=replace(poll, name=poll_name))
            built[index] = op
        by_path[(op.path, op.http_method.lower())] = op
    ops = _with_create_and_poll(ctx, built, by_path, method_names)
    return _qualified(ops, frozenset(op.name for op in ops))


def _qualified(ops: list[Operation], method_names: frozenset[str]) -> tuple[Operation, ...]:
    """Annotations of one class, with builtins that its methods shadow written ``builtins.X``."""
    shadowed = method_names & frozenset(types.BUILTIN_TYPES)
    if not shadowed:
        return tuple(ops)

    def fix(text: str) -> str:
        return types.qualify_builtins(text, shadowed)

    def fix_param(param: Param | None) -> Param | None:
        return None if param is None else replace(param, annotation=fix(param.annotation))

    fixed = []
    for op in ops:
        changes: dict[str, Any] = {
            "return_annotation": fix(op.return_annotation),
            "cast_to": fix(op.cast_to),
            "errors": tuple(replace(e, model=fix(e.model)) for e in op.errors),
            "body_param": fix_param(op.body_param),
        }
        for group in (
            "path_params",
            "keyword_params",
            "query_params",
            "header_params",
            "cookie_params",
            "body_params",
        ):
            changes[group] = tuple(fix_param(p) for p in getattr(op, group))
        if op.create_and_poll is not None:
            changes["create_and_poll"] = replace(
                op.create_and_poll, returns=fix(op.create_and_poll.returns)
            )
        fixed.append(replace(op, **changes))
    return tuple(fixed)


def _with_create_and_poll(
    ctx: _Context,
    built: list[Operation],
    by_path: dict[tuple[str, str], Operation],
    names: NameRegistry,
) -> list[Operation]:
    result = []
    for op in built:
        if op.http_method == "POST" and op.response_kind == "json":
            for (path, method), target in by_path.items():
                if method != "get" or target.poll is None:
                    continue
                parent, _, last = path.rpartition("/")
                if parent != op.path or len(target.path_params) != len(op.path_params) + 1:
                    continue
                param = _PATH_PARAM.fullmatch(last)
                if not param:
                    continue
                schema = _success_schema(ctx, op)
                id_wire = (
                    polling.id_attribute(
                        ctx.spec, schema, param.group(1), parent.rsplit("/", 1)[-1]
                    )
                    if schema
                    else None
                )
                if id_wire is None:
                    continue
                if any(p.required for p in target.keyword_params):
                    continue
                create = CreateAndPoll(
                    names.claim(PyIdent(f"{op.name}_and_poll")),
                    target.poll.name,
                    literal(id_wire),
                    target.return_annotation,
                )
                op = replace(op, create_and_poll=create)
                break
        result.append(op)
    return result


def _success_schema(ctx: _Context, op: Operation) -> Any:
    operation = ctx.spec["paths"][op.path][op.http_method.lower()]
    for status, response in sorted(
        (operation.get("responses") or {}).items(), key=lambda kv: str(kv[0])
    ):
        if str(status).startswith("2"):
            content = ctx.resolve(response).get("content") or {}
            for media, body in content.items():
                if _is_json(media) and isinstance(body, dict):
                    return body.get("schema")
    return None


def _operation(
    ctx: _Context,
    path: str,
    method: str,
    operation: dict[str, Any],
    item: dict[str, Any],
    name: str,
    operation_id: str,
) -> Operation | None:
    where = pointer("paths", path, method)
    params = _merged_parameters(ctx, operation, item)
    registry = NameRegistry(naming.CLIENT_PARAMETERS)
    path_params = []
    declared = {p["name"]: p for p in params if p.get("in") == "path"}
    for wire in _PATH_PARAM.findall(path):
        if wire not in declared:
            ctx.fail(where, f"path parameter {{{wire}}} is not declared in `parameters`")
            continue
        path_params.append(_param(ctx, declared[wire], "path", registry, required=True))
    by_location: dict[str, list[Param]] = {"query": [], "header": [], "cookie": []}
    for raw in params:
        location = raw.get("in")
        if location not in by_location:
            continue
        if location == "header" and str(raw.get("name", "")).lower() in _IGNORED_HEADERS:
            continue
        by_location[location].append(
            _param(ctx, raw, location, registry, bool(raw.get("required")))
        )
    body_params, body_param, has_body, body_required = _body(ctx, operation, registry, where)
    response_kind, returns, cast_to = _response(ctx, operation, where)
    keyword_params = (
        *by_location["query"],
        *by_location["header"],
        *by_location["cookie"],
        *body_params,
    )
    if body_param is not None:
        keyword_params = (*keyword_params, body_param)
    idempotency = next(
        (
            p.wire_literal
            for p in by_location["header"]
            if p.wire_name.lower() in _IDEMPOTENCY_HEADERS
        ),
        None,
    )
    poll = None
    if method == "get" and response_kind == "json":
        poll = _poll(ctx, operation)
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
        header_params=tuple(by_location["header"]),
        cookie_params=tuple(by_location["cookie"]),
        body_params=tuple(body_params),
        body_param=body_param,
        has_body=has_body,
        raw_body=body_param is not None and body_param.annotation.startswith("bytes"),
        body_required=body_required,
        response_kind=response_kind,
        return_annotation=returns,
        cast_to=cast_to,
        errors=_errors(ctx, operation),
        idempotency_header=idempotency,
        authenticated=operation.get("security") != [],
        deprecated=bool(operation.get("deprecated")),
        poll=poll,
        create_and_poll=None,
    )


def _merged_parameters(
    ctx: _Context, operation: dict[str, Any], item: dict[str, Any]
) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        param = ctx.resolve(raw)
        if isinstance(param, dict) and isinstance(param.get("name"), str):
            merged[(param["name"], str(param.get("in")))] = param
    return list(merged.values())


def _param(
    ctx: _Context, raw: dict[str, Any], location: str, registry: NameRegistry, required: bool
) -> Param:
    schema = (
        ctx.resolve(raw.get("schema")) if "$ref" not in (raw.get("schema") or {}) else raw["schema"]
    )
    if not isinstance(schema, dict) and isinstance(raw.get("content"), dict):
        schema = next((c.get("schema") for c in raw["content"].values() if isinstance(c, dict)), {})
    wire = raw["name"]
    annotation = types.annotation(schema)
    return _make_param(
        wire,
        location,
        annotation,
        required,
        registry,
        raw.get("description") or (schema or {}).get("description"),
    )


def _make_param(
    wire: str,
    location: Any,
    annotation: str,
    required: bool,
    registry: NameRegistry,
    description: Any,
) -> Param:
    py_name = registry.claim(naming.to_identifier(wire, naming.CLIENT_PARAMETERS))
    return Param(
        wire_name=wire,
        wire_literal=literal(wire),
        py_name=py_name,
        location=location,
        annotation=annotation if required else f"{annotation} | NotGiven",
        required=required,
        default="" if required else "NOT_GIVEN",
        doc=one_line(description),
    )


def _body(
    ctx: _Context, operation: dict[str, Any], registry: NameRegistry, where: str
) -> tuple[list[Param], Param | None, bool, bool]:
    body = ctx.resolve(operation.get("requestBody"))
    if not isinstance(body, dict) or not isinstance(body.get("content"), dict):
        return [], None, False, False
    required = bool(body.get("required"))
    content = body["content"]
    media = next((m for m in content if _is_json(m)), None)
    if media is None:
        ctx.warn(
            where + "/requestBody",
            f"request media types {sorted(content)} are not supported yet; "
            "the body is sent as raw bytes",
        )
        param = _make_param("body", "body", "bytes", required, registry, body.get("description"))
        return [], param, True, required
    schema = content[media].get("schema") if isinstance(content[media], dict) else None
    properties, required_names = polling.object_properties(ctx.spec, schema)
    resolved = polling.deref(ctx.spec, schema)
    if (
        properties
        and not resolved.get("additionalProperties")
        and not resolved.get("anyOf")
        and not resolved.get("oneOf")
    ):
        params = []
        for wire, prop in properties.items():
            if (
                not isinstance(prop, dict)
                or ctx.resolve(prop).get("readOnly")
                or prop.get("readOnly")
            ):
                continue
            params.append(
                _make_param(
                    wire,
                    "body",
                    types.annotation(prop),
                    required and wire in required_names,
                    registry,
                    prop.get("description") or ctx.resolve(prop).get("description"),
                )
            )
        return params, None, True, required
    param = _make_param(
        "body", "body", types.annotation(schema), required, registry, body.get("description")
    )
    return [], param, True, required


def _is_json(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def _response(ctx: _Context, operation: dict[str, Any], where: str) -> tuple[Any, str, str]:
    responses = operation.get("responses") or {}
    candidates = sorted(((str(s), r) for s, r in responses.items() if str(s).startswith("2")))
    annotations: list[str] = []
    kind = "empty"
    for _, raw in candidates:
        response = ctx.resolve(raw)
        content = response.get("content") if isinstance(response, dict) else None
        if not isinstance(content, dict) or not content:
            continue
        json_media = next((m for m in content if _is_json(m)), None)
        if json_media is not None:
            schema = (content[json_media] or {}).get("schema")
            annotations.append(types.annotation(schema) if schema is not None else "Any")
            kind = "json"
        elif "text/event-stream" in content:
            schema = (content["text/event-stream"] or {}).get("schema")
            event = types.annotation(schema) if schema is not None else "Any"
            return "sse", event, event
        elif any(m.startswith("text/") for m in content) and kind != "json":
            kind = "text"
        elif kind == "empty":
            kind = "binary"
    if kind == "json":
        annotation = types.union(annotations)
        return "json", annotation, annotation
    return {"text": ("text", "str", "str"), "binary": ("binary", "bytes", "bytes")}.get(
        kind, ("empty", "None", "None")
    )


def _errors(ctx: _Context, operation: dict[str, Any]) -> tuple[ErrorModel, ...]:
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
        found.append(ErrorModel(status=status, status_literal=key, model=types.annotation(schema)))
    return tuple(sorted(found, key=lambda e: (not e.status.isdigit(), e.status)))


def _poll(ctx: _Context, operation: dict[str, Any]) -> Poll | None:
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
        if states:
            ordered = sorted(set(states))
            return Poll(
                name="",
                terminal_literal="frozenset({" + ", ".join(literal(s) for s in ordered) + "})",
                terminal_doc=", ".join(ordered),
            )
        return None
    return None


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


def _api(
    ctx: _Context, target: Target, resources: tuple[Resource, ...], root_ops: tuple[Operation, ...]
) -> Api:
    spec = ctx.spec
    info = spec.get("info") or {}
    title = str(info.get("title") or target.package)
    prefix = naming.env_var_prefix(target.package)
    api_key_env = target.api_key_env or f"{prefix}_API_KEY"
    base_url_env = f"{prefix}_BASE_URL"
    all_ops = [op for r in resources for op in r.operations] + list(root_ops)
    api = Api(
        package=target.package,
        distribution=target.package.replace("_", "-"),
        version=_pep440(str(info.get("version", ""))),
        title=one_line(title),
        title_literal=literal(title),
        title_toml=json.dumps(one_line(title, limit=120)),
        doc=docstring(info.get("description")),
        spec_name=target.spec_name,
        base_url_literal=literal(_base_url(ctx)),
        api_key_env_literal=literal(api_key_env),
        api_key_env=api_key_env,
        base_url_env_literal=literal(base_url_env),
        base_url_env=base_url_env,
        auth=_auth(ctx),
        resources=resources,
        operations=root_ops,
        model_names=tuple(sorted((spec.get("components") or {}).get("schemas") or {})),
        readme=None,
        operation_count=len(all_ops),
    )
    return replace(api, readme=readme(api, spec))


def _pep440(version: str) -> str:
    return (
        version
        if re.fullmatch(r"\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", version)
        else "0.0.0"
    )


def _base_url(ctx: _Context) -> str:
    servers = ctx.spec.get("servers") or []
    server = servers[0] if servers and isinstance(servers[0], dict) else {}
    url = str(server.get("url") or "")
    for name, variable in (server.get("variables") or {}).items():
        if isinstance(variable, dict):
            url = url.replace("{" + name + "}", str(variable.get("default", "")))
    return url.rstrip("/")


def _auth(ctx: _Context) -> Auth:
    schemes = (ctx.spec.get("components") or {}).get("securitySchemes") or {}
    requirements = ctx.spec.get("security")
    if requirements is None:
        requirements = [{name: []} for name in schemes]
    optional = any(isinstance(r, dict) and not r for r in requirements)
    for requirement in requirements:
        if not isinstance(requirement, dict):
            continue
        for name in requirement:
            scheme = ctx.resolve(schemes.get(name))
            auth = _scheme(scheme, not optional)
            if auth is not None:
                return auth
            ctx.warn(
                pointer("components", "securitySchemes", name),
                f"security scheme {name!r} is not supported; requests are sent without it",
            )
    return Auth(kind="none", name_literal="''", required=False, description="")


def _scheme(scheme: Any, required: bool) -> Auth | None:
    if not isinstance(scheme, dict):
        return None
    kind = scheme.get("type")
    description = one_line(scheme.get("description"))
    if (kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer") or kind in (
        "oauth2",
        "openIdConnect",
    ):
        return Auth("bearer", literal("Authorization"), required, description)
    if kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
        return Auth("basic", literal("Authorization"), required, description)
    if (
        kind == "apiKey"
        and scheme.get("in") in ("header", "query", "cookie")
        and isinstance(scheme.get("name"), str)
    ):
        return Auth(scheme["in"], literal(scheme["name"]), required, description)
    return None
