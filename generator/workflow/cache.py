"""A content-hash cache of generated packages: an unchanged spec regenerates in milliseconds.

An entry's key is the sha256 of everything the output depends on: the generator (its version,
the bytes of its own modules and of ``templates/``, the pinned versions of
datamodel-code-generator, ruff, openapi-spec-validator and pydantic), the spec's bytes and the
target's settings. The spec may ``$ref`` other files; their paths and digests are recorded in
the entry and checked on every hit, so a changed referenced file misses too (any file that a
spec's ``$ref`` names, in the spec or in a file it names, counts, found without resolving
anything).

An entry is one zip file, ``<key>.zip``, under ``$CLIENTGEN_CACHE_DIR`` or else
``.cache/clientgen/`` beside the nearest pyproject.toml (``~/.cache/clientgen`` outside a
project): the generated files' bytes, the diagnostics of the run (a cached run prints the same
warnings) and the counts of the summary line. Only successful runs are stored. An entry that
cannot be read (truncated, corrupt, from another format) is ignored and replaced; a cache
folder that cannot be written is no error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from generator import __version__
from generator.config import Target
from generator.diagnostics import Diagnostic, SpecError, as_errors
from generator.emit.format import FormatStore
from generator.models.chunks import ChunkStore
from generator.workflow import manifest
from generator.workflow.pipeline import STAGES, Generated, Progress
from generator.workflow.pipeline import generate as generate_fresh

CACHE_ENV = "CLIENTGEN_CACHE_DIR"
FORMAT = "clientgen-cache-2"  # 2: the files hold the package's manifest
KEEP = 64  # entries kept per folder, the most recently used
_PINNED = ("datamodel-code-generator", "ruff", "openapi-spec-validator", "pydantic")
_MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Result:
    """What ``generate`` and ``check`` need; ``fresh`` is the full run when there was one."""

    files: dict[str, bytes]
    diagnostics: tuple[Diagnostic, ...]
    operations: int
    models: int
    fresh: Generated | None


def cache_dir(start: Path | None = None) -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder / ".cache" / "clientgen"
    return Path.home() / ".cache" / "clientgen"


def generate(
    spec_path: Path,
    target: Target,
    *,
    display: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    use_cache: bool = True,
    folder: Path | None = None,
    committed: Path | None = None,
) -> Result:
    """``pipeline.generate`` through the cache (or around it, with ``use_cache=False``).

    ``committed`` is the project folder of the package as it is now: when its manifest says
    it is what these inputs make, and its files are what the manifest hashed, that is the
    result and nothing runs; else its unchanged model chunks and formatted files are reused
    (``generator.workflow.manifest``). The files returned hold the package's manifest.
    """
    made = manifest.inputs(spec_path, target, display)
    if committed is not None:
        verified = manifest.verify(committed, target.package, made)
        if verified is not None:
            return _served(
                Result(
                    verified.files,
                    verified.diagnostics,
                    verified.operations,
                    verified.models,
                    None,
                ),
                strict,
                progress,
            )
    key = made.cache_key if made is not None and use_cache else None
    if use_cache:
        folder = folder or cache_dir()
        hit = lookup(folder, key) if key is not None else None
        if hit is not None:
            return _served(hit, strict, progress)
    chunks: list[ChunkStore] = [ChunkCache(folder / "models")] if folder is not None else []
    formats: list[FormatStore] = (
        [FormatCache(folder / "format", target.package)] if folder is not None else []
    )
    package = manifest.stores(committed, target.package) if committed is not None else None
    if package is not None:
        chunks.append(package[0])
        formats.append(package[1])
    fresh = generate_fresh(
        spec_path,
        target,
        display=display,
        strict=strict,
        progress=progress,
        store=_Chunks(chunks) if chunks else None,
        formatted=_Formats(formats) if formats else None,
        validated=manifest.validated(committed) if committed is not None else None,
    )
    files = dict(fresh.files)
    operations, models = fresh.api.operation_count, fresh.api.model_count
    if made is not None:
        files[manifest.NAME] = manifest.build(
            made,
            files,
            fresh.format_keys,
            fresh.chunks,
            fresh.diagnostics,
            operations,
            models,
            fresh.validated,
        )
    result = Result(files, fresh.diagnostics, operations, models, fresh)
    if folder is not None and key is not None:
        store(folder, key, spec_path, result)
    return result


def _served(result: Result, strict: bool, progress: Progress | None) -> Result:
    """A result that needed no generation, reported as a run would be."""
    for stage in STAGES:
        if progress is not None:
            progress(stage)
    if strict and result.diagnostics:
        raise as_errors(result.diagnostics)
    return result


class _Chunks:
    """Chunk stores in order: the first that holds a chunk gives it; each keeps new ones."""

    def __init__(self, stores: list[ChunkStore]) -> None:
        self.stores = stores

    def get(self, key: str) -> str | None:
        for source in self.stores:
            found = source.get(key)
            if found is not None:
                return found
        return None

    def put(self, key: str, text: str) -> None:
        for source in self.stores:
            source.put(key, text)


class _Formats:
    """Format stores in order: the first that holds a file gives it; each keeps the run's."""

    def __init__(self, stores: list[FormatStore]) -> None:
        self.stores = stores

    def load(self) -> dict[str, str]:
        known: dict[str, str] = {}
        for source in reversed(self.stores):
            known.update(source.load())
        return known

    def save(self, formatted: dict[str, str]) -> None:
        for source in self.stores:
            source.save(formatted)


