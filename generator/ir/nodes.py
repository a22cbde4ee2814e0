"""The intermediate representation: plain frozen data, ready-to-print strings.

Templates see only these values. Every string meant for code is already safe to print:
identifiers come from ``naming``, literals and docstrings from ``literals``, annotations are
complete type expressions (``models.TaskRun | None``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from generator.ir.types import Type
from generator.naming import ResourceClasses

ParamLocation = Literal["path", "query", "header", "cookie", "body"]
ResponseKind = Literal["json", "text", "binary", "empty", "sse"]
AuthKind = Literal["bearer", "basic", "header", "query", "cookie", "none"]


@dataclass(frozen=True, slots=True)
class Param:
    wire_name: str  # as the API spells it
    wire_literal: str  # repr of wire_name, safe to print
    py_name: str
    location: ParamLocation
    annotation: str  # the type as the caller sees it ("str", "models.Foo | None | NotGiven")
    type: Type  # the value's type, as data: no NotGiven, builtins never qualified
    required: bool
    default: str  # printed default for an optional parameter ("NOT_GIVEN", "None", "10")
    doc: str  # one line, safe inside a docstring
    # query serialization other than form+explode: csv, ssv, pipes, deep, json (a parameter
    # with JSON `content`); path serialization
    # other than simple: simple*, label, label*, matrix, matrix* (* for explode)
    style: str = ""


@dataclass(frozen=True, slots=True)
class ErrorModel:
    status: str  # "404", "4XX", "default"
    status_literal: str  # 404, "4XX", "default" (printable dict key)
    model: str  # "models.ErrorResponse"


@dataclass(frozen=True, slots=True)
class Poll:
    name: str  # "poll_retrieve"
    terminal_literal: str  # 'frozenset({"completed", "failed"})'
    terminal_doc: str  # "completed, failed"


@dataclass(frozen=True, slots=True)
class CreateAndPoll:
    name: str  # "create_and_poll"
    poll_name: str  # "poll_retrieve", a method of the same resource
    id_attr: str  # literal: the create response's field (wire name) holding the run's id
    returns: str  # the polled operation's return annotation


@dataclass(frozen=True, slots=True)
class Pager:
    """A list operation's pager (``generator.ir.pagination``), ready to print."""

    style: str  # "cursor", "last_id", "next_url", "link", "offset", "page"
    runtime: str  # "_pagination.Pager(style='cursor', ...)"
    item: str  # the item annotation: "models.GenerationListItem"
    page_class: str  # "GenerationsListPage" (sync; "Async" + it), "" when the body is an array
    page_model: str  # the page class's model base: "models.GenerationsCursorPage", or ""
    sync_page: str  # what the sync method returns: "GenerationsListPage"
    async_page: str  # what the async page is: "AsyncGenerationsListPage"
    summary: str  # "cursor: meta.next_cursor -> cursor"
    source: str  # "detected", "x-speakeasy-pagination", "x-fern-pagination", "config"


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    operation_id: str
    http_method: str  # "GET"
    path_literal: str  # repr of the path template
    path: str
    doc: str  # docstring body, safe
    path_params: tuple[Param, ...]
    keyword_params: tuple[Param, ...]  # query, header, cookie and body parameters in order
    query_params: tuple[Param, ...]
    styled_path: tuple[Param, ...]  # the path parameters with a non-default style
    styled_query: tuple[Param, ...]  # the query parameters with a non-default style
    header_params: tuple[Param, ...]
    cookie_params: tuple[Param, ...]
    body_params: tuple[Param, ...]  # properties of a JSON object body
    body_param: Param | None  # the whole body as one argument (not an object, or raw content)
    has_body: bool
    body_keyword: str  # the RequestOptions field taking it: json, form, multipart or content
    body_required: bool
    body_optional: bool  # properties as arguments, body not required: all left out -> no body
    content_type_literal: str  # the declared request media type where the runtime's default differs
    accept_literal: str  # the Accept header where not application/json: the responses' types
    response_kind: ResponseKind
    return_annotation: str  # "models.TaskRun", "None", "bytes", "str", "models.Event" (sse item)
    returns: Type  # the same, as data
    cast_to: str  # a runtime type expression, or "None"
    errors: tuple[ErrorModel, ...]
    idempotency_header: str | None  # literal of the header name
    security_literal: str  # the operation's own `security` as alternatives of scheme names, or ""
    deprecated: bool
    poll: Poll | None
    create_and_poll: CreateAndPoll | None
    pager: Pager | None = None
    # a POST's JSON success body: its properties' wire names (where create-and-poll finds the id)
    response_fields: tuple[str, ...] = ()

    @property
    def doc_multiline(self) -> bool:
        return "\n" in self.doc


