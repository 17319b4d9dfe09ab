"""Programme tracking: milestone slip, status counts (4 of 14), capacity online vs plan, capex,
editing history from the store's versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from importsub import demo
from importsub.analysis.programme import history, milestones, programme_summary, project_card, project_list
from importsub.model.dataset import Dataset
from importsub.model.errors import NotFoundError
from importsub.store import Store
from test_projects import lamps

AS_OF = dt.date(2025, 11, 29)


def test_demo_milestones_by_hand() -> None:
    m = milestones(demo.load(), AS_OF)
    by = {(r["project"], r["milestone"]): r for r in m.iter_rows(named=True)}
    # done 2023-09-15 against due 2023-06-30: 77 days late
    r = by[("P-LED-RUDENSK", "Investment agreement signed")]
    assert (r["state"], r["slip [days]"]) == ("done late", 77)
    # not done, due 2024-12-31, as of 2025-11-29: 333 days overdue
    r = by[("P-BRAKES", "Host site chosen")]
    assert (r["state"], r["slip [days]"]) == ("overdue", 333)
    r = by[("P-RINGS-ORSHA", "First rolled rims")]
    assert (r["state"], r["slip [days]"]) == ("open", 0)
    # on the due date itself a milestone is not yet overdue
    due = dt.date(2026, 12, 31)
    assert by[("P-PLASTICS-TLT", "3 million parts a year")]["due"] == due
    m2 = milestones(demo.load(), due).filter(pl.col("milestone") == "3 million parts a year")
    assert m2.get_column("state").item() == "open"
    assert (
        milestones(demo.load(), due + dt.timedelta(days=3))
        .filter(pl.col("milestone") == "3 million parts a year")
        .get_column("slip [days]")
        .item()
        == 3
    )


def test_demo_programme_summary() -> None:
    r = programme_summary(demo.load(), AS_OF, programme_size=14)
    status = dict(r["status"].select("status", "projects").iter_rows())
    assert status["planned"] == status["financing"] == status["construction"] == status["ramp-up"] == 1
    assert status["operating"] == status["halted"] == 0
    assert status["not public"] == 10
    assert status["programme"] == 14
    assert r["status"].filter(pl.col("status") == "programme").get_column("note").item() == "4 of 14 public"
    mrl = dict(r["readiness"].select("MRL", "projects").iter_rows())
    assert [mrl[k] for k in (4, 5, 7, 8)] == [1, 1, 1, 1]
    assert sum(mrl.values()) == 4
    # 2025 plan: LED 0.2 × 610,000 = 122,000 (construction: not online); plastics 0.4 × 5,000,000 online
    cap = r["capacity"].filter(pl.col("project") == "total").row(0, named=True)
    assert cap["plan [units/yr]"] == pytest.approx(220_000 + 2_000_000)
    assert cap["online [units/yr]"] == pytest.approx(2_000_000)
    # committed: LED (construction) 6e9 + plastics (ramp-up) 3e9; spent: half the milestones done of each
    capex = r["capex"].filter(pl.col("project") == "total").row(0, named=True)
    assert capex["committed [RUB]"] == pytest.approx(9e9)
    assert capex["spent [RUB]"] == pytest.approx(6e9 * 2 / 4 + 3e9 * 2 / 4)
    ms = dict(r["milestones"].select("state", "milestones").iter_rows())
    assert ms == {"done on time": 0, "done late": 6, "overdue": 4, "open": 5}
    assert "definitions" in r.fingerprint


def test_programme_size_defaults_to_dataset() -> None:
    r = programme_summary(lamps(), AS_OF)
    assert r["status"].filter(pl.col("status") == "programme").get_column("note").item() == "1 of 1 public"
    # the demo carries its size in its programme record
    r = programme_summary(demo.load(), AS_OF)
    assert r["status"].filter(pl.col("status") == "programme").get_column("projects").item() == 14


def test_project_list_and_card() -> None:
    ds = demo.load()
    lst = project_list(ds, AS_OF, 2028)["projects"]
    assert lst.height == 4
    led = lst.filter(pl.col("project") == "P-LED-RUDENSK").row(0, named=True)
    assert led["host country"] == "BY"
    assert led["partner countries"] == "BY, RU"
    assert (led["milestones"], led["done"], led["overdue"]) == (4, 2, 1)
    assert led["plan 2028 [units/yr]"] == pytest.approx(1_100_000)  # full ramp-up: the sum of its outputs
    assert led["online 2028 [units/yr]"] == 0.0  # still in construction
    assert led["next milestone"] == "LED module line installed"
    card = project_card(ds, "P-PLASTICS-TLT", AS_OF)
    curve = card["ramp-up"].filter(pl.col("part") == "CMP-DOOR-TRIM")
    assert curve.get_column("capacity [units/yr]").to_list() == pytest.approx(
        [2.5e6 * f for f in (0.4, 0.6, 0.8, 1.0, 1.0, 1.0)]
    )
    assert "Пластиковые" in card["project"].filter(pl.col("field") == "name_local").get_column("value").item()
    with pytest.raises(NotFoundError, match="P-NOPE"):
        project_card(ds, "P-NOPE", AS_OF)


def test_history_from_store(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "h.sqlite"))
    ds = lamps()
    store.write_dataset(ds, note="first", created_by="анна")
    edited = ds.replace(projects=ds.projects.with_columns(pl.lit(7).alias("mrl"), pl.lit("ramp-up").alias("status")))
    store.write_dataset(edited, note="MRL review", created_by="boris")
    edited2 = Dataset.from_frames(
        "lamps",
        {
            **edited.tables,
            "milestones": pl.DataFrame(
                {"project": ["P-LAMP"], "name": ["Line installed"], "due": [dt.date(2025, 6, 30)]}
            ),
            "sites": edited.sites.with_columns(pl.col("lat") + 0.1),  # not a project table: not listed
        },
    )
    store.write_dataset(edited2, note="milestone added", created_by="vera")
    h = history(store.versions("lamps"), lambda a, b: store.diff("lamps", a, b))
    assert h.get_column("version").to_list() == [3, 2, 1]
    v2 = h.filter(pl.col("version") == 2).row(0, named=True)
    assert v2["who"] == "boris"
    assert v2["table"] == "projects"
    assert v2["key"] == "P-LAMP"
    assert "mrl: 6 → 7" in v2["fields"]
    assert "status: construction → ramp-up" in v2["fields"]
    v3 = h.filter(pl.col("version") == 3).row(0, named=True)
    assert (v3["who"], v3["table"], v3["change"], v3["key"]) == (
        "vera",
        "milestones",
        "added",
        "P-LAMP | Line installed",
    )
    assert h.filter(pl.col("version") == 1).get_column("who").item() == "анна"
    # another project's records: only the "created" row of version 1 remains
    other = history(store.versions("lamps"), lambda a, b: store.diff("lamps", a, b), project="P-X")
    assert other.get_column("change").to_list() == ["created"]
    # the last version only: its one change (version 2 is its base, not listed)
    last = history(store.versions("lamps"), lambda a, b: store.diff("lamps", a, b), last=1)
    assert last.get_column("version").to_list() == [3]


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_programme_size_survives_export_and_import_under_another_name(tmp_path: Path, fmt: str) -> None:
    # "4 of 14 public" is a record of the data: exported, re-imported and stored under any name it stays
    from importsub.io import read_path, write_path

    target = tmp_path / ("copy" if fmt == "csv" else f"copy.{fmt}")
    write_path(demo.load(), target, fmt)
    copy = read_path(target, name="my-programme")
    store = Store(str(tmp_path / "x.sqlite"))
    store.write_dataset(copy)
    stored = store.read_dataset("my-programme")
    assert stored.name != demo.NAME
    for ds in (copy, stored):
        r = programme_summary(ds, AS_OF)
        row = r["status"].filter(pl.col("status") == "programme").row(0, named=True)
        assert (row["projects"], row["note"]) == (14, f"{ds.projects.height} of 14 public")
        assert r.fingerprint["programme_size"] == 14


def test_without_a_programme_record_the_size_is_the_projects_in_the_dataset() -> None:
    ds = demo.load()
    bare = ds.replace(programme=ds.programme.clear())
    r = programme_summary(bare, AS_OF)
    assert r["status"].filter(pl.col("status") == "programme").get_column("note").item() == "4 of 4 public"
