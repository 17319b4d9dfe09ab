"""Re-solving a disruption on the part of the network it can reach, certified against the whole LP.

Why it is exact
---------------
Let ``z⁰, π⁰`` be the undisrupted optimum of a TTR model (single-window or
phased; ``min c·z, A z ≤ u, 0 ≤ z ≤ v``) and ``d⁰ = c − Aᵀπ⁰`` its reduced
costs.  A disruption changes the bounds of a few columns and rows.  Choose
a column set ``C`` holding every changed column (and every column of a
changed row), and let ``R`` be the rows those columns touch.  The
*restricted* LP keeps the columns ``C`` and rows ``R`` and fixes every other
column at ``z⁰``:

``min c_C·z_C,  A_RC z_C ≤ u_R − A_{R,C̄} z⁰_C̄,  0 ≤ z_C ≤ v_C``.

Its optimum ``z_C`` with the others at ``z⁰`` is feasible in the whole LP
(rows outside ``R`` see only ``z⁰``), so it loses at least the true optimum.
With its row duals ``π_R`` (and ``π⁰`` outside ``R``) every column in ``C``
and every row satisfies the optimality conditions already; a column ``c ∉ C``
has reduced cost ``d_c = d⁰_c − A_{R,c}ᵀ(π_R − π⁰_R)``.  If each such ``d_c``
has the sign its baseline value allows (≥ 0 at its lower bound, ≤ 0 at its
upper bound, 0 in between, to the solver's dual tolerance), the combined
primal–dual pair satisfies the KKT conditions of the whole LP: the
restricted optimum *is* the full optimum.

The baseline duals are often degenerate (many dual solutions), and the
restricted LP's may differ from them on R for no reason the primal cares
about.  So a second certificate: price the rows outside ``R`` at ``π⁰``
(a Lagrangian relaxation, whose optimum ``L`` is ≤ the true change) and let
the columns outside ``C`` on rows of ``R`` move by ``w`` at their Lagrangian
cost ``c_e − A_{R̄,e}ᵀπ⁰``; if ``U − L`` is within ``GAP_TOLERANCE`` the
restricted optimum ``U`` is the true one.  Columns without an upper bound
get a large cap in that LP; ``L`` stays a bound unless a capped column sits
at its cap with a *negative* reduced cost (at zero reduced cost the same
duals prove the capped optimum optimal without the cap — zero-cost qualified
flows land on their caps all the time, and refusing those left this
certificate unused).  Otherwise the offending columns
(wrong-signed ``d_e``, or ``w_e ≠ 0``) join ``C`` and the restricted LP is
solved again (column generation on a known-good start); a region that grows
past ``MAX_SHARE`` of the columns, or ``MAX_ROUNDS`` restricted LPs, hands
over to the full warm re-solve.

A third certificate needs no duals: PI ≥ 0 (a disruption only lowers
bounds), so a restricted optimum within the sweep's zero tolerance is PI = 0
(``plan``).  It is tried first on a small region — the disrupted nodes, the
other suppliers of the parts they supply and everything those draw on through
every tier above them, with every buyer held at its baseline plan — which
settles the disruptions that re-routing absorbs without asking the buyers to
cut; and on every restricted LP after it.  Every restricted LP starts from the
baseline's basis restricted to its columns and rows (HiGHS completes it where
it is not square), so it takes a few iterations, not a cold solve.

The first ``C`` of the dual certificates is the reach of the disruption: the *downstream closure*
of the disrupted nodes (every node that uses, through any tier, one of
their parts), every row of those nodes (their node, input group and pool
rows in every period) and every column in those rows — which brings in the
alternative suppliers' flows into the closure and their node rows.  What
the alternatives may produce beyond their undisrupted plan, and what that
costs their other buyers, the certificate adds where it matters.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from importsub.analysis.ttr import TTRModel
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.model.errors import AnalysisError
from importsub.solvers.highs import (
    highs_basis,
    highs_lp,
    new_highs,
    pass_model,
    raise_unless_optimal,
    run,
    solution,
)

#: a region with more than this share of the model's columns is re-solved as a whole instead
MAX_SHARE = 0.15
#: dual feasibility tolerance of the certificate (reduced costs in the model's scaled units, |cost| ≤ 1)
DUAL_TOLERANCE = 1e-7
#: columns within this of a bound (relative to the bound, at least absolute) count as at that bound
PRIMAL_TOLERANCE = 1e-7
#: restricted and Lagrangian optimum this close (fraction of the window's demand margin) certify the optimum
GAP_TOLERANCE = 1e-10
#: rounds of growth before the full re-solve takes over
MAX_ROUNDS = 4


@dataclass(frozen=True, eq=False)
class Baseline:
    """The undisrupted optimum of one model and period structure, as the restriction reads it.

    All in the model's scaled units (costs ``cost / margin_scale``).  What
    follows from these and the model (reduced costs, row activities) is
    computed where it is used (:meth:`derived`), so a sweep ships only these
    to its workers.

    Attributes
    ----------
    z : FloatArray        column values
    row_dual : FloatArray
    col_upper, row_upper : FloatArray   bounds of the undisrupted model
    col_status, row_status : Int8Array  its optimal basis (HiGHS status codes), the warm start of the
                                        restricted LPs (their columns' and rows' part of it)
    """

    z: FloatArray
    row_dual: FloatArray
    col_upper: FloatArray
    row_upper: FloatArray
    col_status: npt.NDArray[np.int8]
    row_status: npt.NDArray[np.int8]

    def derived(self, model: TTRModel) -> tuple[FloatArray, FloatArray]:
        """Reduced costs ``c − Aᵀπ`` and row activities ``A z`` on ``model`` (computed once, kept)."""
        got = self.__dict__.get("_derived")
        if got is None:
            cd = np.asarray(model.cost / model.margin_scale - model.A.T @ self.row_dual)
            got = (cd, np.asarray(model.A @ self.z))
            object.__setattr__(self, "_derived", got)
        return got  # type: ignore[no-any-return]

    def __getstate__(self) -> dict[str, FloatArray]:
        return {k: v for k, v in self.__dict__.items() if k != "_derived"}

    def __setstate__(self, state: dict[str, FloatArray]) -> None:
        self.__dict__.update(state)


def baseline_of(model: TTRModel, basis: tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]] | None = None) -> Baseline:
    """The :class:`Baseline` of ``model``'s current (undisrupted, just solved) optimum; ``basis``: its
    :meth:`~importsub.analysis.ttr.TTRModel.basis` where the caller has read it already."""
    z, rd, _ = solution(model.highs)
    cs, rs = model.basis() if basis is None else basis
    return Baseline(z, rd, model.col_upper.copy(), model.row_upper.copy(), cs, rs)


def _downstream(network: Network) -> sp.csr_matrix:
    """Node → node adjacency: ``[i, j]`` if node j uses node i's part (a link from i into a group j needs)."""
    net = network
    m = int(net.need.shape[0])
    L = sp.csr_matrix((np.ones(net.n_links), (net.link_supplier, net.link_group)), shape=(net.n_nodes, m))
    return sp.csr_matrix((L @ (net.need != 0).astype(np.float64)) != 0)


