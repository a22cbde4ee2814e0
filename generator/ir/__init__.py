"""IR stage: the prepared spec -> frozen dataclasses (``nodes``) that templates print."""

from generator.ir.build import Target, build_ir
from generator.ir.nodes import Api

__all__ = ["Api", "Target", "build_ir"]
