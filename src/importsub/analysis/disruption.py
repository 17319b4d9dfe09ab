"""Disruption impact: the time-to-recover (TTR) linear programme, time-to-survive (TTS)
and the risk-exposure sweep (Simchi-Levi et al., Interfaces 45(5), 2015, reimplemented
from the mathematics of DESIGN.md).

The TTR model over a window of ``t`` weeks (``τ = t/52`` years)
----------------------------------------------------------------
Columns (all ≥ 0, units over the window):

* ``p_j``   production of node j,               ``p_j ≤ cap_j · τ · a_j``
* ``f_e``   flow on supply link e,              ``f_e ≤ σ_e · (need·x)_{g(e)} · τ`` if e is *not qualified*,
  unbounded if qualified (share-0 alternatives included); a cut link also
  ``f_e ≤ a_e · cap_{i(e)} · τ``
* ``y_j``   final delivery of node j with demand, ``y_j ≤ d_j · τ``

Rows:

* node j:  ``Σ_{e from j} f_e + y_j − p_j ≤ stock_j``            (ship and deliver ≤ make + own stock)
* group g: ``Σ_j need[g, j] p_j − Σ_{e ∈ g} f_e ≤ stock_g``       (use of an input ≤ deliveries + buyer's stock)
* pool k:  ``Σ_{j ∈ k} p_j ≤ cap_k · τ · max_{j∈k} a_j``           (flexible line)

Objective: minimise lost margin ``Σ_j margin_j (d_j τ − y_j)`` [RUB], i.e.
maximise margin-weighted delivery.  ``a_j`` is the available fraction of
node j's capacity over the window (:meth:`~importsub.compile.shock.Shock.node_available`:
severity, duration and recovery profile).  ``x`` is the gross output
``x = A x + d`` [units/yr]: a non-qualified supplier delivers at most its
normal share of the buyer's normal need.  Inputs without supply links
(unmapped) do not constrain production.  Lead times are not modelled (one
aggregate window, as in the original TTR model).

Every bound that depends on the shock or the window is a column or row
*bound*; the constraint matrix never changes.  So one HiGHS model serves a
whole sweep: each disruption only changes bounds and is re-solved from a
basis (dual simplex: a changed bound keeps the basis dual feasible).

Performance impact and zero tolerance
-------------------------------------
``PI = lost margin(shock) − lost margin(baseline)`` over the same window
[RUB] (a capacity-short network loses margin even without a shock).  PI
below ``ZERO_TOLERANCE`` × the window's demand margin ``Σ margin d τ`` is
reported as 0 (solver tolerances are ~1e-7 relative).

Time to survive
---------------
``TTS_j`` = the longest window ``t ≤ horizon`` such that node j (down at
``severity`` for the whole window) causes no loss beyond the baseline at
every ``t' ≤ t``.  Both lost-margin curves are piecewise linear in ``t``;
:func:`time_to_survive` follows them with Newton steps on the right-hand
slope (from the LP duals: ``dz/dt = (offset + Σ_c min(d_c, 0) u_c + Σ_pool
min(λ_k, 0) U_k) / t`` for bounds proportional to ``t``), safeguarded by
bisection, and stops when the bracket is narrower than ``tol_weeks``
(default 0.001 weeks); the result is exact to that tolerance and usually
lands exactly on the breakpoint.

Sweep and screening
-------------------
:func:`sweep` disrupts every node (or site, or country) in turn for its own
time to recover.  It first runs the no-re-routing propagation of
:mod:`importsub.analysis.montecarlo` from the baseline LP plan of each
window: that propagated plan is feasible in the TTR model, so its extra loss
is an upper bound on PI, and a target whose bound is within the zero
tolerance has PI = 0 *exactly as the LP would report it* — it needs no LP.
The other targets are re-solved on one model per process, each from the
baseline basis of its window (so results do not depend on solve order or on
how targets are split over Dask workers).
"""

from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from importsub.analysis.demand import gross_output, node_frame
from importsub.analysis.result import Result, fingerprint
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.compile.shock import WEEKS_PER_YEAR, Shock
from importsub.model.errors import AnalysisError, InfeasibleError, UnboundedError

ZERO_TOLERANCE = 1e-6
"""PI below this fraction of the window's demand margin counts as zero."""
DEFAULT_HORIZON = 52.0
"""TTS is capped at this many weeks unless told otherwise."""
IPM_COLUMNS = 200_000
"""Cold solves of models with more columns use interior point (+ crossover); smaller ones dual simplex."""

Progress = Callable[[int, int], None]
_BANNER_SHOWN = False


def new_highs() -> Any:
    """A silent ``highspy.Highs`` (its one-time banner never reaches stdout)."""
    global _BANNER_SHOWN
    import highspy

    if not _BANNER_SHOWN:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _BANNER_SHOWN = True
    else:
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


# ====================================================================== the model


@dataclass(frozen=True)
class LPArrays:
    """The TTR linear programme as plain arrays (for other models, e.g. a portfolio MIP).

    ``minimise cost · z + offset`` subject to ``row_lower ≤ A z ≤ row_upper``
    and ``col_lower ≤ z ≤ col_upper``; the optimum is the lost margin [RUB].

    Attributes
    ----------
    A : scipy.sparse.csr_matrix (rows × cols)
    row_lower, row_upper, col_lower, col_upper : FloatArray (±inf for none)
    cost : FloatArray [RUB/unit]   ``−margin_j`` on the ``y`` columns, 0 elsewhere
    offset : float [RUB]           ``Σ margin_j d_j τ``
    col_p, col_f, col_y : slice    production (per node), flow (per link), delivery (per final node)
    row_node, row_group, row_pool : slice
    final : IntArray               node of each ``y`` column
    t_weeks : float
    """

    A: sp.csr_matrix
    row_lower: FloatArray
    row_upper: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    cost: FloatArray
    offset: float
    col_p: slice
    col_f: slice
    col_y: slice
    row_node: slice
    row_group: slice
    row_pool: slice
    final: IntArray
    t_weeks: float


