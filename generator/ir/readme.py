"""What a generated package's README shows: example calls from the spec's own examples, and
a table of every method.

``build`` reads each operation's summary and examples (``operation_text``) as it builds the
operation, and hands them here with the resources: nothing here looks in the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.ir.nodes import (
    Example,
    MethodRow,
    Operation,
    Param,
    Readme,
    Resource,
    every_resource,
)
from generator.literals import comment, literal

_SIMPLE_PLACEHOLDERS = {"str": None, "int": "1", "float": "1.0", "bool": "True"}
_PREFERRED = (
    "create",
    "submit",
    "start",
    "run",
    "trigger",
    "retrieve",
    "get",
    "list",
    "result",
    "cancel",
)


@dataclass(frozen=True, slots=True)
class OperationText:
    """What the README shows of one operation, as the spec writes it."""

    summary: str  # the first line of its summary or description
    params: Mapping[str, Any]  # a parameter's example (or default), by wire name
    body: Mapping[str, Any]  # the request body's example, by property


def operation_text(operation: dict[str, Any], item: dict[str, Any]) -> OperationText:
    """The summary and examples of ``operation`` (at path item ``item``)."""
    summary = str(operation.get("summary") or operation.get("description") or "")
    raw_params = {
        str(p.get("name")): p
        for p in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]
        if isinstance(p, dict)
    }
    params = {name: _param_example(raw) for name, raw in raw_params.items()}
    return OperationText(summary.split("\n")[0], params, _body_example(operation))


Texts = Mapping[tuple[str, str], OperationText]  # by (path, method)


def readme(
    resources: tuple[Resource, ...], root_ops: tuple[Operation, ...], texts: Texts
) -> Readme:
    shown: list[Example] = []
    poll_example = create_example = None
    terminal = ""
    groups = [(f"{r.attr_path}.", r.operations) for r in every_resource(resources)]
    if root_ops:
        groups.append(("", root_ops))
    groups.sort(
        key=lambda group: (
            not any(op.create_and_poll for op in group[1]),
            not any(op.poll for op in group[1]),
        )
    )  # the run lifecycle first
    for prefix, ops in groups:
        for op in sorted(ops, key=lambda op: _rank(op.name))[:3]:
            args = _call(op, texts)
            if args is not None:
                tail = f"{prefix}{op.name}({args})"
                summary = comment(_text(op, texts).summary)[:160]
                shown.append(Example(f"client.{tail}", tail, op.return_annotation, summary))
        for op in ops:
            args = _call(op, texts) if op.poll or op.create_and_poll else None
            if args is None:
                continue
            sep = ", " if args else ""
            if op.poll is not None and poll_example is None:
                tail = f"{prefix}{op.poll.name}({args}{sep}poll_timeout=600)"
                poll_example = Example(f"client.{tail}", tail, op.return_annotation, "")
                terminal = op.poll.terminal_doc
            if op.create_and_poll is not None and create_example is None:
                tail = f"{prefix}{op.create_and_poll.name}({args}{sep}poll_timeout=600)"
                create_example = Example(f"client.{tail}", tail, op.create_and_poll.returns, "")
    pages = []
    for prefix, ops in groups:
        for op in ops:
            args = _call(op, texts) if op.pager is not None else None
            if op.pager is not None and args is not None:
                tail = f"{prefix}{op.name}({args})"
                summary = comment(op.pager.summary)[:160]
                pages.append(Example(f"client.{tail}", tail, op.pager.item, summary))
    return Readme(
        tuple(shown[:6]),
        poll_example,
        create_example,
        terminal,
        tuple(_rows(resources, root_ops)),
        _download_example(groups, texts),
        tuple(pages[:3]),
    )


def _download_example(
    groups: list[tuple[str, tuple[Operation, ...]]], texts: Texts
) -> Example | None:
    """The first operation with a binary response, called through ``with_streaming_response``."""
    for prefix, ops in groups:
        for op in ops:
            args = _call(op, texts) if op.response_kind == "binary" else None
            if args is not None:
                tail = f"{prefix}with_streaming_response.{op.name}({args})"
                return Example(f"client.{tail}", tail, op.return_annotation, "")
    return None


def _rows(resources: tuple[Resource, ...], root_ops: tuple[Operation, ...]) -> list[MethodRow]:
    rows = []
    groups = [(f"client.{r.attr_path}.", r.operations) for r in every_resource(resources)]
    groups.append(("client.", root_ops))
    for prefix, ops in groups:
        for op in ops:
            returns = (
                f"Stream[{op.return_annotation}]"
                if op.response_kind == "sse"
                else op.return_annotation
            )
            rows.append(
                MethodRow(
                    _md(f"{prefix}{op.name}()"), _md(f"{op.http_method} {op.path}"), _md(returns)
                )
            )
            if op.poll is not None:
                rows.append(
                    MethodRow(
                        _md(f"{prefix}{op.poll.name}()"),
                        _md(f"polls {op.name}"),
                        _md(f"{op.return_annotation} ({op.poll.terminal_doc})"),
                    )
                )
            if op.create_and_poll is not None:
                cp = op.create_and_poll
                rows.append(
                    MethodRow(
                        _md(f"{prefix}{cp.name}()"),
                        _md(f"{op.name}, then {cp.poll_name}"),
                        _md(cp.returns),
                    )
                )
    return rows


def _md(text: str) -> str:
    """A table cell: code-formatted, pipes and backticks escaped, one line."""
    clean = " ".join(text.split()).replace("`", "'").replace("|", "\\|")
    return f"`{clean}`"


def _rank(name: str) -> tuple[int, str]:
    for index, word in enumerate(_PREFERRED):
        if name == word or name.startswith(word + "_"):
            return index, name
    return len(_PREFERRED), name


def _text(op: Operation, texts: Texts) -> OperationText:
    return texts[(op.path, op.http_method.lower())]


def _call(op: Operation, texts: Texts) -> str | None:
    text = _text(op, texts)
    args: list[str] = []
    for param in op.path_params:
        value = _value(param, text.params.get(param.wire_name))
        if value is None:
            return None
        args.append(value)
    for param in op.keyword_params:
        if not param.required:
            continue
        example = (
            text.body.get(param.wire_name)
            if param.location == "body"
            else text.params.get(param.wire_name)
        )
        value = _value(param, example)
        if value is None:
            return None
        args.append(f"{param.py_name}={value}")
    return ", ".join(args)


def _param_example(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return None
    if "example" in raw:
        return raw["example"]
    examples = raw.get("examples")
    if isinstance(examples, dict):
        for example in examples.values():
            if isinstance(example, dict) and "value" in example:
                return example["value"]
    schema: dict[str, Any] = raw["schema"] if isinstance(raw.get("schema"), dict) else {}
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    return None


def _body_example(operation: dict[str, Any]) -> dict[str, Any]:
    body = operation.get("requestBody")
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict):
        return {}
    for media in content.values():
        if not isinstance(media, dict):
            continue
        candidates = [media.get("example")]
        named = (media.get("examples") or {}).values()
        candidates += [e.get("value") for e in named if isinstance(e, dict)]
        for candidate in candidates:
            if isinstance(candidate, dict):
                return dict(candidate)
    return {}


def _value(param: Param, example: Any) -> str | None:
    base = param.annotation.removesuffix(" | NotGiven")
    scalar = example is not None and not isinstance(example, dict | list)
    if scalar and not base.startswith("models."):
        return literal(example)
    if example is not None and base.startswith(("dict[", "list[", "Any")):
        return literal(example)
    if base in _SIMPLE_PLACEHOLDERS:
        return _SIMPLE_PLACEHOLDERS[base] or literal(param.wire_name)
    return None
