"""Write stage: put a package's bytes on disk, or compare them with what is there.

Files are written only when their bytes differ. A file in the package folder that this run
did not produce (a module left from an earlier spec) is removed, or reported by ``check``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

_OWNED_SUFFIXES = (".py", ".typed")


@dataclass(frozen=True, slots=True)
class Drift:
    path: str
    diff: str  # unified diff, empty for a binary or missing-file difference


def stale_files(root: Path, files: dict[str, bytes], package: str) -> list[Path]:
    """The files of the package folder that are not among ``files`` (ours by their suffix)."""
    folder = root / package
    if not folder.is_dir():
        return []
    wanted = {root / name for name in files}
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix in _OWNED_SUFFIXES
        and "__pycache__" not in p.parts
        and p not in wanted
    )


def write_tree(root: Path, files: dict[str, bytes], package: str) -> list[str]:
    """Write changed files; return the relative paths written or removed."""
    changed = []
    for name, data in sorted(files.items()):
        path = root / name
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        changed.append(name)
    for path in stale_files(root, files, package):
        path.unlink()
        changed.append(str(path.relative_to(root)))
    return changed


def compare_tree(root: Path, files: dict[str, bytes], package: str, label: str) -> list[Drift]:
    drifts = []
    for name, data in sorted(files.items()):
        path = root / name
        current = path.read_bytes() if path.is_file() else None
        if current == data:
            continue
        shown = f"{label}/{name}"
        old = (current or b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = data.decode("utf-8", "replace").splitlines(keepends=True)
        diff = "".join(
            difflib.unified_diff(
                old, new, f"a/{shown}" if current is not None else "/dev/null", f"b/{shown}"
            )
        )
        drifts.append(Drift(shown, diff))
    for path in stale_files(root, files, package):
        shown = f"{label}/{path.relative_to(root)}"
        drifts.append(
            Drift(shown, f"--- a/{shown}\n+++ /dev/null\n(stale file: no longer generated)\n")
        )
    return drifts
