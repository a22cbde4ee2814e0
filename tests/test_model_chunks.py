"""Models of large specs in chunks: the same classes as one run, and only changed chunks redone."""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.models import chunks as model_chunks
from generator.models import modules as model_modules
from generator.models import pool
from generator.models.build import render_models
from generator.models.prepare import prepared_schemas


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _large_spec(families: int = 40) -> dict[str, Any]:
    """Families of schemas (an order, its lines, its status) over a few shared ones, plus a
    discriminated union whose members live apart from it: about ten schemas a family."""
    schemas: dict[str, Any] = {
        "Money": {"type": "object", "properties": {"amount": {"type": "number"}}},
        "Customer": {"type": "object", "properties": {"name": {"type": "string"}}},
    }
    for i in range(families):
        schemas[f"Order{i}"] = {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "total": _ref("Money"),
                "customer": _ref("Customer"),
                "lines": {"type": "array", "items": _ref(f"Order{i}Line")},
                "status": _ref(f"Order{i}Status"),
                "event": _ref(f"Order{i}Event"),
            },
        }
        schemas[f"Order{i}Line"] = {
            "type": "object",
            "properties": {"sku": {"type": "string"}, "price": _ref("Money")},
        }
        schemas[f"Order{i}Status"] = {"type": "string", "enum": ["open", "paid", f"s{i}"]}
        schemas[f"Order{i}Event"] = {
            "oneOf": [_ref(f"Order{i}Created"), _ref(f"Order{i}Paid")],
            "discriminator": {"propertyName": "type"},
        }
        for kind in ("Created", "Paid"):
            schemas[f"Order{i}{kind}"] = {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"type": "string"}, "at": {"type": "string"}},
            }
        for j in range(4):
            schemas[f"Order{i}Note{j}"] = {
                "type": "object",
                "properties": {"text": {"type": "string"}, "order": _ref(f"Order{i}")},
            }
    return {"openapi": "3.1.0", "components": {"schemas": schemas}}


