"""JSON pointers and local ``$ref``s: the one resolver every stage follows a reference with.

``resolve_pointer`` is the node a local ``#/a/b`` reference names; ``follow`` goes down a
chain of ``$ref``s to the first node that is not one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


def pointer_parts(ref: str, *, decode: bool = True) -> list[str]:
    """The reference tokens of a local ``#/a/b`` reference; KeyError for any other.

    A ``$ref`` is a URI, so its fragment may be percent-encoded (``~1%7Bid%7D`` for ``/{id}``,
    RFC 6901 section 6): it is decoded first, then ``~1`` and ``~0`` are unescaped.
    """
    if ref == "#":
        return []
    if not ref.startswith("#/"):
        raise KeyError(ref)
    fragment = unquote(ref[2:]) if decode and "%" in ref else ref[2:]
    return [raw.replace("~1", "/").replace("~0", "~") for raw in fragment.split("/")]


def resolve_pointer(document: Any, ref: str) -> Any:
    """The node a local ``#/a/b`` reference names; KeyError when there is none.

    The one resolver of local references: every stage follows a ``$ref`` through it. A
    pointer whose ``%`` was not meant as an escape (``#/components/schemas/100%25`` written
    ``.../100%``) is tried as written when its decoded form names nothing.
    """
    return _walk(document, canonical_parts(document, ref), ref)


def canonical_parts(document: Any, ref: str) -> list[str]:
    """The tokens of ``ref`` as they name a node of ``document`` (KeyError when none does)."""
    parts = pointer_parts(ref)
    if "%" in ref:
        try:
            _walk(document, parts, ref)
        except KeyError:
            return pointer_parts(ref, decode=False)
    return parts


def _walk(document: Any, parts: list[str], ref: str) -> Any:
    node = document
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(ref)
    return node


def follow(document: Any, node: Any, hops: int = 32) -> Any:
    """``node``, or the node its chain of local ``$ref``s ends at (at most ``hops`` of them);
    ``{}`` when a reference names nothing."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops > 0:
        hops -= 1
        try:
            node = resolve_pointer(document, node["$ref"])
        except KeyError:
            return {}
    return node
