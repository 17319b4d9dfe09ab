"""Week by week on the service: the ``simulate`` job, the weekly output chart on the shock result page (only
the OEM's own line for its users), the line chart of the HTML report, and Monte Carlo with ``simulate``."""

from __future__ import annotations

import json
import re

import pytest
from test_shocks import AD_HOC, _client, _run, _table
from webenv import Env


@pytest.fixture(scope="module")
def jobs(shared_env: Env) -> dict[str, int]:
    return {
        "shock": _run(shared_env, "shock", AD_HOC),
        "stored": _run(shared_env, "shock", {"scenario": "de-8w"}),
        "simulate": _run(shared_env, "simulate", {"scenario": "de-8w", "weeks": 12}),
        "montecarlo": _run(shared_env, "montecarlo", {"runs": 400, "seed": 3, "site_probability": 0.2,
                                                      "simulate": True, "worst": 5, "window": 8}),
    }  # fmt: skip


def test_simulate_job_gives_weekly_rows_and_a_pi_above_the_bound(shared_env: Env, jobs: dict[str, int]) -> None:
    result = shared_env.get("admin", f"/api/jobs/{jobs['simulate']}/result").json()
    weekly = _table(result, "weekly")
    assert sorted({r["week"] for r in weekly}) == list(range(1, 13))
    (s,) = _table(result, "summary")
    assert s["performance impact [RUB]"] >= s["TTR performance impact [RUB]"] - 1e-6
    shock = _table(shared_env.get("admin", f"/api/jobs/{jobs['stored']}/result").json(), "summary")[0]
    # over the shock's own 8-week window the TTR PI is the shock job's; 12 weeks never lose less
    assert s["TTR performance impact [RUB]"] >= shock["performance impact [RUB]"] * (1 - 1e-9)
    assert sum(r["output [units]"] for r in weekly) <= sum(r["demand [units]"] for r in weekly) + 1e-6


def test_shock_page_draws_output_per_week_for_the_oem_only(shared_env: Env, jobs: dict[str, int]) -> None:
    def chart(who: str) -> dict | None:
        c, _ = _client(shared_env, who)
        html = c.get(f"/jobs/{jobs['shock']}").text
        assert 'id="weekly"' in html
        found = re.search(r'<script type="application/json" id="chart-weekly-output">([^<]+)</script>', html)
        return json.loads(found.group(1)) if found else None

    own = chart("avto")
    assert own is not None
    assert own["kind"] == "line"
    assert [s["name"] for s in own["series"]] == ["Avto plant"]
    assert len(own["labels"]) == 8
    assert all(v is not None for v in own["series"][0]["values"])
    assert chart("brake") is None  # another organisation's output per week is hidden


def test_report_has_a_line_chart_of_weekly_output(shared_env: Env, jobs: dict[str, int]) -> None:
    text = shared_env.get("admin", f"/api/jobs/{jobs['simulate']}/export?format=html").text
    section = text.split("<h2>weekly</h2>")[1].split("</section>")[0]
    assert "<polyline" in section
    assert "Avto plant" in section
    assert "<script" not in text


def test_montecarlo_simulates_the_worst_runs_beside_propagation(shared_env: Env, jobs: dict[str, int]) -> None:
    result = shared_env.get("admin", f"/api/jobs/{jobs['montecarlo']}/result").json()
    runs = _table(result, "simulated runs")
    assert len(runs) == 20  # 5 % of 400
    models = {r["model"]: r for r in _table(result, "models")}
    assert set(models) == {"propagation", "simulation"}
    assert all(r["simulated loss [RUB]"] >= 0 for r in runs)
