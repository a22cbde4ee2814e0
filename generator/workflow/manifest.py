"""The committed package as the cache: ``clientgen-manifest.json`` beside the package.

Each generated project records, in one file at its root, what it was made from and what it
wrote:

- ``inputs``: the hash of everything the output depends on (``cache.entry_key`` with
  ``cache.release_fingerprint``: the spec's bytes, the target's settings, clientgen's version
  and templates, the pinned versions of the libraries that shape the output), and
  ``references``: each other file a ``$ref`` names, relative to the spec's folder, with its
  digest;
- ``files``: the sha256 of every file written;
- ``formatted``: of each Python file, the hash of what ruff was given (``format.format_key``);
- ``chunks``: of each chunk of the models, its key (the hash of its input) and where its
  classes went (``models.build.ChunkRecord``);
- the run's diagnostics and counts, so that a run that does nothing prints what a full one
  would;
- ``validated``, when openapi-spec-validator found nothing in the spec: the hash of each of
  its subtrees (``generator.spec.subtrees.Validated``), so that the next run validates
  again only the subtrees whose check can differ;
- ``digest``: of all the rest, so that an edit to the manifest itself shows.

clientgen's own modules are not among the inputs (a commit to the generator would otherwise
change every committed manifest): its version stands for them, and ``check --full``, which
regenerates whatever the manifest says, is how clientgen's own repository catches a change
of its code that moves the output.

With it, a fresh machine needs no cache folder. ``verify`` says whether a committed project is
what its inputs make, by hashes alone: any edited, missing or extra file, a changed spec or
referenced file, other settings or another clientgen is a difference, and only then does
anything run. A run that does generate takes from the committed package the model chunks and
the formatted files whose inputs did not change (``PackageChunks``, ``PackageFormatted``),
each only where the committed file is still the one the manifest hashed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import generator
from generator.config import Target
from generator.diagnostics import Diagnostic
from generator.emit.write import stale_files
from generator.models import modules as model_modules
from generator.models.build import ChunkRecord
from generator.spec.subtrees import Validated

NAME = "clientgen-manifest.json"
FORMAT = "clientgen-manifest-1"
TOOLS = ("datamodel-code-generator", "ruff", "openapi-spec-validator", "pydantic")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tool_versions() -> dict[str, str]:
    versions = {}
    for name in TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "?"
    return versions


@dataclass(frozen=True, slots=True)
class Inputs:
    """What a target's output is made from, as the manifest records it."""

    key: str  # the manifest's (cache.release_fingerprint)
    cache_key: str  # the local cache folder's (cache.generator_fingerprint)
    references: tuple[tuple[str, str | None], ...]  # (path from the spec's folder, digest)


def inputs(spec_path: Path, target: Target, display: str | None) -> Inputs | None:
    """None when the spec cannot be read (the pipeline reports why)."""
    from generator.workflow.cache import (
        generator_fingerprint,
        input_key,
        referenced_files,
        release_fingerprint,
    )

    try:
        spec = hashlib.sha256(spec_path.read_bytes()).digest()
    except OSError:
        return None
    key = input_key(spec, target, display, release_fingerprint())
    cache_key = input_key(spec, target, display, generator_fingerprint())
    base = spec_path.resolve().parent
    references = tuple(
        (Path(os.path.relpath(path, base)).as_posix(), _digest(path))
        for path in referenced_files(spec_path)
    )
    return Inputs(key, cache_key, tuple(sorted(references)))


def _digest(path: Path) -> str | None:
    try:
        return _sha256(path.read_bytes())
    except OSError:
        return None


def build(
    made: Inputs,
    files: dict[str, bytes],
    format_keys: dict[str, str],
    chunks: tuple[ChunkRecord, ...],
    diagnostics: tuple[Diagnostic, ...],
    operations: int,
    models: int,
    validated: Validated | None = None,
) -> bytes:
    """The manifest of a package made from ``made`` (one line per entry, for readable diffs)."""
    from generator.workflow.cache import release_fingerprint

    manifest = {
        "format": FORMAT,
        "clientgen": generator.__version__,
        "generator": release_fingerprint().hex(),
        "tools": tool_versions(),
        "inputs": made.key,
        "references": [list(r) for r in made.references],
        "files": {name: _sha256(data) for name, data in sorted(files.items()) if name != NAME},
        "formatted": dict(sorted(format_keys.items())),
        "chunks": {
            record.key: {
                "imports": record.imports,
                "statements": [
                    f"{module}\t{','.join(defines)}\t{owner or ''}"
                    for module, defines, owner in record.statements
                ],
            }
            for record in chunks
        },
        "diagnostics": [d.to_dict() for d in diagnostics],
        "operations": operations,
        "models": models,
        "validated": validated.to_dict() if validated is not None else None,
    }
    return _text(manifest)


def _text(manifest: dict[str, Any]) -> bytes:
    """The manifest's bytes, ``digest`` (of the rest) included: an edit shows."""
    manifest = {k: v for k, v in manifest.items() if k != "digest"}
    manifest["digest"] = _sha256(_dump(manifest))
    return _dump(manifest)


