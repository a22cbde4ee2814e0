"""Compare two generated clients' APIs: what changed for callers, and does it break them.

``diff_apis(old, new)`` compares two ``ApiShape`` values (``generator.apidiff.shape``), never
generated text, and returns one ``Change`` per difference, each marked breaking or safe:

- methods (``resource.method``, polling helpers included): added (safe), removed (breaking),
  renamed or moved to another resource (breaking: the same HTTP method and path, called by
  another name; its other changes are reported under the new name), newly deprecated (safe);
- parameters: added (breaking when required, else safe), removed (breaking), became required
  (breaking) or optional (safe), type changed (breaking);
- the response type: changed (breaking);
- pagers (``generator.ir.pagination``): added (safe: the page keeps the model's fields and
  iterates every item), removed (breaking: the result no longer iterates), style changed
  (breaking: it pages another way);
- error responses (status -> model): added (safe), removed (breaking: ``.body`` of that
  status is no longer parsed into the model), model changed (breaking);
- models: added (safe), removed (breaking), an enum or alias whose type changed (breaking);
- model fields: the same rules as parameters;
- enum values, of a model, a field, a parameter or a response: added (safe), removed
  (breaking).

Changes come grouped by subject (methods first, then models, each sorted by name) and, within
a subject, in a fixed order of kinds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from generator.apidiff.shape import ApiShape, contains, split_enum
from generator.ir import types
from generator.ir.nodes import Model, ModelField, Operation, Param
from generator.ir.types import EnumValue, Generic, Type


@dataclass(frozen=True, slots=True)
class Change:
    subject: str  # "task_runs.retrieve", "models.TaskRun"
    kind: str  # "parameter-removed", "enum-value-added", ... (see KINDS)
    breaking: bool
    message: str  # "parameter `run_id` removed"
    name: str = ""  # the parameter, field, status or enum value concerned
    old: str | None = None  # the type or value before, where one changed
    new: str | None = None


KINDS = (
    "method-added",
    "method-removed",
    "method-moved",
    "method-deprecated",
    "parameter-added",
    "parameter-removed",
    "parameter-required",
    "parameter-optional",
    "parameter-type",
    "response-type",
    "pager-added",
    "pager-removed",
    "pager-changed",
    "error-added",
    "error-removed",
    "error-type",
    "model-added",
    "model-removed",
    "model-type",
    "field-added",
    "field-removed",
    "field-required",
    "field-optional",
    "field-type",
    "enum-value-added",
    "enum-value-removed",
)


def diff_apis(old: ApiShape, new: ApiShape) -> list[Change]:
    changes = list(_methods(old, new))
    changes += _models(old, new)
    return changes


def _methods(old: ApiShape, new: ApiShape) -> Iterator[Change]:
    before, after = dict(old.operations), dict(new.operations)
    helpers_before, helpers_after = _helpers(old), _helpers(new)
    # the same request under another name: a method renamed or moved, once, not removed + added
    by_request = {(op.http_method, op.path): subject for subject, op in new.operations}
    moved = {}
    for subject, op in old.operations:
        target = by_request.get((op.http_method, op.path))
        if subject not in after and target is not None and target not in before:
            moved[subject] = target
    for helper, owner in helpers_before.items():
        if helper in helpers_after or owner not in moved:
            continue
        kind = helper.rpartition(".")[2].startswith("poll_")
        for candidate, new_owner in helpers_after.items():
            same_kind = candidate.rpartition(".")[2].startswith("poll_") == kind
            if new_owner == moved[owner] and candidate not in helpers_before and same_kind:
                moved[helper] = candidate
    moved_to = set(moved.values())
    for subject in sorted({*before, *after, *helpers_before, *helpers_after}):
        if subject in moved and subject in helpers_before:
            message = f"method renamed: now `{moved[subject]}`"
            yield Change(subject, "method-moved", True, message, old=subject, new=moved[subject])
            continue
        if subject in moved_to and subject in helpers_after:
            continue
        if subject in helpers_before or subject in helpers_after:
            if subject not in helpers_after:
                yield Change(subject, "method-removed", True, "method removed")
            elif subject not in helpers_before:
                yield Change(subject, "method-added", False, "method added")
            continue
        if subject in moved:
            target = moved[subject]
            op = before[subject]
            message = f"method renamed: now `{target}` ({op.http_method} {op.path})"
            yield Change(subject, "method-moved", True, message, old=subject, new=target)
            yield from _operation(target, before[subject], after[target])
        elif subject in moved_to:
            continue
        elif subject not in after:
            yield Change(subject, "method-removed", True, "method removed")
        elif subject not in before:
            yield Change(subject, "method-added", False, "method added")
        else:
            yield from _operation(subject, before[subject], after[subject])


def _helpers(shape: ApiShape) -> dict[str, str]:
    """Subject of each polling helper -> the subject of the operation it belongs to."""
    found = {}
    for subject, op in shape.operations:
        prefix = subject.rpartition(".")[0]
        if op.poll is not None:
            found[f"{prefix}.{op.poll.name}"] = subject
        if op.create_and_poll is not None:
            found[f"{prefix}.{op.create_and_poll.name}"] = subject
    return found


def _operation(subject: str, old: Operation, new: Operation) -> Iterator[Change]:
    if new.deprecated and not old.deprecated:
        yield Change(subject, "method-deprecated", False, "method deprecated")
    yield from _members(
        subject,
        "parameter",
        {p.py_name: _param_member(p) for p in _params(old)},
        {p.py_name: _param_member(p) for p in _params(new)},
    )
    yield from _pager(subject, old, new)
    returns_old, returns_new = _returns(old), _returns(new)
    if returns_old != returns_new:
        yield from _type_change(subject, "response-type", "response", "", returns_old, returns_new)
    errors_old = {e.status: e.model for e in old.errors}
    errors_new = {e.status: e.model for e in new.errors}
    for status in sorted({*errors_old, *errors_new}, key=_status_order):
        if status not in errors_new:
            yield Change(
                subject,
                "error-removed",
                True,
                f"error response {status} removed (was {errors_old[status]})",
                status,
                old=errors_old[status],
            )
        elif status not in errors_old:
            yield Change(
                subject,
                "error-added",
                False,
                f"error response {status} added ({errors_new[status]})",
                status,
                new=errors_new[status],
            )
        elif errors_old[status] != errors_new[status]:
            yield Change(
                subject,
                "error-type",
                True,
                f"error response {status} changed from {errors_old[status]} to "
                f"{errors_new[status]}",
                status,
                errors_old[status],
                errors_new[status],
            )


def _pager(subject: str, old: Operation, new: Operation) -> Iterator[Change]:
    before = old.pager.summary if old.pager else None
    after = new.pager.summary if new.pager else None
    if before == after:
        return
    if before is None:
        yield Change(subject, "pager-added", False, f"pager added ({after})", new=after)
    elif after is None:
        message = f"pager removed ({before}): the result no longer iterates every item"
        yield Change(subject, "pager-removed", True, message, old=before)
    else:
        message = f"pager changed from {before} to {after}"
        yield Change(subject, "pager-changed", True, message, old=before, new=after)


def _params(op: Operation) -> list[Param]:
    body = [op.body_param] if op.body_param is not None else []
    return [*op.path_params, *op.keyword_params, *body]


def _param_member(param: Param) -> ModelField:
    return ModelField(param.py_name, param.type, param.required)


def _returns(op: Operation) -> Type:
    if op.response_kind == "sse":
        return Generic("Iterator", (op.returns,))
    return op.returns


def _status_order(status: str) -> tuple[bool, str]:
    return (not status.isdigit(), status)


def _members(
    subject: str, what: str, old: dict[str, ModelField], new: dict[str, ModelField]
) -> Iterator[Change]:
    """Parameters of a method or fields of a model: the same rules for both."""
    for name in [*old, *(n for n in new if n not in old)]:
        before, after = old.get(name), new.get(name)
        if after is None:
            yield Change(
                subject,
                f"{what}-removed",
                True,
                f"{what} `{name}` removed",
                name,
                old=types.render(before.type) if before else None,
            )
        elif before is None:
            needed = "required" if after.required else "optional"
            yield Change(
                subject,
                f"{what}-added",
                after.required,
                f"{needed} {what} `{name}` added ({types.render(after.type)})",
                name,
                new=types.render(after.type),
            )
        else:
            if after.required and not before.required:
                yield Change(
                    subject, f"{what}-required", True, f"{what} `{name}` became required", name
                )
            elif before.required and not after.required:
                yield Change(
                    subject, f"{what}-optional", False, f"{what} `{name}` became optional", name
                )
            yield from _type_change(
                subject,
                f"{what}-type",
                f"{what} `{name}`",
                name,
                before.type,
                after.type,
            )


def _type_change(
    subject: str, kind: str, label: str, name: str, before: Type | None, after: Type | None
) -> Iterator[Change]:
    """A changed type, or only changed enum values when the rest of the type is the same;
    ``None`` is an object model."""
    old = types.render(before) if before is not None else "an object"
    new = types.render(after) if after is not None else "an object"
    if old == new:
        return
    split_old = split_enum(before) if before is not None else None
    split_new = split_enum(after) if after is not None else None
    if (
        split_old is None
        or split_new is None
        or split_old.values is None
        or split_new.values is None
        or split_old.base != split_new.base
    ):
        yield Change(
            subject,
            kind,
            True,
            f"{label} type changed from {old} to {new}".lstrip(),
            name,
            old,
            new,
        )
        return
    prefix = f"{label}: " if label else ""
    for value in split_old.values:
        if not contains(split_new.values, value):
            yield Change(
                subject,
                "enum-value-removed",
                True,
                f"{prefix}enum value {value!r} removed",
                name,
                old=_value(value),
            )
    for value in split_new.values:
        if not contains(split_old.values, value):
            yield Change(
                subject,
                "enum-value-added",
                False,
                f"{prefix}enum value {value!r} added",
                name,
                new=_value(value),
            )


def _value(value: EnumValue) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _models(old: ApiShape, new: ApiShape) -> Iterator[Change]:
    before = {m.name: m for m in old.models}
    after = {m.name: m for m in new.models}
    for name in sorted({*before, *after}):
        subject = f"models.{name}"
        if name not in after:
            yield Change(subject, "model-removed", True, "model removed")
        elif name not in before:
            yield Change(subject, "model-added", False, "model added")
        else:
            yield from _model(subject, before[name], after[name])


def _model(subject: str, old: Model, new: Model) -> Iterator[Change]:
    if old.kind == "object" and new.kind == "object":
        yield from _members(
            subject, "field", {f.name: f for f in old.fields}, {f.name: f for f in new.fields}
        )
        return
    yield from _type_change(subject, "model-type", "", "", old.type, new.type)