@dataclass(frozen=True, slots=True)
class ModelField:
    """A property of an object model (``allOf`` members merged), or a parameter, compared."""

    name: str  # the wire name (a parameter's: its Python name)
    type: Type
    required: bool


ModelKind = Literal["object", "enum", "alias"]


@dataclass(frozen=True, slots=True)
class Model:
    """One component schema as ``clientgen diff`` sees it: an object is its fields; an enum
    or an alias is the one type it stands for."""

    name: str  # the class name in the models package
    kind: ModelKind
    type: Type | None  # an enum's or alias's type; None for an object
    fields: tuple[ModelField, ...]  # an object's properties


@dataclass(frozen=True, slots=True)
class Resource:
    attr: str  # "task_runs"
    module: str  # "task_runs": <package>/resources/task_runs.py (the attr, unless reserved)
    class_name: str  # "TaskRuns"
    classes: Mapping[str, ResourceClasses]  # flavour -> its classes ("AsyncTaskRuns", ...)
    doc: str
    operations: tuple[Operation, ...]
    children: tuple[Resource, ...] = ()  # nested resources, attributes of this one
    attr_path: str = ""  # from the client: "customers.sources"

    @property
    def paged(self) -> tuple[Operation, ...]:
        """The operations with a pager whose page is a class of this module."""
        return paged(self.operations)

    @property
    def has_pagers(self) -> bool:
        return any(op.pager for op in self.operations)


@dataclass(frozen=True, slots=True)
class Auth:
    kind: AuthKind
    name_literal: str  # header / query / cookie name, as a literal
    required: bool
    description: str

    @property
    def is_basic(self) -> bool:
        """HTTP basic: the client's ``api_key`` is ``"user:password"``."""
        return self.kind == "basic"


@dataclass(frozen=True, slots=True)
class AuthScheme:
    """One security scheme the client can send: ``key_literal: (kind, name)`` in its config."""

    key_literal: str  # the scheme's name in components.securitySchemes, as a literal
    kind: AuthKind
    name_literal: str  # header / query / cookie name, as a literal


@dataclass(frozen=True, slots=True)
class OAuth2:
    """An OAuth2 client-credentials flow the client runs (``oauth2=`` of its config)."""

    scheme_literal: str  # the scheme's name in components.securitySchemes, as a literal
    token_url_literal: str  # flows.clientCredentials.tokenUrl (absolute or relative)
    scopes_literal: str  # the scopes the spec's security requirements ask for: a tuple literal
    scopes_doc: str  # "read, write" for the README
    client_id_env: str  # "<PACKAGE>_CLIENT_ID"
    client_id_env_literal: str
    client_secret_env: str
    client_secret_env_literal: str


@dataclass(frozen=True, slots=True)
class Example:
    """One call shown in the package README."""

    call: str  # "client.task_runs.retrieve('trun_1')"
    call_tail: str  # the same without "client.": "task_runs.retrieve('trun_1')"
    returns: str
    summary: str


@dataclass(frozen=True, slots=True)
class MethodRow:
    """One row of the README's method table; every cell is Markdown-safe."""

    call: str
    http: str
    returns: str


