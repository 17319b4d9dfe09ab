"""Every organisation owns its data: the attacks an attacker tried, each refused (and the owner's own writes kept).

Owners come from the record schema (``RecordType.owner``, :mod:`importsub.model.ownership`); every write goes
through one check (``web/services/editing.py``), whatever the route.
"""

from __future__ import annotations

import pytest
from webenv import Env

from importsub.model.ownership import Actor, may_write, row_owners
from importsub.model.schema import TABLES

BASE = "/api/datasets/plant"


def _records(env: Env, who: str, table: str, where: str = "") -> list[dict]:  # type: ignore[type-arg]
    return env.get(who, f"{BASE}/records/{table}?limit=1000{'&where=' + where if where else ''}").json()["records"]


def _latest(env: Env) -> int:
    return env.get("admin", BASE).json()["versions"][-1]["version"]  # type: ignore[no-any-return]


def test_site_takeover_is_refused_and_only_the_programme_moves_a_site(env: Env) -> None:
    before = _latest(env)
    takeover = {"records": [{**_records(env, "admin", "sites", "id=AVTO-TLT")[0], "organization": "BRAKE"}]}
    r = env.post("brake", f"{BASE}/records/sites", json=takeover)
    assert r.status_code == 403, r.text
    assert r.json()["problems"][0]["column"] == "organization"
    # not even the owner moves its own site to another organisation
    assert env.post("avto", f"{BASE}/records/sites", json=takeover).status_code == 403
    assert _latest(env) == before
    assert _records(env, "admin", "sites", "id=AVTO-TLT")[0]["organization"] == "AVTO"
    # the programme may move a site, and only that: renaming it on the way is refused
    renamed = {"records": [{**takeover["records"][0], "name": "Mine now"}]}
    assert env.post("ministry", f"{BASE}/records/sites", json=renamed).status_code == 403
    moved = env.post("ministry", f"{BASE}/records/sites", json=takeover)
    assert moved.status_code == 201, moved.text
    assert _records(env, "admin", "sites", "id=AVTO-TLT")[0]["organization"] == "BRAKE"


def test_an_analyst_changes_its_own_site_but_not_anothers(env: Env) -> None:
    own = _records(env, "admin", "sites", "id=AVTO-TLT")[0]
    assert (
        env.post("avto", f"{BASE}/records/sites", json={"records": [{**own, "region": "Самарская"}]}).status_code == 201
    )
    other = _records(env, "admin", "sites", "id=BRAKE-MSK")[0]
    assert env.post("avto", f"{BASE}/records/sites", json={"records": [{**other, "region": "x"}]}).status_code == 403
    # a new site is the analyst's only with its own organisation
    new = {"id": "AVTO-2", "organization": "AVTO", "name": "Второй", "country": "RU", "lat": 53.5, "lon": 49.4}
    mine = env.post("avto", f"{BASE}/records/sites", json={"records": [new]})
    assert mine.status_code == 201, mine.text
    foreign = {**new, "id": "BRAKE-2", "organization": "BRAKE"}
    assert env.post("avto", f"{BASE}/records/sites", json={"records": [foreign]}).status_code == 403


def test_halving_another_oems_demand_is_refused(env: Env) -> None:
    row = {**_records(env, "admin", "demand")[0], "units": 50_000.0}
    assert env.post("brake", f"{BASE}/records/demand", json={"records": [row]}).status_code == 403
    assert env.post("ministry", f"{BASE}/records/demand", json={"records": [row]}).status_code == 403
    assert env.post("avto", f"{BASE}/records/demand", json={"records": [row]}).status_code == 201


def test_project_records_belong_to_the_partners(env: Env) -> None:
    milestone = {"project": "P-BRAKE", "name": "line installed", "due": "2026-06-30", "done": "2026-01-10"}
    capex = {**_records(env, "admin", "projects")[0], "capex": 1.0}
    # no partners yet: nobody but the programme's administrator may touch the project
    assert env.post("brake", f"{BASE}/records/milestones", json={"records": [milestone]}).status_code == 403
    # the programme names the partners
    assert (
        env.post(
            "avto",
            f"{BASE}/records/project_partners",
            json={"records": [{"project": "P-BRAKE", "organization": "AVTO", "role": "lead"}]},
        ).status_code
        == 403
    )
    r = env.post(
        "ministry",
        f"{BASE}/records/project_partners",
        json={"records": [{"project": "P-BRAKE", "organization": "BRAKE", "role": "lead"}]},
    )
    assert r.status_code == 201, r.text
    assert env.post("avto", f"{BASE}/records/milestones", json={"records": [milestone]}).status_code == 403
    assert env.post("avto", f"{BASE}/records/projects", json={"records": [capex]}).status_code == 403
    assert env.post("brake", f"{BASE}/records/milestones", json={"records": [milestone]}).status_code == 201
    done = [m for m in _records(env, "admin", "milestones") if m["name"] == "line installed"]
    assert done[0]["done"] == "2026-01-10"


