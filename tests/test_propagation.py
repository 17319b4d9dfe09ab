"""The propagation kernel (:mod:`importsub.analysis.propagation`): a hand-worked three-tier
network, and random networks against an independent dense float64 recursion written here."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub.analysis import montecarlo
from importsub.analysis.propagation import Plan, Propagator, propagate
from importsub.analysis.ttr import TTRModel
from importsub.compile import compile
from importsub.compile.network import Network
from importsub.compile.shock import WEEKS_PER_YEAR
from importsub.demo.synth import synth
from importsub.model.dataset import Dataset
from importsub.model.validate import check

W = 52.0  # weeks per year: per-week figures × 52 give the yearly records


def three_tiers() -> Dataset:
    """Steel → components → vehicles, solved by hand in :func:`test_three_tiers_by_hand`.

    Tier 1: the OEM M (RU) sells vehicle V, 100 / week, margin 20 RUB; one V
    takes one component K, bought 60 % from C1 (BY) and 40 % from C2 (RU);
    M holds 40 K in stock.  Tier 2: one K takes 2 units of steel S; C1 buys
    all its S from the mill R1 (CN), C2 half from R1 and half from R2 (KZ).
    Tier 3: R1 makes 200 S / week, R2 1,000; C1 and C2 make 100 K / week
    each; M makes up to 1,000 V / week.

    Share plan over a 4-week window (τ = 4/52 yr): M makes 400 V and needs
    400 K; C1 makes 240 K (480 S from R1), C2 makes 160 K (320 S: 160 from
    R1, 160 from R2); R1 makes 640 S of its 800, R2 160.
    """
    frames: dict[str, pl.DataFrame] = {
        "countries": pl.DataFrame(
            {"iso2": ["RU", "BY", "CN", "KZ"], "name": ["Russia", "Belarus", "China", "Kazakhstan"]}
        ),
        "country_groups": pl.DataFrame({"group": ["union", "union"], "iso2": ["RU", "BY"]}),
        "organizations": pl.DataFrame(
            {
                "id": ["OEM", "CMP", "MILL"],
                "name": ["Vehicle maker", "Component makers", "Steel mills"],
                "country": ["RU", "BY", "CN"],
                "kind": ["oem", "supplier", "supplier"],
            }
        ),
        "sites": pl.DataFrame(
            {
                "id": ["M", "C1", "C2", "R1", "R2"],
                "organization": ["OEM", "CMP", "CMP", "MILL", "MILL"],
                "name": ["Assembly", "Component plant 1", "Component plant 2", "Mill 1", "Mill 2"],
                "country": ["RU", "BY", "RU", "CN", "KZ"],
                "lat": [55.0, 53.9, 53.2, 39.9, 51.2],
                "lon": [37.0, 27.5, 50.1, 116.4, 71.4],
            }
        ),
        "parts": pl.DataFrame(
            {
                "id": ["V", "K", "S"],
                "name": ["Vehicle", "Component", "Steel"],
                "category": ["vehicle", "component", "steel"],
                "unit_value": [100.0, 40.0, 5.0],
            }
        ),
        "bom": pl.DataFrame({"parent": ["V", "K"], "child": ["K", "S"], "quantity": [1.0, 2.0]}),
        "production": pl.DataFrame(
            {
                "site": ["M", "C1", "C2", "R1", "R2"],
                "part": ["V", "K", "K", "S", "S"],
                "capacity": [1000 * W, 100 * W, 100 * W, 200 * W, 1000 * W],
                "time_to_recover": [1.0, 4.0, 4.0, 8.0, 8.0],
            }
        ),
        "inventory": pl.DataFrame({"site": ["M"], "part": ["K"], "units": [40.0]}),
        "supply_links": pl.DataFrame(
            {
                "buyer": ["M", "M", "C1", "C2", "C2"],
                "part": ["K", "K", "S", "S", "S"],
                "supplier": ["C1", "C2", "R1", "R1", "R2"],
                "share": [0.6, 0.4, 1.0, 0.5, 0.5],
            }
        ),
        "demand": pl.DataFrame({"site": ["M"], "part": ["V"], "year": [2025], "units": [100 * W], "margin": [20.0]}),
    }
    return check(Dataset.from_frames("three-tiers", frames))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_three_tiers_by_hand(dtype: type) -> None:
    """Three scenarios of the 4-week window, propagated together (one column each).

    1. R1 down (a = 0): β_R1 = 0, so C1 gets no steel: γ = 0, β_C1 = 0.  C2
       gets (0 · 160 + 1 · 160) / 320 = ½ of its steel: β_C2 = ½.  M's group
       K receives 0 · 240 + ½ · 160 = 80, plus 40 in stock: γ = 120 / 400 =
       0.3, so M delivers 0.3 · 400 = 120 V: lost 280 V · 20 = 5,600 RUB.
    2. C1 at half capacity: 50 / week · 4 = 200 of its 240 planned, c = 5/6;
       M receives 200 + 160 + 40 in stock = 400 = its need: nothing lost.
    3. R1 at half capacity: 400 S of the 640 planned, β_R1 = 0.625; C1:
       β = 0.625 (150 K); C2: γ = (0.625 · 160 + 160) / 320 = 0.8125 (130 K);
       M: (150 + 130 + 40) / 400 = 0.8, lost 80 V · 20 = 1,600 RUB.
    """
    net = compile(three_tiers())
    R1, C1, C2, M = (net.node(s, p) for s, p in (("R1", "S"), ("C1", "K"), ("C2", "K"), ("M", "V")))
    R2 = net.node("R2", "S")
    a = np.ones((net.n_nodes, 3))
    a[R1, 0] = 0.0
    a[C1, 1] = 0.5
    a[R1, 2] = 0.5
    plan = Plan.from_shares(net, 4.0)
    assert plan.X[[M, C1, C2, R1, R2]] == pytest.approx([400, 240, 160, 640, 160])
    prop = Propagator(net, plan)
    beta = prop.run(a, dtype)
    assert beta.dtype == np.dtype(dtype)
    tol = 1e-6 if dtype is np.float32 else 1e-12
    assert beta[R1] == pytest.approx([0.0, 1.0, 0.625], abs=tol)
    assert beta[R2] == pytest.approx([1.0, 1.0, 1.0], abs=tol)
    assert beta[C1] == pytest.approx([0.0, 5 / 6, 0.625], abs=tol)
    assert beta[C2] == pytest.approx([0.5, 1.0, 0.8125], abs=tol)
    assert beta[M] == pytest.approx([0.3, 1.0, 0.8], abs=tol)
    loss = prop.extra_loss(beta).sum(axis=0)
    assert loss == pytest.approx([5600.0, 0.0, 1600.0], abs=10 * 20 * 400 * tol)  # 10 × tol of the window margin
    # the function form, one scenario at a time, and the names montecarlo re-exports
    assert propagate(net, a[:, 2], 4.0) == pytest.approx(beta[:, 2].astype(np.float64), abs=tol)
    assert montecarlo.Propagator is Propagator
    assert montecarlo.Plan is Plan
    assert montecarlo.propagate is propagate


def test_a_cut_route_delivers_at_most_its_capacity() -> None:
    """The route R2 → C2 cut to 10 %: it may carry 0.1 · 1,000 · 4 = 400 S ≥ the 160 planned, no effect;
    cut to 1 %: 40 S of 160, so C2 gets (160 + 40) / 320 = 0.625 of its steel; M gets
    240 + 0.625 · 160 + 40 = 380 of 400: lost 20 V · 20 = 400 RUB."""
    net = compile(three_tiers())
    R2, C2, M = net.node("R2", "S"), net.node("C2", "K"), net.node("M", "V")
    e = int(np.flatnonzero(net.link_supplier == R2)[0])
    plan = Plan.from_shares(net, 4.0)
    for share, beta_c2, lost in ((0.1, 1.0, 0.0), (0.01, 0.625, 400.0)):
        la = np.ones(net.n_links)
        la[e] = share
        prop = Propagator(net, plan, la)
        beta = prop.run(np.ones((net.n_nodes, 1)))
        assert beta[C2, 0] == pytest.approx(beta_c2)
        assert beta[M, 0] == pytest.approx(1.0 - lost / 20 / 400)
        assert float(prop.extra_loss(beta).sum()) == pytest.approx(lost, abs=1e-9)


# ---------------------------------------------------------------- independent dense recursion


def _topological(net: Network, need: npt.NDArray[np.float64]) -> list[int]:
    """Nodes, suppliers before buyers (Kahn's algorithm on the dense supplier → buyer matrix)."""
    n = net.n_nodes
    feeds = np.zeros((n, n), dtype=bool)  # feeds[i, j]: i supplies an input group of j
    for e in range(net.n_links):
        feeds[int(net.link_supplier[e]), need[int(net.link_group[e])] > 0] = True
    waiting = feeds.sum(axis=0)
    ready = [j for j in range(n) if waiting[j] == 0]
    order: list[int] = []
    while ready:
        i = ready.pop()
        order.append(i)
        for j in np.flatnonzero(feeds[i]):
            waiting[j] -= 1
            if waiting[j] == 0:
                ready.append(int(j))
    assert len(order) == n, "the network has a cycle"
    return order


def dense_beta(
    net: Network, plan: Plan, a: npt.NDArray[np.float64], link_available: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float64]:
    """Delivered fraction β (n × S) by the recursion of the module docstring, node by node, float64.

    ``c_j = min(1, a_j cap_j τ / X_j, c_pool(j))``, ``γ_g = min(1, (Σ_e min(β_i F_e, a_e cap_i τ) +
    stock_g) / U_g)``, ``α_j = min(c_j, min_g γ_g)``, ``β_j = min(1, (α_j X_j + stock_j) / O_j)``.
    """
    tau = plan.t_weeks / WEEKS_PER_YEAR
    need = net.need.toarray()
    n, S = a.shape
    X, O, F, U = plan.X, plan.O, plan.F, plan.U  # noqa: E741
    c = np.ones((n, S))
    for j in range(n):
        if X[j] > 0:
            c[j] = np.minimum(1.0, a[j] * net.capacity[j] * tau / X[j])
    for q in np.unique(net.pool[net.pool >= 0]):
        members = np.flatnonzero(net.pool == q)
        planned = X[members].sum()
        if planned > 0:
            cp = np.minimum(1.0, net.pool_capacity[q] * tau * a[members].max(axis=0) / planned)
            c[members] = np.minimum(c[members], cp)
    la = np.ones(net.n_links) if link_available is None else link_available
    route_cap = la * net.capacity[net.link_supplier] * tau  # most a route may carry over the window [units]
    beta = np.zeros((n, S))
    for j in _topological(net, need):
        alpha = c[j].copy()
        for g in np.flatnonzero(need[:, j] > 0):
            if U[g] <= 0:
                continue
            links = np.flatnonzero(net.link_group == g)
            delivered = np.zeros(S)
            for e in links:
                delivered += np.minimum(beta[net.link_supplier[e]] * F[e], route_cap[e] if la[e] < 1 else np.inf)
            alpha = np.minimum(alpha, np.minimum(1.0, (delivered + net.group_stock[g]) / U[g]))
        beta[j] = np.minimum(1.0, (alpha * X[j] + net.stock[j]) / O[j]) if O[j] > 0 else 1.0
    return beta


def test_dense_recursion_reproduces_the_hand_case() -> None:
    net = compile(three_tiers())
    a = np.ones((net.n_nodes, 1))
    a[net.node("R1", "S"), 0] = 0.0
    beta = dense_beta(net, Plan.from_shares(net, 4.0), a)
    assert beta[net.node("M", "V"), 0] == pytest.approx(0.3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sites=st.integers(15, 45),
    tiers=st.integers(3, 5),
    seed=st.integers(0, 10_000),
    hit_share=st.floats(0.0, 0.7),
    cut_share=st.floats(0.0, 0.3),
    t=st.floats(1.0, 26.0),
    scenarios=st.integers(1, 4),
    float32=st.booleans(),
)
def test_kernel_matches_dense_recursion(
    sites: int, tiers: int, seed: int, hit_share: float, cut_share: float, t: float, scenarios: int, float32: bool
) -> None:
    """The sparse level-by-level kernel equals the dense node-by-node recursion (float32: within 1e-5)."""
    net = compile(synth(sites, seed=seed, tiers=tiers, oem_share=0.1))
    rng = np.random.default_rng(seed)
    a = np.where(rng.random((net.n_nodes, scenarios)) < hit_share, rng.random((net.n_nodes, scenarios)), 1.0)
    la = np.where(rng.random(net.n_links) < cut_share, rng.random(net.n_links) ** 3, 1.0)
    plan = Plan.from_shares(net, t)
    expected = dense_beta(net, plan, a, la)
    prop = Propagator(net, plan, la)
    dtype = np.float32 if float32 else np.float64
    beta = prop.run(a, dtype).astype(np.float64)
    tol = 1e-5 if float32 else 1e-12
    assert np.abs(beta - expected).max() <= tol
    # losses: float32 within 1e-5 of the window's demand margin
    window_margin = float(np.sum(net.margin * plan.Y))
    lost = prop.extra_loss(beta).sum(axis=0)
    fin = prop.final
    lost_dense = ((1.0 - expected[fin]) * (net.margin[fin] * plan.Y[fin])[:, None]).sum(axis=0)
    assert np.abs(lost - lost_dense).max() <= (1e-5 if float32 else 1e-12) * max(window_margin, 1.0)


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_kernel_matches_dense_recursion_from_the_lp_plan(seed: int) -> None:
    """The same comparison from the undisrupted TTR optimum (flows off the shares, unused links)."""
    net = compile(synth(40, seed=seed, tiers=4, oem_share=0.1))
    t = 13.0
    base = TTRModel(net, None, t).solve()
    plan = Plan.from_flows(net, t, base.p, base.f, base.y_nodes, base.lost_margin)
    rng = np.random.default_rng(seed)
    a = np.where(rng.random((net.n_nodes, 8)) < 0.3, rng.random((net.n_nodes, 8)), 1.0)
    expected = dense_beta(net, plan, a)
    prop = Propagator(net, plan)
    assert np.abs(prop.run(a, np.float64) - expected).max() <= 1e-12
    assert np.abs(prop.run(a, np.float32).astype(np.float64) - expected).max() <= 1e-5
    assert prop.run(np.ones((net.n_nodes, 1))) == pytest.approx(np.ones((net.n_nodes, 1)))  # the plan loses nothing
