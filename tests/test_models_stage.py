"""The models stage: what datamodel-code-generator is given, and what comes back."""

from __future__ import annotations

import ast

from generator.models.build import render_models


def _spec(schemas: dict[str, object]) -> dict[str, object]:
    return {"openapi": "3.1.0", "components": {"schemas": schemas}}


def _source(schemas: dict[str, object]) -> str:
    """Every model module generated for ``schemas``, joined."""
    models = render_models(_spec(schemas), "spec.yaml", "spec.yaml", "pkg")
    return "\n".join(models.sources.values())


def _fields(source: str, class_name: str) -> dict[str, str]:
    cls = next(
        n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == class_name
    )
    return {
        n.target.id: ast.unparse(n.annotation)
        for n in cls.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }


def test_required_write_only_property_is_optional_in_the_model() -> None:
    user = {
        "type": "object",
        "required": ["name", "password"],
        "properties": {
            "name": {"type": "string"},
            "password": {"type": "string", "writeOnly": True},
        },
    }
    fields = _fields(_source({"User": user}), "User")
    assert fields == {"name": "str", "password": "str | None"}


def test_models_derive_from_the_package_base_with_deferred_build() -> None:
    source = _source({"Thing": {"type": "object", "properties": {"a": {"type": "integer"}}}})
    assert "from pkg._base import Model" in source
    assert "class Thing(Model):" in source
