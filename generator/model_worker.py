"""``python -m generator.model_worker``: chunks of models through datamodel-code-generator.

Reads a JSON list of jobs (each the arguments of ``generator.models.generate_chunk``) on
standard input and writes a JSON list of results in the same order: ``["ok", text]``, or
``["error", [[level, pointer, message, file, line, hint], ...]]`` for a chunk that
datamodel-code-generator refused. ``generator.model_chunks.run`` starts one per CPU but one.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from generator.diagnostics import SpecError
from generator.models import generate_chunk


def main() -> int:
    results: list[Any] = []
    for arguments in json.load(sys.stdin):
        try:
            results.append(["ok", generate_chunk(arguments)])
        except SpecError as exc:
            rows = [
                [d.level, d.pointer, d.message, d.file, d.line, d.hint] for d in exc.diagnostics
            ]
            results.append(["error", rows])
    sys.stdout.write(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
