"""The time-to-recover (TTR) linear programme of one window (Simchi-Levi et al., Interfaces 45(5), 2015, reimplemented
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
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from importsub.analysis.demand import gross_output
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.compile.shock import WEEKS_PER_YEAR, Shock
from importsub.model.errors import AnalysisError, InfeasibleError
from importsub.solvers.highs import (
    basis_arrays,
    change_col_bounds,
    change_row_bounds,
    highs_basis,
    highs_lp,
    new_highs,
    objective_value,
    pass_model,
    raise_unless_optimal,
    run,
    set_basis,
    solution,
)

ZERO_TOLERANCE = 1e-6
"""PI below this fraction of the window's demand margin counts as zero."""
DEFAULT_HORIZON = 52.0
"""TTS is capped at this many weeks unless told otherwise."""
IPM_COLUMNS = 200_000
"""Cold solves of models with more columns use interior point (+ crossover); smaller ones dual simplex."""

Progress = Callable[[int, int], None]


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
        t = float(t_weeks)
        if not np.isfinite(t) or t < 0:
            raise AnalysisError(f"window must be ≥ 0 weeks, not {t_weeks!r}")
        a = shock.node_available(t) if shock is not None else np.ones(self.network.n_nodes)
        la = shock.link_available(t) if shock is not None and shock.hit_links.size else None
        return self.bounds_from(a, la, t / WEEKS_PER_YEAR)

    def bounds_from(self, a: FloatArray, la: FloatArray | None, tau: float) -> tuple[FloatArray, FloatArray, float]:
        """Bounds for available fractions ``a`` (nodes) and ``la`` (links, None = no cut) over ``τ`` years (pure)."""
        net = self.network
        if a.shape != (net.n_nodes,):
            raise AnalysisError("the shock was built for another network (node count differs)")
        f_ub = np.where(np.isfinite(self._f_rate), self._f_rate * tau if tau > 0 else 0.0, np.inf)
        if la is not None:
            cut = np.flatnonzero(la < 1.0)
            f_ub[cut] = np.minimum(f_ub[cut], la[cut] * net.capacity[net.link_supplier[cut]] * tau)
        col_upper = np.concatenate([net.capacity * tau * a, f_ub, net.demand[self.final] * tau])
        row_upper = self._row_upper_fixed.copy()
        P = net.pool_capacity.size
        if P:
            row_upper[self.row_pool] = net.pool_capacity * tau * self.pool_available(a)
        offset = float(np.sum(net.margin[self.final] * net.demand[self.final]) * tau)
        return col_upper, row_upper, offset

    def pool_available(self, a: FloatArray) -> FloatArray:
        """Available fraction of each pool: the largest of its members' (1 for a pool without members)."""
        net = self.network
        P = net.pool_capacity.size
        a_pool = np.zeros(P)
        np.maximum.at(a_pool, net.pool[self._pooled], a[self._pooled])
        a_pool[np.bincount(net.pool[self._pooled], minlength=P) == 0] = 1.0
        return a_pool

    def set_shock(self, shock: Shock | None, t_weeks: float | None = None) -> None:
        """Change the shock and/or window: only bounds change (warm re-solve)."""
        t = float(t_weeks if t_weeks is not None else (shock.window if shock is not None else self.t_weeks))
        self._apply(*self.bounds(shock, t))
        self.shock, self.t_weeks = shock, t

    def _apply(self, col_upper: FloatArray, row_upper: FloatArray, offset: float) -> None:
        """Pass changed bounds to HiGHS (if built) and keep them."""
        if self._h is not None:
            dc = np.flatnonzero(col_upper != self.col_upper)
            change_col_bounds(self._h, dc, self.col_lower[dc], col_upper[dc])
            dr = np.flatnonzero(row_upper != self.row_upper)
            change_row_bounds(self._h, dr, np.full(dr.size, -np.inf), row_upper[dr])
        self.col_upper, self.row_upper, self.offset = col_upper, row_upper, offset

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
            h = new_highs()
            lp = highs_lp(
                self.cost / self.margin_scale,
                self.col_lower,
                self.col_upper,
                np.full(self.n_rows, -np.inf),
                self.row_upper,
                self.A,
            )
            pass_model(h, lp, "HiGHS rejected the TTR model (bad bounds or matrix)")
            self._h = h
            self._cold = True
        return self._h

    def basis(self) -> tuple[np.ndarray, np.ndarray]:
        """Current basis as (column status, row status) int8 arrays (picklable)."""
        return basis_arrays(self.highs, self.n_cols, self.n_rows)

    def set_basis(self, basis: tuple[np.ndarray, np.ndarray], key: Any = None) -> None:
        """Start the next solve from ``basis`` (as returned by :meth:`basis` of this model); ``key`` caches
        the conversion.

        The basis is passed as HiGHS's own, not alien: HiGHS factors it once, in the solve, instead of
        first factoring it to check and complete it (10k-site network, a sweep's whole-model re-solves:
        about 4 % less time each).  A basis HiGHS refuses as such is passed again as alien.
        """
        hb = self._bases.get(key) if key is not None else None
        if hb is None:
            hb = highs_basis(basis[0], basis[1], alien=False)
            if key is not None:
                self._bases[key] = hb
        # drop the solver's other state (factor, edge weights) so the solve depends only on this basis
        self.highs.clearSolver()
        set_basis(self.highs, hb)
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
        h = self._run()
        lost = self.offset + self.margin_scale * objective_value(h)
        dem = self.network.demand[self.final] * self.t_weeks / WEEKS_PER_YEAR
        if not values:
            return TTRSolution(
                self.t_weeks, lost, dem, np.full(self.final.size, np.nan), self.final, self.network.n_nodes
            )
        z, rd, cd = solution(h)
        rd, cd = rd * self.margin_scale, cd * self.margin_scale
        y = np.clip(z[self.col_y], 0.0, None)
        return TTRSolution(
            self.t_weeks, lost, dem, y, self.final, self.network.n_nodes, z[self.col_p], z[self.col_f], rd, cd
        )

    def _run(self) -> Any:
        """Run HiGHS on the current bounds; raise unless optimal; return the instance."""
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
        status = run(h)
        what = self._what()
        raise_unless_optimal(
            h,
            status,
            infeasible=f"TTR model infeasible ({what})",
            unbounded=f"TTR model unbounded ({what}): a demand or capacity is infinite?",
            other=f"TTR model not solved ({what}): HiGHS status {{status}}",
        )
        self._cold = False
        return h

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
