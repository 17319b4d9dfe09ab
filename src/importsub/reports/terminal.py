"""Result tables for a terminal: the key columns, humanised numbers, never a cut inside a number or an id.

A terminal table shows what a screen needs; the exact figures stay in
CSV/JSON/XLSX.  Per table:

* **Columns**: the key columns declared for the table (``terminal`` in
  ``model/data/result_tables.csv``), all with ``wide``; a table of one row
  prints all its columns as *column / value* lines.
* **Numbers**, one format per column: money (a unit in RUB) in ``mn`` or
  ``bn`` when the column's largest value is that large, the scale moved
  into the header (``lost margin [bn RUB]``) and three significant digits
  of the largest value (``43.8``); counts (``units``, ``units/yr``, whole
  numbers) without decimals and never scaled (a column of vehicles beside
  one of fasteners would show the vehicles as ``<0.1 mn``); percentages and fractions with two decimals; other figures
  with three significant digits of the column's largest value.  No float
  noise (``29150.000000000004`` is ``29,150``); a non-zero value too small
  for the column's decimals is ``<0.1``, not ``0.0``.
* **Width**: a cell is never wrapped.  Text with spaces (names, reasons)
  is shortened with ``…``; a number or an id (text without spaces) never
  is.  Headers wrap between words.  What still does not fit is left out,
  from the right, and named in the caption.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl
from rich.cells import cell_len, set_cell_size

from importsub import units
from importsub.model.results import result_tables, split_unit

COUNT_UNITS = frozenset({"units", "units/yr", "vehicles", "records", "days"})
"""Units of things counted: shown without decimals."""

SCALES = tuple((d, w) for d, w in units.SCALES if d <= 1e9)
"""Money is shown in these units (:data:`importsub.units.SCALES` up to ``bn``) when a column's largest value
reaches them."""

MIN_TEXT = 8
"""Shortest a shortened text cell gets [characters]."""

ELLIPSIS = "…"


@dataclass(frozen=True)
class ColumnView:
    """How one column shows: its header (scaled unit) and a formatter of its cells."""

    name: str
    header: str
    numeric: bool
    fmt: Callable[[Any], str]


def _finite(values: Sequence[Any]) -> list[float]:
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)]


def _whole(values: list[float]) -> bool:
    return all(abs(v - round(v)) <= 1e-6 * max(1.0, abs(v)) for v in values)


def _digits(x: float) -> int:
    """Digits before the decimal point of |x| (0 for |x| < 1)."""
    return 0 if x < 1 else math.floor(math.log10(x)) + 1


def _number(v: Any, decimals: int, factor: float = 1.0, separators: bool = True) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if not isinstance(v, int | float):
        return str(v)
    if isinstance(v, float) and not math.isfinite(v):
        return "∞" if v > 0 else ("-∞" if v < 0 else "")
    x = v / factor + 0.0  # (+ 0.0: no "-0")
    text = f"{x:,.{decimals}f}" if separators else f"{x:.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        if x == 0:
            return text.removeprefix("-")
        smallest = f"{10.0**-decimals:.{decimals}f}"  # too small for the column's decimals
        return f"<{smallest}" if x > 0 else f">-{smallest}"
    return text


def column_view(name: str, series: pl.Series, top: float | None = None) -> ColumnView:
    """The header and the cell format of one column (see the module docstring); ``top``, when given, is the
    largest value the scale and decimals follow (the largest of every column with the same unit in a table).

    Examples
    --------
    >>> v = column_view("lost margin [RUB]", pl.Series([43.8e9, 1.26e9]))
    >>> v.header, v.fmt(43.8e9), v.fmt(1.26e9)
    ('lost margin [bn RUB]', '43.8', '1.3')
    >>> v = column_view("capacity [units/yr]", pl.Series([876.0, 29150.000000000004]))
    >>> v.header, v.fmt(876.0), v.fmt(29150.000000000004)
    ('capacity [units/yr]', '876', '29,150')
    """
    dtype = series.dtype
    if dtype == pl.Boolean:
        return ColumnView(name, name, False, lambda v: "" if v is None else ("yes" if v else "no"))
    if not dtype.is_numeric():
        return ColumnView(name, name, False, _text)
    label, unit = split_unit(name)
    values = _finite(series.to_list())
    top = max((abs(v) for v in values), default=0.0) if top is None else top
    if dtype.is_integer():
        sep = top >= 10000  # years, ranks and small counts read without separators
        return ColumnView(name, name, True, lambda v: _number(v, 0, separators=sep))
    money = unit is not None and unit.startswith("RUB") and unit != "RUB/RUB"
    count = unit in COUNT_UNITS
    # the one humaniser's scale (importsub.units), headers in English, up to bn as the terminal shows money
    factor, prefix = units.scale_of(top, scales=SCALES) if money else (1.0, "")
    header = f"{label} [{prefix} {unit}]" if prefix else name
    scaled = top / factor
    if prefix:
        decimals = units.significant_decimals(scaled)
    elif count or _whole(values):
        decimals = 0
    elif unit in ("%", "pp", "fraction", "0-1", "probability") or (unit or "").startswith("% "):
        decimals = 2
    else:
        decimals = min(3, max(0, 3 - _digits(scaled)))
    return ColumnView(name, header, True, lambda v: _number(v, decimals, factor))


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, date | datetime):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v))
    return " ".join(str(v).split())  # one line: a newline would break the row


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` terminal cells, an ellipsis marking the cut (text with spaces only).

    Examples
    --------
    >>> shorten("Haval Motor Rus", 9), shorten("Руденск", 9)
    ('Haval Mo…', 'Руденск')
    """
    return text if cell_len(text) <= width else set_cell_size(text, max(1, width - 1)).rstrip() + ELLIPSIS