_REACH: weakref.WeakKeyDictionary[Network, sp.csr_matrix] = weakref.WeakKeyDictionary()
_FEEDS: weakref.WeakKeyDictionary[Network, sp.csr_matrix] = weakref.WeakKeyDictionary()


def upstream_closure(network: Network, nodes: IntArray) -> IntArray:
    """Every node whose part ``nodes`` use, through any number of tiers (``nodes`` included)."""

    def upstream(net: Network) -> sp.csr_matrix:
        return sp.csr_matrix(_adjacency(net, _REACH, _downstream).T)

    return _closure(_adjacency(network, _FEEDS, upstream), nodes, network.n_nodes)


def _adjacency(
    network: Network,
    kept: weakref.WeakKeyDictionary[Network, sp.csr_matrix],
    build: Callable[[Network], sp.csr_matrix],
) -> sp.csr_matrix:
    """``build(network)``, kept per network in ``kept``."""
    adj = kept.get(network)
    if adj is None:
        adj = kept[network] = build(network)
    return adj


def _closure(adj: sp.csr_matrix, nodes: IntArray, n: int) -> IntArray:
    """Every node reachable from ``nodes`` along ``adj`` (``nodes`` included), sorted."""
    seen = np.zeros(n, dtype=np.bool_)
    for i in np.asarray(nodes, dtype=np.int64):
        if not seen[i]:
            seen[breadth_first_order(adj, int(i), directed=True, return_predecessors=False)] = True
    return np.flatnonzero(seen)


