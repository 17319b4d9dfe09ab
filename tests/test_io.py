"""import -> export -> import gives identical data, in every format, Cyrillic included."""

from __future__ import annotations

import os
import string
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub.io import read_path, write_path
from importsub.io.xlsx import write_template
from importsub.model.dataset import Dataset, polars_schema
from importsub.model.schema import TABLES, Field, RecordType

ALPHABET = (
    string.ascii_letters
    + string.digits
    + "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяІіЎў"
    + " -_.,/()№«»\"'"
)


def _text() -> st.SearchStrategy[str]:
    return st.text(alphabet=ALPHABET, min_size=1, max_size=12).filter(lambda s: s.strip() == s and s != "")


def _value(f: Field) -> st.SearchStrategy[object]:
    base: st.SearchStrategy[object]
    if f.type == "str":
        base = _text()
    elif f.type == "int":
        base = st.integers(-(10**9), 10**9)
    elif f.type == "float":
        base = st.floats(
            allow_nan=False, allow_infinity=False, allow_subnormal=False, min_value=-1e15, max_value=1e15
        ).map(lambda v: v + 0.0)
    elif f.type == "bool":
        base = st.booleans()
    else:
        base = st.dates(date(1900, 1, 1), date(2200, 12, 31))
    if not f.required and f.default is None:
        return st.none() | base
    return base


@st.composite
def _table(draw: st.DrawFn, rt: RecordType) -> pl.DataFrame:
    n = draw(st.integers(0, 4))
    rows = [{f.name: draw(_value(f)) for f in rt.fields} for _ in range(n)]
    df = pl.DataFrame(rows, schema=polars_schema(rt), orient="row") if rows else pl.DataFrame(schema=polars_schema(rt))
    return df.unique(subset=list(rt.key), keep="first", maintain_order=True)


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    return Dataset.from_frames("гипотеза", {rt.name: draw(_table(rt)) for rt in TABLES})


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(ds=datasets())
def test_roundtrip_any_records(fmt: str, ds: Dataset) -> None:
    """import -> export -> import is identical in every format.

    CSV and JSON also keep any double exactly; xlsx stores 16 significant
    digits (openpyxl, like Excel's own 15), so a value first written from
    memory may move in its 17th digit, and from then on round-trips exactly.
    """
    suffix = {"csv": "", "json": ".json", "xlsx": ".xlsx"}[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        first = Path(tmp) / f"first{suffix}"
        write_path(ds, first, fmt)
        imported = read_path(first, validate=False)
        second = Path(tmp) / f"second{suffix}"
        write_path(imported, second, fmt)
        again = read_path(second, validate=False)
        assert again.equals(imported), [n for n in ds.tables if not again.canonical(n).equals(imported.canonical(n))]
        if fmt == "xlsx":
            for name in ds.tables:
                a, b = ds.canonical(name), imported.canonical(name)
                assert a.schema == b.schema
                for col, dtype in a.schema.items():
                    if dtype == pl.Float64:
                        x, y = a.get_column(col).to_numpy(), b.get_column(col).to_numpy()
                        both_null = np.isnan(x) & np.isnan(y)
                        assert ((x == y) | both_null | (abs(x - y) <= 1e-15 * abs(x))).all(), (name, col)
                    else:
                        assert a.get_column(col).equals(b.get_column(col)), (name, col)
        else:
            assert imported.equals(ds), [n for n in ds.tables if not imported.canonical(n).equals(ds.canonical(n))]


@pytest.mark.parametrize("suffix", ["", ".json", ".xlsx"])
def test_roundtrip_validated(tiny: Dataset, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"tiny{suffix}"
    write_path(tiny, path)
    back = read_path(path)
    assert back.equals(tiny)
    assert back.fingerprint() == tiny.fingerprint()
    assert "Руденск" in back.sites.get_column("name_local").to_list()


def test_template_has_units_and_notes(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    write_template(path)
    wb = load_workbook(path)
    assert {rt.name for rt in TABLES} <= set(wb.sheetnames)
    ws = wb["production"]
    header = [c.value for c in ws[1]]
    assert header == [f.name for f in TABLES[6].fields]
    units = [c.value for c in ws[2]]
    assert "[units/yr]" in units
    assert "[weeks]" in units
    notes = [c.value for c in ws[3]]
    assert any("required" in (n or "") for n in notes)
    # an empty template reads as an empty dataset
    assert sum(read_path(path).counts().values()) == 0


def test_xlsx_without_units_rows(tiny: Dataset, tmp_path: Path) -> None:
    """A sheet typed by hand (header then data) reads too."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "countries"
    ws.append(["iso2", "name", "name_local"])
    ws.append(["BY", "Belarus", "Беларусь"])
    ws.append([None, None, None])  # blank rows are skipped
    ws.append(["RU", "Russia", "Россия"])
    path = tmp_path / "hand.xlsx"
    wb.save(path)
    ds = read_path(path)
    assert ds.countries.get_column("name_local").to_list() == ["Беларусь", "Россия"]


def test_demo_xlsx_opens_in_libreoffice_and_reimports(tmp_path: Path) -> None:
    """The demo exported to xlsx opens in LibreOffice and re-imports identically."""
    import shutil
    import subprocess

    from importsub.demo import load

    demo = load()
    path = tmp_path / "demo.xlsx"
    write_path(demo, path)
    assert read_path(path).equals(demo)
    lo = shutil.which("libreoffice") or shutil.which("soffice")
    if lo is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is installed by .ci/run; it is missing")
        pytest.skip("LibreOffice not installed")
    out = tmp_path / "lo"
    subprocess.run(
        [
            lo,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "csv",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (out / "demo.csv").read_text(encoding="utf-8", errors="replace")
    assert "importsub dataset" in text  # the first sheet (about) as LibreOffice read it
