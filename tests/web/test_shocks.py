"""Shock builder and results, risk-exposure ranking, Monte Carlo: API, pages, confidentiality, PDF reports.

The two-organisation plant of ``webenv``: a car at Togliatti (AVTO) with
brake units from Minsk (BRAKE, BY) and Germany (FORE, DE).  Hand-worked case
(every figure over an 8-week window, τ = 8/52 year):

* Germany down 8 weeks and Minsk brakes at half capacity: brake units
  available = 0.5 · 512,345 · τ = 39,411.15 (FORE-1 delivers none; no
  stock of brake units anywhere).  Pads are plentiful (PAD-CN: 7,000,000 · τ
  = 1,076,923 ≥ 8 · 39,411), the brake line's pool (654,321 · τ = 100,665)
  and the car plant (123,457 · τ = 18,993 ≥ demand) do not bind.
* Cars need 4 brake units: delivered = 39,411.15 / 4 = 9,852.79 of the
  100,000 · τ = 15,384.62 demanded; lost 5,531.83 cars × 150,000 RUB margin
  = 829,774,038 RUB, nothing lost without the shock.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from webenv import AVTO_CAPACITY, BRAKE_CAPACITY, Env, login, make_env, web_dataset

TAU = 8 / 52
BRAKES = 0.5 * BRAKE_CAPACITY * TAU  # brake units Minsk can make in the window
DEMAND = 100_000 * TAU
DELIVERED = BRAKES / 4
LOST_MARGIN = (DEMAND - DELIVERED) * 150_000
AD_HOC = {"scenario": "de-8w", "target_kind": "site", "target": "BRAKE-MSK", "severity": 0.5, "weeks": 8}


def _table(result: dict[str, Any], name: str) -> list[dict[str, Any]]:
    t = result["tables"][name]
    return [dict(zip(t["columns"], row, strict=True)) for row in t["rows"]]


def _run(env: Env, kind: str, params: dict[str, Any], who: str = "admin") -> int:
    r = env.post(who, f"/api/analyses/{kind}?dataset=plant", json=params)
    assert r.status_code in (200, 202), r.text
    env.run_jobs()
    job = env.get(who, f"/api/jobs/{r.json()['id']}").json()
    assert job["status"] == "done", job["error"]
    return int(job["id"])


@pytest.fixture(scope="module")
def ran(shared_env: Env) -> dict[str, int]:
    """The hand-worked shock, the stored scenario, a node sweep, a country sweep and a Monte Carlo run."""
    return {
        "ad hoc": _run(shared_env, "shock", AD_HOC),
        "stored": _run(shared_env, "shock", {"scenario": "de-8w"}),
        "sweep": _run(shared_env, "sweep", {"weeks": 8}),
        "sweep site": _run(shared_env, "sweep", {"weeks": 8, "by": "site", "tts": True}),
        "sweep country": _run(shared_env, "sweep", {"weeks": 8, "by": "country"}),
        "montecarlo": _run(shared_env, "montecarlo", {"runs": 3000, "seed": 7, "site_probability": 0.05}),
    }


# ---------------------------------------------------------------- API


def test_kinds_are_registered_with_their_parameters(shared_env: Env) -> None:
    kinds = {a["kind"]: a for a in shared_env.get("viewer", "/api/analyses").json()}
    assert {"shock", "sweep", "montecarlo"} <= set(kinds)
    props = kinds["shock"]["params_schema"]["properties"]
    assert {"scenario", "target_kind", "target", "severity", "weeks", "recovery", "window"} <= set(props)
    assert set(kinds["sweep"]["params_schema"]["properties"]["by"]["enum"]) == {"node", "site", "country"}


def test_ad_hoc_shock_matches_the_hand_worked_case(shared_env: Env, ran: dict[str, int]) -> None:
    result = shared_env.get("admin", f"/api/jobs/{ran['ad hoc']}/result").json()
    summary = _table(result, "summary")[0]
    assert summary["window [weeks]"] == 8.0
    assert summary["performance impact [RUB]"] == pytest.approx(LOST_MARGIN, rel=1e-7)
    assert summary["baseline lost margin [RUB]"] == pytest.approx(0.0, abs=1e-3)
    assert summary["surviving output [%]"] == pytest.approx(100 * DELIVERED / DEMAND, rel=1e-7)
    (oem,) = _table(result, "oems")
    assert oem["OEM"] == "AVTO"
    assert oem["delivered [units]"] == pytest.approx(DELIVERED, rel=1e-7)
    assert oem["extra lost margin [RUB]"] == pytest.approx(LOST_MARGIN, rel=1e-7)
    why = _table(result, "why")
    first = why[0]
    assert first["constraint"] == "input shortage"
    assert first["site"] == "AVTO-TLT"  # the buyer owns its shortage
    assert first["units short [units]"] == pytest.approx(4 * DEMAND - BRAKES, rel=1e-7)
    cut = {w["where"]: w for w in why if w["constraint"] == "capacity cut"}
    assert cut["BRAKE-MSK/BRK"]["site"] == "BRAKE-MSK"
    assert cut["FORE-1/BRK"]["site"] == "FORE-1"
    targets = _table(result, "targets")
    assert {(t["kind"], t["target"], t["severity [fraction]"]) for t in targets} == {
        ("country", "DE", 1.0),
        ("site", "BRAKE-MSK", 0.5),
    }
    fp = result["fingerprint"]
    assert fp["dataset"] == "plant"
    assert fp["version"] == 2  # the stored version, not the in-memory copy
    assert fp["ad hoc disruption"].startswith("site BRAKE-MSK: severity 0.5, 8 weeks")
    # nothing was written: still two versions, the scenario still has one disruption
    assert len(shared_env.get("admin", "/api/datasets/plant/versions").json()) == 2
    scen = shared_env.get("admin", "/api/datasets/plant/scenarios/de-8w").json()
    assert len(scen["disruptions"]) == 1


def test_ad_hoc_disruption_equals_the_stored_scenario_it_repeats(shared_env: Env, ran: dict[str, int]) -> None:
    """An ad-hoc 'DE down 8 weeks' goes through compile_shock like the stored de-8w: the same tables."""
    ad_hoc = _run(shared_env, "shock", {"target_kind": "country", "target": "DE", "weeks": 8, "year": 2025})
    a = shared_env.get("admin", f"/api/jobs/{ad_hoc}/result").json()
    b = shared_env.get("admin", f"/api/jobs/{ran['stored']}/result").json()
    for t in ("vehicles", "oems", "why", "targets"):
        assert a["tables"][t] == b["tables"][t], t
    sa, sb = _table(a, "summary")[0], _table(b, "summary")[0]
    assert sa["scenario"] == "ad hoc"
    assert {k: v for k, v in sa.items() if k != "scenario"} == {k: v for k, v in sb.items() if k != "scenario"}


def test_shock_parameters_are_checked(shared_env: Env) -> None:
    bad = [
        {},  # nothing to run
        {"target_kind": "site"},  # a kind without a target
        {"target": "BRAKE-MSK"},
        {"scenario": "de-8w", "severity": 1.5},
        {"target_kind": "planet", "target": "Mars"},
        {"scenario": "de-8w", "extra": 1},
    ]
    for params in bad:
        assert shared_env.post("admin", "/api/analyses/shock?dataset=plant", json=params).status_code == 422, params
    # an unknown target is a failed job that names it
    r = shared_env.post("admin", "/api/analyses/shock?dataset=plant", json={"target_kind": "site", "target": "NOPE"})
    assert r.status_code == 202
    shared_env.run_jobs()
    job = shared_env.get("admin", f"/api/jobs/{r.json()['id']}").json()
    assert job["status"] == "failed"
    assert "NOPE" in job["error"]
    # the same request on the same data is the stored job (asked once here, whatever ran before)
    first = shared_env.post("avto", "/api/analyses/shock?dataset=plant", json=AD_HOC)
    assert first.status_code in (200, 202)
    shared_env.run_jobs()
    again = shared_env.post("avto", "/api/analyses/shock?dataset=plant", json=AD_HOC)
    assert again.status_code == 200
    assert again.json()["reused"]


def test_sweep_ranks_by_performance_impact(shared_env: Env, ran: dict[str, int]) -> None:
    result = shared_env.get("admin", f"/api/jobs/{ran['sweep']}/result").json()
    nodes = _table(result, "nodes")
    assert [n["rank"] for n in nodes] == list(range(1, len(nodes) + 1))
    pis = [n["performance impact [RUB]"] for n in nodes]
    assert pis == sorted(pis, reverse=True)
    # the car plant down for 8 weeks loses the whole window's margin; nothing else is irreplaceable
    top = nodes[0]
    assert top["target"] == "AVTO-TLT/CAR"
    assert top["performance impact [RUB]"] == pytest.approx(DEMAND * 150_000, rel=1e-7)
    assert top["risk exposure index"] == 1.0
    assert all(p == 0.0 for p in pis[1:])
    summary = _table(result, "summary")[0]
    assert summary["zero impact [%]"] == pytest.approx(100 * (len(nodes) - 1) / len(nodes))
    sites = _table(shared_env.get("admin", f"/api/jobs/{ran['sweep site']}/result").json(), "sites")
    assert {s["site"] for s in sites} == {"AVTO-TLT", "BRAKE-MSK", "FORE-1", "PAD-CN"}
    assert all(s["TTS [weeks]"] is not None for s in sites)
    countries = _table(shared_env.get("admin", f"/api/jobs/{ran['sweep country']}/result").json(), "countries")
    assert countries[0]["country"] == "RU"


def test_montecarlo_result(shared_env: Env, ran: dict[str, int]) -> None:
    result = shared_env.get("admin", f"/api/jobs/{ran['montecarlo']}/result").json()
    s = _table(result, "summary")[0]
    assert s["runs"] == 3000
    assert 0 <= s["VaR 95% [RUB]"] <= s["CVaR 95% [RUB]"] <= s["CVaR 99% [RUB]"]
    assert s["CVaR 99% [RUB]"] <= DEMAND * 13 / 8 * 150_000 + 1  # never more than the window's whole margin
    (oem,) = _table(result, "oems")
    assert oem["expected loss [RUB]"] == pytest.approx(s["expected loss [RUB]"], rel=1e-9)


# ---------------------------------------------------------------- confidentiality


def _numbers(value: float) -> list[str]:
    """How a derived figure could be written: JSON, English and Russian grouping, rounded to whole units."""
    whole = f"{value:,.0f}"
    return [repr(value), f"{value:.2f}", whole, whole.replace(",", "\u00a0"), whole.replace(",", " ")]


def _text(content: bytes) -> str:
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    return content.decode("utf-8", "replace")


# figures that follow from one organisation's capacity (over the 8-week window)
OF_BRAKE = _numbers(BRAKES)  # the capacity-cut row of BRAKE-MSK: 39,411 units
OF_FORE = _numbers(800_000 * TAU)  # FORE-1's brake capacity over the window: 123,077 units
OF_AVTO = _numbers(DELIVERED) + _numbers(LOST_MARGIN)  # AVTO's delivered cars and lost margin
HIDDEN_FROM = {"brake": OF_AVTO + OF_FORE, "ministry": OF_AVTO + OF_BRAKE + OF_FORE, "avto": OF_BRAKE + OF_FORE}


def _views(env: Env, job_id: int) -> Iterator[tuple[str, str]]:
    yield "result", f"/api/jobs/{job_id}/result"
    for fmt in ("json", "csv", "html", "xlsx"):
        yield fmt, f"/api/jobs/{job_id}/export?format={fmt}"


@pytest.mark.parametrize("who", ["brake", "ministry", "avto"])
def test_shock_figures_of_other_organisations_are_hidden(shared_env: Env, ran: dict[str, int], who: str) -> None:
    for what, url in _views(shared_env, ran["ad hoc"]):
        r = shared_env.get(who, url)
        assert r.status_code == 200, url
        text = _text(r.content)
        leaks = [s for s in HIDDEN_FROM[who] if re.search(rf"(?<![0-9.,]){re.escape(s)}(?![0-9])", text)]
        assert not leaks, f"{who} reads {leaks} in {what}"
    result = shared_env.get(who, f"/api/jobs/{ran['ad hoc']}/result").json()
    oem = _table(result, "oems")[0]
    vehicle = _table(result, "vehicles")[0]
    summary = _table(result, "summary")[0]
    why = {w["where"]: w for w in _table(result, "why")}
    own = who == "avto"
    assert (oem["delivered [units]"] is not None) == own
    assert (vehicle["extra lost margin [RUB]"] is not None) == own
    assert oem["demand [units]"] == pytest.approx(DEMAND)  # demand is not confidential
    # the scenario's total is AVTO's alone (the only OEM): only AVTO sees it
    assert (summary["performance impact [RUB]"] is not None) == own
    assert summary["window [weeks]"] == 8.0
    assert (why["Brake unit for Togliatti"]["why"] is not None) == own
    assert (why["BRAKE-MSK/BRK"]["units short [units]"] is not None) == (who == "brake")
    assert why["FORE-1/BRK"]["why"] is None
    # the rows of others come after one's own
    shown = [w["why"] is not None for w in _table(result, "why")]
    assert shown == sorted(shown, reverse=True)


def test_owners_see_their_shock_figures(shared_env: Env, ran: dict[str, int]) -> None:
    """Positive controls: the searches above find the figures where they are allowed."""

    def found(who: str, figures: list[str]) -> bool:
        text = shared_env.get(who, f"/api/jobs/{ran['ad hoc']}/export?format=html").text
        return any(re.search(rf"(?<![0-9.,]){re.escape(s)}(?![0-9])", text) for s in figures)

    assert found("avto", OF_AVTO)
    assert found("brake", OF_BRAKE)
    assert found("admin", OF_AVTO)
    assert found("admin", OF_BRAKE)
    assert found("admin", OF_FORE)


def test_sweep_ranks_only_what_the_viewer_may_see(shared_env: Env, ran: dict[str, int]) -> None:
    admin = _table(shared_env.get("admin", f"/api/jobs/{ran['sweep']}/result").json(), "nodes")
    for who, org_sites in (("brake", {"BRAKE-MSK"}), ("avto", {"AVTO-TLT"}), ("ministry", set())):
        result = shared_env.get(who, f"/api/jobs/{ran['sweep']}/result").json()
        nodes = _table(result, "nodes")
        assert len(nodes) == len(admin)
        visible = [n for n in nodes if n["performance impact [RUB]"] is not None]
        hidden = [n for n in nodes if n["performance impact [RUB]"] is None]
        assert {n["site"] for n in visible} == org_sites
        assert nodes == visible + hidden  # own rows first, then the others by name
        assert [n["target"] for n in hidden] == sorted(n["target"] for n in hidden)
        assert all(n["rank"] is None and n["risk exposure index"] is None for n in hidden)
        assert [n["rank"] for n in visible] == list(range(1, len(visible) + 1))
        # the index is relative to the largest impact the viewer may see, not to another organisation's
        top = max((n["performance impact [RUB]"] for n in visible), default=0.0)
        for n in visible:
            expected = n["performance impact [RUB]"] / top if top > 0 else 0.0
            assert n["risk exposure index"] == pytest.approx(expected)
        assert _table(result, "summary")[0]["largest PI [RUB]"] is None
    # sites: the same rule; countries: a country with one producing organisation is that organisation's
    # (every country of the plant has one producing organisation)
    for who, own in (("brake", {"BY"}), ("avto", {"RU"}), ("ministry", set())):
        countries = _table(shared_env.get(who, f"/api/jobs/{ran['sweep country']}/result").json(), "countries")
        assert {c["country"] for c in countries if c["performance impact [RUB]"] is not None} == own


def test_montecarlo_totals_of_a_single_oem_are_its_own(shared_env: Env, ran: dict[str, int]) -> None:
    for who, sees in (("avto", True), ("brake", False), ("ministry", False), ("admin", True)):
        result = shared_env.get(who, f"/api/jobs/{ran['montecarlo']}/result").json()
        s = _table(result, "summary")[0]
        assert (s["expected loss [RUB]"] is not None) == sees, who
        assert all((q["loss [RUB]"] is not None) == sees for q in _table(result, "distribution"))
        assert (_table(result, "oems")[0]["CVaR 99% [RUB]"] is not None) == sees
        worst = _table(result, "worst 1%")
        for w in worst:
            mine = who == "admin" or (who == "avto" and w["site"] == "AVTO-TLT")
            assert (w["in worst 1% [%]"] is not None) == mine, (who, w)


def test_totals_over_oems_follow_the_disclosure_rule(tmp_path: Any) -> None:
    """A scenario's total loss is an aggregate over the OEMs that lose: shown only when at least three lose and
    none holds more than 80 % of what the viewer does not know.  With two OEMs (BRAKE also sells brake units)
    only an OEM that alone loses sees it (its own loss) — not an outsider (ministry), nor the other OEM; with a third (FORE sells pads) each viewer sees it exactly when the rule, applied by hand to the
    OEM losses the admin sees, says so."""
    from importsub.model.dataset import Dataset
    from importsub.model.validate import check
    from importsub.store import Store
    from importsub.web.confidentiality import Viewer, disclosable

    ds = web_dataset()
    brake = ds.demand.with_columns(pl.lit("BRAKE-MSK").alias("site"), pl.lit("BRK").alias("part"))
    fore = ds.demand.with_columns(pl.lit("FORE-1").alias("site"), pl.lit("PAD").alias("part"))
    orgs = {"ministry": None, "brake": "BRAKE", "avto": "AVTO"}
    for name, extra in (("two", [brake]), ("three", [brake, fore])):
        data = check(Dataset.from_frames(name, {**ds.tables, "demand": pl.concat([ds.demand, *extra])}))
        db = str(tmp_path / f"{name}.sqlite")
        Store(db).write_dataset(data, name=name, created_by="test")
        gen = make_env(db, versions=1)
        env = next(gen)
        try:
            job = env.post("admin", f"/api/analyses/shock?dataset={name}", json=AD_HOC).json()
            env.run_jobs()
            full = env.get("admin", f"/api/jobs/{job['id']}/result").json()
            assert _table(full, "summary")[0]["performance impact [RUB]"] is not None
            losses = {o["OEM"]: max(o["extra lost margin [RUB]"], 0.0) for o in _table(full, "oems")}
            for who, org in orgs.items():
                result = env.get(who, f"/api/jobs/{job['id']}/result").json()
                total = _table(result, "summary")[0]["performance impact [RUB]"]
                expected = disclosable(losses, Viewer(org))
                if name == "two":  # at most two lose: shown only where it is the viewer's own loss alone
                    assert expected == ({k for k, v in losses.items() if v > 0} <= {org})
                assert (total is not None) == expected, (name, who, losses)
                oems = {o["OEM"]: o["extra lost margin [RUB]"] for o in _table(result, "oems")}
                assert set(oems) == set(losses)
                assert {k for k, v in oems.items() if v is not None} == ({org} if org else set())
        finally:
            gen.close()


# ---------------------------------------------------------------- pages


def _client(env: Env, who: str) -> tuple[TestClient, str]:
    c = TestClient(env.client.app, base_url="http://testserver")
    return c, login(c, who)


def test_shock_builder_runs_a_shock_and_shows_its_results(env: Env) -> None:
    c, csrf = _client(env, "ministry")
    page = c.get("/shocks")
    assert page.status_code == 200
    assert 'name="target_kind"' in page.text
    assert '<option value="de-8w">' in page.text
    assert '<option value="BRAKE-MSK">site: Minsk brakes</option>' in page.text
    assert '<option value="AVTO-TLT|BRK|BRAKE-MSK">' in page.text
    form = {"kind": "shock", "dataset": "plant", "csrf_token": csrf, "window": "", "year": ""}
    form |= {k: str(v) for k, v in AD_HOC.items()}
    r = c.post("/analyses/run", data=form, follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    assert "queued" in c.get(url).text
    env.run_jobs()
    # the waiting page's status poll reloads the page once the result is there
    poll = c.get(url, headers={"HX-Request": "true"})
    assert poll.status_code == 204
    assert poll.headers["HX-Refresh"] == "true"
    html = c.get(url).text
    # the ministry may see no OEM's loss here (one OEM, another organisation): no bar, a note instead
    assert 'data-chart="chart-oem-loss"' not in html
    assert "No OEM figure you may see." in html
    assert "1 OEM of another organisation is not shown." in html
    assert 'id="why-list"' in html
    assert "Brake unit for Togliatti" in html  # another organisation's shortage: named, figures hidden
    assert "details hidden" in html
    assert "hidden" in html.split('id="loss-figure"')[1][:200]  # the ministry may not see AVTO's loss
    assert "/export?format=pdf" in html
    # a form without a scenario or a disruption is refused with the reason
    bad = c.post("/analyses/run", data={"kind": "shock", "dataset": "plant", "csrf_token": csrf})
    assert bad.status_code == 422
    assert "give a scenario" in bad.text


def test_result_pages_show_the_owner_its_figures(shared_env: Env, ran: dict[str, int]) -> None:
    c, _ = _client(shared_env, "avto")
    html = c.get(f"/jobs/{ran['ad hoc']}").text
    chart = re.search(r'<script type="application/json" id="chart-oem-loss">([^<]+)</script>', html)
    assert chart
    assert "Avto plant" in chart.group(1)
    assert f"{LOST_MARGIN:,.0f}" in html.split('id="loss-figure"')[1][:100]
    assert "9,853" in html  # delivered cars
    for kind in ("sweep", "sweep site", "montecarlo"):
        assert c.get(f"/jobs/{ran[kind]}").status_code == 200


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_shock_pages_in_both_languages(shared_env: Env, ran: dict[str, int], lang: str) -> None:
    c, csrf = _client(shared_env, "admin")
    c.post("/language", data={"lang": lang, "csrf_token": csrf, "next": "/"})
    words = {
        "en": ("Shock builder", "Risk exposure", "Lost margin per OEM [RUB]", "Expected loss [RUB]"),
        "ru": (
            "Конструктор шоков",
            "Подверженность риску",
            "Потерянная маржа по автопроизводителям",
            "Ожидаемая потеря",
        ),
    }[lang]
    assert words[0] in c.get("/shocks").text
    risk = c.get("/risk?by=node")
    assert words[1] in risk.text
    assert c.get(f"/jobs/{ran['ad hoc']}").text.count(words[2]) >= 1
    assert words[3] in c.get(f"/jobs/{ran['montecarlo']}").text
    for url in ("/risk?by=site", "/risk?by=country", f"/jobs/{ran['sweep']}", f"/jobs/{ran['sweep country']}"):
        r = c.get(url)
        assert r.status_code == 200, url
        assert f'<html lang="{lang}">' in r.text
    c.post("/language", data={"lang": "en", "csrf_token": csrf})


def test_risk_page_runs_and_shows_the_stored_ranking(env: Env) -> None:
    c, csrf = _client(env, "brake")
    page = c.get("/risk?by=site")
    assert "Compute the ranking" in page.text
    r = c.post(
        "/analyses/run",
        data={"kind": "sweep", "dataset": "plant", "by": "site", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    env.run_jobs()
    page = c.get("/risk?by=site").text
    assert 'id="risk-table"' in page
    rows = re.findall(r"<tr><td class=\"n\">([^<]*)</td><td>([^<]+)</td>", page)
    targets = [t for _, t in rows]
    assert targets[0] == "BRAKE-MSK"  # own site first, the others after it by name
    assert targets[1:] == sorted(targets[1:])
    # a viewer may read the ranking but not run one
    v, vcsrf = _client(env, "viewer")
    assert "Compute the ranking" not in v.get("/risk?by=node").text
    assert v.post("/analyses/run", data={"kind": "sweep", "dataset": "plant", "csrf_token": vcsrf}).status_code == 403


# ---------------------------------------------------------------- PDF


def _pdf_text(content: bytes) -> str | None:
    try:
        import pypdf
    except ImportError:
        return None
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(p.extract_text() for p in reader.pages)


def _pdf_title(content: bytes) -> str:
    """The document title from the PDF's (uncompressed) information dictionary."""
    m = re.search(rb"/Title\s*(<[0-9A-Fa-f]+>|\((?:\\.|[^\\)])*\))", content)
    assert m, "no /Title in the PDF"
    raw = m.group(1)
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode())
        return data[2:].decode("utf-16-be") if data[:2] == b"\xfe\xff" else data.decode("latin-1")
    return raw[1:-1].decode("latin-1")


