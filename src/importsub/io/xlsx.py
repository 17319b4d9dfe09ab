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

from importsub.io.cells import as_text_cell, risky
from importsub.io.limits import LIMITS, Deadline, ReadLimits, check_zip
from importsub.model.dataset import Dataset
from importsub.model.errors import FileFormatError, Problem, ValidationError
from importsub.model.messages import problem
from importsub.model.schema import CURRENCY, TABLES, TABLES_BY_NAME, Field
from importsub.model.validate import MAX_PROBLEMS, ROW, RawTable, cell_text

NO_UNIT = "—"
ABOUT_SHEET = "about"


def unit_cell(f: Field) -> str:
    return f"[{f.unit}]" if f.unit else NO_UNIT


def note_cell(f: Field) -> str:
    need = "required" if f.required else ("optional" if f.default is None else f"optional, default {f.default}")
    bounds = f.bounds_text()
    return f"{f.description} ({need}{'; ' + bounds if bounds else ''})"


def header_comment(f: Field) -> str:
    """The comment on a field's header cell: the field in Russian (its label, then its description). The header
    itself stays the field's name, the import contract."""
    return f"{f.label_ru}\n{f.description_ru}"


def read_xlsx(path: Path, limits: ReadLimits = LIMITS) -> list[RawTable]:
    """Raw tables of every sheet, or an error naming sheet, row and column; never a silent loss.

    The zip container is checked against ``limits`` before anything is
    inflated; rows are placed by their own row numbers (``<row r=…>``, in any
    order; a row number twice, or beyond the last row a worksheet can have, is
    refused), and reading stops at ``limits.seconds``.  Formulas without a
    stored value, error values (``#DIV/0!``), merged cells and values in
    columns without a header are problems naming their cell.
    """
    import warnings

    from openpyxl.reader.excel import ExcelReader

    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, path, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise FileFormatError(f"{path}: not a readable xlsx workbook ({type(exc).__name__}: {exc})") from exc
    deadline = Deadline(path, limits)
    raws: list[RawTable] = []
    problems: list[Problem] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of unsupported extensions; values are checked here
        reader = None
        try:
            reader = ExcelReader(path, read_only=True, data_only=True)
            reader.read()
        except Exception as exc:  # openpyxl and its XML parser raise many kinds on corrupt files
            if reader is not None:  # openpyxl leaves its zip file open when reading fails (a sheet's stream too)
                fp = reader.archive.fp
                reader.archive.close()
                if fp is not None:
                    fp.close()
            if isinstance(exc, FileFormatError):
                raise
            damaged = _damaged_sheet(path)
            where = f"sheet {damaged[0]}: its XML is damaged ({damaged[1]}); " if damaged else ""
            raise FileFormatError(f"{path}: {where}not a readable xlsx workbook ({type(exc).__name__}: {exc})") from exc
        wb = reader.wb
        try:
            for sheet, rel in reader.parser.find_sheets():
                if rel.target not in reader.valid_files:
                    raise FileFormatError(
                        f"{path}: sheet {sheet.name}: the workbook lists it but its part {rel.target} is missing; "
                        "the file is damaged (open and save it again in Excel or LibreOffice)"
                    )
            for ws in wb.worksheets:
                title = ws.title
                if title == ABOUT_SHEET or title.startswith("_"):
                    continue
                try:
                    rows = _sheet_rows(path, ws, wb, limits, deadline, problems)
                except (FileFormatError, ValidationError):
                    raise
                except Exception as exc:
                    raise FileFormatError(
                        f"{path}: sheet {title}: cannot be read ({type(exc).__name__}: {exc})"
                    ) from exc
                raws.append(_sheet_table(path, title, rows, problems))
        finally:
            wb.close()
    if problems:
        raise ValidationError(problems[:MAX_PROBLEMS], len(problems))
    return raws


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _damaged_sheet(path: Path) -> tuple[str, str] | None:
    """(sheet name, parser error) of the first sheet whose XML is not well-formed (a part cut short, a character
    XML cannot hold), for naming the sheet of a workbook that could not be opened; None if none is."""
    from xml.etree.ElementTree import ParseError, fromstring, iterparse

    try:
        with zipfile.ZipFile(path) as zf:  # its sizes were checked against the limits already
            targets = {r.get("Id"): r.get("Target") or "" for r in fromstring(zf.read("xl/_rels/workbook.xml.rels"))}
            for sheet in fromstring(zf.read("xl/workbook.xml")).iter(f"{_MAIN}sheet"):
                target = targets.get(sheet.get(f"{_REL}id"), "")
                part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if part not in zf.namelist():
                    continue
                try:
                    with zf.open(part) as fh:
                        for _ in iterparse(fh):
                            pass
                except ParseError as exc:
                    return str(sheet.get("name")), str(exc)
    except (zipfile.BadZipFile, KeyError, OSError, ParseError, EOFError, ValueError):
        return None
    return None


