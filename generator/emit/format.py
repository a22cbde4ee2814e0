"""Format stage: ``ruff check --fix`` then ``ruff format`` on generated Python and Markdown.

The ruff binary is the pinned one from the ``ruff`` package, run with ``--isolated`` and
explicit settings, so no configuration file on the machine changes the bytes.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import NoReturn, Protocol

from generator.diagnostics import Diagnostic, SpecError

LINE_LENGTH = "100"
FIX_RULES = "E,F,W,I,UP"
IGNORED_RULES = "E501"


@cache
def ruff_binary() -> str:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    return str(find_ruff_bin())


def _run(args: list[str], text: str, name: str) -> str:
    result = subprocess.run(
        [
            ruff_binary(),
            *args,
            "--isolated",
            "--line-length",
            LINE_LENGTH,
            "--target-version",
            "py310",
            "--stdin-filename",
            name,
            "-",
        ],
        input=text.encode(),
        capture_output=True,
        check=False,
    )
    if result.returncode not in (0, 1):
        _failed(result, name)
    return result.stdout.decode()


def _failed(result: subprocess.CompletedProcess[bytes], name: str) -> NoReturn:
    detail = result.stderr.decode(errors="replace").strip().splitlines()
    raise SpecError(
        [
            Diagnostic(
                "error",
                "#",
                f"formatting {name} failed: {' '.join(detail[:3])}",
                hint="this is a bug in clientgen; please report it",
            )
        ]
    )


def format_markdown(text: str, name: str) -> str:
    """``ruff format`` of the Python code blocks in a Markdown file."""
    return _run(["format", "--quiet", "--preview"], text, name)


class FormatStore(Protocol):
    """Formatted files of an earlier run, by ``format_key`` (see ``generator.workflow.cache``)."""

    def load(self) -> dict[str, str]: ...

    def save(self, formatted: dict[str, str]) -> None: ...


def format_files(
    files: dict[str, str], store: FormatStore | None = None, keys: dict[str, str] | None = None
) -> dict[str, str]:
    """Format every ``.py`` and ``.md`` file of a package project.

    The Python files go through one ``ruff check --fix`` and one ``ruff format`` over a
    scratch copy of them all (a package may have a thousand model modules: one ruff process
    each would cost more than the formatting); the Markdown files through ``format_markdown``.
    ruff reads each file on its own, so a file that ``store`` holds formatted, from the same
    text under the same name and settings, is taken from there: after a small change to a
    spec, only the files that changed are formatted again. ``keys`` are the files'
    ``format_keys`` when the caller has them.
    """
    python = sorted(name for name in files if name.endswith(".py"))
    markdown = [name for name in files if name.endswith(".md")]
    packages = _packages(python)
    keys = keys if keys is not None else format_keys(files)
    known = store.load() if store is not None else {}
    formatted = {name: known[keys[name]] for name in python if keys[name] in known}
    formatted.update(_format_tree({n: files[n] for n in python if n not in formatted}, packages))
    if store is not None:
        store.save({keys[name]: formatted[name] for name in python})
    formatted.update({name: format_markdown(files[name], name) for name in markdown})
    return {name: formatted.get(name, text) for name, text in files.items()}


def format_keys(files: dict[str, str], made: dict[str, str] | None = None) -> dict[str, str]:
    """``format_key`` of each Python file of a package project; of a file in ``made``, the
    key is of that description of its text instead (a models module: what it is made of,
    ``models.build.provenance``), which fixes the text as surely."""
    python = sorted(name for name in files if name.endswith(".py"))
    packages = _packages(python)
    made = made or {}
    return {
        name: format_key(name, "\0made\0" + made[name], packages)
        if name in made
        else format_key(name, files[name], packages)
        for name in python
    }


def format_key(name: str, text: str, packages: list[str]) -> str:
    """What ruff's output for one file depends on, besides its version: the file's name
    and text, and the first-party packages."""
    payload = json.dumps([name, packages, LINE_LENGTH, FIX_RULES, IGNORED_RULES, text])
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def _packages(names: list[str]) -> list[str]:
    return sorted({name.split("/", 1)[0] for name in names if "/" in name})


def _format_tree(files: dict[str, str], packages: list[str]) -> dict[str, str]:
    if not files:
        return {}
    settings = ["--config", f"lint.isort.known-first-party = {packages!r}"] if packages else []
    with _scratch(files) as root:
        # Files given by name are formatted whatever ruff's default excludes say of their
        # folders (a package called ``build`` is formatted like any other).
        paths = [str(root / name) for name in files]
        common = ["--isolated", "--line-length", LINE_LENGTH, "--target-version", "py310"]
        check = ["check", "--fix-only", "--exit-zero", "--select", FIX_RULES, "--ignore",
                 IGNORED_RULES, *settings, "--quiet"]  # fmt: skip
        for args in (check, ["format", "--quiet"]):
            result = subprocess.run(
                [ruff_binary(), *args, *common, *paths],
                cwd=root,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=False,
            )
            if result.returncode not in (0, 1):
                _failed(result, "the generated package")
        return {name: (root / name).read_bytes().decode("utf-8") for name in files}


# A folder in memory where the system has one: writing a package's thousands of files to a
# disk-backed temporary folder took 0.5-1.4 s of GitHub's run, to this one 0.03 s.
MEMORY_FOLDER = Path("/dev/shm")


@contextmanager
def _scratch(files: dict[str, str]) -> Iterator[Path]:
    """A temporary folder holding ``files``: in memory if it has room, else on disk."""
    parents = [MEMORY_FOLDER] if MEMORY_FOLDER.is_dir() else []
    for parent in [*parents, None]:
        try:
            scratch = tempfile.TemporaryDirectory(prefix="clientgen-format-", dir=parent)
        except OSError:
            if parent is None:
                raise
            continue  # not writable: the next place
        with scratch as folder:
            root = Path(folder)
            try:
                for directory in sorted({(root / name).parent for name in files}):
                    directory.mkdir(parents=True, exist_ok=True)
                for name, text in files.items():
                    (root / name).write_bytes(text.encode("utf-8"))
            except OSError:
                if parent is None:
                    raise
                continue  # full: the next place
            yield root
            return
