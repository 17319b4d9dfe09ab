"""``importsub registry import``: the GISP open-data CSV in both encodings and both delimiters, linked to
organisations by INN/OGRN and to parts by code prefix, bad rows named by row and column."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from importsub.cli.common import run
from importsub.cli.main import app
from importsub.io.gisp import COLUMNS, link, merged, read_gisp
from importsub.model.errors import FileFormatError, ValidationError
from importsub.store import Store
from test_compliance import dataset

ROWS = [
    # Nameoforg, OGRN, INN, Orgaddr, Productmanufaddress, Regnumber, Productname, OKPD2, TNVED, Score,
    # Percentage, Docdate, Docvalidtill
    ["АО «Моторный завод»", "", "7707083893", "г. Самара", "", "10001", "Двигатель", "28.11.11", "8407",
     "", "", "10.01.2022", "31.12.2030"],
    ["ООО «Литейный завод»", "1027700132195", "", "", "Тольятти", "10002", "Блок цилиндров", "", "8409100000",
     "95", "", "2022-02-01", ""],
    ["ИП Иванов", "", "500100732259", "", "", "10003", "Фара", "", "8512", "", "12,5", "01.03.2023", "01.03.2026"],
    ["АО «Моторный завод»", "", "7707083893", "", "", "10004", "Редуктор", "", "8483", "", "", "", ""],
]  # fmt: skip


def _write(path: Path, rows: list[list[str]], *, encoding: str, sep: str) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("sep", [";", ","])
def test_both_encodings_and_delimiters_read_alike(tmp_path: Path, encoding: str, sep: str) -> None:
    df = read_gisp(_write(tmp_path / "gisp.csv", ROWS, encoding=encoding, sep=sep))
    assert df["number"].to_list() == ["10001", "10002", "10003", "10004"]
    assert df["organization_name"][0] == "АО «Моторный завод»"  # Cyrillic survives
    assert df["percentage"][2] == 12.5  # decimal comma
    assert df["doc_date"].to_list()[:2] == [date(2022, 1, 10), date(2022, 2, 1)]
    assert df["valid_until"][1] is None
    assert df["address"][1] == "Тольятти"


def test_linking_by_inn_ogrn_and_code_prefix_reports_the_rest(tmp_path: Path) -> None:
    ds = dataset()
    ds = ds.replace(registry_entries=ds.registry_entries.head(0))
    linked, unlinked = link(read_gisp(_write(tmp_path / "g.csv", ROWS, encoding="utf-8", sep=";")), ds)
    assert linked.select("number", "organization", "part").rows() == [
        ("10001", "MOTOR", "ENGINE"),  # INN, TN VED 8407
        ("10002", "BLOCK-RU", "BLOCK"),  # OGRN, TN VED 8409100000 ⊃ the part's 8409
        ("10003", None, None),
        ("10004", "MOTOR", None),
    ]
    assert [(u.row, u.number, u.what) for u in unlinked] == [(4, "10003", "organisation"), (5, "10004", "part")]
    assert "INN 500100732259" in unlinked[0].reason


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (0, "INN", "7707083894", "not a valid INN"),
        (1, "OGRN", "1027700132194", "not a valid OGRN"),
        (2, "Docdate", "31/02/2023", "not a date"),
        (2, "Percentage", "150", "out of range"),
        (3, "TNVED", "84-83", "not a TN VED code"),
        (3, "Regnumber", "", "missing value"),
    ],
)
def test_a_bad_value_names_row_and_column(tmp_path: Path, row: int, column: str, value: str, message: str) -> None:
    rows = [list(r) for r in ROWS]
    rows[row][COLUMNS.index(column)] = value
    with pytest.raises(ValidationError) as info:
        read_gisp(_write(tmp_path / "bad.csv", rows, encoding="cp1251", sep=";"))
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (row + 2, column)  # the header is row 1
    assert message in problem.message
    assert str(tmp_path / "bad.csv") in str(problem)


def test_a_file_without_the_gisp_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("id;name\n1;x\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="missing column"):
        read_gisp(path)


def test_merge_replaces_same_entries_and_keeps_others(tmp_path: Path) -> None:
    ds = dataset()
    linked, _ = link(read_gisp(_write(tmp_path / "g.csv", ROWS[:1], encoding="utf-8", sep=",")), ds)
    kept = merged(ds, linked)
    assert sorted(kept.registry_entries["number"].to_list()) == ["10001", "R-1", "R-2"]
    assert merged(ds, linked, replace=True).registry_entries["number"].to_list() == ["10001"]


def test_cli_imports_a_new_version_and_the_score_follows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from importsub.analysis.compliance import compliance_of

    db = str(tmp_path / "s.sqlite")
    store = Store(db)
    ds = dataset()
    store.write_dataset(ds.replace(registry_entries=ds.registry_entries.head(0)))
    before = compliance_of(store.read_dataset("compliance"), 2024, regime="pp719")["models"]["score [points]"][0]
    path = _write(tmp_path / "gisp.csv", ROWS, encoding="cp1251", sep=";")
    code = run(app, ["registry", "import", str(path), "--db", db, "-d", "compliance", "-f", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "version 2" in out.err
    report = json.loads(out.out)["tables"]["not linked"]
    assert [(r["row"], r["registry number"], r["not linked"]) for r in report] == [
        (4, "10003", "organisation"),
        (5, "10004", "part"),
    ]
    back = store.read_dataset("compliance")
    assert back.version == 2
    assert back.registry_entries.filter(pl.col("number") == "10001")["organization_name"][0] == "АО «Моторный завод»"
    after = compliance_of(back, 2024, regime="pp719")["models"]["score [points]"][0]
    assert after - before == 250  # the engine now has a registry entry valid in 2024
    bad = [list(r) for r in ROWS]
    bad[1][COLUMNS.index("INN")] = "123"
    bad_path = _write(tmp_path / "bad.csv", bad, encoding="utf-8", sep=",")
    code = run(app, ["registry", "import", str(bad_path), "--db", db, "-d", "compliance"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 1
    assert "nothing was written" in err
    assert "│ 3 │ INN │" in err.replace("  ", " ")
    assert store.read_dataset("compliance").version == 2  # nothing written
