"""The process pool of the models engine, and its policy, in one place.

datamodel-code-generator runs in one process at a time, so the chunks of a large spec
(``chunks``) run in this process and in worker processes (``generator.models.worker``) at
once. The policy:

- as many processes in all as the CPUs this process may run on, up to ``MAX_PROCESSES``,
  and only for a spec whose models come in chunks (``helpers_for``);
- workers are started as soon as the spec is loaded (``model_workers``), before their jobs
  are known, so that their start overlaps this process's work;
- the validation worker (``generator.workflow.validation_worker``) is one of them: once it
  has validated a large spec it serves chunks too, instead of a worker of its own, when
  ``serves_chunks`` says so (the same rule it runs itself);
- each free process takes the next job: workers the largest left, this process the smallest
  (it holds the spec already, so its own peak memory stays down); a job whose worker dies
  runs here; a job's outcome never depends on where it ran;
- the pipeline's first round of chunks is handed to the workers as soon as it is known
  (``Batch`` with ``ahead``), a single chunk included, while this process builds the IR and
  renders and formats the client; it joins in once it has nothing else to do.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, SpecError
from generator.models.chunks import ChunkStore, is_large


def helpers_for(document: Any) -> int:
    """How many worker processes a loaded spec's models are worth: one per CPU but one, for
    a spec whose models are generated in chunks; else none."""
    components = document.get("components") if isinstance(document, dict) else None
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if not isinstance(schemas, dict) or not is_large(schemas):
        return 0
    return processes() - 1


MAX_PROCESSES = 8  # in all, this one included: each holds its chunk and datamodel-code-generator


def processes() -> int:
    """How many processes chunks are run in at most: ``usable_cpus()``, up to
    ``MAX_PROCESSES``."""
    return min(usable_cpus(), MAX_PROCESSES)


CGROUP = Path("/sys/fs/cgroup")


def usable_cpus(cgroup: Path = CGROUP) -> int:
    """The CPUs this process may use: those it may run on (not all the machine's, in a
    container or under ``taskset``), and no more than its cgroup's CPU quota (a CI runner's
    container on a large machine sees every CPU but may use two)."""
    affinity: Callable[[int], set[int]] | None = getattr(os, "sched_getaffinity", None)
    try:
        usable = len(affinity(0)) if affinity is not None else os.cpu_count() or 1
    except OSError:
        usable = os.cpu_count() or 1
    quota = cpu_quota(cgroup)
    if quota is not None:
        usable = min(usable, math.ceil(quota))
    return max(1, usable)


def cpu_quota(cgroup: Path = CGROUP) -> float | None:
    """The CPU quota in CPUs of this process's cgroup (v2 ``cpu.max``, v1
    ``cpu.cfs_quota_us``), or None where there is none or it cannot be read."""
    try:
        own = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        own = []
    unified = next((line.split(":", 2)[2] for line in own if line.startswith("0::")), "/")
    for folder in dict.fromkeys([cgroup / unified.lstrip("/"), cgroup]):
        try:
            limit, period = (folder / "cpu.max").read_text().split()[:2]
        except (OSError, ValueError):
            continue
        return None if limit == "max" else _ratio(limit, period)
    try:
        limit = (cgroup / "cpu" / "cpu.cfs_quota_us").read_text().strip()
        period = (cgroup / "cpu" / "cpu.cfs_period_us").read_text().strip()
    except OSError:
        return None
    return None if limit.startswith("-") else _ratio(limit, period)


def _ratio(limit: str, period: str) -> float | None:
    try:
        quota = int(limit) / int(period)
    except (ValueError, ZeroDivisionError):
        return None
    return quota if quota > 0 else None


def serves_chunks(document: Any) -> bool:
    """Whether the validation worker of this loaded spec goes on to serve chunks: where the
    pipeline starts model workers at all (the validation worker decides alike)."""
    return helpers_for(document) > 0


Job = tuple[str, list[Any]]  # (key, a ``chunks.ChunkJob`` in its wire form)
Generate = Callable[[list[Any]], Any]  # a job's arguments -> its result, a JSON value


class Worker:
    """A worker process that answers chunk jobs, a JSON line each (``generator.models.worker``).

    With ``preamble``, the process writes one line of its own before any answer: the
    validation worker (``generator.workflow.validation_worker``) sends its findings, then
    serves chunks.
    ``preamble()`` reads that line once, whichever thread asks first.
    """

    def __init__(self, process: subprocess.Popen[bytes], preamble: bool = False) -> None:
        self.process = process
        self._lock = threading.Lock()
        self._preamble: bytes | None = None if preamble else b""

    def preamble(self) -> bytes:
        """The first line (empty where the process wrote none, or died first)."""
        with self._lock:
            if self._preamble is None:
                try:
                    assert self.process.stdout is not None
                    self._preamble = self.process.stdout.readline()
                except (OSError, ValueError):
                    self._preamble = b""
            return self._preamble

    def ask(self, job: list[Any]) -> list[Any] | None:
        """The answer to one job; None if the process died."""
        try:
            assert self.process.stdin is not None and self.process.stdout is not None
            # the preamble first: a process blocked writing a long one reads no job
            self.preamble()
            self.process.stdin.write(json.dumps(job).encode() + b"\n")
            self.process.stdin.flush()
            answer = json.loads(self.process.stdout.readline())
        except (OSError, ValueError):
            return None
        return answer if isinstance(answer, list) and len(answer) == 2 else None

    def close(self) -> None:
        """No more jobs: the process ends once it has written what it owes."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
        except OSError:
            pass

    def end(self) -> None:
        """Stops the process now and reaps it."""
        self.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class Workers:
    """Worker processes, started before their jobs are known so that their start overlaps
    this process's work; ``close`` tells any left unused to end."""

    def __init__(self, count: int, first: Worker | None = None) -> None:
        self.all = [first] if first is not None else []
        self.all += [Worker(p) for p in (_start_worker() for _ in range(count)) if p is not None]
        self.left = list(self.all)

    def take(self, count: int) -> list[Worker]:
        taken, self.left = self.left[:count], self.left[count:]
        return taken

    def close(self) -> None:
        for worker in self.take(len(self.left)):
            worker.close()


