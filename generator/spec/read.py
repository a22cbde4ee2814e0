"""Read one spec file into plain JSON data, within limits, or fail with a located diagnostic.

A spec holds JSON data: mappings with string keys, lists, strings, finite numbers, booleans
and null. Anything else is an error that names the file, a JSON pointer and, for YAML, the
line and column. YAML is read event by event (never through PyYAML's recursive composer), so
every limit is checked while the document is read, before anything has been expanded:

- at most ``MAX_BYTES`` of file: the read stops there, and only regular files are opened
  (a FIFO or ``/dev/zero`` cannot hang it);
- at most ``MAX_DEPTH`` levels of nesting;
- at most ``MAX_VALUES`` values once YAML aliases are expanded: a "billion laughs" document
  stops at the alias that crosses the limit;
- no alias to a node that contains it (a cyclic document), no duplicate keys, no tags beyond
  JSON's (``!!binary``, ``!!set``, ``!!python/...``), no NaN or infinity.

The limits are far above real specs: GitHub's REST description is 13 MB holding 258,000
values nested 22 deep, and its fully dereferenced variant 73 MB, 1.2 million values, 30 deep.

A YAML key that is not a string (``200:``, ``on:``) is the text as written: JSON keys are
strings, and ``200`` is what the author meant. Timestamps stay the strings the spec wrote.
YAML merge keys (``<<: *defaults``) work as in PyYAML: explicit keys win.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import error, pointer

MAX_BYTES = 100 * 1024 * 1024
MAX_DEPTH = 100
MAX_VALUES = 5_000_000

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_PAIR = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_UTF16_32 = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_TAG = "tag:yaml.org,2002:"
_COLLECTION_TAGS = frozenset({None, "!", _TAG + "seq", _TAG + "map"})
_SCALAR_TAGS = frozenset({_TAG + t for t in ("str", "null", "bool", "int", "float", "timestamp")})
_MERGE_TAG = _TAG + "merge"
_Mark = Any  # a position in the YAML text (the C and the Python loaders have their own class)


def read_document(path: Path, file: str) -> Any:
    """The JSON data of a YAML or JSON file (a ``.json`` file is read as JSON)."""
    raw = _read_bytes(path, file)
    if raw.startswith(_UTF16_32):
        raise error("#", "the file is UTF-16 or UTF-32; save it as UTF-8", file=file)
    if b"\x00" in raw:
        raise error("#", "not a text file (it holds NUL bytes)", file=file)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error("#", f"not a text file (byte {exc.start} is not UTF-8)", file=file) from None
    if path.suffix.lower() == ".json":
        return _read_json(text, file)
    return _YamlReader(text, file).read()


def _read_bytes(path: Path, file: str) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise error("#", "cannot read file: it is a directory", file=file)
        if not stat.S_ISREG(info.st_mode):
            raise error("#", "cannot read file: not a regular file", file=file)
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise error("#", f"cannot read file: {exc.strerror or exc}", file=file) from None
    if len(raw) > MAX_BYTES:
        raise error(
            "#",
            f"the file is larger than {MAX_BYTES // 2**20} MB, the most clientgen reads",
            file=file,
        )
    return raw


def _too_deep() -> str:
    return f"the document nests deeper than {MAX_DEPTH} levels"


def _too_many() -> str:
    return f"the document holds more than {MAX_VALUES:,} values (YAML aliases expanded)"


# -- JSON -------------------------------------------------------------------------------------


class _NonFinite(str):
    """What the JSON parser gives for NaN and Infinity, so the walk can point at it."""


def _read_json(text: str, file: str) -> Any:
    duplicates: dict[int, list[str]] = {}
    constants: list[str] = []

    def mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            keys = [k for k, _ in pairs]
            duplicates[id(result)] = [k for k in result if keys.count(k) > 1]
        return result

    def constant(name: str) -> _NonFinite:
        constants.append(name)
        return _NonFinite(name)

    try:
        data = json.loads(text, object_pairs_hook=mapping, parse_constant=constant)
    except json.JSONDecodeError as exc:
        where = f"(line {exc.lineno}, column {exc.colno})"
        raise error("#", f"invalid JSON: {exc.msg} {where}", file=file) from None
    except RecursionError:
        raise error("#", _too_deep(), file=file) from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise error("#", f"invalid JSON: {_number_problem(exc)}", file=file) from None
    if duplicates or constants or not _within_limits(text, data):
        _check_json(data, duplicates, file)  # finds the problem, if there is one
    return _scrub(data) if _lone_surrogates(text) else data


def _lone_surrogates(text: str) -> bool:
    """Whether the JSON ``text`` may escape a lone surrogate (one of a pair is read as the
    character the pair names): an escaped backslash stands apart as ``//``, then every escaped
    pair is taken out, and any escaped surrogate left is alone."""
    if not _ESCAPED_SURROGATE.search(text):
        return False
    apart = text.replace("\\\\", "//") if "\\\\" in text else text
    return bool(_ESCAPED_SURROGATE.search(_SURROGATE_PAIR.sub("~", apart)))


def _within_limits(text: str, data: Any) -> bool:
    """Whether ``data``, read from the JSON ``text``, certainly nests at most ``MAX_DEPTH``
    levels and holds at most ``MAX_VALUES`` values, found without a walk of every value.
    False is no verdict (``_check_json`` then walks it)."""
    # Every value but the first follows a comma or opens its collection.
    if 1 + text.count(",") + text.count("[") + text.count("{") > MAX_VALUES:
        return False
    stack: list[tuple[Any, int]] = [(data, 1)] if isinstance(data, (dict, list)) else []
    pop, push = stack.pop, stack.append
    while stack:
        value, depth = pop()
        if depth > MAX_DEPTH:
            return False
        for item in value.values() if isinstance(value, dict) else value:
            if isinstance(item, (dict, list)):
                push((item, depth + 1))
    return True


def _check_json(data: Any, duplicates: dict[int, list[str]], file: str) -> None:
    """Depth, size, duplicate keys and NaN, walked without recursion."""
    Where = tuple[Any, str | int] | None  # (parent's Where, key): built only on error
    stack: list[tuple[Any, int, Where]] = [(data, 1, None)]
    count = 0

    def at(where: Where, *more: str | int) -> str:
        parts: list[str | int] = []
        while where is not None:
            where, key = where
            parts.append(key)
        return pointer(*reversed(parts), *more)

    while stack:
        value, depth, where = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise error(at(where), _too_many(), file=file)
        if isinstance(value, dict):
            if depth > MAX_DEPTH:
                raise error(at(where), _too_deep(), file=file)
            if id(value) in duplicates:
                key = duplicates[id(value)][0]
                raise error(at(where, key), f"duplicate key {key!r}", file=file)
            stack.extend((v, depth + 1, (where, k)) for k, v in value.items())
        elif isinstance(value, list):
            if depth > MAX_DEPTH:
                raise error(at(where), _too_deep(), file=file)
            stack.extend((v, depth + 1, (where, i)) for i, v in enumerate(value))
        elif isinstance(value, _NonFinite):
            raise error(at(where), f"{value} is not a JSON number", file=file)


def _scrub(data: Any) -> Any:
    """Replace lone surrogates (legal in JSON escapes, not in UTF-8) with U+FFFD."""
    if isinstance(data, str):
        return _SURROGATE.sub("\ufffd", data)
    if isinstance(data, list):
        return [_scrub(item) for item in data]
    if isinstance(data, dict):
        return {_scrub(key): _scrub(value) for key, value in data.items()}
    return data


def _number_problem(exc: ValueError) -> str:
    text = str(exc)
    if "digits" in text:
        return "a number has more digits than Python converts (4300)"
    return text.splitlines()[0] if text else type(exc).__name__


# -- YAML -------------------------------------------------------------------------------------

_NO_KEY: Any = object()
_MERGE: Any = object()


@dataclass(slots=True)
class _Frame:
    """A mapping or sequence being read."""

    value: dict[str, Any] | list[Any]
    where: str | int | None  # its key or index in the parent
    anchor: str | None
    size: int = 1  # values inside, aliases expanded, itself included
    height: int = 1  # levels of collections, itself included
    key: Any = _NO_KEY  # a mapping's key waiting for its value
    merges: list[Any] = field(default_factory=list)  # values of its merge key (<<)
    merge_mark: _Mark | None = None


@dataclass(frozen=True, slots=True)
class _Anchor:
    value: Any
    size: int
    height: int
    open: bool  # the anchored collection is still being read: an alias to it is a cycle


class _YamlReader:
    def __init__(self, text: str, file: str) -> None:
        self.loader: Any = _Loader(text)  # typed loosely: the C loader's stubs are partial
        self.file = file
        self.scrub = bool(_ESCAPED_SURROGATE.search(text))
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchor] = {}
        self.count = 0

    def read(self) -> Any:
        try:
            return self._stream()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            if "nesting depth" in problem:  # libyaml 0.2.6+ (PyYAML 6.0.4) stops it first
                raise error("#", f"{_too_deep()}{_at(mark)}", file=self.file) from None
            raise error("#", f"invalid YAML: {problem}{_at(mark)}", file=self.file) from None
        finally:
            self.loader.dispose()

    def fail(self, message: str, mark: _Mark | None, *more: str | int) -> Exception:
        """An error at the value being read (or at ``more`` below the innermost collection)."""
        parts = [f.where for f in self.stack[1:] if f.where is not None]
        if self.stack and not more:
            child = self._child_location(self.stack[-1])
            if child is not None:
                parts.append(child)
        return error(pointer(*parts, *more), message + _at(mark), file=self.file)

    @staticmethod
    def _child_location(frame: _Frame) -> str | int | None:
        if isinstance(frame.value, list):
            return len(frame.value)
        if frame.key is _MERGE:
            return "<<"
        return None if frame.key is _NO_KEY else str(frame.key)

    def _stream(self) -> Any:
        loader = self.loader
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None
        loader.get_event()  # document start
        root = self._document()
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            mark = loader.peek_event().start_mark
            raise error("#", "more than one YAML document in the file" + _at(mark), file=self.file)
        return root

    def _document(self) -> Any:
        get_event = self.loader.get_event
        while True:
            event = get_event()
            if isinstance(event, yaml.ScalarEvent):
                if self._awaiting_key():
                    key = self._scalar_key(event)
                    if event.anchor and isinstance(key, str):
                        self.anchors[event.anchor] = _Anchor(key, 1, 0, open=False)
                    self._key(key, event.start_mark)
                    continue
                self._counted(1, event.start_mark)
                value = self._scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = _Anchor(value, 1, 0, open=False)
                done, root = self._put(value, 1, 0)
            elif isinstance(event, yaml.AliasEvent):
                anchor = self._alias(event)
                if self._awaiting_key():
                    if not isinstance(anchor.value, str):
                        raise self.fail("a mapping key must be a string", event.start_mark)
                    self._key(anchor.value, event.start_mark)
                    continue
                self._counted(anchor.size, event.start_mark)
                if len(self.stack) + anchor.height > MAX_DEPTH:
                    raise self.fail(_too_deep(), event.start_mark)
                done, root = self._put(anchor.value, anchor.size, anchor.height)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                self._start(event)
                continue
            else:  # the end of a sequence or mapping
                frame = self.stack.pop()
                if isinstance(frame.value, dict) and frame.merges:
                    frame.value = self._merged(frame)
                if frame.anchor:
                    self.anchors[frame.anchor] = _Anchor(
                        frame.value, frame.size, frame.height, open=False
                    )
                done, root = self._put(frame.value, frame.size, frame.height)
            if done:
                return root

    def _awaiting_key(self) -> bool:
        return (
            bool(self.stack)
            and isinstance(self.stack[-1].value, dict)
            and (self.stack[-1].key is _NO_KEY)
        )

    def _start(self, event: yaml.CollectionStartEvent) -> None:
        mark = event.start_mark
        if self._awaiting_key():
            raise self.fail("a mapping key must be a string", mark)
        if event.tag not in _COLLECTION_TAGS:
            raise self.fail(_tag_problem(event.tag), mark)
        self._counted(1, mark)
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(_too_deep(), mark)
        where = self._child_location(self.stack[-1]) if self.stack else None
        value: dict[str, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
        self.stack.append(_Frame(value, where, event.anchor))
        if event.anchor:
            self.anchors[event.anchor] = _Anchor(value, 0, 0, open=True)

    def _alias(self, event: yaml.AliasEvent) -> _Anchor:
        anchor = self.anchors.get(event.anchor or "")
        if anchor is None:
            raise self.fail(f"undefined YAML alias *{event.anchor}", event.start_mark)
        if anchor.open:
            raise self.fail(
                f"YAML alias *{event.anchor} is inside the node it names (a cycle)",
                event.start_mark,
            )
        return anchor

    def _put(self, value: Any, size: int, height: int) -> tuple[bool, Any]:
        if not self.stack:
            return True, value
        parent = self.stack[-1]
        parent.size += size
        parent.height = max(parent.height, height + 1)
        if isinstance(parent.value, list):
            parent.value.append(value)
        elif parent.key is _MERGE:
            parent.merges.append(value)
        else:
            parent.value[parent.key] = value
        parent.key = _NO_KEY
        return False, None

    def _key(self, key: Any, mark: _Mark) -> None:
        frame = self.stack[-1]
        assert isinstance(frame.value, dict)
        if key is _MERGE:
            if frame.merge_mark is not None:
                raise self.fail("duplicate merge key '<<'", mark, "<<")
            frame.merge_mark = mark
        elif key in frame.value:
            raise self.fail(f"duplicate key {key!r}", mark, key)
        frame.key = key

    def _counted(self, size: int, mark: _Mark) -> None:
        self.count += size
        if self.count > MAX_VALUES:
            raise self.fail(_too_many(), mark)

    def _tag(self, event: yaml.ScalarEvent) -> str:
        if event.tag is None or event.tag == "!":
            resolved = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            return str(resolved)
        return event.tag

    def _scalar_key(self, event: yaml.ScalarEvent) -> Any:
        tag = self._tag(event)
        if tag == _MERGE_TAG:
            return _MERGE
        if tag not in _SCALAR_TAGS:
            raise self.fail(_tag_problem(tag), event.start_mark)
        return self._text(event.value)

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = self._tag(event)
        if tag in (_TAG + "str", _TAG + "timestamp"):
            return self._text(event.value)
        if tag not in _SCALAR_TAGS:
            raise self.fail(_tag_problem(tag), event.start_mark)
        node = yaml.ScalarNode(tag, event.value)
        try:
            value = self.loader.yaml_constructors[tag](self.loader, node)
        except ValueError as exc:
            raise self.fail(_number_problem(exc), event.start_mark) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"{event.value} is not a JSON number", event.start_mark)
        return value

    def _text(self, text: str) -> str:
        return _SURROGATE.sub("\ufffd", text) if self.scrub else text

    def _merged(self, frame: _Frame) -> dict[str, Any]:
        assert isinstance(frame.value, dict)
        merged: dict[str, Any] = {}
        for value in frame.merges:
            sources = value if isinstance(value, list) else [value]
            if not all(isinstance(source, dict) for source in sources):
                raise self.fail(
                    "a merge key (<<) takes a mapping or a list of them", frame.merge_mark, "<<"
                )
            for source in reversed(sources):  # the first mapping listed wins
                merged.update(source)
        merged.update(frame.value)  # and keys written in the mapping win over merged ones
        return merged


def _at(mark: _Mark | None) -> str:
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


def _tag_problem(tag: str | None) -> str:
    shown = str(tag).replace(_TAG, "!!")
    return f"YAML tag {shown} is not supported: a spec holds JSON data only"