def entry_key(
    spec_path: Path, target: Target, display: str | None, fingerprint: bytes | None = None
) -> str | None:
    """The entry's name; None when the spec cannot be read (the pipeline reports why).
    ``fingerprint`` is the generator's part (``generator_fingerprint`` unless given)."""
    try:
        spec = spec_path.read_bytes()
    except OSError:
        return None
    return input_key(hashlib.sha256(spec).digest(), target, display, fingerprint)


def input_key(
    spec_digest: bytes, target: Target, display: str | None, fingerprint: bytes | None = None
) -> str:
    """``entry_key`` from the sha256 of the spec's bytes."""
    digest = hashlib.sha256()
    for part in (
        FORMAT.encode(),
        generator_fingerprint() if fingerprint is None else fingerprint,
        # every setting of the target, so that one added later is part of the key too
        json.dumps([*dataclasses.astuple(target), display]).encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    digest.update(spec_digest)
    return digest.hexdigest()


@cache
def release_fingerprint() -> bytes:
    """What the output depends on besides the spec, as a release of clientgen names it: its
    version, its templates and the pinned versions of the libraries that shape the output.
    A committed package's manifest records this one (``generator.workflow.manifest``): a
    change to the generator's own modules moves no committed file until the version does."""
    digest = hashlib.sha256(__version__.encode())
    for name in _PINNED:
        try:
            digest.update(f"\0{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"\0{name}=?".encode())
    from generator.emit.render import templates_dir

    _hash_tree(digest, templates_dir())
    return digest.digest()


@cache
def generator_fingerprint() -> bytes:
    """``release_fingerprint`` and the bytes of the generator's own modules: the key of the
    local cache folder, so that a clientgen being worked on never serves an older output."""
    digest = hashlib.sha256(release_fingerprint())
    _hash_tree(digest, Path(__file__).parent.parent)
    return digest.digest()


def _hash_tree(digest: Any, root: Path) -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def referenced_files(spec_path: Path) -> list[Path]:
    """Every other file a ``$ref`` of the spec names, and those their ``$ref``s name."""
    from generator.spec.load import iter_refs
    from generator.spec.read import read_document

    root = spec_path.resolve()
    try:
        if not _may_name_files(root.read_bytes()):
            return []  # read once more only where it may (GitHub's spec: 0.6 s saved)
    except OSError:
        return []
    seen = {root}
    found: list[Path] = []
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            data = read_document(current, str(current))
        except SpecError:
            continue
        for _, holder in iter_refs(data):
            written: str = holder["$ref"]
            target = written.partition("#")[0]
            if not target or "://" in written:
                continue
            path = (current.parent / target).resolve()
            if path not in seen:
                seen.add(path)
                found.append(path)
                if path.is_file():
                    stack.append(path)
    return found


# A ``$ref`` key, quoted or not, and the start of its value up to its first character.
_REF_VALUE = re.compile(rb"""\$ref['"]?\s*:\s*['"]?(.)""", re.DOTALL)
_ESCAPED_DOLLAR = re.compile(rb"\\(?:u0024|x24|U00000024)")


def _may_name_files(text: bytes) -> bool:
    """False only when every ``$ref`` in the text is a local pointer (``#...``): no ``$ref``
    value starts otherwise, and no ``$`` is written as an escape."""
    if _ESCAPED_DOLLAR.search(text):
        return True
    found = 0
    for match in _REF_VALUE.finditer(text):
        found += 1
        if match.group(1) != b"#":
            return True
    return found != text.count(b"$ref")


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def lookup(folder: Path, key: str) -> Result | None:
    path = folder / f"{key}.zip"
    try:
        with zipfile.ZipFile(path) as archive:
            manifest: dict[str, Any] = json.loads(archive.read(_MANIFEST))
            if manifest.get("format") != FORMAT:
                return None
            for name, digest in manifest["dependencies"]:
                if _digest(Path(name)) != digest:
                    return None
            files = {str(name): archive.read(f"files/{name}") for name in manifest["files"]}
            diagnostics = tuple(Diagnostic.from_dict(d) for d in manifest["diagnostics"])
            result = Result(
                files, diagnostics, int(manifest["operations"]), int(manifest["models"]), None
            )
    except (OSError, zipfile.BadZipFile, ValueError, KeyError, TypeError, RuntimeError):
        return None  # missing or unreadable: a miss
    try:
        os.utime(path)
    except OSError:
        pass
    return result


def store(folder: Path, key: str, spec_path: Path, result: Result) -> None:
    manifest = {
        "format": FORMAT,
        "dependencies": [[str(p), _digest(p)] for p in referenced_files(spec_path)],
        "files": sorted(result.files),
        "diagnostics": [d.to_dict() for d in result.diagnostics],
        "operations": result.operations,
        "models": result.models,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(_MANIFEST, json.dumps(manifest))
        for name in sorted(result.files):
            archive.writestr(f"files/{name}", result.files[name])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{key}.{os.getpid()}.tmp"
        temporary.write_bytes(buffer.getvalue())
        os.replace(temporary, folder / f"{key}.zip")
        _prune(folder)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _prune(folder: Path, pattern: str = "*.zip", keep: int = KEEP) -> None:
    entries = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)


class ChunkCache:
    """The generated chunks of large specs' models (``generator.models.chunks``), a file each
    under ``<cache>/models/``, named by the hash of the chunk's input and the generator's
    fingerprint. A spec where one schema changed finds every other chunk here."""

    KEEP = 512

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(generator_fingerprint() + key.encode()).hexdigest()
        return self.folder / f"{digest}.json"

    def get(self, key: str) -> str | None:
        try:
            text = self._path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return text or None

    def put(self, key: str, text: str) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self._path(key).with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, self._path(key))
            _prune(self.folder, "*.json", self.KEEP)
        except OSError:
            pass  # a cache that cannot be written only costs time


class FormatCache:
    """The formatted Python files of a target's last run, by ``format.format_key``: one JSON
    file under ``<cache>/format/``, named after the package (``format.format_files``). It is
    read whole and written anew each run, so it holds only what the last output needed."""

    KEEP = 64

    def __init__(self, folder: Path, package: str) -> None:
        digest = hashlib.sha256(package.encode()).hexdigest()[:32]
        self.folder, self.path = folder, folder / f"{digest}.json"

    def load(self) -> dict[str, str]:
        try:
            stored = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        fingerprint = generator_fingerprint().hex()
        if not (isinstance(stored, dict) and stored.get("fingerprint") == fingerprint):
            return {}
        files = stored.get("files")
        if not isinstance(files, dict):
            return {}
        return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}

    def save(self, formatted: dict[str, str]) -> None:
        stored = {"fingerprint": generator_fingerprint().hex(), "files": formatted}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, self.path)
            _prune(self.folder, "*.json", self.KEEP)
        except OSError:
            pass  # a cache that cannot be written only costs time
