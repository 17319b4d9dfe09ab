"""Fast propagation (hand-worked, an independent node-by-node recursion, upper bound of the LP,
feasible plan), float32 against float64, Monte Carlo draws and statistics, and results that do not
depend on the chunk size."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub.analysis.disruption import TTRModel
from importsub.analysis.montecarlo import (
    CHUNK_BUDGET,
    RNG_BLOCK,
    MonteCarloSpec,
    Plan,
    Propagator,
    _bernoulli_positions,
    _risk,
    _Sampler,
    chunk_size,
    draw_availability,
    montecarlo,
    propagate,
    propagated_flows,
    reference_plan,
)
from importsub.compile import compile
from importsub.compile.network import Network
from importsub.compile.shock import WEEKS_PER_YEAR, Shock
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


# ---------------------------------------------------------------- the kernel against an independent recursion

#: float32 propagation: |β32 − β64| ≤ this (≈ 100 float32 steps at 1; measured ≈ 2e-7)
F32_BETA_TOL = 1e-5


def reference_beta(net: Network, plan: Plan, a: np.ndarray, link_available: np.ndarray | None = None) -> np.ndarray:
    """The module docstring's recursion, node by node in topological order, in plain Python (float64).

    ``c_j = min(1, a_j cap_j τ / X_j, c_pool)`` (1 where ``X_j = 0``);
    ``γ_g = min(1, (Σ_{e∈g} min(β_i, cut_e) F_e + stock_g) / U_g)`` (no limit where ``U_g = 0``);
    ``α_j = min(c_j, γ of its input groups)``; ``β_j = min(1, (α_j X_j + stock_j) / O_j)`` (1 where ``O_j = 0``).
    """
    tau = plan.t_weeks / WEEKS_PER_YEAR
    n = net.n_nodes
    c = np.ones(n)
    for j in range(n):
        if plan.X[j] > 0:
            c[j] = min(1.0, a[j] * net.capacity[j] * tau / plan.X[j])
    for k in range(net.pool_capacity.size):
        members = [j for j in range(n) if net.pool[j] == k]
        sx = sum(plan.X[j] for j in members)
        if members and sx > 0:
            cp = min(1.0, max(a[j] for j in members) * net.pool_capacity[k] * tau / sx)
            for j in members:
                c[j] = min(c[j], cp)
    links_of: dict[int, list[int]] = {}
    for e in range(net.n_links):
        links_of.setdefault(int(net.link_group[e]), []).append(e)
    need = net.need.tocsc()
    beta = np.ones(n)
    for j in net.topo:
        alpha = c[j]
        for g in need.indices[need.indptr[j] : need.indptr[j + 1]]:
            if plan.U[g] <= 0:
                continue
            supply = float(net.group_stock[g])
            for e in links_of.get(int(g), []):
                i = int(net.link_supplier[e])
                b = beta[i]
                if link_available is not None and link_available[e] < 1 and plan.F[e] > 0:
                    b = min(b, link_available[e] * net.capacity[i] * tau / plan.F[e])
                supply += b * plan.F[e]
            alpha = min(alpha, 1.0, supply / plan.U[g])
        beta[j] = min(1.0, (alpha * plan.X[j] + net.stock[j]) / plan.O[j]) if plan.O[j] > 0 else 1.0
    return beta


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sites=st.integers(12, 50),
    seed=st.integers(0, 10_000),
    hit_share=st.floats(0.0, 0.7),
    cut_share=st.floats(0.0, 0.3),
    t=st.floats(1.0, 26.0),
    reference=st.sampled_from(["shares", "lp"]),
)
def test_kernel_equals_the_recursion_node_by_node(
    sites: int, seed: int, hit_share: float, cut_share: float, t: float, reference: str
) -> None:
    net = compile(synth(sites, seed=seed, tiers=4, oem_share=0.1))
    plan = reference_plan(net, t, reference)
    rng = np.random.default_rng(seed)
    S = 4
    a = np.where(rng.random((net.n_nodes, S)) < hit_share, rng.random((net.n_nodes, S)), 1.0)
    la = np.where(rng.random(net.n_links) < cut_share, rng.random(net.n_links), 1.0)
    for links in (None, la):
        prop = Propagator(net, plan, links)
        b64 = prop.run(a)
        b32 = prop.run(a, dtype=np.float32)
        assert b32.dtype == np.float32
        for s in range(S):
            ref = reference_beta(net, plan, a[:, s], links)
            assert np.allclose(b64[:, s], ref, rtol=1e-12, atol=1e-12)
        assert np.max(np.abs(b32 - b64)) <= F32_BETA_TOL


def test_kernel_is_column_independent() -> None:
    """Any subset of scenarios, in any chunk, gives bit-identical β (float32 and float64)."""
    net = compile(synth(300, seed=5))
    plan = reference_plan(net, 8.0, "lp")
    rng = np.random.default_rng(1)
    a = np.where(rng.random((net.n_nodes, 200)) < 0.2, rng.random((net.n_nodes, 200)), 1.0)
    prop = Propagator(net, plan)
    for dtype in (np.float32, np.float64):
        whole = prop.run(a, dtype=dtype)
        cols = [0, 3, 77, 199]
        assert np.array_equal(prop.run(a[:, cols], dtype=dtype), whole[:, cols])
        assert np.array_equal(prop.run(a[:, 150:], dtype=dtype), whole[:, 150:])


def test_traffic_and_chunk_size() -> None:
    net = compile(synth(300, seed=5))
    prop = Propagator(net, reference_plan(net, 8.0, "shares"))
    one, many = prop.traffic(1), prop.traffic(64)
    largest = max(lv.pair_rows for lv in prop.levels)
    assert many["footprint"] == 64 * one["footprint"] == 64 * 4 * (net.n_nodes + 1 + largest)
    assert many["bytes"] > 63 * (one["bytes"] - 0.5 * one["bytes"])  # per-scenario bytes dominate
    S = chunk_size(prop)
    assert S % RNG_BLOCK == 0
    assert prop.traffic(S)["footprint"] <= CHUNK_BUDGET or S == RNG_BLOCK


# ---------------------------------------------------------------- draws


def test_bernoulli_positions_are_bernoulli() -> None:
    N = 200_000
    for p in (0.001, 0.01, 0.2):
        counts = []
        for seed in range(20):
            pos = _bernoulli_positions(np.random.default_rng(seed), N, p)
            assert np.all(np.diff(pos) > 0)  # sorted, no repeats
            assert pos.size == 0 or (pos[0] >= 0 and pos[-1] < N)
            counts.append(pos.size)
        # Σ of 20 Binomial(N, p): within 5 standard deviations of its mean
        mean, sd = 20 * N * p, np.sqrt(20 * N * p * (1 - p))
        assert abs(sum(counts) - mean) < 5 * sd
    assert _bernoulli_positions(np.random.default_rng(0), 10, 0.0).size == 0
    assert np.array_equal(_bernoulli_positions(np.random.default_rng(0), 10, 1.0), np.arange(10))


def test_draws_follow_the_spec() -> None:
    """Country and site disruption frequencies, severities and the lost fraction severity · min(D, W) / W."""
    net = compile(synth(400, seed=2))
    W = 10.0
    iso = net.countries[int(net.node_country[0])]
    spec = MonteCarloSpec(
        runs=4096,
        seed=3,
        window=W,
        country_probability={c: (0.3 if c == iso else 0.0) for c in net.countries},
        site_probability=0.02,
        severity=(0.4, 0.8),
        country_weeks=(5.0, 20.0),
        site_weeks=(2.0, 4.0),
    )
    a, lost = draw_availability(net, spec, 0, spec.runs)
    assert np.allclose(a, 1.0 - lost)
    in_c = net.node_country == net.countries.index(iso)
    # the country's nodes go down together: its share of scenarios ≈ 0.3
    down = lost[in_c].max(axis=0) > 0
    share_c = float(np.mean(np.all(lost[in_c] > 0, axis=0)))
    assert abs(share_c - 0.3) < 5 * np.sqrt(0.3 * 0.7 / spec.runs)
    # country loss: 0.4 · 5/10 ≤ s · min(D, W)/W ≤ 0.8 · 10/10; site loss: 0.4 · 2/10 … 0.8 · 4/10
    cl = lost[in_c][:, np.all(lost[in_c] > 0, axis=0)]
    assert cl.min() >= 0.2 - 1e-12
    assert cl.max() <= 0.8 + 1e-12
    other = ~in_c
    sl = lost[other]
    hit = sl[sl > 0]
    assert hit.min() >= 0.08 - 1e-12
    assert hit.max() <= 0.32 + 1e-12
    # every node of a hit site is hit (site_weeks is a range: one duration per site hit)
    site_hits = 0
    for k in np.unique(net.node_site[other])[:60]:
        nodes = np.flatnonzero(net.node_site == k)
        h = lost[nodes] > 0
        assert np.all(h.all(axis=0) == h.any(axis=0))
        site_hits += int(h[0].sum())
    share_s = site_hits / (60 * spec.runs)
    assert abs(share_s - 0.02) < 5 * np.sqrt(0.02 * 0.98 / (60 * spec.runs))
    assert down.any()


def test_draws_do_not_depend_on_the_range_asked() -> None:
    """Scenario s is the same whether drawn alone, in a block, or across blocks (streams per block)."""
    net = compile(synth(200, seed=4))
    spec = MonteCarloSpec(runs=1000, seed=9, site_probability=0.05, default_country_probability=0.1)
    a, _ = draw_availability(net, spec, 0, 300)
    for start, size in ((0, 1), (63, 2), (100, 37), (250, 50)):
        part, _ = draw_availability(net, spec, start, size)
        assert np.array_equal(part, a[:, start : start + size])
    other, _ = draw_availability(net, MonteCarloSpec(runs=1000, seed=10), 0, 300)
    assert not np.array_equal(other, a)


def test_worst_nodes_counted_like_the_draws() -> None:
    net = compile(synth(300, seed=2))
    spec = MonteCarloSpec(
        runs=1000, seed=5, site_probability=0.05, default_country_probability=0.1, severity=(0.0, 1.0)
    )
    plan = reference_plan(net, spec.window, "shares")
    fin = np.flatnonzero(plan.Y > 0)
    _, oem_of = np.unique(net.site_org[net.node_site[fin]], return_inverse=True)
    sampler = _Sampler.build(net, plan, spec, oem_of.astype(np.int64), int(oem_of.max()) + 1)
    scen = np.random.default_rng(0).choice(spec.runs, 150, replace=False)
    _, lost = draw_availability(net, spec, 0, spec.runs)
    assert np.array_equal(sampler.hit_counts(scen), (lost[:, scen] > 0).sum(axis=1))


# ---------------------------------------------------------------- Monte Carlo: chunks, float32, prefix


def _mc_spec(**changes: object) -> MonteCarloSpec:
    base: dict[str, object] = {
        "runs": 700,
        "seed": 4,
        "window": 8.0,
        "site_probability": 0.01,
        "default_country_probability": 0.01,
    }
    base.update(changes)
    return MonteCarloSpec(**base)  # type: ignore[arg-type]


def test_montecarlo_identical_whatever_the_chunk() -> None:
    net = compile(synth(250, seed=6))
    plan = reference_plan(net, 8.0, "lp")
    for float32 in (True, False):
        runs = [
            montecarlo(net, _mc_spec(chunk=chunk, float32=float32), keep_runs=True, plan=plan)["runs"]
            for chunk in (None, 37, 64, 1000)
        ]
        for r in runs[1:]:
            assert r.equals(runs[0])
    # the first scenarios do not depend on how many follow
    short = montecarlo(net, _mc_spec(runs=300), keep_runs=True, plan=plan)["runs"]
    long = montecarlo(net, _mc_spec(runs=700), keep_runs=True, plan=plan)["runs"]
    assert short.equals(long.head(300))


def test_montecarlo_float32_against_float64() -> None:
    """Per scenario, |loss32 − loss64| ≤ 1e-5 × the window's margin of final delivery (MonteCarloSpec)."""
    net = compile(synth(400, seed=8))
    spec = _mc_spec(runs=512, site_probability=0.02, default_country_probability=0.05)
    plan = reference_plan(net, spec.window, "lp")
    l32 = montecarlo(net, spec, keep_runs=True, plan=plan)["runs"].get_column("loss [RUB]").to_numpy()
    l64 = (
        montecarlo(
            net,
            _mc_spec(runs=512, site_probability=0.02, default_country_probability=0.05, float32=False),
            keep_runs=True,
            plan=plan,
        )["runs"]
        .get_column("loss [RUB]")
        .to_numpy()
    )
    window_margin = float(np.sum(net.margin * plan.Y))
    assert np.any(l64 > 0)
    assert np.max(np.abs(l32 - l64)) <= 1e-5 * window_margin


def test_distribution_and_summary_share_one_var_definition() -> None:
    """The loss-distribution quantiles (the chart on the Monte Carlo page) are the same order statistic as the
    summary's VaR: the 95 % and 99 % rows equal VaR 95 % and VaR 99 %, and every row is a loss some scenario
    had (sorted[ceil(q (n − 1))]), counted by hand from the runs."""
    net = compile(synth(120, seed=5))
    spec = MonteCarloSpec(runs=333, seed=11, window=8.0, site_probability=0.01, default_country_probability=0.004)
    r = montecarlo(net, spec, keep_runs=True)
    loss = np.sort(r["runs"].get_column("loss [RUB]").to_numpy())
    s = r["summary"].row(0, named=True)
    dist = dict(zip(r["distribution"]["quantile"].to_list(), r["distribution"]["loss [RUB]"].to_list(), strict=True))
    assert dist[0.95] == s["VaR 95% [RUB]"]
    assert dist[0.99] == s["VaR 99% [RUB]"]
    for q, v in dist.items():
        assert v == loss[int(np.ceil(q * (loss.size - 1)))], q
    assert dist[1.0] == loss[-1]
    assert s["VaR 99% [RUB]"] > 0
