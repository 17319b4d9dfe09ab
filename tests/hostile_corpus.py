"""A corpus of hostile files, generated (no binary blobs in the repository).

Each case writes one file or folder from the tiny dataset with one thing
wrong, and says what must happen: ``refuse`` with the place named (file,
sheet, row, column; None where a place has no such part), or ``exact`` — the
file imports and holds exactly the expected dataset.

``python tests/hostile_corpus.py OUT`` writes every case into OUT.
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from importsub.io import write_path
from importsub.model.dataset import Dataset


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Dataset, Path], Path]
    #: ("refuse", sheet, row, column, text) or ("exact", None, None, None, "")
    expect: tuple[str, str | None, int | None, str | None, str]


def _csv(ds: Dataset, out: Path, table: str, edit: Callable[[str], str]) -> Path:
    write_path(ds, out, "csv")
    f = out / f"{table}.csv"
    f.write_text(edit(f.read_text(encoding="utf-8")), encoding="utf-8")
    return out


def _csv_bytes(ds: Dataset, out: Path, table: str, line: int, data: bytes) -> Path:
    """Line ``line`` of ``table``.csv replaced by raw bytes (not necessarily UTF-8)."""
    write_path(ds, out, "csv")
    f = out / f"{table}.csv"
    lines = f.read_bytes().split(b"\n")
    lines[line - 1] = data
    f.write_bytes(b"\n".join(lines))
    return out


def _json(ds: Dataset, out: Path, edit: Callable[[dict], None]) -> Path:  # type: ignore[type-arg]
    path = out.with_suffix(".json")
    write_path(ds, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc, ensure_ascii=True), encoding="utf-8")
    return path


def _xlsx_xml(ds: Dataset, out: Path, sheet: str, edit: Callable[[str], str]) -> Path:
    """Rewrite the XML of one sheet of the tiny workbook (out-of-order rows, huge row numbers, formulas)."""
    src = out.with_suffix(".src.xlsx")
    write_path(ds, src)
    path = out.with_suffix(".xlsx")
    from openpyxl import load_workbook

    names = load_workbook(src, read_only=True).sheetnames
    part = f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    src.unlink()
    return path


def _xlsx_with_bom_line(ds: Dataset, out: Path, parent: str, child: str) -> Path:
    """The workbook of ``ds`` with one more BOM line (rows in key order: header, units, notes, then data)."""
    line = pl.DataFrame({"parent": [parent], "child": [child], "quantity": [1.0]})
    bom = pl.concat([ds.bom, line], how="diagonal_relaxed").select(ds.bom.columns)
    path = out.with_suffix(".xlsx")
    write_path(ds.replace(bom=bom), path)
    return path


def _drop_part(ds: Dataset, out: Path, sheet: str) -> Path:
    src = out.with_suffix(".src.xlsx")
    write_path(ds, src)
    path = out.with_suffix(".xlsx")
    from openpyxl import load_workbook

    names = load_workbook(src, read_only=True).sheetnames
    part = f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info, zin.read(info))
    src.unlink()
    return path


def _swap_rows(xml: str) -> str:
    """Put the last <row> of sheetData first (rows out of order)."""
    head, rest = xml.split("<sheetData>", 1)
    body, tail = rest.split("</sheetData>", 1)
    rows = ["<row" + r for r in body.split("<row")[1:]]
    return head + "<sheetData>" + "".join([rows[-1], *rows[:-1]]) + "</sheetData>" + tail


def _renumber_last_row(xml: str, r: int) -> str:
    head, rest = xml.split("<sheetData>", 1)
    body, tail = rest.split("</sheetData>", 1)
    rows = ["<row" + x for x in body.split("<row")[1:]]
    import re

    old = re.search(r'<row r="(\d+)"', rows[-1]).group(1)  # type: ignore[union-attr]
    rows[-1] = rows[-1].replace(f'r="{old}"', f'r="{r}"').replace(f'{old}"', f'{r}"')
    return head + "<sheetData>" + "".join(rows) + "</sheetData>" + tail


def _formula_without_value(xml: str) -> str:
    # demand row 4 (the first data row), units in column D: a formula with no stored <v>
    import re

    return re.sub(r'<c r="D4"([^>]*)>.*?</c>', r'<c r="D4"\1><f>B4*2</f></c>', xml, count=1)


def _merge(xml: str) -> str:
    return xml.replace("</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="E4:E5"/></mergeCells>')


def cases() -> list[Case]:
    def edit_cell(table: str, line: int, col: int, value: str) -> Callable[[str], str]:
        def f(text: str) -> str:
            lines = text.split("\n")
            cells = lines[line - 1].split(",")
            cells[col] = value
            lines[line - 1] = ",".join(cells)
            return "\n".join(lines)

        return f

    def set_json(table: str, i: int, field: str, value: object) -> Callable[[dict], None]:  # type: ignore[type-arg]
        return lambda doc: doc["tables"][table][i].__setitem__(field, value)

    return [
        # item 1: BOM cycles on real data, named with file, sheet, row
        Case(
            "bom-self-loop.csv",
            lambda ds, out: _csv(ds, out, "bom", lambda t: t + "CAR,CAR,1.0,\n"),
            ("refuse", "bom", 4, "child", "BOM cycle: CAR → CAR"),
        ),
        Case(
            "bom-cycle-with-children.json",
            lambda ds, out: _json(
                ds, out, lambda d: d["tables"]["bom"].append({"parent": "CHIP", "child": "CAR", "quantity": 1})
            ),
            ("refuse", "bom", 3, "child", "BOM cycle: CAR → LAMP → CHIP → CAR"),
        ),
        Case(
            "bom-cycle-with-children.xlsx",
            lambda ds, out: _xlsx_with_bom_line(ds, out, "CHIP", "CAR"),
            ("refuse", "bom", 5, "child", "BOM cycle: CAR → LAMP → CHIP → CAR"),
        ),
        # items 2/3: rows out of order are read by their numbers; rows past the last row are refused
        Case(
            "rows-out-of-order.xlsx",
            lambda ds, out: _xlsx_xml(ds, out, "supply_links", _swap_rows),
            ("exact", None, None, None, ""),
        ),
        Case(
            "row-past-the-last.xlsx",
            lambda ds, out: _xlsx_xml(ds, out, "demand", lambda x: _renumber_last_row(x, 1_048_577)),
            ("refuse", "demand", None, None, "row number 1,048,577 is beyond the last row"),
        ),
        Case(
            "row-2147483648.xlsx",
            lambda ds, out: _xlsx_xml(ds, out, "demand", lambda x: _renumber_last_row(x, 2_147_483_648)),
            ("refuse", "demand", None, None, "beyond the last row"),
        ),
        Case(
            "missing-sheet-part.xlsx",
            lambda ds, out: _drop_part(ds, out, "demand"),
            ("refuse", "demand", None, None, "part xl/worksheets/"),
        ),
        # item 7: values taken silently
        Case(
            "formula-without-value.xlsx",
            lambda ds, out: _xlsx_xml(ds, out, "demand", _formula_without_value),
            ("refuse", "demand", 4, "units", "formula (=B4*2) without a stored result"),
        ),
        Case(
            "merged-cells.xlsx",
            lambda ds, out: _xlsx_xml(ds, out, "production", _merge),
            ("refuse", "production", 4, None, "cells E4:E5 are merged"),
        ),
        Case(
            "date-trailing-text.csv",
            lambda ds, out: _csv(ds, out, "milestones", edit_cell("milestones", 2, 2, "2025-06-30garbage")),
            ("refuse", "milestones", 2, "due", "is not a date"),
        ),
        Case(
            "date-bad-time.json",
            lambda ds, out: _json(ds, out, set_json("milestones", 0, "due", "2025-06-30T25:61:00")),
            ("refuse", "milestones", 1, "due", "is not a date"),
        ),
        Case(
            "list-in-text.json",
            lambda ds, out: _json(ds, out, set_json("parts", 0, "name", ["Passenger", "car"])),
            ("refuse", "parts", 1, "name", "a list is not a value"),
        ),
        Case(
            "bool-in-text.json",
            lambda ds, out: _json(ds, out, set_json("sites", 1, "region", True)),
            ("refuse", "sites", 2, "region", "a boolean is not text"),
        ),
        Case(
            "huge-number.csv",
            lambda ds, out: _csv(ds, out, "parts", edit_cell("parts", 2, 6, "1e308")),
            ("refuse", "parts", 2, "unit_value", "beyond the largest magnitude"),
        ),
        Case(
            "nan.json",
            lambda ds, out: _json(ds, out, set_json("production", 0, "capacity", float("nan"))),
            ("refuse", "production", 1, "capacity", "finite"),
        ),
        Case(
            "hs-code-dots.csv",
            lambda ds, out: _csv(ds, out, "parts", edit_cell("parts", 3, 5, "85.12")),
            ("refuse", "parts", 3, "hs_code", "4 to 10 digits"),
        ),
        Case(
            "iso2-lower.json",
            lambda ds, out: _json(
                ds, out, lambda d: [r.__setitem__("iso2", "de") for r in d["tables"]["countries"] if r["iso2"] == "DE"]
            ),
            ("refuse", "countries", 3, "iso2", "two capital letters"),
        ),
        Case(
            "lone-surrogate.json",
            lambda ds, out: _json(ds, out, set_json("sites", 0, "name", "Togliatti\ud800")),
            ("refuse", "sites", 1, "name", "lone surrogate U+D800"),
        ),
        Case(
            "nul-in-name.csv",
            lambda ds, out: _csv(ds, out, "organizations", edit_cell("organizations", 3, 1, "Optics\x00plant")),
            ("refuse", "organizations", 3, "name", "control character U+0000"),
        ),
        # item 8: files as people write them
        Case(
            "upper-case-name.csv",
            lambda ds, out: (
                _csv(ds, out, "countries", lambda t: t),
                (out / "countries.csv").rename(out / "COUNTRIES.CSV"),
            )[0],
            ("exact", None, None, None, ""),
        ),
        Case(
            "trailing-blank-lines.csv",
            lambda ds, out: _csv(ds, out, "sites", lambda t: t + "\n\n"),
            ("exact", None, None, None, ""),
        ),
        Case("excel-ru.csv", lambda ds, out: _excel_ru(ds, out), ("exact", None, None, None, "")),
        # found by tests/test_mutations.py: a sheet whose XML is damaged was not named
        Case(
            "sheet-xml-cut-short.xlsx",
            lambda ds, out: _xlsx_xml(ds, out, "demand", lambda x: x[: len(x) // 2]),
            ("refuse", "demand", None, None, "its XML is damaged"),
        ),
        Case(
            "nul-in-sheet-xml.xlsx",
            lambda ds, out: _xlsx_xml(ds, out, "sites", lambda x: x.replace("Togliatti", "Togli&#0;atti", 1)),
            ("refuse", "sites", None, None, "its XML is damaged"),
        ),
        # found by tests/test_mutations.py: a file cut short in a line took the defaults of the fields cut off
        # (time_to_recover 8 -> 0); a text spanning lines shifted the row numbers of every later record
        Case(
            "cut-in-a-line.csv",
            lambda ds, out: _csv(ds, out, "production", lambda t: t.rstrip("\n").rsplit(",", 4)[0]),
            ("refuse", "production", None, None, "row 5: 3 fields, but the header has 7"),
        ),
        Case(
            "text-over-lines.csv",
            lambda ds, out: _csv(
                ds,
                out,
                "production",
                lambda t: t.replace("12.0,,\n", '12.0,,"first line\nsecond line"\n', 1).replace(
                    "RUD,LAMP,500000.0", "RUD,LAMP,-5"
                ),
            ),
            ("refuse", "production", 5, "capacity", "must be > 0"),
        ),
        # found by tests/test_mutations.py: UTF-8 with one damaged sequence was read as Windows-1251, silently
        Case(
            "damaged-utf8-ascii.csv",
            lambda ds, out: _csv_bytes(ds, out, "bom", 2, b"CAR,LAMP,2.0,ab\xed\xa0\x80cd"),
            ("refuse", "bom", None, None, "row 2, column source: not valid UTF-8 text (bytes ED)"),
        ),
        Case(
            "damaged-utf8-cyrillic.csv",
            lambda ds, out: _csv_bytes(
                ds, out, "organizations", 3, "OPTICS-BY,Optics plant Rudensk,Оптика ".encode() + b"\xd0,BY,supplier,"
            ),
            ("refuse", "organizations", None, None, "row 3, column name_local: not valid UTF-8 text (bytes D0)"),
        ),
        # found by tests/test_mutations.py: offending rows in two chunks of a CSV read in parallel made polars panic
        Case(
            "bad-rows-in-two-chunks.csv",
            lambda ds, out: _csv(ds, out, "bom", _long_bom),
            ("refuse", "bom", 1004, "quantity", "must be > 0, got -1.5"),
        ),
    ]


def _long_bom(text: str) -> str:
    """3,000 more BOM lines (children no parts sheet has), two with a negative quantity a thousand lines apart."""
    lines = [f"CAR,X{i},1.0,estimate (material content of a vehicle; a longer note)" for i in range(3000)]
    for k in (1000, 2000):
        lines[k] = f"CAR,X{k},-1.5,estimate"
    return text + "\n".join(lines) + "\n"


def _excel_ru(ds: Dataset, out: Path) -> Path:
    """What Excel in a Russian locale writes: ';', decimal commas, Windows-1251, CRLF."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ds.tables:
        df = ds.canonical(name)
        floats = [c for c, t in df.schema.items() if t == pl.Float64]
        df = df.with_columns(
            [pl.col(c).map_elements(lambda v: repr(v).replace(".", ","), return_dtype=pl.String) for c in floats]
        )
        text = df.write_csv(separator=";", date_format="%Y-%m-%d")
        (out / f"{name}.csv").write_bytes(text.replace("\n", "\r\n").encode("cp1251"))
    return out


if __name__ == "__main__":  # pragma: no cover - writes the corpus for a person to look at
    from tests.conftest import tiny_frames

    from importsub.model.validate import check

    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    tiny = check(Dataset.from_frames("tiny", tiny_frames()))
    for case in cases():
        print(case.make(tiny, target / case.name.rsplit(".", 1)[0]))


CASES_BY_NAME = {c.name: c for c in cases()}
