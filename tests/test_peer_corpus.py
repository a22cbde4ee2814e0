"""datamodel-code-generator's own OpenAPI test documents (tests/support/peer_corpus.py) as a
regression corpus.

Every valid document generates (warnings allowed), its package imports and passes
``mypy --strict`` (one mypy run over all of them), and each of its models validates a sample
of its schema and builds (``model_rebuild()``, ``model_json_schema()``). Every invalid,
unparseable or remote document gets a clean diagnostic: a ``SpecError`` whose every
diagnostic has a file and a JSON pointer, or a generation with warnings; never a traceback.

The generation of the valid documents and the mypy run happen once per run (in whichever
pytest-xdist worker comes first; the others wait and read its results); the per-document
tests, which import and build, spread over the workers. A table of the results is printed
at the end of the run (``tests/conftest.py``).
"""

from __future__ import annotations

import fcntl
import importlib
import json
import multiprocessing
import os
import re
import subprocess
import sys
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from generator.config import Target
from generator.diagnostics import SpecError
from generator.emit.write import write_tree
from generator.workflow.pipeline import generate
from tests.support.corpus import CorpusUnavailable
from tests.support.peer_corpus import DCG_VERSION, PeerDocument, classify, install_dcg_documents
from tests.support.samples import Unsatisfiable, sample

REFUSED_KINDS = ("invalid", "unparseable", "remote")
PEER_TABLE_PREFIX = "tests/test_peer_corpus.py::"


def _classified() -> list[PeerDocument]:
    """The sorted documents; the sorting (it runs the validator over 600 files) is kept in
    the cache beside them, keyed by the validator's version."""
    from importlib.metadata import version

    root = install_dcg_documents()
    key = f"{DCG_VERSION}-{version('openapi-spec-validator')}"
    stored = root.parent / "classified.json"
    if stored.is_file():
        data = json.loads(stored.read_text())
        if data.get("key") == key:
            return [
                PeerDocument(root / d["name"], d["name"], d["kind"], d["reason"], d["operations"])
                for d in data["documents"]
            ]
    documents = classify(root)
    rows = [
        {"name": d.name, "kind": d.kind, "reason": d.reason, "operations": d.has_operations}
        for d in documents
    ]
    stored.write_text(json.dumps({"key": key, "documents": rows}))
    return documents


def _names(kinds: tuple[str, ...]) -> Iterator[str]:
    try:
        documents = _classified()
    except CorpusUnavailable:
        yield "(corpus unavailable)"  # the test then fails with the reason
        return
    yield from (d.name for d in documents if d.kind in kinds)


def _document(name: str) -> PeerDocument:
    try:
        documents = {d.name: d for d in _classified()}
    except CorpusUnavailable as exc:
        pytest.fail(f"the peer corpus cannot be installed, so it was not tested: {exc}")
    return documents[name]


def package_name(name: str) -> str:
    return "peer_" + re.sub(r"\W", "_", name).lower()


# -- generation and mypy, once per run --------------------------------------------------------


def _generate_one(job: tuple[str, str, str]) -> dict[str, Any]:
    """Generate one valid document into ``out``; the result as JSON data."""
    path, name, out = job
    package = package_name(name)
    result: dict[str, Any] = {"package": package, "error": "", "warnings": 0, "samples": {}}
    try:
        generated = generate(Path(path), Target(package, name), display=name)
    except SpecError as exc:
        result["error"] = f"SpecError: {str(exc).splitlines()[0][:300]}"
        return result
    except Exception:
        result["error"] = traceback.format_exc()[-2000:]
        return result
    write_tree(Path(out) / package, generated.files, package)
    result["warnings"] = len(generated.diagnostics)
    schemas = (generated.spec.get("components") or {}).get("schemas") or {}
    for model in generated.api.model_names:
        try:
            result["samples"][model] = sample(schemas.get(model, {}), generated.spec)
        except (Unsatisfiable, RecursionError, KeyError):
            continue
    try:
        json.dumps(result["samples"])
    except (TypeError, ValueError):
        result["samples"] = {}
    return result


def _generate_all(out: Path) -> dict[str, Any]:
    documents = [d for d in _classified() if d.kind == "valid"]
    jobs = [(str(d.path), d.name, str(out)) for d in documents]
    workers = max(1, min(2, len(os.sched_getaffinity(0))))
    # spawn, not fork: a forked copy of an xdist worker (which has threads) can deadlock
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = dict(
            zip(
                [d.name for d in documents], pool.map(_generate_one, jobs, chunksize=4), strict=True
            )
        )
    packages = sorted(r["package"] for r in results.values() if not r["error"])
    mypy = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--no-error-summary",
            *[f"{p}/{p}" for p in packages],
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    by_package: dict[str, list[str]] = {}
    for line in mypy.stdout.splitlines():
        if ": error:" in line:
            by_package.setdefault(line.split("/", 1)[0], []).append(line)
    if mypy.returncode not in (0, 1) or (mypy.returncode == 1 and not by_package):
        raise RuntimeError(f"mypy did not run: {(mypy.stderr or mypy.stdout)[-2000:]}")
    for result in results.values():
        result["mypy"] = by_package.get(result["package"], [])
    return results


