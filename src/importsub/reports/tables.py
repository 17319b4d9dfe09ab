"""Render result tables as a terminal table, CSV, JSON or XLSX.

Every analysis result is a mapping of named polars DataFrames (units in the
column names) plus the fingerprint of its inputs; this module is the one place
that writes them out for the CLI (and for report downloads).
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from importsub.io.cells import as_text_cell, neutral_frame
from importsub.model.errors import ImportsubError

FORMATS = ("table", "csv", "json", "xlsx")

WIDE = 1000
"""Terminal width [characters] that ``--wide`` tables are printed at (each only as wide as it needs)."""


def _jsonable(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, date | datetime):
        return v.isoformat()
    return v


def column_entries(df: pl.DataFrame, kind: str | None = None, table: str = "") -> list[dict[str, str | None]]:
    """What each column of ``df`` is, from its declaration (:func:`importsub.model.results.column`): name,
    label, unit, description and Russian label and description (empty for an undeclared column); with the
    analysis ``kind`` of a declared ``table``, also whose figure it is (``owner``, else None).

    Examples
    --------
    >>> column_entries(pl.DataFrame({"lost margin [RUB]": [1.0]}))[0]["unit"]
    'RUB'
    """
    from importsub.model.results import column, table_owners

    owners = table_owners(kind, table) if kind else {}
    out: list[dict[str, str | None]] = []
    for name in df.columns:
        c = column(name)
        owner = owners.get(name)
        out.append(
            {
                "name": name,
                "label": c.label,
                "unit": c.unit,
                "description": c.description,
                "label_ru": c.heading("ru"),
                "description_ru": c.description_ru,
                "owner": owner.describe() if owner else None,
            }
        )
    return out


def to_json(
    tables: Mapping[str, pl.DataFrame], fingerprint: Mapping[str, Any] | None = None, *, kind: str | None = None
) -> str:
    """Result tables as JSON: ``fingerprint``, ``tables`` (table -> rows) and ``columns`` (table -> what each
    column is: :func:`column_entries`; a column means the same in every table, so its name finds its
    declaration, and the analysis ``kind``, when given, whose figure it is)."""
    doc = {
        "fingerprint": dict(fingerprint or {}),
        "tables": {
            name: [{k: _jsonable(v) for k, v in row.items()} for row in df.iter_rows(named=True)]
            for name, df in tables.items()
        },
        "columns": {name: column_entries(df, kind, name) for name, df in tables.items()},
    }
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str)


def to_csv(df: pl.DataFrame) -> str:
    """A table as CSV text; text that a spreadsheet would run as a formula is neutralised (:mod:`importsub.io.cells`)."""
    return neutral_frame(df).write_csv()


CSV_SECTION = "# table: "
"""Line that opens each table when several tables go to one CSV stream (stdout)."""


def to_csv_sections(tables: Mapping[str, pl.DataFrame]) -> str:
    """Several tables as one CSV text: each section is a ``# table: NAME`` line,
    then the table's header and rows (no empty lines, so a section reads as
    CSV as it is).

    One table is written as plain CSV (no section line), so a single table
    pipes straight into any CSV reader.  To split the sections, read lines
    up to the next ``# table: `` line (``polars.read_csv(...,
    comment_prefix="#")`` reads one section).
    """
    if len(tables) == 1:
        return to_csv(next(iter(tables.values())))
    return "".join(f"{CSV_SECTION}{name}\n{to_csv(df)}" for name, df in tables.items())


def read_csv_sections(text: str) -> dict[str, pl.DataFrame]:
    """The tables of a :func:`to_csv_sections` text, by name (plain CSV → one table named ``result``)."""
    if not text.startswith(CSV_SECTION):
        return {"result": pl.read_csv(io.StringIO(text))}
    tables: dict[str, pl.DataFrame] = {}
    for chunk in text.split("\n" + CSV_SECTION):
        name, _, body = chunk.removeprefix(CSV_SECTION).partition("\n")
        tables[name] = pl.read_csv(io.StringIO(body)) if body.strip() else pl.DataFrame()
    return tables


def csv_file_names(out: Path, names: list[str]) -> dict[str, Path]:
    """File of each table when ``--format csv --out OUT`` writes several tables.

    The first table goes to ``OUT`` itself; every other to
    ``OUT-<name>.csv`` next to it, with the name made file-safe: runs of
    spaces and punctuation become one ``_`` (``first breach`` →
    ``out-first_breach.csv``, ``localisation: vehicles`` →
    ``out-localisation_vehicles.csv``); a name that would repeat another
    gets ``_2``, ``_3``….
    """
    import re

    paths: dict[str, Path] = {}
    used: set[str] = set()
    for k, name in enumerate(names):
        if k == 0:
            paths[name] = out
            continue
        slug = re.sub(r"[^\w.-]+", "_", name, flags=re.UNICODE).strip("_.") or f"table_{k + 1}"
        candidate, n = slug, 1
        while candidate.lower() in used:
            n += 1
            candidate = f"{slug}_{n}"
        used.add(candidate.lower())
        paths[name] = out.with_name(f"{out.stem}-{candidate}{out.suffix or '.csv'}")
    return paths


COLUMNS_SHEET = "columns"
"""The XLSX sheet that says what every column of every table is (table, column, unit, description, описание)."""


@dataclass(frozen=True)
class SheetWords:
    """The XLSX's own sheets and their headers in one language."""

    columns: str
    described: str  # the columns sheet when a table is already called so
    fingerprint: str
    head: tuple[str, ...]
    key: tuple[str, str]


