"""A spec as it was at a git revision, for comparing APIs across commits.

``spec_at(root, rev, spec)`` extracts the spec's folder at ``rev`` (``git archive``) into a
temporary folder, so that ``$ref``s to sibling files resolve as they did then, and yields the
spec's path there, or ``None`` when the spec is not in that revision (new, or untracked).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class GitError(Exception):
    """git is missing, the folder is not in a repository, or the revision does not exist."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"cannot run git: {exc}") from None


def repo_root(folder: Path) -> Path:
    result = _git(folder, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise GitError(f"{folder} is not in a git repository")
    return Path(result.stdout.decode().strip())


def verify(root: Path, rev: str) -> str:
    """The commit ``rev`` names; GitError when it names none."""
    result = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if result.returncode != 0:
        raise GitError(f"unknown revision {rev!r}")
    return result.stdout.decode().strip()


def relative(root: Path, path: Path) -> str | None:
    """``path`` relative to the repository root (POSIX), or None when it is outside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


@contextmanager
def spec_at(root: Path, rev: str, spec: Path) -> Iterator[Path | None]:
    commit = verify(root, rev)
    rel = relative(root, spec)
    if rel is None or _git(root, "cat-file", "-e", f"{commit}:{rel}").returncode != 0:
        yield None
        return
    folder = rel.rpartition("/")[0] or "."
    archive = _git(root, "archive", "--format=tar", commit, "--", folder)
    if archive.returncode != 0:
        raise GitError(archive.stderr.decode(errors="replace").strip() or "git archive failed")
    with tempfile.TemporaryDirectory(prefix="clientgen-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:  # pragma: no cover - Python without extraction filters
                tar.extractall(tmp)
        yield Path(tmp) / rel
