"""The base class of every generated model."""

from __future__ import annotations

import pydantic

__all__ = ["Model"]


class Model(pydantic.BaseModel):
    """The base of every generated model. Its validator is built when first used, not at
    import, so a package with thousands of models imports quickly."""

    # protected_namespaces: pydantic before 2.10 warns of a field named `model_...` otherwise.
    model_config = pydantic.ConfigDict(defer_build=True, protected_namespaces=())
