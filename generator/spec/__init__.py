"""Spec stage: a file of JSON data in, one normalized, hoisted document out.

``load_spec`` reads, bundles and validates a file (``read``, ``load``, ``validate``);
``prepare`` runs every rule that rewrites the document into the one form later stages read
(``normalize``, operations named, ``hoist``, allOf composed).
"""

from generator.spec.load import LoadedSpec, load_spec
from generator.spec.prepare import operation_ids, prepare

__all__ = ["LoadedSpec", "load_spec", "operation_ids", "prepare"]
