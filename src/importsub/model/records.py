"""pydantic models of every record type, generated from the schema.

``MODELS["sites"]`` is the model of one Site record: the same fields, types,
defaults and bounds as the columnar validator, for single records crossing an
API (request and response bodies) or built in code.  A property test checks the
two agree.

Examples
--------
>>> Site = MODELS["sites"]
>>> Site(id="RUD", organization="X", name="Rudensk", name_local="Руденск", country="BY", lat=53.6, lon=27.9).name_local
'Руденск'
>>> Site.model_fields["lat"].description
'Latitude (WGS 84) [°]'
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from importsub.model.schema import TABLES, RecordType
from importsub.model.schema import Field as SchemaField

_PY_TYPES: dict[str, Any] = {"str": str, "int": int, "float": float, "bool": bool, "date": date}


class Record(BaseModel):
    """Base of every generated record model."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _annotation(f: SchemaField) -> Any:
    base: Any = Literal[f.choices] if f.choices else _PY_TYPES[f.type]  # type: ignore[valid-type]
    constraints: dict[str, Any] = {}
    if f.type == "str":
        constraints["min_length"] = 1
    if f.positive:
        constraints["gt"] = 0
    if f.minimum is not None:
        constraints["ge"] = f.minimum
    if f.maximum is not None:
        constraints["le"] = f.maximum
    if f.type == "float":
        constraints["allow_inf_nan"] = False
    desc = f"{f.description} [{f.unit}]" if f.unit else f.description
    ann: Any = Annotated[base, Field(description=desc, **constraints)]
    if not f.required:
        ann = ann | None
    return ann


def _model(rt: RecordType) -> type[Record]:
    fields: dict[str, Any] = {}
    for f in rt.fields:
        default = ... if f.required else f.default
        fields[f.name] = (_annotation(f), default)
    model = create_model(rt.record, __base__=Record, __doc__=rt.description, **fields)
    return model


MODELS: dict[str, type[Record]] = {rt.name: _model(rt) for rt in TABLES}

__all__ = ["MODELS", "Record"]
