"""Build stage: the normalized, hoisted spec -> the IR (``generator.ir.nodes``), in one pass.

Returns values, never mutates the spec. Operations keep document order inside a resource;
resources are sorted by name; parameters keep the spec's order (path parameters in the order
they appear in the path). Warnings are returned beside the IR.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from generator import naming
from generator.config import HTTP_LIBRARIES, Target
from generator.diagnostics import Diagnostic, SpecError, pointer
from generator.ir import pagers, polling, types
from generator.ir.model_index import model_index
from generator.ir.nodes import (
    Api,
    Auth,
    AuthScheme,
    CreateAndPoll,
    LazyModels,
    Operation,
    Resource,
    Webhooks,
    every_resource,
)
from generator.ir.operations import (
    PATH_PARAM,
    SpecContext,
    build_operation,
    oauth2_flow,
    poll_helper,
    security_literal,
    terminal_states,
)
from generator.ir.readme import OperationText, operation_text, readme
from generator.ir.resources import PathPlan, azure_style, restates, tagged_rest_name
from generator.ir.webhooks import build_webhooks
from generator.literals import comment, docstring, literal, one_line, toml_string
from generator.naming import NameRegistry, PyIdent
from generator.spec.prepare import operation_ids
from generator.spec.schemas import operations

_CLIENT_ATTRIBUTES = frozenset(  # members of the generated Client besides its resources
    {
        "with_raw_response",
        "with_streaming_response",
        "with_options",
        "close",
        "api_key",
        "base_url",
        "timeout",
        "max_retries",
        "copy",
    }
)
# Members of every resource class besides its operations.
_RESOURCE_MEMBERS = frozenset({"with_raw_response", "with_streaming_response"})
# Names the client modules define or import: a resource class named so would shadow them there.
_RESOURCE_CLASS_RESERVED = frozenset(
    {
        "Client",
        "AsyncClient",
        "ClientWithRawResponse",
        "AsyncClientWithRawResponse",
        "ClientWithStreamingResponse",
        "AsyncClientWithStreamingResponse",
        "NotGiven",
        "RawResponse",
        "Stream",
        "AsyncStream",
        "Any",
        "Literal",
        "Awaitable",
        "Callable",
        "TracebackType",
        "TypeVar",
    }
)


Entry = tuple[str, str, dict[str, Any], dict[str, Any]]  # path, method, operation, path item


@dataclass
class _Node:
    """One resource being gathered: its operations (with the name each asks for) and children."""

    label: str  # the tag or path segment, for its class name and doc
    doc: str
    entries: list[tuple[Entry, str | None]] = field(default_factory=list)
    children: dict[str, _Node] = field(default_factory=dict)


def build_ir(spec: dict[str, Any], target: Target, file: str) -> tuple[Api, list[Diagnostic]]:
    ctx = SpecContext(spec, file)
    ids = operation_ids(spec)
    entries = list(operations(spec))
    plan = PathPlan([(path, method) for path, method, _, _ in entries])
    flat = target.resources == "flat"
    tree: dict[str, _Node] = {}
    root: list[tuple[Entry, str | None]] = []
    for entry in entries:
        path, method, operation, _ = entry
        tags = operation.get("tags")
        tag = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else ""
        given = operation.get("operationId")
        given = given if isinstance(given, str) and naming.words(given) else ""
        noisy = not given or restates(given, method, path)
        if tag:
            node = tree.setdefault(
                naming.to_snake(tag), _Node(tag, one_line(_tag_description(spec, tag)))
            )
            name = None if flat or not noisy else tagged_rest_name(path, method, tag, plan)
            node.entries.append((entry, name))
            continue
        if flat:
            root.append((entry, None))
            continue
        azure = azure_style(given)
        if azure is not None:
            node = tree.setdefault(naming.to_snake(azure[0]), _Node(azure[0], ""))
            node.entries.append((entry, naming.to_snake(azure[1])))
            continue
        placed = plan.place(path, method)
        if not placed.chain:
            root.append((entry, None))
            continue
        nodes = tree
        for key, label, prefix in zip(placed.chain, placed.labels, placed.prefixes, strict=True):
            node = nodes.setdefault(key, _Node(label, one_line(f"``{prefix}``")))
            nodes = node.children
        # an operationId that only names its resource (`health` for GET /health): REST name
        own = naming.to_method_name(given, naming.words(placed.labels[-1])) if given else ""
        named_by_path = noisy or naming.words(own) == naming.words(placed.labels[-1])
        node.entries.append((entry, placed.rest_name if named_by_path else None))
    events = build_webhooks(ctx, target.package, target.api_key_env, target.webhook_signature)
    hooked = events is not None  # client.webhooks: its name and class are taken
    client_names = NameRegistry(_CLIENT_ATTRIBUTES | ({"webhooks"} if hooked else set()))
    class_names = NameRegistry(_RESOURCE_CLASS_RESERVED | ({"Webhooks"} if hooked else set()))
    module_names = NameRegistry(naming.RESERVED_MODULE_NAMES)
    overrides = json.loads(target.pagination) if target.pagination else {}
    builder = _TreeBuilder(ctx, ids, class_names, module_names, target.package, overrides)
    resources = builder.build(tree, client_names, "", ())
    root_ops: tuple[Operation, ...] = ()
    if root:
        names = NameRegistry(client_names.taken())
        ops = _build_operations(ctx, root, ids, [], names, "the client", builder.texts)
        root_ops = pagers.attach_pagers(ctx, ops, "", class_names, target.package, overrides)
    pagers.check_overrides(ctx, overrides, target.package)
    errors = [d for d in ctx.diagnostics if d.level == "error"]
    if errors:
        raise SpecError(errors)
    api = _api(ctx, target, tuple(resources), root_ops, events, builder.texts)
    return api, ctx.diagnostics


class _TreeBuilder:
    """Resources from the gathered nodes, depth first: names are claimed in one order."""

    def __init__(
        self,
        ctx: SpecContext,
        ids: dict[tuple[str, str], str],
        class_names: NameRegistry,
        module_names: NameRegistry,
        package: str,
        overrides: dict[str, Any],
    ) -> None:
        self.ctx, self.ids, self.package, self.overrides = ctx, ids, package, overrides
        self.class_names, self.module_names = class_names, module_names
        self.texts: dict[tuple[str, str], OperationText] = {}  # for the README

    def build(
        self, nodes: dict[str, _Node], names: NameRegistry, parent: str, words: tuple[str, ...]
    ) -> list[Resource]:
        # a resource is a property of the client: named like a builtin, it would shadow it
        reserved_attrs = naming.CLIENT_PARAMETERS | types.BUILTIN_TYPES
        built = []
        for key in sorted(nodes):
            node = nodes[key]
            wanted = naming.to_identifier(node.label, reserved_attrs)
            attr = names.claim(wanted)
            where = f"client.{parent}" if parent else "the client"
            if attr != wanted:
                self._clash(node, f"`{wanted}` is taken in {where}; this resource is `{attr}`")
            attr_path = f"{parent}.{attr}" if parent else attr
            chain = (*words, node.label)
            class_name = _claim_resource_class(
                self.class_names, naming.to_class_name(" ".join(chain))
            )
            members = NameRegistry(_RESOURCE_MEMBERS)
            ops = _build_operations(
                self.ctx,
                node.entries,
                self.ids,
                naming.words(node.label),
                members,
                f"client.{attr_path}",
                self.texts,
            )
            ops = pagers.attach_pagers(
                self.ctx, ops, class_name, self.class_names, self.package, self.overrides
            )
            children = self.build(node.children, members, attr_path, chain)
            built.append(
                Resource(
                    attr=attr,
                    module=self.module_names.claim(
                        PyIdent(attr_path.replace(".", "_")) if parent else attr
                    ),
                    class_name=class_name,
                    classes=naming.resource_classes(class_name),
                    doc=node.doc or one_line(node.label),
                    operations=ops,
                    children=tuple(children),
                    attr_path=attr_path,
                )
            )
        return built

    def _clash(self, node: _Node, message: str) -> None:
        entry = _first_entry(node)
        self.ctx.warn(pointer("paths", entry[0], entry[1]) if entry else "#", message)


def _first_entry(node: _Node) -> Entry | None:
    if node.entries:
        return node.entries[0][0]
    for child in node.children.values():
        found = _first_entry(child)
        if found:
            return found
    return None


def _resource_classes(name: str) -> tuple[str, ...]:
    """The classes a resource named ``name`` defines, sync and async (resource.py.jinja)."""
    return tuple(
        c for f in naming.resource_classes(name).values() for c in (f.name, f.raw, f.streaming)
    )


def _claim_resource_class(names: NameRegistry, name: PyIdent) -> PyIdent:
    """``name``, or ``name2``, ``name3`` ..., the first whose classes are all free: tags
    ``Runs``, ``RunsWithRawResponse`` and ``AsyncRuns`` would otherwise define one class
    twice in the client module's imports."""
    candidate, index = name, 1
    while any(c in names for c in _resource_classes(candidate)):
        index += 1
        candidate = PyIdent(f"{name}{index}")
    for taken in _resource_classes(candidate):
        names.claim_class(PyIdent(taken))
    return candidate