def run(
    jobs: list[Job],
    generate: Generate,
    store: ChunkStore | None,
    workers: Workers | None = None,
) -> list[Any]:
    """Each job's result, from the store or else generated: here and, when more than one job
    is left, in worker processes (``workers``, or new ones; as many processes in all as
    CPUs). Every fresh result is stored, as JSON."""
    return Batch(jobs, generate, store, workers).results()


class Batch:
    """Jobs under way. With ``ahead``, the workers started for them (``workers``) take them
    now, the largest first, every job left if need be (one job included), while this
    process goes on with other work; ``results`` then joins in, taking the smallest left.
    Without, nothing runs before ``results``, which is ``run``'s rule: here and, when more
    than one job is left, in workers too. Either way a job's result does not depend on where
    it ran, a job whose worker dies runs here, and the error reported is the first failing
    job's."""

    def __init__(
        self,
        jobs: list[Job],
        generate: Generate,
        store: ChunkStore | None,
        workers: Workers | None = None,
        ahead: bool = False,
    ) -> None:
        self.jobs, self.generate, self.store, self.workers = jobs, generate, store, workers
        self.found: dict[int, Any] = {}
        if store is not None:
            for index, (key, _) in enumerate(jobs):
                hit = store.get(key)
                if hit is not None:
                    try:
                        self.found[index] = json.loads(hit)
                    except ValueError:
                        pass  # a damaged entry: generated again
        self.pending = [index for index in range(len(jobs)) if index not in self.found]
        self.shared: _Shared | None = None
        if ahead and self.pending and workers is not None:
            taken = workers.take(min(len(self.pending), processes() - 1))
            if taken:
                self.shared = _Shared([jobs[i][1] for i in self.pending], taken)

    def results(self) -> list[Any]:
        """Each job's result, in order; raises the first failing job's error."""
        pending, jobs = self.pending, self.jobs
        helpers = min(len(pending), processes()) - 1
        if self.shared is not None:
            fresh = self.shared.finish(self.generate)
        elif helpers > 0:
            taken = self.workers.take(helpers) if self.workers is not None else []
            started: list[Worker] = []
            while len(taken) + len(started) < helpers and (process := _start_worker()) is not None:
                started.append(Worker(process))
            try:
                fresh = _shared_out([jobs[i][1] for i in pending], taken + started, self.generate)
            finally:
                for worker in started:
                    worker.end()
        else:
            fresh = [self.generate(jobs[i][1]) for i in pending]
        results = dict(self.found)
        for index, result in zip(pending, fresh, strict=True):
            results[index] = result
            if self.store is not None:
                self.store.put(jobs[index][0], json.dumps(result, ensure_ascii=False))
        return [results[index] for index in range(len(jobs))]

    def cancel(self) -> None:
        """The run has failed: no more jobs, and the workers that took some end now."""
        if self.shared is not None:
            self.shared.cancel()


