"""Restricted re-solves (analysis/ttr_restricted.py): the same PI as the whole model, on far fewer columns.

Independent computation: the whole phased model solved cold on a fresh
instance (``solve_shock``), per target.  The restricted solve is run with
no size or round limit, so it must always certify an answer (a region that
holds every column has no edge left to check).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub.analysis.ttr_phased import PhasedTTR, period_ends, solve_shock
from importsub.analysis.ttr_restricted import baseline_of, downstream_closure, solve_restricted
from importsub.analysis.ttr_sweep import sweep, sweep_targets, target_shock
from importsub.compile import compile
from importsub.compile.network import Network
from importsub.compile.shock import WEEKS_PER_YEAR, Shock
from importsub.demo.synth import synth


def _tolerance(net: Network, t: float) -> float:
    """[RUB]: 1e-7 of the window's demand margin (the sweep calls 1e-6 of it zero)."""
    return 1e-7 * float(np.sum(net.margin * net.demand)) * t / WEEKS_PER_YEAR + 1e-6


def _restricted_pi(net: Network, shock: Shock, t: float, backlog: float, **limits: float) -> tuple[float | None, int]:
    ends = period_ends(shock, t)
    model = PhasedTTR(net, int(ends.size), backlog)
    model.set_shock(None, t, ends)
    model.solve(values=False)
    base = baseline_of(model)
    model.set_shock(shock, t, ends)
    r = solve_restricted(model, base, shock.hit_nodes, **limits)  # type: ignore[arg-type]
    return r.impact, r.columns


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sites=st.integers(15, 40),
    seed=st.integers(0, 10_000),
    hits=st.integers(1, 3),
    severity=st.floats(0.2, 1.0),
    longer=st.floats(0.0, 10.0),
    backlog=st.sampled_from([0.0, 0.5]),
)
def test_restricted_pi_equals_the_whole_model(
    sites: int, seed: int, hits: int, severity: float, longer: float, backlog: float
) -> None:
    net = compile(synth(sites, seed=seed, tiers=4, oem_share=0.1))
    rng = np.random.default_rng(seed)
    nodes = rng.choice(net.n_nodes, size=min(hits, net.n_nodes), replace=False)
    weeks = rng.integers(1, 12, size=nodes.size).astype(float)
    shock = Shock.nodes(net, nodes, severity, weeks)
    t = float(weeks.max()) + longer  # longer windows split into periods
    _, sol, base = solve_shock(net, shock, t, backlog)
    full = sol.lost_margin - base.lost_margin
    pi, _ = _restricted_pi(net, shock, t, backlog, max_share=np.inf, max_rounds=10**6)
    assert pi is not None
    assert pi == pytest.approx(full, abs=_tolerance(net, t))


def test_restricted_solves_use_a_small_part_of_the_model() -> None:
    """On a 300-site network a good share of the targets certify on a region of a few percent of the columns."""
    net = compile(synth(300, seed=2))
    targets = [tg for tg in sweep_targets(net, "node") if tg.window > 0]
    rng = np.random.default_rng(0)
    picked = [targets[int(i)] for i in rng.choice(len(targets), size=40, replace=False)]
    certified, sizes = 0, []
    n_cols = PhasedTTR(net, 1).n_cols
    for tg in picked:
        shock = target_shock(net, tg, 1.0)
        _, sol, base = solve_shock(net, shock, tg.window)
        pi, cols = _restricted_pi(net, shock, tg.window, 0.0)
        if pi is not None:
            certified += 1
            sizes.append(cols)
            assert pi == pytest.approx(sol.lost_margin - base.lost_margin, abs=_tolerance(net, tg.window))
    assert certified >= len(picked) // 4
    assert np.median(sizes) < 0.05 * n_cols


def test_downstream_closure_by_hand() -> None:
    """Every node that uses a disrupted node's part, through any tier, and nothing upstream."""
    net = compile(synth(40, seed=3, tiers=4, oem_share=0.1))
    start = int(np.flatnonzero(net.demand == 0)[0])
    closure = set(downstream_closure(net, np.array([start])).tolist())
    # by hand: follow links supplier -> group -> the nodes that need that group's part
    need = net.need.tocsc()
    users = {g: set(need.getrow(g).indices.tolist()) for g in range(net.need.shape[0])}
    seen, todo = {start}, [start]
    while todo:
        i = todo.pop()
        for e in np.flatnonzero(net.link_supplier == i):
            for j in users[int(net.link_group[e])]:
                if j not in seen:
                    seen.add(j)
                    todo.append(j)
    assert closure == seen


