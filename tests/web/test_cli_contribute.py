"""``importsub contribute`` and ``importsub contributions``: the web service's contribution rules from the command
line (ownership, validation, contradictions, draft cap, the programme's decision), on the web tests' store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from webenv import AVTO_CAPACITY, Env, make_env, secret_texts

from importsub.cli.common import run
from importsub.cli.main import app
from importsub.store import contributions as stored


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    db = tmp_path / "cli.sqlite"
    monkeypatch.setenv("IMPORTSUB_DB", str(db))
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("IMPORTSUB_DEBUG", raising=False)
    yield from make_env(str(db))


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(app, list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _slice(folder: Path, **tables: str) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


AVTO_SLICE = {
    "inventory": "site,part,units\nAVTO-TLT,BRK,2500\n",
    "production": "site,part,capacity,unit_value,time_to_recover\nAVTO-TLT,CAR,150000,987654,6\n",
}


def _drafts(env: Env) -> list[stored.Contribution]:
    with env.store.engine.connect() as conn:
        return stored.list_contributions(conn, dataset="plant", every_organization=True)


def test_contribute_then_the_programme_accepts_into_a_version(
    cli_env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = cli_env
    before = env.store.versions("plant")[-1].version
    folder = _slice(tmp_path / "avto", **AVTO_SLICE)
    code, _out, err = cli(capsys, "contribute", str(folder), "-d", "plant", "--as", "avto", "--note", "склад 2026")
    assert code == 0, err
    (c,) = _drafts(env)
    assert f"submitted contribution {c.id} to plant as a draft" in err
    assert (c.status, c.organization, c.username, c.note, c.base_version) == (
        "draft",
        "AVTO",
        "avto",
        "склад 2026",
        before,
    )
    assert env.store.versions("plant")[-1].version == before  # a draft changes nothing

    code, out, err = cli(capsys, "contributions", "list", "-d", "plant", "--as", "ministry", "--format", "json")
    assert code == 0, err
    listed = json.loads(out)["tables"]["contributions to plant"]
    assert [(r["contribution"], r["status"], r["organisation"]) for r in listed] == [(c.id, "draft", "AVTO")]

    # the programme sees which values change, not AVTO's figures; AVTO sees its own
    code, out, err = cli(capsys, "contributions", "show", str(c.id), "--as", "ministry", "--format", "json")
    assert code == 0, err
    changes = json.loads(out)["tables"]["changes against the latest version"]
    assert {(r["table"], r["record"], r["field"], r["change"]) for r in changes} == {
        ("inventory", "AVTO-TLT|BRK", "units", "added"),
        ("production", "AVTO-TLT|CAR", "capacity", "changed"),
        ("production", "AVTO-TLT|CAR", "time_to_recover", "changed"),
    }
    assert {r["latest"] for r in changes if r["field"] in ("units", "capacity")} == {"hidden"}
    assert not any(text in out for text in secret_texts((AVTO_CAPACITY,)))
    code, out, _err = cli(capsys, "contributions", "show", str(c.id), "--as", "avto", "--format", "json")
    mine = {r["field"]: r for r in json.loads(out)["tables"]["changes against the latest version"]}
    assert (float(mine["capacity"]["latest"]), float(mine["capacity"]["draft"])) == (AVTO_CAPACITY, 150000.0)

    # an analyst cannot decide; the programme accepts: the new version holds the file's records
    code, _out, err = cli(capsys, "contributions", "accept", str(c.id), "--as", "avto")
    assert code == 1
    assert "only the programme or an administrator" in err
    code, _out, err = cli(capsys, "contributions", "accept", str(c.id), "--as", "ministry")
    assert code == 0, err
    assert f"accepted contribution {c.id} into plant version {before + 1}" in err
    new = env.store.read_dataset("plant")
    assert new.version == before + 1
    stock = new.inventory.filter(pl.col("site") == "AVTO-TLT").select("part", "units").rows()
    assert stock == [("BRK", 2500.0)]
    car = new.production.filter(pl.col("site") == "AVTO-TLT").row(0, named=True)
    assert (car["capacity"], car["time_to_recover"]) == (150000.0, 6.0)
    with env.store.engine.connect() as conn:
        entries = stored.provenance_of(conn, dataset="plant")
    assert {(e.table, e.field, e.contribution_id, e.accepted_by) for e in entries} >= {
        ("inventory", "units", c.id, "ministry")
    }
    code, _out, err = cli(capsys, "contributions", "accept", str(c.id), "--as", "ministry")
    assert code == 1
    assert "already accepted" in err


def test_rows_of_another_organisation_are_refused_naming_the_row_and_why(
    cli_env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _slice(tmp_path / "foreign", production="site,part,capacity,unit_value\nBRAKE-MSK,BRK,1,1\n")
    code, _out, err = cli(capsys, "contribute", str(folder), "-d", "plant", "--as", "avto")
    assert code == 1
    assert "avto may not change some of these records" in err
    assert "production.csv" in err
    assert "BRAKE-MSK" in err
    assert "only its users" in err
    assert _drafts(cli_env) == []
    # a viewer only reads; a bad cell is named by file, row and column
    code, _out, err = cli(
        capsys, "contribute", str(_slice(tmp_path / "ok", **AVTO_SLICE)), "-d", "plant", "--as", "viewer"
    )
    assert code == 1
    assert "can only read" in err
    bad = _slice(tmp_path / "bad", inventory="site,part,units\nAVTO-TLT,BRK,a lot\n")
    code, _out, err = cli(capsys, "contribute", str(bad), "-d", "plant", "--as", "avto")
    assert code == 1
    assert "inventory.csv" in err
    assert "units" in err
    assert _drafts(cli_env) == []
    code, _out, err = cli(capsys, "contribute", str(bad), "-d", "plant", "--as", "nobody")
    assert code == 1
    assert "no active user" in err


def test_contradictions_rejection_and_who_reads_a_draft(
    cli_env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # AVTO names a supplier that does not make the part, and its shares no longer sum to 1
    links = "buyer,part,supplier,share\nAVTO-TLT,BRK,PAD-CN,0.2\n"
    code, _out, err = cli(
        capsys, "contribute", str(_slice(tmp_path / "l", supply_links=links)), "--as", "avto", "-d", "plant"
    )
    assert code == 0, err
    assert "2 contradiction(s)" in err
    assert "PAD-CN has no production of BRK" in err
    (c,) = _drafts(cli_env)
    code, out, _err = cli(capsys, "contributions", "show", str(c.id), "--as", "ministry", "--format", "json")
    kinds = {f["kind"] for f in json.loads(out)["tables"]["contradictions"]}
    assert kinds == {"supplier does not make the part", "shares do not sum to 1"}
    # another organisation does not see the draft at all; the programme rejects it with a reason
    code, _out, err = cli(capsys, "contributions", "show", str(c.id), "--as", "brake")
    assert (code, f"no contribution {c.id}" in err) == (1, True)
    code, out, _err = cli(capsys, "contributions", "list", "-d", "plant", "--as", "brake", "--format", "json")
    assert json.loads(out)["tables"]["contributions to plant"] == []
    code, _out, err = cli(
        capsys, "contributions", "reject", str(c.id), "--as", "ministry", "--reason", "доли не равны 1"
    )
    assert code == 0, err
    code, out, _err = cli(capsys, "contributions", "list", "-d", "plant", "--as", "avto", "--format", "json")
    (row,) = json.loads(out)["tables"]["contributions to plant"]
    assert (row["status"], row["decided by"], row["reason"]) == ("rejected", "ministry", "доли не равны 1")


def test_the_draft_cap_of_the_service_applies(
    cli_env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPORTSUB_MAX_OPEN_DRAFTS_PER_ORGANIZATION", "1")
    folder = _slice(tmp_path / "avto", **AVTO_SLICE)
    assert cli(capsys, "contribute", str(folder), "-d", "plant", "--as", "avto")[0] == 0
    code, _out, err = cli(capsys, "contribute", str(folder), "-d", "plant", "--as", "avto")
    assert code == 1
    assert "Organisation AVTO already has 1 drafts waiting" in err
    assert len(_drafts(cli_env)) == 1
    brake = _slice(tmp_path / "brake", inventory="site,part,units\nBRAKE-MSK,PAD,10\n")
    assert cli(capsys, "contribute", str(brake), "-d", "plant", "--as", "brake")[0] == 0  # its own cap