class _Shared:
    """Jobs shared out to ``workers``, each in a thread of this process, from now, and to
    this process from ``finish``: workers take the largest jobs left, this process the
    smallest (it holds the spec already, so it keeps its own peak memory down), and a job
    whose worker dies runs here. Every job runs, so the error reported, that of the first
    failing job, does not depend on timing. The workers are told to end (``Worker.close``)
    once the jobs are gone."""

    def __init__(self, jobs: list[list[Any]], workers: list[Worker]) -> None:
        self.jobs, self.workers = jobs, workers
        sizes = [len(json.dumps(job)) for job in jobs]
        self.queue = sorted(range(len(jobs)), key=lambda i: (-sizes[i], i))
        self.lock = threading.Lock()
        self.done: dict[int, list[Any]] = {}  # index -> ["ok", result] or ["error", rows]
        self.threads = [
            threading.Thread(target=self._feed, args=(w,), daemon=True) for w in workers
        ]
        for thread in self.threads:
            thread.start()

    def _next(self, largest: bool = True) -> int | None:
        with self.lock:
            return self.queue.pop(0 if largest else -1) if self.queue else None

    def _feed(self, worker: Worker) -> None:
        while (index := self._next()) is not None:
            answer = worker.ask(self.jobs[index])
            if answer is None:
                break  # the worker died: this job runs here, and it takes no more
            self.done[index] = answer
        worker.close()

    def finish(self, generate: Generate) -> list[Any]:
        """Takes jobs here until none is left, waits for the workers', and gives the
        results in order."""
        done = self.done
        try:
            while (index := self._next(largest=False)) is not None:
                done[index] = outcome(generate, self.jobs[index])
        except BaseException:
            self.cancel()
            raise
        for thread in self.threads:
            thread.join()
        for index in range(len(self.jobs)):
            if index not in done:  # its worker died with it
                done[index] = outcome(generate, self.jobs[index])
        for index in range(len(self.jobs)):
            status, value = done[index]
            if status != "ok":
                raise SpecError([Diagnostic.from_dict(row) for row in value])
        return [done[index][1] for index in range(len(self.jobs))]

    def cancel(self) -> None:
        with self.lock:
            self.queue.clear()
        for worker in self.workers:
            worker.end()


def _shared_out(jobs: list[list[Any]], workers: list[Worker], generate: Generate) -> list[Any]:
    """The jobs' results, shared out to this process and the ``workers`` (``_Shared``)."""
    return _Shared(jobs, workers).finish(generate)


def outcome(generate: Generate, arguments: list[Any]) -> list[Any]:
    """``["ok", result]``, or ``["error", diagnostics]`` (their wire form) of a refused
    chunk."""
    try:
        return ["ok", generate(arguments)]
    except SpecError as exc:
        return ["error", [d.to_dict() for d in exc.diagnostics]]


def start_process(module: str, *arguments: str) -> subprocess.Popen[bytes] | None:
    """``python -m module arguments`` with pipes to talk to it; None if it cannot start."""
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", module, *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )
    except OSError:
        return None


def _start_worker() -> subprocess.Popen[bytes] | None:
    return start_process("generator.models.worker")


def model_workers(document: Any, validator: Worker | None) -> Workers | None:
    """The worker processes for the models of a loaded spec, started now (``helpers_for``);
    the validation worker, when there is one, is the first of them."""
    helpers = helpers_for(document)
    if helpers < 1:
        return None
    return Workers(helpers - (validator is not None), validator)
