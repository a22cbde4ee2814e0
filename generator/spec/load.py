"""Load stage: read a spec file, bundle relative-file ``$ref``s into it, and validate it.

Reading (``generator.spec.read``) turns the file into JSON data within limits of size, depth
and YAML alias expansion. Structural breakage is an error: not OpenAPI 3.x, no ``info``, a
3.1 document with none of ``paths``, ``components`` and ``webhooks``, a ``$ref`` that points
nowhere, a remote ``$ref``, a chain of ``$ref``s that comes back to where it started without
reaching a definition (a parameter naming itself, two responses naming each other). A 3.0
document without ``paths`` (3.0 requires it) is read as having none, with the validator's
warning. What openapi-spec-validator reports beyond that (an example of
the wrong type, an unknown format, a stray key) rarely stops a sensible client, so it is
reported as warnings with their pointers (``generator.spec.validate``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, SpecError, error, pointer
from generator.naming import NameRegistry, PyIdent
from generator.spec.anchors import is_plain_name, plain_name_refs
from generator.spec.pointer import canonical_parts, pointer_parts, resolve_pointer
from generator.spec.read import read_document
from generator.spec.schemas import SUBSCHEMA_LISTS, SUBSCHEMA_MAPS, SUBSCHEMA_SINGLE
from generator.spec.subtrees import Validated

Spec = dict[str, Any]


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    document: Spec
    file: str  # the path as given, used in every diagnostic
    warnings: tuple[Diagnostic, ...]
    validated: Validated | None = None  # of a document the validator found nothing in


def load_spec(
    path: Path,
    display: str | None = None,
    *,
    validate: bool = True,
    previous: Validated | None = None,
) -> LoadedSpec:
    """``validate=False`` leaves openapi-spec-validator out (the caller runs it elsewhere);
    ``previous``, the record of an earlier clean run, lets it check only what may differ."""
    file = display or str(path)
    document = _read_document(path, file)
    _check_structure(document, file)
    bundler = _Bundler(path, file, document)
    document = bundler.bundle()
    _check_local_refs(document, file, bundler.refs)
    _canonical_refs(document, bundler.refs)
    if not validate:
        return LoadedSpec(document, file, ())
    from generator.spec.validate import check

    findings = check(document, file, previous)
    return LoadedSpec(document, file, findings.diagnostics, findings.validated)


def _read_document(path: Path, file: str) -> Spec:
    data = read_document(path, file)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {_KINDS.get(type(data), 'value')}, not a mapping"
        raise error("#", f"the document is {kind}", file=file)
    return data


_KINDS = {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}


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
    paths = document.get("paths")
    if "paths" in document and not isinstance(paths, dict):
        problems.append(Diagnostic("error", "#/paths", "not a mapping: `paths`", file))
    elif paths is None and not ({"components", "webhooks"} & document.keys()):
        # Without them there is nothing to generate. A 3.0 document with components but no
        # `paths` (which 3.0 requires) is read as having none, with the validator's warning.
        where, message = "#/paths", "missing: `paths` (OpenAPI 3.0 requires it)"
        if version.startswith("3.1"):
            where = "#"
            message = "an OpenAPI 3.1 document needs at least one of `paths`, `components` or "
            message += "`webhooks`"
        problems.append(Diagnostic("error", where, message, file))
    if problems:
        raise SpecError(problems)


_NESTED = (dict, list)  # what a walk goes into: nothing else holds a mapping


Link = tuple[Any, str | int] | None  # (parent's Link, key): a location, built only when read


def _location(link: Link, base: tuple[str | int, ...] = ()) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    while link is not None:
        link, key = link
        parts.append(key)
    parts.reverse()
    return (*base, *parts)


def _scan(document: Spec) -> Refs:
    """One walk of the document: a ``Content-Type`` among a response's or an encoding's
    ``headers`` "SHALL be ignored" (the media type says it), so it is dropped before
    anything follows its ``$ref``; and the ``$ref``s then left (``iter_refs``). A mapping
    may stand in several places (a YAML alias), and one walked before the place where its
    ``Content-Type`` is dropped: where any was dropped, the ``$ref``s are collected again."""
    dropped = False

    def headers(found: dict[str, Any], link: Link) -> None:
        nonlocal dropped
        dropped = _drop_ignored(found, link) or dropped

    refs = list(iter_refs(document, headers=headers))
    return list(iter_refs(document)) if dropped else refs


def _drop_ignored(headers: dict[str, Any], link: Link) -> bool:
    """Drops the ``Content-Type`` of the ``headers`` of the node at ``link``, where that node
    is a response (under ``responses``) or an encoding (under ``encoding``), not a schema;
    whether it dropped one."""
    if not any(n.lower() == "content-type" for n in headers):
        return False
    where = _location(link)[-3:]
    if (
        len(where) >= 2
        and where[-2] in ("responses", "encoding")
        and (len(where) < 3 or where[-3] not in SCHEMA_MAPS)
    ):
        for name in [n for n in headers if n.lower() == "content-type"]:
            del headers[name]
        return True
    return False


def iter_refs(
    node: Any,
    path: tuple[str | int, ...] = (),
    headers: Callable[[dict[str, Any], Link], None] | None = None,
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every mapping holding a string ``$ref``, with its location, in document order.
    ``headers`` is shown each ``headers`` mapping, with the link of its holder, before
    anything in or below that holder is read."""
    stack: list[tuple[Link, Any]] = [(None, node)]
    pop, push = stack.pop, stack.append
    while stack:
        link, value = pop()
        if isinstance(value, dict):
            if headers is not None and "headers" in value and isinstance(value["headers"], dict):
                headers(value["headers"], link)
            if "$ref" in value and isinstance(value["$ref"], str):
                yield _location(link, path), value
            for key in reversed(value):
                item = value[key]
                if isinstance(item, _NESTED):
                    push(((link, key), item))
        elif isinstance(value, list):
            for index in range(len(value) - 1, -1, -1):
                item = value[index]
                if isinstance(item, _NESTED):
                    push(((link, index), item))


