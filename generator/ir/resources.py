"""Where an operation lives and what it is called when its tags and operationId do not say.

An untagged operation belongs to the resource its path names: ``/v1/customers/{customer}/sources``
-> ``customers.sources`` (nested resources as attributes). Its method is named by REST habit
when its operationId is absent or only restates method and path (``GetCustomersCustomer``):

    collection GET -> list     collection POST -> create
    item GET -> retrieve       item POST/PUT/PATCH -> update      item DELETE -> delete
    an action (``/invoices/{invoice}/pay``) -> its last segment (``pay``)

A path's last literal segment is an action when nothing goes on beneath it, its path has one
method, and it follows an item (``{invoice}``) or a resource with operations or items of its
own (``/customers/search``); a GET of a plural name (``/invoices/{invoice}/lines``) is a list,
and an action by DELETE is ``delete_<segment>``. Every other literal segment is a resource.
A resource is a collection when items (``/<resource>/{id}``) exist beneath it or its name is
plural, else a singleton (GET -> retrieve, POST -> update where it also has a GET, else create).

Operations whose operationId reads ``Resource_Action`` (``Customers_ListByResourceGroup``)
are grouped under ``Resource`` and named from ``Action``, the way a tag would group them.
Everything here returns plain values; ``generator.ir.build`` claims the names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator import naming

_VERSION = re.compile(r"v\d+[a-z0-9.]*|api", re.IGNORECASE)
_PARAM = re.compile(r"\{[^{}/]*\}")
_AZURE = re.compile(r"([A-Z][A-Za-z0-9]*)_([A-Z][A-Za-z0-9]*)")


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one operation goes: its resource chain (snake names, outermost first; empty: the
    client itself), each link's text for docs, and the REST name when one applies."""

    chain: tuple[str, ...]
    labels: tuple[str, ...]  # the spec's spelling of each link (a tag, a path segment)
    prefixes: tuple[str, ...]  # the path up to each link, "" for a tag
    rest_name: str | None  # "list", "retrieve", "pay"; None: named from the operationId
    given_name: str | None = None  # an action taken from ``Resource_Action`` operationIds


def segments(path: str) -> list[str]:
    """The path's segments without leading version segments (``v1``, ``api``)."""
    parts = [p for p in path.split("/") if p]
    while parts and _VERSION.fullmatch(parts[0]) and len(parts) > 1:
        parts = parts[1:]
    return parts


def _shape(parts: list[str]) -> tuple[str, ...]:
    return tuple("{}" if _PARAM.fullmatch(p) else p for p in parts)


def _is_param(part: str) -> bool:
    return _PARAM.fullmatch(part) is not None


def _plural(segment: str) -> bool:
    last = naming.words(segment)[-1:] or [""]
    word = last[0]
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))


def restates(operation_id: str, method: str, path: str) -> bool:
    """The operationId says no more than the method and the path: ``GetCustomersCustomer``
    for ``GET /v1/customers/{customer}`` (a parameter's words may be left out, the version
    segment too)."""
    tokens = naming.words(operation_id)
    if not tokens or tokens[0] != method.lower():
        return False
    parts = [p for p in path.split("/") if p]
    return _matches(tokens[1:], parts) or _matches(tokens[1:], segments(path))


def _matches(tokens: list[str], parts: list[str]) -> bool:
    if not parts:
        return not tokens
    head, rest = parts[0], parts[1:]
    part_words = naming.words(head.strip("{}"))
    size = len(part_words)
    if tokens[:size] == part_words and _matches(tokens[size:], rest):
        return True
    return _is_param(head) and _matches(tokens, rest)


class PathPlan:
    """The resources the paths of the untagged operations name, decided once for them all."""

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        self._methods: dict[tuple[str, ...], set[str]] = {}
        self._beneath: set[tuple[str, ...]] = set()  # shapes with longer paths under them
        self._items: set[tuple[str, ...]] = set()  # shapes followed by a parameter somewhere
        for path, method in keys:
            shape = _shape(segments(path))
            self._methods.setdefault(shape, set()).add(method)
            for end in range(1, len(shape)):
                self._beneath.add(shape[:end])
                if shape[end] == "{}" and shape[end - 1] != "{}":
                    self._items.add(shape[:end])

    def _is_action(self, shape: tuple[str, ...]) -> bool:
        """The last (literal) segment of ``shape`` names an action, not a resource."""
        if len(shape) < 2 or shape in self._beneath or len(self._methods.get(shape, ())) != 1:
            return False
        method = next(iter(self._methods[shape]))
        if method == "get" and _plural(shape[-1]):  # /invoices/{invoice}/lines: a list
            return False
        parent = shape[:-1]
        return shape[-2] == "{}" or parent in self._methods or parent in self._items

    def place(self, path: str, method: str) -> Placement:
        parts = segments(path)
        shape = _shape(parts)
        literal_end = max((i + 1 for i, s in enumerate(shape) if s != "{}"), default=0)
        action = None
        if literal_end == len(shape) and self._is_action(shape):
            action = parts[-1]
            literal_end -= 1
        chain_parts = [(i, p) for i, p in enumerate(parts[:literal_end]) if not _is_param(p)]
        chain = tuple(naming.to_snake(p) or "resource" for _, p in chain_parts)
        prefixes = tuple("/" + "/".join(parts[: i + 1]) for i, _ in chain_parts)
        labels = tuple(p for _, p in chain_parts)
        if not chain:
            return Placement((), (), (), None)
        if action is not None:
            name = naming.to_snake(action) or "action"
            return Placement(
                chain, labels, prefixes, f"delete_{name}" if method == "delete" else name
            )
        last = chain_parts[-1][0]
        resource_shape = shape[: last + 1]
        item = len(parts) > last + 1 if action is None else False
        if item:
            rest = {"get": "retrieve", "delete": "delete"}.get(method, "update")
        elif resource_shape in self._items or _plural(parts[last]):
            rest = {"get": "list", "post": "create", "delete": "delete"}.get(method, "update")
        else:
            has_get = "get" in self._methods.get(resource_shape, set())
            rest = {"get": "retrieve", "delete": "delete"}.get(method, "update")
            if method == "post" and not has_get:
                rest = "create"
        if method not in ("get", "post", "put", "patch", "delete"):
            rest = method
        return Placement(chain, labels, prefixes, rest)


def azure_style(operation_id: str) -> tuple[str, str] | None:
    """``Customers_ListByResourceGroup`` -> (``Customers``, ``ListByResourceGroup``)."""
    match = _AZURE.fullmatch(operation_id)
    return (match.group(1), match.group(2)) if match else None


def tagged_rest_name(path: str, method: str, tag: str, plan: PathPlan) -> str:
    """A REST name for a tagged operation whose operationId restates method and path: the
    path's resource, when it is not the tag's own, joins the name (``list_sources``)."""
    placed = plan.place(path, method)
    rest = placed.rest_name or method
    if not placed.chain:
        return rest
    own = [w.rstrip("s") for w in naming.words(tag)]
    if [w.rstrip("s") for w in naming.words(placed.labels[-1])] == own:
        return rest
    if rest in ("list", "create", "retrieve", "update", "delete"):
        return f"{rest}_{placed.chain[-1]}"
    return rest
