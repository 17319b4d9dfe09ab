"""The portfolio by Benders decomposition: the same optimum as the monolithic MIP and as exhaustive
enumeration (hand case, random instances by hypothesis), valid and tight cuts, stated gaps when a limit
stops it, and the automatic choice of method.

Independent paths: every subset evaluated by the monolithic model with ``y`` fixed (one LP of all
scenarios), and by applying the projects for real (:func:`evaluate_applied`).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import importsub.analysis.portfolio.model as pf_model
from importsub.analysis.portfolio import PortfolioModel, evaluate_applied, optimise
from importsub.analysis.portfolio.benders import split
from importsub.model.errors import AnalysisError
from test_portfolio import HAND, feasible_sets, hand, random_instance


def both(ds, **kw):  # type: ignore[no-untyped-def]
    return PortfolioModel.build(ds, method="mip", **kw), PortfolioModel.build(ds, method="benders", **kw)


def test_hand_case_both_methods() -> None:
    mip, ben = both(hand(), objective="loss", scenarios=["S1", "S2"])
    assert ben.method == "benders"
    assert ben.decomposition.n_blocks == 2  # one second-stage LP per scenario
    for budget, chosen, loss in (
        (4e9, (1, 2), 460_000.0),
        (2e9, (1,), 760_000.0),
        (0.0, (), 1_000_000.0),
        (3e9, (1, 2), 460_000.0),
    ):
        ev = ben.solve(budget, gap=0.0)
        assert ev.chosen == chosen
        assert ev.objective == pytest.approx(loss, rel=1e-9)
        assert mip.solve(budget).objective == pytest.approx(loss, rel=1e-9)
        assert ev.report is not None
        assert ev.report.status == "optimal"
        assert ev.report.lower_bound == pytest.approx(loss, rel=1e-9)
        assert ev.report.gap == pytest.approx(0.0, abs=1e-9)
    # per-scenario losses of the decomposition (S1: 500 cars lost, S2: 400 cars lost at 1,000 RUB)
    ev = ben.evaluate([HAND["P-A2"], HAND["P-B"]])
    assert ev.losses == pytest.approx({"S1": 500_000.0, "S2": 400_000.0}, rel=1e-9)


def test_result_reports_the_solve() -> None:
    ds = hand()
    res = optimise(PortfolioModel.build(ds, scenarios=["S1", "S2"], method="benders"), 4e9)
    solve = res.tables["solve"].row(0, named=True)
    assert solve["solve method"] == "benders"
    assert solve["solve status"] == "optimal"
    assert solve["optimality gap [%]"] == pytest.approx(0.0, abs=1e-7)
    assert solve["incumbent: expected loss [RUB]"] == pytest.approx(460_000.0, rel=1e-9)
    assert set(res.tables["chosen"]["project"]) == {"P-A2", "P-B"}
    mres = optimise(PortfolioModel.build(ds, scenarios=["S1", "S2"], method="mip"), 4e9)
    assert mres.tables["solve"]["solve method"][0] == "mip"
    col = "objective: expected loss [RUB]"
    assert np.allclose(res.tables["summary"][col].to_numpy(), mres.tables["summary"][col].to_numpy(), rtol=1e-9)


def test_auto_method_by_size(monkeypatch: pytest.MonkeyPatch) -> None:
    assert PortfolioModel.build(hand(), scenarios=["S1", "S2"]).method == "mip"
    monkeypatch.setattr(pf_model, "AUTO_COLUMNS", 5)
    assert PortfolioModel.build(hand(), scenarios=["S1", "S2"]).method == "benders"
    with pytest.raises(AnalysisError, match="unknown method"):
        PortfolioModel.build(hand(), method="simplex")


def test_split_finds_blocks_of_a_hand_matrix() -> None:
    import scipy.sparse as sp

    # columns: y0 y1 | a b | c | d ; rows: budget(y), a+b−y0, b, c−y1, y0+y1 ≤ 1
    A = sp.csc_matrix(
        np.array(
            [
                [1, 1, 0, 0, 0, 0],
                [-1, 0, 1, 1, 0, 0],
                [0, 0, 0, 1, 0, 0],
                [0, -1, 0, 0, 1, 0],
                [1, 1, 0, 0, 0, 0],
            ],
            dtype=float,
        )
    )
    master, blocks = split(A, 2)
    assert master.tolist() == [0, 4]
    got = sorted((c.tolist(), r.tolist()) for c, r in blocks)
    assert got == [([2, 3], [1, 2]), ([4], [3]), ([5], [])]
    _, merged = split(A, 2, owner=np.array([0, 0, 1, 1, 1, 2]))
    assert sorted((c.tolist(), r.tolist()) for c, r in merged) == [([2, 3, 4], [1, 2, 3]), ([5], [])]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    k=st.integers(2, 5),
    objective=st.sampled_from(["loss", "localisation", "mix"]),
    budget_share=st.floats(0.1, 0.9),
)
def test_benders_matches_mip_and_enumeration(seed: int, k: int, objective: str, budget_share: float) -> None:
    try:
        ds = random_instance(seed, 60, k, 3)
    except AnalysisError:  # too few imported parts with a union producer in this draw
        return
    mip, ben = both(ds, objective=objective, mix_weight=0.02)
    budget = budget_share * sum(o.capex for o in mip.options)
    sets = list(feasible_sets(mip, budget))
    values = {s: mip.evaluate(s).objective for s in sets}  # the monolithic LP with y fixed
    tol = 1e-7 * max(abs(v) for v in values.values()) + 1e-3  # [objective unit]
    # every set: the decomposition's second stages add up to the monolithic model's value
    for s in sets:
        assert ben.evaluate(s).objective == pytest.approx(values[s], abs=tol)
    ev = PortfolioModel.build(ds, objective=objective, mix_weight=0.02, method="benders").solve(budget, gap=0.0)
    best = min(values.values())
    assert ev.capex <= budget * (1 + 1e-9)
    assert ev.objective == pytest.approx(best, abs=tol)
    assert ev.objective == pytest.approx(mip.solve(budget).objective, abs=tol)
    assert ev.report is not None
    assert ev.report.lower_bound <= best + tol
    winners = [s for s, v in values.items() if v <= best + 100 * tol]
    if len(winners) == 1:  # a unique optimum: the same chosen set
        assert ev.chosen == winners[0]
    assert evaluate_applied(mip, ev.chosen).objective == pytest.approx(ev.objective, abs=tol)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_cuts_are_valid_and_tight(seed: int) -> None:
    """Q_s(y) ≥ Q_s(ŷ) + g_s·(y − ŷ) for every pair of binary points, with equality at ŷ."""
    try:
        ds = random_instance(seed, 60, 4, 3, levels=False)
    except AnalysisError:
        return
    model = PortfolioModel.build(ds, objective="mix", mix_weight=0.02, method="benders")
    dec = model.decomposition
    k = model.n_options
    points = [dec.evaluate(np.array(bits, dtype=float)) for bits in itertools.product([0, 1], repeat=k)]
    for p in points:
        assert p.grads is not None
        for q in points:
            bound = p.values + p.grads @ (q.y - p.y)
            assert np.all(q.values >= bound - 1e-7 * (1 + np.abs(q.values)))


def test_limits_state_a_gap() -> None:
    ds = random_instance(11, 120, 8, 4, levels=False)
    model = PortfolioModel.build(ds, objective="mix", mix_weight=0.02, method="benders")
    budget = 0.5 * sum(o.capex for o in model.options)
    exact = PortfolioModel.build(ds, objective="mix", mix_weight=0.02, method="mip").solve(budget).objective
    ev = model.solve(budget, max_iterations=1)
    r = ev.report
    assert r is not None
    assert r.lower_bound <= exact + 1e-6 * abs(exact) <= r.upper_bound + 2e-6 * abs(exact)
    assert r.upper_bound == pytest.approx(ev.objective, rel=1e-9)
    assert r.gap == pytest.approx((r.upper_bound - r.lower_bound) / abs(r.upper_bound), rel=1e-9, abs=1e-12)
    assert r.status == "iteration limit"  # one master iteration does not close this instance's gap
    assert r.gap > 1e-6
    # going on from there (cuts kept) certifies the optimum
    again = model.solve(budget, gap=0.0)
    assert again.report is not None
    assert again.report.status == "optimal"
    assert again.objective == pytest.approx(exact, rel=1e-7, abs=1e-3)


def test_second_stages_on_dask_workers() -> None:
    """Two local workers hold the scenario LPs (warm between iterations): the same points, values and optimum."""
    ds = random_instance(3, 120, 6, 6, levels=False)
    local = PortfolioModel.build(ds, objective="mix", mix_weight=0.02, method="benders")
    remote = PortfolioModel.build(ds, objective="mix", mix_weight=0.02, method="benders", workers=2)
    try:
        budget = 0.5 * sum(o.capex for o in local.options)
        a, b = local.solve(budget, gap=0.0), remote.solve(budget, gap=0.0)
        assert b.chosen == a.chosen
        assert b.objective == pytest.approx(a.objective, rel=1e-9)
        assert b.report is not None
        assert b.report.iterations == a.report.iterations  # type: ignore[union-attr]
        for s in ((), (0, 2), (1, 3, 5)):
            assert remote.evaluate(s).losses == pytest.approx(local.evaluate(s).losses, rel=1e-9, abs=1e-6)
    finally:
        remote.close()


def test_time_limit_states_a_finite_gap() -> None:
    ds = random_instance(11, 120, 8, 4, levels=False)
    model = PortfolioModel.build(ds, objective="mix", mix_weight=0.02, method="benders")
    budget = 0.5 * sum(o.capex for o in model.options)
    exact = PortfolioModel.build(ds, objective="mix", mix_weight=0.02, method="mip").solve(budget).objective
    ev = model.solve(budget, time_limit=0.0)
    r = ev.report
    assert r is not None
    assert r.status == "time limit"
    assert r.iterations == 1  # the master once (a finite bound); its point left unevaluated
    assert r.lower_bound <= exact + 1e-6 * abs(exact)
    assert exact <= r.upper_bound + 1e-6 * abs(exact)
    assert 0.0 < r.gap < float("inf")
    assert ev.chosen == ()  # the only point evaluated: no project
