"""Emit stage: IR and models -> files (``render``) -> formatted (``format``) -> disk
(``write``)."""

from generator.emit.format import format_files
from generator.emit.render import render_package
from generator.emit.write import compare_tree, write_tree

__all__ = ["compare_tree", "format_files", "render_package", "write_tree"]
