"""Fast propagation of disruptions without re-routing, and Monte Carlo loss distributions.

Propagation (DESIGN.md, "Fast propagation")
--------------------------------------------
A *reference plan* over a window of ``t`` weeks gives, for every node j, its
production ``X_j`` and outflow ``O_j = Σ_{e from j} F_e + Y_j`` (shipments on
links plus final delivery), for every link its flow ``F_e``, and for every
procurement group g its use ``U_g = Σ_j need[g, j] X_j`` [all in units over
the window].  Two reference plans are available:

* ``Plan.from_shares``: the plan of DESIGN.md, gross output ``x = A x + d``
  scaled to the window (``X = x t/52``, ``F_e = σ_e (need x)_g t/52``,
  ``Y = d t/52``), so the supply fractions below are the shares ``σ``;
* ``Plan.from_flows``: an optimal plan of the undisrupted TTR linear
  programme (:mod:`importsub.analysis.disruption`) over the same window.

Given the available fraction ``a_j`` of every node's capacity over the
window (a shock), propagation walks the nodes in topological order
(suppliers first, a whole level at a time, vectorised over scenarios):

``c_j = min(1, cap_j a_j t/52 / X_j, c_pool(j))``            capacity fraction
``γ_g = min(1, (Σ_{e∈g} β_{i(e)} F_e + stock_g) / U_g)``     input fraction of group g
``α_j = min(c_j, min_{g input of j} γ_g)``                  production fraction
``β_j = min(1, (α_j X_j + stock_j) / O_j)``                 delivered fraction

where ``c_pool = min(1, pool_cap · max_{j∈pool} a_j · t/52 / Σ_{j∈pool} X_j)``.
A cut link delivers at most ``a_e cap_{i(e)} t/52``.  Final node j delivers
``β_j Y_j``; the loss beyond the reference plan is ``Σ_j margin_j (1 − β_j) Y_j`` [RUB].

**Upper bound.**  The propagated plan (``p = α X``, ``f_e = β_{i(e)} F_e``,
``y = β Y``) satisfies every constraint of the TTR model under the same
shock (production ≤ capacity and pools; each group's use ≤ its deliveries +
stock; each node's outflow ≤ production + stock; non-qualified links within
their normal share).  It is feasible but does not re-route, so its loss is
an **upper bound on the LP's loss**: ``loss_propagation ≥ loss_LP``.  With the
LP baseline as reference plan, the extra loss of propagation is also an upper
bound on the LP's performance impact (``PI``), which is what screening and
Monte Carlo rely on.  Zero extra loss in propagation therefore proves zero
LP impact.

Monte Carlo
-----------
:func:`montecarlo` draws scenarios (each country disrupted with its own
probability, each site with its probability; severity and duration drawn
uniformly) and propagates them in chunks of scenarios, float32 by default
(float64 on request).  Scenario ``s`` is drawn from the random stream of its
block ``s // RNG_BLOCK``, ``default_rng(SeedSequence(seed, spawn_key=(block,)))``,
and propagation treats every scenario (a column) on its own, in the same
order of operations whatever the number of columns, so results are
identical whatever the chunk size and however chunks are spread over
workers.  The kernel is described in :class:`Propagator`; its memory is
bounded by the chunk (``CHUNK_BUDGET``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp

from importsub.analysis.demand import gross_output, node_frame
from importsub.analysis.result import Result, fingerprint
from importsub.analysis.ttr import ZERO_TOLERANCE, TTRModel
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.compile.shock import WEEKS_PER_YEAR
from importsub.model.errors import AnalysisError

Progress = Callable[[int, int], None]

try:  # ``out += W @ X`` without allocating the result (the routine behind scipy's own ``W @ X``)
    from scipy.sparse._sparsetools import csr_matvecs as _csr_matvecs
except ImportError:  # pragma: no cover - a scipy without it: fall back to ``W @ X``
    _csr_matvecs = None


def _spmm_add(W: sp.csr_matrix, X: npt.NDArray[Any], out: npt.NDArray[Any]) -> None:
    """``out += W @ X`` for CSR ``W`` and C-contiguous ``X``, ``out`` of one float type."""
    if (
        _csr_matvecs is not None
        and W.dtype == X.dtype == out.dtype
        and X.flags.c_contiguous
        and out.flags.c_contiguous
        and W.indices.dtype == W.indptr.dtype
    ):
        _csr_matvecs(W.shape[0], W.shape[1], X.shape[1], W.indptr, W.indices, W.data, X.ravel(), out.ravel())
    else:
        out += W @ X


# ====================================================================== plans


@dataclass(frozen=True, eq=False)
class Plan:
    """A reference plan over a window of ``t_weeks`` (see module docstring).

    Attributes
    ----------
    t_weeks : float [weeks]
    X : production per node [units over the window]
    O : outflow per node, shipments + final delivery [units]
    F : flow per link [units]
    U : use per procurement group, ``need · X`` [units]
    Y : final delivery per node, 0 where no demand [units]
    lost_margin : margin not delivered by the plan itself, ``Σ margin (d t/52 − Y)`` [RUB]
    """

    t_weeks: float
    X: FloatArray
    O: FloatArray  # noqa: E741 - the outflow of the docstring's algebra
    F: FloatArray
    U: FloatArray
    Y: FloatArray
    lost_margin: float

    @classmethod
    def from_shares(cls, net: Network, t_weeks: float) -> Plan:
        """DESIGN.md's plan: gross output ``x = A x + d`` over the window, flows by share ``σ``.

        It may exceed capacity (a short network); propagation then scales it
        down, so the propagated plan is still feasible.
        """
        tau = float(t_weeks) / WEEKS_PER_YEAR
        x = gross_output(net)
        U = np.asarray(net.need @ x, dtype=np.float64) * tau
        F = net.link_share * U[net.link_group]
        Y = net.demand * tau
        X = x * tau
        return cls(float(t_weeks), X, X.copy(), F, U, Y, 0.0)

    @classmethod
    def from_flows(
        cls, net: Network, t_weeks: float, p: FloatArray, f: FloatArray, y: FloatArray, lost_margin: float
    ) -> Plan:
        """A plan from production ``p`` (per node), flows ``f`` (per link) and final delivery ``y`` (per node)."""
        p = np.maximum(np.asarray(p, dtype=np.float64), 0.0)
        f = np.maximum(np.asarray(f, dtype=np.float64), 0.0)
        y = np.maximum(np.asarray(y, dtype=np.float64), 0.0)
        out = np.bincount(net.link_supplier, weights=f, minlength=net.n_nodes) + y
        U = np.asarray(net.need @ p, dtype=np.float64)
        return cls(float(t_weeks), p, out, f, U, y, float(lost_margin))


# ====================================================================== propagation


@dataclass(eq=False)
class _Level:
    """One topological level in the kernel's layout (see :class:`Propagator`)."""

    start: int  # first row of the level in ``B`` (row 0 is unused)
    stop: int
    #: (pair rows × start) weights ``ŵ_e`` of every (node, input group) pair, slot by slot
    W: sp.csr_matrix | None
    #: the pairs' constants ``ĉ`` (stock and constant suppliers)
    const: FloatArray
    #: per input slot k: (first pair row, number of nodes with a k-th input group) — a prefix of the level
    slots: list[tuple[int, int]]
    #: cut links read by the level: (pair rows × cut) weights, supplier rows, threshold in u-units
    C: sp.csr_matrix | None = None
    cut_rows: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cut_ratio: FloatArray = field(default_factory=lambda: np.zeros(0))

    @property
    def pair_rows(self) -> int:
        return 0 if self.W is None else int(self.W.shape[0])