class DictStore:
    def __init__(self) -> None:
        self.entries: dict[str, str] = {}
        self.puts = 0

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def put(self, key: str, text: str) -> None:
        self.puts += 1
        self.entries[key] = text


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return _large_spec()


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of about 60 schemas: several in a spec that generates in seconds."""
    monkeypatch.setattr(model_chunks, "LARGE", 80)
    monkeypatch.setattr(model_chunks, "MIN_CHUNK", 40)
    monkeypatch.setattr(model_chunks, "BOUNDARY", 20)


def test_plan_owns_every_schema_once_and_gives_each_chunk_its_closure(
    spec: dict[str, Any],
) -> None:
    schemas = prepared_schemas(spec)
    chunks = model_chunks.plan(schemas)
    assert len(chunks) > 1
    owned = [name for chunk in chunks for name in chunk.owned]
    assert sorted(owned) == sorted(schemas)
    graph = model_chunks.closure_graph(schemas)
    for chunk in chunks:
        given = set(chunk.given)
        assert set(chunk.owned) <= given
        assert all(graph[name] <= given for name in given)
    # a union's member takes the union along (its tag field is narrowed from it)
    assert "Order3Event" in graph["Order3Created"]


def test_a_small_spec_is_one_chunk() -> None:
    schemas = prepared_schemas(_large_spec(families=2))
    assert len(model_chunks.plan(schemas)) == 1


def test_chunks_give_the_classes_of_one_run(
    spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    chunked = render_models(spec, "spec.yaml", "spec.yaml", "pkg")
    assert len(model_chunks.plan(prepared_schemas(spec))) > 1

    def one_chunk(
        schemas: dict[str, Any], graph: object = None, stubs: object = None
    ) -> list[model_chunks.Chunk]:
        return [model_chunks.Chunk(tuple(schemas), tuple(schemas))]

    monkeypatch.setattr(model_chunks, "plan", one_chunk)
    whole = render_models(spec, "spec.yaml", "spec.yaml", "pkg")
    # the same modules with the same statements; their order within a module may differ
    assert _contents(chunked.sources) == _contents(whole.sources)
    created = chunked.sources[_module_of(chunked, "Order3Created")]
    assert "type: Literal[" in created  # the member's tag, narrowed from its union


def test_stored_chunks_give_the_same_bytes_and_a_change_redoes_only_its_chunks(
    spec: dict[str, Any],
) -> None:
    store = DictStore()
    fresh = render_models(spec, "spec.yaml", "spec.yaml", "pkg", store)
    chunks = len(model_chunks.plan(prepared_schemas(spec)))
    assert store.puts == chunks
    again = render_models(spec, "spec.yaml", "spec.yaml", "pkg", store)
    assert store.puts == chunks  # every chunk came from the store
    assert again.sources == fresh.sources

    changed = copy.deepcopy(spec)
    changed["components"]["schemas"]["Order7Line"]["properties"]["qty"] = {"type": "integer"}
    updated = render_models(changed, "spec.yaml", "spec.yaml", "pkg", store)
    redone = store.puts - chunks
    assert 1 <= redone < chunks
    home = _module_of(updated, "Order7Line")
    assert "qty" in updated.sources[home]
    assert {k: v for k, v in updated.sources.items() if k != home} == {
        k: v for k, v in fresh.sources.items() if k != home
    }


def test_identical_objects_of_a_large_spec_become_subclasses(spec: dict[str, Any]) -> None:
    models = render_models(spec, "spec.yaml", "spec.yaml", "pkg")
    source = models.sources[_module_of(models, "Order5Note2")]
    assert "class Order5Note2(Order5Note0):" in source
    # union members keep their own fields, though Created and Paid are alike
    created = models.sources[_module_of(models, "Order5Paid")]
    assert "class Order5Paid(Model):" in created
    small = render_models(_large_spec(families=2), "spec.yaml", "spec.yaml", "pkg")
    assert "class Order1Note2(Model):" in small.sources[_module_of(small, "Order1Note2")]


def _contents(sources: dict[str, str]) -> dict[str, list[str]]:
    return {k: sorted(ast.dump(n) for n in ast.parse(v).body) for k, v in sources.items()}


def _module_of(models: Any, name: str) -> str:
    return next(m.name for m in models.modules if name in m.defines)


def test_a_name_bound_two_ways_in_one_module_is_refused() -> None:
    """Chunk 0 reads ``Field`` as pydantic's, chunk 1 defines a model ``Field``: when their
    statements land in one module, rendering refuses (the caller then runs one chunk)."""
    first = model_modules.read(
        "from pydantic import Field\n\n\nclass A(Model):\n    x: int = Field(1)\n", 0
    )
    second = model_modules.read(
        "class Field(Model):\n    pass\n\n\nclass B(A, Field):\n    pass\n", 1
    )
    split = model_modules.split((first[0], second[0]), [*first[1], *second[1]])
    assert [m.defines for m in split.modules] == [("A", "Field", "B")]
    with pytest.raises(model_modules.NameClash):
        model_modules.render(split, "# header")


def test_plain_objects_named_as_field_types_are_given_as_stubs(
    spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = prepared_schemas(spec)
    graph = model_chunks.closure_graph(schemas)
    chunks = model_chunks.plan(schemas, graph, model_chunks.stubs(schemas))
    stubbed = {name for chunk in chunks for name in chunk.stubbed}
    assert {"Money", "Customer"} <= stubbed
    shrunk = False
    for chunk in chunks:
        given = set(chunk.given)
        assert not chunk.stubbed & set(chunk.owned)
        assert all(graph[name] <= given for name in given - chunk.stubbed)
        shrunk = shrunk or any(not graph[name] <= given for name in chunk.stubbed)
    assert shrunk, "what only a stub refers to is not given"
    with_stubs = render_models(spec, "spec.yaml", "spec.yaml", "pkg")
    monkeypatch.setattr(model_chunks, "stubs", lambda schemas: model_chunks.Stubs({}, frozenset()))
    assert render_models(spec, "spec.yaml", "spec.yaml", "pkg").sources == with_stubs.sources


def test_bases_and_union_members_are_never_stubs() -> None:
    schemas = prepared_schemas(
        {
            "components": {
                "schemas": {
                    "Base": {"type": "object", "properties": {"id": {"type": "string"}}},
                    "Child": {"allOf": [_ref("Base"), {"properties": {"n": {"type": "integer"}}}]},
                    "Cat": {"type": "object", "properties": {"kind": {"type": "string"}}},
                    "Pet": {"oneOf": [_ref("Cat")], "discriminator": {"propertyName": "kind"}},
                    "Owner": {
                        "type": "object",
                        "properties": {"pet": _ref("Pet"), "best": _ref("Cat"), "b": _ref("Base")},
                    },
                }
            }
        }
    )
    graph = model_chunks.closure_graph(schemas)
    stubs = model_chunks.stubs(schemas)
    given, stubbed = stubs.closure(["Child"], graph)
    assert given == {"Child", "Base"} and not stubbed
    given, stubbed = stubs.closure(["Owner"], graph)
    # Cat comes whole with its union; Base, named only as a field's type, is a stub
    assert stubbed == {"Base"} and {"Pet", "Cat"} <= given
    assert model_chunks.stub(schemas["Base"]) == {"type": "object", "properties": {}}


def _jobs(spec: dict[str, Any]) -> list[pool.Job]:

    schemas = prepared_schemas(spec)
    chunks = _chunks_of(schemas)
    return [chunks._job(c) for c in model_chunks.plan(schemas, chunks.graph, chunks.stubs)]


def _chunks_of(schemas: dict[str, Any]) -> Any:
    from generator.models import build as models

    return models._Chunks(schemas, {}, "# h", "spec.yaml", "pkg", None, None)


def test_workers_and_this_process_give_the_same_results(
    spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.models.dcg import generate_chunk

    jobs = _jobs(spec)
    here = [generate_chunk(arguments) for _, arguments in jobs]
    monkeypatch.setattr(pool, "processes", lambda: 3)
    assert pool.run(jobs, generate_chunk, None) == here
    workers = pool.Workers(2)  # started ahead, as the pipeline does
    assert pool.run(jobs, generate_chunk, None, workers) == here
    assert workers.left == []  # both were taken, and told to end
    unused = pool.Workers(1)
    unused.close()
    assert [w.process.wait(timeout=30) for w in workers.all + unused.all] == [0, 0, 0]


def test_a_worker_that_dies_leaves_its_jobs_to_this_process(
    spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    from generator.models.dcg import generate_chunk

    jobs = _jobs(spec)
    here = [generate_chunk(arguments) for _, arguments in jobs]

    def dying() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stdin.readline()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    monkeypatch.setattr(pool, "_start_worker", dying)
    monkeypatch.setattr(pool, "processes", lambda: 2)
    assert pool.run(jobs, generate_chunk, None) == here


def test_the_first_refused_chunk_is_reported_whoever_ran_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from generator.diagnostics import Diagnostic, SpecError

    def generate(arguments: list[Any]) -> list[Any]:
        if arguments[0] % 2:
            raise SpecError([Diagnostic("error", f"#/{arguments[0]}", "no")])
        return arguments

    jobs: list[pool.Job] = [(str(i), [i, "x" * (10 - i)]) for i in range(6)]
    with pytest.raises(SpecError) as raised:
        pool._shared_out([a for _, a in jobs], [], generate)
    assert raised.value.diagnostics[0].pointer == "#/1"


def _answered(batch: pool.Batch, count: int) -> bool:
    """Whether the workers of a batch under way have answered ``count`` jobs (waits 60 s)."""
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if batch.shared is not None and len(batch.shared.done) >= count:
            return True
        time.sleep(0.05)
    return False


def test_a_single_job_ahead_runs_in_a_worker_before_its_results_are_asked(
    spec: dict[str, Any],
) -> None:
    """One changed chunk is not left for this process: the worker started for it takes it
    at once, while this process does other work, and the result is the same."""
    from generator.models.dcg import generate_chunk

    jobs = _jobs(spec)[:1]
    here = [generate_chunk(arguments) for _, arguments in jobs]
    ran_here: list[object] = []

    def generate(arguments: list[Any]) -> Any:
        ran_here.append(arguments)
        return generate_chunk(arguments)

    store = DictStore()
    workers = pool.Workers(1)
    batch = pool.Batch(jobs, generate, store, workers, ahead=True)
    assert _answered(batch, 1)  # done before ``results`` was called
    assert batch.results() == here
    assert ran_here == []
    assert store.puts == 1 and store.entries == {jobs[0][0]: json.dumps(here[0])}
    assert workers.all[0].process.wait(timeout=30) == 0  # told to end once the jobs were gone


def test_a_job_ahead_whose_worker_dies_runs_here(spec: dict[str, Any]) -> None:
    import subprocess
    import sys

    from generator.models.dcg import generate_chunk

    jobs = _jobs(spec)[:2]
    here = [generate_chunk(arguments) for _, arguments in jobs]
    dying = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.readline()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    workers = pool.Workers(0, pool.Worker(dying))
    batch = pool.Batch(jobs, generate_chunk, None, workers, ahead=True)
    assert batch.results() == here
    assert dying.wait(timeout=30) == 0


def test_jobs_ahead_report_the_first_refused_chunk_whoever_ran_it() -> None:
    """A worker that answers at once and this process, which joins late, share the jobs; the
    error reported is the first failing job's all the same."""
    import subprocess
    import sys

    from generator.diagnostics import Diagnostic, SpecError

    def generate(arguments: list[Any]) -> list[Any]:
        if arguments[0] % 2:
            raise SpecError([Diagnostic("error", f"#/{arguments[0]}", "no")])
        return arguments

    script = (
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    job = json.loads(line)\n"
        "    bad = [dict(level='error', pointer='#/%d' % job[0], message='no', file=None,\n"
        "                line=None, hint=None)]\n"
        "    print(json.dumps(['error', bad] if job[0] % 2 else ['ok', job]), flush=True)\n"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    jobs: list[pool.Job] = [(str(i), [i, "x" * (10 - i)]) for i in range(6)]
    batch = pool.Batch(jobs, generate, None, pool.Workers(0, pool.Worker(worker)), ahead=True)
    assert _answered(batch, 6)  # the worker took every job: the first refused is its
    with pytest.raises(SpecError) as raised:
        batch.results()
    assert raised.value.diagnostics[0].pointer == "#/1"
    assert worker.wait(timeout=30) == 0


def test_the_validation_worker_serves_chunks_once_it_has_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    from generator.config import Target
    from generator.workflow import pipeline as pipeline

    spec = _large_spec(families=62)  # large for the worker too, whose limits are not patched
    assert len(spec["components"]["schemas"]) >= 600
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({**spec, "info": {"title": "t", "version": "1"}, "paths": {}}))
    target = Target("pkg", "spec.json")
    monkeypatch.setattr(pipeline, "WORKER_FROM_BYTES", 10**12)
    here = pipeline.generate(path, target)
    served: list[str] = []
    ask = pool.Worker.ask

    def recorded(self: pool.Worker, job: list[Any]) -> list[Any] | None:
        answer = ask(self, job)
        if answer is not None:
            served.append(" ".join(map(str, self.process.args)))  # type: ignore[arg-type]
        return answer

    monkeypatch.setattr(pool.Worker, "ask", recorded)
    monkeypatch.setattr(pipeline, "WORKER_FROM_BYTES", 0)
    there = pipeline.generate(path, target)
    # the worker counts CPUs for itself: with one, it validates and ends
    assert any("generator.workflow.validation_worker" in args for args in served) == (
        pool.processes() > 1
    )
    assert there.files == here.files
    assert there.diagnostics == here.diagnostics