@dataclass(frozen=True, eq=False)
class TTRSolution:
    """An optimal solution of the TTR model.

    Attributes
    ----------
    t_weeks : float [weeks]
    lost_margin : float [RUB]          ``Σ margin (d τ − y)``
    demand : FloatArray [units]       ``d τ`` per final node (``TTRModel.final``)
    delivered : FloatArray [units]    ``y`` per final node
    p : FloatArray [units] | None     production per node
    f : FloatArray [units] | None     flow per link
    row_dual : FloatArray [RUB/unit] | None   change of lost margin per unit more on a row's bound
    col_dual : FloatArray [RUB/unit] | None   reduced costs (same units)
    """

    t_weeks: float
    lost_margin: float
    demand: FloatArray
    delivered: FloatArray
    final: IntArray
    n_nodes: int
    p: FloatArray | None = None
    f: FloatArray | None = None
    row_dual: FloatArray | None = None
    col_dual: FloatArray | None = None

    @property
    def lost_units(self) -> FloatArray:
        """``d τ − y`` per final node [units]."""
        return np.maximum(self.demand - self.delivered, 0.0)

    @property
    def y_nodes(self) -> FloatArray:
        """Final delivery as a vector over all nodes [units]."""
        y = np.zeros(self.n_nodes)
        y[self.final] = self.delivered
        return y