def downstream_closure(network: Network, nodes: IntArray) -> IntArray:
    """Every node that uses, through any number of tiers, a part of ``nodes`` (``nodes`` included).

    Examples
    --------
    >>> downstream_closure(net, np.array([3]))   # doctest: +SKIP
    array([  3,  17, 240])
    """
    return _closure(_adjacency(network, _REACH, _downstream), nodes, network.n_nodes)


class _Structure:
    """Per-model index arrays: CSC of the matrix and the rows of each node, group and pool in every period."""

    def __init__(self, model: TTRModel) -> None:
        net = model.network
        self.csc = sp.csc_matrix(model.A)
        self.csr = sp.csr_matrix(model.A)
        K = int(getattr(model, "K", 1))
        R1 = int(getattr(model, "R1", model.n_rows))
        n, m = net.n_nodes, int(net.need.shape[0])
        self.offsets = np.arange(K, dtype=np.int64) * R1
        self.n, self.m = n, m
        self.need_csc = sp.csc_matrix(net.need)
        # links as supplier → group and group → supplier incidence
        self.supplies = sp.csr_matrix(
            (np.ones(net.n_links), (net.link_supplier, net.link_group)), shape=(n, m), dtype=np.float64
        )
        self.supplied_by = sp.csr_matrix(self.supplies.T)
        self.row_nodes = self._row_nodes(model, K, R1)

    def _row_nodes(self, model: TTRModel, K: int, R1: int) -> sp.csr_matrix:
        """Rows × nodes: the node of a node row, the nodes that use a group row's part, a pool's members,
        the final node of a backlog row."""
        net = model.network
        n, m = self.n, self.m
        need = sp.coo_matrix(net.need)
        pooled = np.flatnonzero(net.pool >= 0)
        r1 = np.concatenate([np.arange(n), n + need.row, n + m + net.pool[pooled]]).astype(np.int64)
        c1 = np.concatenate([np.arange(n), need.col, pooled]).astype(np.int64)
        rows = [k * R1 + r1 for k in range(K)]
        cols = [c1] * K
        extra = model.n_rows - K * R1  # backlog rows, final node by final node
        F = model.final.size
        if extra and F:
            rows.append(K * R1 + np.arange(extra))
            cols.append(model.final[np.arange(extra) % F])
        r, c = np.concatenate(rows), np.concatenate(cols)
        return sp.csr_matrix((np.ones(r.size), (r, c)), shape=(model.n_rows, n))

    def nodes_of_rows(self, rows: IntArray) -> IntArray:
        return np.unique(self.row_nodes[rows].indices).astype(np.int64)

    def alternatives(self, nodes: IntArray) -> IntArray:
        """Every supplier of a part that ``nodes`` supply to some buyer (the buyers' other sources)."""
        groups = np.unique(self.supplies[nodes].indices)
        return np.unique(self.supplied_by[groups].indices).astype(np.int64)


_STRUCTURES: weakref.WeakKeyDictionary[TTRModel, _Structure] = weakref.WeakKeyDictionary()


def _structure(model: TTRModel) -> _Structure:
    s = _STRUCTURES.get(model)
    if s is None:
        s = _STRUCTURES[model] = _Structure(model)
    return s


