"""Sentences the analyses write into result tables, as message ids with parameters, rendered per language.

An analysis that explains a row in words (the ``why`` of a shock's binding
constraints) stores three columns: the readable English sentence (``why``,
the file contract of CSV, JSON and XLSX), the message id (``why id``) and its
parameters as JSON (``why args``).  A page or report in another language
renders the sentence again from the id and the parameters with
:func:`render_why` — the same function that made the English column, so both
say the same thing with the same figures.

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

from importsub.model.errors import ImportsubError
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


def N_(text: str) -> str:
    """Mark an English text for extraction into the catalogues (translated when rendered)."""
    return text


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
    )
}
"""Every message an analysis writes, by id."""


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
        if kind == "text":
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


def args_json(args: Mapping[str, Any]) -> str:
    """The parameters as the ``… args`` column stores them: JSON, keys sorted, Cyrillic kept (deterministic)."""
    return json.dumps(args, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_FORMAT: Final[dict[str, tuple[str, float, int, str]]] = {
    # kind: (English format spec, as the analyses' f-strings wrote it; scale, decimals, unit of other languages)
    "share1": (".1%", 100.0, 1, " %"),
    "share0": (".0%", 100.0, 0, " %"),
    "gap": (".4f", 1.0, 4, " %"),
    "amount": (",.2f", 1.0, 2, ""),
}


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
    if kind in _FORMAT:
        spec, scale, decimals, unit = _FORMAT[kind]
        if lang == "en":  # exactly as the f-strings the analyses wrote before (the file contract)
            return format(float(v), spec) + (unit if kind == "gap" else "")
        return decimal(scale * float(v), decimals, lang) + unit
    if kind == "percent":
        return decimal(100.0 * float(v), 0, lang) + " %"
    if kind == "weeks":
        return _weeks(float(v), lang)
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