class TTRModel:
    """The TTR linear programme of one network, built once from its sparse arrays.

    Parameters
    ----------
    network : Network
    shock : Shock, optional
        Disruption (default: none, the baseline).
    t_weeks : float, optional [weeks]
        Window; default ``shock.window``.

    Attributes
    ----------
    A : scipy.sparse.csr_matrix
        Constraint matrix (rows × cols), independent of shock and window.
    col_p, col_f, col_y, row_node, row_group, row_pool : slice
        Column and row blocks (see the module docstring).
    final : IntArray
        Node of each ``y`` column (nodes with demand > 0).
    col_lower, col_upper, row_lower, row_upper : FloatArray
        Current bounds (for the current shock and window).
    offset : float [RUB]
        ``Σ margin d τ`` of the current window.

    Examples
    --------
    >>> from importsub.compile.shock import Shock     # doctest: +SKIP
    >>> m = build_ttr(net, Shock.single_node(net, 3), 4.0)  # doctest: +SKIP
    >>> m.solve().lost_margin                         # doctest: +SKIP
    >>> m.set_shock(None, 4.0); m.solve()             # the baseline, warm  # doctest: +SKIP
    """

    def __init__(self, network: Network, shock: Shock | None = None, t_weeks: float | None = None) -> None:
        net = network
        self.network = net
        n, E = net.n_nodes, net.n_links
        m = int(net.need.shape[0])
        P = int(net.pool_capacity.size)
        for name, arr in (
            ("capacity", net.capacity),
            ("stock", net.stock),
            ("demand", net.demand),
            ("margin", net.margin),
        ):
            bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
            if bad.size:
                raise AnalysisError(
                    f"TTR model: {name} must be finite and ≥ 0; offending node {net.node_label(int(bad[0]))}"
                )
        final = np.flatnonzero(net.demand > 0)
        F = final.size
        self.final = final
        self.col_p = slice(0, n)
        self.col_f = slice(n, n + E)
        self.col_y = slice(n + E, n + E + F)
        self.row_node = slice(0, n)
        self.row_group = slice(n, n + m)
        self.row_pool = slice(n + m, n + m + P)
        self.n_cols = n + E + F
        self.n_rows = n + m + P
        need = net.need.tocoo()
        pooled = np.flatnonzero(net.pool >= 0)
        rows = np.concatenate(
            [
                net.link_supplier,
                final,
                np.arange(n),
                n + need.row.astype(np.int64),
                n + net.link_group,
                n + m + net.pool[pooled],
            ]
        )
        cols = np.concatenate(
            [n + np.arange(E), n + E + np.arange(F), np.arange(n), need.col.astype(np.int64), n + np.arange(E), pooled]
        )
        vals = np.concatenate([np.ones(E), np.ones(F), -np.ones(n), need.data, -np.ones(E), np.ones(pooled.size)])
        A = sp.csr_matrix((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))
        A.sum_duplicates()
        A.eliminate_zeros()
        self.A = A
        self._pooled = pooled
        # normal need (x = A x + d) bounds non-qualified links [units/yr]
        x = gross_output(net)
        self.gross_output = x
        normal_need = np.asarray(net.need @ x, dtype=np.float64)
        self.normal_need = normal_need
        self._f_rate = np.where(net.link_qualified, np.inf, net.link_share * normal_need[net.link_group])
        margin = net.margin[final]
        self.margin_scale = float(max(np.max(margin), 1.0)) if F else 1.0
        self.cost = np.zeros(self.n_cols)
        self.cost[self.col_y] = -margin
        self._row_upper_fixed = np.concatenate([net.stock, net.group_stock, np.zeros(P)])
        self.shock: Shock | None = None
        self.t_weeks = 0.0
        self._h: Any = None
        self._cold = True
        self._bases: dict[Any, Any] = {}
        t = float(t_weeks if t_weeks is not None else (shock.window if shock is not None else 0.0))
        self.col_lower = np.zeros(self.n_cols)
        self.row_lower = np.full(self.n_rows, -np.inf)
        self.col_upper, self.row_upper, self.offset = self.bounds(shock, t)
        self.shock, self.t_weeks = shock, t

    # ------------------------------------------------------------ bounds

    def bounds(self, shock: Shock | None, t_weeks: float) -> tuple[FloatArray, FloatArray, float]:
        """Column upper bounds, row upper bounds and offset [RUB] for a shock and window (pure)."""
        net = self.network
        t = float(t_weeks)
        if not np.isfinite(t) or t < 0:
            raise AnalysisError(f"window must be ≥ 0 weeks, not {t_weeks!r}")
        tau = t / WEEKS_PER_YEAR
        a = shock.node_available(t) if shock is not None else np.ones(net.n_nodes)
        if a.shape != (net.n_nodes,):
            raise AnalysisError("the shock was built for another network (node count differs)")
        f_ub = np.where(np.isfinite(self._f_rate), self._f_rate * tau if tau > 0 else 0.0, np.inf)
        if shock is not None and shock.hit_links.size:
            la = shock.link_available(t)
            cut = np.flatnonzero(la < 1.0)
            f_ub[cut] = np.minimum(f_ub[cut], la[cut] * net.capacity[net.link_supplier[cut]] * tau)
        col_upper = np.concatenate([net.capacity * tau * a, f_ub, net.demand[self.final] * tau])
        row_upper = self._row_upper_fixed.copy()
        P = net.pool_capacity.size
        if P:
            a_pool = np.zeros(P)
            np.maximum.at(a_pool, net.pool[self._pooled], a[self._pooled])
            a_pool[np.bincount(net.pool[self._pooled], minlength=P) == 0] = 1.0
            row_upper[self.row_pool] = net.pool_capacity * tau * a_pool
        offset = float(np.sum(net.margin[self.final] * net.demand[self.final]) * tau)
        return col_upper, row_upper, offset

    def set_shock(self, shock: Shock | None, t_weeks: float | None = None) -> None:
        """Change the shock and/or window: only bounds change (warm re-solve)."""
        t = float(t_weeks if t_weeks is not None else (shock.window if shock is not None else self.t_weeks))
        col_upper, row_upper, offset = self.bounds(shock, t)
        if self._h is not None:
            import highspy

            inf = highspy.kHighsInf
            dc = np.flatnonzero(col_upper != self.col_upper)
            if dc.size:
                self._h.changeColsBounds(
                    int(dc.size),
                    dc.astype(np.int32),
                    self.col_lower[dc],
                    np.where(np.isfinite(col_upper[dc]), col_upper[dc], inf),
                )
            dr = np.flatnonzero(row_upper != self.row_upper)
            if dr.size:
                self._h.changeRowsBounds(int(dr.size), dr.astype(np.int32), np.full(dr.size, -inf), row_upper[dr])
        self.col_upper, self.row_upper, self.offset = col_upper, row_upper, offset
        self.shock, self.t_weeks = shock, t

    # ------------------------------------------------------------ arrays and solver

    def lp(self) -> LPArrays:
        """The current LP as arrays (unscaled costs in RUB/unit), for reuse in other models."""
        return LPArrays(
            self.A.copy(),
            self.row_lower.copy(),
            self.row_upper.copy(),
            self.col_lower.copy(),
            self.col_upper.copy(),
            self.cost.copy(),
            self.offset,
            self.col_p,
            self.col_f,
            self.col_y,
            self.row_node,
            self.row_group,
            self.row_pool,
            self.final.copy(),
            self.t_weeks,
        )

    def names(self) -> tuple[list[str], list[str]]:
        """Readable column and row names (for debugging and LP files)."""
        net = self.network
        nl = [net.node_label(j) for j in range(net.n_nodes)]
        gl = [f"{net.sites[s]}/{net.parts[p]}" for s, p in zip(net.group_site, net.group_part, strict=True)]
        cols = (
            [f"p[{x}]" for x in nl]
            + [f"f[{nl[i]}->{gl[g]}]" for i, g in zip(net.link_supplier, net.link_group, strict=True)]
            + [f"y[{nl[j]}]" for j in self.final]
        )
        rows = (
            [f"node[{x}]" for x in nl]
            + [f"group[{x}]" for x in gl]
            + [f"pool[{k}]" for k in range(net.pool_capacity.size)]
        )
        return cols, rows

    @property
    def highs(self) -> Any:
        """The HiGHS instance (built on first use from :attr:`A` and the current bounds)."""
        if self._h is None:
            import highspy

            h = new_highs()
            csc = self.A.tocsc()
            csc.sort_indices()
            lp = highspy.HighsLp()
            lp.num_col_ = self.n_cols
            lp.num_row_ = self.n_rows
            lp.col_cost_ = self.cost / self.margin_scale
            lp.col_lower_ = self.col_lower
            lp.col_upper_ = np.where(np.isfinite(self.col_upper), self.col_upper, highspy.kHighsInf)
            lp.row_lower_ = np.full(self.n_rows, -highspy.kHighsInf)
            lp.row_upper_ = self.row_upper
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
            lp.a_matrix_.index_ = csc.indices.astype(np.int32)
            lp.a_matrix_.value_ = csc.data.astype(np.float64)
            status = h.passModel(lp)
            if status == highspy.HighsStatus.kError:
                raise AnalysisError("HiGHS rejected the TTR model (bad bounds or matrix)")
            self._h = h
            self._cold = True
        return self._h

    def basis(self) -> tuple[np.ndarray, np.ndarray]:
        """Current basis as (column status, row status) int8 arrays (picklable)."""
        b = self.highs.getBasis()
        return (
            np.fromiter((int(s) for s in b.col_status), dtype=np.int8, count=self.n_cols),
            np.fromiter((int(s) for s in b.row_status), dtype=np.int8, count=self.n_rows),
        )

    def set_basis(self, basis: tuple[np.ndarray, np.ndarray], key: Any = None) -> None:
        """Start the next solve from ``basis`` (as returned by :meth:`basis`); ``key`` caches the conversion."""
        import highspy

        hb = self._bases.get(key) if key is not None else None
        if hb is None:
            statuses = list(highspy.HighsBasisStatus.__members__.values())
            by_value = {int(s): s for s in statuses}
            hb = highspy.HighsBasis()
            hb.col_status = [by_value[int(v)] for v in basis[0]]
            hb.row_status = [by_value[int(v)] for v in basis[1]]
            hb.valid = True
            if key is not None:
                self._bases[key] = hb
        # drop the solver's other state (factor, edge weights) so the solve depends only on this basis
        self.highs.clearSolver()
        self.highs.setBasis(hb)
        self._cold = False

    def solve(self, *, values: bool = True) -> TTRSolution:
        """Solve for the current shock and window (warm from the last basis).

        Parameters
        ----------
        values : bool
            Read primal values and duals back (False: only the lost margin, faster).

        Raises
        ------
        InfeasibleError, UnboundedError
            The model has no solution / an unbounded objective (never reported as 0).
        AnalysisError
            Any other solver failure.
        """
        import highspy

        h = self.highs
        bad = np.flatnonzero(self.col_upper < self.col_lower)
        if bad.size:
            raise InfeasibleError(
                f"TTR model infeasible: negative upper bound on column {self.names()[0][int(bad[0])]}"
            )
        if self._cold and self.n_cols > IPM_COLUMNS:
            h.setOptionValue("solver", "ipm")
            h.setOptionValue("run_crossover", "on")
        else:
            h.setOptionValue("solver", "simplex")
        h.run()
        status = h.getModelStatus()
        MS = highspy.HighsModelStatus
        if status == MS.kUnboundedOrInfeasible:
            h.setOptionValue("presolve", "off")
            h.run()
            h.setOptionValue("presolve", "choose")
            status = h.getModelStatus()
        if status == MS.kInfeasible:
            raise InfeasibleError(f"TTR model infeasible ({self._what()})")
        if status in (MS.kUnbounded, MS.kUnboundedOrInfeasible):
            raise UnboundedError(f"TTR model unbounded ({self._what()}): a demand or capacity is infinite?")
        if status != MS.kOptimal:
            raise AnalysisError(f"TTR model not solved ({self._what()}): HiGHS status {h.modelStatusToString(status)}")
        self._cold = False
        obj = float(h.getInfo().objective_function_value)
        lost = self.offset + self.margin_scale * obj
        dem = self.network.demand[self.final] * self.t_weeks / WEEKS_PER_YEAR
        if not values:
            return TTRSolution(
                self.t_weeks, lost, dem, np.full(self.final.size, np.nan), self.final, self.network.n_nodes
            )
        sol = h.getSolution()
        z = np.asarray(sol.col_value, dtype=np.float64)
        rd = np.asarray(sol.row_dual, dtype=np.float64) * self.margin_scale
        cd = np.asarray(sol.col_dual, dtype=np.float64) * self.margin_scale
        y = np.clip(z[self.col_y], 0.0, None)
        return TTRSolution(
            self.t_weeks, lost, dem, y, self.final, self.network.n_nodes, z[self.col_p], z[self.col_f], rd, cd
        )

    def slope(self, sol: TTRSolution) -> float:
        """``d(lost margin)/dt`` [RUB/week] at ``sol``, for bounds proportional to ``t``.

        Valid for a shock whose availabilities do not change with ``t`` (a
        disruption lasting the whole window), as in TTS.  From the duals:
        ``(offset + Σ_c min(d_c, 0) u_c + Σ_pool min(λ_k, 0) U_k) / t``.
        """
        if sol.col_dual is None or sol.row_dual is None or self.t_weeks <= 0:
            raise AnalysisError("slope needs a solution with duals over a window > 0")
        u = self.col_upper
        fin = np.isfinite(u)
        s = self.offset + float(np.sum(np.minimum(sol.col_dual[fin], 0.0) * u[fin]))
        s += float(np.sum(np.minimum(sol.row_dual[self.row_pool], 0.0) * self.row_upper[self.row_pool]))
        return s / self.t_weeks

    def zero_tolerance(self, t_weeks: float | None = None) -> float:
        """PI [RUB] below which impact counts as zero: ``ZERO_TOLERANCE · Σ margin d τ`` (+1e-9)."""
        t = self.t_weeks if t_weeks is None else t_weeks
        tau = t / WEEKS_PER_YEAR
        return (
            ZERO_TOLERANCE * float(np.sum(self.network.margin[self.final] * self.network.demand[self.final])) * tau
            + 1e-9
        )

    def _what(self) -> str:
        return f"shock {self.shock.name if self.shock else 'none'}, window {self.t_weeks:g} weeks"


