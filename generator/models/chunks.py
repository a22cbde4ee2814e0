"""The models of a large spec, generated in chunks: in parallel, and each cached by content.

datamodel-code-generator spends a few milliseconds per class, all in one process. A spec
with thousands of schemas is cut into chunks, given to datamodel-code-generator in this
process and in worker processes (as many processes in all as there are CPUs), and each
chunk's output is cached under the hash of its input: a spec where one schema changed
regenerates only the chunks that hold that schema.

- A chunk *owns* some schemas and is given their closure: every schema they refer to, so
  that each reference resolves to what it is. A member of a discriminated union also takes
  the union with it (datamodel-code-generator narrows the member's tag field from the
  union). A plain object named only as a field's type is given as a stub, and what it refers
  to is not given (``Stubs``). From a chunk's output only the statements of the classes it
  owns are kept, with the classes datamodel-code-generator made up for them (a name no
  schema has). Chunks are small (about 60 schemas owned), so that a change to one schema
  redoes little. Where the library renames an import for a whole chunk (``date as
  date_aliased`` once any class of it has a field ``date``), ``model_modules.read`` writes
  it by its own name in each class that does not need the new one, so that the class does
  not read differently for the company it had; which classes the library rebuilds at a
  chunk's end (``X.model_rebuild()``) still depends on that company, so output is a function
  of the spec and of this plan.
- Chunks run in this process and in worker processes at once, each taking the next chunk
  when it is free (workers the largest left, this process the smallest); the workers read
  their chunk's output too, so what comes back is statements (``model_modules.dump``).
- Schemas are ordered by a depth-first walk of their references from the document's order,
  so a schema's chunk tends to hold what it refers to. Chunk boundaries fall after a schema
  whose name hashes to a multiple of ``BOUNDARY`` (once the chunk has ``MIN_CHUNK``), so a
  schema added or removed moves only the boundaries of its own chunk.
- Where two chunks make up the same name, those chunks are generated again as one; where
  chunks' statements would clash in one module (``NameClash``), the whole spec is generated
  as one chunk. Either way the outcome depends only on the spec: the same bytes every time.

A spec of fewer than ``LARGE`` schemas (600) is one chunk, generated in this process.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from generator.spec.schemas import SCHEMA_PREFIX, Schema, component_name, visit

LARGE = 600
MIN_CHUNK = 30
MAX_CHUNK = 150
BOUNDARY = 60


class ChunkStore(Protocol):
    """Where generated chunks are kept between runs (see ``generator.workflow.cache``)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, text: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Chunk:
    owned: tuple[str, ...]
    given: tuple[str, ...]  # the owned schemas and their closure, in the document's order
    stubbed: frozenset[str] = frozenset()  # given as ``stub``s: only their names are read


# The keywords of an object schema that may stand as a stub where a field refers to it.
STUB_KEYWORDS = frozenset(
    {"type", "properties", "required", "title", "description", "additionalProperties"}
)


@dataclass(frozen=True, slots=True)
class Stubs:
    """Which references of a chunk's schemas may be given as stubs.

    A chunk keeps only the classes it owns, and a class that merely names another, as a
    field's type, reads nothing of it but that it is a class. So a plain object schema
    (``STUB_KEYWORDS`` only) that the chunk's real schemas refer to only that way is given
    as ``stub(schema)``, and what it refers to in turn is not given at all. A base class
    (an ``allOf`` member), what an ``allOf``'s own members refer to (the library merges their
    properties, reading each type), and a discriminated union and its members are always
    given whole.
    """

    weak: dict[str, set[str]]  # schema -> those it refers to only as a field's type
    able: frozenset[str]  # the schemas that may be stubs

    def closure(
        self, owned: Iterable[str], graph: dict[str, set[str]]
    ) -> tuple[set[str], set[str]]:
        """(every schema given, those given as stubs) of a chunk that owns ``owned``."""
        real: set[str] = set()
        todo = list(owned)
        while todo:
            name = todo.pop()
            if name in real:
                continue
            real.add(name)
            weak = self.weak.get(name, set())
            todo.extend(t for t in graph[name] if t not in weak or t not in self.able)
        stubbed = {t for name in real for t in graph[name] if t not in real}
        return real | stubbed, stubbed


def stub(schema: Schema) -> Schema:
    """A plain object schema as a stub: a class of that name, and no fields to build."""
    stubbed: Schema = {"type": "object", "properties": {}}
    stubbed.update((k, schema[k]) for k in ("title", "description") if k in schema)
    return stubbed


def stubs(schemas: dict[str, Any]) -> Stubs:
    return graph_and_stubs(schemas)[1]


def graph_and_stubs(schemas: dict[str, Any]) -> tuple[dict[str, set[str]], Stubs]:
    """``closure_graph`` and ``stubs`` of the schemas, from one walk of them."""
    graph, strong = _edges(schemas)
    plain = {
        name
        for name, schema in schemas.items()
        if isinstance(schema, dict)
        and isinstance(schema.get("properties"), dict)
        and schema.keys() <= STUB_KEYWORDS
        and schema.get("type", "object") == "object"
    }
    subclasses = {name for name, schema in schemas.items() if _subclass_of(schema) in plain}
    weak = {name: graph[name] - strong[name] for name in schemas}
    return graph, Stubs(weak, frozenset(plain | subclasses))


