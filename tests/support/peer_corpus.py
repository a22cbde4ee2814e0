"""datamodel-code-generator's own OpenAPI test documents, as a regression corpus.

They ship in its sdist on PyPI (``tests/data/openapi/``, about 670 files), downloaded with pip
at test time into the git-ignored cache beside the npm corpus, never committed.

Which files are valid documents is decided by a written rule that does not ask clientgen
(``classify``), in this order:

1. **unparseable**: not YAML (or, for ``.json``, not JSON). A tool given it must refuse it
   with a clean diagnostic. A YAML mapping key is read as the string written
   (``200:`` is ``"200"``, ``Yes:`` is ``"Yes"``), never as a number or boolean: OpenAPI's
   "Format" section limits YAML keys to "a scalar string, as defined by the YAML Failsafe
   schema ruleset", and JSON keys are strings. Values are read as PyYAML's safe loader
   reads them.
2. **fragment**: parsed, but not a mapping with a top-level ``openapi`` or ``swagger`` key.
   These are the pieces other documents ``$ref``; they are not documents and are not tried
   on their own.
3. **remote**: a document with a ``$ref`` to an ``http(s)://`` address. Resolving it needs
   the network, which neither the validator nor clientgen uses here; a clean diagnostic is
   expected.
4. **valid**: openapi-spec-validator (the pinned version, its default settings, the file's
   own URI as the base for relative ``$ref``s) reports no error. One gap of its reference
   resolver is not counted against a document: it does not implement ``$anchor`` (JSON
   Schema 2020-12 section 8.2.2, which OpenAPI 3.1's Schema Objects may use). It looks a
   plain-name fragment (``$ref: "#title"``) up in the file as a whole, where it indexes no
   anchors, and stops with ``NoSuchAnchor``. When a ``$anchor`` of the file it names does
   declare that name, the document is valid (the validator checked it up to there); a name
   that no ``$anchor`` declares stays a finding.
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
RULE_VERSION = 3  # of the rule below: a change re-sorts the cached documents
Kind = Literal["unparseable", "fragment", "remote", "valid", "invalid"]
_REMOTE_REF = re.compile(r"""\$ref["']?\s*:\s*["']?https?://""")


@dataclass(frozen=True, slots=True)
class PeerDocument:
    path: Path
    name: str  # the path below tests/data/openapi/, with forward slashes
    kind: Kind
    reason: str  # the parser's or the validator's first line (invalid), or its gap (valid)
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


class _FailsafeKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with every scalar mapping key the text as written."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, object]:
        self.flatten_mapping(node)  # merge keys (<<), as the safe loader does
        mapping: dict[str, object] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key: object = key_node.value
            else:
                key = self.construct_object(key_node, deep=deep)
            mapping[key] = self.construct_object(value_node, deep=deep)  # type: ignore[index]
        return mapping


_FailsafeKeyLoader.add_constructor("tag:yaml.org,2002:map", _FailsafeKeyLoader.construct_yaml_map)


def load_yaml(text: str) -> object:
    """A YAML document as the rule above reads it."""
    return yaml.load(text, Loader=_FailsafeKeyLoader)


def classify(root: Path) -> list[PeerDocument]:
    """Every file below ``root``, sorted by name, with its kind by the rule above."""
    from openapi_spec_validator import validate
    from referencing.exceptions import NoSuchAnchor

    found: list[PeerDocument] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        try:
            text = path.read_text("utf-8")
            data = json.loads(text) if path.suffix == ".json" else load_yaml(text)
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
        reason = ""
        try:
            validate(data, base_uri=path.resolve().as_uri())
        except NoSuchAnchor as exc:
            if not _declares_anchor(exc.resource.contents, exc.anchor):
                found.append(PeerDocument(path, name, "invalid", _first_line(exc), operations))
                continue
            reason = f"the validator's resolver stopped at the $anchor {exc.anchor!r}"
        except Exception as exc:  # the validator raises many kinds; any of them is a finding
            found.append(PeerDocument(path, name, "invalid", _first_line(exc), operations))
            continue
        found.append(PeerDocument(path, name, "valid", reason, operations))
    return found


def _declares_anchor(node: object, name: str) -> bool:
    """Whether a mapping in ``node``, at any depth, has ``$anchor: name``."""
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if value.get("$anchor") == name:
                return True
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _has_operations(data: dict[str, object]) -> bool:
    paths = data.get("paths")
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return isinstance(paths, dict) and any(
        isinstance(item, dict) and methods & item.keys() for item in paths.values()
    )


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]
