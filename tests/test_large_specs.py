"""GitHub's and Figma's public specs generate completely, import, and pass mypy --strict.

Marked slow (about a minute): `make test` runs it all the same. Nothing is dropped: every
operation of the spec is a method, and every component schema a model class. Building the
clients imports no resource module; using every resource imports each one without error.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.config import Target
from generator.emit.write import write_tree
from generator.spec.schemas import operations
from generator.workflow.pipeline import generate
from tests.support.corpus import FIGMA, GITHUB, CorpusUnavailable, install
from tests.support.layout import models_source

pytestmark = pytest.mark.slow

# Imports a package and builds both clients, then touches every resource given (both clients,
# plain and raw); prints how many resource modules were imported before and after.
USE_EVERY_RESOURCE = """
import importlib, sys
package, attrs = sys.argv[1], sys.argv[2:]
module = importlib.import_module(package)
client = module.Client(api_key="k", base_url="http://x")
aclient = module.AsyncClient(api_key="k", base_url="http://x")
loaded = lambda: len([m for m in sys.modules if m.startswith(package + ".resources.")])
print(loaded())
for attr in attrs:
    for owner in (client, aclient, client.with_raw_response, aclient.with_raw_response):
        getattr(owner, attr)
print(loaded())
"""


def _spec(which: tuple[str, str], relative: str) -> Path:
    try:
        return install(*which) / relative
    except CorpusUnavailable as exc:
        pytest.fail(f"{which[0]} cannot be installed, so it was not tested: {exc}")


@pytest.mark.parametrize(
    ("which", "relative", "package"),
    [
        pytest.param(GITHUB, "generated/api.github.com.json", "github", id="github"),
        pytest.param(FIGMA, "openapi/openapi.yaml", "figma", id="figma"),
    ],
)
def test_large_spec_generates_completely(
    which: tuple[str, str], relative: str, package: str, tmp_path: Path
) -> None:
    path = _spec(which, relative)
    raw: dict[str, Any] = (
        json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
    )
    generated = generate(path, Target(package, f"{which[0]}/{relative}"))
    api = generated.api

    in_spec = {(method.upper(), p) for p, method, _, _ in operations(raw)}
    in_client = {(op.http_method, op.path) for r in api.all_resources for op in r.operations}
    in_client |= {(op.http_method, op.path) for op in api.operations}
    assert in_client == in_spec, f"dropped: {sorted(in_spec - in_client)[:10]}"
    assert api.operation_count == len(in_spec)

    models = models_source(generated.files, package)
    defined = {
        node.name if isinstance(node, ast.ClassDef) else node.targets[0].id  # type: ignore[attr-defined]
        for node in ast.parse(models).body
        if isinstance(node, ast.ClassDef)
        or (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name))
    }
    components = raw.get("components", {}).get("schemas", {})
    assert set(api.model_names) <= defined
    assert len(api.model_names) >= len(components), "a component schema has no model class"

    write_tree(tmp_path, generated.files, package)
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", package],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout[-3000:]
    imported = subprocess.run(
        [sys.executable, "-c", USE_EVERY_RESOURCE, package, *(r.attr for r in api.resources)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr[-3000:]
    assert imported.stdout.split() == ["0", str(len(api.resources))]
