"""Scenarios that disrupt nothing (demand changes or projects only) run: library, CLI ``shock run|simulate``.

Hand network: an OEM plant V (RU) makes model CAR, capacity C cars/yr, from a body bought
from plant B (BY, capacity 10 C bodies/yr, never short); base demand D = C cars/yr, margin
m RUB/car.  A project P-CAR adds K cars/yr at V from its first year (ramp-up 1.0).

Over a window of t weeks (τ = t/52 yr) a scenario with demand factor f and no disruption
delivers min(f·D, C + K·[project]) · τ cars, so its lost margin is

    max(f·D − C − K·[project], 0) · τ · m  [RUB]

and, with no window given, t = 13 weeks (DEFAULT_WINDOW_WEEKS), stated as the
summary's ``window basis``.  The baseline has the same demand, so the performance impact is 0.
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importsub.analysis.disruption import DEFAULT_WINDOW_WEEKS, WINDOW_DEFAULT, WINDOW_GIVEN, run_shock
from importsub.cli.common import run
from importsub.cli.main import app
from importsub.compile import compile as compile_network
from importsub.compile.shock import compile_shock
from importsub.model.dataset import Dataset
from importsub.model.validate import check
from importsub.store import Store

CAPACITY = 1000.0  # cars/yr at V
DEMAND = 1000.0  # cars/yr, base
MARGIN = 100.0  # RUB/car
PROJECT = 500.0  # cars/yr added by P-CAR
YEAR = 2025


def hand_network(factor: float = 1.6, capacity: float = CAPACITY, project: float = PROJECT) -> Dataset:
    """The plant V, its body supplier B, the project P-CAR and three scenarios (see the module docstring)."""
    frames = {
        "countries": pl.DataFrame({"iso2": ["RU", "BY"], "name": ["Russia", "Belarus"]}),
        "country_groups": pl.DataFrame({"group": ["union", "union"], "iso2": ["RU", "BY"]}),
        "organizations": pl.DataFrame(
            {
                "id": ["OEM", "BOD"],
                "name": ["Car maker", "Body maker"],
                "country": ["RU", "BY"],
                "kind": ["oem", "supplier"],
            }
        ),
        "sites": pl.DataFrame(
            {
                "id": ["V", "B"],
                "organization": ["OEM", "BOD"],
                "name": ["Car plant", "Body plant"],
                "country": ["RU", "BY"],
                "lat": [53.5, 53.9],
                "lon": [49.4, 27.6],
            }
        ),
        "parts": pl.DataFrame(
            {
                "id": ["CAR", "BODY"],
                "name": ["Car", "Body"],
                "category": ["vehicle", "body"],
                "unit_value": [1000.0, 300.0],
            }
        ),
        "bom": pl.DataFrame({"parent": ["CAR"], "child": ["BODY"], "quantity": [1.0]}),
        "production": pl.DataFrame(
            {"site": ["V", "B"], "part": ["CAR", "BODY"], "capacity": [capacity, 10 * (capacity + project)]}
        ),
        "supply_links": pl.DataFrame({"buyer": ["V"], "part": ["BODY"], "supplier": ["B"], "share": [1.0]}),
        "demand": pl.DataFrame({"site": ["V"], "part": ["CAR"], "year": [YEAR], "units": [DEMAND], "margin": [MARGIN]}),
        "projects": pl.DataFrame(
            {"id": ["P-CAR"], "name": ["More cars"], "host_site": ["V"], "capex": [1e9], "status": ["planned"]}
        ),
        "project_outputs": pl.DataFrame({"project": ["P-CAR"], "part": ["CAR"], "capacity": [project]}),
        "project_rampup": pl.DataFrame({"project": ["P-CAR"], "year": [YEAR], "fraction": [1.0]}),
        "scenarios": pl.DataFrame(
            {
                "name": ["demand-up", "demand-up+project", "project-only"],
                "description": ["Demand × f", "Demand × f with the project", "The project alone"],
                "year": [YEAR, YEAR, YEAR],
            }
        ),
        "demand_changes": pl.DataFrame(
            {
                "scenario": ["demand-up", "demand-up+project"],
                "site": ["V", "V"],
                "part": ["CAR", "CAR"],
                "factor": [factor, factor],
            }
        ),
        "scenario_projects": pl.DataFrame(
            {"scenario": ["demand-up+project", "project-only"], "project": ["P-CAR", "P-CAR"]}
        ),
    }
    return check(Dataset.from_frames("hand", frames))


def expected_loss(factor: float, weeks: float, *, capacity: float = CAPACITY, project: float = 0.0) -> float:
    """The independent figure: max(f·D − C − K, 0) · t/52 · m [RUB]."""
    return max(factor * DEMAND - capacity - project, 0.0) * weeks / 52 * MARGIN


def _summary(ds: Dataset, scenario: str, weeks: float | None = None) -> dict[str, object]:
    net = compile_network(ds, scenario)
    result = run_shock(net, compile_shock(ds, net, scenario), weeks)
    return result["summary"].row(0, named=True)


def test_demand_only_and_project_scenarios_run_over_the_default_window() -> None:
    ds = hand_network()
    s = _summary(ds, "demand-up")
    assert (s["window [weeks]"], s["window basis"]) == (DEFAULT_WINDOW_WEEKS, WINDOW_DEFAULT)
    assert s["lost margin [RUB]"] == pytest.approx(expected_loss(1.6, 13.0), rel=1e-7)  # 600 · 0.25 · 100 = 15,000
    assert s["lost margin [RUB]"] == pytest.approx(15_000.0, rel=1e-7)
    assert s["performance impact [RUB]"] == 0.0  # the baseline has the same demand
    p = _summary(ds, "demand-up+project")
    assert p["lost margin [RUB]"] == pytest.approx(expected_loss(1.6, 13.0, project=PROJECT), rel=1e-7)  # 2,500
    assert p["lost margin [RUB]"] == pytest.approx(2_500.0, rel=1e-7)
    only = _summary(ds, "project-only")
    assert only["window basis"] == WINDOW_DEFAULT
    assert only["lost margin [RUB]"] == pytest.approx(0.0, abs=1e-6)
    given_window = _summary(ds, "demand-up", 4.0)
    assert (given_window["window [weeks]"], given_window["window basis"]) == (4.0, WINDOW_GIVEN)
    assert given_window["lost margin [RUB]"] == pytest.approx(expected_loss(1.6, 4.0), rel=1e-7)


@settings(max_examples=15, deadline=None)
@given(
    factor=st.floats(0.2, 3.0),
    capacity=st.floats(200.0, 3000.0),
    project=st.floats(1.0, 2000.0),
    weeks=st.one_of(st.none(), st.floats(0.5, 52.0)),
)
def test_lost_margin_is_the_demand_above_capacity_times_margin(
    factor: float, capacity: float, project: float, weeks: float | None
) -> None:
    ds = hand_network(factor, capacity, project)
    t = DEFAULT_WINDOW_WEEKS if weeks is None else weeks
    scale = DEMAND * MARGIN * t / 52  # RUB: the tolerance grows with the figures
    s = _summary(ds, "demand-up", weeks)
    assert s["lost margin [RUB]"] == pytest.approx(expected_loss(factor, t, capacity=capacity), abs=1e-6 * scale)
    p = _summary(ds, "demand-up+project", weeks)
    assert p["lost margin [RUB]"] == pytest.approx(
        expected_loss(factor, t, capacity=capacity, project=project), abs=1e-6 * scale
    )
    assert p["lost margin [RUB]"] <= s["lost margin [RUB]"] + 1e-6 * scale  # a project never adds loss


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("demand_only") / "d.sqlite")
    Store(url).write_dataset(hand_network())
    return url


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code = run(app, list(args))
    cap = capsys.readouterr()
    assert code == 0, cap.err
    return json.loads(cap.out)  # type: ignore[no-any-return]


def test_cli_runs_demand_only_and_project_scenarios_without_a_window(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for scenario, project in (("demand-up", 0.0), ("demand-up+project", PROJECT)):
        doc = _cli(capsys, "shock", "run", scenario, "--db", db, "-d", "hand", "-f", "json")
        s = doc["tables"]["summary"][0]  # type: ignore[index]
        assert s["window [weeks]"] == DEFAULT_WINDOW_WEEKS
        assert s["window basis"] == WINDOW_DEFAULT
        assert s["lost margin [RUB]"] == pytest.approx(expected_loss(1.6, 13.0, project=project), rel=1e-7)
        assert doc["fingerprint"]["window_weeks"] == DEFAULT_WINDOW_WEEKS  # type: ignore[index]
    # the terminal table states the window too
    code = run(app, ["shock", "run", "demand-up", "--db", db, "-d", "hand", "-t", "summary", "--wide"])
    out = capsys.readouterr().out
    assert code == 0
    assert "window basis" in out
    assert "disrupts nothing" in out


def test_cli_simulates_a_demand_only_scenario_over_the_default_window(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _cli(capsys, "shock", "simulate", "demand-up", "--db", db, "-d", "hand", "-f", "json")
    s = doc["tables"]["summary"][0]  # type: ignore[index]
    assert (s["window [weeks]"], s["window basis"]) == (13, WINDOW_DEFAULT)
    # the week-by-week loss of a steady shortage is the same figure: 600 cars/yr short for 13 weeks
    assert s["lost margin [RUB]"] == pytest.approx(expected_loss(1.6, 13.0), rel=1e-6)
    weekly = doc["tables"]["weekly"]  # type: ignore[index]
    assert len({w["week"] for w in weekly}) == 13
