"""Diagnostics are data: a level, the file, a JSON pointer into it, and a message.

Every stage reports problems with the spec as ``Diagnostic`` values. Errors stop the run
(``SpecError`` carries them to the CLI); warnings are printed and generation goes on, unless
``--strict`` makes them errors (``as_errors``). A diagnostic has one wire form, a JSON object
(``to_dict``/``from_dict``): worker processes send it, the cache stores it, ``--json``
prints it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    level: Level
    pointer: str  # a JSON pointer such as "#/paths/~1runs/get"; "#" for the whole document
    message: str
    file: str = ""
    line: int | None = None
    hint: str | None = None

    def format(self) -> str:
        where = self.file or "<spec>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        text = f"{where}:{self.pointer}: {self.level}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The wire form: a JSON object with every field."""
        return {
            "level": self.level,
            "file": self.file,
            "line": self.line,
            "pointer": self.pointer,
            "message": self.message,
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagnostic:
        """The diagnostic of a wire form (``KeyError``/``ValueError`` when it is not one)."""
        level = data["level"]
        if level not in ("error", "warning"):
            raise ValueError(f"not a diagnostic level: {level!r}")
        return cls(
            level, data["pointer"], data["message"], data["file"], data["line"], data["hint"]
        )


class SpecError(Exception):
    """The spec cannot be turned into a client; carries the diagnostics that say why."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    def __reduce__(self) -> tuple[type[SpecError], tuple[tuple[Diagnostic, ...]]]:
        return (SpecError, (self.diagnostics,))  # it crosses from worker processes


def pointer(*parts: str | int) -> str:
    """Build a JSON pointer ("#/a/b~1c") from raw path parts, escaping '~' and '/'."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "#/" + "/".join(escaped) if parts else "#"


def error(ptr: str, message: str, *, file: str = "", hint: str | None = None) -> SpecError:
    return SpecError([Diagnostic("error", ptr, message, file=file, hint=hint)])


def as_errors(diagnostics: Iterable[Diagnostic]) -> SpecError:
    """``--strict``: every diagnostic, warnings too, as an error that stops the run."""
    return SpecError([replace(d, level="error") for d in diagnostics])
