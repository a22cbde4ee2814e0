"""A document as subtrees, so that validation runs again only where its result can differ.

A *subtree* is one entry of ``paths``, of ``webhooks`` or of a section of ``components``
(``#/components/schemas/Pet``); the *skeleton* is all the rest (``openapi``, ``info``,
``tags``, the sections' other keys...). openapi-spec-validator's findings inside a subtree
depend only on what its check reads: the subtree, the subtrees its ``$ref``s reach (its
*closure*), the skeleton and the validator's versions. Two of its checks span the document:
the check against the OpenAPI JSON schema, whose constraints on a subtree read nothing
outside it, and the uniqueness of operationIds, checked here over the whole document.

So when a document validated with no finding, ``Validated`` records the hash of the skeleton
(with the validator's versions) and of each subtree at its place. The next document with the
same skeleton is checked as its *reduction* (``reduced``): the skeleton, every subtree that
is new or changed or whose closure holds one (*dirty*), and the closures of those, so that
every ``$ref`` resolves as before. A subtree left out is one that was checked clean, whose
closure is unchanged: checked again, it would be found clean again, and it reaches no dirty
subtree, so the validator's walk meets the dirty ones in the same order, from the same
places. The reduction's findings are the whole document's. Where that cannot be said (a
``$ref`` outside the document or above a subtree, ``$id`` or ``$dynamicRef``, which move
resolution, a path item that is itself a ``$ref``, an operationId used twice), there is no
reduction and the whole document is checked.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import generator
from generator.diagnostics import pointer
from generator.spec.pointer import pointer_parts

FORMAT = "clientgen-validated-1"
# The libraries whose versions decide the findings.
VALIDATORS = (
    "openapi-spec-validator",
    "openapi-schema-validator",
    "jsonschema",
    "jsonschema-rs",
    "jsonschema-path",
    "jsonschema-specifications",
    "pathable",
)
_OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
_REF = re.compile(r'"\$ref": ("(?:[^"\\]|\\.)*")')
# Keywords that move how a reference resolves: no reduction where one is written.
_MOVES_RESOLUTION = re.compile(r'"\$(?:id|dynamicRef|recursiveRef)": "')
Place = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Validated:
    """What a document that validated with no finding leaves for the next run: ``key`` (the
    skeleton and the validator's versions) and the hash of each subtree at its place."""

    key: str
    subtrees: frozenset[str]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "subtrees": sorted(self.subtrees)}

    @staticmethod
    def from_dict(data: Any) -> Validated | None:
        """None for anything but what ``to_dict`` wrote."""
        if not isinstance(data, dict) or not isinstance(data.get("key"), str):
            return None
        subtrees = data.get("subtrees")
        if not isinstance(subtrees, list) or not all(isinstance(s, str) for s in subtrees):
            return None
        return Validated(data["key"], frozenset(subtrees))


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part.encode("utf-8", "surrogatepass")).digest())
    return digest.hexdigest()[:32]


def _versions() -> str:
    found = []
    for name in VALIDATORS:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=?")
    return "\0".join([FORMAT, generator.__version__, *found])