needs_chromium = pytest.mark.skipif(
    __import__("importsub.web.services.reports", fromlist=["find_chromium"]).find_chromium() is None
    and not __import__("os").environ.get("CI"),
    reason="no Chromium to print with",
)


@needs_chromium
def test_pdf_report_carries_the_fingerprint(shared_env: Env, ran: dict[str, int]) -> None:
    r = shared_env.get("ministry", f"/api/jobs/{ran['ad hoc']}/export?format=pdf")
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    content = shared_env.get("admin", f"/api/jobs/{ran['ad hoc']}/result").json()["fingerprint"]["content"]
    assert content[:12] in _pdf_title(r.content)
    text = _pdf_text(r.content)
    if text is not None:
        flat = re.sub(r"\s+", "", text)
        assert content in flat  # the full hash, in the page's fingerprint table
        assert "Analysisreport:shock" in flat
        assert not [s for s in HIDDEN_FROM["ministry"] if s.replace(",", "") in flat.replace(",", "")]
    # an owner's PDF has the owner's figures (positive control of the search above)
    own = _pdf_text(shared_env.get("avto", f"/api/jobs/{ran['ad hoc']}/export?format=pdf").content)
    if own is not None:
        assert f"{LOST_MARGIN:,.0f}" in own


@needs_chromium
def test_pdf_report_in_russian(shared_env: Env, ran: dict[str, int]) -> None:
    url = f"/api/jobs/{ran['montecarlo']}/export?format=pdf"
    r = shared_env.client.get(url, headers={**shared_env.auth("viewer"), "Accept-Language": "ru"})
    assert r.status_code == 200
    assert _pdf_title(r.content).startswith("Отчёт о расчёте")
    text = _pdf_text(r.content)
    if text is not None:
        assert "Исходные данные (отпечаток)" in text


