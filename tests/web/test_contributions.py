"""Contributions instead of overwrites, tried as an attacker would: an organisation submits its slice as a draft,
the programme accepts it into a version; provenance per value, contradictions flagged, quotas, revert."""

from __future__ import annotations

import io
import zipfile

import polars as pl
from webenv import AVTO_SHARES, Env, login, make_env, secret_texts, share_texts

from importsub.model.schema import table
from importsub.web import Settings

BASE = "/api/datasets/plant"
SLICE = {
    "upserts": {
        "production": [
            {"site": "AVTO-TLT", "part": "CAR", "capacity": 150000.0, "unit_value": 987654.0, "time_to_recover": 6.0}
        ],
        "supply_links": [
            {"buyer": "AVTO-TLT", "part": "BRK", "supplier": "BRAKE-MSK", "share": 0.55, "qualified": True},
            {"buyer": "AVTO-TLT", "part": "BRK", "supplier": "FORE-1", "share": 0.45},
        ],
        "inventory": [{"site": "AVTO-TLT", "part": "BRK", "units": 2500.0}],
    },
    "note": "AVTO's figures for 2026",
}


def _latest(env: Env) -> int:
    return env.get("admin", BASE).json()["versions"][-1]["version"]  # type: ignore[no-any-return]


def _submit(env: Env, who: str, body: dict) -> dict:  # type: ignore[type-arg]
    r = env.post(who, f"{BASE}/contributions", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_the_programme_accepts_a_slice_into_a_version_holding_exactly_the_draft_merged(env: Env) -> None:
    before = _latest(env)
    base = env.store.read_dataset("plant")
    draft = _submit(env, "avto", SLICE)
    assert draft["status"] == "draft"
    assert draft["problems"] == []
    assert draft["contradictions"] == []
    assert draft["base_version"] == before
    assert _latest(env) == before  # a draft changes nothing
    # an analyst (even the submitter) cannot accept; the programme can
    r = env.post("avto", f"{BASE}/contributions/{draft['id']}/accept")
    assert r.status_code == 403, r.text
    assert "programme" in r.json()["detail"]
    assert env.post("brake", f"{BASE}/contributions/{draft['id']}/accept").status_code == 403
    accepted = env.post("ministry", f"{BASE}/contributions/{draft['id']}/accept")
    assert accepted.status_code == 201, accepted.text
    version = accepted.json()["version"]
    assert version == before + 1
    # the new version is the base with exactly the draft's records in place of theirs (a record sent replaces the
    # stored one whole: fields not sent take their defaults, as in the record API)
    new = env.store.read_dataset("plant")
    for name, df in base.tables.items():
        rows = SLICE["upserts"].get(name)
        if rows is None:
            assert new.tables[name].equals(df), name
            continue
        rt = table(name)
        sent = pl.DataFrame(
            [{f.name: r.get(f.name, f.default) for f in rt.fields} for r in rows], schema=dict(df.schema)
        )
        expected = pl.concat([df.join(sent.select(list(rt.key)), on=list(rt.key), how="anti"), sent])
        assert new.tables[name].sort(list(rt.key)).equals(expected.sort(list(rt.key))), name
    listed = env.get("ministry", f"{BASE}/contributions?id={draft['id']}").json()[0]
    assert (listed["status"], listed["version"], listed["decided_by"]) == ("accepted", version, "ministry")
    assert env.post("ministry", f"{BASE}/contributions/{draft['id']}/accept").status_code == 409  # once


def test_provenance_names_who_when_and_which_submission(env: Env) -> None:
    draft = _submit(env, "avto", SLICE)
    version = env.post("ministry", f"{BASE}/contributions/{draft['id']}/accept").json()["version"]
    r = env.get("avto", f"{BASE}/provenance?record=production:AVTO-TLT|CAR")
    assert r.status_code == 200, r.text
    by_field = {e["field"]: e for e in r.json()}
    assert set(by_field) == {"capacity", "time_to_recover"}  # the unit value was sent unchanged
    entry = by_field["capacity"]
    assert entry["change"] == "changed"
    assert (entry["username"], entry["organization"], entry["contribution"]) == ("avto", "AVTO", draft["id"])
    assert entry["submitted_at"] == draft["submitted_at"]
    assert (entry["accepted_by"], entry["version"]) == ("ministry", version)
    stock = env.get("avto", f"{BASE}/provenance?record=inventory:AVTO-TLT|BRK").json()
    assert {(e["field"], e["change"]) for e in stock} == {("units", "added")}
    links = env.get("ministry", f"{BASE}/provenance?record=supply_links:AVTO-TLT|BRK|BRAKE-MSK").json()
    assert {e["field"] for e in links} == {"share"}  # qualified was sent as it was stored
    # provenance of AVTO's confidential records is AVTO's, the programme's and the admins'
    assert env.get("brake", f"{BASE}/provenance?record=production:AVTO-TLT|CAR").json() == []
    assert env.get("brake", f"{BASE}/provenance").json() == []
    # and it is shown on the record page
    from fastapi.testclient import TestClient

    for who, shown in (("ministry", True), ("brake", False)):
        client = TestClient(env.client.app, base_url="http://testserver")
        login(client, who)
        page = client.get("/datasets/plant/records/production")
        assert page.status_code == 200
        assert ("Provenance" in page.text and f"#{draft['id']}" in page.text) == shown, who


def test_records_of_another_organisation_are_refused_with_why(env: Env) -> None:
    foreign = {"upserts": {"production": [{"site": "BRAKE-MSK", "part": "BRK", "capacity": 1.0, "unit_value": 1.0}]}}
    r = env.post("avto", f"{BASE}/contributions", json=foreign)
    assert r.status_code == 403, r.text
    problem = r.json()["problems"][0]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("production", 1, "site")
    assert "BRAKE-MSK" in problem["message"]
    assert "only its users" in problem["message"]
    deleting = {"deletes": {"supply_links": [{"buyer": "BRAKE-MSK", "part": "PAD", "supplier": "FORE-1"}]}}
    assert env.post("avto", f"{BASE}/contributions", json=deleting).status_code == 403
    # the programme's records are not an organisation's slice either
    rename = {"upserts": {"organizations": [{"id": "BRAKE", "name": "x", "country": "BY", "kind": "supplier"}]}}
    assert env.post("avto", f"{BASE}/contributions", json=rename).status_code == 403
    assert env.get("admin", f"{BASE}/contributions").json() == []  # nothing stored


def test_a_viewer_cannot_submit(env: Env) -> None:
    r = env.post("viewer", f"{BASE}/contributions", json=SLICE)
    assert r.status_code == 403
    assert "viewer" in r.json()["detail"]
    assert env.get("admin", f"{BASE}/contributions").json() == []


def test_shares_that_do_not_sum_to_one_are_flagged_and_not_accepted(env: Env) -> None:
    half = {"upserts": {"supply_links": [{"buyer": "AVTO-TLT", "part": "BRK", "supplier": "BRAKE-MSK", "share": 0.5}]}}
    draft = _submit(env, "avto", half)
    kinds = {(c["kind"], c["record"]) for c in draft["contradictions"]}
    assert kinds == {("shares do not sum to 1", "AVTO-TLT|BRK")}
    # the validator's problem names the shared record it is reported at (the other link of the buyer's part)
    assert [(p["sheet"], p["row"], p["column"]) for p in draft["problems"]] == [("supply_links", None, "share")]
    assert draft["problems"][0]["message"].startswith("record AVTO-TLT|BRK|FORE-1: shares of buyer AVTO-TLT")
    # the programme reads where the problem is, but not AVTO's sum of shares
    seen = env.get("ministry", f"{BASE}/contributions?id={draft['id']}").json()[0]["problems"]
    assert [(p["sheet"], p["column"]) for p in seen] == [("supply_links", "share")]
    assert "0.7863" in draft["problems"][0]["message"]
    assert "0.7863" not in str(seen)
    before = _latest(env)
    r = env.post("ministry", f"{BASE}/contributions/{draft['id']}/accept")
    assert r.status_code == 422, r.text
    assert "0.7863" not in r.text
    assert _latest(env) == before
    assert env.get("ministry", f"{BASE}/contributions?id={draft['id']}").json()[0]["status"] == "draft"


def test_a_buyer_claiming_a_supplier_that_says_it_does_not_make_the_part_is_flagged(env: Env) -> None:
    # BRAKE says it makes no brake units at Minsk any more; AVTO's links still buy them there
    stops = {"deletes": {"production": [{"site": "BRAKE-MSK", "part": "BRK"}]}}
    r = env.post("brake", f"{BASE}/contributions", json=stops)
    assert r.status_code == 201, r.text
    flags = r.json()["contradictions"]
    assert {(c["kind"], c["record"]) for c in flags} >= {("supplier does not make the part", "AVTO-TLT|BRK|BRAKE-MSK")}
    # the flags and problems shown to BRAKE quote none of AVTO's figures
    for text in share_texts(AVTO_SHARES) + share_texts((0.7137, 0.2863)) + secret_texts((123457.0, 987654.0)):
        assert text not in r.text, text
    # a buyer naming a supplier without that part
    claim = {
        "upserts": {
            "supply_links": [
                {"buyer": "AVTO-TLT", "part": "BRK", "supplier": "PAD-CN", "share": 0.2863},
                {"buyer": "AVTO-TLT", "part": "BRK", "supplier": "FORE-1", "share": 0.0},
            ]
        }
    }
    flags = _submit(env, "avto", claim)["contradictions"]
    assert ("supplier does not make the part", "AVTO-TLT|BRK|PAD-CN") in {(c["kind"], c["record"]) for c in flags}


def test_a_slice_as_a_file_is_read_by_the_import_readers_and_problems_name_the_file(env: Env) -> None:
    csv = "site,part,capacity,unit_value,time_to_recover\nAVTO-TLT,CAR,140000,987654,5\n"
    files = {"file": ("production.csv", csv.encode(), "text/csv")}
    r = env.client.post(f"{BASE}/contributions/file", headers=env.auth("avto"), files=files, data={"note": "csv"})
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "production.csv"
    assert r.json()["changes"]["upserts"]["production"][0]["capacity"] == 140000.0
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("inventory.csv", "site,part,units\nAVTO-TLT,BRK,lots\n")
    bad = {"file": ("slice.zip", buf.getvalue(), "application/zip")}
    r = env.client.post(f"{BASE}/contributions/file", headers=env.auth("avto"), files=bad)
    assert r.status_code == 422, r.text
    problem = r.json()["problems"][0]
    assert (problem["file"], problem["row"], problem["column"]) == ("slice/inventory.csv", 2, "units")
    # another organisation's row in a file: refused, named by file and row
    other = {
        "file": ("production.csv", b"site,part,capacity,unit_value\nAVTO-TLT,CAR,1,1\nBRAKE-MSK,BRK,1,1\n", "text/csv")
    }
    r = env.client.post(f"{BASE}/contributions/file", headers=env.auth("avto"), files=other)
    assert r.status_code == 403, r.text
    assert [(p["file"], p["row"]) for p in r.json()["problems"]] == [("production.csv", 3)]


def test_each_organisation_reads_its_own_contributions_the_programme_all_without_hidden_figures(env: Env) -> None:
    draft = _submit(env, "avto", SLICE)
    assert [c["id"] for c in env.get("avto", f"{BASE}/contributions").json()] == [draft["id"]]
    assert env.get("brake", f"{BASE}/contributions").json() == []
    assert env.get("brake", f"{BASE}/contributions?id={draft['id']}").json() == []
    seen = env.get("ministry", f"{BASE}/contributions").json()
    assert [c["id"] for c in seen] == [draft["id"]]
    links = seen[0]["changes"]["upserts"]["supply_links"]
    assert {link["share"] for link in links} == {None}  # AVTO's shares stay AVTO's
    assert draft["changes"]["upserts"]["supply_links"][0]["share"] == 0.55


def test_the_programme_rejects_with_a_reason(env: Env) -> None:
    draft = _submit(env, "avto", SLICE)
    assert env.post("avto", f"{BASE}/contributions/{draft['id']}/reject", json={"reason": "no"}).status_code == 403
    r = env.post("ministry", f"{BASE}/contributions/{draft['id']}/reject", json={"reason": "capacity not audited"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["reason"]) == ("rejected", "capacity not audited")
    assert env.post("ministry", f"{BASE}/contributions/{draft['id']}/accept").status_code == 409
    assert env.post("ministry", f"{BASE}/contributions/9999/accept").status_code == 404


def test_accepting_counts_against_the_version_quota(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "q.sqlite")
    gen = make_env(db, settings=Settings(db=db, worker=False, max_versions_per_hour=1))
    env = next(gen)
    try:
        first, second = (
            _submit(env, "avto", SLICE),
            _submit(env, "brake", {"upserts": {"inventory": [{"site": "BRAKE-MSK", "part": "PAD", "units": 100.0}]}}),
        )
        assert env.post("ministry", f"{BASE}/contributions/{first['id']}/accept").status_code == 201
        before = _latest(env)
        r = env.post("ministry", f"{BASE}/contributions/{second['id']}/accept")
        assert r.status_code == 429, r.text
        assert "per hour" in r.json()["detail"]
        assert int(r.headers["Retry-After"]) > 0
        assert _latest(env) == before
        assert env.get("ministry", f"{BASE}/contributions?id={second['id']}").json()[0]["status"] == "draft"
        # a revert writes a version too
        assert env.post("ministry", f"{BASE}/revert?to=1").status_code == 429
    finally:
        gen.close()


def test_revert_gives_a_version_equal_to_n(env: Env) -> None:
    n = _latest(env)
    draft = _submit(env, "avto", SLICE)
    assert env.post("ministry", f"{BASE}/contributions/{draft['id']}/accept").status_code == 201
    assert env.post("avto", f"{BASE}/revert?to={n}").status_code == 403
    r = env.post("ministry", f"{BASE}/revert?to={n}")
    assert r.status_code == 201, r.text
    assert r.json()["version"] == n + 2
    reverted, target = env.store.read_dataset("plant"), env.store.read_dataset("plant", n)
    assert reverted.fingerprint() == target.fingerprint()
    for name, df in target.tables.items():
        assert reverted.tables[name].equals(df), name


def test_an_organisation_has_its_own_cap_of_versions_per_hour(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "o.sqlite")
    settings = Settings(db=db, worker=False, max_versions_per_hour=10, max_versions_per_organization_hour=1)
    gen = make_env(db, settings=settings)
    env = next(gen)
    try:
        avto = _submit(env, "avto", SLICE)
        brake = _submit(env, "brake", {"upserts": {"inventory": [{"site": "BRAKE-MSK", "part": "PAD", "units": 9.0}]}})
        demand = env.get("admin", f"{BASE}/records/demand").json()["records"][0]
        # AVTO writes one version itself: its organisation's hour is used up, for its contributions too
        r = env.post("avto", f"{BASE}/records/demand", json={"records": [{**demand, "units": 90_000.0}]})
        assert r.status_code == 201, r.text
        refused = env.post("ministry", f"{BASE}/contributions/{avto['id']}/accept")
        assert refused.status_code == 429, refused.text
        assert env.post("ministry", f"{BASE}/contributions/{brake['id']}/accept").status_code == 201
        # BRAKE's accepted contribution counts for BRAKE
        more = {"records": [{"site": "BRAKE-MSK", "part": "PAD", "units": 8.0}]}
        assert env.post("brake", f"{BASE}/records/inventory", json=more).status_code == 429
    finally:
        gen.close()


def test_an_organisation_has_at_most_n_open_drafts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "d.sqlite")
    gen = make_env(db, settings=Settings(db=db, worker=False, max_open_drafts_per_organization=2))
    env = next(gen)
    try:
        stock = {"upserts": {"inventory": [{"site": "AVTO-TLT", "part": "BRK", "units": 1.0}]}}
        first, _second = _submit(env, "avto", stock), _submit(env, "avto", SLICE)
        before = env.get("ministry", f"{BASE}/contributions").json()
        r = env.post("avto", f"{BASE}/contributions", json=stock)
        assert r.status_code == 429, r.text
        assert "Organisation AVTO already has 2 drafts waiting" in r.json()["detail"]
        doc = b'{"format": "importsub", "tables": {"inventory": [{"site": "AVTO-TLT", "part": "BRK", "units": 2}]}}'
        files = {"file": ("slice.json", doc, "application/json")}
        assert env.post("avto", f"{BASE}/contributions/file", files=files).status_code == 429
        assert env.get("ministry", f"{BASE}/contributions").json() == before  # nothing stored
        # another organisation has its own cap; an administrator has none
        _submit(env, "brake", {"upserts": {"inventory": [{"site": "BRAKE-MSK", "part": "PAD", "units": 9.0}]}})
        for _ in range(3):
            _submit(env, "admin", stock)
        # a decision frees a place
        rejected = env.post("ministry", f"{BASE}/contributions/{first['id']}/reject", json={"reason": "old"})
        assert rejected.status_code == 200, rejected.text
        _submit(env, "avto", stock)
        assert env.post("avto", f"{BASE}/contributions", json=stock).status_code == 429
    finally:
        gen.close()
