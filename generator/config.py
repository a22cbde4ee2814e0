"""The ``[tool.clientgen]`` table of a project's pyproject.toml: which specs to generate where.

[tool.clientgen]
output = "generated"                 # folder of the generated projects (default)

[tool.clientgen.targets.parallel_tasks]   # the package name
spec = "specs/parallel_tasks.yaml"
api_key_env = "PARALLEL_API_KEY"     # optional; default <PACKAGE>_API_KEY
output = "generated/parallel_tasks"  # optional; default <output>/<package>
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, SpecError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True, slots=True)
class Target:
    """What the generated code says of its target: the package, the spec's name as the header
    prints it, the environment variable of the API key."""

    package: str
    spec_name: str
    api_key_env: str | None = None
    # the generated project's folder as its README's install command names it (relative to
    # the project root); "" where unknown: the command then names ./<package>
    location: str = ""


@dataclass(frozen=True, slots=True)
class TargetConfig:
    """A target as the project lists it: where its spec is and where its package goes."""

    package: str
    spec: Path
    output: Path
    api_key_env: str | None
    location: str = ""  # ``output`` as the README's install command names it (Target.location)

    def target(self, spec_name: str) -> Target:
        return Target(self.package, spec_name, self.api_key_env, self.location)


def find_pyproject(start: Path) -> Path:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "[tool.clientgen" in candidate.read_text(encoding="utf-8"):
            return candidate
    raise SpecError(
        [
            Diagnostic(
                "error",
                "#",
                "no pyproject.toml with a [tool.clientgen] table here or above",
                file=str(start),
            )
        ]
    )


def load_targets(pyproject: Path) -> list[TargetConfig]:
    file = str(pyproject)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError([Diagnostic("error", "#", f"invalid TOML: {exc}", file)]) from None
    table: dict[str, Any] = data.get("tool", {}).get("clientgen", {})
    root = pyproject.parent
    output = root / str(table.get("output", "generated"))
    targets = []
    for package, entry in sorted((table.get("targets") or {}).items()):
        where = f"#/tool/clientgen/targets/{package}"
        if (
            not package.isidentifier()
            or not isinstance(entry, dict)
            or not isinstance(entry.get("spec"), str)
        ):
            raise SpecError(
                [
                    Diagnostic(
                        "error", where, "a target needs an identifier name and a `spec` path", file
                    )
                ]
            )
        folder = root / str(entry["output"]) if "output" in entry else output / package
        targets.append(
            TargetConfig(
                package=package,
                spec=root / entry["spec"],
                output=folder,
                api_key_env=entry.get("api_key_env"),
                location=folder.relative_to(root).as_posix()
                if folder.is_relative_to(root)
                else "",
            )
        )
    if not targets:
        raise SpecError(
            [Diagnostic("error", "#/tool/clientgen/targets", "no targets listed", file)]
        )
    return targets