def build_ttr(network: Network, shock: Shock | None = None, t_weeks: float | None = None) -> TTRModel:
    """Build the TTR model of ``network`` for ``shock`` over ``t_weeks`` (see :class:`TTRModel`).

    Examples
    --------
    >>> model = build_ttr(net, shock, 8.0)   # doctest: +SKIP
    >>> lp = model.lp()                      # arrays: lp.A, lp.col_upper, lp.cost, lp.col_y ...  # doctest: +SKIP
    >>> model.solve().lost_margin            # [RUB]  # doctest: +SKIP
    """
    return TTRModel(network, shock, t_weeks)


_MODELS: weakref.WeakKeyDictionary[Network, TTRModel] = weakref.WeakKeyDictionary()


def shared_model(network: Network) -> TTRModel:
    """One cached :class:`TTRModel` per network and process (sweeps re-use it)."""
    m = _MODELS.get(network)
    if m is None:
        m = TTRModel(network)
        _MODELS[network] = m
    return m


# ====================================================================== one shock


def performance_impact(
    network: Network, shock: Shock, t_weeks: float | None = None
) -> tuple[float, TTRSolution, TTRSolution]:
    """``PI`` [RUB], the shocked and the baseline solutions over the same window.

    ``PI = lost(shock) − lost(baseline)``, clipped to 0 within the zero tolerance.
    """
    t = float(t_weeks if t_weeks is not None else shock.window)
    model = TTRModel(network, None, t)
    base = model.solve()
    model.set_shock(shock, t)
    sol = model.solve()
    pi = sol.lost_margin - base.lost_margin
    if pi <= model.zero_tolerance(t):
        pi = 0.0
    return pi, sol, base


