"""Jinja2 templates with gettext (English/Russian) and the helpers every page uses."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import Response

from importsub import units
from importsub.model.results import column
from importsub.web import i18n, labels

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def format_value(value: Any, digits: int = 2) -> str:
    """A cell as pages and reports show it: numbers in the current language's format, yes/no, ∞, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return i18n.gettext("yes") if value else i18n.gettext("no")
    if isinstance(value, float):
        if not math.isfinite(value):
            return "∞" if value > 0 else ("−∞" if value < 0 else "")
        if value != 0 and abs(value) < 0.01:
            return f"{value:.3g}"
        return i18n.format_number(value, digits)
    if isinstance(value, int):
        return i18n.format_number(value) if abs(value) >= 10000 else str(value)
    return str(value)


# the one humaniser (importsub.units), bound to the page language and its catalogue
NBSP = units.NBSP  # between a number and its unit: never broken
THIN = units.THIN  # narrow no-break space: the thousands separator of Russian pages
_SCALE_WORDS = (i18n.N_("trn"), i18n.N_("bn"), i18n.N_("mn"))  # units.SCALES' words, listed for extraction


def scale_of(magnitude: float) -> tuple[float, str]:
    """The divisor and the (translated) scale word for figures of this size: ``(1e9, "bn")`` for 4.4e10;
    ``(1.0, "")`` under a million (:func:`importsub.units.scale_of` in the page language)."""
    return units.scale_of(magnitude, lang=i18n.current_language(), translate=i18n.gettext)


decimals_for = units.significant_decimals
"""Three significant figures for a scaled figure (``3.39``, ``43.8``, ``438``)."""


def human(value: Any, unit: str = "", digits: int | None = None) -> str:
    """A figure as a person reads it, in the page language: ``43.8 bn RUB`` / ``43,8 млрд руб.``, counts
    grouped (``12,345`` / ``12 345``), millions and more scaled (``1.25 mn``); the number and its unit are
    joined by no-break spaces so that a figure never wraps.  ``unit`` is shown translated (``RUB`` → ``руб.``);
    ``digits`` fixes the decimals of figures under a million (default: none for whole numbers and figures of
    100 or more, else one).  The one formatter of KPI cards and chart labels (:func:`importsub.units.human`
    in the page language, words from its catalogue); full precision stays in exports.
    """
    return units.human(value, unit, lang=i18n.current_language(), digits=digits, translate=i18n.gettext)


_UNIT_RE = re.compile(r"\[([^\]]+)\]\s*$")


def unit_of(name: str) -> str:
    """The unit in a column name's brackets (``lost margin [RUB]`` → ``RUB``), else empty."""
    m = _UNIT_RE.search(name)
    return m.group(1) if m else ""


def chart_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A chart's data made ready to draw: the value axis scaled and named with its unit (``bn RUB``), every
    bar's label formatted by :func:`human`, and ``empty`` (a sentence shown instead) when there is nothing
    worth drawing: no figure the viewer may see, or zeros only."""
    out = dict(spec)
    unit = str(out.get("unit") or "")
    series = out.get("series")
    values = [v for s in series for v in s.get("values", [])] if series else list(out.get("values") or [])
    finite = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
    if not out.get("labels") or not finite:
        out["labels"], out["values"], out["series"] = [], [], []
        out["empty"] = i18n.gettext("Nothing to draw: no figure you may see.")
        return out
    if not any(finite):  # zeros only (a single 0 bar says nothing)
        out["labels"], out["values"], out["series"] = [], [], []
        out["empty"] = i18n.gettext("Nothing to draw: every value is zero.")
        return out
    divisor, word = scale_of(max((abs(v) for v in finite), default=0.0))
    shown_unit = i18n.gettext(unit) if unit else ""
    out["divisor"] = divisor
    out["axis_unit"] = NBSP.join(w for w in (word, shown_unit) if w)
    if not series:
        out["value_labels"] = [human(v, unit) for v in values]
    return out


def column_heading(name: str, english: str | None = None) -> str:
    """The header of result column ``name`` in the current language: its declared Russian label on Russian
    pages (first letter capitalised), else ``english`` (a page's own wording) or the name itself."""
    c = column(name)
    if i18n.current_language() == "ru" and c.label_ru:
        return c.label_ru[:1].upper() + c.label_ru[1:]
    return name if english is None else english


def column_title(name: str) -> str:
    """What result column ``name`` means, in the current language (empty for an undeclared column)."""
    return column(name).describe(i18n.current_language())


def result_th(name: str, english: str | None = None, **attributes: str) -> Markup:
    """A result table's ``<th>``: the header in the page language, the column's description as its tooltip."""
    title = column_title(name)
    extra = "".join(Markup(' {}="{}"').format(k.replace("_", "-"), v) for k, v in attributes.items())
    if title:
        return Markup('<th title="{}"{}>{}</th>').format(title, Markup(extra), column_heading(name, english))
    return Markup("<th{}>{}</th>").format(Markup(extra), column_heading(name, english))


def _json_script(value: Any, element_id: str) -> Markup:
    """Data for page scripts, as a non-executable JSON block (allowed by the CSP); a chart's data (labels and
    a unit) goes through :func:`chart_spec`."""
    if isinstance(value, dict) and "labels" in value and "unit" in value:
        value = chart_spec(value)
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/json" id="{element_id}">{text}</script>')


@cache
def _static_hash(name: str) -> str:
    path = STATIC / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"


def _static(name: str) -> str:
    return f"/static/{name}?v={_static_hash(name)}"


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept on disk between processes (each server worker compiles none of them again);
    None where no private folder can be made."""
    folder = Path(tempfile.gettempdir()) / f"importsub-jinja-{os.getuid() if hasattr(os, 'getuid') else 0}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
            return None  # someone else's folder: never load code from it
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        # templates ship with the package: no stat of the file on every render (IMPORTSUB_DEBUG=1 reloads)
        auto_reload=bool(os.environ.get("IMPORTSUB_DEBUG")),
        bytecode_cache=_bytecode_cache(),
        cache_size=-1,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda s: i18n.translations(i18n.current_language()).gettext(s),
        lambda s, p, n: i18n.translations(i18n.current_language()).ngettext(s, p, n),
        newstyle=True,
    )
    env.filters["num"] = format_value
    env.filters["human"] = human
    env.globals["human"] = human
    env.globals["static"] = _static
    env.globals["json_script"] = _json_script
    env.globals["th"] = result_th
    env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
    env.globals.update(labels.GLOBALS)  # tables, fields, codes and roles in the page language
    return Jinja2Templates(env=env)


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    """Render a page with the common context: user, language, CSRF token."""
    templates: Jinja2Templates = request.app.state.templates
    session = getattr(request.state, "session", None)
    ctx = {
        "user": getattr(request.state, "user", None),
        "lang": i18n.current_language(),
        "csrf_token": session.csrf_token if session else request.cookies.get("importsub_csrf", ""),
        "path": request.url.path,
        # the language switch returns here: the path with its query (the chosen dataset, filters, page)
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


# words that templates translate from data (job status, kinds of change): listed for extraction
_DATA_WORDS = (
    i18n.N_("queued"),
    i18n.N_("running"),
    i18n.N_("done"),
    i18n.N_("failed"),
    i18n.N_("added"),
    i18n.N_("removed"),
    i18n.N_("changed"),
)
