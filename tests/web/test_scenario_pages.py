"""Scenario pages: create, edit, copy, compare two scenarios and two runs; ownership denial; demand-only runs.

The plant of ``webenv`` (see ``test_shocks.py`` for the hand-worked case): over an 8-week window
(τ = 8/52 year) Germany down and Minsk brakes at half capacity lose LOST_MARGIN; Germany alone loses
nothing (Minsk alone makes enough brake units).  Demand of cars × 1.5 with no disruption: the car plant
(AVTO_CAPACITY · τ) cannot make 150,000 · τ cars, lost (150,000 − AVTO_CAPACITY) · τ × 150,000 RUB;
with no window given it runs over 13 weeks (τ = 13/52 year), stated as the summary's window basis.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from webenv import AVTO_CAPACITY, BRAKE_CAPACITY, Env, login

from importsub.web.services.scenarios import compare_runs

TAU = 8 / 52
LOST_MARGIN = (100_000 * TAU - 0.5 * BRAKE_CAPACITY * TAU / 4) * 150_000
DEMAND_ONLY_LOSS = (150_000 - AVTO_CAPACITY) * TAU * 150_000


def _client(env: Env, who: str) -> tuple[TestClient, str]:
    c = TestClient(env.client.app, base_url="http://testserver")
    return c, login(c, who)


def _form(csrf: str, name: str, **extra: str) -> dict[str, str]:
    return {"csrf_token": csrf, "dataset": "plant", "name": name, **extra}


def _scenarios(env: Env) -> dict[str, Any]:
    return {s["name"]: s for s in env.get("admin", "/api/datasets/plant/scenarios").json()}


def test_create_edit_copy_through_the_forms(env: Env) -> None:
    c, csrf = _client(env, "ministry")
    assert c.get("/scenarios?dataset=plant").status_code == 200
    new = c.get("/scenarios/edit?dataset=plant")
    assert new.status_code == 200
    assert 'name="d-0-target_kind"' in new.text
    created = {
        "new": "1",
        "description": "Китай и Германия",
        "year": "2025",
        "weight": "0.5",
        "d-0-target_kind": "country",
        "d-0-target": "CN",
        "d-0-severity": "1",
        "d-0-duration": "6",
        "d-0-recovery": "",
        "d-1-target_kind": "",
        "d-1-target": "",
        "c-0-site": "AVTO-TLT",
        "c-0-part": "CAR",
        "c-0-factor": "1.2",
        "projects": "P-BRAKE",
    }
    r = c.post("/scenarios/save", data=_form(csrf, "cn-6w", **created), follow_redirects=False)
    assert r.status_code == 303, r.text[:2000]
    s = _scenarios(env)["cn-6w"]
    assert s["description"] == "Китай и Германия"
    assert (s["year"], s["weight"]) == (2025, 0.5)
    assert [(d["target_kind"], d["target"], d["duration"]) for d in s["disruptions"]] == [("country", "CN", 6.0)]
    assert [(d["site"], d["part"], d["factor"]) for d in s["demand_changes"]] == [("AVTO-TLT", "CAR", 1.2)]
    assert s["projects"] == ["P-BRAKE"]
    # the same name again as a new scenario: refused, nothing overwritten
    again = c.post("/scenarios/save", data=_form(csrf, "cn-6w", **created))
    assert again.status_code == 409
    # edit: the form shows the stored rows; delete the demand change, add Germany, drop the project
    form = c.get("/scenarios/edit?dataset=plant&name=cn-6w").text
    assert 'value="CN"' in form
    assert 'value="AVTO-TLT"' in form
    edited = {
        "description": "Китай и Германия",
        "d-0-target_kind": "country",
        "d-0-target": "CN",
        "d-0-severity": "1",
        "d-0-duration": "6",
        "d-1-target_kind": "country",
        "d-1-target": "DE",
        "d-1-severity": "0.5",
        "d-1-duration": "3",
        "c-0-site": "AVTO-TLT",
        "c-0-part": "CAR",
        "c-0-factor": "1.2",
        "c-0-delete": "1",
    }
    r = c.post("/scenarios/save", data=_form(csrf, "cn-6w", **edited), follow_redirects=False)
    assert r.status_code == 303, r.text[:2000]
    s = _scenarios(env)["cn-6w"]
    assert sorted((d["target"], d["severity"]) for d in s["disruptions"]) == [("CN", 1.0), ("DE", 0.5)]
    assert s["demand_changes"] == []
    assert s["projects"] == []
    # copy, then a copy onto a taken name
    r = c.post("/scenarios/copy", data=_form(csrf, "cn-6w", to="cn-6w copy"), follow_redirects=False)
    assert r.status_code == 303
    all_ = _scenarios(env)
    assert all_["cn-6w copy"]["disruptions"] == all_["cn-6w"]["disruptions"]
    assert c.post("/scenarios/copy", data=_form(csrf, "cn-6w", to="de-8w")).status_code == 409
    # compare: the differing disruption row is marked, the common one is not
    page = c.get("/scenarios/compare?dataset=plant&a=de-8w&b=cn-6w")
    assert page.status_code == 200
    rows = re.findall(r'<tr class="([^"]*)">\s*<td>country · (\w+)</td>', page.text)
    assert {k: v for v, k in rows} == {"CN": "differs", "DE": "differs"}
    same = c.get("/scenarios/compare?dataset=plant&a=cn-6w&b=cn-6w%20copy").text
    assert re.findall(r'<tr class="([^"]*)">\s*<td>country · (\w+)</td>', same) == [("", "CN"), ("", "DE")]


def test_bad_input_names_the_row_and_field(env: Env) -> None:
    c, csrf = _client(env, "ministry")
    bad = {"new": "1", "d-0-target_kind": "country", "d-0-target": "CN", "d-0-severity": "lots", "d-0-duration": "2"}
    r = c.post("/scenarios/save", data=_form(csrf, "bad", **bad))
    assert r.status_code == 422
    assert "severity" in r.text
    assert "bad" not in _scenarios(env)


@pytest.mark.parametrize("who", ["avto", "brake"])
def test_analysts_may_not_write_scenarios_and_are_told_why(env: Env, who: str) -> None:
    c, csrf = _client(env, who)
    form = c.get("/scenarios/edit?dataset=plant&name=de-8w")
    assert 'id="refused"' in form.text  # said before they try
    fields = {"d-0-target_kind": "country", "d-0-target": "DE", "d-0-severity": "1", "d-0-duration": "1"}
    r = c.post("/scenarios/save", data=_form(csrf, "de-8w", **fields))
    assert r.status_code == 403
    assert "only programme users or an administrator" in r.text
    assert c.post("/scenarios/copy", data=_form(csrf, "de-8w", to="mine")).status_code == 403
    s = _scenarios(env)
    assert "mine" not in s
    assert s["de-8w"]["disruptions"][0]["duration"] == 8.0
    viewer, vcsrf = _client(env, "viewer")
    assert viewer.post("/scenarios/copy", data={**_form(vcsrf, "de-8w"), "to": "v"}).status_code == 403


def _run_form(c: TestClient, csrf: str, **params: str) -> int:
    r = c.post("/analyses/run", data={"csrf_token": csrf, "kind": "shock", "dataset": "plant", **params})
    assert r.status_code in (200, 303), r.text[:1000]
    m = re.search(r"/jobs/(\d+)", str(r.url) + r.text)
    assert m
    return int(m.group(1))


def _summary(env: Env, job: int) -> dict[str, Any]:
    t = env.get("admin", f"/api/jobs/{job}/result").json()["tables"]["summary"]
    return dict(zip(t["columns"], t["rows"][0], strict=True))


def _lost_margin_row(html: str) -> list[str]:
    """The A, B and B − A cells of the summary row "lost margin [RUB]" (— where hidden)."""
    row = re.search(r'scope="row">lost margin \[RUB\]</th>(.*?)</tr>', html)
    assert row, html[:2000]
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r'<td class="n">(.*?)</td>', row.group(1))]


def test_demand_only_scenario_runs_and_two_runs_compare(env: Env) -> None:
    c, csrf = _client(env, "ministry")
    demand = {"new": "1", "year": "2025", "c-0-site": "AVTO-TLT", "c-0-part": "CAR", "c-0-factor": "1.5"}
    assert c.post("/scenarios/save", data=_form(csrf, "demand", **demand), follow_redirects=False).status_code == 303
    page = c.get("/scenarios/edit?dataset=plant&name=demand").text
    assert 'id="run-scenario"' in page
    assert 'name="window" type="number" min="0.5" max="520" step="0.5">' in page  # not required: 13 weeks default
    jobs = {
        "demand": _run_form(c, csrf, scenario="demand", window="8"),
        "demand, default window": _run_form(c, csrf, scenario="demand"),
        "de": _run_form(c, csrf, scenario="de-8w"),
        "ad hoc": _run_form(
            c, csrf, scenario="de-8w", target_kind="site", target="BRAKE-MSK", severity="0.5", weeks="8"
        ),
    }
    env.run_jobs()
    assert _summary(env, jobs["demand"])["lost margin [RUB]"] == pytest.approx(DEMAND_ONLY_LOSS, rel=1e-6)
    default = _summary(env, jobs["demand, default window"])
    assert (default["window [weeks]"], default["window basis"]) == (13.0, "default: the scenario disrupts nothing")
    assert default["lost margin [RUB]"] == pytest.approx(DEMAND_ONLY_LOSS * 13 / 8, rel=1e-6)
    assert _summary(env, jobs["de"])["lost margin [RUB]"] == pytest.approx(0.0, abs=1e-3)
    assert _summary(env, jobs["ad hoc"])["lost margin [RUB]"] == pytest.approx(LOST_MARGIN, rel=1e-6)
    listing = c.get("/scenarios?dataset=plant").text
    assert 'id="compare-runs"' in listing
    # the programme sees the totals only where the disclosure rule passes: one OEM loses, so B's is hidden
    url = f"/scenarios/runs?a={jobs['de']}&b={jobs['ad hoc']}"
    assert _lost_margin_row(c.get(url).text)[1:] == ["—", "—"]
    admin, _ = _client(env, "admin")
    page = admin.get(url)
    assert page.status_code == 200
    a, b, diff = (float(x.replace(",", "")) for x in _lost_margin_row(page.text))
    assert a == pytest.approx(0.0, abs=0.01)
    assert b == pytest.approx(LOST_MARGIN, rel=1e-6)
    assert diff == pytest.approx(LOST_MARGIN, rel=1e-6)
    # BRAKE sees these programme runs masked as on their own pages: AVTO's loss stays hidden
    other, _csrf = _client(env, "brake")
    assert _lost_margin_row(other.get(url).text)[1:] == ["—", "—"]
    # an unknown job is a 404
    assert c.get(f"/scenarios/runs?a={jobs['de']}&b=999999").status_code == 404


numbers = st.one_of(st.none(), st.floats(-1e12, 1e12, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(
    a=st.dictionaries(st.sampled_from(["X", "Y", "Z"]), numbers, max_size=3),
    b=st.dictionaries(st.sampled_from(["X", "Y", "W"]), numbers, max_size=3),
)
def test_compare_runs_differences_are_b_minus_a_and_hide_with_either_side(
    a: dict[str, float | None], b: dict[str, float | None]
) -> None:
    def tables(rows: dict[str, float | None]) -> dict[str, pl.DataFrame]:
        oems = pl.DataFrame(
            {"OEM": list(rows), "lost [units]": list(rows.values())},
            schema={"OEM": pl.String, "lost [units]": pl.Float64},
        )
        return {
            "summary": pl.DataFrame({"lost [units]": [sum(v for v in rows.values() if v is not None)]}),
            "oems": oems,
        }

    out = compare_runs(tables(a), tables(b))
    (t,) = out["tables"]
    got = {r["key"][0]: r["cells"][0] for r in t["rows"]}
    assert set(got) == set(a) | set(b)
    for k, cell in got.items():
        x, y = a.get(k), b.get(k)
        assert (cell["a"], cell["b"]) == (x, y)
        if x is None or y is None:
            assert cell["diff"] is None
        else:
            assert cell["diff"] == pytest.approx(y - x)
    (s,) = out["summary"]
    assert s["diff"] == pytest.approx(s["b"] - s["a"])
