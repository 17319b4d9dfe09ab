"""The propagation kernel: disruptions carried through the supply network without re-routing.

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

Kernel
------
:class:`Propagator` walks the nodes level by level (``net.levels``),
vectorised over scenarios (the columns of one matrix), float32 or float64,
in chunks of columns whose memory the caller bounds.  Every scenario
(column) is computed alone, in the same order of operations whatever the
number of columns, so results do not depend on how scenarios are split into
chunks or spread over workers.  Monte Carlo
(:mod:`importsub.analysis.montecarlo`) and the risk-exposure sweep
(:mod:`importsub.analysis.ttr_sweep`) both build on it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from importsub.analysis.demand import gross_output
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.compile.shock import WEEKS_PER_YEAR

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
    >>> # see tests/test_propagation.py and tests/test_montecarlo.py for worked cases
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
