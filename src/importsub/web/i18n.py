"""English and Russian: gettext catalogues (Babel) and the language of a request.

The language is chosen per request: the user's setting, else the ``lang``
cookie (set by the language switch), else the browser's Accept-Language,
else the default.  Python code marks messages with :func:`gettext` (``_``);
templates use Jinja2's i18n extension bound to the same catalogues.

Catalogues: ``web/locale/<lang>/LC_MESSAGES/messages.po`` is the translation source
(translators edit it); ``.mo`` is compiled from it and committed.  After changing a
message, refresh both (new messages are added, unused ones dropped, and it fails while a
Russian translation is missing)::

    python src/importsub/web/locale/build.py
"""

from __future__ import annotations

import contextvars
from typing import Final

from babel import Locale, negotiate_locale

# one loader of the catalogues for pages and the analyses' sentences (importsub.model.messages)
from importsub.model.messages import LOCALE_DIR as LOCALE_DIR
from importsub.model.messages import translations as translations

LANGUAGES: Final[tuple[str, ...]] = ("en", "ru")
LANGUAGE_NAMES: Final[dict[str, str]] = {"en": "English", "ru": "Русский"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("importsub_language", default="en")


def set_language(lang: str) -> contextvars.Token[str]:
    """Make ``lang`` the language of the current request (context-local)."""
    return _current.set(lang if lang in LANGUAGES else LANGUAGES[0])


def reset_language(token: contextvars.Token[str]) -> None:
    _current.reset(token)


def current_language() -> str:
    return _current.get()


def gettext(message: str, **variables: object) -> str:
    """Translate ``message`` into the current language; ``%(name)s`` placeholders are filled."""
    text = translations(_current.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """Plural-aware translation (Russian has three forms); ``%(num)s`` is ``n``."""
    text = translations(_current.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


_ = gettext


def N_(message: str) -> str:
    """Mark a message for extraction without translating it (translated when shown)."""
    return message


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """The best of :data:`LANGUAGES` for an Accept-Language header."""
    if not accept_language:
        return default
    preferred: list[tuple[float, int, str]] = []
    for i, item in enumerate(accept_language.split(",")):
        parts = item.strip().split(";")
        tag = parts[0].strip()
        if not tag or tag == "*":
            continue
        q = 1.0
        for p in parts[1:]:
            p = p.strip()
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            preferred.append((-q, i, tag.replace("_", "-")))
    tags = [t for _q, _i, t in sorted(preferred)]
    found = negotiate_locale(tags, list(LANGUAGES), sep="-")
    return found or default


def format_number(value: float | int | None, digits: int = 2) -> str:
    """A number in the current language's notation (e.g. ``12 345,6`` in Russian)."""
    if value is None:
        return ""
    from babel.numbers import format_decimal

    lang = _current.get()
    if isinstance(value, int):
        return format_decimal(value, locale=Locale.parse(lang))
    return format_decimal(
        round(value, digits), format=f"#,##0.{'#' * digits}" if digits else "#,##0", locale=Locale.parse(lang)
    )
