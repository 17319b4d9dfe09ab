"""``importsub shock …`` and ``importsub scenario …`` end to end on a SQLite store in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from importsub.cli.common import run
from importsub.cli.main import app
from importsub.demo import load
from importsub.store import Store
from test_disruption import flexible_plants


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("shock") / "s.sqlite")
    store = Store(url)
    store.write_dataset(load())
    store.write_dataset(flexible_plants())
    return url


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(app, list(args))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_run_json_is_clean_and_exact(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = call(capsys, "shock", "run", "p1-4w", "--db", db, "-d", "flexible", "-f", "json")
    assert code == 0, err
    doc = json.loads(out)  # nothing but JSON on stdout (no solver banner)
    s = doc["tables"]["summary"][0]
    assert s["performance impact [RUB]"] == pytest.approx(1600.0)
    assert doc["fingerprint"]["scenario"] == "p1-4w"
    assert doc["fingerprint"]["dataset"] == "flexible"
    assert {"summary", "vehicles", "oems", "why", "targets"} <= set(doc["tables"])
    code, out, _ = call(capsys, "shock", "run", "p1-4w", "--db", db, "-d", "flexible", "--weeks", "2", "-f", "json")
    assert json.loads(out)["tables"]["summary"][0]["performance impact [RUB]"] == 0.0


def test_run_demo_scenarios(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = call(capsys, "shock", "run", "cn-8w", "--db", db, "-f", "csv")
    assert code == 0, err
    # csv to stdout writes every table, each after a "# table: NAME" line (issue 9 item 9: it wrote only one)
    section, header, row = out.splitlines()[:3]
    assert section == "# table: summary"
    assert header.startswith("scenario,window [weeks]")
    assert row.startswith("cn-8w,8.0")
    code, out, _ = call(capsys, "shock", "run", "external-12w", "--db", db, "-f", "json", "-t", "why")
    why = json.loads(out)["tables"]["why"]
    assert why
    assert any("qualified supplier" in w["why"] for w in why)


def test_run_errors(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = call(capsys, "shock", "run", "no-such", "--db", db)
    assert code == 1
    assert out == ""
    assert "unknown scenario 'no-such'" in err


def test_sweep_tts_montecarlo(db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = call(
        capsys, "shock", "sweep", "--by", "site", "--weeks", "4", "--db", db, "-d", "flexible", "-f", "json"
    )
    assert code == 0, err
    targets = json.loads(out)["tables"]["targets"]
    assert [t["target"] for t in targets][:1] in (["M"], ["P1"])
    assert {t["target"]: t["performance impact [RUB]"] for t in targets}["P1"] == pytest.approx(1600.0)
    code, out, err = call(capsys, "shock", "tts", "--node", "P1/A0", "--db", db, "-d", "flexible", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["tables"]["nodes"][0]["TTS [weeks]"] == pytest.approx(5.0, abs=1e-3)
    xlsx = tmp_path / "mc.xlsx"
    code, _, err = call(
        capsys, "shock", "montecarlo", "--runs", "300", "--seed", "2", "--db", db, "-f", "xlsx", "--out", str(xlsx)
    )
    assert code == 0, err
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert {"summary", "oems", "distribution", "worst 1%", "fingerprint"} <= set(wb.sheetnames)
    code, out, _ = call(capsys, "shock", "montecarlo", "--runs", "300", "--seed", "2", "--db", db, "-f", "json")
    doc = json.loads(out)
    assert doc["fingerprint"]["runs"] == 300
    assert doc["tables"]["summary"][0]["expected loss [RUB]"] >= 0
    code, _, err = call(capsys, "shock", "sweep", "--by", "planet", "--db", db, "-d", "flexible")
    assert code == 1
    assert "unknown sweep target" in err


def test_scenarios_list_show_copy_set_compare(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "scenario", "list", "--db", db, "-f", "json")
    names = [r["name"] for r in json.loads(out)["tables"]["scenarios"]]
    assert "rudensk-4w" in names
    code, out, _ = call(capsys, "scenario", "show", "rudensk-4w", "--db", db, "-f", "json")
    dis = json.loads(out)["tables"]["disruptions"]
    assert dis == [
        {"kind": "site", "target": "RUDENSK", "severity [fraction]": 1.0, "duration [weeks]": 4.0, "recovery": "linear"}
    ]
    before = Store(db).versions("by-ru-auto")[-1].version
    code, _, err = call(
        capsys, "scenario", "copy", "rudensk-4w", "rudensk-8w", "--description", "Руденск, 8 недель", "--db", db
    )
    assert code == 0, err
    code, _, err = call(
        capsys,
        "scenario",
        "set",
        "rudensk-8w",
        "--remove",
        "site:RUDENSK",
        "--disrupt",
        "site:RUDENSK:1:8:instant",
        "--disrupt",
        "country:CN:0.5:6",
        "--db",
        db,
    )
    assert code == 0, err
    versions = Store(db).versions("by-ru-auto")
    assert versions[-1].version == before + 2
    assert "rudensk-8w" in (versions[-1].note or "")
    assert "country CN" in (versions[-1].note or "")
    code, out, _ = call(capsys, "scenario", "show", "rudensk-8w", "--db", db, "-f", "json")
    doc = json.loads(out)["tables"]
    assert doc["scenario"][0]["description"] == "Руденск, 8 недель"
    assert {(d["kind"], d["target"], d["duration [weeks]"]) for d in doc["disruptions"]} == {
        ("site", "RUDENSK", 8.0),
        ("country", "CN", 6.0),
    }
    # a bad target writes nothing
    code, _, err = call(capsys, "scenario", "set", "rudensk-8w", "--disrupt", "site:ATLANTIS:1:2", "--db", db)
    assert code == 1
    assert "ATLANTIS" in err
    assert Store(db).versions("by-ru-auto")[-1].version == before + 2
    code, out, err = call(capsys, "scenario", "compare", "rudensk-4w", "rudensk-8w", "--db", db, "-f", "json")
    assert code == 0, err
    tables = json.loads(out)["tables"]
    pis = [r["performance impact [RUB]"] for r in tables["summary"]]
    assert pis[1] >= pis[0] > 0


def test_time_inside_the_window_on_the_demo(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 9 item 1: a longer window never loses less; the country sweep ranks CN at least as high as its 8-week cut."""
    pis = {}
    for weeks in ("8", "16"):
        code, out, err = call(capsys, "shock", "run", "cn-8w", "--weeks", weeks, "--db", db, "-f", "json")
        assert code == 0, err
        doc = json.loads(out)["tables"]
        pis[weeks] = doc["summary"][0]["performance impact [RUB]"]
        assert {"start [weeks]", "end [weeks]", "extra lost margin [RUB]"} <= set(doc["periods"][0])
    assert pis["8"] > 0
    assert pis["16"] >= pis["8"] * (1 - 1e-9)
    code, out, err = call(capsys, "shock", "sweep", "--by", "country", "--year", "2025", "--db", db, "-f", "json")
    assert code == 0, err
    rows = {r["target"]: r["performance impact [RUB]"] for r in json.loads(out)["tables"]["targets"]}
    assert rows["CN"] >= pis["8"] * (1 - 1e-9)
    code, out, err = call(capsys, "shock", "run", "cn-8w", "--weeks", "16", "--backlog", "1", "--db", db, "-f", "json")
    assert code == 0, err
    assert json.loads(out)["tables"]["summary"][0]["performance impact [RUB]"] <= pis["16"] * (1 + 1e-9)
    code, out, err = call(capsys, "shock", "run", "cn-8w", "--backlog", "2", "--db", db)
    assert code != 0


def test_tts_of_a_scenario_and_a_site(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = call(capsys, "shock", "tts", "--scenario", "p1-4w", "-d", "flexible", "--db", db, "-f", "json")
    assert code == 0, err
    (row,) = json.loads(out)["tables"]["scenario"]
    assert row["TTS [weeks]"] == pytest.approx(200 / 90, abs=1e-3)  # P1 down: the hand-worked plant TTS
    code, out, err = call(
        capsys, "shock", "tts", "--site", "P1", "--site", "P2", "-d", "flexible", "--db", db, "-f", "json"
    )
    assert code == 0, err
    sites = {r["site"]: r["TTS [weeks]"] for r in json.loads(out)["tables"]["sites"]}
    assert sites == pytest.approx({"P1": 200 / 90, "P2": 200 / 30}, abs=1e-3)
