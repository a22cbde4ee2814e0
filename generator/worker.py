"""``python -m generator.worker '[SPEC, DISPLAY]'``: a spec's validator warnings, then chunks.

openapi-spec-validator is the slowest part of loading a large spec and needs nothing from
the later stages, so ``pipeline`` runs it here, in a process of its own, while the main
process goes on with normalize, build and models. The first line written is a JSON list of
``[level, pointer, message, file, line, hint]``, in the order ``load_spec`` reports them.

Then, rather than a third process, this one serves chunks of models as a model worker does
(``generator.model_worker.serve``) until its input ends: the spec it validated is let go
first, so the memory it held serves datamodel-code-generator.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

from generator.load import load_spec


def main(argv: list[str]) -> int:
    path, display = json.loads(argv[0])
    warnings = load_spec(Path(path), display).warnings
    rows = [[d.level, d.pointer, d.message, d.file, d.line, d.hint] for d in warnings]
    sys.stdout.buffer.write(json.dumps(rows).encode("ascii") + b"\n")
    sys.stdout.buffer.flush()
    gc.collect()
    from generator.model_worker import serve

    serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
