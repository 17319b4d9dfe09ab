"""Sentences the analyses and validation write, as message ids with parameters, rendered per language.

An analysis that explains a row in words (the ``why`` of a shock's binding
constraints) stores three columns: the readable English sentence (``why``,
the file contract of CSV, JSON and XLSX), the message id (``why id``) and its
parameters as JSON (``why args``).  A page or report in another language
renders the sentence again from the id and the parameters with
:func:`render_why` — the same function that made the English column, so both
say the same thing with the same figures.

Validation (:mod:`importsub.model.validate` and the readers) names each problem's message the same way at the
point of the error: :func:`problem` makes the :class:`~importsub.model.errors.Problem` with the English text
(what the CLI prints) and keeps the id and parameters beside it; :func:`problem_text` renders it in a page's
language.  Where the problem is (file, sheet, row, column) stays in the problem's own fields.

Every message is declared once in :data:`MESSAGES`: its English text (the
gettext message id, with ``%(name)s`` placeholders) and the kind of each
parameter, which says how it is written:

=========  ================================================  ==================
kind       value                                             English / Russian
=========  ================================================  ==================
text       a name (site, part, pool, countries)              as it is
count      a whole number [items]                            ``1,234`` / ``1 234``
units      a quantity [units], whole units                   ``1,234`` / ``1 234``
weeks      a time [weeks], up to two decimals                ``2.5`` / ``2,5``
percent    a fraction [0–1], shown in whole per cent         ``45 %`` / ``45 %``
pp         percentage points [pp], three decimals            ``1.234`` / ``1,234``
money      an amount [RUB], whole roubles                    ``1,234`` / ``1 234``
share1     a fraction [0–1], per cent with one decimal      ``12.3%`` / ``12,3 %``
share0     a fraction [0–1], whole per cent                 ``50%`` / ``50 %``
gap        a percentage [%], four decimals, with its unit   ``0.1234 %`` / ``0,1234 %``
amount     a figure in the unit named beside it, 2 decimals ``1,234.56`` / ``1 234,56``
int        a whole number [items], not grouped              ``1234`` / ``1234``
factor     a multiplier or fraction [×], shortest form      ``0.25`` / ``0,25``
term       an English word or phrase of the catalogue        translated
field      a field as ``table.field``                        its description
unit       a field's unit (``weeks``, ``°``)                 `` weeks`` / `` нед.``
message    a nested message ``{"id": …, "args": {…}}``       rendered the same way
list       a list of names or nested messages                joined by ``, ``
clauses    a list of nested messages                         joined by ``; ``
=========  ================================================  ==================

The Russian text is the translation in the project's one gettext catalogue
(``web/locale/ru/LC_MESSAGES/messages.po``; the messages here are extracted
into it by ``web/locale/build.py``).  It is read as data; nothing here
imports the web.

Examples
--------
>>> m = why("no units lost", start=0.0, end=4.0)
>>> render_why(m["id"], m["args"], "en")
'no units lost for it in weeks 0–4'
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from importsub.model.errors import ImportsubError, Problem
from importsub.model.words import N_
from importsub.units import decimal

if TYPE_CHECKING:
    import polars as pl
    from babel.support import NullTranslations

LOCALE_DIR: Final = Path(__file__).resolve().parent.parent / "web" / "locale"
"""The gettext catalogues of the project (pages and analysis sentences alike)."""

ArgKind = Literal[
    "text",
    "count",
    "units",
    "weeks",
    "percent",
    "pp",
    "money",
    "share1",
    "share0",
    "gap",
    "amount",
    "int",
    "factor",
    "term",
    "field",
    "unit",
    "message",
    "list",
    "clauses",
]
ID_SUFFIX: Final = " id"
ARGS_SUFFIX: Final = " args"


class MessageError(ImportsubError):
    """A message id that is not declared, or parameters that do not fit its declaration."""


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (English falls back to the source text)."""
    from babel.support import Translations

    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


