"""``$anchor`` references (``$ref: "#title"``) turned into JSON pointers as a file is read.

JSON Schema 2020-12 (section 8.2.2) lets a schema name itself with ``$anchor: title``; a
``$ref`` whose fragment is that plain name (``#title``, not ``#/...``) refers to it. The name
is scoped to its schema resource: the nearest enclosing schema with an ``$id``, else the
file itself (OpenAPI 3.1 takes the file's own address as the base). ``plain_name_refs``
rewrites every such reference of one file to the JSON pointer of the schema it names, so
every later stage follows only pointers, through the one resolver (``load.resolve_pointer``).
A name that its resource does not hold is left as written and reported as unresolvable.

Only plain-name fragments are scoped: a ``#/...`` pointer keeps naming a node of the whole
file, as every OpenAPI tool reads it, even inside a schema with an ``$id``.
"""

from __future__ import annotations

from typing import Any

from generator.diagnostics import pointer

Where = tuple[str | int, ...]


def plain_name_refs(document: Any) -> dict[str, str]:
    """Rewrite the plain-name ``$ref``s of ``document`` in place; return the anchors of its
    own resource (name -> ``#/pointer``), for references to it from other files."""
    anchors: dict[tuple[Where, str], str] = {}  # (resource, name) -> pointer
    refs: list[tuple[Where, dict[str, Any]]] = []  # (resource, holder)
    stack: list[tuple[Where, Any, Where]] = [((), document, ())]
    while stack:
        where, node, resource = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("$id"), str) and where:
                resource = where
            anchor = node.get("$anchor")
            if isinstance(anchor, str):
                anchors.setdefault((resource, anchor), pointer(*where))
            ref = node.get("$ref")
            if isinstance(ref, str) and is_plain_name(ref):
                refs.append((resource, node))
            nested = ((k, v) for k, v in node.items() if isinstance(v, (dict, list)))
            stack.extend(((*where, k), v, resource) for k, v in nested)
        elif isinstance(node, list):
            members = ((i, v) for i, v in enumerate(node) if isinstance(v, (dict, list)))
            stack.extend(((*where, i), v, resource) for i, v in members)
    for resource, holder in refs:
        found = anchors.get((resource, holder["$ref"][1:]))
        if found is not None:
            holder["$ref"] = found
    return {name: ptr for (resource, name), ptr in anchors.items() if resource == ()}


def is_plain_name(ref: str) -> bool:
    """``#title``: a fragment that names an anchor rather than a JSON pointer."""
    return ref.startswith("#") and len(ref) > 1 and not ref.startswith("#/")
