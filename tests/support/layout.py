"""Where things are in a generated package, for tests that read its files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def models_source(files: Mapping[str, bytes], package: str) -> str:
    """Every model module of a generated package (``models/__init__.py`` aside), joined in
    file name order: one text that defines every model, to parse or search."""
    prefix = f"{package}/models/"
    return "\n".join(
        files[name].decode("utf-8")
        for name in sorted(files)
        if name.startswith(prefix) and name.endswith(".py") and not name.endswith("__init__.py")
    )


def models_source_at(package_dir: Path) -> str:
    """``models_source`` of a package folder on disk (``<project>/<package>``)."""
    folder = package_dir / "models"
    return models_source({f"p/models/{p.name}": p.read_bytes() for p in folder.glob("*.py")}, "p")
