"""``importsub projects list|show|impact``, ``importsub programme`` and ``importsub portfolio`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from importsub import demo
from importsub.cli.common import run
from importsub.cli.main import app
from importsub.store import Store
from test_portfolio import hand
from test_projects import lamps


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("cli") / "s.sqlite")
    store = Store(url)
    store.write_dataset(lamps(), note="first", created_by="анна")
    ds = lamps()
    store.write_dataset(
        ds.replace(projects=ds.projects.with_columns(pl.lit(7).alias("mrl"))), note="MRL up", created_by="boris"
    )
    store.write_dataset(demo.load())
    store.write_dataset(hand())
    store.close()
    return url


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(app, list(args))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_projects_list_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "projects", "list", "--db", db, "--as-of", "2025-11-29", "--year", "2028", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    rows = {r["project"]: r for r in doc["tables"]["projects"]}
    assert set(rows) == {"P-LED-RUDENSK", "P-BRAKES", "P-RINGS-ORSHA", "P-PLASTICS-TLT"}
    assert rows["P-PLASTICS-TLT"]["name_local"] == "Пластиковые автокомпоненты, Тольятти"
    assert rows["P-LED-RUDENSK"]["plan 2028 [units/yr]"] == pytest.approx(1_100_000)
    assert doc["fingerprint"]["as of"] == "2025-11-29"


def test_programme_table_and_history(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "programme", "--db", db, "--as-of", "2025-11-29")
    assert code == 0
    assert "4 of 14 public" in out
    assert "capex" in out
    code, out, _ = call(capsys, "programme", "--db", db, "-d", "lamps", "-f", "json", "-t", "history", "-t", "status")
    assert code == 0
    doc = json.loads(out)
    hist = doc["tables"]["history"]
    assert hist[0]["who"] == "boris"
    assert "mrl: 6 → 7" in hist[0]["fields"]
    assert hist[-1]["who"] == "анна"
    status = {r["status"]: r["projects"] for r in doc["tables"]["status"]}
    assert status["construction"] == 1
    assert status["programme"] == 1


def test_projects_impact_csv_and_xlsx(db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = call(capsys, "projects", "impact", "--db", db, "-d", "lamps", "--year", "2025", "-f", "csv")
    assert code == 0
    # csv to stdout holds every table, each after '# table: NAME' (issue 9 item 9: it wrote only the first)
    from importsub.reports.tables import read_csv_sections

    df = next(iter(read_csv_sections(out).values()))
    row = df.filter(pl.col("project") == "P-LAMP").row(0, named=True)
    assert row["Δ import content [pp]"] == pytest.approx(-100 * 0.04 / 1.5)
    xlsx = tmp_path / "impact.xlsx"
    code, _, _ = call(
        capsys, "projects", "impact", "--db", db, "-d", "lamps", "-y", "2026", "-f", "xlsx", "-o", str(xlsx)
    )
    assert code == 0
    wb = load_workbook(xlsx)
    assert {"summary", "oems", "balance", "fingerprint"} <= set(wb.sheetnames)


def test_projects_show(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "projects", "show", "P-LAMP", "--db", db, "-d", "lamps", "--year", "2025", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert {"project", "partners", "outputs", "ramp-up", "milestones", "impact", "oems", "history"} <= set(
        doc["tables"]
    )
    oems = {r["organization"]: r["change [pp]"] for r in doc["tables"]["oems"]}
    assert oems["VAZ"] == pytest.approx(-4.0)
    assert doc["tables"]["history"][0]["who"] == "boris"


def test_errors(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = call(capsys, "projects", "show", "P-NOPE", "--db", db)
    assert code == 1
    assert "P-NOPE" in err
    code, _, err = call(capsys, "programme", "--db", db, "--as-of", "yesterday")
    assert code == 1
    assert "YYYY-MM-DD" in err
    code, _, err = call(capsys, "projects", "list", "--db", db, "-t", "nope")
    assert code == 1
    assert "nope" in err


def test_portfolio_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = call(
        capsys, "portfolio", "--db", db, "-d", "hand", "--budget", "4e9", "-s", "S1", "-s", "S2", "-f", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert [r["project"] for r in doc["tables"]["chosen"]] == ["P-A2", "P-B"]
    summary = {r["choice"]: r for r in doc["tables"]["summary"]}
    assert summary["MIP"]["objective: expected loss [RUB]"] == pytest.approx(460_000.0)
    assert summary["greedy"]["projects"] == "P-A, P-A2"
    assert doc["fingerprint"]["budget [RUB]"] == 4e9
    assert doc["fingerprint"]["scenarios"] == ["S1", "S2"]


def test_portfolio_sweep_and_objectives(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = call(
        capsys,
        "portfolio",
        "--db",
        db,
        "-d",
        "hand",
        "-b",
        "6e9",
        "--sweep",
        "--steps",
        "4",
        "-f",
        "csv",
        "-t",
        "frontier",
    )
    assert code == 0, err
    f = pl.read_csv(out.encode())
    assert f.get_column("budget [RUB]").to_list() == [0.0, 2e9, 4e9, 6e9]
    assert f.get_column("objective: expected loss [RUB]").to_list() == pytest.approx([1e6, 760_000, 460_000, 300_000])
    # the demo: localisation of all vehicles in 2028 with the whole budget funds every project that has a host
    code, out, err = call(
        capsys, "portfolio", "--db", db, "-b", "40e9", "--objective", "localisation", "--year", "2028", "-f", "json"
    )
    assert code == 0, err
    chosen = {r["project"] for r in json.loads(out)["tables"]["chosen"]}
    assert chosen == {"P-LED-RUDENSK", "P-RINGS-ORSHA", "P-PLASTICS-TLT"}
    code, _, err = call(capsys, "portfolio", "--db", db, "-b", "1e9", "--objective", "profit")
    assert code == 1
    assert "objective" in err


def test_portfolio_methods_agree(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    docs = {}
    for method in ("mip", "benders"):
        args = ["portfolio", "--db", db, "-d", "hand", "-b", "4e9", "-s", "S1", "-s", "S2", "--method", method]
        code, out, err = call(capsys, *args, "--gap", "1e-9", "--time-limit", "60", "-f", "json")
        assert code == 0, err
        docs[method] = json.loads(out)
    for method, doc in docs.items():
        solve = doc["tables"]["solve"][0]
        assert solve["solve method"] == method
        assert solve["solve status"] == "optimal"
        assert solve["optimality gap [%]"] == pytest.approx(0.0, abs=1e-6)
        assert [r["project"] for r in doc["tables"]["chosen"]] == ["P-A2", "P-B"]
        assert doc["fingerprint"]["method"] == method
    for a, b in zip(docs["benders"]["tables"]["scenarios"], docs["mip"]["tables"]["scenarios"], strict=True):
        assert a["loss, MIP [RUB]"] == pytest.approx(b["loss, MIP [RUB]"], rel=1e-9)
    code, _, err = call(capsys, "portfolio", "--db", db, "-d", "hand", "-b", "4e9", "--method", "simplex")
    assert code == 1
    assert "method" in err