@pytest.mark.parametrize("by", ["node", "site"])
def test_sweep_restricted_and_whole_model_agree(by: str) -> None:
    net = compile(synth(120, seed=4))
    a = sweep(net, by, restrict=False)["targets"].sort("target")
    b = sweep(net, by, restrict=True)["targets"].sort("target")
    tol = _tolerance(net, float(np.max(net.ttr)))
    np.testing.assert_allclose(
        b.get_column("performance impact [RUB]").to_numpy(),
        a.get_column("performance impact [RUB]").to_numpy(),
        atol=tol,
    )
    assert b.get_column("settled by").to_list() == a.get_column("settled by").to_list()


def test_sweep_stats_say_how_every_lp_target_was_settled() -> None:
    """Every LP target is counted once: by its certificate, or by why the whole model was re-solved; the
    three certificates are exercised here and their losses equal the whole-model sweep's."""
    net = compile(synth(120, seed=4, tiers=4, oem_share=0.1))
    whole: dict[str, int] = {}
    a = sweep(net, "node", restrict=False, stats=whole)
    lp = int(a["summary"].get_column("LP re-solves")[0])
    assert whole == {"whole": lp}
    got: dict[str, int] = {}
    b = sweep(net, "node", restrict=True, stats=got)
    assert sum(got.values()) == lp
    assert set(got) <= {"plan", "dual", "lagrangian", "size", "rounds", "solver"}
    assert got.get("plan", 0) > 0
    assert got.get("dual", 0) > 0
    assert got.get("lagrangian", 0) > 0
    tol = _tolerance(net, float(np.max(net.ttr)))
    np.testing.assert_allclose(
        b["targets"].sort("target").get_column("performance impact [RUB]").to_numpy(),
        a["targets"].sort("target").get_column("performance impact [RUB]").to_numpy(),
        atol=tol,
    )


def _two_suppliers(spare: float) -> Network:
    """By hand: car plant V (capacity D = 1,000 cars/yr, margin 100 RUB/car) buys its body from B1
    (capacity 10·D) and B2 (capacity ``spare`` bodies/yr), half each in the baseline plan."""
    import polars as pl

    from importsub.model.dataset import Dataset
    from importsub.model.validate import check

    d = 1000.0
    frames = {
        "countries": pl.DataFrame({"iso2": ["RU", "BY"], "name": ["Russia", "Belarus"]}),
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
                "id": ["V", "B1", "B2"],
                "organization": ["OEM", "BOD", "BOD"],
                "name": ["Car plant", "Body plant 1", "Body plant 2"],
                "country": ["RU", "BY", "BY"],
                "lat": [53.5, 53.9, 52.1],
                "lon": [49.4, 27.6, 23.7],
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
            {"site": ["V", "B1", "B2"], "part": ["CAR", "BODY", "BODY"], "capacity": [d, 10 * d, spare]}
        ),
        "supply_links": pl.DataFrame(
            {"buyer": ["V", "V"], "part": ["BODY", "BODY"], "supplier": ["B1", "B2"], "share": [0.5, 0.5]}
        ),
        "demand": pl.DataFrame({"site": ["V"], "part": ["CAR"], "year": [2025], "units": [d], "margin": [100.0]}),
    }
    return compile(check(Dataset.from_frames("two-suppliers", frames)))


@pytest.mark.parametrize(("site", "spare"), [("B1", 400.0), ("B1", 1000.0), ("B1", 2500.0), ("V", 2500.0)])
def test_plan_certificate_by_hand(site: str, spare: float) -> None:
    """B1 down for 4 weeks: V loses max(D − B2's capacity, 0) · 4/52 cars at 100 RUB/car; V itself down:
    all its D · 4/52 cars.  Where B2 can make every body (spare ≥ D) the restricted plan proves PI = 0
    (``plan``); where it cannot, or where the plan's region loses sales, no plan is claimed and the
    certified loss is the hand figure."""
    net = _two_suppliers(spare)
    hit = next(i for i in range(net.n_nodes) if net.sites[int(net.node_site[i])] == site)
    shock = Shock.nodes(net, np.array([hit]), 1.0, np.array([4.0]))
    ends = period_ends(shock, 4.0)
    model = PhasedTTR(net, int(ends.size), 0.0)
    model.set_shock(None, 4.0, ends)
    model.solve(values=False)
    base = baseline_of(model)
    model.set_shock(shock, 4.0, ends)
    got = solve_restricted(model, base, np.array([hit]), max_share=np.inf, max_rounds=10**6)
    short = 1000.0 if site == "V" else max(1000.0 - spare, 0.0)
    by_hand = short * 4.0 / WEEKS_PER_YEAR * 100.0
    assert got.impact == pytest.approx(by_hand, abs=1e-6)
    assert (got.how == "plan") == (by_hand == 0.0)