def _tag_description(spec: dict[str, Any], tag: str) -> str:
    for entry in spec.get("tags") or []:
        if isinstance(entry, dict) and entry.get("name") == tag:
            return str(entry.get("description") or "")
    return ""


def _method_name(
    ctx: SpecContext,
    entry: Entry,
    wanted: str | None,
    operation_id: str,
    resource_words: list[str],
    method_names: NameRegistry,
    where: str,
) -> PyIdent:
    """The operation's method name: the REST name it asks for (``wanted``) when free, else
    that name with its HTTP method; from the operationId when it asks for none."""
    reserved = naming.CLIENT_PARAMETERS | naming.TEMPLATE_BUILTINS
    if wanted is None:
        return method_names.claim(naming.to_method_name(operation_id, resource_words))
    first = naming.to_identifier(wanted, reserved)
    if first not in method_names:
        return method_names.claim(first)
    path, method = entry[0], entry[1]
    second = naming.to_identifier(f"{wanted}_{method}", reserved)
    name = method_names.claim(second)
    ctx.warn(
        pointer("paths", path, method),
        f"method `{first}` of {where} is taken by another operation; this one is `{name}`",
    )
    return name


def _build_operations(
    ctx: SpecContext,
    entries: list[tuple[Entry, str | None]],
    ids: dict[tuple[str, str], str],
    resource_words: list[str],
    method_names: NameRegistry,
    where: str,
    texts: dict[tuple[str, str], OperationText],
) -> tuple[Operation, ...]:
    """The operations of one class. Names are claimed first, in one order (methods, then
    poll helpers, then create-and-poll helpers), so that each operation is built whole."""
    named = []
    for entry, wanted in entries:
        path, method, operation, _ = entry
        operation_id = ids[(path, method)]
        name = _method_name(ctx, entry, wanted, operation_id, resource_words, method_names, where)
        named.append((entry, name, operation_id, terminal_states(ctx, method, operation)))
    pollable = [entry[0] for entry, _, _, states in named if states]
    methods = frozenset(name for _, name, _, _ in named)
    built: list[Operation] = []
    for entry, name, operation_id, states in named:
        path, method, operation, item = entry
        poll = None
        # /runs/{id}/result beside a pollable /runs/{id}: poll the resource, not its parts
        if states and not any(path.startswith(other + "/") for other in pollable):
            poll = poll_helper(method_names.claim(PyIdent(f"poll_{name}")), states)
        built.append(
            build_operation(ctx, path, method, operation, item, name, operation_id, poll, methods)
        )
        texts[(path, method)] = operation_text(operation, item)
    return tuple(_with_create_and_poll(built, method_names))