class Subtrees:
    """``document`` cut into its subtrees, each with its hash and the subtrees it refers to."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.hashes: dict[Place, str] = {}
        self.refers: dict[Place, set[Place]] = {}
        self.reducible = True
        skeleton = dict(document)
        for place, value in self._subtrees():
            text = json.dumps(value)
            self.hashes[place] = _hash(pointer(*place), text)
            self.refers[place] = self._refers(text)
        for section in ("paths", "webhooks"):
            if isinstance(document.get(section), dict):
                skeleton[section] = {}
        components = document.get("components")
        if isinstance(components, dict):
            skeleton["components"] = {
                k: {} if isinstance(v, dict) else v for k, v in components.items()
            }
        self.key = _hash(_versions(), json.dumps(skeleton))
        if self.reducible and not self._operation_ids_unique():
            self.reducible = False

    def _subtrees(self) -> list[tuple[Place, Any]]:
        found: list[tuple[Place, Any]] = []
        for section in ("paths", "webhooks"):
            entries = self.document.get(section)
            if isinstance(entries, dict):
                found.extend(((section, str(k)), v) for k, v in entries.items())
        components = self.document.get("components")
        if isinstance(components, dict):
            for section, entries in components.items():
                if isinstance(entries, dict):
                    found.extend(
                        (("components", str(section), str(k)), v) for k, v in entries.items()
                    )
        return found

    def _refers(self, text: str) -> set[Place]:
        """The subtrees the ``$ref``s in ``text`` name (clears ``reducible`` when one names
        something else than a subtree or the skeleton, or resolution may move)."""
        if _MOVES_RESOLUTION.search(text):
            self.reducible = False
        places: set[Place] = set()
        for quoted in _REF.findall(text):
            try:
                parts = tuple(pointer_parts(json.loads(quoted)))
            except (KeyError, ValueError):
                self.reducible = False
                continue
            place = self._place(parts)
            if place is not None:
                places.add(place)
        return places

    def _place(self, parts: Place) -> Place | None:
        """The subtree holding the node at ``parts``; None for a node of the skeleton (and
        ``reducible`` cleared for a whole section or more)."""
        if parts[:1] in (("paths",), ("webhooks",)):
            container, depth = self.document.get(parts[0]), 2
        elif parts[:1] == ("components",) and len(parts) > 1:
            components = self.document.get("components")
            container = components.get(parts[1]) if isinstance(components, dict) else None
            depth = 3
        elif parts and parts[0] != "components":
            return None
        else:
            self.reducible = False  # the whole document, or all its components
            return None
        if not isinstance(container, dict):
            return None  # a section that is not a mapping is part of the skeleton
        if len(parts) < depth:
            self.reducible = False
            return None
        return parts[:depth]

    def _operation_ids_unique(self) -> bool:
        """No operationId of a path item's operations is used twice (and no path item is a
        ``$ref``, whose operations the validator would read from elsewhere)."""
        seen: set[Any] = set()
        paths = self.document.get("paths")
        for item in paths.values() if isinstance(paths, dict) else []:
            if not isinstance(item, dict):
                continue
            if "$ref" in item:
                return False
            for method in _OPERATIONS:
                operation = item.get(method)
                if isinstance(operation, dict) and "operationId" in operation:
                    value = json.dumps(operation["operationId"], sort_keys=True)
                    if value in seen:
                        return False
                    seen.add(value)
        return True

    def validated(self) -> Validated:
        """The record of this document, for when it validated with no finding."""
        return Validated(self.key, frozenset(self.hashes.values()))

    def reduced(self, previous: Validated | None) -> dict[str, Any] | None:
        """The document with only the subtrees whose check can differ from ``previous``'s
        (and what they refer to); None when it cannot be reduced, or nothing is left out."""
        if previous is None or not self.reducible or previous.key != self.key:
            return None
        dirty = {place for place, digest in self.hashes.items() if digest not in previous.subtrees}
        referrers: dict[Place, list[Place]] = {}
        for place, targets in self.refers.items():
            for target in targets:
                referrers.setdefault(target, []).append(place)
        # a subtree whose closure holds a dirty one (or one that is gone) is dirty
        missing = {t for targets in self.refers.values() for t in targets} - self.hashes.keys()
        stack = [*dirty, *missing]
        while stack:
            for place in referrers.get(stack.pop(), ()):
                if place not in dirty:
                    dirty.add(place)
                    stack.append(place)
        keep = set(dirty)
        stack = list(dirty)
        while stack:
            for target in self.refers.get(stack.pop(), ()):
                if target not in keep and target in self.hashes:
                    keep.add(target)
                    stack.append(target)
        if len(keep) == len(self.hashes):
            return None
        return self._keeping(keep)

    def _keeping(self, keep: set[Place]) -> dict[str, Any]:
        """The document with only the subtrees in ``keep``, in their order."""
        reduced = dict(self.document)
        for section in ("paths", "webhooks"):
            entries = self.document.get(section)
            if isinstance(entries, dict):
                reduced[section] = {k: v for k, v in entries.items() if (section, str(k)) in keep}
        components = self.document.get("components")
        if isinstance(components, dict):
            reduced["components"] = {
                name: {k: v for k, v in entries.items() if ("components", name, str(k)) in keep}
                if isinstance(entries, dict)
                else entries
                for name, entries in components.items()
            }
        return reduced