def _seed_rows(model: TTRModel, st: _Structure, region: IntArray) -> IntArray:
    """Node, input-group and pool rows of the ``region`` nodes, in every period."""
    net = model.network
    groups = np.unique(st.need_csc[:, region].indices)
    pools = np.unique(net.pool[region][net.pool[region] >= 0])
    one = np.concatenate([region, st.n + groups, st.n + st.m + pools]).astype(np.int64)
    return (st.offsets[:, None] + one[None, :]).ravel()


def _rows_of(st: _Structure, cols: IntArray) -> IntArray:
    sub = st.csc[:, cols]
    return np.unique(sub.indices).astype(np.int64)


def _cols_of(st: _Structure, rows: IntArray) -> IntArray:
    sub = st.csr[rows]
    return np.unique(sub.indices).astype(np.int64)


@dataclass(frozen=True)
class RestrictedSolve:
    """Outcome of one restricted solve.

    Attributes
    ----------
    impact : float | None [RUB]   PI; None: no certificate (re-solve the whole model)
    columns : int     columns of the last restricted LP
    rounds : int      rounds of growth (restricted LPs solved, two per round where the first does not certify)
    how : str         the certificate (``plan``, ``dual``, ``lagrangian``) or why there is none
                      (``size``: the region passed ``max_share``; ``rounds``; ``solver``)
    """

    impact: float | None
    columns: int
    rounds: int
    how: str = ""


def solve_restricted(
    model: TTRModel,
    base: Baseline,
    nodes: IntArray,
    *,
    max_share: float = MAX_SHARE,
    max_rounds: int = MAX_ROUNDS,
) -> RestrictedSolve:
    """Performance impact [RUB] of the disruption whose bounds ``model`` holds now, solved on its reach.

    ``base`` is the undisrupted optimum of the same model and period
    structure; ``nodes`` the disrupted nodes.  The returned ``impact``
    is the change of lost margin from the baseline (PI), certified optimal
    for the whole model (see the module docstring), or None when the region
    would exceed ``max_share`` of the columns or ``max_rounds`` rounds of
    growth.  The model's HiGHS instance is not touched.

    Examples
    --------
    >>> model.set_shock(None, 8.0); model.solve(); base = baseline_of(model)   # doctest: +SKIP
    >>> model.set_shock(Shock.single_node(net, 3), 8.0)                          # doctest: +SKIP
    >>> solve_restricted(model, base, np.array([3])).impact                 # [RUB]  # doctest: +SKIP
    """
    st = _structure(model)
    cu, ru = model.col_upper, model.row_upper
    changed_cols = np.flatnonzero(cu != base.col_upper)
    changed_rows = np.flatnonzero(ru != base.row_upper)
    nodes = np.asarray(nodes, dtype=np.int64)
    limit = max_share * model.n_cols
    planned = _zero_plan(model, base, st, nodes, changed_cols, changed_rows, limit)
    if planned is not None:
        return planned
    region = downstream_closure(model.network, nodes)
    seed = np.union1d(_seed_rows(model, st, region), changed_rows)
    cols = np.union1d(_cols_of(st, seed), changed_cols)
    for rounds in range(1, max_rounds + 1):
        rows = _rows_of(st, cols)
        edge = np.setdiff1d(_cols_of(st, rows), cols, assume_unique=True)  # columns outside C on rows of R
        if cols.size + edge.size > limit:
            return RestrictedSolve(None, int(cols.size), rounds - 1, "size")
        got, grow = _round(model, base, st, cols, rows, edge)
        if isinstance(got, str):
            return RestrictedSolve(None, int(cols.size), rounds, got)
        if got is not None:
            return RestrictedSolve(got[0], int(cols.size), rounds, got[1])
        cols = np.union1d(cols, grow)
    return RestrictedSolve(None, int(cols.size), max_rounds, "rounds")


