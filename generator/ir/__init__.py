"""IR stage: the prepared spec -> frozen dataclasses (``nodes``) that templates print."""

from generator.ir.build import build_ir
from generator.ir.nodes import Api

__all__ = ["Api", "build_ir"]