def _with_create_and_poll(built: list[Operation], names: NameRegistry) -> list[Operation]:
    """A POST that starts a run polled by a GET one segment below it gets ``<name>_and_poll``."""
    by_path = {(op.path, op.http_method.lower()): op for op in built}
    result = []
    for op in built:
        if op.http_method == "POST" and op.response_kind == "json":
            for (path, method), target in by_path.items():
                if method != "get" or target.poll is None:
                    continue
                parent, _, last = path.rpartition("/")
                if parent != op.path or len(target.path_params) != len(op.path_params) + 1:
                    continue
                param = PATH_PARAM.fullmatch(last)
                if not param:
                    continue
                collection = parent.rsplit("/", 1)[-1]
                id_wire = polling.id_attribute(op.response_fields, param.group(1), collection)
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


_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")


def _install_path(target: Target) -> str:
    """The folder ``pip install ./...`` names in the README: the target's location where it
    is a plain relative path (no spaces, quotes or ``..``), else the package's own name."""
    location = target.location.removeprefix("./").rstrip("/")
    plain = _PLAIN_PATH.fullmatch(location) and ".." not in location.split("/")
    return location if plain else target.package


def _api(
    ctx: SpecContext,
    target: Target,
    resources: tuple[Resource, ...],
    root_ops: tuple[Operation, ...],
    webhooks: Webhooks | None,
    texts: dict[tuple[str, str], OperationText],
) -> Api:
    spec = ctx.spec
    info = spec.get("info") or {}
    title = str(info.get("title") or target.package)
    prefix = naming.env_var_prefix(target.package)
    api_key_env = target.api_key_env or f"{prefix}_API_KEY"
    base_url_env = f"{prefix}_BASE_URL"
    return Api(
        package=target.package,
        distribution=target.package.replace("_", "-"),
        install_path=_install_path(target),
        version=_pep440(str(info.get("version", ""))),
        title=one_line(title),
        title_literal=literal(title),
        title_toml=toml_string(" ".join(title.split())[:120]),
        doc=docstring(info.get("description")),
        spec_name=comment(target.spec_name),
        base_url_literal=literal(_base_url(ctx)),
        api_key_env_literal=literal(api_key_env),
        api_key_env=api_key_env,
        http=target.http,
        http_requirement=HTTP_LIBRARIES[target.http],
        log_env=f"{prefix}_LOG",
        base_url_env_literal=literal(base_url_env),
        base_url_env=base_url_env,
        auth=_auth(ctx),
        auth_schemes=_auth_schemes(ctx),
        security_literal=security_literal(_document_security(ctx)),
        resources=resources,
        operations=root_ops,
        model_index=LazyModels(partial(model_index, spec)),
        model_count=len((spec.get("components") or {}).get("schemas") or {}),
        readme=readme(resources, root_ops, texts),
        operation_count=sum(len(r.operations) for r in every_resource(resources)) + len(root_ops),
        oauth2=oauth2_flow(ctx, prefix),
        webhooks=webhooks,
    )


