"""A content-hash cache of generated packages: an unchanged spec regenerates in milliseconds.

An entry's key is the sha256 of everything the output depends on: the generator (its version,
the bytes of its own modules and of ``templates/``, the pinned versions of
datamodel-code-generator, ruff and openapi-spec-validator), the spec's bytes and the target's
settings. The spec may ``$ref`` other files; their paths and digests are recorded in the entry
and checked on every hit, so a changed referenced file misses too (any file that a spec's
``$ref`` names, in the spec or in a file it names, counts, found without resolving anything).

An entry is one zip file, ``<key>.zip``, under ``$CLIENTGEN_CACHE_DIR`` or else
``.cache/clientgen/`` beside the nearest pyproject.toml (``~/.cache/clientgen`` outside a
project): the generated files' bytes, the diagnostics of the run (a cached run prints the same
warnings) and the counts of the summary line. Only successful runs are stored. An entry that
cannot be read (truncated, corrupt, from another format) is ignored and replaced; a cache
folder that cannot be written is no error.
"""

from __future__ import annotations

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
from generator.workflow.pipeline import STAGES, Generated, Progress
from generator.workflow.pipeline import generate as generate_fresh

CACHE_ENV = "CLIENTGEN_CACHE_DIR"
FORMAT = "clientgen-cache-1"
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
) -> Result:
    """``pipeline.generate`` through the cache (or around it, with ``use_cache=False``)."""
    key = None
    if use_cache:
        folder = folder or cache_dir()
        key = entry_key(spec_path, target, display)
        hit = lookup(folder, key) if key is not None else None
        if hit is not None:
            for stage in STAGES:
                if progress is not None:
                    progress(stage)
            if strict and hit.diagnostics:
                raise as_errors(hit.diagnostics)
            return hit
    chunks = ChunkCache(folder / "models") if folder is not None else None
    formatted = FormatCache(folder / "format", target.package) if folder is not None else None
    fresh = generate_fresh(
        spec_path,
        target,
        display=display,
        strict=strict,
        progress=progress,
        store=chunks,
        formatted=formatted,
    )
    result = Result(
        fresh.files,
        fresh.diagnostics,
        fresh.api.operation_count,
        len(fresh.api.model_names),
        fresh,
    )
    if folder is not None and key is not None:
        store(folder, key, spec_path, result)
    return result


def entry_key(spec_path: Path, target: Target, display: str | None) -> str | None:
    """The entry's name; None when the spec cannot be read (the pipeline reports why)."""
    try:
        spec = spec_path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256()
    for part in (
        FORMAT.encode(),
        generator_fingerprint(),
        json.dumps(
            [
                target.package,
                target.spec_name,
                target.api_key_env,
                target.http,
                target.location,
                target.webhook_signature,
                target.pagination,
                target.resources,
                display,
            ]
        ).encode(),
        spec,
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


@cache
def generator_fingerprint() -> bytes:
    """What the output depends on besides the spec: versions, modules, templates."""
    digest = hashlib.sha256(__version__.encode())
    for name in _PINNED:
        try:
            digest.update(f"\0{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"\0{name}=?".encode())
    from generator.emit.render import templates_dir

    for root in (Path(__file__).parent.parent, templates_dir()):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


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