def _zero_plan(
    model: TTRModel,
    base: Baseline,
    st: _Structure,
    nodes: IntArray,
    changed_cols: IntArray,
    changed_rows: IntArray,
    limit: float,
) -> RestrictedSolve | None:
    """PI = 0 shown by a plan: the disrupted nodes' buyers keep their baseline plan, served by the
    other suppliers of their parts and what those can draw through every tier above them.

    The restricted LP on that region (every other column at its baseline value) is feasible in the
    whole model, so its optimum bounds PI from above; PI ≥ 0 (a disruption only lowers bounds), so an
    optimum within the zero tolerance is PI = 0 — no dual certificate needed.  None: the region is
    too large, infeasible (the buyers must cut), or the plan loses more than the tolerance.
    """
    region = upstream_closure(model.network, np.union1d(nodes, st.alternatives(nodes)))
    seed = np.union1d(_seed_rows(model, st, region), changed_rows)
    cols = np.union1d(_cols_of(st, seed), changed_cols)
    if cols.size > limit:
        return None
    rows = _rows_of(st, cols)
    _, activity = base.derived(model)
    scale = model.margin_scale
    c = model.cost / scale
    A_c = st.csr[rows][:, cols]
    rub = model.row_upper[rows] - (activity[rows] - A_c @ base.z[cols])
    try:
        zc, _, _ = _solve_lp(
            c[cols],
            model.col_lower[cols],
            model.col_upper[cols],
            rub,
            sp.csc_matrix(A_c),
            model,
            (base.col_status[cols], base.row_status[rows]),
        )
    except AnalysisError:
        return None
    upper = scale * float(c[cols] @ (zc - base.z[cols]))
    if upper <= model.zero_tolerance(model.t_weeks):
        return RestrictedSolve(upper, int(cols.size), 1, "plan")
    return None


