"""``python -m generator.worker '[SPEC, DISPLAY]'``: a spec's validator warnings, as JSON.

openapi-spec-validator is the slowest part of loading a large spec and needs nothing from
the later stages, so ``pipeline`` runs it here, in a process of its own, while the main
process goes on with normalize, build and models. The output is a JSON list of
``[level, pointer, message, file, line, hint]``, in the order ``load_spec`` reports them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from generator.load import load_spec


def main(argv: list[str]) -> int:
    path, display = json.loads(argv[0])
    loaded = load_spec(Path(path), display)
    rows = [[d.level, d.pointer, d.message, d.file, d.line, d.hint] for d in loaded.warnings]
    sys.stdout.write(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