def _dump(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def read(root: Path) -> dict[str, Any] | None:
    """The manifest of the project at ``root``; None if it has none that this clientgen reads."""
    try:
        data = (root / NAME).read_bytes()
        manifest = json.loads(data)
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None
    if _text(manifest) != data:
        return None  # edited: trusted for nothing
    for field, kind in (("files", dict), ("formatted", dict), ("chunks", dict)):
        if not isinstance(manifest.get(field), kind):
            return None
    return manifest


@dataclass(frozen=True, slots=True)
class Verified:
    """A committed project that is what its inputs make: its files and its run's record."""

    files: dict[str, bytes]
    diagnostics: tuple[Diagnostic, ...]
    operations: int
    models: int


def verify(root: Path, package: str, made: Inputs | None) -> Verified | None:
    """The committed project at ``root`` if its manifest says it was made from ``made`` and
    every file is there with the bytes it hashed, and no other file of the package is;
    else None (something may differ: generate and compare)."""
    manifest = read(root)
    if made is None or manifest is None or manifest.get("inputs") != made.key:
        return None
    if manifest.get("references") != [list(r) for r in made.references]:
        return None
    files: dict[str, bytes] = {}
    for name, digest in manifest["files"].items():
        try:
            data = (root / name).read_bytes()
        except OSError:
            return None
        if _sha256(data) != digest:
            return None
        files[name] = data
    try:
        files[NAME] = (root / NAME).read_bytes()
        diagnostics = tuple(Diagnostic.from_dict(d) for d in manifest["diagnostics"])
        operations, models = int(manifest["operations"]), int(manifest["models"])
    except (OSError, KeyError, TypeError, ValueError):
        return None
    if stale_files(root, files, package):
        return None
    return Verified(files, diagnostics, operations, models)


class _Committed:
    """The committed files that are still what the manifest hashed."""

    def __init__(self, root: Path, manifest: dict[str, Any]) -> None:
        self.root, self.manifest = root, manifest
        self._texts: dict[str, str | None] = {}

    def text(self, name: str) -> str | None:
        if name not in self._texts:
            digest = self.manifest["files"].get(name)
            try:
                data = (self.root / name).read_bytes()
                ok = isinstance(digest, str) and _sha256(data) == digest
                self._texts[name] = data.decode("utf-8") if ok else None
            except (OSError, UnicodeDecodeError):
                self._texts[name] = None
        return self._texts[name]


class PackageFormatted:
    """The committed Python files as ``format.FormatStore`` entries: a file whose text for
    ruff has the key the manifest recorded is the committed file (same clientgen only)."""

    def __init__(self, committed: _Committed) -> None:
        self.committed = committed

    def load(self) -> dict[str, str]:
        from generator.workflow.cache import release_fingerprint

        manifest = self.committed.manifest
        if manifest.get("generator") != release_fingerprint().hex():
            return {}  # keys of models modules stand for text that this clientgen makes
        found = {}
        for name, key in manifest["formatted"].items():
            text = self.committed.text(name)
            if text is not None and isinstance(key, str):
                found[key] = text
        return found

    def save(self, formatted: dict[str, str]) -> None:
        return None


class PackageChunks:
    """The committed package's model chunks as a ``chunks.ChunkStore``: a chunk whose key the
    manifest recorded is read back from the model modules its classes went to (the classes
    as formatted; ruff formats them to the same text again)."""

    def __init__(self, committed: _Committed, package: str) -> None:
        self.committed, self.package = committed, package
        self._read: dict[str, dict[tuple[tuple[str, ...], str | None], list[Any]] | None] = {}

    def _module(self, stem: str) -> dict[tuple[tuple[str, ...], str | None], list[Any]] | None:
        if stem not in self._read:
            text = self.committed.text(f"{self.package}/models/{stem}.py")
            found: dict[tuple[tuple[str, ...], str | None], list[Any]] | None = None
            if text is not None:
                try:
                    _, statements = model_modules.read(text)
                except SyntaxError:
                    statements = []
                found = {
                    (s.defines, s.owner): [
                        s.source,
                        list(s.defines),
                        s.owner,
                        sorted(s.uses),
                        sorted(s.needs),
                    ]
                    for s in statements
                }
            self._read[stem] = found
        return self._read[stem]

    def get(self, key: str) -> str | None:
        from generator.workflow.cache import release_fingerprint

        manifest = self.committed.manifest
        record = manifest["chunks"].get(key)
        if manifest.get("generator") != release_fingerprint().hex():
            return None
        if not isinstance(record, dict) or not isinstance(record.get("imports"), str):
            return None
        rows = []
        for line in record.get("statements") or []:
            stem, defines, owner = str(line).split("\t")
            statements = self._module(stem)
            if statements is None:
                return None
            row = statements.get((tuple(filter(None, defines.split(","))), owner or None))
            if row is None:
                return None
            rows.append(row)
        return json.dumps([record["imports"], rows], ensure_ascii=False)

    def put(self, key: str, text: str) -> None:
        return None


def validated(root: Path) -> Validated | None:
    """What the committed project's spec was when it validated clean (None if it did not,
    or there is no manifest this clientgen trusts)."""
    manifest = read(root)
    return Validated.from_dict(manifest.get("validated")) if manifest is not None else None


def stores(root: Path, package: str) -> tuple[PackageChunks, PackageFormatted] | None:
    """The committed package at ``root`` as a chunk store and a format store; None without a
    manifest."""
    manifest = read(root)
    if manifest is None:
        return None
    committed = _Committed(root, manifest)
    return PackageChunks(committed, package), PackageFormatted(committed)