def _round(
    model: TTRModel, base: Baseline, st: _Structure, cols: IntArray, rows: IntArray, edge: IntArray
) -> tuple[tuple[float, str] | str | None, IntArray]:
    """One round on columns ``C`` = ``cols``, rows ``R`` = ``rows``: ((PI [RUB], certificate) | None | why
    not, the columns to add).

    The restricted LP (edge columns at ``z⁰``) and its certificates ``plan``, ``dual``
    and ``lagrangian`` (module docstring); where none holds, the edge
    columns with a wrong-signed reduced cost or that move in the Lagrangian
    LP are the ones to add.
    """
    col_dual, activity = base.derived(model)
    cu, ru, lo_all = model.col_upper, model.row_upper, model.col_lower
    scale = model.margin_scale
    c = model.cost / scale
    z0 = base.z
    nc = cols.size
    gap = GAP_TOLERANCE * model.offset / scale + 1e-9  # [scaled RUB]
    both = np.concatenate([cols, edge])
    A_b = st.csc[:, both]
    pos = np.full(model.n_rows, -1, dtype=np.int64)
    pos[rows] = np.arange(rows.size)
    # the edge columns' entries on rows outside R go into their Lagrangian cost, not the matrix
    r_b = pos[A_b.indices]
    keep = r_b >= 0
    col_b = np.repeat(np.arange(both.size), np.diff(A_b.indptr))
    A_sub = sp.csc_matrix((A_b.data[keep], (r_b[keep], col_b[keep])), shape=(rows.size, both.size))
    fixed = activity[rows] - A_sub[:, :nc] @ z0[cols]
    rub = ru[rows] - fixed
    A_e = A_sub[:, nc:]

    def warm(columns: IntArray) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
        # the baseline's statuses of these columns and of the rows R: the edge columns' moves w start at 0,
        # where their baseline value sits; HiGHS completes the (alien) basis where it is not square
        return base.col_status[columns], base.row_status[rows]

    try:
        zc, pi, _ = _solve_lp(c[cols], lo_all[cols], cu[cols], rub, A_sub[:, :nc], model, warm(cols))
    except AnalysisError:  # the whole model re-solved says what is wrong, with its own names
        return "solver", cols[:0]
    upper = float(c[cols] @ (zc - z0[cols]))  # the restricted optimum: feasible, so ≥ the true change
    if scale * upper <= model.zero_tolerance(model.t_weeks):
        return (scale * upper, "plan"), cols[:0]  # and PI ≥ 0 (a disruption only lowers bounds): PI = 0
    # certificate "dual": the restricted duals on R, the baseline's elsewhere, are dual feasible
    d = col_dual[edge] - A_e.T @ (pi - base.row_dual[rows])
    z_e, lo, up = z0[edge], lo_all[edge], cu[edge]
    at_lb = z_e <= lo + PRIMAL_TOLERANCE * np.maximum(1.0, np.abs(lo))
    fin = np.isfinite(up)
    at_ub = np.zeros(edge.size, dtype=np.bool_)
    at_ub[fin] = z_e[fin] >= up[fin] - PRIMAL_TOLERANCE * np.maximum(1.0, np.abs(up[fin]))
    tol = DUAL_TOLERANCE
    bad = ~(at_lb & at_ub) & ((at_lb & (d < -tol)) | (at_ub & (d > tol)) | (~at_lb & ~at_ub & (np.abs(d) > tol)))
    if not bad.any():
        return (scale * upper, "dual"), cols[:0]
    # certificate "lagrangian": the columns outside C stay at z⁰; those on rows of R may move by w, priced
    # by the baseline duals of the rows outside R (their Lagrangian cost); that optimum L is ≤ the true change
    cost_e = col_dual[edge] + A_e.T @ base.row_dual[rows]
    lo_e = lo - z_e
    cap = 10.0 * (1.0 + float(np.max(np.abs(z0[both])))) if both.size else 1.0
    capped = z_e + cap < up
    hi_e = np.where(capped, cap, up - z_e)  # a cap only where a column has (almost) no bound
    try:
        zw, _, dw = _solve_lp(
            np.concatenate([c[cols], cost_e]),
            np.concatenate([lo_all[cols], lo_e]),
            np.concatenate([cu[cols], hi_e]),
            rub,
            A_sub,
            model,
            warm(both),
        )
    except AnalysisError:
        return "solver", cols[:0]
    w = zw[nc:]
    lower = float(c[cols] @ (zw[:nc] - z0[cols]) + cost_e @ w)
    # a column at its cap with a negative reduced cost would go further without the cap: then L is no
    # bound; at zero reduced cost the same duals prove the capped optimum optimal without the cap
    bounded = not np.any(capped & (w >= hi_e * (1 - 1e-9)) & (dw[nc:] < -tol))
    if bounded and upper - lower <= gap:
        return (scale * upper, "lagrangian"), cols[:0]
    moved = np.abs(w) > PRIMAL_TOLERANCE * np.maximum(1.0, np.abs(z_e))
    return None, edge[moved | bad]


def _solve_lp(
    cost: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    row_upper: FloatArray,
    A: sp.csc_matrix,
    model: TTRModel,
    basis: tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]] | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Column values, row duals and reduced costs of ``min cost·z, A z ≤ row_upper, lower ≤ z ≤ upper`` (dual simplex,
    from ``basis`` — column and row statuses — where given)."""
    h = new_highs()
    h.setOptionValue("solver", "simplex")
    lp = highs_lp(cost, lower, upper, np.full(row_upper.size, -np.inf), row_upper, A)
    pass_model(h, lp, "HiGHS rejected a restricted TTR model")
    if basis is not None:
        hb = highs_basis(*basis)
        hb.alien = True
        h.setBasis(hb)
    status = run(h)
    what = model._what()
    raise_unless_optimal(
        h,
        status,
        infeasible=f"restricted TTR model infeasible ({what})",
        unbounded=f"restricted TTR model unbounded ({what})",
        other=f"restricted TTR model not solved ({what}): HiGHS status {{status}}",
    )
    return solution(h)  # type: ignore[no-any-return]
