"""The content-hash cache: cached output is fresh output, byte for byte, and any input misses."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from generator.cli.commands import main
from generator.config import Target
from generator.workflow import cache as cache
from generator.workflow import manifest
from generator.workflow.pipeline import generate as generate_fresh
from tests.conftest import ROOT
from tests.support.layout import models_source

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
          unknownKey: 1
""")
SCHEMAS = textwrap.dedent("""
    Thing:
      type: object
      required: [id]
      properties:
        id: {type: string}
        size: {type: integer}
""")


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    folder = tmp_path / "spec"
    folder.mkdir()
    (folder / "schemas.yaml").write_text(SCHEMAS)
    path = folder / "things.yaml"
    path.write_text(SPEC)
    return path


TARGET = Target("things", "things.yaml")


def _package(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files of a cached run but its manifest (which the pipeline does not write)."""
    assert manifest.NAME in files
    return {name: data for name, data in files.items() if name != manifest.NAME}


def run(spec: Path, folder: Path) -> cache.Result:
    return cache.generate(spec, TARGET, display="things.yaml", folder=folder)


def test_cached_output_is_fresh_output_byte_for_byte(spec: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    first = run(spec, folder)
    assert first.fresh is not None  # a miss: generated
    second = run(spec, folder)
    assert second.fresh is None  # a hit
    fresh = generate_fresh(spec, TARGET, display="things.yaml")
    assert second.files == first.files
    assert _package(second.files) == fresh.files  # and the package's manifest
    assert second.diagnostics == first.diagnostics == fresh.diagnostics
    assert any("unknownKey" in d.message for d in second.diagnostics)
    assert (second.operations, second.models) == (1, len(fresh.api.model_names))


def test_a_seed_spec_from_the_cache_is_a_fresh_generation(tmp_path: Path) -> None:
    target = Target(
        "parallel_tasks",
        "specs/parallel_tasks.yaml",
        "PARALLEL_API_KEY",
        location="generated/parallel_tasks",
    )
    spec = ROOT / "specs" / "parallel_tasks.yaml"
    shown = "specs/parallel_tasks.yaml"
    fresh = generate_fresh(spec, target, display=shown)
    for expect_hit in (False, True):
        result = cache.generate(spec, target, display=shown, folder=tmp_path)
        assert (result.fresh is None) == expect_hit
        assert _package(result.files) == fresh.files
        assert (
            result.files[manifest.NAME]
            == (ROOT / "generated/parallel_tasks" / manifest.NAME).read_bytes()
        )
        assert result.diagnostics == fresh.diagnostics


def test_a_changed_spec_byte_misses(spec: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    run(spec, folder)
    spec.write_text(SPEC.replace("getThing", "getThinG"))
    assert run(spec, folder).fresh is not None


def test_a_changed_referenced_file_misses(spec: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    before = run(spec, folder)
    (spec.parent / "schemas.yaml").write_text(SCHEMAS.replace("size", "count"))
    after = run(spec, folder)
    assert after.fresh is not None
    assert models_source(after.files, "things") != models_source(before.files, "things")
    assert "count" in models_source(after.files, "things")


def test_a_changed_template_misses(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.emit import render as render

    templates = tmp_path / "templates"
    shutil.copytree(render.templates_dir(), templates)
    monkeypatch.setattr(render, "templates_dir", lambda: templates)
    _forget_fingerprints()
    key = cache.entry_key(spec, TARGET, "things.yaml")
    release = cache.entry_key(spec, TARGET, "things.yaml", cache.release_fingerprint())
    some = next(p for p in sorted(templates.rglob("*")) if p.is_file())
    some.write_bytes(some.read_bytes() + b"\n")
    _forget_fingerprints()
    assert cache.entry_key(spec, TARGET, "things.yaml") != key
    # the templates are part of a release: the committed package's manifest sees them too
    assert cache.entry_key(spec, TARGET, "things.yaml", cache.release_fingerprint()) != release
    monkeypatch.undo()
    _forget_fingerprints()


def _forget_fingerprints() -> None:
    cache.release_fingerprint.cache_clear()
    cache.generator_fingerprint.cache_clear()


def test_settings_are_part_of_the_key(spec: Path) -> None:
    keys = {
        cache.entry_key(spec, target, shown)
        for target, shown in [
            (TARGET, "things.yaml"),
            (Target("other", "things.yaml"), "things.yaml"),
            (Target("things", "things.yaml", "THINGS_KEY"), "things.yaml"),
            (TARGET, "elsewhere/things.yaml"),
            (Target("things", "things.yaml", location="clients/things"), "things.yaml"),
        ]
    }
    assert len(keys) == 5


@pytest.mark.parametrize("damage", [b"", b"not a zip", b"PK\x03\x04garbage"])
def test_a_corrupt_entry_is_ignored(spec: Path, tmp_path: Path, damage: bytes) -> None:
    folder = tmp_path / "cache"
    good = run(spec, folder)
    [entry] = folder.glob("*.zip")
    entry.write_bytes(damage)
    again = run(spec, folder)
    assert again.fresh is not None and again.files == good.files
    assert run(spec, folder).fresh is None  # stored anew


def test_cli_prints_warnings_of_a_cached_run_and_honours_strict(
    spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["generate", str(spec), "-o", str(out), "-p", "things"]
    for _ in range(2):
        assert main(args) == 0
        assert "unknownKey" in capsys.readouterr().err
    assert main([*args, "--strict"]) == 1
    assert ": error:" in capsys.readouterr().err
    assert main([*args, "--no-cache"]) == 0
    assert "unknownKey" in capsys.readouterr().err


def test_a_changed_spec_formats_again_only_the_files_that_changed(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.emit import format as formatting

    formatted: list[list[str]] = []
    real = formatting._format_tree

    def recorded(files: dict[str, str], packages: list[str]) -> dict[str, str]:
        formatted.append(sorted(files))
        return real(files, packages)

    monkeypatch.setattr(formatting, "_format_tree", recorded)
    folder = tmp_path / "cache"
    first = run(spec, folder)
    (spec.parent / "schemas.yaml").write_text(SCHEMAS.replace("size", "count"))
    second = run(spec, folder)
    fresh = generate_fresh(spec, TARGET, display="things.yaml")
    assert (
        _package(second.files) == fresh.files
    )  # a file formatted earlier is the file ruff gives now
    assert len(formatted[0]) == len([n for n in first.files if n.endswith(".py")])
    # only the module of Thing changed
    assert formatted[1] == ["things/models/_thing.py"]
    # an entry from another version of clientgen is not read
    store = cache.FormatCache(folder / "format", "things")
    assert store.load()
    monkeypatch.setattr(cache, "generator_fingerprint", lambda: b"another version")
    assert store.load() == {}


@pytest.mark.parametrize(
    ("text", "may"),
    [
        (b'{"$ref": "#/components/schemas/A"}', False),
        (b"a: {$ref: '#/A'}\nb:\n  $ref:   \"#/B\"\n", False),
        (b"no references at all", False),
        (b"$ref: schemas.yaml#/Thing", True),
        (b"'$ref': 'other.yaml'", True),
        (b'{"$ref": "https://example.com/a.json"}', True),
        (b'{"\\u0024ref": "#/A", "x": 1}', True),  # an escaped key: read the document
        (b"$ref\n  : x.yaml", True),  # a layout the quick look does not know
    ],
)
def test_only_a_spec_that_may_name_other_files_is_read_for_them(text: bytes, may: bool) -> None:
    assert cache._may_name_files(text) is may


def test_formatting_falls_back_to_disk_when_memory_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.emit import format as formatting

    files = {"pkg/__init__.py": "import os\nx=1\n", "pkg/a.py": "y = [1,\n2]\n"}
    expected = formatting.format_files(files)
    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.setattr(formatting, "MEMORY_FOLDER", memory)
    assert formatting.format_files(files) == expected
    write_bytes = Path.write_bytes

    def full(self: Path, data: bytes) -> int:
        if memory in self.parents:
            raise OSError(28, "No space left on device")
        return write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    assert formatting.format_files(files) == expected
    assert list(memory.iterdir()) == []  # nothing left behind