class _Cell:
    """A cell that cannot be read as a value: a formula without a stored result, or an error value."""

    __slots__ = ("args", "message_id")

    def __init__(self, message_id: str, **args: str) -> None:
        self.message_id = message_id  # a message of importsub.model.messages with a "cell" parameter
        self.args = args

    def problem(self, path: Path, sheet: str, row: int, column: str | None, cell: str) -> Problem:
        return problem(str(path), sheet, row, column, self.message_id, cell=cell, **self.args)


def _sheet_rows(
    path: Path, ws: Any, wb: Any, limits: ReadLimits, deadline: Deadline, problems: list[Problem]
) -> dict[int, dict[int, Any]]:
    """``{row number: {column number: value}}`` of one sheet, as its XML places them."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["data_type"] == "e":
                cell["value"] = _Cell("xlsx_error_value", value=str(cell["value"]))
            elif cell["value"] is None and element.find(FORMULA_TAG) is not None:
                text = element.findtext(FORMULA_TAG) or ""
                cell["value"] = _Cell("xlsx_formula", formula=text[:40])
            return cell

    rows: dict[int, dict[int, Any]] = {}
    title = ws.title
    with ws._get_source() as src:
        parser = Parser(
            src,
            wb.shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for n, (r, cells) in enumerate(parser.parse()):
            if n % 4096 == 0:
                deadline.check(f"sheet {title}, row {r:,}")
            if not 1 <= r <= limits.rows:
                raise FileFormatError(
                    f"{path}: sheet {title}: row number {r:,} is beyond the last row a worksheet can have "
                    f"({limits.rows:,}); the file is damaged or hostile, refused"
                )
            if r in rows:
                raise FileFormatError(
                    f"{path}: sheet {title}, row {r:,}: the row appears twice in the file; the file is damaged, refused"
                )
            values: dict[int, Any] = {}
            for c in cells:
                col = c["column"]
                if not 1 <= col <= limits.columns:
                    raise FileFormatError(
                        f"{path}: sheet {title}, row {r:,}: column number {col:,} is beyond the last column a "
                        f"worksheet can have ({limits.columns:,}, {get_column_letter(limits.columns)}); refused"
                    )
                if c["row"] != r:
                    raise FileFormatError(
                        f"{path}: sheet {title}, row {r:,}: holds a cell of row {c['row']:,}; the file is damaged, refused"
                    )
                if col in values:
                    raise FileFormatError(
                        f"{path}: sheet {title}, row {r:,}: cell {get_column_letter(col)}{r} appears twice; "
                        "the file is damaged, refused"
                    )
                if c["value"] is not None:
                    values[col] = c["value"]
            rows[r] = values
        merged = parser.merged_cells
    if merged is not None:
        for m in merged.mergeCell:
            ref = str(m.ref)
            if ":" in ref:
                problems.append(problem(str(path), title, _first_row(ref), None, "xlsx_merged", cells=ref))
    return rows


def _first_row(ref: str) -> int | None:
    from openpyxl.utils.cell import range_boundaries

    try:
        return int(range_boundaries(ref)[1])
    except (ValueError, TypeError):
        return None


def _sheet_table(path: Path, title: str, rows: dict[int, dict[int, Any]], problems: list[Problem]) -> RawTable:
    from openpyxl.utils import get_column_letter

    order = sorted(r for r, cells in rows.items() if any(_filled(v) for v in cells.values()))
    if not order:
        return RawTable(title, pl.DataFrame(schema={ROW: pl.Int64()}), str(path), title)
    header_row = order[0]
    head = rows[header_row]
    width = max(head) if head else 0
    header = [cell_text(head.get(k)) if not isinstance(head.get(k), _Cell) else None for k in range(1, width + 1)]
    names = [(h or "").strip() for h in header]
    # a merged or formula header cell is named by the checks below; here only its text counts
    while names and names[-1] == "":
        names.pop()
    blank = [i for i, n in enumerate(names) if n == ""]
    if blank:
        raise FileFormatError(
            f"{path}: sheet {title}: header cell {get_column_letter(blank[0] + 1)}{header_row} is empty"
        )
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise FileFormatError(f"{path}: sheet {title}: column {dup!r} appears twice in the header")
    for k, v in head.items():
        if isinstance(v, _Cell):
            column = names[k - 1] if k <= len(names) else None
            problems.append(v.problem(path, title, header_row, column, f"{get_column_letter(k)}{header_row}"))
    skip = {header_row}
    rt = TABLES_BY_NAME.get(title.lower())
    if rt is not None:
        fields = {f.name: f for f in rt.fields}
        nxt = header_row + 1
        for expected in (unit_cell, note_cell):
            cells = rows.get(nxt, {})
            row = tuple(cells.get(k) for k in range(1, len(names) + 1))
            if nxt in rows and _matches(row, names, fields, expected):
                skip.add(nxt)
                nxt += 1
            else:
                break
    cols: dict[str, list[str | None]] = {n: [] for n in names}
    row_numbers: list[int] = []
    for r in order:
        if r in skip:
            continue
        cells = rows[r]
        for k, v in cells.items():
            where = f"{get_column_letter(k)}{r}"
            if k > len(names):
                if _filled(v):
                    problems.append(problem(str(path), title, r, None, "xlsx_no_header", cell=where))
            elif isinstance(v, _Cell):
                problems.append(v.problem(path, title, r, names[k - 1], where))
        values = [_text(cells.get(k)) for k in range(1, len(names) + 1)]
        if all(v is None or v.strip() == "" for v in values):
            continue  # blank lines are allowed
        row_numbers.append(r)
        for n, v in zip(names, values, strict=True):
            cols[n].append(v)
    df = pl.DataFrame(cols, schema={n: pl.String() for n in names})
    df = df.with_columns(pl.Series(ROW, row_numbers, dtype=pl.Int64))
    return RawTable(title, df, str(path), title)


def _filled(v: Any) -> bool:
    if isinstance(v, _Cell):
        return True
    return v is not None and not (isinstance(v, str) and v.strip() == "")


def _text(v: Any) -> str | None:
    return None if isinstance(v, _Cell) else cell_text(v)


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
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font

    def commented(c: WriteOnlyCell, text: str) -> WriteOnlyCell:
        c.comment = Comment(text, "importsub", width=320, height=120)
        return c

    wb = Workbook(write_only=True)
    # write-only sheets stream rows to temporary files as they are appended: a full disk can strike here
    try:
        about = wb.create_sheet(ABOUT_SHEET)
        about.append(["importsub dataset", ds.name])
        about.append(["sheets", "one per record type; row 1 field names, row 2 units, row 3 notes, data from row 4"])
        about.append(["по-русски", "названия и описания полей — в примечаниях к заголовкам (строка 1)"])
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

            ws.append([commented(styled(f.name, bold), header_comment(f)) for f in rt.fields])
            ws.append([styled(unit_cell(f), grey) for f in rt.fields])
            ws.append([styled(note_cell(f), grey, align=wrap) for f in rt.fields])
            for row in ds.canonical(rt.name).iter_rows():  # text a spreadsheet would run is stored as text
                ws.append(
                    [as_text_cell(WriteOnlyCell(ws, value=v)) if isinstance(v, str) and risky(v) else v for v in row]
                )
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
    except BaseException:
        _close_writers(wb)
        raise


def _close_writers(wb: Any) -> None:
    """Close the XML streams of a write-only workbook whose save failed (a full disk), quietly: left to the
    garbage collector they print "Exception ignored … Traceback" when the process ends."""
    import contextlib

    for ws in getattr(wb, "_sheets", []):
        for stream in (getattr(ws, "_rows", None), getattr(getattr(ws, "_writer", None), "xf", None)):
            if stream is not None:
                with contextlib.suppress(BaseException):
                    stream.close()


def _col_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def write_template(path: Path) -> None:
    """An empty workbook with every sheet's headers, units and notes (written whole or not at all)."""
    from importsub.io.atomic import atomic_file

    with atomic_file(path) as tmp:
        write_xlsx(Dataset.empty("template"), tmp)
