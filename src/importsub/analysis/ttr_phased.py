"""The time-phased TTR model: periods inside the window, stock carried between them.

Why periods
-----------
The single-window model (:mod:`importsub.analysis.ttr`) lets a node that
recovers half-way through the window "catch up": its buyers may assemble in
the second half what they could not build in the first, as if assembly
capacity existed twice.  Here the window ``[0, t]`` is split at every
breakpoint of availability (each disruption's end ``D`` and the end of its
linear recovery ``D + R``, for nodes and links), so that availability is one
number per node and period.  A handful of periods, never weeks.

Period ``k = [t_{k−1}, t_k]`` (``Δ_k`` weeks, ``τ_k = Δ_k/52`` years) has the
single-window model's columns and rows with the period's bounds:
``p_jk ≤ cap_j τ_k a_jk`` with ``a_jk = 1 − (L_j(t_k) − L_j(t_{k−1}))/Δ_k``
(:func:`importsub.compile.shock.lost_weeks`), the same for links and pools.
Between periods (``k < K``, columns ≥ 0, units):

* ``s_jk``  finished stock of node j left at the end of period k,
* ``h_gk``  purchased stock of group g left at the end of period k,
* ``b_qk``  demand of final node q waiting at the end of period k (only with backlog ``β > 0``).

Rows of period k: node ``Σ_e f_ek + y_jk − p_jk + s_jk − s_j,k−1 ≤ [k = 1] stock_j``;
group ``Σ_j need p_jk − Σ_e f_ek + h_gk − h_g,k−1 ≤ [k = 1] stock_g``; pool as before.

Demand ``D_qk = d_q τ_k`` arises in each period.  With lost sales (``β = 0``)
``y_qk ≤ D_qk``.  With backlog ``β`` a share ``β`` of demand not met when it
arises waits and may be served in any later period of the window, the rest is
lost, and what still waits at the window's end is lost:

``y_qk + b_qk − b_q,k−1 ≤ D_qk``  and  ``β y_qk + b_qk − b_q,k−1 ≤ β D_qk``

(the two pieces of ``b_k ≤ b_{k−1} + β D_k − y_k + (1 − β) min(D_k, y_k)``).
This does not depend on how a period of constant availability is split
(weekly periods give the same optimum), which the tests check by brute force.
Units lost in period k: ``D_qk + b_q,k−1 − y_qk − b_qk``; they sum to
``Σ_k D_qk − Σ_k y_qk``.

With one period (window = disruption, or a disruption that lasts the whole
window) there are no coupling columns: the model *is* the single-window model,
so published results still hold.  A longer window only adds periods: the
extra loss (PI) never falls.  The constraint matrix depends only on the
number of periods ``K`` and ``β``; a sweep keeps one model per ``K`` and
changes bounds per target (warm re-solves from its period structure's
baseline basis).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from importsub.analysis.ttr import TTRModel, TTRSolution
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.compile.shock import WEEKS_PER_YEAR, Shock, lost_weeks
from importsub.model.errors import AnalysisError

MAX_PERIODS = 64
"""More breakpoints than this inside one window is refused (periods, not weeks)."""


def period_ends(shock: Shock | None, t_weeks: float) -> FloatArray:
    """Ends ``t_1 < … < t_K = t`` [weeks] of the periods of a window: every breakpoint of availability inside it.

    Examples
    --------
    >>> import numpy as np
    >>> s = Shock("x", np.array([1.0, 1.0]), np.array([8.0, 12.0]), np.array([0.0, 4.0]),
    ...           np.zeros(0), np.zeros(0), np.zeros(0), 16.0)
    >>> period_ends(s, 20.0).tolist()
    [8.0, 12.0, 16.0, 20.0]
    """
    t = float(t_weeks)
    if not np.isfinite(t) or t <= 0:
        raise AnalysisError(f"window must be > 0 weeks, not {t_weeks!r}")
    if shock is None:
        return np.array([t])
    pts = []
    for sev, dur, ramp in (
        (shock.node_severity, shock.node_duration, shock.node_ramp),
        (shock.link_severity, shock.link_duration, shock.link_ramp),
    ):
        hit = sev > 0
        pts.append(dur[hit])
        pts.append((dur + ramp)[hit & (ramp > 0)])
    cand = np.concatenate(pts) if pts else np.zeros(0)
    cand = cand[np.isfinite(cand) & (cand > 0) & (cand < t * (1 - 1e-12))]
    ends = np.unique(np.round(np.append(cand, t), 9))
    ends[-1] = t
    if ends.size > MAX_PERIODS:
        raise AnalysisError(
            f"{ends.size} breakpoints of availability inside a {t:g}-week window; at most {MAX_PERIODS} periods"
        )
    return ends


def period_available(shock: Shock | None, n: int, e: int, t0: float, t1: float) -> tuple[FloatArray, FloatArray | None]:
    """Available fraction of every node and link over ``[t0, t1]`` [fraction] (links None when none is cut)."""
    if shock is None:
        return np.ones(n), None
    dt = t1 - t0
    ln = lost_weeks(shock.node_severity, shock.node_duration, shock.node_ramp, t1)
    ln = ln - lost_weeks(shock.node_severity, shock.node_duration, shock.node_ramp, t0)
    a = np.clip(1.0 - ln / dt, 0.0, 1.0)
    if not shock.hit_links.size:
        return a, None
    ll = lost_weeks(shock.link_severity, shock.link_duration, shock.link_ramp, t1)
    ll = ll - lost_weeks(shock.link_severity, shock.link_duration, shock.link_ramp, t0)
    return a, np.clip(1.0 - ll / dt, 0.0, 1.0)


@dataclass(frozen=True, eq=False)
class PhasedSolution:
    """An optimal solution of the phased model.

    Attributes
    ----------
    total : TTRSolution
        Summed over the periods (units over the window); its duals are None.
    periods : list[TTRSolution]
        One per period (units over the period), with the period's duals.
    starts, ends : FloatArray [weeks]
    lost_units : FloatArray [units]   (K × final) lost in each period
    lost_margin : float [RUB]
    group_stock : FloatArray [units]  (K + 1 × groups) purchased stock on hand at each period end (row 0: start)
    """

    total: TTRSolution
    periods: list[TTRSolution]
    starts: FloatArray
    ends: FloatArray
    lost_units: FloatArray
    lost_margin: float
    group_stock: FloatArray


class PhasedTTR(TTRModel):
    """The TTR model over ``K`` periods of one window (see the module docstring).

    Parameters
    ----------
    network : Network
    periods : int
        ``K`` (the matrix depends only on it and on ``backlog``).
    backlog : float [fraction]
        Share of unmet demand that waits for later periods (0 = lost sales).

    Examples
    --------
    >>> m = PhasedTTR(net, 2)                       # doctest: +SKIP
    >>> m.set_shock(shock, 16.0)                    # periods at the shock's breakpoints  # doctest: +SKIP
    >>> m.solve_phased().lost_margin                # [RUB]  # doctest: +SKIP
    """

    def __init__(self, network: Network, periods: int = 1, backlog: float = 0.0) -> None:
        if not (isinstance(periods, int | np.integer) and 1 <= periods <= MAX_PERIODS):
            raise AnalysisError(f"periods must be an integer in 1..{MAX_PERIODS}, not {periods!r}")
        if not (np.isfinite(backlog) and 0.0 <= backlog <= 1.0):
            raise AnalysisError(f"backlog must be a fraction in [0, 1], not {backlog!r}")
        one = TTRModel(network)
        self.one = one
        self.network = network
        self.final = one.final
        self.gross_output = one.gross_output
        self.normal_need = one.normal_need
        self.margin_scale = one.margin_scale
        self._f_rate = one._f_rate
        self._pooled = one._pooled
        self._row_upper_fixed = one._row_upper_fixed
        self.K = K = int(periods)
        self.backlog = float(backlog)
        n, m, F = network.n_nodes, int(network.need.shape[0]), one.final.size
        self.C1, self.R1 = one.n_cols, one.n_rows
        self.with_backlog = self.backlog > 0 and K > 1
        cs0 = K * self.C1  # first stock column
        cb0 = cs0 + (K - 1) * (n + m)  # first backlog column
        self.n_cols = cb0 + ((K - 1) * F if self.with_backlog else 0)
        rb0 = K * self.R1  # first backlog row
        self.n_rows = rb0 + ((2 * K - 1) * F if self.with_backlog else 0)
        self._cs0, self._cb0, self._rb0 = cs0, cb0, rb0
        self.A = self._matrix()
        # slices of period 1 (``lp()`` and ``names()`` of the parent refer to them)
        self.col_p, self.col_f, self.col_y = one.col_p, one.col_f, one.col_y
        self.row_node, self.row_group, self.row_pool = one.row_node, one.row_group, one.row_pool
        self.cost = np.zeros(self.n_cols)
        self.cost[: K * self.C1] = np.tile(one.cost, K)
        self.shock: Shock | None = None
        self.t_weeks = 0.0
        self.ends = np.zeros(0)
        self._h: Any = None
        self._cold = True
        self._bases: dict[Any, Any] = {}
        self.col_lower = np.zeros(self.n_cols)
        self.row_lower = np.full(self.n_rows, -np.inf)
        self.col_upper = np.zeros(self.n_cols)
        self.row_upper = np.zeros(self.n_rows)
        self.offset = 0.0

    # ------------------------------------------------------------ structure

    def _cols(self, what: str, k: int) -> IntArray:
        """Column indices of block ``what`` (p, f, y, s, h, b) in period ``k`` (0-based)."""
        one = self.one
        n, m, F = self.network.n_nodes, int(self.network.need.shape[0]), self.final.size
        if what in ("p", "f", "y"):
            sl = {"p": one.col_p, "f": one.col_f, "y": one.col_y}[what]
            return k * self.C1 + np.arange(sl.start, sl.stop)
        if what == "s":
            return self._cs0 + k * (n + m) + np.arange(n)
        if what == "h":
            return self._cs0 + k * (n + m) + n + np.arange(m)
        return self._cb0 + k * F + np.arange(F)

    def _matrix(self) -> sp.csr_matrix:
        K, one, net = self.K, self.one, self.network
        n, m, F = net.n_nodes, int(net.need.shape[0]), self.final.size
        parts = [sp.block_diag([one.A] * K, format="coo")]
        coo = parts[0]
        rows, cols, vals = [coo.row], [coo.col], [coo.data]
        for k in range(K - 1):  # stock left at the end of period k: +1 in period k, −1 in period k+1
            for what, r0, size in (("s", 0, n), ("h", n, m)):
                c = self._cols(what, k)
                rows += [k * self.R1 + r0 + np.arange(size), (k + 1) * self.R1 + r0 + np.arange(size)]
                cols += [c, c]
                vals += [np.ones(size), -np.ones(size)]
        if self.with_backlog:
            beta = self.backlog
            for k in range(K):
                ra = self._rb0 + k * F + np.arange(F)
                rows.append(ra)
                cols.append(self._cols("y", k))
                vals.append(np.ones(F))
                if k < K - 1:
                    rb = self._rb0 + K * F + k * F + np.arange(F)
                    rows += [rb, ra, rb]
                    cols += [self._cols("y", k), self._cols("b", k), self._cols("b", k)]
                    vals += [np.full(F, beta), np.ones(F), np.ones(F)]
                if k > 0:
                    prev = self._cols("b", k - 1)
                    rows.append(ra)
                    cols.append(prev)
                    vals.append(-np.ones(F))
                    if k < K - 1:
                        rows.append(self._rb0 + K * F + k * F + np.arange(F))
                        cols.append(prev)
                        vals.append(-np.ones(F))
        A = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(self.n_rows, self.n_cols)
        )
        A.sum_duplicates()
        A.eliminate_zeros()
        return A

    # ------------------------------------------------------------ bounds

    def set_shock(self, shock: Shock | None, t_weeks: float | None = None, ends: FloatArray | None = None) -> None:
        """Shock, window and period ends (default: the shock's breakpoints in the window); only bounds change."""
        t = float(t_weeks if t_weeks is not None else (shock.window if shock is not None else self.t_weeks))
        e = period_ends(shock, t) if ends is None else np.asarray(ends, dtype=np.float64)
        if e.size != self.K:
            raise AnalysisError(f"the window splits into {e.size} periods; this model has {self.K}")
        if np.any(np.diff(np.r_[0.0, e]) <= 0) or e[-1] != t:
            raise AnalysisError(f"period ends must rise from above 0 to the window ({t:g} weeks): {e.tolist()}")
        self.ends = e
        self._apply(*self.bounds(shock, t))
        self.shock, self.t_weeks = shock, t

    def bounds(self, shock: Shock | None, t_weeks: float) -> tuple[FloatArray, FloatArray, float]:
        """Bounds of every period (for :attr:`ends`), stock rows, backlog rows (pure)."""
        net, one, K = self.network, self.one, self.K
        starts = np.r_[0.0, self.ends[:-1]]
        col_upper = np.full(self.n_cols, np.inf)
        row_upper = np.zeros(self.n_rows)
        offset = 0.0
        dem = np.zeros((K, self.final.size))
        for k in range(K):
            a, la = period_available(shock, net.n_nodes, net.n_links, float(starts[k]), float(self.ends[k]))
            cu, ru, off = one.bounds_from(a, la, (self.ends[k] - starts[k]) / WEEKS_PER_YEAR)
            col_upper[k * self.C1 : (k + 1) * self.C1] = cu
            if k > 0:  # stock is on hand once, at the start
                ru = ru.copy()
                ru[one.row_node] = 0.0
                ru[one.row_group] = 0.0
            row_upper[k * self.R1 : (k + 1) * self.R1] = ru
            offset += off
            dem[k] = cu[one.col_y]
        if self.with_backlog:
            F = self.final.size
            for k in range(K):
                col_upper[self._cols("y", k)] = dem[: k + 1].sum(axis=0)
                row_upper[self._rb0 + k * F : self._rb0 + (k + 1) * F] = dem[k]
                if k < K - 1:
                    row_upper[self._rb0 + (K + k) * F : self._rb0 + (K + k + 1) * F] = self.backlog * dem[k]
        return col_upper, row_upper, offset

    # ------------------------------------------------------------ solve

    def solve(self, *, values: bool = True) -> TTRSolution:
        """Solve and return the totals over the window (see :meth:`solve_phased` for the periods)."""
        if not values:
            h = self._run()
            lost = self.offset + self.margin_scale * float(h.getInfo().objective_function_value)
            dem = self.network.demand[self.final] * self.t_weeks / WEEKS_PER_YEAR
            nan = np.full(self.final.size, np.nan)
            return TTRSolution(self.t_weeks, lost, dem, nan, self.final, self.network.n_nodes)
        return self.solve_phased().total

    def solve_phased(self) -> PhasedSolution:
        """Solve for the current shock, window and periods (warm from the last basis)."""
        h = self._run()
        net, one, K = self.network, self.one, self.K
        lost = self.offset + self.margin_scale * float(h.getInfo().objective_function_value)
        sol = h.getSolution()
        z = np.asarray(sol.col_value, dtype=np.float64)
        rd = np.asarray(sol.row_dual, dtype=np.float64) * self.margin_scale
        cd = np.asarray(sol.col_dual, dtype=np.float64) * self.margin_scale
        starts = np.r_[0.0, self.ends[:-1]]
        per: list[TTRSolution] = []
        lost_units = np.zeros((K, self.final.size))
        for k in range(K):
            c0, r0 = k * self.C1, k * self.R1
            zk = z[c0 : c0 + self.C1]
            dem = self.col_upper[c0 : c0 + self.C1][one.col_y] if not self.with_backlog else None
            d_k = net.demand[self.final] * (self.ends[k] - starts[k]) / WEEKS_PER_YEAR if dem is None else dem
            y = np.clip(zk[one.col_y], 0.0, None)
            b_prev = z[self._cols("b", k - 1)] if self.with_backlog and k > 0 else 0.0
            b_now = z[self._cols("b", k)] if self.with_backlog and k < K - 1 else 0.0
            lost_units[k] = np.maximum(d_k + b_prev - y - b_now, 0.0)
            lm = float(np.sum(net.margin[self.final] * lost_units[k]))
            per.append(
                TTRSolution(
                    float(self.ends[k] - starts[k]),
                    lm,
                    d_k,
                    y,
                    self.final,
                    net.n_nodes,
                    zk[one.col_p],
                    zk[one.col_f],
                    rd[r0 : r0 + self.R1],
                    cd[c0 : c0 + self.C1],
                )
            )
        total = TTRSolution(
            self.t_weeks,
            lost,
            sum((s.demand for s in per), start=np.zeros(self.final.size)),
            sum((s.delivered for s in per), start=np.zeros(self.final.size)),
            self.final,
            net.n_nodes,
            sum((s.p for s in per if s.p is not None), start=np.zeros(net.n_nodes)),
            sum((s.f for s in per if s.f is not None), start=np.zeros(net.n_links)),
        )
        h = [net.group_stock] + [z[self._cols("h", k)] for k in range(K - 1)] + [np.zeros(net.group_stock.size)]
        return PhasedSolution(total, per, starts, self.ends.copy(), lost_units, lost, np.vstack(h))

    def names(self) -> tuple[list[str], list[str]]:
        """Readable column and row names, ``@k`` for period k (1-based)."""
        c1, r1 = self.one.names()
        cols = [f"{c}@{k + 1}" for k in range(self.K) for c in c1]
        rows = [f"{r}@{k + 1}" for k in range(self.K) for r in r1]
        net = self.network
        for k in range(self.K - 1):
            cols += [f"stock[{net.node_label(j)}]@{k + 1}" for j in range(net.n_nodes)]
            cols += [f"stock[group {g}]@{k + 1}" for g in range(int(net.need.shape[0]))]
        if self.with_backlog:
            cols += [f"backlog[{net.node_label(int(j))}]@{k + 1}" for k in range(self.K - 1) for j in self.final]
            rows += [f"serve[{net.node_label(int(j))}]@{k + 1}" for k in range(self.K) for j in self.final]
            rows += [f"wait[{net.node_label(int(j))}]@{k + 1}" for k in range(self.K - 1) for j in self.final]
        return cols, rows

    def slope(self, sol: TTRSolution) -> float:
        raise AnalysisError("the phased model has no slope in t; time to survive uses the one-window model")

    def _what(self) -> str:
        return f"{super()._what()}, {self.K} period(s)"


_PHASED: weakref.WeakKeyDictionary[Network, dict[tuple[int, float], PhasedTTR]] = weakref.WeakKeyDictionary()


def shared_phased(network: Network, periods: int, backlog: float = 0.0) -> PhasedTTR:
    """One cached :class:`PhasedTTR` per network, period count and backlog, per process."""
    cache = _PHASED.setdefault(network, {})
    key = (int(periods), float(backlog))
    m = cache.get(key)
    if m is None:
        m = cache[key] = PhasedTTR(network, *key)
    return m


def solve_shock(
    network: Network, shock: Shock | None, t_weeks: float, backlog: float = 0.0, ends: FloatArray | None = None
) -> tuple[PhasedTTR, PhasedSolution, PhasedSolution]:
    """The phased model of ``shock`` over ``t_weeks``: the model, the shocked and the baseline solutions.

    The baseline (no shock) is solved over the same periods; both cold, on a fresh model.
    """
    e = period_ends(shock, t_weeks) if ends is None else np.asarray(ends, dtype=np.float64)
    model = PhasedTTR(network, int(e.size), backlog)
    model.set_shock(None, t_weeks, e)
    base = model.solve_phased()
    model.set_shock(shock, t_weeks, e)
    sol = model.solve_phased()
    return model, sol, base
