"""``python -m generator.workflow.validation_worker '[SPEC, DISPLAY, SERVE, RECORD]'``: validator
warnings, then chunks.

openapi-spec-validator is the slowest part of loading a large spec and needs nothing from
the later stages, so ``pipeline`` runs it here, in a process of its own, while the main
process goes on with normalize, build and models. The first line written is a JSON object:
``warnings``, the diagnostics in their wire form (``Diagnostic.to_dict``), in the order
``load_spec`` reports them, and ``validated``, what validated clean (``subtrees.Validated``).
RECORD, when not null, is a file holding what an earlier run validated clean: only what may
differ from it is validated again.

Then, with SERVE and a spec whose models come in chunks, rather than a third process, this
one becomes a model worker (``generator.models.worker``) and serves chunks until its input
ends: it replaces itself with a fresh interpreter running that module (``os.execv``: the same
process and pipes), so none of the validator's memory (the spec, openapi-spec-validator,
what the heap kept of them) is held beside datamodel-code-generator's. Where that fails, it
serves chunks as it is.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path

from generator.models.pool import serves_chunks
from generator.spec.load import load_spec
from generator.spec.subtrees import Validated


def main(argv: list[str]) -> int:
    path, display, serve, record = json.loads(argv[0])
    loaded = load_spec(Path(path), display, previous=_previous(record))
    serve = serve and serves_chunks(loaded.document)  # the pool's rule, as in the pipeline
    answer = {
        "warnings": [d.to_dict() for d in loaded.warnings],
        "validated": loaded.validated.to_dict() if loaded.validated is not None else None,
    }
    del loaded
    sys.stdout.buffer.write(json.dumps(answer).encode("ascii") + b"\n")
    sys.stdout.buffer.flush()
    if serve:
        try:
            os.execv(sys.executable, [sys.executable, "-m", "generator.models.worker"])
        except OSError:
            pass
        gc.collect()
        from generator.models.worker import serve as serve_chunks

        serve_chunks()
    return 0


def _previous(record: str | None) -> Validated | None:
    """What an earlier run validated clean, from the file the pipeline wrote it to."""
    if record is None:
        return None
    try:
        return Validated.from_dict(json.loads(Path(record).read_bytes()))
    except (OSError, ValueError):
        return None


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