def test_the_validation_worker_serves_chunks_as_a_fresh_model_worker(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    """Once it has written its findings, the validation worker replaces itself with a model
    worker (the same process and pipes, none of the validator's memory) and answers jobs
    as one does."""
    from generator.models.dcg import generate_chunk

    large = _large_spec(families=62)  # large for the worker too, whose limits are not patched
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({**large, "info": {"title": "t", "version": "1"}, "paths": {}}))
    process = pool.start_process(
        "generator.workflow.validation_worker", json.dumps([str(path), None, True, None])
    )
    assert process is not None
    worker = pool.Worker(process, preamble=True)
    try:
        assert json.loads(worker.preamble())["warnings"] == []
        if pool.processes() == 1:  # it counts CPUs for itself: with one, it only validates
            assert process.wait(timeout=30) == 0
            return
        job = _jobs(spec)[0][1]
        assert worker.ask(job) == ["ok", generate_chunk(job)]
        command = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        assert command[1:3] == [b"-m", b"generator.models.worker"]
        worker.close()
        assert process.wait(timeout=30) == 0
    finally:
        worker.end()


def test_the_chunk_layout_does_not_change_a_byte(
    spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Statements come in the order of the schemas they belong to, however the schemas were
    cut into chunks: output is a function of the spec alone."""
    layouts, outputs = [], []
    for low, boundary in ((40, 20), (60, 35), (10_000, 1)):  # the last: one chunk
        monkeypatch.setattr(model_chunks, "MIN_CHUNK", low)
        monkeypatch.setattr(model_chunks, "BOUNDARY", boundary)
        layouts.append(len(model_chunks.plan(prepared_schemas(spec))))
        outputs.append(render_models(spec, "spec.yaml", "spec.yaml", "pkg").sources)
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(set(layouts)) == 3


def _holder_and_detail(padding: int) -> dict[str, Any]:
    """``Holder.detail`` is an inline object, which datamodel-code-generator would name
    ``Detail`` before it reaches the component ``Detail``."""
    schemas: dict[str, Any] = {
        "Holder": {
            "type": "object",
            "properties": {
                "detail": {"type": "object", "properties": {"inline": {"type": "string"}}}
            },
        },
        **{
            f"Pad{i}": {"type": "object", "properties": {f"p{i}": {"type": "string"}}}
            for i in range(padding)
        },
        "Detail": {"type": "object", "properties": {"real": {"type": "integer"}}},
    }
    return {"components": {"schemas": schemas}}


@pytest.mark.parametrize("padding", [0, 120], ids=["one run", "in chunks"])
def test_a_component_keeps_its_name_when_an_inline_object_would_take_it(padding: int) -> None:
    spec = _holder_and_detail(padding)
    chunks = model_chunks.plan(prepared_schemas(spec))
    assert (len(chunks) == 1) == (padding == 0)
    if padding:  # the chunk of Holder cannot know that the name is taken
        assert "Detail" not in next(c for c in chunks if "Holder" in c.owned).given
    models = render_models(spec, "spec.yaml", "spec.yaml", "pkg")
    detail = models.sources[_module_of(models, "Detail")]
    assert re.search(r"class Detail\(Model\):(.|\n)*real: int", detail)
    holder = models.sources[_module_of(models, "Holder")]
    made_up = re.search(r"detail: (\w+) \| None", holder)
    assert made_up and made_up.group(1) != "Detail"
    assert "inline: str" in models.sources[_module_of(models, made_up.group(1))]


def test_processes_follow_the_cpus_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """A container on a large machine may run on 2 of its 64 CPUs: 2 processes, not 64."""
    monkeypatch.setattr(pool, "cpu_quota", lambda cgroup=None: None)
    monkeypatch.setattr(pool.os, "cpu_count", lambda: 64)
    monkeypatch.setattr(pool.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert pool.processes() == 2
    monkeypatch.setattr(pool.os, "sched_getaffinity", lambda pid: set(range(64)))
    assert pool.processes() == pool.MAX_PROCESSES
    monkeypatch.delattr(pool.os, "sched_getaffinity")  # as on macOS and Windows
    monkeypatch.setattr(pool.os, "cpu_count", lambda: None)
    assert pool.processes() == 1


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cpu.max": "200000 100000\n"}, 2),  # cgroup v2: two CPUs' worth
        ({"cpu.max": "150000 100000\n"}, 2),  # one and a half: rounded up
        ({"cpu.max": "50000 100000\n"}, 1),
        ({"cpu.max": "max 100000\n"}, 64),  # no quota
        ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),  # v1
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, 64),
        ({"cpu.max": "garbage"}, 64),
        ({}, 64),
    ],
)
def test_usable_cpus_follow_the_cgroup_quota(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], expected: int
) -> None:
    """A CI runner's container may see 64 CPUs and be allowed two: two, for the pool and for
    pytest-xdist's workers alike (tests/conftest.py)."""
    monkeypatch.setattr(pool.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert pool.usable_cpus(tmp_path) == expected


def _dated(padding: int) -> dict[str, Any]:
    """``Event`` has a field named ``date``: datamodel-code-generator then imports ``date as
    date_aliased`` for its whole module, whatever else the module holds."""
    schemas: dict[str, Any] = {
        "Event": {
            "type": "object",
            "properties": {"date": {"type": "string", "format": "date"}},
        },
        **{
            f"Pad{i}": {"type": "object", "properties": {f"p{i}": {"type": "string"}}}
            for i in range(padding)
        },
        "Report": {
            "type": "object",
            "properties": {"day": {"type": "string", "format": "date"}},
        },
    }
    return {"openapi": "3.1.0", "components": {"schemas": schemas}}


def test_a_class_reads_the_same_whether_or_not_its_chunk_renames_an_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``Report`` names ``date`` as ``date`` whether it shares a chunk with ``Event`` (whose
    field ``date`` makes the library alias the import for the whole module) or not."""
    spec = _dated(120)
    outputs = []
    for low, boundary in ((40, 20), (10_000, 1)):  # chunks; one chunk
        monkeypatch.setattr(model_chunks, "MIN_CHUNK", low)
        monkeypatch.setattr(model_chunks, "BOUNDARY", boundary)
        chunks = model_chunks.plan(prepared_schemas(spec))
        apart = not any({"Event", "Report"} <= set(c.owned) for c in chunks)
        assert apart == (low == 40)
        models = render_models(spec, "spec.yaml", "spec.yaml", "pkg")
        report = models.sources[_module_of(models, "Report")]
        assert "    day: date | None = None" in report
        assert "from datetime import date\n" in report and "date_aliased" not in report
        event = models.sources[_module_of(models, "Event")]
        assert "    date: date_aliased | None = None" in event  # its own field hides `date`
        assert "from datetime import date as date_aliased\n" in event
        outputs.append(models.sources)
    assert outputs[0] == outputs[1]


def test_a_schema_an_allof_member_refers_to_is_given_whole() -> None:
    """The library merges the properties of an ``allOf``'s members, reading what they refer
    to: a stub there (an object with no properties) would turn a field's class into
    ``dict[str, Any]``."""
    schemas: dict[str, Any] = {
        "Issue": {
            "allOf": [
                {"type": "object", "properties": {"user": _ref("Person")}},
                {"type": "object", "properties": {"owner": _ref("Owner")}},
            ]
        },
        "Person": {"type": "object", "properties": {"login": {"type": "string"}}},
        "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Order": {"type": "object", "properties": {"owner": _ref("Owner")}},
    }
    stubs = model_chunks.stubs(schemas)
    graph = model_chunks.closure_graph(schemas)
    given, stubbed = stubs.closure(["Issue"], graph)
    assert {"Person", "Owner"} <= given and not stubbed
    # a plain field's type, outside any allOf, may still be a stub
    assert stubs.closure(["Order"], graph)[1] == {"Owner"}