@dataclass(frozen=True, slots=True)
class Readme:
    examples: tuple[Example, ...]
    poll_example: Example | None
    create_and_poll_example: Example | None
    terminal_doc: str
    rows: tuple[MethodRow, ...]
    download_example: Example | None = None  # a binary response, read with_streaming_response
    page_examples: tuple[Example, ...] = ()  # list calls that iterate every item


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One request the API sends (a ``webhooks`` entry or a callback) and its payload model."""

    name: str  # the spec's key, Markdown- and docstring-safe
    method: str  # "POST"
    model: str  # "models.RunCompletedEvent"
    type_values: tuple[str, ...]  # the type field's values naming this event, Markdown-safe
    summary: str  # one line, safe


@dataclass(frozen=True, slots=True)
class EventType:
    type_literal: str  # "'run.completed'"
    model: str  # "models.WebhookEvent"


@dataclass(frozen=True, slots=True)
class SignatureScheme:
    kind: Literal["standard", "timestamped"]
    name: str  # "Standard Webhooks" / "timestamped HMAC", for docs
    signature_header: str  # as sent, safe in docs
    signature_header_literal: str
    timestamp_header: str  # "" for timestamped (the timestamp is in the signature header)
    timestamp_header_literal: str
    id_header: str
    id_header_literal: str
    signed: str  # "{id}.{timestamp}.{body}", safe in docs
    signed_literal: str
    tolerance: str  # printed float ("300.0")
    tolerance_doc: str  # "300"
    secret_env: str
    secret_env_literal: str
    signs_id: bool  # the signed content holds the delivery id


@dataclass(frozen=True, slots=True)
class Webhooks:
    """What ``<package>/webhooks.py`` verifies and parses."""

    events: tuple[WebhookEvent, ...]
    models: tuple[str, ...]  # the distinct payload models, in spec order
    type_field: str  # the wire name of the field naming the event; "" when there is none
    type_field_literal: str
    by_type: tuple[EventType, ...]
    union: str  # the annotation of what ``unwrap`` returns
    scheme: SignatureScheme
    example_model: str  # the first model class, for the README ("" when none is a class)
    type_column: str  # README table heading of the type values


class LazyModels:
    """The models index (``ir.model_index``), made when first read: a walk of every schema
    that only ``clientgen diff`` and the report of a stale ``check`` need, not generation."""

    __slots__ = ("_made", "_make")

    def __init__(self, make: Callable[[], tuple[Model, ...]]) -> None:
        self._make: Callable[[], tuple[Model, ...]] | None = make
        self._made: tuple[Model, ...] = ()

    def get(self) -> tuple[Model, ...]:
        if self._make is not None:
            self._made, self._make = self._make(), None
        return self._made

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyModels) and self.get() == other.get()

    def __hash__(self) -> int:
        return hash(self.get())

    def __repr__(self) -> str:
        return f"LazyModels({self.get()!r})"


@dataclass(frozen=True, slots=True)
class Api:
    package: str
    distribution: str  # the pip name, "parallel-tasks"
    install_path: str  # the project folder the README installs, "generated/parallel_tasks"
    version: str  # a PEP 440 version for the generated package
    title: str
    title_literal: str
    title_toml: str  # a TOML basic string
    doc: str
    spec_name: str  # "specs/parallel_tasks.yaml", shown in file headers
    base_url_literal: str
    api_key_env_literal: str
    api_key_env: str
    http: str  # the HTTP library's module: "httpx2" or "httpx"
    http_requirement: str  # as the package's pyproject.toml declares it: "httpx2>=2.0,<3"
    log_env: str  # the variable that turns the package's log on: "PARALLEL_TASKS_LOG"
    base_url_env_literal: str
    base_url_env: str
    auth: Auth
    auth_schemes: tuple[AuthScheme, ...]  # every supported scheme of the document
    security_literal: str  # the document's security alternatives (see Operation.security_literal)
    resources: tuple[Resource, ...]  # the client's attributes; nested ones in their children
    operations: tuple[Operation, ...]  # methods of the client itself
    model_index: LazyModels  # every component schema, sorted by name: ``models``
    model_count: int  # how many: the component schemas
    readme: Readme
    operation_count: int
    webhooks: Webhooks | None = None
    oauth2: OAuth2 | None = None

    @property
    def models(self) -> tuple[Model, ...]:
        return self.model_index.get()

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.models)

    @property
    def all_resources(self) -> tuple[Resource, ...]:
        """Every resource, nested ones after their parent, depth first."""
        return every_resource(self.resources)

    @property
    def paged(self) -> tuple[Operation, ...]:
        """The client's own operations with a pager whose page is a class of its module."""
        return paged(self.operations)

    @property
    def has_pagers(self) -> bool:
        return any(op.pager for op in self.operations)


def every_resource(resources: tuple[Resource, ...]) -> tuple[Resource, ...]:
    """``resources`` and their nested ones, each after its parent, depth first."""
    return tuple(r for top in resources for r in (top, *every_resource(top.children)))


def paged(operations: tuple[Operation, ...]) -> tuple[Operation, ...]:
    """The operations with a pager whose page is a class of their module."""
    return tuple(op for op in operations if op.pager and op.pager.page_class)