def test_the_programmes_records_are_the_programmes(env: Env) -> None:
    assert (
        env.post(
            "avto", f"{BASE}/records/country_groups/delete", json={"keys": [{"group": "union", "iso2": "RU"}]}
        ).status_code
        == 403
    )
    rename = {"id": "BRAKE", "name": "Renamed", "country": "BY", "kind": "supplier"}
    assert env.post("avto", f"{BASE}/records/organizations", json={"records": [rename]}).status_code == 403
    assert env.post("brake", f"{BASE}/records/organizations", json={"records": [rename]}).status_code == 403
    assert env.client.delete(f"{BASE}/scenarios/de-8w", headers=env.auth("avto")).status_code == 403
    assert env.get("viewer", f"{BASE}/scenarios/de-8w").status_code == 200
    assert env.post("ministry", f"{BASE}/records/organizations", json={"records": [rename]}).status_code == 201
    # the programme record (its size: "n of N public") is the programme's too
    size = {"records": [{"name": "joint programme", "size": 14, "source": "estimate"}]}
    assert env.post("avto", f"{BASE}/records/programme", json=size).status_code == 403
    assert env.post("ministry", f"{BASE}/records/programme", json=size).status_code == 201


def test_a_bom_belongs_to_the_only_maker_of_its_product(env: Env) -> None:
    # CAR is made by AVTO alone; BRK by BRAKE and FORE (so its BOM is the programme's)
    car = {"keys": [{"parent": "CAR", "child": "BRK"}]}
    assert env.post("brake", f"{BASE}/records/bom/delete", json=car).status_code == 403
    brk = {"records": [{"parent": "BRK", "child": "PAD", "quantity": 6.0}]}
    assert env.post("brake", f"{BASE}/records/bom", json=brk).status_code == 403
    assert env.post("ministry", f"{BASE}/records/bom", json=brk).status_code == 201
    assert (
        env.post(
            "avto", f"{BASE}/records/bom", json={"records": [{"parent": "CAR", "child": "BRK", "quantity": 5.0}]}
        ).status_code
        == 201
    )


# ---------------------------------------------------------------- the rule itself, on every table


@pytest.mark.parametrize("rt", TABLES, ids=lambda rt: rt.name)
def test_every_stored_row_has_an_owner_who_may_write_it(shared_env: Env, rt) -> None:  # type: ignore[no-untyped-def]
    """Owners resolve for every row of the dataset: the programme's, or organisations whose analysts (and
    only theirs) may write it (a project without partners: nobody but an admin); a viewer writes nothing."""
    ds = shared_env.store.read_dataset("plant")
    rows = ds.tables[rt.name]
    owners = row_owners(rt.name, rows, ds)
    assert len(owners) == rows.height
    orgs = set(ds.organizations["id"].to_list())
    for owned in owners:
        if owned is None:
            assert rt.owner.kind in ("programme", "producer")
            assert may_write(Actor("programme", None), owned)
            continue
        if not owned:  # a project without partners yet: only an administrator may touch it
            assert rt.owner.kind == "project"
            assert ds.project_partners.height == 0
            assert not may_write(Actor("analyst", "AVTO"), owned)
            continue
        assert owned <= orgs
        for org in orgs:
            assert may_write(Actor("analyst", org), owned) == (org in owned)
            assert not may_write(Actor("viewer", org), owned)
        assert not may_write(Actor("programme", None), owned)


def test_owners_of_unknown_sites_are_nobody(env: Env) -> None:
    import polars as pl

    ds = env.store.read_dataset("plant")
    owners = row_owners("production", pl.DataFrame({"site": ["AVTO-TLT", "NOWHERE"]}), ds)
    assert owners == [frozenset({"AVTO"}), frozenset()]
    assert not may_write(Actor("analyst", "AVTO"), owners[1])


def test_versions_per_hour_are_capped_for_everyone_but_admins(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from webenv import make_env

    from importsub.web import Settings

    db = str(tmp_path / "q.sqlite")
    gen = make_env(db, settings=Settings(db=db, worker=False, max_versions_per_hour=2))
    e = next(gen)
    try:
        row = {**_records(e, "admin", "demand")[0]}
        for units in (90_000.0, 80_000.0):
            assert (
                e.post("avto", f"{BASE}/records/demand", json={"records": [{**row, "units": units}]}).status_code == 201
            )
        before = _latest(e)
        third = e.post("avto", f"{BASE}/records/demand", json={"records": [{**row, "units": 70_000.0}]})
        assert third.status_code == 429, third.text
        assert 0 < int(third.headers["Retry-After"]) <= 3601
        assert _latest(e) == before  # nothing written
        # another user has their own quota; an admin has none
        assert e.client.delete(f"{BASE}/scenarios/de-8w", headers=e.auth("ministry")).status_code == 200
        for units in (60_000.0, 50_000.0, 40_000.0):
            assert (
                e.post("admin", f"{BASE}/records/demand", json={"records": [{**row, "units": units}]}).status_code
                == 201
            )
    finally:
        gen.close()


def test_the_programme_reverts_to_an_earlier_version(env: Env) -> None:
    takeover = {"records": [{**_records(env, "admin", "sites", "id=AVTO-TLT")[0], "organization": "BRAKE"}]}
    assert env.post("ministry", f"{BASE}/records/sites", json=takeover).status_code == 201
    moved = _latest(env)
    assert env.post("avto", f"{BASE}/revert?to={moved - 1}").status_code == 403
    r = env.post("ministry", f"{BASE}/revert?to={moved - 1}")
    assert r.status_code == 201, r.text
    assert r.json()["version"] == moved + 1
    assert _records(env, "admin", "sites", "id=AVTO-TLT")[0]["organization"] == "AVTO"
    back = env.store.read_dataset("plant")
    assert back.fingerprint() == env.store.read_dataset("plant", moved - 1).fingerprint()
    assert env.post("ministry", f"{BASE}/revert?to=999").status_code == 404
