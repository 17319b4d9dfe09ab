"""The TTR linear programme: a hand-solved flexible-plant case, an independent dense
formulation (scipy linprog) on random networks, TTS against bisection, properties, errors."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from importsub.analysis.disruption import (
    TTRModel,
    build_ttr,
    performance_impact,
    run_shock,
    sweep,
    time_to_survive,
    tts,
)
from importsub.compile import compile
from importsub.compile.network import Network
from importsub.compile.shock import Shock, compile_shock
from importsub.demo.synth import synth
from importsub.model.dataset import Dataset
from importsub.model.errors import InfeasibleError, UnboundedError
from importsub.model.validate import check

W = 52.0  # weeks per year: per-week figures × 52 give the yearly records


def flexible_plants(**changes: pl.DataFrame) -> Dataset:
    """Single-tier flexible-plant case, solved by hand.

    A market hub M (RU) sells two models: A (100 / week, margin 10 RUB) and
    B (50 / week, margin 30 RUB); each is one built body (A0, B0) bought from
    two plants whose flexible lines make both bodies:
    P1 (RU) line 120 / week, P2 (BY) line 60 / week; M buys A0 60 % from P1
    and 40 % from P2, B0 half and half, all qualified.  M holds 200 finished A.

    Baseline: demand 150 / week ≤ 180 / week of lines, nothing is lost.

    P1 down for the whole window of t weeks: only P2's 60 / week remain.  B's
    margin (30) beats A's (10), so P2 makes all of B (50 t) and 10 t of A;
    A delivered = min(100 t, 10 t + 200): lost A = max(0, 90 t − 200).
        t = 4: lost A = 160 units, lost margin = 1,600 RUB;  t = 2: 0.
        TTS(P1) = 200 / 90 = 2.222… weeks.
    P2 down: P1's 120 / week make B (50 t) and 70 t of A; lost A = max(0, 30 t − 200):
        t = 4: 0;  t = 10: lost 100 A = 1,000 RUB;  TTS(P2) = 200 / 30 = 6.667 weeks.
    """
    frames: dict[str, pl.DataFrame] = {
        "countries": pl.DataFrame({"iso2": ["RU", "BY"], "name": ["Russia", "Belarus"]}),
        "country_groups": pl.DataFrame({"group": ["union", "union"], "iso2": ["RU", "BY"]}),
        "organizations": pl.DataFrame(
            {"id": ["OEM", "PL"], "name": ["Market hub", "Plants"], "country": ["RU", "RU"], "kind": ["oem", "oem"]}
        ),
        "sites": pl.DataFrame(
            {
                "id": ["M", "P1", "P2"],
                "organization": ["OEM", "PL", "PL"],
                "name": ["Market", "Plant 1", "Plant 2"],
                "country": ["RU", "RU", "BY"],
                "lat": [55.0, 53.0, 53.9],
                "lon": [37.0, 49.0, 27.5],
            }
        ),
        "parts": pl.DataFrame(
            {
                "id": ["A", "B", "A0", "B0"],
                "name": ["Model A", "Model B", "Body A", "Body B"],
                "category": ["vehicle", "vehicle", "body", "body"],
                "unit_value": [100.0, 300.0, 50.0, 150.0],
            }
        ),
        "bom": pl.DataFrame({"parent": ["A", "B"], "child": ["A0", "B0"], "quantity": [1.0, 1.0]}),
        "capacity_pools": pl.DataFrame({"site": ["P1", "P2"], "pool": ["line", "line"], "capacity": [120 * W, 60 * W]}),
        "production": pl.DataFrame(
            {
                "site": ["M", "M", "P1", "P1", "P2", "P2"],
                "part": ["A", "B", "A0", "B0", "A0", "B0"],
                "capacity": [1000 * W, 1000 * W, 120 * W, 120 * W, 60 * W, 60 * W],
                "time_to_recover": [1.0, 1.0, 4.0, 4.0, 10.0, 10.0],
                "pool": [None, None, "line", "line", "line", "line"],
            }
        ),
        "inventory": pl.DataFrame({"site": ["M"], "part": ["A"], "units": [200.0]}),
        "supply_links": pl.DataFrame(
            {
                "buyer": ["M", "M", "M", "M"],
                "part": ["A0", "A0", "B0", "B0"],
                "supplier": ["P1", "P2", "P1", "P2"],
                "share": [0.6, 0.4, 0.5, 0.5],
            }
        ),
        "demand": pl.DataFrame(
            {
                "site": ["M", "M"],
                "part": ["A", "B"],
                "year": [2025, 2025],
                "units": [100 * W, 50 * W],
                "margin": [10.0, 30.0],
            }
        ),
        "scenarios": pl.DataFrame({"name": ["p1-4w"], "year": [2025]}),
        "disruptions": pl.DataFrame(
            {"scenario": ["p1-4w"], "target_kind": ["site"], "target": ["P1"], "severity": [1.0], "duration": [4.0]}
        ),
    }
    frames.update(changes)
    return check(Dataset.from_frames("flexible", frames))


def _plant(net: Network, site: str) -> list[int]:
    return [i for i in range(net.n_nodes) if net.sites[net.node_site[i]] == site]


# ---------------------------------------------------------------- (a) reference case


def test_flexible_plants_by_hand() -> None:
    net = compile(flexible_plants())
    p1, p2 = _plant(net, "P1"), _plant(net, "P2")
    down = lambda nodes: Shock.nodes(net, nodes, 1.0, np.inf)  # noqa: E731 - down for the whole window
    pi, sol, base = performance_impact(net, down(p1), 4.0)
    assert base.lost_margin == pytest.approx(0.0, abs=1e-6)
    assert pi == pytest.approx(1600.0, rel=1e-9)
    lost = dict(zip([net.parts[net.node_part[j]] for j in sol.final], sol.lost_units, strict=True))
    assert lost["A"] == pytest.approx(160.0)
    assert lost["B"] == pytest.approx(0.0, abs=1e-9)
    assert performance_impact(net, down(p1), 2.0)[0] == 0.0
    assert performance_impact(net, down(p2), 4.0)[0] == 0.0
    assert performance_impact(net, down(p2), 10.0)[0] == pytest.approx(1000.0, rel=1e-9)
    # TTS of the plants (both bodies down)
    model = TTRModel(net)
    assert time_to_survive(model, lambda t: down(p1), 52.0, 1e-5) == pytest.approx(200 / 90, abs=1e-5)
    assert time_to_survive(model, lambda t: down(p2), 52.0, 1e-5) == pytest.approx(200 / 30, abs=1e-5)
    # TTS of single nodes.  P1/A0 down: B0 comes from P1 (50/week), A0 only from
    # P2 (60/week) + 200 in stock: lost A = 40 t − 200, TTS = 5 weeks.
    # P2/A0 down: P2 makes B0 (50 of its 60), P1 makes all A0 (100 of 120): never short.
    a1 = net.node("P1", "A0")
    a2 = net.node("P2", "A0")
    r = tts(net, [a1, a2], tol_weeks=1e-4)
    got = dict(
        zip(r["nodes"].get_column("site").to_list(), r["nodes"].get_column("TTS [weeks]").to_list(), strict=True)
    )
    assert got["P1"] == pytest.approx(5.0, abs=1e-4)
    assert got["P2"] == 52.0
    assert r["nodes"].filter(pl.col("site") == "P2").get_column("capped at horizon")[0]
    assert r["summary"].get_column("network TTS without shock [weeks]")[0] == 52.0


def test_flexible_plants_scenario_and_why() -> None:
    ds = flexible_plants()
    net = compile(ds, "p1-4w")
    sh = compile_shock(ds, net, "p1-4w")
    r = run_shock(net, sh)
    s = r["summary"].row(0, named=True)
    assert s["window [weeks]"] == 4.0
    assert s["performance impact [RUB]"] == pytest.approx(1600.0)
    assert s["surviving output [units]"] == pytest.approx(600 - 160)
    oem = r["oems"].row(0, named=True)
    assert oem["OEM"] == "OEM"
    assert oem["extra lost margin [RUB]"] == pytest.approx(1600.0)
    why = r["why"]
    assert why.height > 0
    kinds = set(why.get_column("constraint").to_list())
    assert "capacity pool" in kinds or "input shortage" in kinds
    text = " ".join(why.get_column("why").to_list())
    assert "Plant 2" in text or "Body A" in text
    # linear recovery over P1's 4 weeks after 4 weeks down: window 8, P1 has 4 + 2 = 6 weeks lost of 8
    # capacity: P1 120·2 = 240 + P2 60·8 = 480 → 720 + 200 stock vs demand 1200: B 400 first,
    # A gets 720 − 400 + 200 = 520 of 800: lost 280 A = 2,800 RUB
    lin = ds.replace(disruptions=ds.disruptions.with_columns(pl.lit("linear").alias("recovery")))
    r2 = run_shock(net, compile_shock(lin, net, "p1-4w"))
    assert r2["summary"].get_column("window [weeks]")[0] == 8.0
    assert r2["summary"].get_column("performance impact [RUB]")[0] == pytest.approx(2800.0)


def test_capacity_short_baseline_is_subtracted() -> None:
    # demand of B doubled to 150/week: lines 180/week vs 250/week, baseline loses
    ds = flexible_plants(
        demand=pl.DataFrame(
            {
                "site": ["M", "M"],
                "part": ["A", "B"],
                "year": [2025, 2025],
                "units": [100 * W, 150 * W],
                "margin": [10.0, 30.0],
            }
        )
    )
    net = compile(ds)
    pi, sol, base = performance_impact(net, Shock.nodes(net, _plant(net, "P2"), 1.0, np.inf), 4.0)
    # baseline: 180·4 = 720 units: B 600, A 120 + 200 stock = 320 of 400 → lost 80 A = 800 RUB
    assert base.lost_margin == pytest.approx(800.0)
    # P2 down: 480 units: B 480 of 600 (lost 120 B = 3,600), A only stock 200 (lost 200 = 2,000)
    assert sol.lost_margin == pytest.approx(5600.0)
    assert pi == pytest.approx(4800.0)
    # the network's own TTS: baseline loses from 200 / (250 − 180) weeks on
    r = tts(net, [0])
    assert r["summary"].get_column("network TTS without shock [weeks]")[0] == pytest.approx(200 / 70, abs=1e-3)


# ---------------------------------------------------------------- (b) independent dense formulation


def dense_lost_margin(ds: Dataset, available: dict[tuple[str, str], float], t: float) -> float:
    """Lost margin of the TTR model written from the records with loops and a dense matrix.

    Variables: production of each (site, part), flow of each supply link, and
    lost units ``l`` of each final node: ``delivered = d τ − l``.
    """
    tau = t / W
    prod = ds.production.rows(named=True)
    nodes = {(r["site"], r["part"]): k for k, r in enumerate(prod)}
    links = ds.supply_links.rows(named=True)
    groups: dict[tuple[str, str], int] = {}
    for r in links:
        groups.setdefault((r["buyer"], r["part"]), len(groups))
    year = max(ds.demand.get_column("year").to_list())
    value = dict(zip(ds.parts.get_column("id").to_list(), ds.parts.get_column("unit_value").to_list(), strict=True))
    d = np.zeros(len(nodes))
    margin = np.zeros(len(nodes))
    for r in ds.demand.filter(pl.col("year") == year).rows(named=True):
        k = nodes[(r["site"], r["part"])]
        d[k] += r["units"]
        margin[k] = r["margin"] if r["margin"] is not None else value[r["part"]]
    n, e, m = len(nodes), len(links), len(groups)
    need = np.zeros((m, n))
    for r in ds.bom.rows(named=True):
        for (s, p), k in nodes.items():
            if p == r["parent"] and (s, r["child"]) in groups:
                need[groups[(s, r["child"])], k] += r["quantity"]
    # gross output x = A x + d, dense
    A = np.zeros((n, n))
    for r in links:
        i = nodes[(r["supplier"], r["part"])]
        A[i] += r["share"] * need[groups[(r["buyer"], r["part"])]]
    x = np.linalg.solve(np.eye(n) - A, d)
    stock = np.zeros(n)
    gstock = np.zeros(m)
    for r in ds.inventory.rows(named=True):
        key = (r["site"], r["part"])
        if key in nodes:
            stock[nodes[key]] += r["units"]
        elif key in groups:
            gstock[groups[key]] += r["units"]
    final = [k for k in range(n) if d[k] > 0]
    nv = n + e + len(final)
    c = np.zeros(nv)
    for q, k in enumerate(final):
        c[n + e + q] = margin[k]
    A_ub: list[np.ndarray] = []
    b_ub: list[float] = []
    # node: Σ out flows + (d τ − l) − p ≤ stock
    for k in range(n):
        row = np.zeros(nv)
        row[k] = -1.0
        rhs = stock[k]
        for q, r in enumerate(links):
            if nodes[(r["supplier"], r["part"])] == k:
                row[n + q] = 1.0
        if k in final:
            row[n + e + final.index(k)] = -1.0
            rhs -= d[k] * tau
        A_ub.append(row)
        b_ub.append(rhs)
    for g in range(m):
        row = np.zeros(nv)
        row[:n] = need[g]
        for q, r in enumerate(links):
            if groups[(r["buyer"], r["part"])] == g:
                row[n + q] = -1.0
        A_ub.append(row)
        b_ub.append(gstock[g])
    pool_cap = {(r["site"], r["pool"]): r["capacity"] for r in ds.capacity_pools.rows(named=True)}
    for (s, pool), cap in pool_cap.items():
        members = [nodes[(r["site"], r["part"])] for r in prod if r["site"] == s and r["pool"] == pool]
        if not members:
            continue
        row = np.zeros(nv)
        row[members] = 1.0
        a_pool = max(available.get((prod[k]["site"], prod[k]["part"]), 1.0) for k in members)
        A_ub.append(row)
        b_ub.append(cap * tau * a_pool)
    bounds: list[tuple[float, float | None]] = []
    for r in prod:
        bounds.append((0.0, r["capacity"] * tau * available.get((r["site"], r["part"]), 1.0)))
    for r in links:
        if r["qualified"] is False:
            g = groups[(r["buyer"], r["part"])]
            bounds.append((0.0, r["share"] * float(need[g] @ x) * tau))
        else:
            bounds.append((0.0, None))
    for k in final:
        bounds.append((0.0, d[k] * tau))
    res = linprog(c, A_ub=np.array(A_ub), b_ub=np.array(b_ub), bounds=bounds, method="highs")
    assert res.status == 0, res.message
    return float(res.fun)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sites=st.integers(15, 40),
    seed=st.integers(0, 10_000),
    hit_share=st.floats(0.05, 0.5),
    severity=st.floats(0.1, 1.0),
    duration=st.floats(0.5, 20.0),
    t=st.floats(1.0, 26.0),
)
def test_matches_independent_dense_linprog(
    sites: int, seed: int, hit_share: float, severity: float, duration: float, t: float
) -> None:
    ds = synth(sites, seed=seed, tiers=4, oem_share=0.1)
    net = compile(ds)
    rng = np.random.default_rng(seed)
    hit = np.flatnonzero(rng.random(net.n_nodes) < hit_share)
    shock = Shock.nodes(net, hit, severity, duration)
    model = build_ttr(net, shock, t)
    ours = model.solve().lost_margin
    a = shock.node_available(t)
    avail = {(net.sites[net.node_site[i]], net.parts[net.node_part[i]]): float(a[i]) for i in range(net.n_nodes)}
    # our node availability must equal the profile written out: 1 − s·min(D, t)/t
    assert np.allclose(a[hit], 1 - severity * min(duration, t) / t)
    theirs = dense_lost_margin(ds, avail, t)
    scale = model.offset + 1.0
    assert ours == pytest.approx(theirs, abs=1e-7 * scale)


# ---------------------------------------------------------------- (c) TTS against bisection


def _bisect_tts(model: TTRModel, shock: Shock, horizon: float, iters: int = 40) -> float:
    def extra(t: float) -> float:
        model.set_shock(None, t)
        zb = model.solve(values=False).lost_margin
        model.set_shock(shock, t)
        return model.solve(values=False).lost_margin - zb

    if extra(horizon) <= model.zero_tolerance(horizon):
        return horizon
    lo, hi = 0.0, horizon
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if extra(mid) <= model.zero_tolerance(mid):
            lo = mid
        else:
            hi = mid
    return lo


@pytest.mark.parametrize("seed", [1, 7, 23])
def test_tts_matches_bisection(seed: int) -> None:
    net = compile(synth(30, seed=seed, tiers=4, oem_share=0.1))
    model = TTRModel(net)
    horizon = 30.0
    # the nodes with the largest output: those most likely to have a finite TTS
    nodes = np.argsort(-model.gross_output * net.value)[:4]
    for i in nodes:
        shock = Shock.nodes(net, [int(i)], 1.0, np.inf)
        fast = time_to_survive(model, lambda t, s=shock: s, horizon, 1e-4)
        slow = _bisect_tts(model, shock, horizon)
        assert fast == pytest.approx(slow, abs=2e-4), net.node_label(int(i))


# ---------------------------------------------------------------- properties


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 5000), s1=st.floats(0.0, 1.0), s2=st.floats(0.0, 1.0), t=st.floats(1.0, 20.0))
def test_more_severity_never_lowers_loss(seed: int, s1: float, s2: float, t: float) -> None:
    net = compile(synth(25, seed=seed, tiers=4, oem_share=0.1))
    hit = np.random.default_rng(seed).choice(net.n_nodes, size=max(1, net.n_nodes // 5), replace=False)
    lo, hi = sorted((s1, s2))
    model = TTRModel(net)
    model.set_shock(Shock.nodes(net, hit, lo, t), t)
    z_lo = model.solve(values=False).lost_margin
    model.set_shock(Shock.nodes(net, hit, hi, t), t)
    z_hi = model.solve(values=False).lost_margin
    assert z_hi >= z_lo - model.zero_tolerance(t)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 5000), t=st.floats(1.0, 20.0))
def test_adding_a_qualified_alternative_never_raises_loss(seed: int, t: float) -> None:
    ds = synth(30, seed=seed, tiers=4, oem_share=0.1)
    net = compile(ds)
    links = ds.supply_links
    producers = ds.production.select("site", "part")
    # a buyer+part with a producer of that part it does not yet buy from
    cand = (
        links.select("buyer", "part")
        .unique()
        .join(producers, on="part")
        .rename({"site": "supplier"})
        .join(links.select("buyer", "part", "supplier"), on=["buyer", "part", "supplier"], how="anti")
        .filter(pl.col("buyer") != pl.col("supplier"))
        .sort("buyer", "part", "supplier")
    )
    if cand.height == 0:
        return
    new = cand.head(1).with_columns(pl.lit(0.0).alias("share"), pl.lit(True).alias("qualified"))
    ds2 = ds.replace(supply_links=pl.concat([links, new], how="diagonal_relaxed"))
    net2 = compile(ds2)  # same production → same node order
    hit = np.random.default_rng(seed).choice(net.n_nodes, size=max(1, net.n_nodes // 4), replace=False)
    z1 = build_ttr(net, Shock.nodes(net, hit, 1.0, t), t).solve().lost_margin
    z2 = build_ttr(net2, Shock.nodes(net2, hit, 1.0, t), t).solve().lost_margin
    assert z2 <= z1 + 1e-7 * (build_ttr(net, None, t).offset + 1)


def test_zero_duration_loses_nothing() -> None:
    net = compile(synth(40, seed=5, tiers=4, oem_share=0.1))
    everything = np.arange(net.n_nodes)
    for t in (0.0, 4.0, 13.0):
        pi, _, _ = performance_impact(net, Shock.nodes(net, everything, 1.0, 0.0), t)
        assert pi == 0.0
    # and the same shock with a duration does lose: the check above can fail
    assert performance_impact(net, Shock.nodes(net, everything, 1.0, 4.0), 4.0)[0] > 0


def test_warm_resolve_equals_cold_build() -> None:
    net = compile(synth(300, seed=2))
    model = TTRModel(net)
    model.set_shock(None, 6.0)
    model.solve()
    rng = np.random.default_rng(0)
    for i in rng.choice(net.n_nodes, 5, replace=False):
        sh = Shock.single_node(net, int(i), 1.0, 6.0)
        model.set_shock(sh, 6.0)
        warm = model.solve(values=False).lost_margin
        cold = TTRModel(net, sh, 6.0).solve(values=False).lost_margin
        assert warm == pytest.approx(cold, rel=1e-9, abs=1e-6 * model.offset)


def test_lp_arrays_reproduce_the_optimum() -> None:
    net = compile(flexible_plants())
    model = build_ttr(net, Shock.nodes(net, _plant(net, "P1"), 1.0, np.inf), 4.0)
    lp = model.lp()
    A = lp.A.toarray()
    bounds = [(lo, None if not np.isfinite(hi) else hi) for lo, hi in zip(lp.col_lower, lp.col_upper, strict=True)]
    res = linprog(lp.cost, A_ub=A, b_ub=lp.row_upper, bounds=bounds, method="highs")
    assert res.fun + lp.offset == pytest.approx(1600.0)
    assert lp.col_y.stop - lp.col_y.start == lp.final.size == 2
    cols, rows = model.names()
    assert len(cols) == A.shape[1]
    assert len(rows) == A.shape[0]


# ---------------------------------------------------------------- errors


def test_infeasible_and_unbounded_raise() -> None:
    import highspy

    net = compile(flexible_plants())
    model = TTRModel(net, None, 4.0)
    y0 = model.col_y.start
    model.highs.changeColBounds(y0, 5.0, 1.0)  # lower > upper
    with pytest.raises(InfeasibleError):
        model.solve()
    model = TTRModel(net, None, 4.0)
    # a final node with free production and delivery: the objective has no bound
    j = int(model.final[0])
    inf = highspy.kHighsInf
    model.highs.changeColBounds(j, 0.0, inf)
    model.highs.changeColBounds(y0, 0.0, inf)
    # its input row: make the input free too
    for k in range(model.n_cols):
        if model.col_f.start <= k < model.col_f.stop:
            model.highs.changeColBounds(k, 0.0, inf)
    for g in range(model.row_group.start, model.row_group.stop):
        model.highs.changeRowBounds(g, -inf, inf)
    for k in range(model.network.n_nodes):
        model.highs.changeColBounds(k, 0.0, inf)
    for r in range(model.row_pool.start, model.row_pool.stop):
        model.highs.changeRowBounds(r, -inf, inf)
    with pytest.raises(UnboundedError):
        model.solve()


# ---------------------------------------------------------------- sweep


def test_sweep_screening_is_exact() -> None:
    net = compile(synth(120, seed=4))
    screened = sweep(net, "node")
    plain = sweep(net, "node", screen=False)
    a = screened["targets"].sort("node")
    b = plain["targets"].sort("node")
    assert a.get_column("performance impact [RUB]").to_list() == pytest.approx(
        b.get_column("performance impact [RUB]").to_list(),
        rel=1e-7,
        abs=1e-6 * float(b["performance impact [RUB]"].max()),
    )
    # the propagation bound is an upper bound of PI wherever it was computed
    bound = a.get_column("propagation bound [RUB]").to_numpy()
    pi = a.get_column("performance impact [RUB]").to_numpy()
    ok = ~np.isnan(bound)
    assert np.all(pi[ok] <= bound[ok] * (1 + 1e-6) + 1e-6)
    s = screened["summary"].row(0, named=True)
    assert s["settled by screening [%]"] > 0
    assert s["targets"] == net.n_nodes
    rei = a.get_column("risk exposure index").to_numpy()
    assert rei.max() == pytest.approx(1.0)
    assert rei.min() >= 0


def test_sweep_by_site_and_country() -> None:
    net = compile(flexible_plants())
    r = sweep(net, "site", weeks=4.0)
    t = r["targets"]
    pi = dict(zip(t.get_column("target").to_list(), t.get_column("performance impact [RUB]").to_list(), strict=True))
    assert pi["P1"] == pytest.approx(1600.0)
    assert pi["P2"] == 0.0
    assert t.get_column("rank").to_list()[0] == 1
    assert t.get_column("target")[0] in ("P1", "M")
    r2 = sweep(net, "country", weeks=4.0)
    assert set(r2["targets"].get_column("target").to_list()) == {"RU", "BY"}
