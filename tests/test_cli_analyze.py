"""``importsub analyze …`` end to end: a SQLite store in tmp_path, every command, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from importsub.cli.common import run
from importsub.cli.main import app
from importsub.store import Store
from test_compile import three_tier


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = str(tmp_path / "s.sqlite")
    Store(url).write_dataset(three_tier())
    return url


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(app, list(args))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_localisation_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "analyze", "localisation", "--db", db, "-d", "three-tier", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["fingerprint"]["dataset"] == "three-tier"
    assert doc["fingerprint"]["version"] == 1
    assert doc["fingerprint"]["group"] == "union"
    assert doc["fingerprint"]["year"] == 2024
    car = doc["tables"]["vehicles"][0]
    assert car["part"] == "CAR"
    assert car["import content [%]"] == pytest.approx(1.52)
    assert set(doc["tables"]) >= {"vehicles", "oems", "origins", "tiers", "entry points", "paths", "nodes"}


def test_localisation_options(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    # BY only, year 2023: the car's BY content is the lamps' 0.04 × 0.9 = 3.6 %
    code, out, _ = call(
        capsys,
        "analyze",
        "localisation",
        "--db",
        db,
        "-d",
        "three-tier",
        "--group",
        "BY",
        "--year",
        "2023",
        "-f",
        "json",
        "-t",
        "vehicles",
    )
    assert code == 0
    doc = json.loads(out)
    assert list(doc["tables"]) == ["vehicles"]
    assert doc["tables"]["vehicles"][0]["domestic content [%]"] == pytest.approx(3.6)
    assert doc["fingerprint"]["year"] == 2023
    code, out, _ = call(capsys, "analyze", "localisation", "--db", db, "-d", "three-tier", "-s", "boom", "-f", "json")
    assert json.loads(out)["tables"]["vehicles"][0]["demand [units/yr]"] == pytest.approx(1_500.0)


def test_terminal_table(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "analyze", "localisation", "--db", db, "-d", "three-tier")
    assert code == 0
    # the terminal shows the summary tables (not the per-node table): the car's 98.48 % and its DE entry point
    assert "vehicles" in out
    assert "entry points" in out
    assert not any(line.strip() == "nodes" for line in out.splitlines())
    assert "98.48" in out
    assert "BRK-DE" in out


def test_other_commands(db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = call(capsys, "analyze", "concentration", "--db", db, "-d", "three-tier", "-f", "json")
    assert code == 0
    chokes = json.loads(out)["tables"]["choke points"]
    assert [c["supplier"] for c in chokes] == ["LED-CN"]
    code, out, _ = call(capsys, "analyze", "balance", "--db", db, "-d", "three-tier", "-f", "csv", "-t", "parts")
    assert code == 0
    assert out.splitlines()[0].startswith("year,part,category,demand [units/yr]")
    assert out.splitlines()[1].startswith("2024,PAD,braking,6000.0")
    code, out, _ = call(capsys, "analyze", "balance", "--db", db, "-d", "three-tier", "--all-years", "-f", "json")
    assert [s["year"] for s in json.loads(out)["tables"]["summary"]] == [2023, 2024]
    xlsx = tmp_path / "m.xlsx"
    code, _, _ = call(capsys, "analyze", "matching", "--db", db, "-d", "three-tier", "-f", "xlsx", "-o", str(xlsx))
    assert code == 0
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert {"parts", "no candidate", "candidates", "fingerprint"} <= set(wb.sheetnames)
    header = [c.value for c in wb["candidates"][1]]
    assert "distance [km]" in header


def test_errors_are_clear(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = call(capsys, "analyze", "localisation", "--db", db, "-d", "three-tier", "--group", "eaeu")
    assert code == 1
    assert "unknown country group 'eaeu'" in err
    code, _, err = call(capsys, "analyze", "balance", "--db", db, "-d", "three-tier", "--year", "2030")
    assert code == 1
    assert "no demand in year 2030" in err
    assert "2023, 2024" in " ".join(err.split())
    code, _, err = call(capsys, "analyze", "matching", "--db", db, "-d", "three-tier", "-t", "nope")
    assert code == 1
    assert "no table 'nope'" in err
    code, _, err = call(capsys, "analyze", "localisation", "--db", db, "-d", "missing-dataset")
    assert code == 1
    assert "missing-dataset" in err


def test_csv_to_stdout_has_every_table(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "analyze", "balance", "--db", db, "-d", "three-tier", "-f", "csv")
    assert code == 0
    sections = [line for line in out.splitlines() if line.startswith("# table: ")]
    assert sections == ["# table: summary", "# table: parts", "# table: pools"]
    code, out, _ = call(capsys, "analyze", "localisation", "--db", db, "-d", "three-tier", "-f", "csv")
    assert [line[9:] for line in out.splitlines() if line.startswith("# table: ")][:3] == [
        "vehicles",
        "oems",
        "categories",
    ]