def _pep440(version: str) -> str:
    return (
        version
        if re.fullmatch(r"\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", version)
        else "0.0.0"
    )


def _base_url(ctx: SpecContext) -> str:
    servers = ctx.spec.get("servers") or []
    server = servers[0] if servers and isinstance(servers[0], dict) else {}
    url = str(server.get("url") or "")
    for name, variable in (server.get("variables") or {}).items():
        if isinstance(variable, dict):
            url = url.replace("{" + name + "}", str(variable.get("default", "")))
    return url.rstrip("/")


def _document_security(ctx: SpecContext) -> list[Any]:
    """The document's ``security``; without one, any of its schemes, in order."""
    requirements = ctx.spec.get("security")
    if isinstance(requirements, list):
        return requirements
    schemes = (ctx.spec.get("components") or {}).get("securitySchemes") or {}
    return [{name: []} for name in schemes] if isinstance(schemes, dict) else []


def _auth_schemes(ctx: SpecContext) -> tuple[AuthScheme, ...]:
    schemes = (ctx.spec.get("components") or {}).get("securitySchemes") or {}
    found = []
    for name, raw in sorted(schemes.items()) if isinstance(schemes, dict) else ():
        auth = _scheme(ctx.resolve(raw), False)
        if auth is not None:
            found.append(AuthScheme(literal(name), auth.kind, auth.name_literal))
    return tuple(found)


def _auth(ctx: SpecContext) -> Auth:
    schemes = (ctx.spec.get("components") or {}).get("securitySchemes") or {}
    requirements = _document_security(ctx)
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