@dataclass(frozen=True)
class Message:
    """One sentence: its id, English text (``%(name)s`` placeholders) and the kind of each parameter."""

    id: str
    text: str
    args: Mapping[str, ArgKind]


MESSAGES: Final[dict[str, Message]] = {
    m.id: m
    for m in (
        # the binding constraints of a shock (importsub.analysis.ttr_explain)
        Message(
            "input shortage",
            N_("%(part)s: %(suppliers)s; %(amount)s (suppliers: %(names)s)"),
            {"part": "text", "suppliers": "message", "amount": "message", "names": "list"},
        ),
        Message(
            "suppliers all disrupted",
            N_("all %(n)s qualified supplier(s) are disrupted, in %(countries)s"),
            {"n": "count", "countries": "text"},
        ),
        Message(
            "suppliers in part disrupted",
            N_("%(n)s qualified supplier(s) in %(countries)s; %(down)s disrupted, %(full)s at capacity (own or pool)"),
            {"n": "count", "countries": "text", "down": "count", "full": "count"},
        ),
        Message("no qualified supplier", N_("no qualified supplier"), {}),
        Message(
            "units short",
            N_("%(short)s units short of %(needed)s needed in weeks %(start)s–%(end)s"),
            {"short": "units", "needed": "units", "start": "weeks", "end": "weeks"},
        ),
        Message(
            "no units lost", N_("no units lost for it in weeks %(start)s–%(end)s"), {"start": "weeks", "end": "weeks"}
        ),
        Message("supplier down", N_("%(supplier)s down"), {"supplier": "text"}),
        Message("more suppliers", N_("%(n)s more"), {"n": "count"}),
        Message(
            "capacity cut",
            N_(
                "%(part)s at %(node)s: capacity cut to %(available)s in weeks %(start)s–%(end)s "
                "(%(lost)s units of capacity lost)"
            ),
            {"part": "text", "node": "text", "available": "percent", "lost": "units", "start": "weeks", "end": "weeks"},
        ),
        Message(
            "at capacity",
            N_("%(part)s at %(node)s: at full capacity (%(capacity)s units in weeks %(start)s–%(end)s)"),
            {"part": "text", "node": "text", "capacity": "units", "start": "weeks", "end": "weeks"},
        ),
        Message(
            "pool cut",
            N_(
                "flexible line %(pool)s at %(site)s: all its parts down in weeks %(start)s–%(end)s "
                "(%(lost)s units of capacity lost)"
            ),
            {"pool": "text", "site": "text", "lost": "units", "start": "weeks", "end": "weeks"},
        ),
        Message(
            "pool at limit",
            N_(
                "flexible line %(pool)s at %(site)s at its limit (%(capacity)s units in weeks %(start)s–%(end)s, "
                "shared by %(parts)s part(s))"
            ),
            {"pool": "text", "site": "text", "capacity": "units", "start": "weeks", "end": "weeks", "parts": "count"},
        ),
        Message(
            "link not qualified",
            N_("%(supplier)s is not qualified to deliver more than its share (%(share)s) of %(part)s"),
            {"supplier": "text", "share": "percent", "part": "text"},
        ),
        # why the portfolio funds a project (importsub.analysis.portfolio.tables)
        Message("project why", N_("%(clauses)s"), {"clauses": "clauses"}),
        Message(
            "project capacity",
            N_("capacity %(capacity)s units/yr at %(sites)s"),
            {"capacity": "units", "sites": "text"},
        ),
        Message("import content down", N_("import content −%(pp)s pp"), {"pp": "pp"}),
        Message("loss avoided", N_("loss avoided %(scenarios)s"), {"scenarios": "list"}),
        Message("scenario loss avoided", N_("%(scenario)s: %(loss)s RUB"), {"scenario": "text", "loss": "money"}),
        Message("no loss avoided", N_("no loss avoided in these scenarios"), {}),
        # why a node's value is untraced (importsub.analysis.localisation)
        Message("inputs without supply link", N_("BOM inputs without a supply link"), {}),
        Message("no BOM not basic", N_("no BOM and not a basic material"), {}),
        # why a model or input fails a statutory rule (importsub.analysis.compliance)
        Message("made outside group", N_("made outside the group (%(country)s)"), {"country": "text"}),
        Message(
            "foreign over limit",
            N_("foreign materials %(foreign)s > %(limit)s of ex-works price"),
            {"foreign": "share1", "limit": "share0"},
        ),
        Message(
            "foreign over limit, no heading change",
            N_("foreign materials %(foreign)s > %(limit)s of ex-works price, no change of tariff heading"),
            {"foreign": "share1", "limit": "share0"},
        ),
        Message("operation share", N_("operation %(code)s: %(share)s of volume"), {"code": "text", "share": "share1"}),
        Message("operation not performed", N_("operation %(code)s not performed"), {"code": "text"}),
        Message("share from registered", N_("%(share)s from registered group producers"), {"share": "share1"}),
        Message("share from group", N_("%(share)s from group producers"), {"share": "share1"}),
        Message("no input matching", N_("no input matching %(code)s in the supply tree"), {"code": "text"}),
        Message("below required", N_("%(what)s < %(min)s required"), {"what": "message", "min": "share0"}),
        Message(
            "earns only with group",
            N_("%(what)s; earns only with every item of %(group)s"),
            {"what": "message", "group": "text"},
        ),
        Message("earns only with", N_("earns only with %(items)s"), {"items": "list"}),
        Message("no rule in force", N_("no %(regime)s rule in force on %(on)s"), {"regime": "text", "on": "text"}),
        Message("missing required", N_("missing required: %(items)s"), {"items": "list"}),
        # why a project output adds no capacity in a year (importsub.compile.projects)
        Message("no host site", N_("no host site: adds no capacity until one is chosen"), {}),
        Message(
            "no capacity yet",
            N_("ramp-up %(rampup)s × scale %(scale)s in %(year)s: no capacity yet"),
            {"rampup": "factor", "scale": "factor", "year": "int"},
        ),
        # the programme's size beside its status counts (importsub.analysis.programme)
        Message("programme public", N_("%(n)s of %(size)s public"), {"n": "int", "size": "int"}),
        Message("projects not public", N_("not in the dataset (not public)"), {}),
        # plain sentences beside the portfolio's numbers (importsub.analysis.portfolio.tables)
        Message(
            "no project improves",
            N_(
                "No project improves the objective within this budget "
                "(every option's benefit is zero or it does not fit)."
            ),
            {},
        ),
        Message(
            "loss unchanged",
            N_(
                "The funded projects do not change the expected loss of these scenarios: the losses come from "
                "inputs no candidate project makes (see `importsub shock run` for the binding constraints)."
            ),
            {},
        ),
        Message(
            "scenario without window",
            N_("Scenario %(scenario)s has no disruption window (0 weeks): it loses nothing."),
            {"scenario": "text"},
        ),
        Message(
            "shared links",
            N_(
                "Links substitutable by more than one project: %(links)s. The model adds each project's take-over "
                "as if alone (not exact there); apply the chosen set with `importsub projects impact` to check."
            ),
            {"links": "list"},
        ),
        Message(
            "greedy worse",
            N_("Greedy benefit/cost funds a different set; its objective is worse by %(gap)s (%(unit)s)."),
            {"gap": "amount", "unit": "message"},
        ),
        Message("greedy same", N_("Greedy benefit/cost funds a different set with the same objective."), {}),
        Message("objective loss", N_("expected loss [RUB]"), {}),
        Message("objective localisation", N_("domestic value added [RUB/yr]"), {}),
        Message("objective mix", N_("expected loss − λ·DVA [RUB]"), {}),
        Message(
            "solve stopped",
            N_(
                "The %(method)s solve stopped (%(status)s) with an optimality gap of %(gap)s: "
                "no portfolio within the budget is better than the best bound in the solve table."
            ),
            {"method": "text", "status": "text", "gap": "gap"},
        ),
        Message(
            "solved by Benders",
            N_(
                "Solved by Benders decomposition: %(iterations)s master iterations, %(cuts)s cuts, "
                "%(solves)s second-stage LP solves."
            ),
            {"iterations": "int", "cuts": "int", "solves": "int"},
        ),
        Message(
            "capex of a level",
            N_("Capex of a capacity level = project capex × level; at most one level per project."),
            {},
        ),
        # what is wrong with input data (importsub.model.validate); where it is stays in the Problem's fields
        Message(
            "unknown_table",
            N_("unknown record type %(table)s; expected one of: %(expected)s"),
            {"table": "text", "expected": "text"},
        ),
        Message(
            "schema_mismatch",
            N_("columns/types %(found)s differ from schema %(expected)s"),
            {"found": "text", "expected": "text"},
        ),
        Message(
            "unknown_column",
            N_("unknown column %(column)s; expected: %(expected)s"),
            {"column": "text", "expected": "text"},
        ),
        Message("missing_column", N_("missing column %(column)s (required)"), {"column": "text"}),
        Message("not_type", N_("%(value)s is not %(type)s"), {"value": "text", "type": "term"}),
        Message("missing_value", N_("missing value (%(field)s)"), {"field": "field"}),
        Message("int_range", N_("whole number out of range"), {}),
        Message("not_finite", N_("must be a finite number"), {}),
        Message("positive", N_("must be > 0, got %(value)s%(unit)s"), {"value": "text", "unit": "unit"}),
        Message(
            "minimum",
            N_("must be >= %(bound)s%(unit)s, got %(value)s"),
            {"bound": "text", "unit": "unit", "value": "text"},
        ),
        Message(
            "maximum",
            N_("must be <= %(bound)s%(unit)s, got %(value)s"),
            {"bound": "text", "unit": "unit", "value": "text"},
        ),
        Message("not_choice", N_("%(value)s is not one of: %(choices)s"), {"value": "text", "choices": "text"}),
        Message("blank", N_("blank text"), {}),
        Message("too_long", N_("text longer than %(limit)s characters"), {"limit": "count"}),
        Message("control", N_("contains the control character %(char)s"), {"char": "text"}),
        Message(
            "control_single_line",
            N_("contains the control character %(char)s; tabs and line breaks are allowed only in multi-line fields"),
            {"char": "text"},
        ),
        Message("pattern", N_("%(value)s is not %(hint)s"), {"value": "text", "hint": "term"}),
        Message("pattern_form", N_("%(value)s is not of the form %(pattern)s"), {"value": "text", "pattern": "text"}),
        Message(
            "check_digit",
            N_("%(value)s is not a valid %(what)s: a check digit is wrong"),
            {"value": "text", "what": "term"},
        ),
        Message(
            "too_large",
            N_("%(value)s is beyond the largest magnitude allowed (%(limit)s)"),
            {"value": "text", "limit": "text"},
        ),
        Message(
            "duplicate_key",
            N_("duplicate key (%(key)s) = %(value)s; first at row %(row)s"),
            {"key": "text", "value": "text", "row": "int"},
        ),
        Message(
            "unknown_ref",
            N_("unknown %(record)s %(value)s (not in sheet %(table)s)"),
            {"record": "text", "value": "text", "table": "text"},
        ),
        Message(
            "no_record",
            N_("no %(table)s record with (%(fields)s) = %(value)s (%(why)s)"),
            {"table": "text", "fields": "text", "value": "text", "why": "term"},
        ),
        Message(
            "no_record_plain",
            N_("no %(table)s record with (%(fields)s) = %(value)s"),
            {"table": "text", "fields": "text", "value": "text"},
        ),
        Message(
            "shares",
            N_("shares of buyer %(buyer)s for part %(part)s sum to %(sum)s, not 1 (±1e-6)"),
            {"buyer": "text", "part": "text", "sum": "text"},
        ),
        Message("bom_cycle", N_("BOM cycle: %(cycle)s (rows %(rows)s)"), {"cycle": "text", "rows": "text"}),
        Message(
            "value_added_unmapped",
            N_(
                "negative value added: inputs of %(part)s at %(site)s cost %(mapped)s RUB per unit mapped + "
                "%(unmapped)s RUB unmapped (%(children)s, at their parts' unit value; no supply link at the site), "
                "more than its value %(value)s RUB"
            ),
            {"part": "text", "site": "text", "mapped": "text", "unmapped": "text", "children": "text", "value": "text"},
        ),
        Message(
            "value_added",
            N_(
                "negative value added: inputs of %(part)s at %(site)s cost %(cost)s RUB per unit, "
                "more than its value %(value)s RUB"
            ),
            {"part": "text", "site": "text", "cost": "text", "value": "text"},
        ),
        Message(
            "stock_unused",
            N_(
                "stock of part %(part)s at site %(site)s is never used: the site neither makes nor buys it "
                "(no production record, no supply link with buyer %(site)s)"
            ),
            {"part": "text", "site": "text"},
        ),
        Message(
            "link_unused",
            N_(
                "buyer %(buyer)s makes nothing that uses part %(part)s (no production or hosted project output at "
                "%(buyer)s has it in its BOM): the link from %(supplier)s would be ignored"
            ),
            {"buyer": "text", "part": "text", "supplier": "text"},
        ),
        Message(
            "target_unknown",
            N_("target %(target)s of kind %(kind)s names nothing: no %(what)s %(target)s (known: %(known)s)"),
            {"target": "text", "kind": "text", "what": "term", "known": "text"},
        ),
        Message(
            "target_unknown_none",
            N_("target %(target)s of kind %(kind)s names nothing: no %(what)s %(target)s (known: none)"),
            {"target": "text", "kind": "text", "what": "term"},
        ),
        Message(
            "link_target_form",
            N_("a link target is written buyer|part|supplier, not %(target)s"),
            {"target": "text"},
        ),
        Message(
            "link_target_unknown",
            N_(
                "target %(target)s of kind link names nothing: no supply link to buyer %(buyer)s of part %(part)s "
                "from supplier %(supplier)s"
            ),
            {"target": "text", "buyer": "text", "part": "text", "supplier": "text"},
        ),
        # what a workbook reader refuses (importsub.io.xlsx)
        Message(
            "xlsx_merged",
            N_("cells %(cells)s are merged: unmerge them and fill in every cell (a merged cell holds one value)"),
            {"cells": "text"},
        ),
        Message(
            "xlsx_no_header",
            N_("cell %(cell)s holds a value but its column has no header; name the column or clear the cell"),
            {"cell": "text"},
        ),
        Message(
            "xlsx_error_value",
            N_("cell %(cell)s holds the error value %(value)s; put a value there"),
            {"cell": "text", "value": "text"},
        ),
        Message(
            "xlsx_formula",
            N_(
                "cell %(cell)s holds a formula (=%(formula)s) without a stored result; open and save the file in "
                "Excel or LibreOffice so results are stored, or type the value"
            ),
            {"cell": "text", "formula": "text"},
        ),
        # what a JSON reader refuses (importsub.io.json)
        Message("json_not_value", N_("%(kind)s is not a value; a field holds one value"), {"kind": "term"}),
        Message(
            "json_surrogate",
            N_("contains the lone surrogate %(char)s (not a character; the JSON is damaged)"),
            {"char": "text"},
        ),
        Message("json_not_type", N_("%(kind)s is not %(type)s"), {"kind": "term", "type": "term"}),
        Message("json_not_date", N_("%(kind)s is not a date; write it as text, YYYY-MM-DD"), {"kind": "term"}),
    )
}
"""Every message an analysis or validation writes, by id."""


