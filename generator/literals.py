"""Spec text into generated code: literals, docstrings and comments that cannot break out.

A literal is the exact ``repr`` of the value, so it evaluates back to the spec's value and
nothing else. A docstring body cannot close its quotes early or smuggle escapes: backslashes
are doubled, each ``\"\"\"`` run is broken up, and control characters are dropped.
"""

from __future__ import annotations

import math
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def literal(value: Any) -> str:
    """A Python expression that evaluates to ``value`` (JSON-like data only)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"float({str(value)!r})"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(str(value))


def docstring(text: str | None, *, limit: int = 2000) -> str:
    """A docstring body: safe between triple double quotes, trimmed, never ending in a quote."""
    if not text:
        return ""
    text = _CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text += " "
    return text


def one_line(text: str | None, *, limit: int = 200) -> str:
    """First sentence-ish line of a description, safe in a docstring or comment."""
    if not text:
        return ""
    line = " ".join(str(text).split())
    if len(line) > limit:
        line = line[: limit - 3].rstrip() + "..."
    return docstring(line)


def comment(text: str | None) -> str:
    """Text for after a ``#``: one line, no control characters."""
    return " ".join(_CONTROL.sub("", str(text or "")).split())
