"""``clientgen diff`` and the API report of ``check``: what changed for callers."""

from generator.apidiff.diff import Change, diff_apis
from generator.apidiff.shape import ApiShape, api_shape

__all__ = ["ApiShape", "Change", "api_shape", "diff_apis"]
