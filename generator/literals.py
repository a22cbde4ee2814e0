"""Spec text into generated code: literals, docstrings and comments that cannot break out.

Every string of a spec that reaches generated code passes through here (identifiers through
``naming``). A literal is the exact ``repr`` of the value, so it evaluates back to the spec's
value and nothing else. A docstring body cannot close its quotes early or smuggle escapes:
backslashes are doubled and each ``\"\"\"`` run is broken up. Docstrings and comments also
lose what could make the source read differently from what it is: control characters
(terminal escapes, NUL), line and paragraph separators, and the bidirectional-text controls
of "Trojan Source" (CVE-2021-42574).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# C0 and C1 controls but tab and newline, DEL, U+2028/2029, bidi embeddings, overrides,
# isolates and marks, and the byte order mark.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
DOC_LIMIT = 2000


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


def plain(text: object, *, limit: int = DOC_LIMIT) -> str:
    """Readable text, not yet escaped: no control characters, ``\\n`` line ends, trimmed.

    What a docstring shows; also what datamodel-code-generator is given for descriptions,
    which it escapes itself.
    """
    if not text:
        return ""
    clean = _CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    clean = "\n".join(line.rstrip() for line in clean.strip().splitlines())
    if len(clean) > limit:
        clean = clean[: limit - 3].rstrip() + "..."
    return clean


def docstring(text: object, *, limit: int = DOC_LIMIT) -> str:
    """A docstring body: safe between triple double quotes, trimmed, never ending in a quote."""
    body = plain(text, limit=limit).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body += " "
    return body


def one_line(text: object, *, limit: int = 200) -> str:
    """First sentence-ish line of a description, safe in a docstring or comment."""
    if not text:
        return ""
    line = " ".join(str(text).split())
    if len(line) > limit:
        line = line[: limit - 3].rstrip() + "..."
    return docstring(line)


def comment(text: object) -> str:
    """Text for after a ``#``: one line, no control characters."""
    return " ".join(_CONTROL.sub("", str(text or "")).split())


def toml_string(text: object) -> str:
    """A TOML basic string holding ``text`` (JSON's escapes are TOML's, but for surrogates)."""
    return json.dumps(_CONTROL.sub("", str(text or "")), ensure_ascii=False)