@pytest.fixture(scope="session")
def peer_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """(the folder of the generated packages, the results by document name), made by the
    first worker to get here and read by the others."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = shared / "peer-corpus"
    stored = shared / "peer-corpus.json"
    with (shared / "peer-corpus.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stored.is_file():
            try:
                _classified()
            except CorpusUnavailable as exc:
                pytest.fail(f"the peer corpus cannot be installed, so it was not tested: {exc}")
            out.mkdir(exist_ok=True)
            stored.write_text(json.dumps(_generate_all(out)))
    return out, json.loads(stored.read_text())


# Documents clientgen does not handle yet, each with its cause. They are run like every other
# and must still fail (a strict xfail): one that starts to pass fails the run until it leaves
# this list. Never counted as OK in the summary.
_TAG_LITERAL = "pydantic: the discriminator field must be a Literal in every variant"
KNOWN: dict[str, str] = {
    "discriminator_lone_variant_tags.yaml": _TAG_LITERAL,
    "discriminator_enum_tag_variants.yaml": _TAG_LITERAL,
    "discriminator_alias_generator.yaml": "datamodel-code-generator refuses a discriminator "
    "aliased two ways",
    "discriminator_duplicate_value.yaml": "mypy: invalid recursive alias",
    "allof_inheritance_modular_mro_conflict.yaml": "mypy: MRO and metaclass conflict",
    "ref_siblings_recursive_target/mapped.yaml": "pydantic: a circular reference to itself",
    "ref_siblings_recursive_target/schema.yaml": "pydantic: a circular reference to itself",
    "anchor_object_documents/held_after_pointer/request_body_api.yaml": "`$anchor` references "
    "(#title) need $id scoping, not supported",
    "discriminator_typed_mapping_keys.yaml": "non-string YAML keys are read as their text on "
    "purpose; the validator stops on them",
    "api_scope_external_boolean_schema/schemas/other.yaml": "non-string YAML keys are read as "
    "their text on purpose; the validator stops on them",
    "json_pointer_integer_keys.yaml": "non-string YAML keys are read as their text on purpose; "
    "the validator stops on them",
    "pattern_backreference.yaml": "a Python-only regex (a named backreference) that nothing flags",
}


def _params(kinds: tuple[str, ...]) -> Iterator[Any]:
    for name in _names(kinds):
        reason = KNOWN.get(name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(name, marks=marks, id=name)


# -- valid documents --------------------------------------------------------------------------


def _build_models(package: str, samples: dict[str, Any]) -> list[str]:
    """Problems of the package's models: each validates its sample (before anything rebuilds
    it, as a caller would), then rebuilds and gives its JSON schema."""
    from pydantic import BaseModel, TypeAdapter, ValidationError

    models = importlib.import_module(f"{package}.models")
    problems = []
    for name in models.__all__:
        try:
            value = getattr(models, name)
            if isinstance(value, type) and issubclass(value, BaseModel):
                if name in samples:
                    try:
                        value.model_validate(samples[name])
                    except ValidationError:
                        pass  # a sample the schema's own constraints reject
                value.model_rebuild()
                value.model_json_schema()
            elif not isinstance(value, type):  # a type alias
                adapter: TypeAdapter[Any] = TypeAdapter(value)
                if name in samples:
                    try:
                        adapter.validate_python(samples[name])
                    except ValidationError:
                        pass
                adapter.json_schema()
        except Exception as exc:
            problems.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    return problems


@pytest.mark.parametrize("document", list(_params(("valid",))))
def test_valid_document_generates_type_checks_and_builds(
    peer_results: tuple[Path, dict[str, Any]], document: str
) -> None:
    out, results = peer_results
    result = results[_document(document).name]
    assert not result["error"], result["error"]
    assert not result["mypy"], "\n".join(result["mypy"][:20])
    package = result["package"]
    sys.path.insert(0, str(out / package))
    try:
        importlib.import_module(package)
        problems = _build_models(package, result["samples"])
    finally:
        sys.path.remove(str(out / package))
    assert not problems, "\n".join(problems[:20])


# -- invalid, unparseable and remote documents ------------------------------------------------


@pytest.mark.parametrize("document", list(_params(REFUSED_KINDS)))
def test_invalid_document_gets_a_clean_diagnostic(document: str) -> None:
    peer = _document(document)
    try:
        generated = generate(peer.path, Target(package_name(peer.name), peer.name))
    except SpecError as exc:
        unlocated = [d for d in exc.diagnostics if not d.file or not d.pointer.startswith("#")]
        assert exc.diagnostics and not unlocated, str(exc)
        return
    assert generated.diagnostics, f"a {peer.kind} document ({peer.reason}) gave no warning"