def run_shock(network: Network, shock: Shock, t_weeks: float | None = None, *, why: int = 20) -> Result:
    """Performance impact of one shock: lost units and margin per vehicle and OEM, and why.

    Parameters
    ----------
    network : Network
    shock : Shock
        From :func:`importsub.compile.shock.compile_shock` or built directly.
    t_weeks : float, optional [weeks]
        Window; default the shock's (longest disruption + recovery ramp).
    why : int
        Binding constraints listed.

    Returns
    -------
    Result
        ``summary`` (window, lost margin shock/baseline, PI [RUB], surviving
        output [units] and [%]); ``vehicles`` and ``oems`` (lost units and
        margin, absolute and beyond the baseline); ``why`` (binding
        constraints, readable); ``targets`` (the disruptions).
    """
    t = float(t_weeks if t_weeks is not None else shock.window)
    if not t > 0:
        raise AnalysisError(
            f"scenario {shock.name!r} has no disruption that lasts (window 0 weeks); give a window in weeks"
            " (--weeks) to see its losses against demand"
        )
    model = TTRModel(network, None, t)
    base = model.solve()
    model.set_shock(shock, t)
    sol = model.solve()
    tol = model.zero_tolerance(t)
    pi = sol.lost_margin - base.lost_margin
    pi = 0.0 if pi <= tol else pi
    net = network
    fin = model.final
    labels = node_frame(net)[fin.tolist()]
    margin = net.margin[fin]
    vehicles = labels.select("site", "site name", "organization", "part", "part name").with_columns(
        pl.Series("demand [units]", sol.demand),
        pl.Series("delivered [units]", sol.delivered),
        pl.Series("lost [units]", sol.lost_units),
        pl.Series("lost in baseline [units]", base.lost_units),
        pl.Series("extra lost [units]", sol.lost_units - base.lost_units),
        pl.Series("margin [RUB/unit]", margin),
        pl.Series("extra lost margin [RUB]", (sol.lost_units - base.lost_units) * margin),
    )
    org_names = dict(zip(net.organizations, net.organization_names or net.organizations, strict=True))
    oems = (
        vehicles.group_by("organization", maintain_order=True)
        .agg(
            pl.col("demand [units]").sum(),
            pl.col("delivered [units]").sum(),
            pl.col("lost [units]").sum(),
            pl.col("extra lost [units]").sum(),
            pl.col("extra lost margin [RUB]").sum(),
        )
        .with_columns(
            pl.col("organization").replace_strict(org_names, default=pl.col("organization")).alias("OEM name")
        )
        .rename({"organization": "OEM"})
        .sort("extra lost margin [RUB]", descending=True)
    )
    vehicles = vehicles.sort("extra lost margin [RUB]", descending=True)
    demand_units = float(sol.demand.sum())
    summary = pl.DataFrame(
        {
            "scenario": [shock.name],
            "window [weeks]": [t],
            "nodes hit": [int(shock.hit_nodes.size)],
            "links cut": [int(shock.hit_links.size)],
            "demand margin [RUB]": [model.offset],
            "lost margin [RUB]": [sol.lost_margin],
            "baseline lost margin [RUB]": [base.lost_margin],
            "performance impact [RUB]": [pi],
            "surviving output [units]": [float(sol.delivered.sum())],
            "surviving output [%]": [100.0 * float(sol.delivered.sum()) / demand_units if demand_units > 0 else 100.0],
        }
    )
    tables = {"summary": summary, "vehicles": vehicles, "oems": oems, "why": explain(model, sol, base, shock, top=why)}
    if shock.targets.width:
        tables["targets"] = shock.targets
    return Result("shock", tables, fingerprint(net, analysis="shock", **shock.describe(), window_weeks=t))