@dataclass(eq=False)
class _Kernel:
    """The layout's arrays in one float type (float32 halves the bytes streamed)."""

    t: npt.NDArray[Any]  # (n, 1) u-value of an unconstrained node
    k: npt.NDArray[Any]  # (n, 1) β = k u + s
    s: npt.NDArray[Any]  # (n, 1)
    pool_ratio: npt.NDArray[Any]  # (pools, 1)
    pool_q: npt.NDArray[Any]  # (pool members, 1) xr / k of each member
    levels: list[_Level]


def _segments(starts: IntArray, counts: IntArray) -> IntArray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])`` without a Python loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    offs = np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)
    return np.repeat(np.asarray(starts, dtype=np.int64), counts) + offs


def _prefix_slots(order_counts: IntArray) -> list[int]:
    """For counts sorted in descending order: ``m_k`` = how many have more than ``k`` items, k = 0, 1, …."""
    if order_counts.size == 0 or int(order_counts[0]) == 0:
        return []
    return [int(np.count_nonzero(order_counts > k)) for k in range(int(order_counts[0]))]


def _as_column(x: FloatArray, dtype: Any) -> npt.NDArray[Any]:
    """``x`` as an (n, 1) column of ``dtype``, clipped to the type's finite range (no inf · 0)."""
    big = float(np.finfo(dtype).max)
    return np.clip(np.asarray(x, dtype=np.float64), -big, big).astype(dtype)[:, None]


