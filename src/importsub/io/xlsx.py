"""One xlsx workbook: a sheet per record type.

Layout of a sheet: row 1 the field names, row 2 the units, row 3 notes
(description, required or optional, allowed range); data from row 4.  Rows 2
and 3 are recognised on import when they match the schema, so a sheet without
them (data from row 2) is read too.  A sheet called ``about`` (or starting with
``_``) is ignored.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import polars as pl

from importsub.model.dataset import Dataset
from importsub.model.errors import FileFormatError
from importsub.model.schema import CURRENCY, TABLES, TABLES_BY_NAME, Field
from importsub.model.validate import ROW, RawTable, cell_text

NO_UNIT = "—"
ABOUT_SHEET = "about"


def unit_cell(f: Field) -> str:
    return f"[{f.unit}]" if f.unit else NO_UNIT


def note_cell(f: Field) -> str:
    need = "required" if f.required else ("optional" if f.default is None else f"optional, default {f.default}")
    bounds = f.bounds_text()
    return f"{f.description} ({need}{'; ' + bounds if bounds else ''})"


def read_xlsx(path: Path) -> list[RawTable]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, EOFError) as exc:
        raise FileFormatError(f"{path}: not a readable xlsx workbook ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # openpyxl and its XML parser raise many kinds on corrupt files
        raise FileFormatError(f"{path}: not a readable xlsx workbook ({type(exc).__name__}: {exc})") from exc
    raws: list[RawTable] = []
    try:
        for ws in wb.worksheets:
            title = ws.title
            if title == ABOUT_SHEET or title.startswith("_"):
                continue
            try:
                rows = list(ws.iter_rows(values_only=True))
            except Exception as exc:
                raise FileFormatError(f"{path}: sheet {title}: cannot be read ({type(exc).__name__}: {exc})") from exc
            raws.append(_sheet_table(path, title, rows))
    finally:
        wb.close()
    return raws


def _sheet_table(path: Path, title: str, rows: list[tuple[Any, ...]]) -> RawTable:
    if not rows:
        return RawTable(title, pl.DataFrame(schema={ROW: pl.Int64()}), str(path), title)
    header = [cell_text(c) for c in rows[0]]
    # drop trailing empty header cells
    while header and (header[-1] is None or header[-1].strip() == ""):
        header.pop()
    names = [(h or "").strip() for h in header]
    first = 1
    rt = TABLES_BY_NAME.get(title)
    if rt is not None:
        fields = {f.name: f for f in rt.fields}
        for expected in (unit_cell, note_cell):
            if first < len(rows) and _matches(rows[first], names, fields, expected):
                first += 1
    cols: dict[str, list[str | None]] = {n: [] for n in names}
    row_numbers: list[int] = []
    for idx in range(first, len(rows)):
        cells = rows[idx]
        values = [cell_text(cells[k]) if k < len(cells) else None for k in range(len(names))]
        if all(v is None or v.strip() == "" for v in values):
            continue  # blank lines are allowed
        row_numbers.append(idx + 1)
        for n, v in zip(names, values, strict=True):
            cols[n].append(v)
    blank = [i for i, n in enumerate(names) if n == ""]
    if blank:
        raise FileFormatError(f"{path}: sheet {title}: header cell in column {blank[0] + 1} is empty")
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise FileFormatError(f"{path}: sheet {title}: column {dup!r} appears twice in the header")
    df = pl.DataFrame(cols, schema={n: pl.String() for n in names})
    df = df.with_columns(pl.Series(ROW, row_numbers, dtype=pl.Int64))
    return RawTable(title, df, str(path), title)


def _matches(row: tuple[Any, ...], names: list[str], fields: dict[str, Field], expected: Any) -> bool:
    seen = False
    for k, n in enumerate(names):
        v = cell_text(row[k]) if k < len(row) else None
        f = fields.get(n)
        if f is None:
            if v not in (None, ""):
                return False
            continue
        if v is None or v.strip() != expected(f):
            return False
        seen = True
    return seen


def write_xlsx(ds: Dataset, path: Path) -> None:
    """Write every record type to its own sheet, with units and notes rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    wb = Workbook(write_only=True)
    about = wb.create_sheet(ABOUT_SHEET)
    about.append(["importsub dataset", ds.name])
    about.append(["sheets", "one per record type; row 1 field names, row 2 units, row 3 notes, data from row 4"])
    about.append(["money", f"all values in {CURRENCY}"])
    about.append(["records", ", ".join(f"{k}: {v}" for k, v in ds.counts().items())])
    bold = Font(bold=True)
    grey = Font(italic=True, color="666666")
    wrap = Alignment(wrap_text=True, vertical="top")
    for rt in TABLES:
        ws = wb.create_sheet(rt.name)
        ws.freeze_panes = "A4"
        for i, f in enumerate(rt.fields):
            ws.column_dimensions[_col_letter(i)].width = max(12, min(40, len(f.name) + 4))

        def styled(value: Any, font: Font, ws: Any = ws, align: Alignment | None = None) -> WriteOnlyCell:
            c = WriteOnlyCell(ws, value=value)
            c.font = font
            if align is not None:
                c.alignment = align
            return c

        ws.append([styled(f.name, bold) for f in rt.fields])
        ws.append([styled(unit_cell(f), grey) for f in rt.fields])
        ws.append([styled(note_cell(f), grey, align=wrap) for f in rt.fields])
        for row in ds.canonical(rt.name).iter_rows():
            ws.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _col_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def write_template(path: Path) -> None:
    """An empty workbook with every sheet's headers, units and notes."""
    write_xlsx(Dataset.empty("template"), path)
