"""Numbers in a language's notation: the one locale-aware decimal formatter below the analyses and the web.

The web's :func:`importsub.web.templating.human` (KPI cards, charts) and the
analyses' sentences (:mod:`importsub.model.messages`) both format through
:func:`decimal`, so a figure reads the same on a page and in a sentence.
"""

from __future__ import annotations

from typing import Final

THIN: Final = "\u202f"  # narrow no-break space: the thousands separator of Russian text


def decimal(value: float, decimals: int, lang: str) -> str:
    """``value`` rounded to ``decimals`` places in the notation of ``lang`` (``en``: ``12,345.6``; ``ru``:
    ``12 345,6`` grouped by narrow no-break spaces, so a figure never wraps).

    Examples
    --------
    >>> decimal(12345.678, 1, "en")
    '12,345.7'
    >>> decimal(12345.678, 1, "ru") == "12\u202f345,7"
    True
    """
    from babel.numbers import format_decimal

    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    text = format_decimal(round(value, decimals), format=pattern, locale=lang)
    return text.replace("\u00a0", THIN).replace(" ", THIN) if lang == "ru" else text
