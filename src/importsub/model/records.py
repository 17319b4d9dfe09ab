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

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

from importsub.model.identifiers import CHECKS, HINTS
from importsub.model.schema import LARGEST, TABLES, RecordType
from importsub.model.schema import Field as SchemaField
from importsub.model.validate import MAX_INT, MAX_TEXT

_PY_TYPES: dict[str, Any] = {"str": str, "int": int, "float": float, "bool": bool, "date": date}


class Record(BaseModel):
    """Base of every generated record model."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _checker(kind: str) -> Any:
    ok = CHECKS[kind]

    def check(value: str) -> str:
        if not ok(value):
            raise ValueError(f"{value} is not a valid {HINTS[kind]}: a check digit is wrong")
        return value

    return check


def field_definition(f: SchemaField, *, for_output: bool = False) -> tuple[Any, Any]:
    """``(annotation, default)`` of one schema field for ``pydantic.create_model``.

    Input fields carry the schema's bounds; output fields are all optional and
    unconstrained (a confidential value may be masked to ``None``).
    """
    base: Any = Literal[f.choices] if f.choices else _PY_TYPES[f.type]  # type: ignore[valid-type]
    desc = f"{f.description} [{f.unit}]" if f.unit else f.description
    if for_output:
        return (Annotated[base | None, Field(description=desc)], None)
    constraints: dict[str, Any] = {}
    if f.type == "str":
        constraints["min_length"] = 1
        constraints["max_length"] = MAX_TEXT
        # the documented format in full, else any text without control characters (as the columnar check)
        constraints["pattern"] = (
            f"^(?:{f.pattern})$"
            if f.pattern
            else ("^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*$" if f.multiline else "^[^\\x00-\\x1F\\x7F]*$")
        )
    if f.type == "int":
        constraints["ge"], constraints["le"] = -MAX_INT, MAX_INT
    if f.positive:
        constraints["gt"] = 0
    if f.minimum is not None:
        constraints["ge"] = f.minimum
    if f.maximum is not None:
        constraints["le"] = f.maximum
    elif f.type in ("int", "float"):
        constraints["le"] = LARGEST
        if f.minimum is None and not f.positive:
            constraints["ge"] = -LARGEST
    if f.type == "float":
        constraints["allow_inf_nan"] = False
    ann: Any = Annotated[base, Field(description=desc, **constraints)]
    if f.check is not None:
        ann = Annotated[ann, AfterValidator(_checker(f.check))]
    if not f.required:
        ann = ann | None
    return (ann, ... if f.required else f.default)


def record_model(
    rt: RecordType,
    *,
    for_output: bool = False,
    fields: tuple[str, ...] | None = None,
    name: str | None = None,
    base: type[BaseModel] = Record,
) -> type[BaseModel]:
    """A pydantic model of (some of) the fields of a record type."""
    chosen = [f for f in rt.fields if fields is None or f.name in fields]
    defs = {f.name: field_definition(f, for_output=for_output) for f in chosen}
    return create_model(name or rt.record, __base__=base, __doc__=rt.description, **defs)  # type: ignore[call-overload, no-any-return]


MODELS: dict[str, type[BaseModel]] = {rt.name: record_model(rt) for rt in TABLES}

__all__ = ["MAX_INT", "MAX_TEXT", "MODELS", "Record", "field_definition", "record_model"]
