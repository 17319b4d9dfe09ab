"""Figures as a person reads them: the one humaniser of money and counts, in English or Russian.

Every place that shows a scaled figure uses this module: the web's KPI cards
and chart labels (:func:`importsub.web.templating.human`), the terminal's
per-column scaling (:mod:`importsub.reports.terminal`), the executive
summary report and the analyses' own text.  It sits below every layer (it
imports nothing of importsub), so any of them may import it.

* ``human(43.8e9, "RUB")`` → ``43.8 bn RUB``; in Russian ``43,8 млрд руб.``
  (decimal comma, thousands grouped by narrow no-break spaces).
* A figure of a million or more is scaled (``mn``/``bn``/``trn``) to three
  significant figures; below, counts are grouped (``12,345``).
* The number, its scale word and its unit are joined by no-break spaces:
  a figure never wraps.

Words (scale words, units, yes/no) are translated by the caller's
``translate`` (the web passes its gettext catalogue); without one, by the
small built-in table :data:`WORDS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any, Final

NBSP: Final = "\u00a0"
"""Between a number and its scale word or unit: never broken."""
THIN: Final = "\u202f"
"""Narrow no-break space: the thousands separator of Russian figures."""
MINUS: Final = "−"

SCALES: Final[tuple[tuple[float, str], ...]] = ((1e12, "trn"), (1e9, "bn"), (1e6, "mn"))
"""Divisor and (English) scale word of humanised figures, largest first."""

WORDS: Final[dict[str, dict[str, str]]] = {
    "ru": {
        "trn": "трлн",
        "bn": "млрд",
        "mn": "млн",
        "RUB": "руб.",
        "units": "шт.",
        "units/yr": "шт./год",
        "RUB/yr": "руб./год",
        "RUB/unit": "руб./шт.",
        "pp": "п. п.",
        "weeks": "нед.",
        "fraction": "доля",
        "points": "баллы",
        "yes": "да",
        "no": "нет",
    }
}
"""Russian words of the built-in translation (used when the caller gives no ``translate``); the same as the
web's catalogue (``tests/test_units.py`` holds them to it)."""

LANGUAGES: Final = ("en", "ru")

Translate = Callable[[str], str]


def words_of(lang: str) -> Translate:
    """The built-in translation of ``lang``: a word not in :data:`WORDS` stays as it is."""
    table = WORDS.get(lang, {})
    return lambda word: table.get(word, word)


def _check(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"importsub.units: unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")


def scale_of(
    magnitude: float,
    *,
    lang: str = "en",
    translate: Translate | None = None,
    scales: Sequence[tuple[float, str]] = SCALES,
) -> tuple[float, str]:
    """The divisor and the scale word of figures of this size: ``(1e9, "bn")`` for 4.4e10 (``"млрд"`` in
    Russian); ``(1.0, "")`` under the smallest of ``scales`` (default :data:`SCALES`).

    Examples
    --------
    >>> scale_of(4.4e10), scale_of(4.4e10, lang="ru"), scale_of(12_345.0)
    ((1000000000.0, 'bn'), (1000000000.0, 'млрд'), (1.0, ''))
    """
    _check(lang)
    word_of = translate or words_of(lang)
    for divisor, word in scales:
        if abs(magnitude) >= divisor:
            return divisor, word_of(word)
    return 1.0, ""


def significant_decimals(scaled: float) -> int:
    """Decimals that show three significant figures of a scaled figure (``3.39``, ``43.8``, ``438``).

    Examples
    --------
    >>> [significant_decimals(x) for x in (3.39, 43.8, 438.0, 4380.0)]
    [2, 1, 0, 0]
    """
    a = abs(scaled)
    return 2 if a < 10 else (1 if a < 100 else 0)