SHEET_WORDS = {
    "en": SheetWords(
        COLUMNS_SHEET,
        "columns (described)",
        "fingerprint",
        ("table", "column", "unit", "description", "описание", "заголовок", "owner"),
        ("key", "value"),
    ),
    "ru": SheetWords(
        "Столбцы",
        "Столбцы (описание)",
        "Исходные данные",
        ("таблица", "столбец", "единица", "description", "описание", "заголовок", "владелец"),
        ("параметр", "значение"),
    ),
}
"""The XLSX's own sheets and their headers per language."""

_SHEET_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")


def sheet_name(name: str, used: set[str]) -> str:
    """``name`` as a valid XLSX sheet name: none of ``\\/?*[]:`` (each becomes ``_``), at most 31 characters,
    not a name in ``used`` (case-insensitive; ``~2``, ``~3``… added); the result is added to ``used``.

    Examples
    --------
    >>> used = set(); sheet_name("a/b: c", used), sheet_name("A/B: C", used)
    ('a_b_ c', 'A_B_ C~2')
    """
    base = _SHEET_FORBIDDEN.sub("_", name).strip("'") or "table"
    candidate, n = base[:31].rstrip("'"), 1  # (Excel refuses a name that starts or ends with a quote)
    while candidate.casefold() in used:
        n += 1
        candidate = base[: 31 - len(f"~{n}")] + f"~{n}"
    used.add(candidate.casefold())
    return candidate


def _exact_numbers(wb: Any) -> None:
    """Store every finite float of ``wb`` at full precision: its cell holds the shortest text that reads back
    to the same double (``repr``), typed as a number (``data_type`` ``"n"``, the cell attribute
    :func:`~importsub.io.cells.as_text_cell` sets too).  openpyxl would format the float with 16 significant
    digits, which lose the last digit of some, e.g. 15384.615384615385."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, float) and math.isfinite(value):
                    cell.value = float.__repr__(value)
                    cell.data_type = "n"


def write_xlsx(
    tables: Mapping[str, pl.DataFrame],
    path: Path,
    fingerprint: Mapping[str, Any] | None = None,
    *,
    kind: str | None = None,
    lang: str = "en",
) -> None:
    """One sheet per table (header in row 1, each declared column's description as the header cell's
    comment, so row 1 stays the header readers expect), a ``columns`` sheet describing every column,
    and a ``fingerprint`` sheet.  ``kind`` as in :func:`to_json` (the owner of each figure).

    ``lang="ru"``: sheet names are the tables' declared Russian names and headers the columns' Russian
    labels with their units (``Упущенная маржа [руб.]``); the cells are the same numbers, at full precision.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    from importsub.model.results import result_tables

    if lang not in SHEET_WORDS:
        raise ImportsubError(f"XLSX report: unknown language {lang!r}; choose one of {', '.join(SHEET_WORDS)}")
    words = SHEET_WORDS[lang]
    declared = result_tables()
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    used: set[str] = set()
    entries = {name: column_entries(df, kind, name) for name, df in tables.items()}
    for name, df in tables.items():
        t = declared.get((kind or "", name))
        ws = wb.create_sheet(sheet_name(t.heading(lang) if t else name, used))
        ws.append([e["label_ru"] if lang == "ru" else e["name"] for e in entries[name]])
        for cell, entry in zip(ws[1], entries[name], strict=True):
            cell.font = Font(bold=True)
            if entry["description"]:
                cell.comment = Comment(f"{entry['description']}\n\n{entry['description_ru']}", "importsub")
        for row in df.iter_rows():
            ws.append([_jsonable(v) for v in row])
            for cell in ws[ws.max_row]:  # text a spreadsheet would run is stored as text
                as_text_cell(cell)
        ws.freeze_panes = "A2"
    columns_sheet = words.columns if words.columns.casefold() not in used else words.described
    ws = wb.create_sheet(sheet_name(columns_sheet, used))
    ws.append(list(words.head))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for name, cols in entries.items():
        for e in cols:
            ws.append([name, e["name"], e["unit"], e["description"], e["description_ru"], e["label_ru"], e["owner"]])
            for cell in ws[ws.max_row]:
                as_text_cell(cell)
    if fingerprint:
        ws = wb.create_sheet(sheet_name(words.fingerprint, used))
        ws.append(list(words.key))
        for k, v in fingerprint.items():
            ws.append([k, json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v])
    path.parent.mkdir(parents=True, exist_ok=True)
    _exact_numbers(wb)
    wb.save(path)


