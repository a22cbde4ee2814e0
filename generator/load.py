"""Load stage: read a spec file, bundle relative-file ``$ref``s into it, and validate it.

Structural breakage (unreadable file, not OpenAPI 3.x, no ``info`` or ``paths``, a ``$ref``
that points nowhere, a remote ``$ref``) is an error. What openapi-spec-validator reports
beyond that (an example of the wrong type, an unknown format, a stray key) rarely stops a
sensible client, so it is reported as warnings with their pointers.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostic, SpecError, error, pointer
from generator.naming import NameRegistry, PyIdent

Spec = dict[str, Any]


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    document: Spec
    file: str  # the path as given, used in every diagnostic
    warnings: tuple[Diagnostic, ...]


def load_spec(path: Path, display: str | None = None) -> LoadedSpec:
    file = display or str(path)
    document = _read_document(path, file)
    _check_structure(document, file)
    document = _Bundler(path, file, document).bundle()
    _check_local_refs(document, file)
    return LoadedSpec(document, file, tuple(_validate(document, file)))


def _read_document(path: Path, file: str) -> Spec:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error("#", f"cannot read file: {exc.strerror or exc}", file=file) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error("#", "not a text file (it is not UTF-8)", file=file) from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_SafeLoader)
    except json.JSONDecodeError as exc:
        raise error(
            "#", f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", file=file
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error("#", f"invalid YAML: {problem}{where}", file=file) from None
    if _ESCAPED_SURROGATE.search(text):
        data = _scrub(data)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        raise error("#", f"the document is {kind}", file=file)
    return data


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _scrub(data: Any) -> Any:
    """Replace lone surrogates (legal in JSON escapes, not in UTF-8) with U+FFFD."""
    if isinstance(data, str):
        return _SURROGATE.sub("\ufffd", data)
    if isinstance(data, list):
        return [_scrub(item) for item in data]
    if isinstance(data, dict):
        return {_scrub(key): _scrub(value) for key, value in data.items()}
    return data


class _SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader, keeping dates and times as the strings the spec wrote."""


for _tag in ("tag:yaml.org,2002:timestamp",):
    _SafeLoader.add_constructor(_tag, _SafeLoader.construct_yaml_str)


def _check_structure(document: Spec, file: str) -> None:
    if "swagger" in document:
        raise error(
            "#/swagger",
            f"Swagger {document['swagger']} is not supported; convert the "
            "document to OpenAPI 3 first",
            file=file,
        )
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
        raise error(
            "#/openapi", f"not an OpenAPI 3.0/3.1 document (openapi: {version!r})", file=file
        )
    problems = []
    if not isinstance(document.get("info"), dict):
        problems.append(Diagnostic("error", "#/info", "missing or not a mapping: `info`", file))
    paths = document.get("paths", {} if "webhooks" in document else None)
    if not isinstance(paths, dict):
        problems.append(Diagnostic("error", "#/paths", "missing or not a mapping: `paths`", file))
    if problems:
        raise SpecError(problems)


def iter_refs(
    node: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every mapping holding a string ``$ref``, with its location, in document order."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [(path, node)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("$ref"), str):
                yield where, value
            stack.extend(((*where, k), v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend(((*where, i), v) for i, v in reversed(list(enumerate(value))))


def resolve_pointer(document: Any, ref: str) -> Any:
    """The node a local ``#/a/b`` reference names; KeyError when there is none."""
    if ref == "#":
        return document
    if not ref.startswith("#/"):
        raise KeyError(ref)
    node = document
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(ref)
    return node


def _check_local_refs(document: Spec, file: str) -> None:
    problems = []
    for where, holder in iter_refs(document):
        ref = holder["$ref"]
        try:
            resolve_pointer(document, ref)
        except KeyError:
            problems.append(
                Diagnostic(
                    "error", pointer(*where, "$ref"), f"unresolvable reference {ref!r}", file
                )
            )
    if problems:
        raise SpecError(problems)


class _Bundler:
    """Pull relative-file references into one document.

    A schema from another file becomes a component of this document (named after its last
    pointer segment or file name) and the reference turns local; any other kind of node is
    copied in place. Remote (http) references are an error: generation never uses the network.
    """

    def __init__(self, root: Path, file: str, document: Spec) -> None:
        self.root = root.resolve()
        self.file = file
        self.document = document
        self.files: dict[Path, Any] = {self.root: document}
        self.hoisted: dict[tuple[Path, str], str] = {}
        schemas = document.get("components", {}).get("schemas", {})
        self.names = NameRegistry(frozenset(schemas) if isinstance(schemas, dict) else frozenset())

    def bundle(self) -> Spec:
        if not any(not h["$ref"].startswith("#") for _, h in iter_refs(self.document)):
            return self.document
        self._rewrite(self.document, self.root, ())
        return self.document

    def _rewrite(self, node: Any, base: Path, where: tuple[str | int, ...]) -> None:
        for ref_where, holder in list(iter_refs(node, where)):
            ref = holder["$ref"]
            if ref.startswith("#"):
                if base != self.root:
                    holder["$ref"] = self._external(base, ref, ref_where)
                continue
            holder["$ref"] = self._external_ref(base, ref, ref_where, holder)

    def _external_ref(
        self, base: Path, ref: str, where: tuple[str | int, ...], holder: dict[str, Any]
    ) -> str:
        if "://" in ref:
            raise error(
                pointer(*where, "$ref"),
                f"remote reference {ref!r} is not supported: "
                "generation never uses the network; download the file and refer to "
                "it by a relative path",
                file=self.file,
            )
        target, _, fragment = ref.partition("#")
        path = (base.parent / target).resolve()
        return self._external(path, "#" + fragment, where)

    def _external(self, path: Path, ref: str, where: tuple[str | int, ...]) -> str:
        key = (path, ref)
        if key in self.hoisted:
            return self.hoisted[key]
        document = self._read(path, where)
        try:
            node = copy.deepcopy(resolve_pointer(document, ref or "#"))
        except KeyError:
            raise error(
                pointer(*where, "$ref"),
                f"unresolvable reference {path.name}{ref!r}",
                file=self.file,
            ) from None
        if path == self.root:
            return ref
        stem = ref.rsplit("/", 1)[-1] if ref not in ("", "#") else path.stem
        name: PyIdent = self.names.claim_class(PyIdent(stem))
        local = pointer("components", "schemas", name)
        self.hoisted[key] = local
        schemas = self.document.setdefault("components", {}).setdefault("schemas", {})
        schemas[name] = node
        self._rewrite(node, path, ("components", "schemas", name))
        return local

    def _read(self, path: Path, where: tuple[str | int, ...]) -> Any:
        if path not in self.files:
            if not path.is_file():
                raise error(
                    pointer(*where, "$ref"),
                    f"referenced file not found: {path.name}",
                    file=self.file,
                )
            self.files[path] = _read_document(path, str(path))
        return self.files[path]


def _validate(document: Spec, file: str) -> Iterator[Diagnostic]:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version = str(document.get("openapi", ""))
    validator_class = (
        OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    )
    seen: set[tuple[str, str]] = set()
    try:
        found = list(validator_class(document).iter_errors())
    except Exception as exc:  # the validator itself gave up: report, keep going
        found = []
        yield Diagnostic("warning", "#", f"validator stopped early: {_short(str(exc))}", file)
    for problem in found:
        parts = [*getattr(problem, "absolute_path", ())]
        ptr = pointer(*parts)
        message = _short(getattr(problem, "message", str(problem)))
        if (ptr, message) not in seen:
            seen.add((ptr, message))
            yield Diagnostic("warning", ptr, message, file)


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
