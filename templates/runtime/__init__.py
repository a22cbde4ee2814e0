"""Marks templates/runtime/ as a package so that ruff and ``mypy --strict`` read its modules
as one (they import each other relatively). Not copied: each generated package has its own
``__init__.py`` (templates/__init__.py.jinja)."""
