"""The committed package as the cache: ``clientgen-manifest.json``.

``check`` on a fresh machine (an empty cache folder) settles an unchanged package by hashes
alone, and catches an edited, missing or extra file, a changed spec or referenced file and
another clientgen as surely as a full regeneration; ``check --full`` regenerates; a
regeneration after a change takes unchanged model chunks and formatted files from the
committed package, and writes what a run from nothing writes, byte for byte.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

import generator
from generator.cli.commands import main
from generator.workflow import cache, manifest
from generator.workflow.pipeline import Generated

SPEC = textwrap.dedent("""
    openapi: 3.1.0
    info: {title: Things, version: "1"}
    paths:
      /things/{id}:
        get:
          operationId: getThing
          parameters:
            - {name: id, in: path, required: true, schema: {type: string}}
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema: {$ref: 'schemas.yaml#/Thing'}
""")
SCHEMAS = textwrap.dedent("""
    Thing:
      type: object
      required: [id]
      properties:
        id: {type: string}
        size: {type: integer}
""")
PYPROJECT = textwrap.dedent("""
    [tool.clientgen]
    output = "generated"

    [tool.clientgen.targets.things]
    spec = "specs/things.yaml"
""")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with one target, generated; every later command runs as on a fresh
    machine: in a new, empty cache folder."""
    root = tmp_path / "project"
    (root / "specs").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "specs" / "things.yaml").write_text(SPEC)
    (root / "specs" / "schemas.yaml").write_text(SCHEMAS)
    monkeypatch.chdir(root)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache-of-the-first-run"))
    assert main(["generate", "--quiet"]) == 0
    runs = iter(range(1000))
    monkeypatch.setattr(
        cache, "cache_dir", lambda start=None: tmp_path / f"fresh-cache-{next(runs)}"
    )
    return root


@pytest.fixture
def generations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each full generation, by the spec's name."""
    calls: list[str] = []
    real = cache.generate_fresh

    def counted(spec_path: Path, *args: Any, **kwargs: Any) -> Generated:
        calls.append(spec_path.name)
        return real(spec_path, *args, **kwargs)

    monkeypatch.setattr(cache, "generate_fresh", counted)
    return calls


PACKAGE = Path("generated/things")


