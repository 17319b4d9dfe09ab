"""The shared HiGHS glue (importsub.solvers.highs) against hand-worked optima and a dense vertex enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from importsub.model.errors import AnalysisError, InfeasibleError, UnboundedError
from importsub.solvers.highs import (
    add_rows,
    basis_arrays,
    change_col_bounds,
    change_row_bounds,
    highs_basis,
    highs_inf,
    highs_lp,
    new_highs,
    objective_value,
    pass_model,
    raise_unless_optimal,
    run,
    set_basis,
    solution,
)

INF = np.inf


def _solve(cost, col_lower, col_upper, row_lower, row_upper, A, integrality=None):  # type: ignore[no-untyped-def]
    """Build, pass, run and check one model; return the instance."""
    h = new_highs()
    pass_model(h, highs_lp(cost, col_lower, col_upper, row_lower, row_upper, sp.csc_matrix(A), integrality), "bad")
    raise_unless_optimal(h, run(h), infeasible="infeasible", unbounded="unbounded", other="failed: {status}")
    return h


def _two_by_two():  # type: ignore[no-untyped-def]
    """max x + y  s.t.  x + 2y ≤ 4,  3x + y ≤ 6,  x, y ≥ 0: optimum at the vertex (8/5, 6/5), value 14/5."""
    A = np.array([[1.0, 2.0], [3.0, 1.0]])
    return [-1.0, -1.0], [0.0, 0.0], [INF, INF], [-INF, -INF], [4.0, 6.0], A


def test_tiny_lp_solved_by_hand() -> None:
    h = _solve(*_two_by_two())
    z, row_dual, col_dual = solution(h)
    assert objective_value(h) == pytest.approx(-14 / 5)
    np.testing.assert_allclose(z, [8 / 5, 6 / 5], atol=1e-9)
    # duals by hand: c = Aᵀ λ  →  λ = (−2/5, −1/5); both rows bind, both columns basic
    np.testing.assert_allclose(row_dual, [-2 / 5, -1 / 5], atol=1e-9)
    np.testing.assert_allclose(col_dual, [0.0, 0.0], atol=1e-9)


def test_changed_bounds_are_re_solved() -> None:
    h = _solve(*_two_by_two())
    change_col_bounds(h, [0], [0.0], [1.0])  # x ≤ 1: y = 3/2 from the first row, value 5/2
    raise_unless_optimal(h, run(h), infeasible="i", unbounded="u", other="{status}")
    assert objective_value(h) == pytest.approx(-5 / 2)
    change_row_bounds(h, [0], [-INF], [INF])  # drop row 0: x + y = 6 − 2x on the second row, best at (0, 6)
    raise_unless_optimal(h, run(h), infeasible="i", unbounded="u", other="{status}")
    assert objective_value(h) == pytest.approx(-6.0)
    change_col_bounds(h, [], [], [])  # nothing to change is fine


def test_added_rows_cut_the_optimum() -> None:
    h = _solve(*_two_by_two())
    # x ≤ 1 and x + y ≤ 2 as two new rows: the optimum moves onto x + y = 2 (value 2, its dual −1 whatever the vertex)
    add_rows(h, [-INF, -INF], [1.0, 2.0], [0, 1], [np.array([0]), np.array([0, 1])], [np.array([1.0]), np.ones(2)])
    assert h.getNumRow() == 4
    raise_unless_optimal(h, run(h), infeasible="i", unbounded="u", other="{status}")
    assert objective_value(h) == pytest.approx(-2.0)
    z, row_dual, _ = solution(h)
    assert z[0] <= 1.0 + 1e-9
    assert row_dual[3] == pytest.approx(-1.0)  # one more unit on x + y ≤ 2 gains one unit of x + y


def test_basis_round_trip_restarts_at_the_optimum() -> None:
    h = _solve(*_two_by_two())
    col, row = basis_arrays(h, 2, 2)
    assert col.dtype == np.int8
    assert col.shape == row.shape == (2,)
    h2 = new_highs()
    pass_model(h2, highs_lp(*_two_by_two()[:5], sp.csc_matrix(_two_by_two()[5])), "bad")
    h2.setBasis(highs_basis(col, row))
    raise_unless_optimal(h2, run(h2), infeasible="i", unbounded="u", other="{status}")
    assert objective_value(h2) == pytest.approx(-14 / 5)
    assert h2.getInfo().simplex_iteration_count == 0


def test_own_basis_is_taken_as_is_and_a_non_square_one_completed() -> None:
    h = _solve(*_two_by_two())
    col, row = basis_arrays(h, 2, 2)
    own = highs_basis(col, row, alien=False)
    h2 = new_highs()
    pass_model(h2, highs_lp(*_two_by_two()[:5], sp.csc_matrix(_two_by_two()[5])), "bad")
    set_basis(h2, own)
    assert not own.alien
    raise_unless_optimal(h2, run(h2), infeasible="i", unbounded="u", other="{status}")
    assert objective_value(h2) == pytest.approx(-14 / 5)
    assert h2.getInfo().simplex_iteration_count == 0
    # every column and row nonbasic (no basic variable, not square): refused as HiGHS's own, passed as alien
    lower = np.zeros(2, dtype=np.int8)
    bad = highs_basis(lower, lower, alien=False)
    h2.clearSolver()
    set_basis(h2, bad)
    assert bad.alien
    raise_unless_optimal(h2, run(h2), infeasible="i", unbounded="u", other="{status}")
    assert objective_value(h2) == pytest.approx(-14 / 5)


def test_infeasible_raises() -> None:
    # x ≥ 2 by a row, x ≤ 1 by its bound
    with pytest.raises(InfeasibleError, match=r"^infeasible$"):
        _solve([1.0], [0.0], [1.0], [2.0], [INF], np.array([[1.0]]))


def test_unbounded_raises() -> None:
    # min −x − y  s.t.  x − y ≤ 1: (t + 1, t) is feasible for every t ≥ 0
    with pytest.raises(UnboundedError, match=r"^unbounded$"):
        _solve([-1.0, -1.0], [0.0, 0.0], [INF, INF], [-INF], [1.0], np.array([[1.0, -1.0]]))


def test_other_status_is_an_analysis_error_naming_it() -> None:
    h = new_highs()
    pass_model(h, highs_lp(*_two_by_two()[:5], sp.csc_matrix(_two_by_two()[5])), "bad")
    h.setOptionValue("simplex_iteration_limit", 0)
    h.setOptionValue("presolve", "off")
    with pytest.raises(AnalysisError, match=r"^failed: .*limit") as err:
        raise_unless_optimal(h, run(h), infeasible="i", unbounded="u", other="failed: {status}")
    assert not isinstance(err.value, InfeasibleError | UnboundedError)


def test_rejected_model_raises_the_given_message() -> None:
    lp = highs_lp([1.0], [2.0], [1.0], [-INF], [INF], sp.csc_matrix((1, 1)))
    lp.a_matrix_.index_ = np.array([5], dtype=np.int32)  # an index beyond the one row
    lp.a_matrix_.start_ = np.array([0, 1], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([1.0])
    with pytest.raises(AnalysisError, match=r"^HiGHS rejected it$"):
        pass_model(new_highs(), lp, "HiGHS rejected it")


def test_small_mip() -> None:
    """max 5x + 4y  s.t.  6x + 4y ≤ 24,  x + 2y ≤ 6, integers ≥ 0: LP optimum (3, 3/2) = 21, MIP (4, 0) = 20."""
    A = np.array([[6.0, 4.0], [1.0, 2.0]])
    args = ([-5.0, -4.0], [0.0, 0.0], [INF, INF], [-INF, -INF], [24.0, 6.0], A)
    assert objective_value(_solve(*args)) == pytest.approx(-21.0)
    h = _solve(*args, integrality=[True, True])
    assert objective_value(h) == pytest.approx(-20.0)
    np.testing.assert_allclose(solution(h)[0], [4.0, 0.0], atol=1e-9)


def test_infinities_map_to_highs_inf() -> None:
    import highspy

    v = highs_inf([1.0, INF, -INF, 1e400])
    assert v.dtype == np.float64
    np.testing.assert_array_equal(v, [1.0, highspy.kHighsInf, -highspy.kHighsInf, highspy.kHighsInf])


def _vertex_optimum(c: np.ndarray, G: np.ndarray, h: np.ndarray) -> float:
    """``min c·x`` over ``{G x ≤ h}`` (a bounded polytope) by enumerating every vertex densely."""
    n = c.size
    best = np.inf
    for rows in itertools.combinations(range(G.shape[0]), n):
        sub = G[list(rows)]
        if abs(np.linalg.det(sub)) < 1e-12:
            continue
        x = np.linalg.solve(sub, h[list(rows)])
        if np.all(G @ x <= h + 1e-9):
            best = min(best, float(c @ x))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_random_lp_matches_vertex_enumeration(seed: int) -> None:
    """A random bounded LP (3 columns in boxes, 4 rows with both bounds) against its best vertex."""
    rng = np.random.default_rng(seed)
    n, m = 3, 4
    A = rng.uniform(-1.0, 2.0, (m, n))
    A[rng.uniform(size=(m, n)) < 0.3] = 0.0
    lo, up = rng.uniform(-2.0, 0.0, n), rng.uniform(0.5, 3.0, n)
    x_in = rng.uniform(lo, up)  # a feasible point, so the LP is feasible by construction
    r = A @ x_in
    rlo = r - rng.uniform(0.1, 2.0, m)
    rup = r + rng.uniform(0.1, 2.0, m)
    rlo[0] = -INF  # a one-sided row too
    c = rng.normal(size=n)
    h = _solve(c, lo, up, rlo, rup, A)
    # the same polytope as G x ≤ h: rows both ways, then the column boxes
    keep = np.isfinite(rlo)
    G = np.vstack([A, -A[keep], np.eye(n), -np.eye(n)])
    rhs = np.concatenate([rup, -rlo[keep], up, -lo])
    assert objective_value(h) == pytest.approx(_vertex_optimum(c, G, rhs), rel=1e-9, abs=1e-9)
    z = solution(h)[0]
    assert np.all(A @ z <= rup + 1e-7)
    assert np.all(A @ z >= rlo - 1e-7)
    assert float(c @ z) == pytest.approx(objective_value(h), abs=1e-9)


def test_first_instance_prints_no_banner() -> None:
    """HiGHS prints a banner on its first instance in a process; it must not reach stdout."""
    import os
    import subprocess
    import sys

    code = "from importsub.solvers.highs import new_highs; new_highs(); new_highs()"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=dict(os.environ), check=True
    )
    assert done.stdout == ""


def test_ttr_messages_go_through_the_shared_mapping() -> None:
    """The TTR model's errors keep their wording when raised by the shared status mapping."""
    from importsub.analysis.ttr import TTRModel
    from importsub.compile import compile
    from importsub.demo.synth import synth

    model = TTRModel(compile(synth(30, seed=1)), None, 4.0)
    model.highs.changeColBounds(model.col_y.start, 5.0, 1.0)  # lower > upper
    with pytest.raises(InfeasibleError, match=r"^TTR model infeasible \(shock none, window 4 weeks\)$"):
        model.solve()


def test_portfolio_messages_go_through_the_shared_mapping() -> None:
    """A budget below zero has no feasible set: the portfolio's InfeasibleError keeps its wording."""
    from importsub.analysis.portfolio import PortfolioModel
    from test_portfolio import hand

    model = PortfolioModel.build(hand())
    with pytest.raises(InfeasibleError, match=r"^portfolio model infeasible \(budget -1,000,000,000 RUB\)$"):
        model.solve(-1e9)
