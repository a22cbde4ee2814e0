"""datamodel-code-generator's own OpenAPI test documents, as a regression corpus.

They ship in its sdist on PyPI (``tests/data/openapi/``, about 670 files), downloaded with pip
at test time into the git-ignored cache beside the npm corpus, never committed.

Which files are valid documents is decided by a written rule that does not ask clientgen
(``classify``), in this order:

1. **unparseable**: not YAML (or, for ``.json``, not JSON). A tool given it must refuse it
   with a clean diagnostic.
2. **fragment**: parsed, but not a mapping with a top-level ``openapi`` or ``swagger`` key.
   These are the pieces other documents ``$ref``; they are not documents and are not tried
   on their own.
3. **remote**: a document with a ``$ref`` to an ``http(s)://`` address. Resolving it needs
   the network, which neither the validator nor clientgen uses here; a clean diagnostic is
   expected.
4. **valid**: openapi-spec-validator (the pinned version, its default settings, the file's
   own URI as the base for relative ``$ref``s) reports no error.
5. **invalid**: every other document (Swagger 2.0 included). A clean diagnostic is expected.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from tests.support.corpus import CACHE, CorpusUnavailable, install_lock

DCG_VERSION = "0.89.0"
Kind = Literal["unparseable", "fragment", "remote", "valid", "invalid"]
_REMOTE_REF = re.compile(r"""\$ref["']?\s*:\s*["']?https?://""")


@dataclass(frozen=True, slots=True)
class PeerDocument:
    path: Path
    name: str  # the path below tests/data/openapi/, with forward slashes
    kind: Kind
    reason: str  # the parser's or the validator's first line, for unparseable/invalid
    has_operations: bool


def install_dcg_documents() -> Path:
    """The ``tests/data/openapi`` folder of datamodel-code-generator's sdist, from PyPI (one
    process at a time)."""
    with install_lock(CACHE):
        return _install_dcg_documents()


def _install_dcg_documents() -> Path:
    folder = CACHE / f"datamodel-code-generator-{DCG_VERSION}"
    documents = folder / "openapi"
    if (folder / ".complete").is_file():
        return documents
    folder.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",  # its sdist (the test documents); its build backend as wheels
                "datamodel-code-generator",
                "--dest",
                str(folder),
                f"datamodel-code-generator=={DCG_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CorpusUnavailable("pip download of datamodel-code-generator timed out") from None
    archives = sorted(folder.glob("datamodel_code_generator-*.tar.gz"))
    if result.returncode != 0 or not archives:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        raise CorpusUnavailable(f"pip could not download datamodel-code-generator:\n{tail}")
    prefix = f"{archives[0].name.removesuffix('.tar.gz')}/tests/data/openapi/"
    with tarfile.open(archives[0]) as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.startswith(prefix):
                target = documents / member.name.removeprefix(prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None
                target.write_bytes(source.read())
    (folder / ".complete").write_text(DCG_VERSION)
    return documents


def classify(root: Path) -> list[PeerDocument]:
    """Every file below ``root``, sorted by name, with its kind by the rule above."""
    from openapi_spec_validator import validate

    found: list[PeerDocument] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        try:
            text = path.read_text("utf-8")
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            found.append(PeerDocument(path, name, "unparseable", _first_line(exc), False))
            continue
        if not isinstance(data, dict) or not ({"openapi", "swagger"} & data.keys()):
            found.append(PeerDocument(path, name, "fragment", "", False))
            continue
        operations = _has_operations(data)
        if _REMOTE_REF.search(text):
            found.append(PeerDocument(path, name, "remote", "", operations))
            continue
        try:
            validate(data, base_uri=path.resolve().as_uri())
        except Exception as exc:  # the validator raises many kinds; any of them is a finding
            found.append(PeerDocument(path, name, "invalid", _first_line(exc), operations))
            continue
        found.append(PeerDocument(path, name, "valid", "", operations))
    return found


def _has_operations(data: dict[str, object]) -> bool:
    paths = data.get("paths")
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return isinstance(paths, dict) and any(
        isinstance(item, dict) and methods & item.keys() for item in paths.values()
    )


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]