def _subclass_of(schema: Any) -> str | None:
    """B of ``{"allOf": [{"$ref": B}]}`` with a title or description at most (a subclass that
    adds nothing, as ``models.share_identical`` writes them)."""
    if not isinstance(schema, dict) or not schema.keys() <= {"allOf", "title", "description"}:
        return None
    members = schema.get("allOf")
    if isinstance(members, list) and len(members) == 1 and isinstance(members[0], dict):
        ref = members[0].get("$ref")
        if members[0].keys() == {"$ref"} and isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            return ref[len(SCHEMA_PREFIX) :]
    return None


def is_large(schemas: dict[str, Any]) -> bool:
    """A spec whose models are worth chunks (and ``models.share_identical``)."""
    return len(schemas) >= LARGE


def plan(
    schemas: dict[str, Any],
    graph: dict[str, set[str]] | None = None,
    stubs: Stubs | None = None,
) -> list[Chunk]:
    """The chunks of a spec's (prepared) component schemas; one for a small spec. ``graph``
    is their ``closure_graph``, when the caller has it; with ``stubs``, chunks are given stubs
    where they can."""
    names = list(schemas)
    graph = closure_graph(schemas) if graph is None else graph
    if not is_large(schemas):
        return [Chunk(tuple(names), tuple(names))]
    groups: list[list[str]] = [[]]
    for name in _walk_order(names, graph):
        groups[-1].append(name)
        size = len(groups[-1])
        if size >= MAX_CHUNK or (size >= MIN_CHUNK and _boundary(name)):
            groups.append([])
    if not groups[-1]:
        groups.pop()
    return [chunk_of(group, names, graph, stubs) for group in groups]


def chunk_of(
    owned: Iterable[str],
    names: list[str],
    graph: dict[str, set[str]],
    stubs: Stubs | None = None,
) -> Chunk:
    owned = tuple(owned)
    stubbed: set[str] = set()
    if stubs is None:
        needed = _closure(owned, graph)
    else:
        needed, stubbed = stubs.closure(owned, graph)
    return Chunk(owned, tuple(n for n in names if n in needed), frozenset(stubbed))


def closure_graph(schemas: dict[str, Any]) -> dict[str, set[str]]:
    """Schema -> the schemas its chunk must be given: those it refers to, and the unions
    that discriminate it."""
    return _edges(schemas)[0]


def _edges(schemas: dict[str, Any]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(``closure_graph``, and of its edges those to a base class (an ``allOf`` member) or
    between a discriminated union and its members: those never to a stub)."""
    graph: dict[str, set[str]] = {name: set() for name in schemas}
    strong: dict[str, set[str]] = {name: set() for name in schemas}

    def collect(name: str) -> Callable[[Schema], None]:
        def seen(node: Schema) -> None:
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
                graph[name].add(ref[len(SCHEMA_PREFIX) :])
            for member in node.get("allOf") or []:
                if isinstance(member, dict) and isinstance(member.get("$ref"), str):
                    strong[name].add(member["$ref"][len(SCHEMA_PREFIX) :])
                elif isinstance(member, dict):  # merged: what it refers to is read
                    strong[name].update(_refs_within(member))
            discriminator = node.get("discriminator")
            if isinstance(discriminator, dict):
                targets = [
                    o.get("$ref")
                    for o in (node.get("oneOf") or []) + (node.get("anyOf") or [])
                    if isinstance(o, dict)
                ]
                mapping = discriminator.get("mapping")
                if isinstance(mapping, dict):
                    targets += list(mapping.values())
                for target in targets:
                    if isinstance(target, str) and target.startswith(SCHEMA_PREFIX):
                        member = target[len(SCHEMA_PREFIX) :]
                        for start, end in ((name, member), (member, name)):
                            if start in graph:
                                graph[start].add(end)
                                strong[start].add(end)

        return seen

    for name, schema in schemas.items():
        if isinstance(schema, dict):
            visit(schema, collect(name))
    graph = {
        name: {t for t in targets if t in graph and t != name} for name, targets in graph.items()
    }
    return graph, strong


def _refs_within(schema: Schema) -> set[str]:
    """The component schemas a schema refers to anywhere within it."""
    found: set[str] = set()

    def seen(node: Schema) -> None:
        name = component_name(node.get("$ref"))
        if name is not None:
            found.add(name)

    visit(schema, seen)
    return found


def _closure(names: Iterable[str], graph: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return seen


def _walk_order(names: list[str], graph: dict[str, set[str]]) -> list[str]:
    """Depth-first, pre-order, from each schema in document order; references in name order."""
    order: list[str] = []
    seen: set[str] = set()
    for root in names:
        todo = [root]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            order.append(name)
            todo.extend(sorted(graph[name], reverse=True))
    return order


def _boundary(name: str) -> bool:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % BOUNDARY == 0


@dataclass(frozen=True, slots=True)
class ChunkJob:
    """One chunk's input to datamodel-code-generator (``models.dcg.generate_chunk``); it
    crosses to a worker process as a JSON list (``wire``)."""

    document: dict[str, Any]  # an OpenAPI document of the chunk's given schemas
    header: str
    file: str
    aliases: dict[str, str]  # "Class.field" -> its wire name
    package: str

    def wire(self) -> list[Any]:
        return [self.document, self.header, self.file, self.aliases, self.package]

    @classmethod
    def from_wire(cls, data: list[Any]) -> ChunkJob:
        document, header, file, aliases, package = data
        return cls(document, header, file, aliases, package)

    def key(self) -> str:
        """The hash of the whole input (the store adds the generator's fingerprint)."""
        return job_key(self.wire())


def job_key(payload: Any) -> str:
    """The hash of a chunk's whole input (the store adds the generator's fingerprint)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
