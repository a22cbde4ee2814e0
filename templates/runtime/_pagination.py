"""Pages of list operations: iterate every item of every page, fetching pages as they are needed.

A list operation whose pager was found in the spec returns a page. Iterating it (``for``, or
``async for`` on the async client) yields every item of this page and of each page after it;
``iter_pages()`` yields the pages, ``has_next_page()`` and ``get_next_page()`` step by hand,
and the page's own fields stay readable. On the async client the call returns an
``AsyncPaginator``: ``await`` gives the first page, ``async for`` every item.

How the next request is made (``Pager.style``), each time from the first call's options with
one query parameter changed, so every other argument, header, timeout and retry carries over:

- ``cursor``: a cursor in the body (``next``) or in a response header (``header``) goes into
  the ``param`` query parameter; it ends when the cursor is missing, null or empty.
- ``last_id``: the last item's ``id_field`` goes into ``param``; ends on an empty page.
- ``next_url`` / ``link``: a URL in the body (``next``) or the ``Link: <...>; rel="next"``
  header is followed as given (its query replaces the first call's). Only a URL on the
  client's own base URL is followed, so the API key is never sent elsewhere.
- ``offset``: ``param`` grows by the number of items on the page; ends on an empty page or
  once it reaches the ``total``.
- ``page``: ``param`` grows by one; ends on an empty page, at ``total_pages``, or once the
  pages seen hold ``total`` items.

Every style also ends when a ``has_more`` flag in the body is false, and when a cursor, URL,
offset or page number comes round a second time (a loop guard; logged as a warning).
Deciding all this does no I/O: the clients only send the request it returns.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Generator, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs

import httpx
import pydantic

from ._models import Model
from ._request import RequestOptions, scalar
from ._response import field_value
from ._types import NotGiven

__all__ = [
    "AsyncArrayPage",
    "AsyncPage",
    "AsyncPaginator",
    "Pager",
    "SyncArrayPage",
    "SyncPage",
]

ItemT = TypeVar("ItemT")
SyncPageT = TypeVar("SyncPageT", bound="SyncPage[Any]")
AsyncPageT = TypeVar("AsyncPageT", bound="AsyncPage[Any]")

log = logging.getLogger(__package__)


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a list operation's pages keep their items and the way to the next page.

    Paths are wire names from the body's root: ``("meta", "next_cursor")``; ``items`` is
    ``()`` when the body is the array itself.
    """

    style: str  # "cursor" | "last_id" | "next_url" | "link" | "offset" | "page"
    items: tuple[str, ...] = ()
    next: tuple[str, ...] = ()  # the cursor or next URL in the body
    header: str = ""  # the response header holding the cursor
    param: str = ""  # the query parameter taking the cursor, last id, offset or page number
    has_more: tuple[str, ...] = ()  # a body flag: false on the last page
    total: tuple[str, ...] = ()  # the number of items of all pages
    total_pages: tuple[str, ...] = ()
    size_param: str = ""  # the query parameter setting the page size
    size_default: int | None = None
    first_page: int = 1
    id_field: str = "id"


@dataclass(slots=True)
class _Origin:
    """How a page was fetched: the client, the request's options, the type parsed into."""

    client: Any
    options: RequestOptions
    cast_to: Any
    response: httpx.Response
    seen: frozenset[str]  # cursors, URLs, offsets or page numbers already requested


def attach(
    page: object, client: Any, options: RequestOptions, cast_to: Any, response: httpx.Response
) -> None:
    """Give a freshly parsed page what it needs to fetch the pages after it."""
    if isinstance(page, (SyncPage, AsyncPage)) and options.pager is not None:
        first = _query_value(options.query, options.pager.param)
        seen = frozenset() if first is None else frozenset({first})
        page._origin = _Origin(client, options, cast_to, response, seen)


def pick(value: object, path: tuple[str, ...]) -> Any:
    """The value at a path of wire names (model fields by alias, or mapping keys)."""
    for name in path:
        if isinstance(value, pydantic.BaseModel):
            value = field_value(value, name)
        elif isinstance(value, Mapping):
            value = value.get(name)
        else:
            return None
    return value


