"""Every operation of every corpus spec, called through the generated sync and async clients
against the Prism mock server (a server clientgen's authors did not write).

Corpus: the seed specs (``specs/*.yaml``), every ``@readme/oas-examples`` document, and the
datamodel-code-generator test documents that are valid and have operations. Each operation is
called with every argument built from the spec (each one checked with jsonschema first: a bad
sample is the test's fault and is named as such) and again with only its required ones, each
way with the sync and the async client, against Prism's static examples and its dynamic
(seeded) answers. A call conforms when Prism reports no request violation (no
``sl-violations`` header) and a 2xx body parses into its model. Operations that Prism itself
cannot serve are listed in ``PRISM_LIMITS`` with the reason, and counted apart: never as passes.
Operations whose spec admits no valid request at all (a required body no finite value meets,
security that needs the ``Authorization`` header twice) are not called and are counted apart
too, each with its reason; an optional argument no value can meet, or that OpenAPI gives no
serialization (an array of objects in a query or header), is left out of the call.
A table per spec is printed at the end of the run (see tests/conftest.py).

Prism takes 3-15 s to start: each test starts the server of the spec its process runs next
(``NEXT_ITEM``, from pytest's own ``nextitem``), so that start-up overlaps the current spec.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import httpx2
import pytest

from generator.config import Target
from generator.diagnostics import SpecError
from generator.emit.write import write_tree
from generator.ir.nodes import Operation, Param
from generator.spec.load import load_spec
from generator.spec.schemas import deref, object_properties
from generator.workflow.pipeline import generate
from tests.conftest import NEXT_ITEM
from tests.support.corpus import OAS_EXAMPLES, CorpusUnavailable, install, install_lock
from tests.support.peer_corpus import DCG_VERSION, RULE_VERSION, classify, install_dcg_documents
from tests.support.prism import PRISM, PrismServer, PrismUnavailable, install_prism
from tests.support.samples import BadSample, checked_sample, is_valid, own_examples

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MODES = ("static", "dynamic")
EVERY_OPERATION = "*"


class Limit(NamedTuple):
    says: str  # text of the problem that marks it
    why: str
    call: bool = True  # False: not called at all (Prism hangs on it, or dies)


# What Prism 5.16.0 cannot do, read by hand: (spec, "METHOD /path" or "*") -> (what Prism's
# answer says, why it is Prism's and not clientgen's). A listed operation is still called
# (unless `call` is False); a call whose problem contains that text counts as a Prism limit,
# never as a pass; any other problem is still a failure, and an entry that no call meets fails
# the test as out of date.
_SSE = Limit(
    "NO_COMPLEX_OBJECT_TEXT",
    "a text/event-stream response whose schema is an object: Prism validates the request, then "
    "answers 500 'Cannot serialise complex objects as text'",
)
_NO_SCHEMA = Limit(
    "schema is not defined",
    "the response has examples but no schema: asked for a dynamic answer, Prism answers 500 "
    "'Tried to force a dynamic response ... schema is not defined' (static calls are checked)",
)
_TAGS = Limit(
    "does not match any of the expected tags",
    "Prism fills a discriminator property with a free string ('string', or random words when "
    "dynamic) instead of a mapping key or schema name: valid JSON Schema, not a valid "
    "discriminated value, which the model rightly refuses",
)
_NO_RESPONSES = Limit(
    "NO_RESPONSE_RESPONSE_DEFINED",
    "operations without `responses` (OpenAPI 3.1 allows it): Prism answers 500 'No response "
    "defined for the selected operation'",
)
_SPLIT = Limit(
    "reading 'split'",
    "an optional header parameter left out: Prism throws 'Cannot read properties of undefined "
    "(reading 'split')' and exits (calls with every argument are checked)",
)
_ONE_XX = Limit(
    "",
    "a 1xx status as the operation's only response: Prism sends it as the final answer, which "
    "no HTTP/1.1 client can read (httpx2 waits, then raises RemoteProtocolError)",
    call=False,
)
_DELIMITED_OBJECT = Limit(
    "",
    "spaceDelimited/pipeDelimited on an object (OpenAPI allows it): Prism throws 'delimited "
    "style is only applicable to array parameter' and exits, whatever the request",
    call=False,
)
_OBJECT_IN_PATH = Limit(
    "is not a function",
    "an object path parameter (simple, label or matrix, not exploded; serialized as OpenAPI's "
    "table says, `role,admin,firstName,Alex`): Prism's deserializer throws 'value.split is "
    "not a function' or 'parameters[name].startsWith is not a function' and exits",
)
_FORM_ARRAY = Limit(
    "Request body property array must",
    "an exploded form array (`array=x`, the one form OpenAPI gives it): Prism reads a "
    "form field as a string unless it repeats (it keeps only the last of repeated fields)",
)
# A key may list several limits (a tuple): a call meeting any of them is counted as a limit.
_ANCHOR = Limit(
    "InvalidPointerError",
    "an `$anchor` reference in a file the spec refers to (`$ref: '#size'`, JSON Schema "
    "2020-12's plain-name fragment, valid in OpenAPI 3.1): Prism's resolver reads every "
    "fragment as a JSON pointer ('Invalid $ref pointer \"size\"') and exits on start",
)
PRISM_LIMITS: dict[tuple[str, str], Limit | tuple[Limit, ...]] = {
    **{
        (spec, f"{method} /anything/path/{style}{{primitive}}/{{array}}/{{object}}"): (
            _OBJECT_IN_PATH
        )
        for spec in ("oas/3.0/parameters-style.json", "oas/3.1/parameters-style.json")
        for method, style in (
            ("GET", ""),
            ("GET", "matrix/"),
            ("GET", "label/"),
            ("GET", "simple/"),
            ("POST", "simple/"),
        )
    },
    ("oas/3.1/parameters-style.json", "POST /anything/form-data"): _FORM_ARRAY,
    ("oas/3.0/request-examples.json", "POST /requestBody-multi-media-types"): Limit(
        "schema is not defined",
        "the response has examples but no schema: asked for a dynamic answer, Prism answers "
        "500 'Tried to force a dynamic response ... schema is not defined' (static calls are "
        "checked)",
    ),
    **{
        ("oas/3.0/request-examples.json", f"{method} /requestBody-primitive-example"): Limit(
            says,
            "the spec's own response example is a string holding JSON text, not the "
            f"{kind} its schema says; Prism serves it as written (static), and the model "
            "rightly refuses it (dynamic calls are checked)",
        )
        for method, says, kind in (
            ("PUT", "Input should be a valid array", "array"),
            ("PATCH", "Input should be an object", "object"),
        )
    },
    ("dcg/false_all_of_keywords.yaml", "PUT /maps"): Limit(
        "Cannot use 'in' operator",
        "a `false` schema (valid JSON Schema: nothing matches) in the response: asked for a "
        "dynamic answer, Prism's faker throws \"Cannot use 'in' operator to search for "
        "'generate' in false\" and answers 500 (static calls are checked)",
    ),
    ("dcg/ignored_content_type_header_refs.yaml", "POST /upload"): Limit(
        "ResolverError",
        "a response header named Content-Type (which OpenAPI says is ignored) $refs a file "
        "that is not there (missing.yaml): Prism resolves every $ref and exits on start",
    ),
    **{
        ("dcg/anchor_object_documents/held_after_pointer/" + spec, operation): _ANCHOR
        for spec, operation in (
            ("api.yaml", "GET /notes"),
            ("collapse_cycle_api.yaml", "GET /notes"),
            ("request_body_api.yaml", "POST /notes"),
            ("two_documents_api.yaml", "GET /notes"),
            ("two_documents_api.yaml", "POST /notes"),
        )
    },
    ("seed/crewship_runs.yaml", "GET /v1/runs/{id}/events"): _SSE,
    ("seed/parallel_tasks.yaml", "GET /v1beta/tasks/runs/{run_id}/events"): _SSE,
    ("seed/parallel_tasks.yaml", "GET /v1beta/tasks/groups/{taskgroup_id}/runs"): _SSE,
    ("seed/parallel_tasks.yaml", "GET /v1beta/tasks/groups/{taskgroup_id}/events"): _SSE,
    ("seed/praisonai_jobs.yaml", "GET /api/v1/runs/{job_id}/stream"): _SSE,
    **{("oas/3.0/http-status-codes.json", f"GET /status/{n}"): _ONE_XX for n in range(100, 104)},
    ("oas/3.0/readme-extensions.json", "POST /x-code-samples"): _NO_SCHEMA,
    ("oas/3.0/response-empty-examples.json", "GET /examples"): _NO_SCHEMA,
    ("oas/3.0/response-examples.json", "GET /example"): _NO_SCHEMA,
    ("oas/3.0/response-examples.json", "GET /examples"): _NO_SCHEMA,
    ("oas/3.0/response-multiple-mediatypes.json", "GET /single-type-multiple-examples"): (
        _NO_SCHEMA
    ),
    ("oas/3.0/response-multiple-mediatypes.json", "GET /single-type-single-example"): _NO_SCHEMA,
    ("oas/3.0/response-multiple-mediatypes.json", "POST /multiple-types-multiple-examples"): (
        _NO_SCHEMA
    ),
    ("oas/3.0/response-multiple-mediatypes.json", "POST /multiple-types-single-example"): (
        _NO_SCHEMA
    ),
    **{
        (spec, operation): _DELIMITED_OBJECT
        for spec, form in (
            ("oas/3.0/parameters-style.json", "POST"),
            ("oas/3.1/parameters-style.json", "GET"),
        )
        for operation in (
            "GET /anything/query/spaceDelimited",
            "GET /anything/query/pipeDelimited",
            f"{form} /anything/form-data/spaceDelimited",
            "POST /anything/form-data/pipeDelimited",
        )
    },
    **{
        (spec, EVERY_OPERATION): _NO_RESPONSES
        for spec in (
            "oas/3.1/parameters-style.json",
            "oas/3.1/readme-extensions.json",
            "oas/3.1/schema-encoding-style.json",
            "oas/3.1/schema-types.json",
        )
    },
    ("oas/3.0/parameters-style.json", "POST /anything/form-data"): _FORM_ARRAY,
    ("oas/3.0/file-uploads.json", "PUT /anything/multipart-formdata"): Limit(
        "Request body property filename must",
        "a multipart array of files with one file in it: Prism reads one part as a single "
        "value, not an array (it keeps only the last of repeated fields)",
    ),
    **{
        (spec, operation): _SPLIT
        for spec in ("oas/3.0/parameters-style.json", "oas/3.1/parameters-style.json")
        for operation in (
            "GET /anything/headers",
            "GET /anything/headers/simple",
            "POST /anything/headers/simple",
        )
    },
    ("oas/3.0/circular-paths.json", "PUT /anything"): _SPLIT,
    **{
        ("oas/3.0/circular-request-bodies.json", operation): Limit(
            "Field required",
            "Prism's answer breaks the response schema, as its own sl-violations header says: "
            "it cuts the recursion short and leaves required properties out",
        )
        for operation in ("POST /direct", "POST /indirect", "POST /multiple")
    },
    ("oas/3.0/circular-paths.json", "GET /anything"): Limit(
        "reading 'items'",
        "a path item that $refs itself: Prism's response cleaner fails with 'Cannot read "
        "properties of undefined (reading 'items')' and answers 500",
    ),
    **{
        (spec, "GET /item"): _TAGS
        for spec in (
            "dcg/discriminator_allof_no_subtypes.yaml",
            "dcg/discriminator_no_mapping.yaml",
            "dcg/discriminator_partial_mapping.yaml",
            "dcg/discriminator_short_mapping_names.yaml",
        )
    },
    ("dcg/discriminator_allof.yaml", "GET /pet"): _TAGS,
    **{
        ("dcg/discriminator_read_write_variant_tags.yaml", operation): _TAGS
        for operation in ("POST /pets", "GET /list", "GET /owner", "GET /bare")
    },
}

CONFORMANCE_ROW = "conformance"
# in the checkout, wherever the corpus is (CLIENTGEN_CORPUS_CACHE may point outside it)
REPORTS = ROOT / ".cache" / "conformance"
RESULTS = REPORTS / "specs"  # one file per spec, every problem in it
# Accepted by every scheme Prism checks (HTTP basic wants a user and a password).
API_KEY = "user:password"


@dataclass
class Call:
    operation: str  # "GET /pets/{id}"
    label: str  # "sync static all"
    outcome: str = ""  # "ok", "limit" (Prism's), "spec" (no valid request exists) or "failure"
    detail: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Plan:
    """One call to make: an operation and the arguments for it."""

    key: str  # "GET /pets/{id}"
    attr: str  # the resource attribute of the client ("" for the client's own methods)
    op: Operation
    label: str  # "all" or "required"
    positional: list[Any]
    keywords: dict[str, Any]
    statuses: frozenset[str]  # the response statuses the operation declares, upper case


@dataclass
class Row:
    spec: str
    operations: int = 0
    calls: int = 0
    ok: int = 0
    limits: int = 0
    unsatisfiable: int = 0  # operations whose spec admits no valid request (not called)
    failures: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not called, and why
    slowest: list[str] = field(default_factory=list)


# -- the corpus, found at collection ------------------------------------------------------------


def _dcg_documents() -> dict[str, Path]:
    """The valid datamodel-code-generator documents with operations (classified once, cached)."""
    root = install_dcg_documents()
    listing = root.parent / f"conformance-documents-{RULE_VERSION}.json"  # a new rule re-sorts
    with install_lock(root.parent):  # xdist workers: one classifies, the other reads it
        if listing.is_file():
            names = json.loads(listing.read_text())
        else:
            names = [d.name for d in classify(root) if d.kind == "valid" and d.has_operations]
            partial = listing.with_suffix(f".{id(names)}.tmp")
            partial.write_text(json.dumps(names))
            partial.replace(listing)
    return {f"dcg/{name}": root / name for name in names}


def _oas_documents() -> dict[str, Path]:
    folder = install(*OAS_EXAMPLES)
    found = sorted(folder.glob("3.0/json/*.json")) + sorted(folder.glob("3.1/json/*.json"))
    return {f"oas/{d.parent.parent.name}/{d.name}": d for d in found}


def _corpus() -> tuple[dict[str, Path], list[str]]:
    specs = {f"seed/{p.name}": p for p in sorted((ROOT / "specs").glob("*.yaml"))}
    problems = []
    for source in (_oas_documents, _dcg_documents):
        try:
            specs.update(source())
        except CorpusUnavailable as exc:
            problems.append(str(exc))
    return specs, problems


SPECS, CORPUS_PROBLEMS = _corpus()


@pytest.fixture(scope="session")
def prism() -> Path:
    try:
        return install_prism()
    except PrismUnavailable as exc:
        pytest.fail(f"Prism cannot be installed, so no spec was tested against it: {exc}")


class PrismServers:
    """Prism servers of this process: the current spec's, and the next spec's started ahead
    (its start-up, 3-15 s, then overlaps the current spec's generation and calls)."""

    def __init__(self, program: Path, folder: Path) -> None:
        self.program = program
        self.folder = folder
        self.ahead: dict[str, PrismServer] = {}

    def start(self, spec: str) -> PrismServer:
        found = self.ahead.pop(spec, None)
        if found is not None:
            return found
        log = self.folder / (re.sub(r"\W", "_", spec) + ".log")
        return PrismServer(self.program, SPECS[spec], log)

    def start_ahead(self, spec: str) -> None:
        if spec not in self.ahead:
            self.ahead[spec] = self.start(spec)

    def close(self) -> None:
        for server in self.ahead.values():
            server.stop()
        self.ahead.clear()


@pytest.fixture(scope="session")
def prism_servers(prism: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrismServers]:
    servers = PrismServers(prism, tmp_path_factory.mktemp("prism"))
    yield servers
    servers.close()


def _next_spec(request: pytest.FixtureRequest) -> str | None:
    """The spec of the conformance test this process runs next, if it is one."""
    following = request.node.stash.get(NEXT_ITEM, None)
    callspec = getattr(following, "callspec", None)
    if getattr(following, "originalname", None) != "test_operations_conform" or callspec is None:
        return None
    spec = callspec.params.get("spec")
    return spec if isinstance(spec, str) and spec in SPECS else None


def test_the_whole_corpus_is_there() -> None:
    assert not CORPUS_PROBLEMS, CORPUS_PROBLEMS
    counts = {kind: sum(1 for s in SPECS if s.startswith(kind + "/")) for kind in ("seed", "oas")}
    assert counts["seed"] == 5
    assert counts["oas"] >= 50
    assert sum(1 for s in SPECS if s.startswith("dcg/")) == 86, f"dcg {DCG_VERSION}"


# -- the test -------------------------------------------------------------------------------------


# Specs clientgen cannot generate yet, each with its cause: run like every other and expected
# to fail (strict: one that starts to pass fails the run until it leaves this list). Never
# counted as OK in the table.
KNOWN: dict[str, str] = {}


def _spec_params() -> list[Any]:
    return [
        pytest.param(
            spec,
            id=spec,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[spec])] if spec in KNOWN else [],
        )
        for spec in SPECS
    ]


