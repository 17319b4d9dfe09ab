"""Jinja2 templates with gettext (English/Russian) and the helpers every page uses."""

from __future__ import annotations

import hashlib
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import Response

from importsub.model.results import column
from importsub.web import i18n

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
    """Data for page scripts, as a non-executable JSON block (allowed by the CSP)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/json" id="{element_id}">{text}</script>')


@cache
def _static_hash(name: str) -> str:
    path = STATIC / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"


def _static(name: str) -> str:
    return f"/static/{name}?v={_static_hash(name)}"


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda s: i18n.translations(i18n.current_language()).gettext(s),
        lambda s, p, n: i18n.translations(i18n.current_language()).ngettext(s, p, n),
        newstyle=True,
    )
    env.filters["num"] = format_value
    env.globals["static"] = _static
    env.globals["json_script"] = _json_script
    env.globals["th"] = result_th
    env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
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
    i18n.N_("planned"),
    i18n.N_("financing"),
    i18n.N_("construction"),
    i18n.N_("ramp-up"),
    i18n.N_("operating"),
    i18n.N_("halted"),
)