def next_request(
    pager: Pager, origin: _Origin, page: object, items: list[Any]
) -> tuple[RequestOptions, str] | None:
    """The options of the next page's request and its loop-guard key, or None on the last page."""
    if pager.has_more and pick(page, pager.has_more) is False:
        return None
    options = origin.options
    found = _next(pager, origin, page, items)
    if found is None:
        return None
    if found[1] in origin.seen:
        log.warning(
            "%s %s: the next page's %s %r was requested before; stopping",
            options.method,
            options.path,
            pager.style,
            found[1],
        )
        return None
    return found


def _next(
    pager: Pager, origin: _Origin, page: object, items: list[Any]
) -> tuple[RequestOptions, str] | None:
    options, response = origin.options, origin.response
    style = pager.style
    if style == "cursor":
        cursor = response.headers.get(pager.header) if pager.header else pick(page, pager.next)
        if cursor is None or cursor == "" or isinstance(cursor, bool):
            return None
        return _with_query(options, pager.param, cursor), str(cursor)
    if style in ("next_url", "link"):
        if style == "link":
            url = response.links.get("next", {}).get("url")
        else:
            url = pick(page, pager.next)
        if not isinstance(url, str) or not url:
            return None
        followed = _follow(options, url, origin.client.base_url)
        return None if followed is None else (followed, url)
    if not items:
        return None
    if style == "last_id":
        last = pick(items[-1], (pager.id_field,))
        if last is None or last == "":
            return None
        return _with_query(options, pager.param, last), str(last)
    current = _int(_query_value(options.query, pager.param))
    if style == "offset":
        offset = (current or 0) + len(items)
        total = pick(page, pager.total)
        if isinstance(total, int) and offset >= total:
            return None
        return _with_query(options, pager.param, offset), str(offset)
    if style == "page":
        number = current if current is not None else pager.first_page
        total_pages = pick(page, pager.total_pages)
        if isinstance(total_pages, int) and number - pager.first_page + 1 >= total_pages:
            return None
        total = pick(page, pager.total)
        size = _int(_query_value(options.query, pager.size_param)) or pager.size_default
        if isinstance(total, int) and size:
            if (number - pager.first_page) * size + len(items) >= total:
                return None
        return _with_query(options, pager.param, number + 1), str(number + 1)
    return None


def _with_query(options: RequestOptions, name: str, value: object) -> RequestOptions:
    return replace(options, query={**options.query, name: value})


def _follow(options: RequestOptions, url: str, base_url: str) -> RequestOptions | None:
    """Options for a next-page URL, or None (logged) when it leaves the client's base URL."""
    base = httpx.URL(base_url + "/")
    if not url.startswith(("http://", "https://", "/")):
        log.warning("%s %s: the next page's URL %r is not a URL", options.method, options.path, url)
        return None
    target = base.join(url)
    base_path = base.raw_path.decode("ascii").split("?", 1)[0]
    path = target.raw_path.decode("ascii").split("?", 1)[0]
    same_origin = (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)
    if not same_origin or not (path + "/").startswith(base_path):
        log.warning(
            "%s %s: not following a next-page URL outside %s",
            options.method,
            options.path,
            base_url,
        )
        return None
    query: dict[str, object] = dict(parse_qs(target.query.decode("ascii"), keep_blank_values=True))
    return replace(
        options,
        path=path[len(base_path) - 1 :].replace("{", "%7B").replace("}", "%7D"),
        path_params={},
        query=query,
        query_styles={},
        extra_query=None,
    )


def _query_value(query: Mapping[str, object], name: str) -> str | None:
    value = query.get(name) if name else None
    if value is None or isinstance(value, NotGiven):
        return None
    return scalar(value)


def _int(text: str | None) -> int | None:
    try:
        return None if text is None else int(text)
    except ValueError:
        return None