@pytest.mark.parametrize("spec", _spec_params())
def test_operations_conform(
    spec: str,
    prism_servers: PrismServers,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    started = time.monotonic()
    row = Row(spec)
    path = SPECS[spec]
    package = "conf_" + re.sub(r"\W", "_", spec).lower()
    try:
        with prism_servers.start(spec) as server:
            following = _next_spec(request)
            if following is not None:
                prism_servers.start_ahead(following)
            calls = _run_spec(spec, path, package, server, tmp_path, row)
            prism_output = server.output()
    finally:
        row.seconds = round(time.monotonic() - started, 2)
    for call in calls:
        row.calls += 1
        if call.outcome == "ok":
            row.ok += 1
        elif call.outcome == "limit":
            row.limits += 1
        elif call.outcome == "spec":
            row.unsatisfiable += 1
            row.notes.append(f"{call.operation}: {call.detail}")
        else:
            row.failures += 1
            row.problems.append(f"{call.operation} [{call.label}]: {call.detail}")
    row.problems += _stale_limits(spec, calls)
    slow = sorted(calls, key=lambda c: -c.seconds)[:3]
    row.slowest = [f"{c.seconds:.2f} s {c.operation} [{c.label}]" for c in slow]
    record_property(CONFORMANCE_ROW, json.dumps(asdict(row)))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{package}.json").write_text(json.dumps(asdict(row), indent=1))
    assert not row.problems, (
        f"{len(row.problems)} problems in {spec}:\n"
        + "\n".join(row.problems[:40])
        + f"\nPrism's last output:\n{prism_output}"
    )


def _limits(entry: Limit | tuple[Limit, ...] | None) -> tuple[Limit, ...]:
    if entry is None:
        return ()
    return (entry,) if isinstance(entry, Limit) else entry


def _stale_limits(spec: str, calls: list[Call]) -> list[str]:
    stale = []
    for (listed, operation), entry in PRISM_LIMITS.items():
        mine = [c for c in calls if listed == spec and operation in (c.operation, EVERY_OPERATION)]
        for says, reason, call in _limits(entry):
            if not call or not mine:
                continue
            if not any(c.outcome == "limit" and says in c.detail for c in mine):
                stale.append(
                    f"{operation}: listed as a Prism limit ({reason}) but no call meets it"
                )
    return stale


def _spec_operations(document: dict[str, Any]) -> list[str]:
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return []
    return [
        f"{method.upper()} {route}"
        for route, item in paths.items()
        if isinstance(item, dict)
        for method in METHODS
        if isinstance(item.get(method), dict)
    ]


def _run_spec(
    spec: str, path: Path, package: str, server: PrismServer, tmp_path: Path, row: Row
) -> list[Call]:
    try:
        generated = generate(path, Target(package, spec))
    except SpecError as exc:
        row.operations = 1
        return [Call("(spec)", "generate", "failure", str(exc).splitlines()[0][:300])]
    # arguments are built and checked against the spec as written (what Prism reads), not the
    # prepared one the generator works from (which drops what shapes no type)
    document = load_spec(path, validate=False).document
    write_tree(tmp_path / package, generated.files, package)
    sys.path.insert(0, str(tmp_path / package))
    try:
        module = importlib.import_module(package)
    finally:
        sys.path.remove(str(tmp_path / package))
    methods = [(r.attr_path, op) for r in generated.api.all_resources for op in r.operations]
    methods += [("", op) for op in generated.api.operations]
    by_key = {f"{op.http_method} {op.path}": (attr, op) for attr, op in methods}
    listed = _spec_operations(document)
    row.operations = len(listed)
    calls: list[Call] = []
    plans: list[Plan] = []
    for key in listed:
        if key not in by_key:
            calls.append(Call(key, "generate", "failure", "no method was generated"))
            continue
        attr, op = by_key[key]
        clash = _authorization_clash(document, op)
        if clash:
            calls.append(Call(key, "security", "spec", f"the spec admits no request: {clash}"))
            continue
        try:
            every, required = _arguments(op, document)
        except BadSample as exc:
            if exc.unsatisfiable:  # a required argument no value can meet: nothing to call
                calls.append(Call(key, "arguments", "spec", f"the spec admits no request: {exc}"))
            else:
                calls.append(Call(key, "arguments", "failure", f"bad sample (test's fault): {exc}"))
            continue
        limit = next((x for x in _limits(PRISM_LIMITS.get((spec, key))) if not x.call), None)
        if limit is not None:
            labels = [f"{f} {m} all" for m in MODES for f in ("sync", "async")]
            calls += [Call(key, label, "limit", f"not called: {limit.why}") for label in labels]
            continue
        responses = document["paths"][op.path][op.http_method.lower()].get("responses") or {}
        statuses = frozenset(str(status).upper() for status in responses)
        plans.append(Plan(key, attr, op, "all", *every, statuses))
        if required != every:
            plans.append(Plan(key, attr, op, "required", *required, statuses))
    if not server.wait():
        detail = f"Prism exited on start: {server.last_error()}"
        labels = [f"{f} {m} {p.label}" for m in MODES for f in ("sync", "async") for p in plans]
        return calls + [_limited(spec, p.key, label, detail) for p in plans for label in labels]
    for mode in MODES:
        calls += _sync_calls(spec, module, server, mode, plans)
        calls += asyncio.run(_async_calls(spec, module, server, mode, plans))
    return calls


# -- arguments ------------------------------------------------------------------------------------


def _authorization_clash(document: dict[str, Any], op: Operation) -> str:
    """Why no request can meet the operation's security, or "": every alternative asks for
    two schemes that each need the one ``Authorization`` header (HTTP basic and OAuth 2's
    bearer token, say)."""
    operation = document["paths"][op.path][op.http_method.lower()]
    requirements = operation.get("security", document.get("security"))
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    if not isinstance(requirements, list) or not requirements:
        return ""
    clashes = []
    for requirement in requirements:
        if not isinstance(requirement, dict):
            return ""
        users = [
            name
            for name in requirement
            if (deref(document, schemes.get(name)) or {}).get("type")
            in ("http", "oauth2", "openIdConnect")
        ]
        if len(users) < 2:
            return ""
        clashes.append(" and ".join(users))
    return "each alternative needs the Authorization header twice: " + "; ".join(clashes)


def _arguments(
    op: Operation, document: dict[str, Any]
) -> tuple[tuple[list[Any], dict[str, Any]], tuple[list[Any], dict[str, Any]]]:
    """(positional, keyword) arguments with every parameter, and with the required ones only."""
    operation = document["paths"][op.path][op.http_method.lower()]
    item = document["paths"][op.path]
    declared: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        param = deref(document, raw)
        if isinstance(param, dict) and isinstance(param.get("name"), str):
            declared[(param["name"], str(param.get("in")))] = param
    body = _body(operation, document)
    positional = [_parameter_value(p, declared, body, document, op) for p in op.path_params]
    every = {}
    for p in op.keyword_params:
        raw = declared.get((p.wire_name, str(p.location)))
        if raw is not None and not p.required and _no_serialization(raw, document):
            continue  # OpenAPI says no way to write it, so no server can read it: left out
        try:
            every[p.py_name] = _parameter_value(p, declared, body, document, op)
        except BadSample as exc:
            if p.required or not exc.unsatisfiable:
                raise
            # an optional argument no finite value can meet (a required property that
            # refers to its own schema): a valid call leaves it out, and the whole optional
            # body when the body's own schema requires it
            if body is not None and p.location == "body" and p.wire_name in body.required:
                left_out = {b.py_name for b in op.keyword_params if b.location == "body"}
                every = {k: v for k, v in every.items() if k not in left_out}
                break
    required = {p.py_name: every[p.py_name] for p in op.keyword_params if p.required}
    sent = {p.wire_name for p in op.body_params if p.py_name in every}
    if body is not None and sent:  # required by the schema, declared nowhere: extra_body
        undeclared = {name: "x" for name in body.required if name not in body.properties}
        if undeclared:
            every["extra_body"] = undeclared
    if body is not None and sent:
        every = _valid_body(op, body, document, every)
    return (positional, every), (positional, required)


def _valid_body(op: Operation, body: _Body, document: dict[str, Any], every: dict[str, Any]) -> Any:
    """``every`` with body arguments that together make a valid body: each property's own
    value may not (``oneOf: [{required: [a]}, {required: [b]}]`` wants exactly one of them),
    then the body is built whole and split into the arguments."""
    by_wire = {p.wire_name: p.py_name for p in op.body_params}
    assembled = {w: every[n] for w, n in by_wire.items() if n in every}
    assembled.update(every.get("extra_body") or {})
    schema = body.holder.get("schema")
    if is_valid(schema, document, assembled):
        return every
    whole = checked_sample(schema, document, own_examples(body.holder))
    if not isinstance(whole, dict):
        return every
    kept = {k: v for k, v in every.items() if k not in by_wire.values() and k != "extra_body"}
    kept.update({by_wire[w]: v for w, v in whole.items() if w in by_wire})
    extra = {w: v for w, v in whole.items() if w not in by_wire}
    return {**kept, **({"extra_body": extra} if extra else {})}


def _no_serialization(raw: dict[str, Any], document: dict[str, Any]) -> bool:
    """A query, header or cookie parameter that is an array of objects (without ``content``):
    OpenAPI's styles serialize arrays of primitives and objects of primitives only."""
    schema = deref(document, raw.get("schema"))
    if "content" in raw or raw.get("in") == "path" or schema.get("type") != "array":
        return False
    kind = deref(document, schema.get("items")).get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


@dataclass
class _Body:
    media: str
    holder: dict[str, Any]
    properties: dict[str, Any]
    required: list[str]  # the properties its schema requires


def _body(operation: dict[str, Any], document: dict[str, Any]) -> _Body | None:
    body = deref(document, operation.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict) or not content:
        return None
    bases = {m.split(";", 1)[0].strip().lower(): m for m in content}
    media = next((m for m in content if _is_json(m)), None)
    for kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        media = media or bases.get(kind)
    media = media or next(iter(content))
    holder = content[media] if isinstance(content[media], dict) else {}
    properties, required = object_properties(document, holder.get("schema"))
    return _Body(media, holder, properties, sorted(required))


def _is_json(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def _parameter_value(
    param: Param,
    declared: dict[tuple[str, str], dict[str, Any]],
    body: _Body | None,
    document: dict[str, Any],
    op: Operation,
) -> Any:
    where = f"{op.http_method} {op.path} {param.location} {param.wire_name!r}"
    try:
        if param.location != "body":
            raw = declared[(param.wire_name, str(param.location))]
            schema = raw.get("schema")
            if not isinstance(schema, dict):
                content = raw.get("content") or {}
                schema = next((c.get("schema") for c in content.values()), {})
            full = param.location == "path"  # an empty object is no path segment
            return checked_sample(schema, document, own_examples(raw), full)
        assert body is not None, "a body parameter without a request body"
        if param is op.body_param:
            if op.body_keyword == "content":
                text = next((e for e in own_examples(body.holder) if isinstance(e, str)), "x")
                return text if param.annotation.startswith("str") else text.encode()
            return checked_sample(body.holder.get("schema"), document, own_examples(body.holder))
        schema = body.properties[param.wire_name]
        if "FileContent" in param.annotation:
            return [b"x"] if param.annotation.startswith("list[") else b"x"
        return checked_sample(schema, document)
    except BadSample as exc:
        raise BadSample(f"{where}: {exc}", exc.unsatisfiable) from None
    except (KeyError, AssertionError) as exc:
        raise BadSample(f"{where}: no schema found ({exc})") from None


# -- calls ----------------------------------------------------------------------------------------


def _classify(
    spec: str,
    plan: Plan,
    label: str,
    seen: list[httpx2.Response],
    error: Any,
    server: PrismServer,
    mark: int,
) -> Call:
    """ok: Prism found nothing wrong with the request, and the answer was parsed (a 2xx into
    its model, a status the operation declares into its typed error)."""
    violations = [
        violation
        for response in seen
        for violation in json.loads(response.headers.get("sl-violations", "[]"))
        if (violation.get("location") or [""])[0] == "request"
        and violation.get("severity") == "Error"  # a deprecated parameter is a "Warning"
    ]
    detail = ""
    if violations:
        messages = "; ".join(str(v.get("message")) for v in violations)
        detail = f"HTTP {seen[-1].status_code}, Prism's request violations: {messages}"[:500]
    elif error is not None and not _declared_error(error, plan):
        status = f"HTTP {seen[-1].status_code}, " if seen else ""
        message = " ".join(str(error).split())[:800]
        detail = f"{status}{type(error).__name__}: {message}"
    if detail and not seen:  # no answer: what did Prism say about it?
        said = server.errors_since(mark)
        detail += f" (Prism {'exited' if not server.alive() else 'said'}: {said})"
    return _limited(spec, plan.key, label, detail)


def _limited(spec: str, key: str, label: str, detail: str) -> Call:
    limits = _limits(PRISM_LIMITS.get((spec, key)))
    limits += _limits(PRISM_LIMITS.get((spec, EVERY_OPERATION)))
    if detail and any(limit.says in detail for limit in limits):
        return Call(key, label, "limit", detail)
    return Call(key, label, "failure" if detail else "ok", detail)


def _declared_error(error: Any, plan: Plan) -> bool:
    """An error status the operation declares, answered by the spec (not made up by Prism)."""
    response = getattr(error, "response", None)
    if not isinstance(response, httpx2.Response) or response.status_code < 300:
        return False
    if "stoplight.io/prism/errors" in response.text:
        return False
    status = str(response.status_code)
    return bool({status, status[0] + "XX", "default"} & plan.statuses)


def _headers(mode: str) -> dict[str, str]:
    return {"Prefer": "dynamic=true"} if mode == "dynamic" else {}


def _sync_calls(
    spec: str, module: Any, server: PrismServer, mode: str, plans: list[Plan]
) -> list[Call]:
    seen: list[httpx2.Response] = []
    http = httpx2.Client(event_hooks={"response": [seen.append]}, timeout=30)
    client = module.Client(
        api_key=API_KEY,
        base_url=server.url,
        max_retries=0,
        default_headers=_headers(mode),
        http_client=http,
    )
    calls = []
    with http:
        for plan in plans:
            label = f"sync {mode} {plan.label}"
            if not server.alive():
                server.restart()
            seen.clear()
            error: BaseException | None = None
            mark = server.mark()
            started = time.monotonic()
            try:
                method = getattr(_resource(client, plan.attr), plan.op.name)
                result = method(*plan.positional, **plan.keywords)
                if plan.op.response_kind == "sse":
                    list(result)
            except Exception as exc:
                error = exc
            calls.append(_classify(spec, plan, label, seen, error, server, mark))
            calls[-1].seconds = time.monotonic() - started
    return calls


async def _async_calls(
    spec: str, module: Any, server: PrismServer, mode: str, plans: list[Plan]
) -> list[Call]:
    seen: list[httpx2.Response] = []

    async def hook(response: httpx2.Response) -> None:
        seen.append(response)

    http = httpx2.AsyncClient(event_hooks={"response": [hook]}, timeout=30)
    client = module.AsyncClient(
        api_key=API_KEY,
        base_url=server.url,
        max_retries=0,
        default_headers=_headers(mode),
        http_client=http,
    )
    calls = []
    async with http:
        for plan in plans:
            label = f"async {mode} {plan.label}"
            if not server.alive():
                server.restart()
            seen.clear()
            error: BaseException | None = None
            mark = server.mark()
            started = time.monotonic()
            try:
                method = getattr(_resource(client, plan.attr), plan.op.name)
                result = await method(*plan.positional, **plan.keywords)
                if plan.op.response_kind == "sse":
                    [event async for event in result]
            except Exception as exc:
                error = exc
            calls.append(_classify(spec, plan, label, seen, error, server, mark))
            calls[-1].seconds = time.monotonic() - started
    return calls


# -- the table ------------------------------------------------------------------------------------


def conformance_table(rows: list[dict[str, Any]]) -> Iterator[str]:
    """Lines for the terminal summary: one per spec, then the totals."""
    yield ""
    yield f"conformance against Prism ({PRISM[0]} {PRISM[1]})"
    yield (
        f"{'spec':<52} {'ops':>4} {'calls':>5} {'ok':>5} {'prism':>5} {'spec':>5} {'fail':>5} "
        f"{'s':>6}"
    )
    for row in sorted(rows, key=lambda r: str(r["spec"])):
        yield (
            f"{row['spec'][:52]:<52} {row['operations']:>4} {row['calls']:>5} {row['ok']:>5} "
            f"{row['limits']:>5} {row['unsatisfiable']:>5} {row['failures']:>5} "
            f"{row['seconds']:>6.1f}"
        )
    keys = ("operations", "calls", "ok", "limits", "unsatisfiable", "failures")
    total = {k: sum(int(r[k]) for r in rows) for k in keys}
    yield (
        f"{len(rows)} specs, {total['operations']} operations, {total['calls']} calls: "
        f"{total['ok']} ok, {total['limits']} Prism limits, {total['unsatisfiable']} operations "
        f"whose spec admits no request (not called), {total['failures']} failures"
    )
    report = REPORTS / "last-run.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(sorted(rows, key=lambda r: str(r["spec"])), indent=1))
    yield f"every problem, by spec: {report.relative_to(ROOT)}"


def _resource(client: Any, attr_path: str) -> Any:
    """``client.customers.sources`` for ``"customers.sources"``; the client for ``""``."""
    for attr in filter(None, attr_path.split(".")):
        client = getattr(client, attr)
    return client