def test_pdf_without_chromium_says_what_is_missing(
    shared_env: Env, ran: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPORTSUB_CHROMIUM", "/nonexistent/chromium")
    r = shared_env.get("ministry", f"/api/jobs/{ran['stored']}/export?format=pdf")
    assert r.status_code == 503
    assert "Chromium" in r.json()["detail"]
    assert "chromium" in r.json()["detail"]  # the Debian package to install
    # the other formats do not need it
    assert shared_env.get("ministry", f"/api/jobs/{ran['stored']}/export?format=html").status_code == 200


def test_registered_kinds_declare_tables_that_exist(shared_env: Env, ran: dict[str, int]) -> None:
    """Every confidential or aggregate declaration names a table and columns that the result has (no dead rule)."""
    results = {
        "shock": shared_env.get("admin", f"/api/jobs/{ran['ad hoc']}/result").json(),
        "montecarlo": shared_env.get("admin", f"/api/jobs/{ran['montecarlo']}/result").json(),
    }
    sweeps = [
        shared_env.get("admin", f"/api/jobs/{ran[k]}/result").json() for k in ("sweep", "sweep site", "sweep country")
    ]
    results["sweep"] = {"tables": {k: v for r in sweeps for k, v in r["tables"].items()}}
    from importsub.model.results import result_tables

    for kind, result in results.items():
        assert kind in shared_env.analyses
        for (k, table), declared in result_tables().items():
            if k != kind or (kind == "shock" and table == "periods"):  # an ad-hoc shock has one period: no table
                continue
            if kind == "montecarlo" and table in ("simulated runs", "models"):  # only with simulate=True
                continue
            cols = {c for c, f in declared.owners.items() if f.kind != "public"}
            assert table in result["tables"], (kind, table)
            missing = cols - set(result["tables"][table]["columns"]) - {"TTS [weeks]"}
            assert not missing, (kind, table, missing)
            for f in declared.owners.values():
                assert f.column in (None, "*") or f.column in result["tables"][table]["columns"], (kind, table, f)
    assert AVTO_CAPACITY > 0  # the capacities above come from webenv


# ---------------------------------------------------------------- the why sentences in Russian

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _ru(figure: float) -> str:
    """A whole figure as Russian pages write it (narrow no-break spaces between thousands)."""
    return f"{round(figure):,}".replace(",", "\u202f")


def test_the_why_sentences_are_russian_on_russian_pages_and_reports(shared_env: Env, ran: dict[str, int]) -> None:
    c, csrf = _client(shared_env, "admin")
    job = ran["ad hoc"]
    capacity_lost = 0.5 * BRAKE_CAPACITY * TAU  # the Minsk brake line at half capacity over the 8 weeks [units]
    try:
        english = c.get(f"/jobs/{job}").text.split('id="why-list"')[1].split("</ol>")[0]
        assert "capacity cut to 50 % in weeks 0–8" in english
        assert f"{round(capacity_lost):,} units of capacity lost" in english
        assert not CYRILLIC.search(re.sub(r"<span class=\"badge\">.*?</span>", "", english))
        assert c.post("/language", data={"lang": "ru", "next": "/", "csrf_token": csrf}).status_code in (200, 303)
        html = c.get(f"/jobs/{job}").text
        why = html.split('id="why-list"')[1].split("</ol>")[0]
        items = re.findall(r"<li>(.*?)</li>", why, re.S)
        assert items
        for item in items:
            sentence = re.sub(r"<[^>]+>", " ", item.split('<span class="muted small">')[0])
            sentence = sentence.split("</span>", 1)[-1] if "badge" in item else sentence
            assert CYRILLIC.search(sentence), sentence
            assert "units" not in sentence, sentence
            assert "weeks" not in sentence, sentence
        assert "мощность снижена до 50 % на неделях 0–8" in why
        assert f"потеряно {_ru(capacity_lost)} шт. мощности" in why
        # the HTML report (the PDF prints it) in the reader's language, the message ids and parameters left out
        report = c.get(f"/api/jobs/{job}/export?format=html").text
        assert 'lang="ru"' in report
        assert f"потеряно {_ru(capacity_lost)} шт. мощности" in report
        assert "why args" not in report
        assert "параметры «почему»" not in report
        # the files keep the English sentence and the structured form
        result = c.get(f"/api/jobs/{job}/result").json()
        rows = _table(result, "why")
        cut = next(w for w in rows if w["where"] == "BRAKE-MSK/BRK")
        assert cut["why id"] == "capacity cut"
        assert "capacity cut to 50 %" in cut["why"]
        assert json.loads(cut["why args"])["lost"] == pytest.approx(capacity_lost)
    finally:
        c.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf})