def _declared(message_id: str) -> Message:
    m = MESSAGES.get(message_id)
    if m is None:
        raise MessageError(f"message {message_id!r} is not declared in importsub.model.messages.MESSAGES")
    return m


def _check(message_id: str, args: Mapping[str, Any]) -> Message:
    """The declaration of ``message_id`` after checking that ``args`` are exactly its parameters, each of its kind."""
    m = _declared(message_id)
    missing = sorted(set(m.args) - set(args))
    extra = sorted(set(args) - set(m.args))
    if missing or extra:
        raise MessageError(f"message {message_id!r}: parameters missing {missing}, not declared {extra}")
    for name, kind in m.args.items():
        v = args[name]
        if kind in ("text", "term", "field", "unit"):
            ok = isinstance(v, str)
        elif kind == "message":
            ok = isinstance(v, Mapping) and set(v) == {"id", "args"}
        elif kind in ("list", "clauses"):
            ok = isinstance(v, list) and (kind == "list" or all(isinstance(x, Mapping) for x in v))
        else:
            ok = (
                isinstance(v, int | float)
                and not isinstance(v, bool)
                and (math.isfinite(v) or kind in ("gap", "amount"))
            )
        if not ok:
            raise MessageError(f"message {message_id!r}, parameter {name!r} ({kind}): {v!r} is not a {kind}")
    return m


