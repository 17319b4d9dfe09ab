"""Jobs visible to their owner and the programme: a job is shown to those who asked for it, the programme and
administrators (not to the other users of the requester's organisation); asking for the same inputs shares the
result and makes one a requester."""

from __future__ import annotations

from webenv import Env, login

DEMAND = "/api/analyses/demand?dataset=plant"


def _listed(env: Env, who: str) -> list[int]:
    return [j["id"] for j in env.get(who, "/api/jobs").json()]


def test_another_organisations_user_does_not_see_your_job_the_programme_does(env: Env) -> None:
    r = env.post("avto", DEMAND, json={})
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    env.run_jobs()
    assert job in _listed(env, "avto")
    assert env.get("avto", f"/api/jobs/{job}").json()["status"] == "done"
    assert env.get("avto", f"/api/jobs/{job}/result").status_code == 200
    # neither another user of the same organisation nor another organisation's analyst: not listed, and by id
    # as if it did not exist
    for who in ("viewer", "brake"):
        assert job not in _listed(env, who)
        for url in (f"/api/jobs/{job}", f"/api/jobs/{job}/result", f"/api/jobs/{job}/export?format=json"):
            r = env.get(who, url)
            assert r.status_code == 404, (who, url, r.text)
            assert r.json() == {"detail": f"No job {job}."}  # the answer to a job that does not exist
    # the programme and the administrators see every job
    for who in ("ministry", "admin"):
        assert job in _listed(env, who)
        assert env.get(who, f"/api/jobs/{job}").status_code == 200
        assert env.get(who, f"/api/jobs/{job}/result").status_code == 200


def test_the_same_inputs_share_the_result_and_make_a_requester(env: Env) -> None:
    first = env.post("avto", DEMAND, json={}).json()["id"]
    env.run_jobs()
    assert env.get("brake", f"/api/jobs/{first}").status_code == 404
    again = env.post("brake", DEMAND, json={})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first
    assert again.json()["reused"] is True
    assert env.run_jobs() == 0  # nothing computed twice
    assert first in _listed(env, "brake")
    assert env.get("brake", f"/api/jobs/{first}/result").status_code == 200
    assert first in _listed(env, "avto")
    with env.store.engine.connect() as conn:
        from importsub.store import accounts

        assert accounts.job_requester_ids(conn, job_id=first) == [env.users["avto"].id, env.users["brake"].id]


def test_the_programmes_and_administrators_jobs_are_shown_to_everyone(env: Env) -> None:
    ministry = env.post("ministry", DEMAND, json={}).json()["id"]
    admin = env.post("admin", "/api/analyses/balance?dataset=plant", json={}).json()["id"]
    env.run_jobs()
    for who in ("avto", "brake", "viewer", "ministry", "admin"):
        for job in (ministry, admin):
            assert job in _listed(env, who)
            assert env.get(who, f"/api/jobs/{job}/result").status_code == 200


def test_the_job_pages_show_a_job_to_its_requesters_only(env: Env) -> None:
    from fastapi.testclient import TestClient

    job = env.post("avto", DEMAND, json={}).json()["id"]
    env.run_jobs()
    for who, seen in (("brake", False), ("viewer", False), ("ministry", True)):
        client = TestClient(env.client.app, base_url="http://testserver")
        login(client, who)
        page = client.get(f"/jobs/{job}")
        assert page.status_code == (200 if seen else 404), (who, page.status_code)
        listing = client.get("/analyses")
        assert listing.status_code == 200
        assert (f'href="/jobs/{job}"' in listing.text) == seen, who
