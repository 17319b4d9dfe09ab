"""Result tables keep their units in every format (rich markup must not eat "[units/yr]")."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
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