def _plain(v: Any) -> Any:
    """A parameter as plain JSON data (numpy scalars become Python numbers)."""
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, str):
        return v.item()
    return v


def why(message_id: str, **args: Any) -> dict[str, Any]:
    """A message with its parameters, checked against its declaration: ``{"id": …, "args": {…}}``."""
    plain = {k: _plain(v) for k, v in args.items()}
    _check(message_id, plain)
    return {"id": message_id, "args": plain}


def problem(
    file: str | None, sheet: str | None, row: int | None, column: str | None, message_id: str, /, **args: Any
) -> Problem:
    """A validation problem with its message ``message_id``: the English text rendered from it (what the CLI
    prints), the id and the parameters kept for rendering it in another language (:func:`problem_text`).

    Examples
    --------
    >>> p = problem("f.csv", "parts", 3, "unit_value", "positive", value="0", unit="RUB")
    >>> p.message, problem_text(p, "ru")
    ('must be > 0, got 0 RUB', 'должно быть > 0, получено 0 руб.')
    """
    m = why(message_id, **args)
    return Problem(file, sheet, row, column, render_why(message_id, m["args"], "en"), message_id, args_json(m["args"]))


def problem_text(p: Problem | Mapping[str, Any], lang: str) -> str:
    """A problem's message in ``lang``, from its id and parameters; a problem without them (another reader's, or
    stored before they were kept) as its English text.  ``p`` may be a stored problem (a mapping of the fields)."""
    get = p.get if isinstance(p, Mapping) else lambda k: getattr(p, k)
    message_id, args = get("message_id"), get("args")
    if lang == "en" or not message_id or args is None or message_id not in MESSAGES:
        return str(get("message"))
    return render_why(message_id, args, lang)