Refs = list[tuple[tuple[str | int, ...], dict[str, Any]]]  # ``iter_refs``, as a list


def _canonical_refs(document: Spec, refs: Refs) -> None:
    """Every local ``$ref`` (of ``refs``, the document's) written in its plain form (no
    percent-escapes), so that the later stages, which compare references as text, read one
    spelling."""
    for _, holder in refs:
        ref = holder["$ref"]
        if "%" in ref and ref.startswith("#/"):
            holder["$ref"] = pointer(*canonical_parts(document, ref))


def _check_local_refs(document: Spec, file: str, refs: Refs) -> None:
    """Every ``$ref`` (of ``refs``, the document's) resolves, and no chain of ``$ref``s comes
    back to where it started."""
    problems = []
    holders: Refs = []
    targets: dict[str, Any] = {}  # each reference's node: many holders share one reference
    for where, holder in refs:
        ref = holder["$ref"]
        if ref not in targets:
            try:
                targets[ref] = resolve_pointer(document, ref)
            except KeyError:
                problems.append(
                    Diagnostic(
                        "error", pointer(*where, "$ref"), f"unresolvable reference {ref!r}", file
                    )
                )
                continue
        holders.append((where, holder))
    if not problems:
        problems = _ref_cycles(targets, holders, file)
    if problems:
        raise SpecError(problems)


def _ref_cycles(
    targets: dict[str, Any], holders: list[tuple[tuple[str | int, ...], dict[str, Any]]], file: str
) -> list[Diagnostic]:
    """A ``$ref`` naming a ``$ref`` naming ... the first again leads to no definition at all
    (``targets``: the node each reference names).

    (A schema that refers to itself from inside, ``properties: {next: {$ref: Node}}``, is a
    recursive type and fine: its chain ends at the schema.)
    """
    location = {id(holder): where for where, holder in holders}
    order = {id(holder): index for index, (_, holder) in enumerate(holders)}
    settled: set[int] = set()
    problems = []
    for _, holder in holders:
        if id(holder) in settled:
            continue
        chain: dict[int, dict[str, Any]] = {}  # id -> holder, in the order followed
        node: Any = holder
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            if id(node) in settled:
                break
            if id(node) in chain:
                ids = list(chain)
                cycle = ids[ids.index(id(node)) :]
                start = cycle.index(min(cycle, key=order.__getitem__))  # first in the document
                cycle = cycle[start:] + cycle[:start]
                where = location[cycle[0]]
                refs = [chain[member]["$ref"] for member in cycle]
                problems.append(
                    Diagnostic(
                        "error",
                        pointer(*where, "$ref"),
                        "reference cycle: "
                        + " -> ".join([pointer(*where), *refs])
                        + " (a chain of $refs must end at a definition)",
                        file,
                    )
                )
                break
            chain[id(node)] = node
            node = targets[node["$ref"]]
        settled.update(chain)
    return problems


# Where a schema stands: at a keyword of the one schema vocabulary (``spec.schemas``), at
# OpenAPI's own ``schema`` (of a parameter, header or media type), in ``components/schemas``.
SCHEMA_KEYS = frozenset({"schema", *SUBSCHEMA_SINGLE})
SCHEMA_MAPS = frozenset({"schemas", *SUBSCHEMA_MAPS})


def is_schema_position(where: tuple[str | int, ...]) -> bool:
    """Whether the node at ``where`` is a schema, judged from the keys leading to it."""
    if len(where) >= 2 and (
        (where[-2] in SCHEMA_MAPS and isinstance(where[-1], str))
        or (where[-2] in SUBSCHEMA_LISTS and isinstance(where[-1], int))
    ):
        return not (where[-2] == "schemas" and (len(where) != 3 or where[0] != "components"))
    return bool(where) and where[-1] in SCHEMA_KEYS