def test_the_manifest_records_inputs_and_every_file(project: Path) -> None:
    recorded = json.loads((project / PACKAGE / manifest.NAME).read_text())
    written = {
        p.relative_to(project / PACKAGE).as_posix()
        for p in (project / PACKAGE).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert set(recorded["files"]) == written - {manifest.NAME}
    assert recorded["references"] == [["schemas.yaml", recorded["references"][0][1]]]
    assert recorded["clientgen"] == generator.__version__
    assert recorded["chunks"] and recorded["formatted"]
    assert str(project) not in (project / PACKAGE / manifest.NAME).read_text()


def test_check_of_an_unchanged_package_generates_nothing(
    project: Path, generations: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 0
    assert generations == []
    assert "up to date" in capsys.readouterr().out
    assert main(["generate", "--quiet"]) == 0  # generate, likewise
    assert generations == []


def _edit(root: Path) -> str:
    path = root / PACKAGE / "things/client.py"
    path.write_text(path.read_text() + "# edited\n")
    return "things/client.py"


def _remove(root: Path) -> str:
    (root / PACKAGE / "things/models/_thing.py").unlink()
    return "things/models/_thing.py"


def _add(root: Path) -> str:
    (root / PACKAGE / "things/extra.py").write_text("x = 1\n")
    return "things/extra.py"


def _edit_manifest(root: Path) -> str:
    path = root / PACKAGE / manifest.NAME
    path.write_text(path.read_text().replace('"operations": 1', '"operations": 2'))
    return manifest.NAME


@pytest.mark.parametrize("damage", [_edit, _remove, _add, _edit_manifest])
@pytest.mark.parametrize("full", [False, True])
def test_check_catches_an_edited_missing_or_extra_file(
    project: Path,
    generations: list[str],
    capsys: pytest.CaptureFixture[str],
    damage: Any,
    full: bool,
) -> None:
    name = damage(project)
    assert main(["check", *(["--full"] if full else [])]) == 1
    out = capsys.readouterr().out
    assert f"generated/things/{name}" in out
    assert generations == ["things.yaml"]
    assert main(["generate", "--quiet"]) == 0
    assert main(["check"]) == 0


@pytest.mark.parametrize(
    ("file", "old", "new", "stale"),
    [
        ("things.yaml", "operationId: getThing", "operationId: fetchThing", "resources/"),
        ("schemas.yaml", "size:", "count:", "models/_thing.py"),
        # a change that changes no generated code still changes what the package is made of
        ("schemas.yaml", "Thing:", "# a comment\nThing:", manifest.NAME),
    ],
)
def test_check_catches_a_changed_spec_or_referenced_file(
    project: Path,
    generations: list[str],
    capsys: pytest.CaptureFixture[str],
    file: str,
    old: str,
    new: str,
    stale: str,
) -> None:
    path = project / "specs" / file
    path.write_text(path.read_text().replace(old, new))
    assert main(["check"]) == 1
    assert stale in capsys.readouterr().out
    assert generations == ["things.yaml"]


def test_check_catches_another_clientgen(
    project: Path,
    generations: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(generator, "__version__", "99.0.0")
        patch.setattr(cache, "__version__", "99.0.0")
        _forget_fingerprints()
        try:
            assert main(["check"]) == 1
        finally:
            _forget_fingerprints()
    out = capsys.readouterr().out
    assert f"generated/things/{manifest.NAME}" in out
    assert '+ "clientgen": "99.0.0"' in out
    assert generations == ["things.yaml"]


def _forget_fingerprints() -> None:
    cache.release_fingerprint.cache_clear()
    cache.generator_fingerprint.cache_clear()


def test_a_change_to_the_generator_modules_moves_no_manifest(
    project: Path, generations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest's inputs are clientgen's version, templates and pinned libraries, not its
    own modules: a commit to the generator leaves every committed manifest as it was (the
    local cache's key does move)."""
    release, full = cache.release_fingerprint(), cache.generator_fingerprint()
    try:
        with monkeypatch.context() as patch:
            patch.setattr(cache, "_hash_tree", _hash_tree_with_an_edit)
            _forget_fingerprints()
            assert cache.release_fingerprint() != release  # the templates are part of it
            patch.setattr(cache, "release_fingerprint", lambda: release)
            assert cache.generator_fingerprint() != full
            assert main(["check"]) == 0
            assert generations == []
    finally:
        _forget_fingerprints()


def _hash_tree_with_an_edit(digest: Any, root: Path) -> None:
    """``cache._hash_tree`` of a tree where one more file is there."""
    digest.update(b"\0edited.py\0" + root.name.encode())


def test_check_full_regenerates_every_package(project: Path, generations: list[str]) -> None:
    assert main(["check", "--full"]) == 0
    assert generations == ["things.yaml"]


# -- reuse from the committed package -----------------------------------------------------


def _large_spec(extra: str = "") -> str:
    """700 object schemas (models in chunks), each referring to the next, and some alike."""
    schemas: dict[str, Any] = {}
    for index in range(700):
        properties: dict[str, Any] = {"id": {"type": "string"}, f"field_{index % 7}": {}}
        if index + 1 < 700:
            properties["next"] = {"$ref": f"#/components/schemas/Node{index + 1}"}
        if index == 350:
            properties["status"] = {"type": "string", "enum": ["queued", "done", extra or "x"]}
            properties[f"added_{extra}" if extra else "plain"] = {"type": "integer"}
        schemas[f"Node{index}"] = {"type": "object", "properties": properties}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Large", "version": "1"},
        "paths": {
            "/nodes/{id}": {
                "get": {
                    "operationId": "getNode",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Node0"}
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {"schemas": schemas},
    }
    return json.dumps(document, indent=1)


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.mark.slow
def test_a_change_reuses_the_committed_chunks_and_files_and_writes_a_fresh_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "large.json"
    spec.write_text(_large_spec())
    committed = tmp_path / "committed"
    args = ["generate", str(spec), "-o", str(committed), "-p", "large", "--quiet"]
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "first-cache"))
    assert main(args) == 0
    recorded = json.loads((committed / manifest.NAME).read_text())
    assert len(recorded["chunks"]) > 1

    served: list[str] = []
    formatted: list[int] = []
    real_get = manifest.PackageChunks.get
    real_load = manifest.PackageFormatted.load

    def get(self: manifest.PackageChunks, key: str) -> str | None:
        found = real_get(self, key)
        if found is not None:
            served.append(key)
        return found

    def load(self: manifest.PackageFormatted) -> dict[str, str]:
        found = real_load(self)
        formatted.append(len(found))
        return found

    monkeypatch.setattr(manifest.PackageChunks, "get", get)
    monkeypatch.setattr(manifest.PackageFormatted, "load", load)
    spec.write_text(_large_spec("changed"))
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "fresh-cache"))
    assert main(args) == 0
    assert 0 < len(served) < len(recorded["chunks"])  # every chunk but the changed one's
    assert formatted and formatted[0] > 0

    fresh = tmp_path / "fresh"
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "another-fresh-cache"))
    assert main(["generate", str(spec), "-o", str(fresh), "-p", "large", "--quiet"]) == 0
    assert _tree(committed) == _tree(fresh)


def test_check_of_an_unchanged_package_prints_its_warnings_under_strict(
    project: Path, generations: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    spec = project / "specs" / "things.yaml"
    spec.write_text(
        spec.read_text().replace(
            "operationId: getThing", "operationId: getThing\n      unknownKey: 1"
        )
    )
    assert main(["generate", "--quiet"]) == 0
    generations.clear()
    capsys.readouterr()
    assert main(["check", "--strict"]) == 1
    assert "unknownKey" in capsys.readouterr().err
    assert main(["check"]) == 0
    assert generations == []


@pytest.mark.parametrize("worker", [False, True], ids=["here", "validation-worker"])
def test_a_change_validates_again_only_what_it_can_reach(
    project: Path, monkeypatch: pytest.MonkeyPatch, worker: bool
) -> None:
    """The manifest records what validated clean; after a change, on a fresh machine, the
    validator is given only the subtrees the change can reach, and the package and its
    manifest are what a run from nothing writes."""
    from generator.spec import subtrees
    from generator.workflow import pipeline

    recorded = json.loads((project / PACKAGE / manifest.NAME).read_text())
    assert recorded["validated"]["subtrees"]
    reductions: list[dict[str, Any] | None] = []
    real = subtrees.Subtrees.reduced

    def reduced(self: subtrees.Subtrees, previous: Any) -> dict[str, Any] | None:
        found = real(self, previous)
        reductions.append(found)
        return found

    monkeypatch.setattr(subtrees.Subtrees, "reduced", reduced)
    if worker:  # the worker reduces in its own process: what it hands back is compared
        monkeypatch.setattr(pipeline, "WORKER_FROM_BYTES", 0)
    spec = project / "specs" / "things.yaml"
    spec.write_text(SPEC + "components:\n  schemas:\n    Extra: {type: string}\n")
    assert main(["generate", "--quiet"]) == 0
    if not worker:
        [reduction] = reductions
        assert reduction is not None
        assert list(reduction["paths"]) == []
        assert list(reduction["components"]["schemas"]) == ["Extra"]
    again = json.loads((project / PACKAGE / manifest.NAME).read_text())
    assert again["validated"]["key"] == recorded["validated"]["key"]
    assert again["validated"]["subtrees"] != recorded["validated"]["subtrees"]

    monkeypatch.setattr(pipeline, "WORKER_FROM_BYTES", 10**12)
    monkeypatch.setattr(subtrees.Subtrees, "reduced", lambda self, previous: None)
    assert main(["check", "--full", "--quiet"]) == 0  # what a whole validation writes