class Propagator:
    """Propagation of node availabilities through one network and reference plan.

    Build once per (network, plan); :meth:`run` then propagates any number of
    scenarios (columns).  See the module docstring for the recursion.

    Kernel
    ------
    With ``xr = X/O``, ``s = min(1, stock/O)`` and ``k = cap τ/O`` (where
    ``O > 0`` and ``X > 0``; else ``k = 0``), and because ``c ≤ 1`` and
    ``xr ≥ 0``, the recursion is ``β_j = min(1, α_j xr_j + s_j) = k_j u_j + s_j``
    with the state

    ``u_j = min(a_j, t_j, c_pool(j) xr_j/k_j, min_{g input of j} Ĝ_g)``,
    ``t_j = min(1 − s_j, xr_j) / k_j``,
    ``Ĝ_g = Σ_{e∈g} ŵ_e u_i(e) + ĉ_g``, ``ŵ_e = xr_j F_e k_i / (k_j U_g)``,
    ``ĉ_g = [min(1 − s_j, xr_j stock_g/U_g) + Σ_{e∈g} xr_j F_e s_i / U_g] / k_j``

    (the ``min(1, …)`` of ``c`` and ``γ`` are implied by ``t``; a cut link
    subtracts ``ŵ_e max(0, u_i − (r_e − s_i)/k_i)``).  A node with ``k_j = 0``
    (nothing planned or nothing shipped) has the constant ``β_j = s_j``
    (``u_j = 0``); a group with ``U_g = 0`` limits nothing.  All per-node
    scalings live in ``ŵ`` and ``ĉ``: the only per-node pass is ``min(a, t)``.

    Layout: scenarios are the contiguous axis of one matrix ``B`` of
    ``(1 + n) × S`` (float32 or float64; row 0 unused).  Rows ``1 … n`` are
    the nodes level by level (``net.levels``), within a level by decreasing
    number of input groups, so that the nodes with a ``k``-th input group
    are a *prefix* of the level.  Every (node, input group) pair of a level
    is a row of the level's sparse matrix ``W``, slot by slot (first input
    group of every node, then the second …).  A level costs one constant
    fill and one sparse × dense product (``W @ B[:start]``, each link reads
    its supplier's row of ``S`` values once) into a reused buffer, then one
    ``np.minimum`` per input slot on contiguous row ranges.  No Python loop
    over nodes or links; float32 or float64 alike, each scenario (column) is
    computed alone in a fixed order of operations, so results do not depend
    on which or how many scenarios share a call.

    Parameters
    ----------
    net : Network
    plan : Plan
    link_available : array, optional
        Available fraction of every link over the window (cut routes), the
        same in every scenario; default: no link cut.
    """

    def __init__(self, net: Network, plan: Plan, link_available: FloatArray | None = None) -> None:
        self.net = net
        self.plan = plan
        n = net.n_nodes
        tau = plan.t_weeks / WEEKS_PER_YEAR
        self.tau = tau
        X, O = plan.X, plan.O  # noqa: E741
        pos_O = O > 0
        safe_O = np.where(pos_O, O, 1.0)
        xr = np.where(pos_O, X / safe_O, 0.0)
        s = np.where(pos_O, np.minimum(1.0, net.stock / safe_O), 1.0)
        kk = np.where(pos_O & (X > 0), net.capacity * tau / safe_O, 0.0)
        active = kk > 0
        safe_k = np.where(active, kk, 1.0)
        t = np.where(active, np.minimum(1.0 - s, xr) / safe_k, 0.0)
        self._k, self._s, self._t = kk, s, t
        # ---- pairs (node j, input group g) that can bind: j active, U_g > 0
        U = plan.U
        pos_U = U > 0
        inv_U = np.where(pos_U, 1.0 / np.where(pos_U, U, 1.0), 0.0)
        NT = net.need.T.tocsr()  # n × m: input groups of each node
        NT.sort_indices()
        pair_node = np.repeat(np.arange(n), np.diff(NT.indptr))
        pair_group = NT.indices.astype(np.int64)
        binds = active[pair_node] & pos_U[pair_group]
        pair_node, pair_group = pair_node[binds], pair_group[binds]
        n_in = np.bincount(pair_node, minlength=n)
        p_first = np.searchsorted(pair_node, np.arange(n))  # pairs are sorted by node
        # ---- node order: level by level, within a level by decreasing number of binding input groups
        parts = [np.asarray(lv, dtype=np.int64) for lv in net.levels]
        parts = [lv[np.argsort(-n_in[lv], kind="stable")] for lv in parts]
        self.order: IntArray = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        #: row of each node in the layout matrix ``B`` (row 0 is unused)
        self.row: IntArray = np.empty(n, dtype=np.int64)
        self.row[self.order] = np.arange(1, n + 1)
        # ---- pools by decreasing size; members slot by slot (k-th member of every pool with more than k)
        pooled = np.flatnonzero(net.pool >= 0)
        pools, pool_inv, counts = np.unique(net.pool[pooled], return_inverse=True, return_counts=True)
        by_size = np.argsort(-counts, kind="stable")
        rank = np.empty(pools.size, dtype=np.int64)
        rank[by_size] = np.arange(pools.size)
        pos_of_member = rank[pool_inv]
        o = np.lexsort((pooled, pos_of_member))
        members, member_pos = pooled[o], pos_of_member[o]
        first = np.searchsorted(member_pos, np.arange(pools.size))
        self._pool_slots: list[IntArray] = [
            self.row[members[first[:m] + k]] for k, m in enumerate(_prefix_slots(counts[by_size]))
        ]
        self._pool_member_rows: IntArray = self.row[members]
        self._pool_of_member: IntArray = member_pos
        self._pool_q = np.where(active[members], xr[members] / safe_k[members], 0.0)
        if pools.size:
            sumX = np.add.reduceat(X[members], first)
            cap_pool = net.pool_capacity[pools[by_size]] * tau
            # a pool with nothing planned limits nothing (its members have k = 0)
            self._pool_ratio = np.where(sumX > 0, cap_pool / np.where(sumX > 0, sumX, 1.0), 0.0)
        else:
            self._pool_ratio = np.zeros(0)
        # ---- cut links
        la = None if link_available is None else np.asarray(link_available, dtype=np.float64)
        cut = np.zeros(0, dtype=np.int64) if la is None else np.flatnonzero((la < 1.0) & (plan.F > 0))
        cut_ratio = np.full(net.n_links, np.inf)  # β above which a cut link delivers no more
        if cut.size:
            assert la is not None
            cut_ratio[cut] = la[cut] * net.capacity[net.link_supplier[cut]] * tau / plan.F[cut]
        # ---- levels: one pair row per binding (node, input group), slot by slot
        links_by_group = np.argsort(net.link_group, kind="stable")
        gstart = np.searchsorted(net.link_group[links_by_group], np.arange(net.need.shape[0] + 1))
        self.levels: list[_Level] = []
        start = 1
        for nodes in parts:
            stop = start + nodes.size
            ms = _prefix_slots(n_in[nodes])
            if not ms:
                self.levels.append(_Level(start, stop, None, np.zeros(0), []))
                start = stop
                continue
            # pair row r ↔ (node of the level, slot k): the rows of slot k are the level's first m_k nodes
            slot_of = np.concatenate([np.full(m, k, dtype=np.int64) for k, m in enumerate(ms)])
            node_of = np.concatenate([nodes[:m] for m in ms])
            group_of = pair_group[p_first[node_of] + slot_of]
            rows = np.arange(node_of.size, dtype=np.int64)
            # expand pairs → their groups' links
            nl = gstart[group_of + 1] - gstart[group_of]
            links = links_by_group[_segments(gstart[group_of], nl)]
            lrow, lnode = np.repeat(rows, nl), np.repeat(node_of, nl)
            sup = net.link_supplier[links]
            base = xr[lnode] * plan.F[links] * inv_U[net.link_group[links]] / safe_k[lnode]  # xr_j F_e / (k_j U_g)
            # the constant part of what each link delivers: s_i (k_i u_i is in W; a cut is corrected below),
            # or all of a constant supplier's β_i = s_i, capped by the cut
            beta_cut = np.where(active[sup], s[sup], np.minimum(s[sup], cut_ratio[links]))
            w = np.where(active[sup], base * kk[sup], 0.0)
            const = np.minimum(1.0 - s[node_of], xr[node_of] * net.group_stock[group_of] * inv_U[group_of])
            const = const / safe_k[node_of] + np.bincount(lrow, weights=base * beta_cut, minlength=rows.size)
            keep = w != 0
            W = sp.csr_matrix((w[keep], (lrow[keep], self.row[sup[keep]])), shape=(rows.size, start))
            W.sum_duplicates()
            W.sort_indices()
            slots = [(int(a), m) for a, m in zip(np.r_[0, np.cumsum(ms)[:-1]], ms, strict=True)]
            lvl = _Level(start, stop, W, const, slots)
            c_here = keep & np.isfinite(cut_ratio[links])
            if c_here.any():
                ce = links[c_here]
                uniq, col = np.unique(ce, return_inverse=True)
                lvl.C = sp.csr_matrix((w[c_here], (lrow[c_here], col)), shape=(rows.size, uniq.size))
                su = net.link_supplier[uniq]
                lvl.cut_rows = self.row[su]
                lvl.cut_ratio = (cut_ratio[uniq] - s[su]) / safe_k[su]  # the cut in u-units of the supplier
            self.levels.append(lvl)
            start = stop
        self._kernels: dict[Any, _Kernel] = {}
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_kernels"] = {}
        del state["_local"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    # ------------------------------------------------------------ kernel

    def kernel(self, dtype: Any) -> _Kernel:
        """The layout's arrays in ``dtype`` (cached)."""
        dt = np.dtype(dtype)
        k = self._kernels.get(dt)
        if k is None:
            levels = [
                _Level(
                    lv.start,
                    lv.stop,
                    None if lv.W is None else lv.W.astype(dt),
                    _as_column(lv.const, dt),
                    lv.slots,
                    None if lv.C is None else lv.C.astype(dt),
                    lv.cut_rows,
                    _as_column(lv.cut_ratio, dt),
                )
                for lv in self.levels
            ]
            k = _Kernel(
                t=_as_column(self._t[self.order], dt),
                k=_as_column(self._k[self.order], dt),
                s=_as_column(self._s[self.order], dt),
                pool_ratio=_as_column(self._pool_ratio, dt),
                pool_q=_as_column(self._pool_q, dt),
                levels=levels,
            )
            self._kernels[dt] = k
        return k

    def _workspace(self, dtype: Any, scenarios: int) -> npt.NDArray[Any]:
        """This thread's (largest pair rows × scenarios) buffer, kept between calls (no page faults per chunk)."""
        rows = max((lv.pair_rows for lv in self.levels), default=0)
        buf = getattr(self._local, "buf", None)
        if buf is None or buf.dtype != dtype or buf.shape != (rows, scenarios):
            buf = np.empty((rows, scenarios), dtype=dtype)
            self._local.buf = buf
        return buf

    def new_state(self, scenarios: int, dtype: Any = np.float32) -> npt.NDArray[Any]:
        """An uninitialised layout matrix ``B`` ((1 + n) × scenarios)."""
        return np.empty((self.net.n_nodes + 1, scenarios), dtype=dtype)

    def run_layout(self, B: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Propagate in place: ``B[1:]`` holds availabilities ``a`` (layout order) on entry, ``u`` on return.

        ``B`` is C-contiguous, float32 or float64 (see :meth:`new_state`);
        the delivered fraction is ``β = k u + s`` (:meth:`beta_rows`).
        Returns ``B``.
        """
        k = self.kernel(B.dtype)
        one = B.dtype.type(1.0)
        # the pools' capacity fraction from the raw availabilities: min(1, ratio · max_{member} a)
        term = None
        if self._pool_slots:
            ap = B[self._pool_slots[0]]
            for rows in self._pool_slots[1:]:
                np.maximum(ap[: rows.size], B[rows], out=ap[: rows.size])
            np.multiply(ap, k.pool_ratio, out=ap)
            np.minimum(ap, one, out=ap)
            term = ap[self._pool_of_member]
            term *= k.pool_q
        A = B[1:]
        np.minimum(A, k.t, out=A)
        if term is not None:
            members = self._pool_member_rows
            B[members] = np.minimum(B[members], term)
        work = self._workspace(B.dtype, B.shape[1])
        for lv in k.levels:
            if lv.W is None:
                continue
            # every binding input group's bound on each node of the level, pair row by pair row
            G = work[: lv.pair_rows]
            np.copyto(G, lv.const)
            _spmm_add(lv.W, B[: lv.start], G)
            if lv.C is not None:
                E = B[lv.cut_rows]
                np.subtract(E, lv.cut_ratio, out=E)
                np.maximum(E, 0, out=E)
                G -= lv.C @ E
            bl = B[lv.start : lv.stop]
            for r0, m in lv.slots:
                np.minimum(bl[:m], G[r0 : r0 + m], out=bl[:m])
        return B

    def beta_rows(self, B: npt.NDArray[Any], rows: IntArray) -> npt.NDArray[Any]:
        """``β = k u + s`` of some rows of a propagated state (len(rows) × S), in ``B``'s float type."""
        k = self.kernel(B.dtype)
        out: npt.NDArray[Any] = B[rows]
        out *= k.k[rows - 1]
        out += k.s[rows - 1]
        return out

    def traffic(self, scenarios: int, dtype: Any = np.float32) -> dict[str, float]:
        """Bytes one :meth:`run_layout` call of ``scenarios`` columns moves, counted pass by pass.

        Every numpy pass counts the rows it reads and writes (``S`` values
        each); the sparse product counts, per stored entry, its value, its
        column index and the supplier row it reads, and the pair rows it
        reads and writes.  ``footprint`` is the bytes of the state ``B`` plus
        the largest level's pair rows (the working set of one chunk).
        """
        isz = np.dtype(dtype).itemsize
        S = scenarios
        n = self.net.n_nodes
        rows = 2 * n  # min(a, t)
        meta = n * isz
        if self._pool_slots:
            p = self._pool_slots[0].size
            rows += 2 * p + sum(5 * r.size for r in self._pool_slots[1:]) + 4 * p  # gather, max, ×ratio, min 1
            m = self._pool_member_rows.size
            rows += 2 * m + 2 * m + 7 * m  # term: gather, ×q; members: gather, min, scatter
        for lv in self.levels:
            if lv.W is None:
                continue
            P = lv.pair_rows
            rows += P + lv.W.nnz + 2 * P  # constants written; supplier rows read; pair rows accumulated
            meta += lv.W.nnz * (isz + lv.W.indices.dtype.itemsize) + (P + 1) * lv.W.indptr.dtype.itemsize + P * isz
            rows += sum(3 * m for _, m in lv.slots)
            if lv.C is not None:
                rows += 6 * lv.cut_rows.size + lv.C.nnz + 5 * P
        largest = max((lv.pair_rows for lv in self.levels), default=0)
        return {
            "bytes": float(rows * S * isz + meta),
            "footprint": float((n + 1 + largest) * S * isz),
        }

    # ------------------------------------------------------------ node order interface

    def run(self, available: npt.NDArray[Any], dtype: type = np.float64) -> npt.NDArray[Any]:
        """Delivered fraction ``β`` (n × S) for node availabilities ``available`` (n × S) [fractions]."""
        a = np.asarray(available)
        if a.ndim == 1:
            a = a[:, None]
        B = self.new_state(a.shape[1], dtype)
        np.take(a.astype(dtype, copy=False), self.order, axis=0, out=B[1:], mode="clip")
        self.run_layout(B)
        return self.beta_rows(B, self.row)

    def extra_loss(self, beta: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Margin lost beyond the reference plan per final node (F × S) [RUB]: ``margin (1 − β) Y``."""
        fin = self.final
        w = (self.net.margin[fin] * self.plan.Y[fin]).astype(beta.dtype)
        return (1 - beta[fin]) * w[:, None]

    @property
    def final(self) -> IntArray:
        """Nodes with final delivery in the plan."""
        return np.flatnonzero(self.plan.Y > 0)


def propagate(
    net: Network,
    available: FloatArray,
    t_weeks: float,
    plan: Plan | None = None,
    link_available: FloatArray | None = None,
) -> FloatArray:
    """Delivered fraction ``β`` of every node under availabilities ``available`` (n or n × S).

    Parameters
    ----------
    net : Network
    available : array [fraction]
        ``a_j`` per node (one column per scenario).
    t_weeks : float [weeks]
        Window.
    plan : Plan, optional
        Reference plan (default :meth:`Plan.from_shares`).
    link_available : array, optional
        Available fraction of each link (cut routes).

    Returns
    -------
    numpy.ndarray
        ``β`` with the shape of ``available`` [fraction].

    Examples
    --------
    >>> # one supplier at half capacity over the whole window feeds one car plant:
    >>> # see tests/test_montecarlo.py for worked cases
    """
    p = plan if plan is not None else Plan.from_shares(net, t_weeks)
    beta = Propagator(net, p, link_available).run(np.asarray(available, dtype=np.float64))
    return beta.reshape(np.shape(available)) if np.ndim(available) == 1 else beta


def capacity_fraction(net: Network, plan: Plan, available: FloatArray) -> FloatArray:
    """``c_j = min(1, a_j cap_j τ / X_j, c_pool(j))`` per node (1 where nothing is planned) [fraction]."""
    tau = plan.t_weeks / WEEKS_PER_YEAR
    a = np.asarray(available, dtype=np.float64)
    X = plan.X
    c = np.where(X > 0, np.minimum(1.0, a * net.capacity * tau / np.where(X > 0, X, 1.0)), 1.0)
    pooled = np.flatnonzero(net.pool >= 0)
    if pooled.size:
        members = pooled[np.argsort(net.pool[pooled], kind="stable")]
        pid = net.pool[members]
        first = np.flatnonzero(np.r_[True, pid[1:] != pid[:-1]])
        sx = np.add.reduceat(X[members], first)
        amax = np.maximum.reduceat(a[members], first)
        cap = net.pool_capacity[pid[first]] * tau
        cp = np.where(sx > 0, np.minimum(1.0, amax * cap / np.where(sx > 0, sx, 1.0)), 1.0)
        c[members] = np.minimum(c[members], np.repeat(cp, np.diff(np.r_[first, members.size])))
    return c


def propagated_flows(
    net: Network, plan: Plan, beta: FloatArray, available: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The propagated plan (one scenario): production ``p = α X``, flows ``f = β_i F`` and delivery ``y = β Y``.

    Used by tests to check that the plan is feasible in the TTR model.
    ``α_j = min(c_j, min_{g input of j} γ_g)`` is recomputed from ``β``
    (``γ_g = min(1, (Σ_{e∈g} β_i(e) F_e + stock_g) / U_g)``, 1 where ``U_g = 0``).
    """
    b = np.asarray(beta, dtype=np.float64).reshape(-1)
    supply = np.bincount(net.link_group, weights=plan.F * b[net.link_supplier], minlength=net.need.shape[0])
    U = plan.U
    gamma = np.where(U > 0, np.minimum(1.0, (supply + net.group_stock) / np.where(U > 0, U, 1.0)), 1.0)
    alpha = capacity_fraction(net, plan, available)
    NT = net.need.T.tocsr()
    has = np.flatnonzero(np.diff(NT.indptr) > 0)
    if has.size:
        lim = np.minimum.reduceat(gamma[NT.indices], NT.indptr[:-1][has])
        alpha[has] = np.minimum(alpha[has], lim)
    p = alpha * plan.X
    f = b[net.link_supplier] * plan.F
    y = b * plan.Y
    return p, f, y


# ====================================================================== Monte Carlo

RNG_BLOCK = 64
"""Scenarios drawn from one random stream: scenario ``s`` belongs to block ``s // RNG_BLOCK``, whose
stream is ``default_rng(SeedSequence(seed, spawn_key=(block,)))``; results do not depend on the chunk
size or the number of workers."""

CHUNK_BUDGET = 6 * 2**20
"""Working set [bytes] of one chunk of scenarios (state matrix plus the largest level's pair rows)
when ``MonteCarloSpec.chunk`` is not given: it stays in the last-level cache."""


@dataclass(frozen=True)
class MonteCarloSpec:
    """How random disruptions are drawn (every field has a unit and a stated default).

    Attributes
    ----------
    runs : int
        Number of scenarios.
    seed : int
        Seed (≥ 0); scenario block ``b`` (``RNG_BLOCK`` scenarios) draws from
        ``default_rng(SeedSequence(seed, spawn_key=(b,)))``.
    window : float [weeks]
        Window of every scenario (default 13 weeks, a quarter).
    country_probability : dict[str, float] | None
        Probability [per window] that a country is disrupted, by ISO2 code;
        countries not listed get ``default_country_probability``.
    default_country_probability : float
        0.02 for countries outside ``union`` (if the group exists), else this value.
    union_country_probability : float
        Probability for countries of the ``union`` group (default 0.005).
    site_probability : float
        Probability that one site is disrupted (default 0.01).
    severity : (float, float) [fraction]
        Uniform range of severities (default 0.5 – 1.0).
    country_weeks : (float, float) [weeks]
        Uniform range of the duration of a country disruption (default 2 – 13).
    site_weeks : str | (float, float)
        ``"ttr"``: a disrupted site's nodes stay down for their own time to
        recover (default); or a uniform range [weeks].
    chunk : int | None
        Scenarios propagated together; memory ≈ (nodes + largest level's
        (node, input) pairs) · chunk · 4 bytes in float32.  Default: as many as
        fit in ``CHUNK_BUDGET``, a multiple of ``RNG_BLOCK``.  Results do not
        depend on it.
    float32 : bool
        Propagate in float32 (default); float64 otherwise.  Per scenario the
        two differ by at most ``1e-5`` of the window's demand margin
        (tested).
    """

    runs: int = 10_000
    seed: int = 0
    window: float = 13.0
    country_probability: dict[str, float] | None = None
    default_country_probability: float = 0.02
    union_country_probability: float = 0.005
    site_probability: float = 0.01
    severity: tuple[float, float] = (0.5, 1.0)
    country_weeks: tuple[float, float] = (2.0, 13.0)
    site_weeks: str | tuple[float, float] = "ttr"
    chunk: int | None = None
    float32: bool = True

    def country_p(self, net: Network) -> FloatArray:
        """Probability per country (aligned with ``net.countries``)."""
        p = np.full(len(net.countries), self.default_country_probability)
        if "union" in net.groups:
            p[net.groups["union"]] = self.union_country_probability
        for iso, v in (self.country_probability or {}).items():
            if iso not in net.countries:
                raise AnalysisError(f"Monte Carlo: unknown country {iso!r} in country probabilities")
            p[net.countries.index(iso)] = v
        return p

    def check(self) -> None:
        """Raise AnalysisError naming the first field out of range."""
        if self.runs < 1:
            raise AnalysisError("Monte Carlo needs at least one run")
        if self.seed < 0:
            raise AnalysisError("Monte Carlo seed must be ≥ 0")
        if self.window <= 0:
            raise AnalysisError("Monte Carlo window must be > 0 weeks")
        lo, hi = self.severity
        if not (0 <= lo <= hi <= 1):
            raise AnalysisError("severity range must satisfy 0 ≤ low ≤ high ≤ 1")
        probs = [self.default_country_probability, self.union_country_probability, self.site_probability]
        probs += list((self.country_probability or {}).values())
        if not all(0 <= p <= 1 for p in probs):
            raise AnalysisError("Monte Carlo probabilities must lie in [0, 1]")
        if self.chunk is not None and self.chunk < 1:
            raise AnalysisError("chunk must be ≥ 1")

    @property
    def dtype(self) -> type:
        return np.float32 if self.float32 else np.float64


def _bernoulli_positions(rng: np.random.Generator, N: int, p: float) -> IntArray:
    """Positions of the successes among ``N`` Bernoulli(``p``) trials, drawn as geometric gaps (O(hits))."""
    if N <= 0 or p <= 0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1:
        return np.arange(N, dtype=np.int64)
    out = []
    last = -1
    mean = N * p
    while True:
        c = last + np.cumsum(rng.geometric(p, int(mean + 4 * np.sqrt(mean) + 16)))
        out.append(c[c < N])
        if c[-1] >= N:
            break
        last = int(c[-1])
    return np.concatenate(out)


@dataclass(frozen=True, eq=False)
class _Draws:
    """Random disruptions of scenarios ``start … start + size − 1``.

    ``country_lost`` (countries × size) is the lost fraction of each country's
    window; each site hit is (scenario − start, site, severity, weeks), weeks
    NaN when the site's nodes are down for their own time to recover.
    """

    country_lost: FloatArray
    scenario: IntArray
    site: IntArray
    severity: FloatArray
    weeks: FloatArray


def _draw_block(spec: MonteCarloSpec, p_country: FloatArray, n_sites: int, block: int) -> _Draws:
    """The ``RNG_BLOCK`` scenarios of one block, from their own stream, in a fixed order of draws.

    Order: country hits, severities, durations (block × countries); the
    positions of site hits (block × sites, geometric gaps); one severity per
    site hit; one duration per site hit unless ``site_weeks = "ttr"``.
    """
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(block,)))
    W = spec.window
    lo, hi = spec.severity
    n_c = p_country.size
    c_hit = rng.random((RNG_BLOCK, n_c)) < p_country[None, :]
    c_sev = rng.uniform(lo, hi, (RNG_BLOCK, n_c))
    c_dur = rng.uniform(spec.country_weeks[0], spec.country_weeks[1], (RNG_BLOCK, n_c))
    c_lost = np.where(c_hit, c_sev * np.minimum(c_dur, W) / W, 0.0).T
    pos = _bernoulli_positions(rng, RNG_BLOCK * n_sites, spec.site_probability)
    scen, site = np.divmod(pos, max(n_sites, 1))
    sev = rng.uniform(lo, hi, pos.size)
    if spec.site_weeks == "ttr":
        weeks = np.full(pos.size, np.nan)
    else:
        lo_w, hi_w = cast(tuple[float, float], spec.site_weeks)
        weeks = rng.uniform(lo_w, hi_w, pos.size)
    return _Draws(np.ascontiguousarray(c_lost), scen, site, sev, weeks)


def _draws(spec: MonteCarloSpec, p_country: FloatArray, n_sites: int, start: int, size: int) -> _Draws:
    """Disruptions of scenarios ``start … start + size − 1`` (any range: whole blocks are drawn, then cut)."""
    first, last = start // RNG_BLOCK, (start + size - 1) // RNG_BLOCK
    blocks = [_draw_block(spec, p_country, n_sites, b) for b in range(first, last + 1)]
    lo = start - first * RNG_BLOCK
    cl = np.concatenate([d.country_lost for d in blocks], axis=1)[:, lo : lo + size]
    scen = np.concatenate([d.scenario + RNG_BLOCK * i for i, d in enumerate(blocks)]) - lo
    keep = (scen >= 0) & (scen < size)
    cat = np.concatenate
    return _Draws(
        np.ascontiguousarray(cl),
        scen[keep],
        cat([d.site for d in blocks])[keep],
        cat([d.severity for d in blocks])[keep],
        cat([d.weeks for d in blocks])[keep],
    )


@dataclass(eq=False)
class _DrawLayout:
    """Where the draws land in a state matrix ``B``: countries, sites and times to recover by row."""

    p_country: FloatArray
    country_row: IntArray  # country of row r + 1 (rows 1 … n are nodes)
    site_ptr: IntArray  # CSR: sites → rows of their nodes
    site_rows: IntArray
    ttr_row: FloatArray  # time to recover by row [weeks]

    @classmethod
    def build(cls, net: Network, spec: MonteCarloSpec, row: IntArray) -> _DrawLayout:
        """``row[j]``: the row of node j (1 … n)."""
        order = np.empty(net.n_nodes, dtype=np.int64)
        order[row - 1] = np.arange(net.n_nodes)
        by_site = np.argsort(net.node_site, kind="stable")
        site_ptr = np.searchsorted(net.node_site[by_site], np.arange(len(net.sites) + 1)).astype(np.int64)
        ttr_row = np.zeros(net.n_nodes + 1)
        ttr_row[row] = net.ttr
        return cls(spec.country_p(net), net.node_country[order], site_ptr, row[by_site], ttr_row)

    def fill(self, B: npt.NDArray[Any], spec: MonteCarloSpec, start: int) -> None:
        """Rows 1 … n of ``B`` := node availabilities ``a = 1 − lost`` of scenarios ``start … start + S − 1``.

        A node's lost fraction is the largest of ``severity · min(D, W) / W``
        over the disruptions that hit it (its country, its site).
        """
        size = B.shape[1]
        d = _draws(spec, self.p_country, self.site_ptr.size - 1, start, size)
        np.take((1.0 - d.country_lost).astype(B.dtype), self.country_row, axis=0, out=B[1:], mode="clip")
        if d.site.size:
            counts = self.site_ptr[d.site + 1] - self.site_ptr[d.site]
            rows = self.site_rows[_segments(self.site_ptr[d.site], counts)]
            cols = np.repeat(d.scenario, counts)
            weeks = np.repeat(d.weeks, counts)
            weeks = np.where(np.isnan(weeks), self.ttr_row[rows], weeks)
            frac = np.repeat(d.severity, counts) * np.minimum(weeks, spec.window) / spec.window
            # a site is hit at most once per scenario and a node has one site: no (row, col) repeats
            B[rows, cols] = np.minimum(B[rows, cols], (1.0 - frac).astype(B.dtype))


@dataclass(eq=False)
class _Sampler:
    """Everything a worker needs to draw and propagate chunks of scenarios (sent to workers once)."""

    prop: Propagator
    spec: MonteCarloSpec
    draws: _DrawLayout
    fin_rows: IntArray  # layout rows of the final nodes
    fin_weight: FloatArray  # margin · Y of the final nodes [RUB]
    oem: sp.csr_matrix  # (OEMs × final nodes) 0/1

    @classmethod
    def build(cls, net: Network, plan: Plan, spec: MonteCarloSpec, oem_of_final: IntArray, n_oem: int) -> _Sampler:
        prop = Propagator(net, plan)
        fin = prop.final
        oem = sp.csr_matrix((np.ones(fin.size), (oem_of_final, np.arange(fin.size))), shape=(n_oem, fin.size))
        return cls(
            prop=prop,
            spec=spec,
            draws=_DrawLayout.build(net, spec, prop.row),
            fin_rows=prop.row[fin],
            fin_weight=net.margin[fin] * plan.Y[fin],
            oem=oem,
        )

    def availability(self, start: int, size: int, dtype: Any, out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """The state ``B`` of scenarios ``start … start + size − 1`` with their node availabilities."""
        B = self.prop.new_state(size, dtype) if out is None else out
        self.draws.fill(B, self.spec, start)
        return B

    def losses(self, start: int, size: int) -> FloatArray:
        """Extra lost margin per OEM and scenario (OEMs × size) [RUB]: ``Σ_final margin · Y · (1 − β)``."""
        dtype = np.dtype(self.spec.dtype)
        local = self.__dict__.setdefault("_local", threading.local())
        B = getattr(local, "state", None)
        if B is None or B.dtype != dtype or B.shape[1] != size:
            B = local.state = self.prop.new_state(size, dtype)  # kept: no page faults per chunk
        self.availability(start, size, dtype, out=B)
        self.prop.run_layout(B)
        lost = 1.0 - self.prop.beta_rows(B, self.fin_rows).astype(np.float64)
        lost *= self.fin_weight[:, None]
        out: FloatArray = np.asarray(self.oem @ lost)
        return out

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the per-thread buffers (sent to Dask workers)."""
        return {k: v for k, v in self.__dict__.items() if k != "_local"}

    def hit_counts(self, scenarios: IntArray) -> FloatArray:
        """How many of ``scenarios`` disrupt each node (a lost fraction > 0: its country's or its site's), by node."""
        net = self.prop.net
        spec = self.spec
        d = self.draws
        scenarios = np.asarray(scenarios, dtype=np.int64)
        per_country = np.zeros(len(net.countries))
        count = np.zeros(net.n_nodes + 1)
        blocks = scenarios // RNG_BLOCK
        for b in np.unique(blocks):
            cols = np.sort(scenarios[blocks == b] - int(b) * RNG_BLOCK)
            dr = _draws(spec, d.p_country, d.site_ptr.size - 1, int(b) * RNG_BLOCK, RNG_BLOCK)
            country_hit = dr.country_lost[:, cols] > 0  # countries × chosen scenarios
            per_country += country_hit.sum(axis=1)
            chosen = np.isin(dr.scenario, cols)
            site, scen = dr.site[chosen], dr.scenario[chosen]
            counts = d.site_ptr[site + 1] - d.site_ptr[site]
            rows = d.site_rows[_segments(d.site_ptr[site], counts)]
            weeks = np.repeat(dr.weeks[chosen], counts)
            weeks = np.where(np.isnan(weeks), d.ttr_row[rows], weeks)
            lost = np.repeat(dr.severity[chosen], counts) * np.minimum(weeks, spec.window) > 0
            # a node whose country is down in that scenario is counted once, with its country
            col_of = np.searchsorted(cols, np.repeat(scen, counts))
            by_country = country_hit[d.country_row[rows - 1], col_of]
            np.add.at(count, rows[lost & ~by_country], 1.0)
        out: FloatArray = count[self.prop.row] + per_country[net.node_country]
        return out


def draw_availability(net: Network, spec: MonteCarloSpec, start: int, size: int) -> tuple[FloatArray, FloatArray]:
    """Node availabilities and lost fractions (both n × size, node order) of scenarios ``start …``.

    The same draws as :func:`montecarlo` (see :class:`MonteCarloSpec`); for
    tests and benchmarks.
    """
    row = np.arange(1, net.n_nodes + 1, dtype=np.int64)
    B = np.ones((net.n_nodes + 1, size))
    _DrawLayout.build(net, spec, row).fill(B, spec, start)
    return B[1:].copy(), 1.0 - B[1:]


def _chunk_losses(sampler: _Sampler, chunks: Sequence[tuple[int, int]]) -> list[tuple[int, FloatArray]]:
    """Per chunk (first scenario, size): (first scenario, loss per OEM × scenario [RUB]) — a worker's unit of work."""
    return [(start, sampler.losses(start, size)) for start, size in chunks]


def chunk_size(prop: Propagator, dtype: Any = np.float32, budget: float = CHUNK_BUDGET) -> int:
    """Scenarios per chunk whose working set fits ``budget`` [bytes]: a multiple of ``RNG_BLOCK``, at most 4096."""
    per = prop.traffic(1, dtype)["footprint"]
    S = int(budget // max(per, 1.0)) // RNG_BLOCK * RNG_BLOCK
    return max(RNG_BLOCK, min(S, 4096))


def montecarlo(
    net: Network,
    spec: MonteCarloSpec | None = None,
    *,
    reference: str = "lp",
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    top: int = 20,
    keep_runs: bool = False,
    plan: Plan | None = None,
) -> Result:
    """Monte Carlo distribution of lost margin under random disruptions (fast propagation).

    Parameters
    ----------
    net : Network
    spec : MonteCarloSpec
        Probabilities, severities, durations, window, runs and seed.
    reference : ``lp`` or ``shares``
        Reference plan: the optimal undisrupted TTR plan over the window
        (default; losses are then upper bounds of the LP's performance impact
        of each scenario) or DESIGN.md's share plan.
    scheduler, workers :
        Dask fan-out (see :mod:`importsub.distributed`); default in-process.
    progress : callable(done, total), optional
    top : int
        Nodes listed in the worst-1 % table.
    keep_runs : bool
        Add a ``runs`` table: the loss of every scenario, total and per OEM [RUB].
    plan : Plan, optional
        A reference plan already computed for ``reference`` and ``spec.window``
        (e.g. :func:`reference_plan`); default: computed here.

    Returns
    -------
    Result
        ``summary`` (expected loss, VaR and CVaR at 95 % and 99 % [RUB],
        share of scenarios with a loss [%]); ``oems`` (the same per OEM);
        ``distribution`` (loss quantiles [RUB]); ``worst 1%`` (nodes most often
        disrupted in the worst 1 % of scenarios, with their frequency [%]).

    Notes
    -----
    Propagation does not re-route supply, so every scenario's loss is an
    upper bound on the loss of the TTR linear programme under the same node
    availabilities (tested in tests/test_montecarlo.py).  Losses (per OEM and
    scenario) below ``ZERO_TOLERANCE`` × the window's demand margin are
    rounding crumbs (float32, solver tolerances) and count as 0.  Scenarios
    are drawn in blocks of ``RNG_BLOCK`` from their own random streams, and
    propagation treats every scenario (column) alone, so results are
    identical whatever ``spec.chunk`` and the number of workers.
    """
    spec = spec or MonteCarloSpec()
    spec.check()
    from importsub.distributed import map_chunks

    if plan is None:
        plan = reference_plan(net, spec.window, reference)
    fin = np.flatnonzero(plan.Y > 0)
    org = net.site_org[net.node_site[fin]]
    oems, oem_of_final = np.unique(org, return_inverse=True)
    n_oem = int(oems.size)
    sampler = _Sampler.build(net, plan, spec, oem_of_final.astype(np.int64), n_oem)
    chunk = spec.chunk or chunk_size(sampler.prop, spec.dtype)
    chunks = [(s, min(chunk, spec.runs - s)) for s in range(0, spec.runs, chunk)]
    fanout = bool(scheduler) or (workers or 0) > 1
    per_task = max(1, min(8, len(chunks) // 16)) if fanout else 1
    tasks = [chunks[i : i + per_task] for i in range(0, len(chunks), per_task)]
    results = map_chunks(
        _chunk_losses,
        tasks,
        shared=(sampler,),
        scheduler=scheduler,
        workers=workers,
        progress=(lambda done, total: progress(done, total)) if progress else None,
    )
    flat = sorted((k, v) for part in results for k, v in part)
    per_oem = np.concatenate([v for _, v in flat], axis=1) if flat else np.zeros((n_oem, 0))  # n_oem × runs
    # rounding (float32, solver tolerances) leaves crumbs: below the LP's zero tolerance a loss is 0
    window_margin = float(np.sum(net.margin * net.demand)) * spec.window / WEEKS_PER_YEAR
    per_oem[per_oem <= ZERO_TOLERANCE * window_margin] = 0.0
    total = per_oem.sum(axis=0)
    stats = _risk(total)
    n_worst = max(1, int(np.ceil(0.01 * spec.runs)))
    worst = np.argsort(-total, kind="stable")[:n_worst]
    freq = sampler.hit_counts(worst)
    labels = node_frame(net)
    summary = pl.DataFrame(
        {
            "runs": [spec.runs],
            "window [weeks]": [spec.window],
            "expected loss [RUB]": [stats["mean"]],
            "VaR 95% [RUB]": [stats["var95"]],
            "CVaR 95% [RUB]": [stats["cvar95"]],
            "VaR 99% [RUB]": [stats["var99"]],
            "CVaR 99% [RUB]": [stats["cvar99"]],
            "scenarios with loss [%]": [100.0 * float(np.mean(total > 0))],
            "baseline lost margin [RUB]": [plan.lost_margin],
        }
    )
    oem_rows = []
    for o in range(n_oem):
        s = _risk(per_oem[o])
        oem_rows.append(
            {
                "OEM": net.organizations[int(oems[o])],
                "OEM name": (net.organization_names or net.organizations)[int(oems[o])],
                "expected loss [RUB]": s["mean"],
                "VaR 95% [RUB]": s["var95"],
                "CVaR 95% [RUB]": s["cvar95"],
                "VaR 99% [RUB]": s["var99"],
                "CVaR 99% [RUB]": s["cvar99"],
            }
        )
    oem_df = pl.DataFrame(oem_rows).sort("expected loss [RUB]", descending=True) if oem_rows else pl.DataFrame()
    qs = [0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0]
    dist = pl.DataFrame({"quantile": qs, "loss [RUB]": [float(np.quantile(total, q)) for q in qs]})
    order = np.argsort(-freq, kind="stable")[:top]
    order = order[freq[order] > 0]
    worst_df = labels[order.tolist()].with_columns(pl.Series("in worst 1% [%]", 100.0 * freq[order] / n_worst))
    fp = fingerprint(
        net,
        analysis="montecarlo",
        runs=spec.runs,
        seed=spec.seed,
        window_weeks=spec.window,
        reference=reference,
        site_probability=spec.site_probability,
        default_country_probability=spec.default_country_probability,
        union_country_probability=spec.union_country_probability,
        country_probability=dict(sorted((spec.country_probability or {}).items())),
        severity=list(spec.severity),
        country_weeks=list(spec.country_weeks),
        site_weeks=spec.site_weeks if isinstance(spec.site_weeks, str) else list(spec.site_weeks),
        float32=spec.float32,
    )
    tables = {"summary": summary, "oems": oem_df, "distribution": dist, "worst 1%": worst_df}
    if keep_runs:
        runs = pl.DataFrame({"run": np.arange(spec.runs), "loss [RUB]": total})
        names = [f"{net.organizations[int(o)]} [RUB]" for o in oems]
        tables["runs"] = runs.hstack(pl.DataFrame(per_oem.T, schema=names, orient="row"))
    return Result("montecarlo", tables, fp)


def reference_plan(net: Network, t_weeks: float, reference: str = "lp") -> Plan:
    """The reference plan of propagation: ``lp`` (undisrupted TTR optimum) or ``shares``."""
    if reference == "shares":
        plan = Plan.from_shares(net, t_weeks)
        beta = Propagator(net, plan).run(np.ones((net.n_nodes, 1)))[:, 0]
        # the share plan may exceed capacity: its propagated form is the feasible baseline
        Y = beta * plan.Y
        lost = float(np.sum(net.margin * (net.demand * t_weeks / WEEKS_PER_YEAR - Y)))
        p2, f2, y2 = propagated_flows(net, plan, beta, np.ones(net.n_nodes))
        return Plan.from_flows(net, t_weeks, p2, f2, y2, lost)
    if reference != "lp":
        raise AnalysisError(f"unknown reference plan {reference!r}; choose lp or shares")
    model = TTRModel(net, None, t_weeks)
    sol = model.solve()
    if sol.p is None or sol.f is None:  # pragma: no cover - solve() reads values back by default
        raise AnalysisError("the baseline solution has no primal values")
    return Plan.from_flows(net, t_weeks, sol.p, sol.f, sol.y_nodes, sol.lost_margin)


def _risk(x: FloatArray) -> dict[str, float]:
    """Expected value, VaR (quantile) and CVaR (mean of the tail at or beyond VaR) at 95 % and 99 %."""
    out = {"mean": float(np.mean(x))}
    s = np.sort(x)
    for q, name in ((0.95, "95"), (0.99, "99")):
        var = float(np.quantile(s, q, method="higher"))
        k = int(np.ceil(q * s.size))  # tail: the worst (1 − q) share of scenarios
        tail = s[min(k, s.size - 1) :]
        out[f"var{name}"] = var
        out[f"cvar{name}"] = float(np.mean(tail)) if tail.size else var
    return out
