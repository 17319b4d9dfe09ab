"""Fast propagation (hand-worked, upper bound of the LP, feasible plan) and Monte Carlo statistics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub.analysis.disruption import TTRModel
from importsub.analysis.montecarlo import (
    MonteCarloSpec,
    Plan,
    Propagator,
    _risk,
    montecarlo,
    propagate,
    propagated_flows,
    reference_plan,
)
from importsub.compile import compile
from importsub.compile.shock import Shock
from importsub.demo.synth import synth
from test_disruption import _plant, flexible_plants


def test_propagation_by_hand() -> None:
    """Flexible plants (see test_disruption.flexible_plants), P1 down for a 4-week window.

    Share plan over 4 weeks: P1 makes A0 240, B0 100; P2 makes A0 160, B0 100.
    P2's line gives 240 of the 260 planned: c = 12/13.  P1: 0.
    Group M/A0: (12/13 · 160) / 400 = 0.3692; M/A: β = 0.3692 + 200 stock / 400 = 0.8692,
    lost 52.31 A = 523.1 RUB.  Group M/B0: (12/13 · 100) / 200 = 6/13; lost 200 · 7/13 B
    = 107.69 B = 3,230.8 RUB.  Total 3,753.8 RUB ≥ the LP's 1,600 (no re-routing).
    """
    net = compile(flexible_plants())
    a = np.ones(net.n_nodes)
    a[_plant(net, "P1")] = 0.0
    beta = propagate(net, a, 4.0)
    A, B = net.node("M", "A"), net.node("M", "B")
    assert beta[net.node("P2", "A0")] == pytest.approx(12 / 13)
    assert beta[A] == pytest.approx(12 / 13 * 160 / 400 + 0.5)
    assert beta[B] == pytest.approx(6 / 13)
    plan = Plan.from_shares(net, 4.0)
    loss = Propagator(net, plan).extra_loss(beta[:, None].astype(np.float64))
    assert float(loss.sum()) == pytest.approx(10 * 400 * (1 - beta[A]) + 30 * 200 * 7 / 13)
    assert float(loss.sum()) >= 1600.0
    # from the LP plan nothing is lost without a shock, and the shock loses ≥ PI = 1,600
    lp_plan = reference_plan(net, 4.0, "lp")
    prop = Propagator(net, lp_plan)
    assert float(prop.extra_loss(prop.run(np.ones((net.n_nodes, 1)))).sum()) == 0.0
    assert float(prop.extra_loss(prop.run(a[:, None])).sum()) >= 1600.0 - 1e-6


def _check_feasible(model: TTRModel, p: np.ndarray, f: np.ndarray, y_nodes: np.ndarray) -> None:
    z = np.concatenate([p, f, y_nodes[model.final]])
    scale = 1e-7 * (1.0 + np.abs(z).max())
    assert np.all(z >= -scale)
    up = model.col_upper
    assert np.all(z <= np.where(np.isfinite(up), up, np.inf) + scale)
    assert np.all(model.A @ z <= model.row_upper + scale)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sites=st.integers(15, 60),
    seed=st.integers(0, 10_000),
    hit_share=st.floats(0.0, 0.6),
    t=st.floats(1.0, 26.0),
)
def test_propagation_is_a_feasible_upper_bound_of_the_lp(sites: int, seed: int, hit_share: float, t: float) -> None:
    net = compile(synth(sites, seed=seed, tiers=4, oem_share=0.1))
    rng = np.random.default_rng(seed)
    a = np.where(rng.random(net.n_nodes) < hit_share, rng.random(net.n_nodes), 1.0)
    shock = Shock.from_availability(net, a, t)
    model = TTRModel(net, shock, t)
    lp_loss = model.solve().lost_margin
    tol = 1e-7 * (model.offset + 1)
    # share plan: absolute loss of propagation ≥ LP loss, and its plan is feasible
    plan = Plan.from_shares(net, t)
    beta = propagate(net, a, t, plan)
    p, f, y = propagated_flows(net, plan, beta, a)
    _check_feasible(model, p, f, y)
    prop_loss = float(np.sum(net.margin * (net.demand * t / 52 - y)))
    assert prop_loss >= lp_loss - tol
    # LP-baseline plan: extra loss of propagation ≥ PI of the LP
    base = TTRModel(net, None, t).solve()
    lp_plan = Plan.from_flows(net, t, base.p, base.f, base.y_nodes, base.lost_margin)
    prop = Propagator(net, lp_plan)
    b2 = prop.run(a[:, None])[:, 0]
    extra = float(prop.extra_loss(b2[:, None]).sum())
    assert extra >= lp_loss - base.lost_margin - tol
    p2, f2, y2 = propagated_flows(net, lp_plan, b2, a)
    _check_feasible(model, p2, f2, y2)


def test_risk_measures() -> None:
    x = np.arange(1000, dtype=np.float64)  # losses 0 … 999
    r = _risk(x)
    assert r["mean"] == pytest.approx(499.5)
    assert r["var95"] == 950.0
    assert r["var99"] == 990.0
    assert r["cvar95"] == pytest.approx(np.mean(np.arange(950, 1000)))
    assert r["cvar99"] == pytest.approx(np.mean(np.arange(990, 1000)))


def test_montecarlo_certain_disruption_equals_propagation() -> None:
    # Belarus (P2) always down for the whole 4-week window, nothing else: every run loses the same
    net = compile(flexible_plants())
    spec = MonteCarloSpec(
        runs=300,
        seed=1,
        window=4.0,
        country_probability={"BY": 1.0, "RU": 0.0},
        site_probability=0.0,
        severity=(1.0, 1.0),
        country_weeks=(4.0, 4.0),
        chunk=64,
        float32=False,
    )
    r = montecarlo(net, spec, keep_runs=True)
    plan = reference_plan(net, 4.0, "lp")
    a = np.ones(net.n_nodes)
    a[_plant(net, "P2")] = 0.0
    prop = Propagator(net, plan)
    expected = float(prop.extra_loss(prop.run(a[:, None])).sum())
    runs = r["runs"].get_column("loss [RUB]").to_numpy()
    assert np.allclose(runs, expected)
    s = r["summary"].row(0, named=True)
    assert s["expected loss [RUB]"] == pytest.approx(expected)
    assert s["VaR 99% [RUB]"] == pytest.approx(expected)
    assert s["CVaR 95% [RUB]"] == pytest.approx(expected)
    # the LP (re-routing) loses less or the same
    pi = TTRModel(net, Shock.from_availability(net, a, 4.0), 4.0).solve().lost_margin - plan.lost_margin
    assert expected >= pi - 1e-6
    worst = r["worst 1%"]
    assert set(worst.get_column("site").to_list()) == {"P2"}
    assert worst.get_column("in worst 1% [%]").to_list() == [100.0, 100.0]


def test_montecarlo_statistics_and_seed() -> None:
    net = compile(synth(200, seed=3))
    spec = MonteCarloSpec(
        runs=600, seed=7, window=8.0, site_probability=0.003, default_country_probability=0.002, chunk=128
    )
    r1 = montecarlo(net, spec, keep_runs=True)
    r2 = montecarlo(net, spec, keep_runs=True)
    assert r1["runs"].equals(r2["runs"])
    runs = r1["runs"]
    loss = runs.get_column("loss [RUB]").to_numpy()
    # total = Σ per OEM
    per_oem = runs.drop("run", "loss [RUB]").to_numpy().sum(axis=1)
    assert np.allclose(per_oem, loss)
    s = r1["summary"].row(0, named=True)
    assert s["expected loss [RUB]"] == pytest.approx(loss.mean())
    srt = np.sort(loss)
    assert s["VaR 95% [RUB]"] == pytest.approx(srt[570])
    assert s["CVaR 99% [RUB]"] == pytest.approx(srt[594:].mean())
    assert s["CVaR 99% [RUB]"] >= s["VaR 99% [RUB]"] >= s["VaR 95% [RUB]"]
    assert 0 < s["scenarios with loss [%]"] < 100
    other = montecarlo(
        net,
        MonteCarloSpec(
            runs=600, seed=8, window=8.0, site_probability=0.003, default_country_probability=0.002, chunk=128
        ),
        keep_runs=True,
    )
    assert not other["runs"].equals(r1["runs"])
    # float32 propagation is close to float64
    r64 = montecarlo(
        net,
        MonteCarloSpec(
            runs=600,
            seed=7,
            window=8.0,
            site_probability=0.003,
            default_country_probability=0.002,
            chunk=128,
            float32=False,
        ),
        keep_runs=True,
    )
    l64 = r64["runs"].get_column("loss [RUB]").to_numpy()
    assert np.allclose(loss, l64, rtol=1e-4, atol=1e-5 * float(np.max(l64) + 1))
