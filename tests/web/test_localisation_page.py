"""The localisation page: figures are the masked stored results' cells, in both languages, with units."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from webenv import Env, make_env

from importsub.analysis.localisation import localisation
from importsub.compile import compile as compile_network
from importsub.web.i18n import format_number


@pytest.fixture(scope="module")
def loc_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from make_env(str(tmp_path_factory.mktemp("loc") / "web.sqlite"), versions=1)


def _charts(html: str) -> dict[str, dict]:
    blocks = re.findall(r'<script type="application/json" id="chart-([\w-]+)">(.*?)</script>', html, re.S)
    return {k: json.loads(v) for k, v in blocks}


def test_before_computing_the_page_offers_the_jobs(loc_env: Env) -> None:
    r = loc_env.get("admin", "/localisation?dataset=plant")
    assert r.status_code == 200
    assert 'name="kind" value="localisation"' in r.text
    assert 'name="kind" value="impact"' in r.text
    assert 'href="/localisation"' in r.text  # linked from the nav
    viewer = loc_env.get("viewer", "/localisation?dataset=plant")
    assert viewer.status_code == 200
    assert 'name="kind"' not in viewer.text


def test_the_page_shows_the_localisation_and_impact_results_with_units(loc_env: Env) -> None:
    for kind in ("localisation", "impact"):
        r = loc_env.post("admin", f"/api/analyses/{kind}?dataset=plant", json={})
        assert r.status_code in (200, 202), r.text
    loc_env.run_jobs()
    ds = loc_env.store.read_dataset("plant")
    expected = localisation(compile_network(ds))  # an independent run on the full data (the admin sees all)
    r = loc_env.get("admin", "/localisation?dataset=plant")
    assert r.status_code == 200, r.text[:500]
    charts = _charts(r.text)
    assert {"oems", "vehicles", "tiers", "trend", "oem-trend", "projects", "targets"} <= set(charts)
    for spec in charts.values():
        assert spec["unit"], spec  # every chart states its unit
        assert spec["labels"] or spec.get("empty"), spec  # drawn, or said to be all zero
    oems = expected["oems"]
    known = charts["oems"]["series"][0]["values"]
    assert known == pytest.approx(oems["import content [%]"].head(len(known)).to_list())
    maximum = charts["oems"]["series"][1]["values"]
    assert maximum == pytest.approx(oems["import content max [%]"].head(len(maximum)).to_list())
    assert all(k <= m + 1e-9 for k, m in zip(known, maximum, strict=True))  # a range: known ≤ maximum
    # the trend's first year without projects is the localisation of that year's demand
    trend = charts["trend"]
    assert len(trend["series"]) == 2
    assert trend["labels"] == sorted(trend["labels"])
    html = r.text
    assert format_number(float(oems["import content [%]"][0]), 2) in html
    ru = loc_env.client.get("/localisation?dataset=plant", headers={**loc_env.auth("admin"), "Accept-Language": "ru"})
    assert ru.status_code == 200
    assert "Локализация" in ru.text
    assert "План и факт" in ru.text
    # the capacity table's note (the web dataset's project has no host site) in the page's language
    assert "no host site: adds no capacity until one is chosen" in html
    assert "нет площадки размещения: мощность не вводится, пока площадка не выбрана" in ru.text
    assert "no host site" not in ru.text


def test_an_outsider_sees_the_masked_figures_only(loc_env: Env) -> None:
    for kind in ("localisation", "impact"):  # the page's jobs, whatever ran before
        assert loc_env.post("admin", f"/api/analyses/{kind}?dataset=plant", json={}).status_code in (200, 202)
    loc_env.run_jobs()
    r = loc_env.get("avto", "/localisation?dataset=plant")
    assert r.status_code == 200
    job = re.search(r'href="/jobs/(\d+)"', r.text)
    assert job is not None
    result = loc_env.get("avto", f"/api/jobs/{job.group(1)}/result").json()
    t = result["tables"]["oems"]
    col = t["columns"].index("import content [%]")
    masked = [row[col] for row in t["rows"]]
    charted = _charts(r.text)["oems"]["series"][0]["values"]
    assert charted == masked[: len(charted)]