def render_table(
    name: str,
    df: pl.DataFrame,
    *,
    max_rows: int = 40,
    kind: str | None = None,
    width: int = 80,
    wide: bool = False,
) -> Any:
    """One result table for a terminal at most ``width`` wide (:mod:`importsub.reports.terminal`): the key
    columns of ``kind``/``name`` (all with ``wide``, then as wide as they need), a one-row table with all
    its columns as *column / value* lines; the caption says what is left out."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from importsub.reports import terminal

    columns = list(df.columns) if wide or df.height == 1 else terminal.key_columns(df, kind, name)
    hidden = [c for c in df.columns if c not in columns]
    shown = df.head(max_rows)
    if df.height == 1 and len(columns) > 3:  # one row: every figure, one per line
        shown, columns = terminal.transposed(df, columns), ["column", "value"]
    lay = terminal.layout(shown, columns, width, fit=not wide)
    # escape: "[units/yr]" in a header is a unit, not rich markup
    t = Table(title=escape(name), title_justify="left", box=box.HEAVY_HEAD)
    for head, numeric, w in zip(lay.headers, lay.numeric, lay.widths, strict=True):
        t.add_column(
            escape(head),
            justify="right" if numeric else "left",
            min_width=w,
            max_width=w,
            no_wrap=True,
            overflow="ellipsis",
        )
    for row in lay.rows:
        t.add_row(*(escape(c) for c in row))
    notes = []
    if df.height > max_rows:
        notes.append(f"{max_rows} of {df.height:,} rows shown")
    left = hidden + lay.left_out
    if left:
        notes.append(f"{len(left)} more column{'s' if len(left) > 1 else ''} with --wide")
    if notes:
        t.caption = "; ".join(notes) + "; all in --format csv|json|xlsx --out FILE"
        t.caption_justify = "left"
    return t


def emit(
    tables: Mapping[str, pl.DataFrame] | pl.DataFrame,
    fmt: str = "table",
    out: Path | None = None,
    *,
    fingerprint: Mapping[str, Any] | None = None,
    title: str = "result",
    max_rows: int = 40,
    kind: str | None = None,
    wide: bool = False,
) -> None:
    """Write result tables in ``fmt`` to ``out`` (or stdout).

    ``kind`` (the analysis kind, when the caller knows it) finds each
    table's declaration: its key columns for a terminal, which shows only
    those unless ``wide``.  Units and descriptions are looked up by column
    name (``columns`` in JSON, a ``columns`` sheet in XLSX).

    ``csv`` writes every table: to stdout as sections, each opened by a
    ``# table: NAME`` line (:func:`to_csv_sections`; one table is plain
    CSV), or to files (``out`` gets the first table, ``out-<name>.csv`` each
    other, names without spaces: :func:`csv_file_names`).
    """
    if isinstance(tables, pl.DataFrame):
        tables = {title: tables}
    if fmt not in FORMATS:
        raise ImportsubError(f"unknown --format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if fmt == "xlsx":
        if out is None:
            raise ImportsubError("--format xlsx needs --out FILE.xlsx")
        from importsub.io.atomic import atomic_file

        with atomic_file(out) as tmp:
            write_xlsx(tables, tmp, fingerprint, kind=kind)
        return
    if fmt == "json":
        text = to_json(tables, fingerprint, kind=kind)
    elif fmt == "csv":
        names = list(tables)
        if out is None:
            text = to_csv_sections(tables) if names else ""
        else:
            paths = csv_file_names(out, names)
            for name in names[1:]:
                _write_text(paths[name], to_csv(tables[name]))
            text = to_csv(tables[names[0]]) if names else ""
    else:
        from rich.console import Console
        from rich.markup import escape

        buf = io.StringIO() if out is not None else None
        console = Console(file=buf, width=160) if buf is not None else Console(soft_wrap=False)
        width = console.width
        if wide:  # as wide as the tables need: a pager (less -S) scrolls
            console = Console(file=buf, width=WIDE) if buf is not None else Console(soft_wrap=False, width=WIDE)
        for name, df in tables.items():
            console.print(render_table(name, df, max_rows=max_rows, kind=kind, width=width, wide=wide))
        if fingerprint:
            fp = ", ".join(f"{k}={v}" for k, v in fingerprint.items() if not isinstance(v, dict | list))
            console.print(f"[dim]inputs: {escape(fp)}[/]")
        if buf is None:
            return
        text = buf.getvalue()
    if out is None:
        import sys

        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        _write_text(out, text)


def _write_text(path: Path, text: str) -> None:
    """UTF-8 text to ``path``, whole or not at all (temporary file and rename)."""
    from importsub.io.atomic import atomic_file

    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