def args_json(args: Mapping[str, Any]) -> str:
    """The parameters as the ``… args`` column stores them: JSON, keys sorted, Cyrillic kept (deterministic)."""
    return json.dumps(args, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def said(column: str, message: Mapping[str, Any] | None) -> dict[str, Any]:
    """The cells of a sentence column: ``column`` in English, ``column id`` and ``column args`` (the message
    id and its parameters as JSON, rendered again in the reader's language by :func:`localised`); all empty
    without a message.

    Examples
    --------
    >>> said("note", why("no host site"))["note"]
    'no host site: adds no capacity until one is chosen'
    """
    if message is None:
        return {column: None, column + ID_SUFFIX: None, column + ARGS_SUFFIX: None}
    return {
        column: render_why(message["id"], message["args"], "en"),
        column + ID_SUFFIX: message["id"],
        column + ARGS_SUFFIX: args_json(message["args"]),
    }


_FORMAT: Final[dict[str, tuple[str, float, int, str]]] = {
    # kind: (English format spec, as the analyses' f-strings wrote it; scale, decimals, unit of other languages)
    "share1": (".1%", 100.0, 1, " %"),
    "share0": (".0%", 100.0, 0, " %"),
    "gap": (".4f", 1.0, 4, " %"),
    "amount": (",.2f", 1.0, 2, ""),
}


def _word(kind: ArgKind, v: str, lang: str) -> str:
    """A ``term``, ``field`` or ``unit`` parameter in ``lang`` (English: exactly as validation wrote it)."""
    if kind == "field":
        from importsub.model.schema import TABLES_BY_NAME

        table, _, name = v.partition(".")
        f = TABLES_BY_NAME[table].field(name)
        return (f.description_ru if lang == "ru" and f.description_ru else f.description) or f.name
    word = v if lang == "en" or not v else translations(lang).gettext(v)
    if kind == "unit" and v and v != "°":
        return " " + word  # "5 weeks", but "90°"
    return word


def _factor(v: float, lang: str) -> str:
    """A multiplier in its shortest form (English: Python's ``g``, as the analyses' f-strings wrote it); other
    languages: the same digits in their notation."""
    text = format(v, "g")
    if lang == "en":
        return text
    if "e" in text:  # 1e-05: as it is, with the language's decimal mark
        return text.replace(".", decimal(0.5, 1, lang)[1])
    return decimal(float(text), len(text.partition(".")[2]), lang)


def _weeks(v: float, lang: str) -> str:
    for decimals in (0, 1):
        if round(v, decimals) == round(v, 2):
            return decimal(v, decimals, lang)
    return decimal(v, 2, lang)


def _arg(kind: ArgKind, v: Any, lang: str) -> str:
    if kind == "text":
        return str(v)
    if kind == "message":
        return render_why(v["id"], v["args"], lang)
    if kind in ("list", "clauses"):
        sep = ", " if kind == "list" else "; "
        return sep.join(str(x) if isinstance(x, str) else render_why(x["id"], x["args"], lang) for x in v)
    if kind == "int":
        return str(int(v))
    if kind in ("term", "field", "unit"):
        return _word(kind, v, lang)
    if kind in _FORMAT:
        spec, scale, decimals, unit = _FORMAT[kind]
        if lang == "en":  # exactly as the f-strings the analyses wrote before (the file contract)
            return format(float(v), spec) + (unit if kind == "gap" else "")
        return decimal(scale * float(v), decimals, lang) + unit
    if kind == "percent":
        return decimal(100.0 * float(v), 0, lang) + " %"
    if kind == "weeks":
        return _weeks(float(v), lang)
    if kind == "factor":
        return _factor(float(v), lang)
    if kind == "pp":
        return decimal(float(v), 3, lang)
    return decimal(float(v), 0, lang)


def render_why(message_id: str, args: Mapping[str, Any] | str, locale: str) -> str:
    """The sentence of ``message_id`` in ``locale`` (``en``, ``ru``), its parameters written in that language's
    notation; ``args`` as a mapping or as the JSON of an ``… args`` column.

    Examples
    --------
    >>> render_why("more suppliers", {"n": 12345}, "en")
    '12,345 more'
    """
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError as e:
            raise MessageError(f"message {message_id!r}: parameters are not JSON ({e})") from None
        if not isinstance(args, Mapping):
            raise MessageError(f"message {message_id!r}: parameters are not a JSON object: {args!r}")
    m = _check(message_id, args)
    text = m.text if locale == "en" else translations(locale).gettext(m.text)
    return text % {name: _arg(kind, args[name], locale) for name, kind in m.args.items()}


def localised(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """``df`` for showing in ``lang``: every column ``C`` with companions ``C id`` and ``C args`` rendered again
    in ``lang`` (a masked cell stays empty) and the companions dropped."""
    import polars as pl

    out = df
    for name in df.columns:
        ids, params = name + ID_SUFFIX, name + ARGS_SUFFIX
        if ids not in df.columns or params not in df.columns:
            continue
        if lang != "en":
            texts = [
                render_why(i, a, lang) if (t is not None and i is not None and a is not None) else t
                for t, i, a in df.select(name, ids, params).iter_rows()
            ]
            out = out.with_columns(pl.Series(name, texts, dtype=pl.String))
        out = out.drop(ids, params)
    return out
