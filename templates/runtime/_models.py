"""The base class of every generated model."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

import pydantic

__all__ = ["Model"]


class _DumpOptions(TypedDict):
    by_alias: bool
    exclude_unset: bool
    exclude_defaults: bool
    exclude_none: bool


def _dump_options(
    use_api_names: bool, exclude_unset: bool, exclude_defaults: bool, exclude_none: bool
) -> _DumpOptions:
    """The arguments of ``to_dict`` and ``to_json`` as pydantic's ``model_dump`` takes them."""
    return _DumpOptions(
        by_alias=use_api_names,
        exclude_unset=exclude_unset,
        exclude_defaults=exclude_defaults,
        exclude_none=exclude_none,
    )


class Model(pydantic.BaseModel):
    """The base of every generated model. Its validator is built when first used, not at
    import, so a package with thousands of models imports quickly."""

    # protected_namespaces: pydantic before 2.10 warns of a field named `model_...` otherwise.
    # extra="allow": fields the spec does not know are kept; populate_by_name: a field may be
    # given by its Python name or its API name. Set once here, for every model.
    model_config = pydantic.ConfigDict(
        defer_build=True, protected_namespaces=(), extra="allow", populate_by_name=True
    )

    def to_dict(
        self,
        *,
        mode: Literal["python", "json"] = "python",
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> dict[str, Any]:
        """This model as a dict, nested models included: keyed by the API's field names (the
        wire names, not the Python attributes), with only the fields that were set (sent by
        the server, or passed in), fields the spec does not know kept. ``mode="json"`` gives
        JSON values (a datetime as its string). The arguments undo each choice."""
        options = _dump_options(use_api_names, exclude_unset, exclude_defaults, exclude_none)
        return self.model_dump(mode=mode, **options)

    def to_json(
        self,
        *,
        indent: int | None = 2,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> str:
        """This model as JSON text, by the rules of ``to_dict``; ``indent=None`` for one line."""
        options = _dump_options(use_api_names, exclude_unset, exclude_defaults, exclude_none)
        return self.model_dump_json(indent=indent, **options)
