"""Text cells that a spreadsheet would run as formulas: written as text, never as live formulas.

A value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is a formula to Excel and LibreOffice when it comes from a CSV file
(CSV injection, OWASP).  Every text cell importsub writes is therefore
neutralised:

* **xlsx**: such a cell is stored with type text (:func:`as_text_cell`), so
  it shows as written and is never evaluated;
* **CSV**: such a value gets one leading apostrophe (:func:`neutral`); a
  value that already starts with apostrophes before such a character gets one
  more, so :func:`restore` (run by the CSV reader) gives back exactly what was
  written: the round trip export → import is exact.

Numbers are numbers and are left alone (``-5`` in a numeric column stays a
number).
"""

from __future__ import annotations

import re
from typing import Any, Final

import polars as pl

RISKY: Final = "=+-@\t\r"
"""Characters that make a spreadsheet read a cell as a formula when they start it."""

_NEUTRAL = re.compile(r"^'*[=+\-@\t\r]")
_RESTORE = re.compile(r"^'+[=+\-@\t\r]")


def risky(value: str) -> bool:
    """Would a spreadsheet run this text as a formula?

    Examples
    --------
    >>> risky("=HYPERLINK(1)"), risky("-x"), risky("Руденск"), risky("")
    (True, True, False, False)
    """
    return bool(value) and value[0] in RISKY


def neutral(value: str) -> str:
    """The CSV form of a text value (see the module docstring).

    Examples
    --------
    >>> neutral("=1+1"), neutral("'=1"), neutral("a=b"), restore(neutral("'=1"))
    ("'=1+1", "''=1", 'a=b', "'=1")
    """
    return "'" + value if _NEUTRAL.match(value) else value


def restore(value: str) -> str:
    """The text value of a CSV cell written by :func:`neutral`."""
    return value[1:] if _RESTORE.match(value) else value


def neutral_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Every text column of ``df`` in its CSV form (:func:`neutral`)."""
    cols = [c for c, t in df.schema.items() if t == pl.String]
    if not cols:
        return df
    return df.with_columns(
        pl.when(pl.col(c).str.contains(_NEUTRAL.pattern)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in cols
    )


def restore_frame(df: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """``columns`` (text) of a frame read from CSV back to the values written (:func:`restore`).

    Only columns with a value that starts with an apostrophe are rewritten (one cheap prefix test each)."""
    if not columns or df.height == 0:
        return df
    quoted = df.select(pl.col(c).str.starts_with("'").any() for c in columns).row(0)
    columns = [c for c, q in zip(columns, quoted, strict=True) if q]
    if not columns:
        return df
    return df.with_columns(
        pl.when(pl.col(c).str.contains(_RESTORE.pattern)).then(pl.col(c).str.slice(1)).otherwise(pl.col(c)).alias(c)
        for c in columns
    )


def as_text_cell(cell: Any) -> Any:
    """An openpyxl cell whose text would be read as a formula, typed as text (returned for chaining)."""
    if isinstance(cell.value, str) and risky(cell.value):
        cell.data_type = "s"
    return cell