def explain(model: TTRModel, sol: TTRSolution, base: TTRSolution, shock: Shock | None, top: int = 20) -> pl.DataFrame:
    """Binding constraints of a solution, readable, ranked by shadow price × shortfall.

    Input shortages (group rows with a dual), capacity cut by the shock,
    capacity pools and nodes at full capacity (column duals); a column
    ``also binding in baseline`` says whether the constraint binds without
    the shock too.
    """
    net = model.network
    assert sol.row_dual is not None
    assert sol.col_dual is not None
    assert sol.f is not None
    assert sol.p is not None
    t = sol.t_weeks
    tau = t / WEEKS_PER_YEAR
    a = shock.node_available(t) if shock is not None else np.ones(net.n_nodes)
    hit = a < 1.0
    site_name = net.site_names or net.sites
    part_name = net.part_names or net.parts
    n = net.n_nodes
    eps = 1e-9 * model.margin_scale
    base_rd = base.row_dual if base.row_dual is not None else np.zeros(model.n_rows)
    base_cd = base.col_dual if base.col_dual is not None else np.zeros(model.n_cols)

    def node_txt(i: int) -> str:
        s = int(net.node_site[i])
        return f"{site_name[s]} ({net.countries[int(net.site_country[s])]})"

    rows: list[dict[str, Any]] = []
    # input shortages
    g_dual = sol.row_dual[model.row_group]
    supply = np.bincount(net.link_group, weights=sol.f, minlength=g_dual.size) + net.group_stock
    required = model.normal_need * tau
    for g in np.flatnonzero(g_dual < -eps):
        short = max(0.0, float(required[g] - supply[g]))
        links = np.flatnonzero(net.link_group == g)
        qual = links[net.link_qualified[links]]
        sup = [int(net.link_supplier[e]) for e in qual]
        down = [i for i in sup if hit[i]]
        countries = sorted({net.countries[int(net.node_country[i])] for i in sup})
        if sup and len(down) == len(sup):
            head = f"all {len(sup)} qualified supplier(s) are disrupted, in {'/'.join(countries)}"
        elif sup:
            full = [i for i in sup if sol.p[i] >= model.col_upper[i] * (1 - 1e-9)]
            head = (
                f"{len(sup)} qualified supplier(s) in {'/'.join(countries)}; "
                f"{len(down)} disrupted, {len(full)} at capacity"
            )
        else:
            head = "no qualified supplier"
        names = ", ".join(node_txt(i) + (" down" if hit[i] else "") for i in sup[:4]) + ("…" if len(sup) > 4 else "")
        p = int(net.group_part[g])
        rows.append(
            {
                "constraint": "input shortage",
                "where": f"{part_name[p]} for {site_name[int(net.group_site[g])]}",
                "shadow price [RUB/unit]": float(-g_dual[g]),
                "units short [units]": short,
                "why": f"{part_name[p]}: {head}; {short:,.0f} units short of {required[g]:,.0f} needed over "
                f"{t:g} weeks (suppliers: {names})",
                "also binding in baseline": bool(base_rd[n + g] < -eps),
            }
        )
    # capacity of nodes
    p_dual = sol.col_dual[model.col_p]
    for j in (int(v) for v in np.flatnonzero(p_dual < -eps)):
        cap_w = float(net.capacity[j] * tau)
        if hit[j]:
            lost = cap_w * (1 - a[j])
            why = (
                f"{part_name[int(net.node_part[j])]} at {node_txt(j)}: capacity cut to {100 * a[j]:.0f} % over the "
                f"window ({lost:,.0f} units lost)"
            )
            kind = "capacity cut"
        else:
            lost = 0.0
            why = f"{part_name[int(net.node_part[j])]} at {node_txt(j)}: at full capacity ({cap_w:,.0f} units over {t:g} weeks)"
            kind = "at capacity"
        rows.append(
            {
                "constraint": kind,
                "where": net.node_label(int(j)),
                "shadow price [RUB/unit]": float(-p_dual[j]),
                "units short [units]": lost,
                "why": why,
                "also binding in baseline": bool(base_cd[j] < -eps),
            }
        )
    # pools
    k_dual = sol.row_dual[model.row_pool]
    for k in np.flatnonzero(k_dual < -eps):
        rows.append(
            {
                "constraint": "capacity pool",
                "where": f"{site_name[int(net.pool_site[k])]} pool {k}",
                "shadow price [RUB/unit]": float(-k_dual[k]),
                "units short [units]": 0.0,
                "why": f"flexible line at {site_name[int(net.pool_site[k])]} at its limit "
                f"({model.row_upper[model.row_pool][k]:,.0f} units over {t:g} weeks)",
                "also binding in baseline": bool(base_rd[model.row_pool][k] < -eps),
            }
        )
    # non-qualified links at their share
    f_dual = sol.col_dual[model.col_f]
    for e in np.flatnonzero((f_dual < -eps) & ~net.link_qualified):
        i = int(net.link_supplier[e])
        grp = int(net.link_group[e])
        rows.append(
            {
                "constraint": "link not qualified",
                "where": f"{net.node_label(i)} → {site_name[int(net.group_site[grp])]}",
                "shadow price [RUB/unit]": float(-f_dual[e]),
                "units short [units]": 0.0,
                "why": f"{node_txt(i)} is not qualified to deliver more than its share "
                f"({net.link_share[e]:.0%}) of {part_name[int(net.group_part[grp])]}",
                "also binding in baseline": bool(base_cd[n + e] < -eps),
            }
        )
    schema = {
        "constraint": pl.String,
        "where": pl.String,
        "shadow price [RUB/unit]": pl.Float64,
        "units short [units]": pl.Float64,
        "why": pl.String,
        "also binding in baseline": pl.Boolean,
    }
    df = pl.DataFrame(rows, schema=schema)
    if df.height == 0:
        return df
    priority = {"input shortage": 0, "capacity pool": 1, "capacity cut": 2, "link not qualified": 3, "at capacity": 4}
    return (
        df.with_columns(
            (pl.col("shadow price [RUB/unit]") * pl.col("units short [units]")).alias("_v"),
            pl.col("constraint").replace_strict(priority, return_dtype=pl.Int64).alias("_k"),
        )
        .sort(
            ["also binding in baseline", "_k", "_v", "shadow price [RUB/unit]"], descending=[False, False, True, True]
        )
        .drop("_v", "_k")
        .head(top)
    )


# ====================================================================== time to survive


class _Curve:
    """Lost margin of the baseline and of a shock as functions of the window, on one model."""

    def __init__(self, model: TTRModel) -> None:
        self.model = model
        self._base: dict[float, tuple[float, float]] = {}

    def value(self, shock: Shock | None, t: float) -> tuple[float, float]:
        m = self.model
        if shock is None and t in self._base:
            return self._base[t]
        if t <= 0:
            return 0.0, 0.0
        m.set_shock(shock, t)
        sol = m.solve()
        out = (sol.lost_margin, m.slope(sol))
        if shock is None:
            self._base[t] = out
        return out

    def delta(self, shock: Shock, t: float) -> tuple[float, float]:
        zb, gb = self.value(None, t)
        zs, gs = self.value(shock, t)
        return zs - zb, gs - gb


def time_to_survive(
    model: TTRModel,
    shock_for: Callable[[float], Shock | None],
    horizon: float = DEFAULT_HORIZON,
    tol_weeks: float = 1e-3,
    *,
    relative_to_baseline: bool = True,
    curve: _Curve | None = None,
) -> float:
    """Longest window ``t ≤ horizon`` [weeks] with zero loss (beyond the baseline).

    Parameters
    ----------
    model : TTRModel
    shock_for : callable(t) -> Shock
        The disruption over a window of ``t`` (for TTS: down for the whole window).
    horizon : float [weeks]
        Cap: returns ``horizon`` when nothing is lost up to it.
    tol_weeks : float [weeks]
        Width of the final bracket (exactness of the answer).
    relative_to_baseline : bool
        Loss beyond the undisrupted baseline (default) or absolute loss
        (``shock_for`` returning None and False: the network's own TTS).

    Notes
    -----
    Newton steps from the right on the piecewise-linear loss difference
    (slopes from the duals), each verified by a solve, safeguarded by
    bisection; see the module docstring.
    """
    cv = curve or _Curve(model)

    def phi(t: float) -> tuple[float, float, float]:
        sh = shock_for(t)
        if relative_to_baseline and sh is not None:
            d, g = cv.delta(sh, t)
        else:
            d, g = cv.value(sh, t)
        return d, g, model.zero_tolerance(t)

    d_hi, g_hi, tol = phi(horizon)
    if d_hi <= tol:
        return float(horizon)
    lo, hi = 0.0, float(horizon)
    for _ in range(80):
        r = hi - d_hi / g_hi if g_hi > 0 else 0.5 * (lo + hi)
        if not (lo < r < hi):
            r = 0.5 * (lo + hi)
        d_r, g_r, tol = phi(r)
        if d_r <= tol:
            lo = r
            probe = min(hi, r + tol_weeks)
            d_p, g_p, tol_p = phi(probe)
            if d_p > tol_p:
                hi, d_hi, g_hi = probe, d_p, g_p
                break
            lo = probe
        else:
            hi, d_hi, g_hi = r, d_r, g_r
        if hi - lo <= tol_weeks:
            break
    # the loss grows linearly right of the breakpoint: the zero of that line is the breakpoint itself
    # (Δ ≤ tol at ``lo`` only bounds it within the zero tolerance)
    if g_hi > 0:
        r = hi - d_hi / g_hi
        if lo - tol / g_hi - tol_weeks <= r <= hi and r >= 0 and phi(r)[0] <= phi(r)[2]:
            return r
    return lo