class _PageBase(Model, Generic[ItemT]):
    _origin: _Origin | None = pydantic.PrivateAttr(default=None)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """A page class subclasses its page model in another module: the names the model's
        fields refer to are looked up in the model's own module too."""
        super().__pydantic_init_subclass__(**kwargs)
        namespace: dict[str, Any] = dict(cls.__pydantic_parent_namespace__ or {})
        for base in reversed(cls.__mro__[1:]):  # the page model's own module last: it wins
            module = sys.modules.get(base.__module__)
            if (
                issubclass(base, pydantic.BaseModel)
                and module is not None
                and not base.__module__.startswith("pydantic")
            ):
                namespace.update(vars(module))
        cls.__pydantic_parent_namespace__ = namespace

    def _page_items(self) -> list[ItemT]:
        """The items on this page."""
        origin = self._origin
        items = pick(self, origin.options.pager.items) if origin and origin.options.pager else None
        return list(items) if isinstance(items, list) else []

    def _next_request(self) -> tuple[RequestOptions, str] | None:
        origin = self._origin
        if origin is None or origin.options.pager is None:
            return None
        return next_request(origin.options.pager, origin, self, self._page_items())

    def has_next_page(self) -> bool:
        """Whether there is a page after this one."""
        return self._next_request() is not None

    def _after(self: _PageT, page: _PageT, key: str) -> _PageT:
        if self._origin is not None and page._origin is not None:
            page._origin.seen = self._origin.seen | {key}
        return page


_PageT = TypeVar("_PageT", bound=_PageBase[Any])
_NO_NEXT_PAGE = "No next page: check has_next_page() before calling get_next_page()"


class SyncPage(_PageBase[ItemT], Generic[ItemT]):
    """A page of a list operation of the sync client; iterating it yields every item of
    every page from this one on."""

    def __iter__(self) -> Iterator[ItemT]:  # type: ignore[override]
        for page in self.iter_pages():
            yield from page._page_items()

    def iter_pages(self: SyncPageT) -> Iterator[SyncPageT]:
        """This page and every page after it."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def get_next_page(self: SyncPageT) -> SyncPageT:
        """Fetch the page after this one."""
        found = self._next_request()
        if found is None or self._origin is None:
            raise RuntimeError(_NO_NEXT_PAGE)
        options, key = found
        page: SyncPageT = self._origin.client._request(options, self._origin.cast_to)
        return self._after(page, key)


class AsyncPage(_PageBase[ItemT], Generic[ItemT]):
    """A page of a list operation of the async client; ``async for`` over it yields every item
    of every page from this one on."""

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        async for page in self.iter_pages():
            for item in page._page_items():
                yield item

    async def iter_pages(self: AsyncPageT) -> AsyncIterator[AsyncPageT]:
        """This page and every page after it."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def get_next_page(self: AsyncPageT) -> AsyncPageT:
        """Fetch the page after this one."""
        found = self._next_request()
        if found is None or self._origin is None:
            raise RuntimeError(_NO_NEXT_PAGE)
        options, key = found
        page: AsyncPageT = await self._origin.client._request(options, self._origin.cast_to)
        return self._after(page, key)


class _ArrayBody(pydantic.BaseModel):
    @pydantic.model_validator(mode="before")
    @classmethod
    def _wrap(cls, data: Any) -> Any:
        """A body that is the array itself becomes the page's ``items``."""
        return {"items": data} if isinstance(data, list) else data


class SyncArrayPage(SyncPage[ItemT], _ArrayBody, Generic[ItemT]):
    """A page whose body is a JSON array: its items are ``.items``."""

    items: list[ItemT]

    def _page_items(self) -> list[ItemT]:
        return self.items


class AsyncArrayPage(AsyncPage[ItemT], _ArrayBody, Generic[ItemT]):
    """A page whose body is a JSON array: its items are ``.items``."""

    items: list[ItemT]

    def _page_items(self) -> list[ItemT]:
        return self.items


class AsyncPaginator(Generic[AsyncPageT, ItemT]):
    """What a list method of the async client returns: ``await`` it for the first page, or
    ``async for`` over it for every item of every page."""

    def __init__(self, client: Any, options: RequestOptions, cast_to: Any) -> None:
        self._client = client
        self._options = options
        self._cast_to = cast_to

    async def _first(self) -> AsyncPageT:
        page: AsyncPageT = await self._client._request(self._options, self._cast_to)
        return page

    def __await__(self) -> Generator[Any, None, AsyncPageT]:
        return self._first().__await__()

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        page = await self._first()
        async for item in page:
            yield item
