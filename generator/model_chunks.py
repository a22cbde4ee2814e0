"""The models of a large spec, generated in chunks: in parallel, and each cached by content.

datamodel-code-generator spends a few milliseconds per class, all in one process. A spec
with thousands of schemas is cut into chunks, given to datamodel-code-generator in this
process and in worker processes (as many processes in all as there are CPUs), and each
chunk's output is cached under the hash of its input: a spec where one schema changed
regenerates only the chunks that hold that schema.

- A chunk *owns* some schemas and is given their closure: every schema they refer to, so
  that each reference resolves to what it is. A member of a discriminated union also takes the
  union with it (datamodel-code-generator narrows the member's tag field from the union).
  From a chunk's output only the statements of the classes it owns are kept, with the classes
  datamodel-code-generator made up for them (a name no schema has).
- Schemas are ordered by a depth-first walk of their references from the document's order,
  so a schema's chunk tends to hold what it refers to. Chunk boundaries fall after a schema
  whose name hashes to a multiple of ``BOUNDARY`` (once the chunk has ``MIN_CHUNK``), so a
  schema added or removed moves only the boundaries of its own chunk.
- Where two chunks make up the same name, those chunks are generated again as one; where
  chunks' statements would clash in one module (``NameClash``), the whole spec is generated
  as one chunk. Either way the outcome depends only on the spec: the same bytes every time.

A spec of fewer than ``2 * MIN_CHUNK`` schemas (600) is one chunk, generated in this process.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from generator.diagnostics import Diagnostic, SpecError
from generator.schemas import Schema, transform

SCHEMA_PREFIX = "#/components/schemas/"
MIN_CHUNK = 300
MAX_CHUNK = 2000
BOUNDARY = 900


class ChunkStore(Protocol):
    """Where generated chunks are kept between runs (see ``generator.cache``)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, text: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Chunk:
    owned: tuple[str, ...]
    given: tuple[str, ...]  # the owned schemas and their closure, in the document's order


def is_large(schemas: dict[str, Any]) -> bool:
    """A spec whose models are worth chunks (and ``models.share_identical``)."""
    return len(schemas) >= 2 * MIN_CHUNK


def plan(schemas: dict[str, Any], graph: dict[str, set[str]] | None = None) -> list[Chunk]:
    """The chunks of a spec's (prepared) component schemas; one for a small spec. ``graph``
    is their ``closure_graph``, when the caller has it."""
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
    return [chunk_of(group, names, graph) for group in groups]


def chunk_of(owned: Iterable[str], names: list[str], graph: dict[str, set[str]]) -> Chunk:
    owned = tuple(owned)
    needed = _closure(owned, graph)
    return Chunk(owned, tuple(n for n in names if n in needed))


def closure_graph(schemas: dict[str, Any]) -> dict[str, set[str]]:
    """Schema -> the schemas its chunk must be given: those it refers to, and the unions
    that discriminate it."""
    graph: dict[str, set[str]] = {name: set() for name in schemas}

    def collect(name: str) -> Callable[[Schema], Schema]:
        def visit(node: Schema) -> Schema:
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
                graph[name].add(ref[len(SCHEMA_PREFIX) :])
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
                        graph[name].add(member)
                        if member in graph:
                            graph[member].add(name)
            return node

        return visit

    for name, schema in schemas.items():
        if isinstance(schema, dict):
            transform(schema, collect(name))
    return {
        name: {t for t in targets if t in graph and t != name} for name, targets in graph.items()
    }


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


# -- running the chunks ------------------------------------------------------------------------

Job = tuple[str, list[Any]]  # (key, the JSON arguments of ``models.generate_chunk``)


def run(
    jobs: list[Job],
    generate: Callable[[list[Any]], str],
    store: ChunkStore | None,
) -> list[str]:
    """Each job's generated text, from the store or else generated: here and, when more
    than one job is left, in worker processes (``generator.model_worker``; as many processes
    in all as CPUs). Every fresh text is stored."""
    texts: dict[int, str] = {}
    if store is not None:
        for index, (key, _) in enumerate(jobs):
            hit = store.get(key)
            if hit is not None:
                texts[index] = hit
    pending = [index for index in range(len(jobs)) if index not in texts]
    workers = min(len(pending), os.cpu_count() or 1)
    if workers > 1:
        fresh = _in_workers([jobs[i][1] for i in pending], workers, generate)
    else:
        fresh = [generate(jobs[i][1]) for i in pending]
    for index, text in zip(pending, fresh, strict=True):
        texts[index] = text
        if store is not None:
            store.put(jobs[index][0], text)
    return [texts[index] for index in range(len(jobs))]


def _in_workers(
    jobs: list[list[Any]], workers: int, generate: Callable[[list[Any]], str]
) -> list[str]:
    """The jobs' texts, the largest jobs shared out first among ``workers``: this process
    runs one share, a worker process each other share (a share whose worker cannot start or
    dies runs here too)."""
    shares: list[list[int]] = [[] for _ in range(workers)]
    loads = [0] * workers
    sizes = [len(json.dumps(job)) for job in jobs]
    for index in sorted(range(len(jobs)), key=lambda i: (-sizes[i], i)):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += sizes[index]
    texts: dict[int, str] = {}
    processes = [(share, _start_worker()) for share in shares[1:]]
    with ThreadPoolExecutor(max_workers=max(1, len(processes))) as pool:
        waiting = [
            (
                share,
                process,
                pool.submit(process.communicate, json.dumps([jobs[i] for i in share]).encode()),
            )
            for share, process in processes
            if process is not None
        ]
        try:
            for index in shares[0] + [i for share, p in processes if p is None for i in share]:
                texts[index] = generate(jobs[index])
        except BaseException:
            for _, process, _ in waiting:
                process.kill()
            raise
        for share, process, future in waiting:
            output = future.result()[0]
            results = json.loads(output) if process.returncode == 0 else None
            if not isinstance(results, list) or len(results) != len(share):
                results = [["ok", generate(jobs[i])] for i in share]  # the worker died
            for index, (status, value) in zip(share, results, strict=True):
                if status != "ok":
                    raise SpecError([Diagnostic(*row) for row in value])
                texts[index] = value
    return [texts[i] for i in range(len(jobs))]


def _start_worker() -> subprocess.Popen[bytes] | None:
    root = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "generator.model_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )
    except OSError:
        return None


def job_key(payload: Any) -> str:
    """The hash of a chunk's whole input (the store adds the generator's fingerprint)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
