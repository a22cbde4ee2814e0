"""``python -m generator.models.worker``: chunks of models through datamodel-code-generator.

Reads jobs from standard input, one JSON line each (the arguments of
``generator.models.dcg.generate_chunk``), and answers each with one JSON line: ``["ok", result]``,
or ``["error", [diagnostic, ...]]`` (``Diagnostic.to_dict``) for a chunk that
datamodel-code-generator refused. It ends at the end of its input. ``generator.models.chunks``
starts it, often before the jobs are ready: it imports what it needs while it waits. The
validation worker (``generator.workflow.validation_worker``) serves chunks the same way once
it has validated.
"""

from __future__ import annotations

import json
import sys

from generator.models.dcg import generate_chunk, import_generator
from generator.models.pool import outcome


def serve() -> None:
    """Answers jobs from standard input until it ends."""
    import_generator()
    for line in sys.stdin.buffer:
        answer = outcome(generate_chunk, json.loads(line))
        sys.stdout.buffer.write(json.dumps(answer).encode("ascii") + b"\n")
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    serve()
