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
from html.parser import HTMLParser
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


# HTML that spec descriptions use (Stripe's): a text holding one of these tags is read as HTML.
_HTML_TAG = re.compile(
    r"</?(?:p|br|a|code|pre|ul|ol|li|strong|em|b|i|span|div|h[1-6]|table|tr|td|th)\b[^<>]*>",
    re.IGNORECASE,
)
_BLOCKS = frozenset({"p", "div", "ul", "ol", "pre", "table", "tr", "h1", "h2", "h3", "h4"})


class _HTMLText(HTMLParser):
    """HTML as the text a reader sees: paragraphs as blank lines, list items as ``- ``,
    ``<code>`` as backticks, entities decoded; a tag it does not know stays as written
    (``List<String>``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "code":
            self.parts.append("`")
        elif not _HTML_TAG.fullmatch(self.get_starttag_text() or ""):
            self.parts.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "code":
            self.parts.append("`")
        elif not _HTML_TAG.fullmatch(f"</{tag}>"):
            self.parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(text: str) -> str:
    """``text`` as read, where it holds HTML; otherwise unchanged."""
    if not _HTML_TAG.search(text):
        return text
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    joined = re.sub(r"[ \t]+", " ", "".join(parser.parts))
    joined = re.sub(r" *\n *", "\n", joined)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()


def plain(text: object, *, limit: int = DOC_LIMIT) -> str:
    """Readable text, not yet escaped: no control characters, ``\\n`` line ends, trimmed, HTML
    read as text.

    What a docstring shows; also what datamodel-code-generator is given for descriptions,
    which it escapes itself.
    """
    if not text:
        return ""
    clean = _CONTROL.sub("", html_text(str(text)).replace("\r\n", "\n").replace("\r", "\n"))
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