def decimal(value: float, decimals: int, lang: str = "en") -> str:
    """``value`` rounded to ``decimals`` in the notation of ``lang``: ``12,345.6`` / ``12 345,6`` (Russian
    groups with narrow no-break spaces; no separator of either language breaks a line).

    The symbols are CLDR's (Babel); the digits are Python's fixed-point format of the float's shortest
    decimal, grouped by three: the CLDR pattern ``#,##0.0…`` of both languages (``tests/test_units.py``
    checks it against Babel's ``format_decimal``) at a fraction of its cost, since an explain table
    formats hundreds of figures.

    Examples
    --------
    >>> decimal(12345.64, 1), decimal(12345.64, 1, lang="ru") == "12\\u202f345,6"
    ('12,345.6', True)
    """
    _check(lang)
    group, point, minus = _symbols(lang)
    text = format(Decimal(repr(round(value, decimals))), f",.{decimals}f")  # the shortest repr, as Babel reads it
    text = text.replace(",", "\x00").replace(".", point).replace("\x00", group)
    return text.replace("-", minus) if minus != "-" else text


@cache
def _symbols(lang: str) -> tuple[str, str, str]:
    """(group, decimal, minus) symbols of ``lang``; Russian groups with a narrow no-break space."""
    from babel import Locale

    symbols = Locale.parse(lang).number_symbols["latn"]
    group = THIN if lang == "ru" else symbols["group"]
    return group, symbols["decimal"], symbols["minusSign"]


def human(
    value: Any,
    unit: str = "",
    *,
    lang: str = "en",
    digits: int | None = None,
    translate: Translate | None = None,
    scales: Sequence[tuple[float, str]] = SCALES,
) -> str:
    """A figure as a person reads it: ``43.8 bn RUB`` / ``43,8 млрд руб.``, counts grouped (``12,345`` /
    ``12 345``), a million and more scaled (``1.25 mn``), negative with a true minus (``−2.50 mn RUB``).

    ``unit`` is shown translated (``RUB`` → ``руб.``); ``digits`` fixes the decimals of figures under a
    million (default: none for whole numbers and figures of 100 or more, else one); None is empty, a
    bool ``yes``/``no``, text as it is, infinity ``∞``.  Full precision stays in the exports.

    Examples
    --------
    >>> human(43.8e9, "RUB").replace(NBSP, " "), human(43.8e9, "RUB", lang="ru").replace(NBSP, " ")
    ('43.8 bn RUB', '43,8 млрд руб.')
    >>> human(876.0, "units"), human(0.0, "RUB").replace(NBSP, " ")
    ('876\\xa0units', '0 RUB')
    """
    _check(lang)
    word_of = translate or words_of(lang)
    if value is None:
        return ""
    if isinstance(value, bool):
        return word_of("yes") if value else word_of("no")
    if not isinstance(value, int | float):
        return str(value)
    shown_unit = word_of(unit) if unit else ""
    if isinstance(value, float) and not math.isfinite(value):
        text = "∞" if value > 0 else ("−∞" if value < 0 else "—")
        return text if math.isnan(value) or not shown_unit else f"{text}{NBSP}{shown_unit}"
    divisor, word = scale_of(value, lang=lang, translate=word_of, scales=scales)
    if divisor > 1:
        scaled = value / divisor
        text = decimal(scaled, significant_decimals(scaled), lang=lang) + NBSP + word
    else:
        if digits is None:
            digits = 0 if float(value).is_integer() or abs(value) >= 100 else 1
        text = decimal(float(value), digits, lang=lang)
    text = text.replace("-", MINUS)
    return f"{text}{NBSP}{shown_unit}" if shown_unit else text


def money(value: float | None, *, lang: str = "en", translate: Translate | None = None) -> str:
    """A sum of roubles humanised: :func:`human` with unit ``RUB``.

    Examples
    --------
    >>> money(5_480_000_000.0).replace(NBSP, " "), money(5_480_000_000.0, lang="ru").replace(NBSP, " ")
    ('5.48 bn RUB', '5,48 млрд руб.')
    >>> money(0.0).replace(NBSP, " ")
    '0 RUB'
    """
    return human(value, "RUB", lang=lang, translate=translate)
