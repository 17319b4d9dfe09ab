"""Analysis parameters declared once: name, type, unit, default, choices, label and help (English; Russian in the catalogue).

Each parameter of an analysis kind is a field of its pydantic model (the
``params`` of :class:`~importsub.web.services.analyses.AnalysisSpec`) made
with :func:`param`.  From that one declaration come

* the API's parameter schema (``GET /api/analyses``: JSON schema with
  ``title``/``description`` in the caller's language, ``x-unit``,
  ``x-choices``) and its validation (the model);
* the analyses page's form (:func:`form_fields`: a select of translated
  choices for an enumeration, a checkbox for a boolean, a number input with
  min/max/step and the unit for a number, a select of the dataset's years or
  scenarios) and its validation with messages that name the field in the
  page's language (:func:`form_values`, :func:`error_messages`).

Labels, help texts, units and choice labels are marked with ``N_`` so the
catalogue has each (the Russian ``.po`` must translate every one:
``tests/web/test_analysis_params.py``).  The CLI keeps its typer options; a
test checks them against these declarations (same names, defaults, choices).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from importsub.web.i18n import N_
from importsub.web.i18n import gettext as _

Widget = Literal["year", "scenario", "scenarios", "project"]
"""Widgets filled from the dataset: a select of its years, of its scenarios, a multiple select of its
scenarios, a select of its projects."""

UNITS: Mapping[str, str] = {
    "weeks": N_("weeks"),
    "RUB": N_("RUB"),
    "fraction": N_("fraction 0–1"),
    "%": "%",
    "year": N_("year"),
    "probability": N_("probability 0–1"),
    "count": N_("count"),
    "RUB per RUB/yr": N_("RUB per RUB/yr"),
}
"""Units a parameter may carry, with their label (translated when shown)."""


def param(
    default: Any = PydanticUndefined,
    *,
    label: str,
    help: str = "",
    unit: str | None = None,
    choices: Mapping[str, str] | None = None,
    widget: Widget | None = None,
    **constraints: Any,
) -> Any:
    """One analysis parameter: a pydantic field carrying its label, help, unit, choice labels and widget.

    Parameters
    ----------
    default
        The default (none: required); ``default_factory=`` may be given instead.
    label, help : str
        English label and help, marked with ``N_`` (translated when shown).
    unit : str, optional
        A key of :data:`UNITS` (numbers).
    choices : mapping, optional
        Code → English label (``N_``) of each value of a ``Literal`` type, in the order offered.
    widget : {"year", "scenario", "scenarios", "project"}, optional
        Offer the dataset's years, scenarios or projects.
    **constraints
        ``ge``, ``le``, ``gt``, ``max_length``, ``pattern`` … as :func:`pydantic.Field`.

    Examples
    --------
    >>> class P(BaseModel):
    ...     weeks: float = param(4.0, label="Duration", unit="weeks", ge=0, le=520)
    >>> P.model_fields["weeks"].json_schema_extra["x-unit"], P(weeks=2).weeks
    ('weeks', 2.0)
    """
    if unit is not None and unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} of parameter {label!r}; units: {', '.join(UNITS)}")
    extra: dict[str, Any] = {"x-label": label}
    if unit is not None:
        extra["x-unit"] = unit
    if choices is not None:
        extra["x-choices"] = dict(choices)
    if widget is not None:
        extra["x-widget"] = widget
    return Field(default, title=label, description=help or None, json_schema_extra=extra, **constraints)


# ---------------------------------------------------------------- reading a declaration


def _extra(f: FieldInfo) -> dict[str, Any]:
    return dict(f.json_schema_extra) if isinstance(f.json_schema_extra, dict) else {}


def _inner(annotation: Any) -> tuple[Any, bool]:
    """The type of a parameter without ``None``, and whether ``None`` is allowed."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), len(rest) < len(args)
    return annotation, False


def _bound(f: FieldInfo, *names: str) -> str | None:
    """A bound of a number parameter as an HTML number (``ge``/``gt`` for min, ``le``/``lt`` for max)."""
    for m in f.metadata:
        for n in names:
            v = getattr(m, n, None)
            if v is not None:
                v = float(v)
                return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return None