def _tts_targets(
    network: Network, task: Sequence[tuple[int, IntArray]], severity: float, horizon: float, tol: float
) -> list[tuple[int, float]]:
    """Worker: TTS of each (target id, nodes) — the nodes down at ``severity`` for the whole window."""
    model = shared_model(network)
    out = []
    for k, nodes in task:
        # each target starts from a cleared solver: its TTS does not depend on the targets before it
        model.highs.clearSolver()
        curve = _Curve(model)

        fixed = Shock.nodes(network, nodes, severity, np.inf, name="tts")  # down for the whole window

        def shock_for(t: float, fixed: Shock = fixed) -> Shock:
            return fixed

        out.append((k, time_to_survive(model, shock_for, horizon, tol, curve=curve)))
    return out


def tts(
    network: Network,
    nodes: Sequence[int] | None = None,
    *,
    severity: float = 1.0,
    horizon: float = DEFAULT_HORIZON,
    tol_weeks: float = 1e-3,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """Time to survive of nodes (default: every node), against the baseline, capped at ``horizon``.

    Returns
    -------
    Result
        ``nodes``: TTS [weeks], time to recover [weeks], ``TTS < TTR`` (the
        node's recovery outlasts what the network survives), capped flag;
        ``summary``: the network's own TTS without a shock (finite when it is
        capacity-short), horizon, tolerance.
    """
    from importsub.distributed import map_chunks

    idx = np.arange(network.n_nodes) if nodes is None else np.asarray(nodes, dtype=np.int64)
    items = [(int(k), np.array([int(i)])) for k, i in enumerate(idx)]
    tasks = [items[i : i + 16] for i in range(0, len(items), 16)]
    res = map_chunks(
        _tts_targets,
        tasks,
        shared=(network,),
        extra=(severity, horizon, tol_weeks),
        scheduler=scheduler,
        workers=workers,
        progress=progress,
    )
    values = np.zeros(idx.size)
    for part in res:
        for k, v in part:
            values[k] = v
    model = shared_model(network)
    own = time_to_survive(model, lambda t: None, horizon, tol_weeks, relative_to_baseline=False)
    frame = node_frame(network)[idx.tolist()].with_columns(
        pl.Series("TTS [weeks]", values),
        pl.Series("TTR [weeks]", network.ttr[idx]),
        pl.Series("TTS < TTR", values < network.ttr[idx] - tol_weeks),
        pl.Series("capped at horizon", values >= horizon),
    )
    summary = pl.DataFrame(
        {
            "nodes": [int(idx.size)],
            "horizon [weeks]": [horizon],
            "tolerance [weeks]": [tol_weeks],
            "network TTS without shock [weeks]": [own],
            "nodes with TTS < TTR": [int(frame.get_column("TTS < TTR").sum())],
        }
    )
    fp = fingerprint(network, analysis="tts", severity=severity, horizon_weeks=horizon, tolerance_weeks=tol_weeks)
    return Result("tts", {"nodes": frame.sort(["TTS [weeks]", "node"]), "summary": summary}, fp)


# ====================================================================== sweep


@dataclass(frozen=True)
class Target:
    """One disruption of a sweep: its label, nodes, their durations [weeks] and the window [weeks]."""

    label: str
    nodes: IntArray
    weeks: FloatArray
    window: float


def sweep_targets(network: Network, by: str = "node", weeks: float | None = None) -> list[Target]:
    """Targets of a sweep: every node, every site or every country with producing nodes.

    Each node is down for its own time to recover (or ``weeks``); the window
    is the longest duration of the target's nodes.
    """
    net = network
    dur = net.ttr if weeks is None else np.full(net.n_nodes, float(weeks))
    if by == "node":
        keys = np.arange(net.n_nodes)
        labels = [net.node_label(i) for i in range(net.n_nodes)]
    elif by == "site":
        keys = net.node_site
        labels = list(net.sites)
    elif by == "country":
        keys = net.node_country
        labels = list(net.countries)
    else:
        raise AnalysisError(f"unknown sweep target {by!r}; choose node, site or country")
    order = np.argsort(keys, kind="stable")
    ks = keys[order]
    cuts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    groups = np.split(order, cuts[1:])
    out = []
    for g in groups:
        k = int(keys[g[0]])
        w = dur[g]
        out.append(Target(labels[k], g.astype(np.int64), w, float(w.max()) if w.size else 0.0))
    return out


def _solve_targets(
    network: Network,
    payload: dict[float, tuple[float, Any]],
    task: Sequence[tuple[int, IntArray, FloatArray, float]],
    severity: float,
) -> list[tuple[int, float]]:
    """Worker: PI of each target, each re-solved from its window's baseline basis (order independent)."""
    import hashlib

    model = shared_model(network)
    out = []
    keys: dict[float, str] = {}
    for k, nodes, weeks, t in task:
        z_b, basis = payload[t]
        if t not in keys:
            keys[t] = hashlib.blake2b(basis[0].tobytes() + basis[1].tobytes(), digest_size=16).hexdigest()
        model.set_shock(Shock.nodes(network, nodes, severity, weeks, name="sweep"), t)
        model.set_basis(basis, key=keys[t])
        z = model.solve(values=False).lost_margin
        pi = z - z_b
        out.append((k, 0.0 if pi <= model.zero_tolerance(t) else pi))
    return out


def sweep(
    network: Network,
    by: str = "node",
    *,
    weeks: float | None = None,
    severity: float = 1.0,
    screen: bool = True,
    with_tts: bool = False,
    horizon: float = DEFAULT_HORIZON,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    chunk: int = 32,
) -> Result:
    """Risk exposure of every node (site, country): PI of its disruption, REI = PI / max PI, ranked.

    Parameters
    ----------
    network : Network
    by : ``node`` | ``site`` | ``country``
    weeks : float, optional [weeks]
        Duration of every disruption; default each node's time to recover.
    severity : float [fraction]
    screen : bool
        Settle targets by the no-re-routing propagation bound where it proves PI = 0.
    with_tts : bool
        Also compute each target's TTS (one LP curve per target; slow).
    horizon : float [weeks]
        TTS cap.
    scheduler, workers : Dask fan-out (see :func:`importsub.distributed.map_chunks`).
    progress : callable(stage, done, total), optional
    chunk : int
        Targets per task.

    Returns
    -------
    Result
        ``targets`` (ranked: PI [RUB], risk exposure index [0–1], window
        [weeks], settled by screening or LP, propagation bound [RUB], TTS);
        ``summary`` (targets, zero-impact share [%], settled by screening [%],
        LP solves, largest PI).
    """
    from importsub.analysis.montecarlo import Plan, Propagator
    from importsub.distributed import map_chunks

    net = network
    targets = sweep_targets(net, by, weeks)
    T = len(targets)
    windows = sorted({tg.window for tg in targets if tg.window > 0})
    # a fresh model: the baselines (cold, then warm through the sorted windows) do not depend on earlier calls
    model = TTRModel(net)
    payload: dict[float, tuple[float, Any]] = {}
    plans: dict[float, Plan] = {}
    for i, t in enumerate(windows):
        model.set_shock(None, t)
        sol = model.solve()
        payload[t] = (sol.lost_margin, model.basis())
        plans[t] = Plan.from_flows(net, t, sol.p, sol.f, sol.y_nodes, sol.lost_margin)  # type: ignore[arg-type]
        if progress:
            progress("baselines", i + 1, len(windows))
    pi = np.zeros(T)
    bound = np.full(T, np.nan)
    settled = np.zeros(T, dtype=np.bool_)
    for k, tg in enumerate(targets):
        if tg.window <= 0 or severity <= 0:
            settled[k] = True
            bound[k] = 0.0
    if screen:
        todo = [k for k in range(T) if not settled[k]]
        done = 0
        for t in windows:
            ks = [k for k in todo if targets[k].window == t]
            if not ks:
                continue
            prop = Propagator(net, plans[t])
            tol = model.zero_tolerance(t)
            for s in range(0, len(ks), 256):
                block = ks[s : s + 256]
                avail = np.ones((net.n_nodes, len(block)))
                for c, k in enumerate(block):
                    tg = targets[k]
                    sh = Shock.nodes(net, tg.nodes, severity, tg.weeks)
                    avail[tg.nodes, c] = sh.node_available(t)[tg.nodes]
                ub = prop.extra_loss(prop.run(avail)).sum(axis=0)
                for c, k in enumerate(block):
                    bound[k] = float(ub[c])
                    if ub[c] <= tol:
                        settled[k] = True
                done += len(block)
                if progress:
                    progress("screening", done, len(todo))
    lp_targets = [k for k in range(T) if not settled[k]]
    items = [(k, targets[k].nodes, targets[k].weeks, targets[k].window) for k in lp_targets]
    tasks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    res = map_chunks(
        _solve_targets,
        tasks,
        shared=(net, payload),
        extra=(severity,),
        scheduler=scheduler,
        workers=workers,
        progress=(lambda d, n: progress("LP re-solves", d, n)) if progress else None,
    )
    for part in res:
        for k, v in part:
            pi[k] = v
    top = float(pi.max()) if T else 0.0
    rei = pi / top if top > 0 else np.zeros(T)
    first = np.array([int(tg.nodes[0]) for tg in targets], dtype=np.int64)
    labels = node_frame(net)[first.tolist()]
    cols: dict[str, Any] = {"target": [tg.label for tg in targets]}
    if by == "node":
        frame = labels.select("node", "site", "site name", "country", "part", "part name")
    elif by == "site":
        frame = labels.select("site", "site name", "organization", "country")
    else:
        frame = labels.select("country")
    frame = (
        pl.DataFrame(cols)
        .hstack(frame if by != "country" else pl.DataFrame())
        .with_columns(
            pl.Series("nodes", [int(tg.nodes.size) for tg in targets]),
            pl.Series("window [weeks]", [tg.window for tg in targets]),
            pl.Series("performance impact [RUB]", pi),
            pl.Series("risk exposure index", rei),
            pl.Series("settled by", np.where(settled, "screening", "LP").tolist()),
            pl.Series("propagation bound [RUB]", bound),
        )
    )
    if with_tts:
        tts_items = [(k, targets[k].nodes) for k in range(T)]
        tts_tasks = [tts_items[i : i + 16] for i in range(0, T, 16)]
        tres = map_chunks(
            _tts_targets,
            tts_tasks,
            shared=(net,),
            extra=(severity, horizon, 1e-3),
            scheduler=scheduler,
            workers=workers,
            progress=(lambda d, n: progress("TTS", d, n)) if progress else None,
        )
        tv = np.zeros(T)
        for part in tres:
            for k, v in part:
                tv[k] = v
        frame = frame.with_columns(pl.Series("TTS [weeks]", tv))
    frame = frame.with_row_index("_i").sort(["performance impact [RUB]", "_i"], descending=[True, False]).drop("_i")
    frame = frame.with_row_index("rank", offset=1)
    summary = pl.DataFrame(
        {
            "targets": [T],
            "by": [by],
            "zero impact [%]": [100.0 * float(np.mean(pi == 0)) if T else 0.0],
            "settled by screening [%]": [100.0 * float(np.mean(settled)) if T else 0.0],
            "LP re-solves": [len(lp_targets)],
            "largest PI [RUB]": [top],
        }
    )
    fp = fingerprint(net, analysis="sweep", by=by, weeks=weeks, severity=severity, screen=screen)
    return Result("sweep", {"targets": frame, "summary": summary}, fp)