def _fixed(cell: str, numeric: bool) -> bool:
    """Whether a cell may not be shortened: a number, or an id (text without spaces)."""
    return numeric or " " not in cell


def key_columns(df: pl.DataFrame, kind: str | None, table: str) -> list[str]:
    """The columns a terminal shows by default: the declared key columns of ``kind``/``table`` that ``df``
    has, labels before figures.  An undeclared table takes those of the one table of ``kind`` (else: of any
    kind, named ``table``) whose declared columns include all of ``df``'s; failing that, every column."""
    tables = result_tables()
    declared = tables.get((kind or "", table))
    keys: tuple[str, ...] = declared.terminal if declared else ()
    if declared is None:
        cols = set(df.columns)
        for same in (lambda k, _t: k == kind, lambda _k, t: t == table):
            found = {t.terminal for (k, name), t in tables.items() if same(k, name) and cols <= set(t.owners)}
            if len(found) == 1:
                keys = found.pop()
                break
    shown = [c for c in keys if c in df.columns]
    if not shown:
        return list(df.columns)
    # labels before figures: text that follows the first figure with a unit moves in front of it
    first = next((i for i, c in enumerate(shown) if split_unit(c)[1] and df.schema[c].is_numeric()), len(shown))
    late = [c for c in shown[first:] if not df.schema[c].is_numeric()]
    return [*shown[:first], *late, *(c for c in shown[first:] if c not in late)]


@dataclass(frozen=True)
class Layout:
    """What a terminal table shows: headers (lines), cells, which columns are right-aligned, the widths."""

    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    widths: list[int]
    left_out: list[str]


def _header_lines(header: str, width: int) -> str:
    # a unit in brackets stays whole: its spaces are no-break while wrapping (textwrap breaks at ASCII spaces)
    words = [w.replace(" ", "\xa0") for w in re.findall(r"\[[^\]]*\]|\S+", header)]
    lines = textwrap.wrap(" ".join(words), width, break_long_words=False)
    return "\n".join(lines).replace("\xa0", " ")


def _min_header(header: str) -> int:
    return max((cell_len(w) for w in re.findall(r"\[[^\]]*\]|\S+", header)), default=1)


def table_width(widths: Sequence[int]) -> int:
    """Width of a rich table with a heavy-head box and these column widths [characters]."""
    return sum(widths) + 3 * len(widths) + 1


def layout(df: pl.DataFrame, columns: list[str], width: int, *, fit: bool = True) -> Layout:
    """Format ``columns`` of ``df`` and choose widths so the table is at most ``width`` wide (``fit``)."""
    views = [column_view(c, df[c], top) for c, top in zip(columns, _unit_tops(df, columns), strict=True)]
    cells = [[v.fmt(x) for x in df[v.name].to_list()] for v in views]
    numeric = [v.numeric for v in views]
    heads = [v.header for v in views]
    body = [max((cell_len(c) for c in cs), default=0) for cs in cells]
    # narrowest a column may get: its longest number or id, its longest header word, MIN_TEXT for free text
    floor = [
        max(max((cell_len(c) for c in cs if _fixed(c, n)), default=0), _min_header(h), min(b, MIN_TEXT))
        for cs, n, h, b in zip(cells, numeric, heads, body, strict=True)
    ]
    widths = [max(b, min(cell_len(h), max(b, 12)), f) for b, h, f in zip(body, heads, floor, strict=True)]
    if fit:
        _narrow(widths, floor, width)
    left_out: list[str] = []
    while fit and len(widths) > 1 and table_width(widths) > width:
        left_out.insert(0, columns[len(widths) - 1])
        for seq in (widths, heads, cells, numeric):
            seq.pop()  # type: ignore[attr-defined]
    rows = [
        [c if _fixed(c, n) else shorten(c, w) for c, w, n in zip(row, widths, numeric, strict=True)]
        for row in zip(*cells, strict=True)
    ]
    headers = [_header_lines(h, w) for h, w in zip(heads, widths, strict=True)]
    return Layout(headers, [list(r) for r in rows], numeric, widths, left_out)


def _unit_tops(df: pl.DataFrame, columns: list[str]) -> list[float | None]:
    """Per column, the largest value of all float columns with its unit (money and counts: one scale and
    one number of decimals for ``capex``, ``committed`` and ``spent`` side by side); None for the others."""
    tops: dict[str, float] = {}
    for c in columns:
        unit = split_unit(c)[1]
        if unit is not None and df.schema[c].is_float() and (unit.startswith("RUB") or unit in COUNT_UNITS):
            tops[unit] = max(tops.get(unit, 0.0), *(abs(v) for v in _finite(df[c].to_list())), 0.0)
    return [tops.get(split_unit(c)[1] or "") if df.schema[c].is_float() else None for c in columns]


def _narrow(widths: list[int], floor: list[int], width: int) -> None:
    """Narrow columns in place until the table fits: the widest first, one character at a time, to its floor."""
    while table_width(widths) > width:
        cands = [i for i, w in enumerate(widths) if w > floor[i]]
        if not cands:
            return
        widths[max(cands, key=lambda i: widths[i] - floor[i])] -= 1


def transposed(df: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """A one-row table as *column / value* rows (each value formatted as its column would be)."""
    views = [column_view(c, df[c]) for c in columns]
    return pl.DataFrame(
        {"column": [v.header for v in views], "value": [v.fmt(df[v.name][0]) for v in views]},
        schema={"column": pl.String, "value": pl.String},
    )