def _max_length(f: FieldInfo) -> int | None:
    for m in f.metadata:
        v = getattr(m, "max_length", None)
        if v is not None:
            return int(v)
    return None


def choices_of(f: FieldInfo) -> list[str] | None:
    """The codes a parameter takes (its ``Literal`` values), or None."""
    inner, _optional = _inner(f.annotation)
    if typing.get_origin(inner) is Literal:
        return [str(a) for a in typing.get_args(inner)]
    return None


def label_of(f: FieldInfo, name: str) -> str:
    """The parameter's label in the current language, with its unit (``Window [weeks]`` / ``Окно [нед.]``)."""
    extra = _extra(f)
    text = _(str(extra.get("x-label") or name))
    unit = extra.get("x-unit")
    return f"{text} [{_(UNITS[unit])}]" if unit else text


def described(model: type[BaseModel], params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A run's parameters as a page lists them: (label in the page language, value) per parameter given,
    choices by their translated label; a name the model does not declare (an older run) as it is."""
    out: list[tuple[str, str]] = []
    for name, value in sorted(params.items()):
        if value is None:
            continue
        f = model.model_fields.get(name)
        if f is None:
            out.append((name, str(value)))
            continue
        labels = _extra(f).get("x-choices") or {}
        shown = _(labels[value]) if isinstance(value, str) and value in labels else value
        if isinstance(shown, bool):
            shown = _("yes") if shown else _("no")
        out.append((label_of(f, name), str(shown)))
    return out


def is_list(annotation: Any) -> bool:
    """Whether a parameter's type is a list (or an optional list)."""
    inner, _optional = _inner(annotation)
    return typing.get_origin(inner) is list


def _default(f: FieldInfo) -> Any:
    if f.is_required() or f.default_factory is not None or f.default is None:
        return None
    return f.default


def form_fields(
    model: type[BaseModel],
    *,
    years: Sequence[int] = (),
    scenarios: Sequence[str] = (),
    projects: Sequence[tuple[str, str]] = (),
) -> list[dict[str, Any]]:
    """The widgets of a parameters model, in the current language (see the module docstring).

    Each widget: ``name``, ``label`` (with the unit), ``help``, ``input``
    (``select``, ``multiselect``, ``checkbox``, ``number``, ``date``,
    ``text``), ``value`` (the default as text), ``required``, and for a
    select ``options`` [(code, label)] (a blank first option where the
    parameter may be left out), for a number ``min``/``max``/``step``.
    """
    out = []
    for name, f in model.model_fields.items():
        extra = _extra(f)
        inner, optional = _inner(f.annotation)
        default = _default(f)
        optional = optional or not f.is_required()
        w: dict[str, Any] = {
            "name": name,
            "label": label_of(f, name),
            "help": _(f.description) if f.description else "",
            "required": f.is_required(),
            "value": "" if default is None else str(default),
        }
        widget = extra.get("x-widget")
        codes = choices_of(f)
        if widget == "year" and years:
            w["input"] = "select"
            w["options"] = [("", _("default"))] * optional + [(str(y), str(y)) for y in years]
        elif widget == "scenario" and scenarios:
            w["input"] = "select"
            w["options"] = [("", _("none"))] * optional + [(s, s) for s in scenarios]
        elif widget == "scenarios" and scenarios:
            w["input"] = "multiselect"
            w["options"] = [(s, s) for s in scenarios]
        elif widget == "project" and projects:
            w["input"] = "select"
            w["options"] = [("", _("every project"))] * optional + [(p, f"{p} — {n}" if n else p) for p, n in projects]
        elif codes is not None:
            labels = extra.get("x-choices") or {}
            w["input"] = "select"
            w["options"] = [("", _("default"))] * (default is None and optional) + [
                (c, _(labels.get(c, c))) for c in codes
            ]
        elif inner is bool:
            w["input"] = "checkbox"
            w["checked"] = bool(default)
        elif inner in (int, float):
            w["input"] = "number"
            w["min"] = _bound(f, "ge", "gt")
            w["max"] = _bound(f, "le", "lt")
            w["step"] = "1" if inner is int else "any"
        elif inner is dt.date:
            w["input"] = "date"
        else:
            w["input"] = "text"
            w["maxlength"] = _max_length(f)
        out.append(w)
    return out


_TRUE = frozenset({"true", "on", "1", "yes"})


def form_values(model: type[BaseModel], form: Any) -> dict[str, Any]:
    """The parameters a submitted form gives (empty fields left out: their default applies).

    A checkbox comes with a hidden ``false`` before it, so an unticked box
    sends ``false`` (not nothing, which would mean the default); ticked, it
    also sends ``true`` (or ``on``, ``1``, ``yes``).
    """
    params: dict[str, Any] = {}
    for name, f in model.model_fields.items():
        values = [str(v).strip() for v in form.getlist(name)]
        inner, _optional = _inner(f.annotation)
        if is_list(f.annotation):  # multiple select: every value sent
            chosen = [v for v in values if v]
            if chosen:
                params[name] = chosen
        elif inner is bool and values:
            params[name] = any(v.lower() in _TRUE for v in values)
        elif values and values[-1] != "":
            params[name] = values[-1]
    return params


_MESSAGES: Mapping[str, str] = {
    "greater_than_equal": N_("must be at least %(ge)s"),
    "greater_than": N_("must be more than %(gt)s"),
    "less_than_equal": N_("must be at most %(le)s"),
    "less_than": N_("must be less than %(lt)s"),
    "literal_error": N_("must be one of %(expected)s"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "finite_number": N_("must be a finite number"),
    "bool_parsing": N_("must be yes or no"),
    "date_from_datetime_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_parsing": N_("must be a date (YYYY-MM-DD)"),
    "missing": N_("is required"),
    "string_too_long": N_("is too long: at most %(max_length)s characters"),
    "string_too_short": N_("must not be empty"),
    "too_long": N_("has too many values: at most %(max_length)s"),
    "string_pattern_mismatch": N_("does not have the expected form (%(pattern)s)"),
}


def error_messages(model: type[BaseModel], exc: PydanticValidationError) -> list[str]:
    """One message per problem, naming the field by its label, in the current language.

    A check of the whole model (``ValueError`` raised with an ``N_`` message) is translated as it is.
    """
    out = []
    for e in exc.errors():
        loc = e["loc"]
        ctx = {k: str(v) for k, v in (e.get("ctx") or {}).items()}
        if e["type"] == "value_error":
            text = str(e["msg"]).removeprefix("Value error, ")
            text = _(text)
        elif e["type"] in _MESSAGES:
            try:
                text = _(_MESSAGES[e["type"]]) % ctx
            except (KeyError, ValueError):
                text = str(e["msg"])
        else:
            text = str(e["msg"])
        name = str(loc[0]) if loc else ""
        f = model.model_fields.get(name)
        if f is None:
            out.append(text if not name else f"{name}: {text}")
        else:
            out.append(f"«{label_of(f, name)}»: {text}")
    return out


def translated_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of a parameters model with each property's title and description in the current language."""
    schema = model.model_json_schema()
    for name, prop in schema.get("properties", {}).items():
        f = model.model_fields.get(name)
        if f is None:
            continue
        prop["title"] = label_of(f, name)
        if f.description:
            prop["description"] = _(f.description)
        labels = _extra(f).get("x-choices")
        if labels:
            prop["x-choices"] = {code: _(text) for code, text in labels.items()}
    return schema


def scenario_names(model: type[BaseModel], params: BaseModel) -> list[tuple[str, str]]:
    """(field, scenario name) of every scenario a parameters object names (scenario widgets)."""
    out = []
    for name, f in model.model_fields.items():
        widget = _extra(f).get("x-widget")
        value = getattr(params, name, None)
        if widget not in ("scenario", "scenarios"):
            continue
        if widget == "scenario" and value:
            out.append((name, str(value)))
        elif widget == "scenarios" and value:
            out += [(name, str(v)) for v in value]
    return out
