"""Result tables keep their units in every format (rich markup must not eat "[units/yr]")."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from importsub.reports.tables import emit


def _df() -> pl.DataFrame:
    return pl.DataFrame(
        {"site": ["Руденск", "[x]"], "capacity [units/yr]": [1000.0, 2.5e6], "share [%]": [12.5, 0.001]}
    )


def test_table_keeps_units(tmp_path: Path) -> None:
    out = tmp_path / "t.txt"
    emit(_df(), "table", out, title="result [test]", fingerprint={"dataset": "demo", "year": 2025})
    text = out.read_text(encoding="utf-8")
    assert "[units/yr]" in text
    assert "[%]" in text
    assert "Руденск" in text
    assert "[x]" in text
    assert "2,500,000" in text
    assert "1,000" in text
    assert "dataset=demo" in text


def test_json_csv_xlsx(tmp_path: Path) -> None:
    emit({"a": _df(), "b": _df().head(1)}, "json", tmp_path / "r.json", fingerprint={"year": 2025})
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["fingerprint"] == {"year": 2025}
    assert doc["tables"]["a"][0]["capacity [units/yr]"] == 1000.0
    emit({"a": _df(), "b": _df()}, "csv", tmp_path / "r.csv")
    assert pl.read_csv(tmp_path / "r.csv").columns == _df().columns
    assert (tmp_path / "r-b.csv").exists()
    emit({"a": _df()}, "xlsx", tmp_path / "r.xlsx", fingerprint={"year": 2025})
    wb = load_workbook(tmp_path / "r.xlsx")
    assert [c.value for c in wb["a"][1]] == _df().columns
    assert wb["a"]["A2"].value == "Руденск"
    assert wb["fingerprint"]["B2"].value == 2025


def test_csv_to_stdout_writes_every_table(capsys) -> None:  # type: ignore[no-untyped-def]
    """Issue 9 item 9: every table goes to stdout, one section each after a '# table: NAME' line."""
    import io

    from importsub.reports.tables import CSV_SECTION

    emit({"first table": _df(), "b": _df().head(1)}, "csv")
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0] == f"{CSV_SECTION}first table"
    assert f"{CSV_SECTION}b" in lines
    sections = text.split(CSV_SECTION)[1:]
    assert [s.splitlines()[0] for s in sections] == ["first table", "b"]
    first = pl.read_csv(io.StringIO(sections[0].split("\n", 1)[1]))
    assert first.equals(_df())
    assert pl.read_csv(io.StringIO(sections[1].split("\n", 1)[1])).height == 1
    from importsub.reports.tables import read_csv_sections

    back = read_csv_sections(text)
    assert list(back) == ["first table", "b"]
    assert back["first table"].equals(_df())
    # one table: plain CSV, straight into any reader
    emit({"only": _df()}, "csv")
    assert pl.read_csv(io.StringIO(capsys.readouterr().out)).equals(_df())


def test_csv_file_names_have_no_spaces(tmp_path: Path) -> None:
    from importsub.reports.tables import csv_file_names

    tables = {"summary": _df(), "first breach": _df(), "localisation: vehicles": _df(), "first-breach": _df()}
    emit(tables, "csv", tmp_path / "out.csv")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["out.csv", "out-first_breach.csv", "out-localisation_vehicles.csv", "out-first-breach.csv"])
    assert all(" " not in n for n in names)
    assert pl.read_csv(tmp_path / "out-first_breach.csv").equals(_df())
    # names that would collide get a number
    paths = csv_file_names(tmp_path / "r.csv", ["a", "x y", "x_y", "x:y"])
    assert [p.name for p in paths.values()] == ["r.csv", "r-x_y.csv", "r-x_y_2.csv", "r-x_y_3.csv"]


@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["en", "ru"]),
)
@example([15384.615384615385, 0.1 + 0.2, 5e-324, -1.7976931348623157e308, 123.0, -0.0], 2 / 3, "ru")
@settings(max_examples=60, deadline=None)
def test_xlsx_keeps_every_float_exactly(values: list[float], parameter: float, lang: str) -> None:
    """Any finite double reads back from the XLSX as the same double (openpyxl alone writes 16 significant
    digits: 15384.615384615385 would come back as 15384.61538461538), in the tables and the fingerprint."""
    import io

    from importsub.reports.tables import write_xlsx

    df = pl.DataFrame({"site": [f"s{i}" for i in range(len(values))], "lost margin [RUB]": values})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.xlsx"
        write_xlsx({"t": df}, path, fingerprint={"parameter": parameter}, lang=lang)
        wb = load_workbook(io.BytesIO(path.read_bytes()))
    table, *_, fingerprint = wb.worksheets
    back = [row[1] for row in table.iter_rows(min_row=2, values_only=True)]
    assert all(type(v) is float for v in back), back
    assert back == values
    assert [math.copysign(1.0, v) for v in back] == [math.copysign(1.0, v) for v in values]  # -0.0 too
    (stored,) = [row[1] for row in fingerprint.iter_rows(min_row=2, values_only=True)]
    assert type(stored) is float
    assert stored == parameter