class _Bundler:
    """Pull relative-file references into one document.

    A schema from another file becomes a component of this document (named after its last
    pointer segment or file name) and the reference turns local. Any other node (a path item,
    a parameter, a response, ...) is copied in place of its reference. Remote (http)
    references are an error: generation never uses the network.
    """

    def __init__(self, root: Path, file: str, document: Spec) -> None:
        self.root = root.resolve()
        self.file = file
        self.document = document
        self.files: dict[Path, Any] = {self.root: document}
        self.anchors: dict[Path, dict[str, str]] = {}
        self.hoisted: dict[tuple[Path, str], str] = {}
        self.inlining: list[tuple[Path, str]] = []
        self.refs: Refs = []
        components = document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        self.names = NameRegistry(frozenset(schemas) if isinstance(schemas, dict) else frozenset())

    def bundle(self) -> Spec:
        """The document with every other file's part in it; ``refs`` then holds its
        ``$ref``s (``iter_refs``), for the checks that follow."""
        self.refs = _scan(self.document)
        if all(h["$ref"].startswith("#/") or h["$ref"] == "#" for _, h in self.refs):
            return self.document  # no anchor and no other file: nothing to rewrite
        self.anchors[self.root] = plain_name_refs(self.document)
        if all(h["$ref"].startswith("#") for _, h in self.refs):
            return self.document  # the holders are the same, their anchors now pointers
        self._rewrite(self.document, self.root, ())
        self.refs = list(iter_refs(self.document))
        return self.document

    def _rewrite(self, node: Any, base: Path, where: tuple[str | int, ...]) -> None:
        for ref_where, holder in list(iter_refs(node, where)):
            written = holder.get("$ref")
            if not isinstance(written, str) or (written.startswith("#") and base == self.root):
                continue
            if "://" in written:
                raise error(
                    pointer(*ref_where, "$ref"),
                    f"remote reference {written!r} is not supported: "
                    "generation never uses the network; download the file and refer to "
                    "it by a relative path",
                    file=self.file,
                )
            target, _, fragment = written.partition("#")
            path = (base.parent / target).resolve() if target else base
            ref = "#" + fragment
            if is_plain_name(ref):  # another file's $anchor (its own are pointers by now)
                self._read(path, ref_where)
                ref = self.anchors[path].get(fragment, ref)
            if path == self.root:
                holder["$ref"] = ref
            elif is_schema_position(ref_where):
                holder["$ref"] = self._hoisted(path, ref, ref_where, written)
            else:
                self._inline(holder, path, ref, ref_where, written)

    def _target(self, path: Path, ref: str, where: tuple[str | int, ...], written: str) -> Any:
        document = self._read(path, where)
        try:
            return copy.deepcopy(resolve_pointer(document, ref))
        except KeyError:
            raise error(
                pointer(*where, "$ref"), f"unresolvable reference {written!r}", file=self.file
            ) from None

    def _hoisted(self, path: Path, ref: str, where: tuple[str | int, ...], written: str) -> str:
        key = (path, ref)
        if key in self.hoisted:
            return self.hoisted[key]
        node = self._target(path, ref, where, written)
        stem = pointer_parts(ref)[-1] if ref not in ("", "#") else path.stem
        name: PyIdent = self.names.claim_class(PyIdent(stem))
        local = pointer("components", "schemas", name)
        self.hoisted[key] = local
        components = self.document.setdefault("components", {})
        components.setdefault("schemas", {})[name] = node
        self._rewrite(node, path, ("components", "schemas", name))
        return local

    def _inline(
        self,
        holder: dict[str, Any],
        path: Path,
        ref: str,
        where: tuple[str | int, ...],
        written: str,
    ) -> None:
        key = (path, ref)
        if key in self.inlining:
            raise error(
                pointer(*where, "$ref"),
                f"reference cycle: {self._label(path) + ref!r} includes itself "
                "(only schemas may be recursive)",
                file=self.file,
            )
        node = self._target(path, ref, where, written)
        if not isinstance(node, dict):
            raise error(
                pointer(*where, "$ref"),
                f"reference {written!r} names a {type(node).__name__}, not an object",
                file=self.file,
            )
        siblings = {k: v for k, v in holder.items() if k != "$ref"}
        holder.clear()
        holder.update(node)
        holder.update(siblings)
        self.inlining.append(key)
        self._rewrite(holder, path, where)
        self.inlining.pop()

    def _read(self, path: Path, where: tuple[str | int, ...]) -> Any:
        if path not in self.files:
            if not path.is_file():
                raise error(
                    pointer(*where, "$ref"),
                    f"referenced file not found: {path.name}",
                    file=self.file,
                )
            self.files[path] = read_document(path, self._label(path))
            self.anchors[path] = plain_name_refs(self.files[path])
        return self.files[path]

    def _label(self, path: Path) -> str:
        """A referenced file's name as the user would write it: beside the spec's own."""
        try:
            return (Path(self.file).parent / path.relative_to(self.root.parent)).as_posix()
        except ValueError:
            return str(path)
