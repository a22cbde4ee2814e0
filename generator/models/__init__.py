"""Models stage: component schemas -> the source of a package's ``models/``, through
datamodel-code-generator."""

from generator.models.build import ModelsPackage, render_models

__all__ = ["ModelsPackage", "render_models"]
