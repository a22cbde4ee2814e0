"""How one target runs: the stages in order (``pipeline``), the caches, the worker processes."""

from generator.workflow.pipeline import Analysis, Generated, analyse, generate

__all__ = ["Analysis", "Generated", "analyse", "generate"]
