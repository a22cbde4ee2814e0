"""Format stage: ``ruff check --fix`` then ``ruff format`` on generated Python and Markdown.

The ruff binary is the pinned one from the ``ruff`` package, run with ``--isolated`` and
explicit settings, so no configuration file on the machine changes the bytes.
"""

from __future__ import annotations

import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import NoReturn

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


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Format every ``.py`` and ``.md`` file of a package project.

    The Python files go through one ``ruff check --fix`` and one ``ruff format`` over a
    scratch copy of them all (a package may have a thousand model modules: one ruff process
    each would cost more than the formatting); the Markdown files through ``format_markdown``.
    """
    python = sorted(name for name in files if name.endswith(".py"))
    markdown = [name for name in files if name.endswith(".md")]
    formatted = _format_tree({name: files[name] for name in python})
    formatted.update({name: format_markdown(files[name], name) for name in markdown})
    return {name: formatted.get(name, text) for name, text in files.items()}


def _format_tree(files: dict[str, str]) -> dict[str, str]:
    if not files:
        return {}
    packages = sorted({name.split("/", 1)[0] for name in files if "/" in name})
    settings = ["--config", f"lint.isort.known-first-party = {packages!r}"] if packages else []
    with tempfile.TemporaryDirectory(prefix="clientgen-format-") as scratch:
        root = Path(scratch)
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
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
