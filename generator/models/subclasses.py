"""Classes that clientgen derives itself, rendered from its own template.

``build.share_identical`` turns a schema identical to an earlier one into its subclass. Such a
class is clientgen's construct, not the spec's: it has no fields of its own, only a name, its
base and a docstring. So it does not go through datamodel-code-generator (which spends as
long on it as on a class with fields); ``templates/models/subclass.py.jinja`` writes it, and
a chunk that refers to it is given it as a stub (``chunks.stub``), as it would any plain
class it only names.

A derived class that another schema builds on (an ``allOf`` member), that takes part in a
discriminated union, or that an inline ``allOf`` member refers to (the library merges those
members, reading what they refer to) stays with datamodel-code-generator: only those merely
named elsewhere are derived here.
"""

from __future__ import annotations

import ast
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from generator.literals import docstring
from generator.models.chunks import Stubs
from generator.models.modules import ImportNode, Statement
from generator.spec.load import iter_refs
from generator.spec.schemas import SCHEMA_PREFIX, Schema, transform

IMPORTS = ""  # a derived class names only its base (the base model holds the config)


def _references(schema: Any) -> set[str]:
    refs = (str(holder["$ref"]) for _, holder in iter_refs(schema))
    return {r[len(SCHEMA_PREFIX) :] for r in refs if r.startswith(SCHEMA_PREFIX)}


def derived(
    before: dict[str, Any],
    after: dict[str, Any],
    graph: dict[str, set[str]],
    found: Stubs,
) -> dict[str, str]:
    """Class -> base of each schema that ``share_identical`` made a subclass (``before`` ->
    ``after``) and that no other schema builds on or discriminates with; ``graph`` and
    ``found`` are the ``chunks.closure_graph`` and ``chunks.stubs`` of ``after``."""
    made = {
        name: str(schema["allOf"][0]["$ref"])[len(SCHEMA_PREFIX) :]
        for name, schema in after.items()
        if schema is not before.get(name)
    }
    strong = {
        target
        for name, targets in graph.items()
        for target in targets
        if target not in found.weak.get(name, set())
    }
    merged = _in_merged_members(after)
    return {name: base for name, base in made.items() if name not in strong | merged}


def _in_merged_members(schemas: dict[str, Any]) -> set[str]:
    """The schemas referred to from inside an inline ``allOf`` member: datamodel-code-generator
    merges such members and reads what they refer to, so those must be given whole."""
    found: set[str] = set()

    def visit(node: Schema) -> Schema:
        for member in node.get("allOf") or []:
            if isinstance(member, dict) and "$ref" not in member:
                found.update(_references(member))
        return node

    for schema in schemas.values():
        if isinstance(schema, dict):
            transform(schema, visit)
    return found


@cache
def _template() -> jinja2.Template:
    package = Path(__file__).parent.parent  # generator/
    installed = package / "templates"
    folder = installed if installed.is_dir() else package.parent / "templates"
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return environment.get_template("models/subclass.py.jinja")


def statements(classes: dict[str, str], schemas: dict[str, Any], chunk: int) -> list[Statement]:
    """The statement of each derived class (``classes``: class -> base), as from chunk
    number ``chunk``."""
    template = _template()
    found = []
    for name, base in classes.items():
        source = template.render(name=name, base=base, doc=_docstring(schemas[name]))
        names = frozenset({base})
        found.append(Statement(source, (name,), None, names, names, chunk))
    return found


def _docstring(schema: dict[str, Any]) -> str:
    """The class docstring as the models template writes it (datamodel-code-generator's
    ``format_docstring(4, use_single_line_docstring=True)``): on one line where the text is one
    line, a last unescaped quote escaped; else the lines between quotes on lines of their own."""
    body = docstring(schema.get("description") or "")
    if not body.strip():
        return ""
    if body.endswith('" '):  # ``docstring`` keeps a last quote from closing the block with a
        body = body[:-1]  # space; the library ends the block on the next line, or escapes it
    if "\n" in body:
        lines = "\n".join(f"    {line}" if line else "" for line in body.split("\n"))
        return f'"""\n{lines}\n    """'
    backslashes = len(body[:-1]) - len(body[:-1].rstrip("\\"))
    if body.endswith('"') and backslashes % 2 == 0:
        body = body[:-1] + '\\"'
    return f'"""{body}"""'


def imports() -> tuple[ImportNode, ...]:
    return tuple(n for n in ast.parse(IMPORTS).body if isinstance(n, ImportNode))


def key(classes: dict[str, str], schemas: dict[str, Any]) -> str:
    """What the statements are made from (the template is in the generator's fingerprint)."""
    payload = [[name, base, schemas[name].get("description")] for name, base in classes.items()]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()
