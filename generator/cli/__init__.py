"""The command line: click commands (``commands``), what they print (``console``), specs at
git revisions (``revision``)."""

from generator.cli.commands import main

__all__ = ["main"]
