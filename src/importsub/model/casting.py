"""Cell text to typed values: the casts every reader's raw text goes through (:func:`importsub.model.validate.parse`).

Polars expressions, one per column; a cell whose text is not a value of its field's type casts to
null, and the caller reports it (:data:`TYPE_WORDS` says what was expected).
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from importsub.model.schema import Field
from importsub.model.words import N_

TRUE_WORDS = ("true", "1", "yes", "y", "t", "да", "истина")
FALSE_WORDS = ("false", "0", "no", "n", "f", "нет", "ложь")


def cell_text(v: object) -> str | None:
    """A cell as text, the form every reader hands to :func:`importsub.model.validate.parse`.

    Whole floats below 2**53 print without ``.0``, other floats by ``repr``
    (exact round trip); dates as ISO (a datetime at midnight as its date);
    booleans as ``true``/``false``; nested values as JSON (which then fail
    typing with a clear message).
    """
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        return v
    if isinstance(v, dict | list):
        import json

        return json.dumps(v, ensure_ascii=False)
    return str(v)


# ISO 8601 date, optionally with a valid time of day (an xlsx date-time cell); nothing after it
DATE_TEXT = r"^\d{4}-\d{2}-\d{2}(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?)?$"


def cleaned(raw: pl.Expr) -> pl.Expr:
    """A cell's text without surrounding blanks; null if nothing is left."""
    text = raw.cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def cast_text(text: pl.Expr, f: Field, *, decimal_comma: bool = False) -> pl.Expr:
    """The typed value of text already :func:`cleaned`; null where it is not a value of the field's type."""
    if f.type == "str":
        return text
    if decimal_comma and f.type in ("float", "int"):
        # "1 234,5" (space or no-break space between digit groups) -> "1234.5"; a "." stays invalid
        text = text.str.replace_all(r"(\d)[ \u00a0\u202f](\d)", "$1$2").str.replace_all(
            r"(\d)[ \u00a0\u202f](\d)", "$1$2"
        )
        text = pl.when(text.str.contains(r"\.")).then(pl.lit("not a number")).otherwise(text.str.replace(",", "."))
    if f.type == "float":
        return text.cast(pl.Float64, strict=False)
    if f.type == "int":
        as_float = text.cast(pl.Float64, strict=False)
        return pl.when(as_float == as_float.round(0)).then(as_float).otherwise(None).cast(pl.Int64, strict=False)
    if f.type == "bool":
        low = text.str.to_lowercase()
        return pl.when(low.is_in(TRUE_WORDS)).then(True).when(low.is_in(FALSE_WORDS)).then(False).otherwise(None)
    if f.type == "date":
        day = pl.when(text.str.contains(DATE_TEXT)).then(text.str.slice(0, 10)).otherwise(None)
        return day.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    raise AssertionError(f.type)


TYPE_WORDS = {  # words of the catalogue: validation messages name them in the page language
    "int": N_("a whole number"),
    "float": N_("a number"),
    "bool": N_("true or false"),
    "date": N_("a date (YYYY-MM-DD, nothing after it but a valid time)"),
    "str": N_("text"),
}


__all__ = ["DATE_TEXT", "FALSE_WORDS", "TRUE_WORDS", "TYPE_WORDS", "cast_text", "cell_text", "cleaned"]
