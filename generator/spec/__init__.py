"""Spec stage: a file of JSON data in, one normalized, hoisted document out.

``load_spec`` reads, bundles and validates a file (``read``, ``load``, ``validate``);
``normalize`` and ``hoist`` rewrite the document into the one form later stages read.
"""

from generator.spec.hoist import hoist
from generator.spec.load import LoadedSpec, load_spec
from generator.spec.normalize import normalize

__all__ = ["LoadedSpec", "hoist", "load_spec", "normalize"]
