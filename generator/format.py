"""Format stage: ``ruff check --fix`` then ``ruff format`` on generated Python, in memory.

The ruff binary is the pinned one from the ``ruff`` package, run with ``--isolated`` and
explicit settings, so no configuration file on the machine changes the bytes.
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import cache

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
    return result.stdout.decode()


def format_source(text: str, name: str) -> str:
    """``name`` is the file's path in the project (``<package>/models.py``): the package is
    first-party for import sorting, as it is when ruff runs inside the generated project."""
    package = name.split("/", 1)[0] if "/" in name else ""
    first_party = ["--config", f"lint.isort.known-first-party = [{package!r}]"] if package else []
    fixed = _run(
        [
            "check",
            "--fix-only",
            "--exit-zero",
            "--select",
            FIX_RULES,
            "--ignore",
            IGNORED_RULES,
            *first_party,
            "--quiet",
        ],
        text,
        name,
    )
    return _run(["format", "--quiet"], fixed, name)


def format_markdown(text: str, name: str) -> str:
    """``ruff format`` of the Python code blocks in a Markdown file."""
    return _run(["format", "--quiet", "--preview"], text, name)


def _format_one(name: str, text: str) -> str:
    return format_markdown(text, name) if name.endswith(".md") else format_source(text, name)


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Format every ``.py`` and ``.md`` file (in parallel: each is its own ruff process)."""
    python = [name for name in files if name.endswith((".py", ".md"))]
    with ThreadPoolExecutor(max_workers=4) as pool:
        formatted = dict(
            zip(python, pool.map(lambda n: _format_one(n, files[n]), python), strict=True)
        )
    return {name: formatted.get(name, text) for name, text in files.items()}
