"""What the command line shows: diagnostics, progress, and API change reports.

On a terminal, output goes through rich: colour, a live progress display, diagnostics grouped
by kind with a count. Elsewhere (a pipe, a file, CI logs) every line is plain text, and a
diagnostic is exactly ``file:pointer: level: message``, as tools and tests parse it.
Terminal mode is decided by the stream itself (``isatty``); rich honours ``NO_COLOR``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Literal, TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from generator.apidiff.diff import Change
from generator.diagnostics import Diagnostic
from generator.workflow.pipeline import STAGES

Mode = Literal["rich", "plain", "quiet"]
_MASKED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|\d+")


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _console(stream: TextIO) -> Console:
    return Console(file=stream, highlight=False, soft_wrap=True)


def echo(line: str, stream: TextIO | None = None) -> None:
    """One plain line; ``stream`` defaults to the current ``sys.stdout``."""
    print(line, file=stream or sys.stdout, flush=True)


# Diagnostics -------------------------------------------------------------------------------


def print_diagnostics(diagnostics: Sequence[Diagnostic], stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    if not diagnostics:
        return
    if not is_terminal(stream):
        for diagnostic in diagnostics:
            echo(diagnostic.format(), stream)
        return
    console = _console(stream)
    errors = [d for d in diagnostics if d.level == "error"]
    warnings = [d for d in diagnostics if d.level != "error"]
    if errors:
        console.print(Text(_count(len(errors), "error"), style="bold red"))
        for diagnostic in errors:
            _print_one(console, diagnostic)
    groups: dict[str, list[Diagnostic]] = {}
    for diagnostic in warnings:
        groups.setdefault(message_kind(diagnostic.message), []).append(diagnostic)
    for kind, members in groups.items():
        header = Text(f"warning: {kind} ", style="bold yellow")
        header.append(f"({len(members)})", style="yellow")
        console.print(header)
        for diagnostic in members:
            _print_one(console, diagnostic)
    summary = ", ".join(
        part
        for part in (
            _count(len(errors), "error") if errors else "",
            _count(len(warnings), "warning") if warnings else "",
        )
        if part
    )
    console.print(Text(summary, style="bold red" if errors else "bold yellow"))


def _print_one(console: Console, diagnostic: Diagnostic) -> None:
    where = diagnostic.file or "<spec>"
    if diagnostic.line is not None:
        where = f"{where}:{diagnostic.line}"
    line = Text("  ")
    line.append(f"{where}:{diagnostic.pointer}", style="cyan")
    line.append(f": {diagnostic.message}")
    console.print(line)
    if diagnostic.hint:
        console.print(Text(f"    hint: {diagnostic.hint}", style="dim"))


def message_kind(message: str) -> str:
    """A message with its particulars masked, to group alike diagnostics together."""
    return _MASKED.sub("…", message)


def diagnostics_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.to_dict() for d in diagnostics], indent=2)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


# Progress ----------------------------------------------------------------------------------


class Display:
    """Progress of a run over targets: a live display, plain lines, or nothing."""

    def __init__(self, mode: Mode, progress: Progress | None = None) -> None:
        self.mode = mode
        self._progress = progress

    def target(self, package: str) -> Callable[[str], None]:
        """Start a target; returns the pipeline's progress callback for it."""
        if self._progress is not None:
            progress = self._progress
            task = progress.add_task(package, total=len(STAGES), stage="")

            def advance(stage: str) -> None:
                progress.update(task, completed=STAGES.index(stage), stage=stage)

            return advance
        if self.mode == "plain":
            return lambda stage: echo(f"{package}: {stage}")
        return lambda stage: None

    def line(self, text: str, style: str = "") -> None:
        """A line that stays: above the live display on a terminal, plain otherwise."""
        if self._progress is not None:
            self._progress.console.print(Text(text, style=style))
        elif self.mode != "quiet":
            echo(text)

    def finish(self, package: str) -> None:
        if self._progress is not None:
            for task in self._progress.tasks:
                if task.description == package:
                    self._progress.update(task.id, completed=len(STAGES), visible=False)


@contextmanager
def display(mode: Mode, stream: TextIO | None = None) -> Iterator[Display]:
    if mode != "rich":
        yield Display(mode)
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=_console(stream or sys.stdout),
        transient=True,
        redirect_stderr=is_terminal(sys.stderr),
    )
    with progress:
        yield Display(mode, progress)


def mode_for(quiet: bool, stream: TextIO | None = None) -> Mode:
    if quiet:
        return "quiet"
    return "rich" if is_terminal(stream or sys.stdout) else "plain"


def print_diff(text: str, stream: TextIO | None = None) -> None:
    """A unified diff: coloured on a terminal, the bytes as they are elsewhere."""
    stream = stream or sys.stdout
    if not is_terminal(stream):
        stream.write(text if text.endswith("\n") else text + "\n")
        stream.flush()
        return
    console = _console(stream)
    for line in text.splitlines():
        style = ""
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        console.print(Text(line, style=style))


# API change reports ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    """The API changes between two versions of one spec."""

    title: str  # "specs/a.yaml -> specs/b.yaml", "parallel_tasks: specs/x.yaml (HEAD -> ...)"
    target: str | None
    old: str
    new: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> int:
        return sum(1 for c in self.changes if c.breaking)


def report_lines(report: Report) -> list[tuple[str, str]]:
    """(text, style) of each line of a report: a title, one line per change, a count."""
    lines = [(report.title, "bold")]
    for change in report.changes:
        mark = "breaking" if change.breaking else "safe"
        lines.append(
            (f"{mark:<9} {change.subject}: {change.message}", "red" if change.breaking else "green")
        )
    if not report.changes:
        lines.append(("no API changes", "dim"))
    else:
        safe = len(report.changes) - report.breaking
        lines.append(
            (
                f"{_count(len(report.changes), 'change')}: {report.breaking} breaking, {safe} safe",
                "bold red" if report.breaking else "bold green",
            )
        )
    return lines


def print_report(report: Report, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    lines = report_lines(report)
    if is_terminal(stream):
        console = _console(stream)
        for text, style in lines:
            console.print(Text(text, style=style))
    else:
        for text, _ in lines:
            echo(text, stream)


def reports_json(reports: Sequence[Report]) -> str:
    return json.dumps(
        [
            {
                "target": r.target,
                "old": r.old,
                "new": r.new,
                "breaking": r.breaking,
                "safe": len(r.changes) - r.breaking,
                "changes": [asdict(c) for c in r.changes],
            }
            for r in reports
        ],
        indent=2,
    )
