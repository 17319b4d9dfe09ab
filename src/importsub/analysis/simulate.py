"""Week by week: a time-stepped simulation of a shock on the :class:`~importsub.compile.network.Network`.

The TTR model (:mod:`importsub.analysis.ttr_phased`) re-routes perfectly with
perfect foresight (a lower bound on the loss); propagation
(:mod:`importsub.analysis.propagation`) re-routes nothing over one aggregate
window (an upper bound).  Here firms behave as firms do, one week ``w`` at a
time (``w = 0 … W − 1``), vectorised over nodes (a whole topological level at
a time), all quantities in units per week:

1. **Orders due.**  An order placed on link ``e`` in week ``w`` is due in
   week ``w + L_e`` (``L_e`` = the link's ``lead_time`` rounded to whole
   weeks): the pipeline is the orders on order.  At the start, each link has
   ``L_e`` weeks of its normal flow on order.  What a supplier cannot ship of
   an order when it is due is cancelled (the buyer's policy orders again).
2. **Orders placed.**  Each group orders ``Q_g`` by its policy from its
   inventory position ``IP_g = H_g + on order_g`` and its forecast use
   ``f_g`` (last week's requirement):

   * ``base-stock``: ``Q_g = max(0, f_g + S_g − IP_g)``, ``S_g = (W_t + L̄_g) u_g``;
   * ``order-up-to`` (s, S): the same order, placed only when
     ``IP_g − f_g < s_g = S_g − W_t u_g / 2`` (else 0);
   * none (Python API only): ``Q_g = u_g`` every week (no stock policy);

   with ``u_g = (need · x)_g / 52`` the normal use (``x = A x + d``),
   ``W_t`` the target weeks and ``L̄_g = Σ_e σ_e L_e``.  Link ``e`` of group
   ``g`` gets ``σ_e Q_g``; when its supplier filled only part of last week's
   order, the unfilled share moves to the group's *qualified* links whose
   suppliers had spare capacity last week (up to that spare).  A
   non-qualified link never carries more than its normal share ``σ_e u_g``
   (as in the TTR model).
3. **Plans.**  Node ``j`` plans ``P_j`` = orders due on its links + final demand
   (``d_j/52`` + backlog) + the policy's correction of its finished stock
   towards ``W_t`` weeks of normal output (none: no correction).
4. **Production**, suppliers first:
   ``p_j = min(cap_j a_jw / 52, P_j π_j, P_j min_{g input of j} γ_g)``
   with ``γ_g = min(1, H_g / R_g)``, ``R_g = Σ_j need[g, j] P_j`` (a group's
   stock is shared among the site's products in proportion to their
   requirement) and ``π_j = min(1, pool_cap ā_k / 52 / Σ_{pool} P)`` for a
   capacity pool.  ``a_jw`` is the available fraction of node ``j``'s
   capacity in week ``w``: the scenario's severity and duration followed by
   a recovery *curve* over the node's ramp (:func:`curve_lost_weeks`).
5. **Rationing.**  A node ships from ``stock + p_j`` to the orders due on its
   links and its final demand by the rule (:func:`ration`): ``proportional``
   (everyone gets the same fraction), ``priority`` (final demand first,
   then the largest normal buyers) or ``smaller-first`` (water-filling: the
   smallest claims are met in full first).  A cut link carries at most
   ``a_ew cap_i / 52``.  What is shipped reaches the buyer's stock ``H_g``
   the same week (the lead time was spent between order and shipment).
6. **Final demand.**  Unmet demand is lost, or a share ``β`` waits for later
   weeks (the backlog of the TTR model); what still waits at the end of the
   window is lost.

Why the TTR bound holds
-----------------------
Every weekly plan above is feasible in the phased TTR LP of the same window
(summed over the weeks of each period): production within capacity and
pools, shipments within production and stock, use within deliveries and
stock, non-qualified links within their normal share, cut links within
their availability, deliveries within demand (and backlog).  Lead times
delay orders, never add goods (what is on order at the start is a claim on
the supplier's output, not stock), so the simulation holds no unit the LP
lacks.  Hence ``lost(simulation) ≥ lost(LP)`` for the same availabilities;
exactly when period breakpoints fall on whole weeks and the recovery curve
loses at least the LP's linear ramp (linear, convex; concave and instant
curves are compared with the LP of instant recovery).  The tests check it
on random networks (hypothesis).

With no stock policy, no alternatives, no stock, no lead times and an
availability that is constant over the window, every week repeats the
propagation recursion of :mod:`importsub.analysis.propagation` over one
week (``γ``, ``α = min(c, γ)``, ``β`` proportional), so the loss equals the
propagation bound.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from importsub.compile.matrices import gross_output
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.compile.shock import WEEKS_PER_YEAR, Shock
from importsub.model.errors import AnalysisError

POLICIES = ("base-stock", "order-up-to")
"""Stock policies (``None`` in the Python API: no stock policy, orders at the normal rate)."""
RATIONING = ("proportional", "priority", "smaller-first")
RECOVERY_CURVES = ("linear", "convex", "concave", "instant")
"""Shapes of the recovered fraction ``r(u)`` over a ramp (``u`` from 0 to 1): ``u``, ``u²``, ``2u − u²``, 1."""
MAX_WEEKS = 520


@dataclass(frozen=True)
class SimulationSpec:
    """How firms behave in the simulation (see the module docstring).

    Attributes
    ----------
    weeks : int [weeks]
    policy : ``base-stock``, ``order-up-to`` or None (no stock policy)
    target_weeks : float [weeks]     target stock in weeks of normal use
    rationing : ``proportional``, ``priority`` or ``smaller-first``
    recovery : a curve of :data:`RECOVERY_CURVES`, or None (the scenario's own ramps, linear)
    alternatives : bool              qualified alternative suppliers take unfilled orders
    backlog : float [fraction]       share of unmet final demand that waits
    service_level : float [fraction] a week is "below service" when output < this × demand
    """

    weeks: int = 13
    policy: str | None = "base-stock"
    target_weeks: float = 2.0
    rationing: str = "proportional"
    recovery: str | None = None
    alternatives: bool = True
    backlog: float = 0.0
    service_level: float = 0.95

    def check(self) -> None:
        """Raise :class:`AnalysisError` naming the first bad setting."""
        if not (isinstance(self.weeks, int | np.integer) and 1 <= self.weeks <= MAX_WEEKS):
            raise AnalysisError(f"weeks must be a whole number in 1..{MAX_WEEKS}, not {self.weeks!r}")
        if self.policy is not None and self.policy not in POLICIES:
            raise AnalysisError(f"unknown stock policy {self.policy!r}; choose {', '.join(POLICIES)}")
        if self.rationing not in RATIONING:
            raise AnalysisError(f"unknown rationing rule {self.rationing!r}; choose {', '.join(RATIONING)}")
        if self.recovery is not None and self.recovery not in RECOVERY_CURVES:
            raise AnalysisError(f"unknown recovery curve {self.recovery!r}; choose {', '.join(RECOVERY_CURVES)}")
        if not (np.isfinite(self.target_weeks) and 0 <= self.target_weeks <= 104):
            raise AnalysisError(f"target weeks must be in 0..104 weeks, not {self.target_weeks!r}")
        if not (0.0 <= self.backlog <= 1.0):
            raise AnalysisError(f"backlog must be a fraction in [0, 1], not {self.backlog!r}")
        if not (0.0 < self.service_level <= 1.0):
            raise AnalysisError(f"service level must be a fraction in (0, 1], not {self.service_level!r}")


# ====================================================================== capacity per week


def curve_lost_weeks(
    severity: FloatArray, duration: FloatArray, ramp: FloatArray, t: float, curve: str = "linear"
) -> FloatArray:
    """Capacity-weeks lost by time ``t`` [weeks] under a recovery curve: ``s·min(t, D) + s·(v − R·G(v/R))``.

    ``v = min(max(t − D, 0), R)`` and ``G(u) = ∫₀ᵘ r`` of the recovered
    fraction ``r``: linear ``u²/2``, convex ``u³/3``, concave ``u² − u³/3``;
    instant ignores the ramp.  Linear is
    :func:`importsub.compile.shock.lost_weeks`.

    Examples
    --------
    >>> import numpy as np
    >>> one = np.array([1.0])
    >>> [float(curve_lost_weeks(one, 2 * one, 3 * one, 10.0, c)[0]) for c in RECOVERY_CURVES]
    [3.5, 4.0, 3.0, 2.0]
    """
    s = np.asarray(severity, dtype=np.float64)
    d = np.asarray(duration, dtype=np.float64)
    r = np.asarray(ramp, dtype=np.float64)
    flat = s * np.minimum(float(t), d)
    if curve == "instant":
        return flat
    v = np.minimum(np.maximum(float(t) - d, 0.0), r)
    safe = np.where(r > 0, r, 1.0)
    u = v / safe
    G = {"linear": u * u / 2.0, "convex": u**3 / 3.0, "concave": u * u - u**3 / 3.0}[curve]
    return flat + s * np.where(r > 0, v - safe * G, 0.0)


def with_recovery(net: Network, shock: Shock, curve: str | None) -> Shock:
    """The shock whose ramps the curve runs over: the scenario's own (None) or every hit item's time to recover."""
    if curve is None:
        return shock
    if curve == "instant":
        z_n, z_e = np.zeros(net.n_nodes), np.zeros(net.n_links)
        return dataclasses.replace(shock, node_ramp=z_n, link_ramp=z_e)
    node_ramp = np.where(shock.node_severity > 0, net.ttr, 0.0)
    link_ramp = np.where(shock.link_severity > 0, net.ttr[net.link_supplier], 0.0)
    return dataclasses.replace(shock, node_ramp=node_ramp, link_ramp=link_ramp)


def lp_envelope(shock: Shock, curve: str | None) -> Shock:
    """The shock the TTR bound is solved for: linear ramps that lose no more than the curve (instant for concave)."""
    if curve in ("concave", "instant"):
        return dataclasses.replace(
            shock, node_ramp=np.zeros_like(shock.node_ramp), link_ramp=np.zeros_like(shock.link_ramp)
        )
    return shock


@dataclass(frozen=True, eq=False)
class Availability:
    """Available fractions per week: ``nodes`` (W × n), ``links`` (W × e, None when no link is cut),
    ``pools`` (W × pools) [fraction]."""

    nodes: FloatArray
    links: FloatArray | None
    pools: FloatArray

    @property
    def weeks(self) -> int:
        return int(self.nodes.shape[0])


def weekly_availability(net: Network, shock: Shock | None, weeks: int, curve: str | None = None) -> Availability:
    """``a_jw = 1 − (L_j(w + 1) − L_j(w))`` per week under ``curve`` (:func:`curve_lost_weeks`), nodes, links, pools.

    A pool gets ``min(max_{j∈pool} a_jw, max_{j∈pool} ā_jk)`` with ``ā_jk``
    the member's average over the TTR period ``k`` holding week ``w``, so
    that its weeks never add up to more than the LP's pool bound.
    """
    from importsub.analysis.ttr_phased import period_available, period_ends

    n, e = net.n_nodes, net.n_links
    P = int(net.pool_capacity.size)
    if shock is None:
        return Availability(np.ones((weeks, n)), None, np.ones((weeks, P)))
    sh = with_recovery(net, shock, curve)
    shape = curve or "linear"
    edges = np.arange(weeks + 1, dtype=np.float64)
    ln = np.stack([curve_lost_weeks(sh.node_severity, sh.node_duration, sh.node_ramp, t, shape) for t in edges])
    a = np.clip(1.0 - np.diff(ln, axis=0), 0.0, 1.0)
    la = None
    if sh.hit_links.size:
        ll = np.stack([curve_lost_weeks(sh.link_severity, sh.link_duration, sh.link_ramp, t, shape) for t in edges])
        la = np.clip(1.0 - np.diff(ll, axis=0), 0.0, 1.0)
    pools = np.ones((weeks, P))
    pooled = np.flatnonzero(net.pool >= 0)
    if P and pooled.size:
        env = lp_envelope(sh, curve)
        ends = period_ends(env, float(weeks))
        starts = np.r_[0.0, ends[:-1]]
        k_of = np.minimum(np.searchsorted(ends, edges[1:] - 1e-9), ends.size - 1)
        for k in range(ends.size):
            ak, _ = period_available(env, n, e, float(starts[k]), float(ends[k]))
            cap_k = np.zeros(P)
            np.maximum.at(cap_k, net.pool[pooled], ak[pooled])
            for w in np.flatnonzero(k_of == k):
                m_w = np.zeros(P)
                np.maximum.at(m_w, net.pool[pooled], a[w, pooled])
                pools[w] = np.minimum(m_w, cap_k)
        pools[:, np.bincount(net.pool[pooled], minlength=P) == 0] = 1.0
    return Availability(a, la, pools)


def _sum_by(index: IntArray, weights: FloatArray, size: int) -> FloatArray:
    """``out[k] = Σ_{index = k} weights`` (a float array of ``size``)."""
    out: FloatArray = np.bincount(index, weights=weights, minlength=size).astype(np.float64, copy=False)
    return out


# ====================================================================== rationing


def ration(
    available: FloatArray, claim_node: IntArray, size: FloatArray, rule: str, key: FloatArray | None = None
) -> FloatArray:
    """What each claim gets from its node's ``available`` units under a rationing rule [units].

    Parameters
    ----------
    available : per node (indexed by ``claim_node``) [units]
    claim_node : node of each claim
    size : claimed units
    rule : ``proportional`` — ``size · min(1, available / Σ size)``;
        ``priority`` — in ascending ``key`` (ties: claim order), each in full while units last;
        ``smaller-first`` — water-filling: ``min(size, λ)`` with the level ``λ`` that uses up ``available``.
    key : priority of each claim (``priority`` only; smaller first)

    Examples
    --------
    >>> import numpy as np
    >>> node, size = np.zeros(3, dtype=np.int64), np.array([6.0, 3.0, 1.0])
    >>> ration(np.array([5.0]), node, size, "proportional").tolist()
    [3.0, 1.5, 0.5]
    >>> ration(np.array([5.0]), node, size, "smaller-first").tolist()
    [2.0, 2.0, 1.0]
    >>> ration(np.array([5.0]), node, size, "priority", np.array([1.0, 0.0, 2.0])).tolist()
    [2.0, 3.0, 0.0]
    """
    size = np.maximum(np.asarray(size, dtype=np.float64), 0.0)
    c = size.size
    if c == 0:
        return np.zeros(0)
    k = int(claim_node.max()) + 1
    avail = np.maximum(np.asarray(available, dtype=np.float64)[:k], 0.0)
    if rule == "proportional":
        total = np.bincount(claim_node, weights=size, minlength=k)
        frac = np.where(total > avail, avail / np.where(total > 0, total, 1.0), 1.0)
        return size * frac[claim_node]
    if rule == "priority":
        order = np.lexsort((np.arange(c), np.zeros(c) if key is None else key, claim_node))
    elif rule == "smaller-first":
        order = np.lexsort((np.arange(c), size, claim_node))
    else:
        raise AnalysisError(f"unknown rationing rule {rule!r}; choose {', '.join(RATIONING)}")
    nd, sz = claim_node[order], size[order]
    csum = np.cumsum(sz)
    first = np.r_[True, nd[1:] != nd[:-1]]
    seg_start = np.maximum.accumulate(np.where(first, np.arange(c), 0))
    before = csum - sz - np.where(seg_start > 0, csum[seg_start - 1], 0.0)  # claimed before, same node
    a_node = avail[nd]
    out = np.empty(c)
    if rule == "priority":
        out[order] = np.clip(a_node - before, 0.0, sz)
        return out
    # water-filling: claims sorted ascending; claim r is met in full iff before_r + sz_r · (left from r) ≤ available
    seg_end = np.r_[np.flatnonzero(nd[1:] != nd[:-1]), c - 1]
    end_of = np.repeat(seg_end, np.diff(np.r_[-1, seg_end]))
    left = end_of - np.arange(c) + 1
    full = before + sz * left <= a_node * (1 + 1e-12) + 1e-12
    served_full = np.bincount(nd[full], weights=sz[full], minlength=k)
    n_rest = np.bincount(nd[~full], minlength=k)
    level = np.where(n_rest > 0, np.maximum(avail - served_full, 0.0) / np.maximum(n_rest, 1), np.inf)
    out[order] = np.where(full, sz, np.minimum(sz, level[nd]))
    return out


# ====================================================================== the simulator


@dataclass(eq=False)
class _Level:
    nodes: IntArray
    ready: IntArray  # groups whose stock is final for the week at this level (all their suppliers done)
    pair_group: IntArray  # input groups of the level's nodes with inputs, node by node
    pair_start: IntArray  # reduceat offsets into pair_group
    has_inputs: IntArray  # positions (in ``nodes``) of nodes with input groups
    claims: IntArray  # global claim ids of the level's nodes
    claim_local: IntArray  # local node (position in ``nodes``) of each claim


@dataclass(frozen=True, eq=False)
class Trajectory:
    """What a simulation did, week by week.

    Attributes
    ----------
    final : IntArray                  nodes with final demand
    demand, delivered, lost : (W × F) [units]   final demand arising, delivered, lost in each week
    final_groups : IntArray           input groups of the final nodes' sites
    final_group_stock : (W × len(final_groups)) [units]  stock on hand at each week's end
    final_group_fill : (W × len(final_groups)) [fraction] ``γ_g`` of each week
    short_weeks : per node, weeks in which it made less than planned [weeks]
    short_value : per node, value of what it did not make of its plan [RUB]
    lost_margin : float [RUB]          ``Σ margin · lost`` (backlog left at the end included)
    on_order : per group, units on order at the start (the normal flow of each link's lead time) [units]
    """

    final: IntArray
    demand: FloatArray
    delivered: FloatArray
    lost: FloatArray
    final_groups: IntArray
    final_group_stock: FloatArray
    final_group_fill: FloatArray
    short_weeks: FloatArray
    short_value: FloatArray
    lost_margin: float
    on_order: FloatArray


class Simulator:
    """The weekly simulation of one network under one :class:`SimulationSpec`, built once (see module docstring).

    Examples
    --------
    >>> sim = Simulator(net, SimulationSpec(weeks=16))            # doctest: +SKIP
    >>> traj = sim.run(weekly_availability(net, shock, 16))       # doctest: +SKIP
    >>> traj.lost_margin                                          # [RUB]  # doctest: +SKIP
    """

    def __init__(self, net: Network, spec: SimulationSpec) -> None:
        spec.check()
        self.net, self.spec = net, spec
        n, m, E = net.n_nodes, int(net.need.shape[0]), net.n_links
        self.n, self.m, self.E = n, m, E
        x = gross_output(net)
        self.x_week = x / WEEKS_PER_YEAR
        self.u = np.asarray(net.need @ x, dtype=np.float64) / WEEKS_PER_YEAR  # normal use per group [units/week]
        g, sup, share = net.link_group, net.link_supplier, net.link_share
        self.normal_flow = share * self.u[g]  # [units/week]
        self.lead = np.maximum(np.rint(np.nan_to_num(net.link_lead_time)), 0).astype(np.int64)
        self.Lmax = int(self.lead.max()) if E else 0
        mean_lead = np.bincount(g, weights=share * self.lead, minlength=m)
        W = float(spec.target_weeks)
        self.S_group = (W + mean_lead) * self.u  # target inventory position [units]
        self.s_group = self.S_group - 0.5 * W * self.u  # reorder point (order-up-to)
        self.T_node = W * self.x_week  # target finished stock [units]
        self.t_node = 0.5 * W * self.x_week
        self.final = np.flatnonzero(net.demand > 0)
        F = self.final.size
        self.d_week = net.demand[self.final] / WEEKS_PER_YEAR
        # claims: one per link (the buyer's order), one per final node (its demand); node of each claim
        self.claim_node = np.concatenate([sup, self.final]).astype(np.int64)
        # priority: final demand first, then the largest normal buyers
        self.claim_key = np.concatenate([-self.normal_flow, np.full(F, -np.inf)])
        self.on_order = _sum_by(g, self.lead * self.normal_flow, m)
        NT = net.need.T.tocsr()
        NT.sort_indices()
        self.NT = NT
        self.needT = net.need.tocsr()
        self.levels = self._levels(NT)
        pooled = net.pool >= 0
        self.pooled = np.flatnonzero(pooled)
        fin_sites = np.unique(net.node_site[self.final])
        self.final_groups = np.flatnonzero(np.isin(net.group_site, fin_sites))

    def _levels(self, NT: sp.csr_matrix) -> list[_Level]:
        net = self.net
        lv_of = np.empty(self.n, dtype=np.int64)
        for k, nodes in enumerate(net.levels):
            lv_of[nodes] = k
        # a group's stock is final once its first consumer's level is reached
        ready_lv = np.full(self.m, len(net.levels), dtype=np.int64)
        coo = self.net.need.tocoo()
        np.minimum.at(ready_lv, coo.row, lv_of[coo.col])
        claim_lv = lv_of[self.claim_node] if self.claim_node.size else np.zeros(0, dtype=np.int64)
        out = []
        for k, nodes in enumerate(net.levels):
            nodes = np.asarray(nodes, dtype=np.int64)
            counts = np.diff(NT.indptr)[nodes]
            has = np.flatnonzero(counts > 0)
            idx = [NT.indices[NT.indptr[j] : NT.indptr[j + 1]] for j in nodes[has]]
            pair_group = np.concatenate(idx).astype(np.int64) if idx else np.zeros(0, dtype=np.int64)
            pair_start = np.r_[0, np.cumsum(counts[has])[:-1]].astype(np.int64) if has.size else np.zeros(0, np.int64)
            local = np.full(self.n, -1, dtype=np.int64)
            local[nodes] = np.arange(nodes.size)
            claims = np.flatnonzero(claim_lv == k)
            out.append(
                _Level(nodes, np.flatnonzero(ready_lv == k), pair_group, pair_start, has, claims,
                       local[self.claim_node[claims]])
            )  # fmt: skip
        return out

    # ------------------------------------------------------------ one run

    def run(self, avail: Availability) -> Trajectory:
        """Simulate ``avail.weeks`` weeks from the steady state (orders of the last lead times open, stock on hand)."""
        net, spec = self.net, self.spec
        n, m, E, F = self.n, self.m, self.E, self.final.size
        Wk = avail.weeks
        H = net.group_stock.astype(np.float64).copy()
        S = net.stock.astype(np.float64).copy()
        slots = self.Lmax + 1
        due_buf = np.zeros((slots, E))  # orders due in week w (mod slots) on each link [units]
        for lag in range(self.Lmax):
            due_buf[lag] = np.where(self.lead > lag, self.normal_flow, 0.0)
        on_order = np.bincount(net.link_group, weights=due_buf.sum(axis=0), minlength=m)
        backlog = np.zeros(F)
        forecast = self.u.copy()
        fill = np.ones(E)
        spare = np.zeros(n)
        out_d, out_y, out_l = np.zeros((Wk, F)), np.zeros((Wk, F)), np.zeros((Wk, F))
        fg = self.final_groups
        out_h, out_g = np.zeros((Wk, fg.size)), np.ones((Wk, fg.size))
        short_weeks, short_value = np.zeros(n), np.zeros(n)
        idx = np.flatnonzero(self.lead > 0)
        now = np.flatnonzero(self.lead == 0)
        idx_group, idx_lead = net.link_group[idx], self.lead[idx]
        for w in range(Wk):
            slot = w % slots
            due = due_buf[slot].copy()
            due_buf[slot] = 0.0
            placed = self._orders(H + on_order, forecast, fill, spare)  # the position counts what is due now
            on_order -= np.bincount(net.link_group, weights=due, minlength=m)  # shipped now or cancelled
            due[now] += placed[now]
            if idx.size:
                due_buf[(w + idx_lead) % slots, idx] += placed[idx]
                on_order += np.bincount(idx_group, weights=placed[idx], minlength=m)
            sizes = np.concatenate([due, self.d_week + backlog])
            plan = self._plan(_sum_by(self.claim_node, sizes, n), S)
            R = np.asarray(self.needT @ plan, dtype=np.float64)
            capw = net.capacity * avail.nodes[w] / WEEKS_PER_YEAR
            shipped, y, prod, gamma = self._forward(w, plan, R, capw, self._pool_fraction(plan, avail.pools[w]), H, S,
                                                    sizes, avail)  # fmt: skip
            np.maximum(H - np.asarray(self.needT @ prod, dtype=np.float64), 0.0, out=H)
            # final demand: serve what arose this week first, then the backlog
            new = np.minimum(y, self.d_week)
            unmet = self.d_week - new
            kept = spec.backlog * unmet
            backlog = np.maximum(backlog - (y - new), 0.0) + kept
            lost_w = unmet - kept + (backlog if w == Wk - 1 else 0.0)
            out_d[w], out_y[w], out_l[w] = self.d_week, y, lost_w
            out_h[w], out_g[w] = H[fg], gamma[fg]
            short = prod < plan * (1 - 1e-9) - 1e-12
            short_weeks += short
            short_value += np.where(short, (plan - prod) * net.value, 0.0)
            fill = np.where(due > 1e-12, shipped / np.where(due > 0, due, 1.0), 1.0)
            spare = np.where(short, 0.0, np.maximum(capw - prod, 0.0))
            forecast = R
        margin = net.margin[self.final]
        lost_margin = float(np.sum(out_l * margin[None, :]))
        return Trajectory(
            self.final, out_d, out_y, out_l, fg, out_h, out_g, short_weeks, short_value, lost_margin, self.on_order
        )

    def _orders(self, position: FloatArray, forecast: FloatArray, fill: FloatArray, spare: FloatArray) -> FloatArray:
        """Orders on every link this week [units] (policy, re-routing to qualified links, contract caps)."""
        net, spec = self.net, self.spec
        g, share = net.link_group, net.link_share
        if spec.policy is None:
            Q = self.u
        else:
            Q = np.maximum(forecast + self.S_group - position, 0.0)
            if spec.policy == "order-up-to":
                Q = np.where(position - forecast < self.s_group, Q, 0.0)
        orders = share * Q[g]
        if spec.alternatives and self.E and np.any(fill < 1.0):  # re-route only after a shortfall
            miss = np.where(share > 0, share * (1.0 - np.clip(fill, 0.0, 1.0)), 0.0) * Q[g]
            spare_e = np.where(net.link_qualified & (fill >= 1 - 1e-9), spare[net.link_supplier], 0.0)
            miss_g = np.bincount(g, weights=miss, minlength=self.m)
            spare_g = np.bincount(g, weights=spare_e, minlength=self.m)
            moved = np.minimum(miss_g, spare_g)
            with np.errstate(divide="ignore", invalid="ignore"):
                off = np.where(miss_g > 0, moved / np.where(miss_g > 0, miss_g, 1.0), 0.0)
                on = np.where(spare_g > 0, moved / np.where(spare_g > 0, spare_g, 1.0), 0.0)
            orders = orders - off[g] * miss + on[g] * spare_e
        return np.where(net.link_qualified, orders, np.minimum(orders, self.normal_flow))

    def _plan(self, on_node: FloatArray, S: FloatArray) -> FloatArray:
        """Production plan per node this week [units]: what is claimed plus the finished-stock correction."""
        policy = self.spec.policy
        if policy is None:
            return on_node
        plan = np.maximum(on_node + self.T_node - S, 0.0)
        if policy == "order-up-to":
            plan = np.where(S - on_node < self.t_node, plan, np.maximum(on_node - S, 0.0))
        return plan

    def _pool_fraction(self, plan: FloatArray, pool_avail: FloatArray) -> FloatArray:
        """``π_j = min(1, pool_cap ā / 52 / Σ_{pool} P)`` per node (1 outside pools)."""
        frac = np.ones(self.n)
        if self.pooled.size:
            net = self.net
            pid = net.pool[self.pooled]
            planned = np.bincount(pid, weights=plan[self.pooled], minlength=net.pool_capacity.size)
            cap = net.pool_capacity * pool_avail / WEEKS_PER_YEAR
            pf = np.where(planned > cap, cap / np.where(planned > 0, planned, 1.0), 1.0)
            frac[self.pooled] = pf[pid]
        return frac

    def _forward(
        self,
        w: int,
        plan: FloatArray,
        R: FloatArray,
        capw: FloatArray,
        pool_frac: FloatArray,
        H: FloatArray,
        S: FloatArray,
        sizes: FloatArray,
        avail: Availability,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Production, rationing and shipping, suppliers first; updates ``H`` (deliveries) and ``S`` in place."""
        net, spec = self.net, self.spec
        E = self.E
        gamma = np.ones(self.m)
        prod = np.zeros(self.n)
        granted = np.zeros(sizes.size)
        link_cap = None
        if avail.links is not None:
            link_cap = avail.links[w] * net.capacity[net.link_supplier] / WEEKS_PER_YEAR
        key = self.claim_key if spec.rationing == "priority" else None
        for lv in self.levels:
            r = lv.ready
            if r.size:
                Rr = R[r]
                gamma[r] = np.where(Rr > 0, np.minimum(1.0, H[r] / np.where(Rr > 0, Rr, 1.0)), 1.0)
            nodes = lv.nodes
            frac = np.minimum(pool_frac[nodes], 1.0)
            if lv.has_inputs.size:
                gmin = np.minimum.reduceat(gamma[lv.pair_group], lv.pair_start)
                frac[lv.has_inputs] = np.minimum(frac[lv.has_inputs], gmin)
            p = np.maximum(np.minimum(capw[nodes], plan[nodes] * frac), 0.0)
            prod[nodes] = p
            if not lv.claims.size:
                S[nodes] += p
                continue
            A = S[nodes] + p
            c = lv.claims
            got = ration(A, lv.claim_local, sizes[c], spec.rationing, None if key is None else key[c])
            is_link = c < E
            if link_cap is not None and is_link.any():
                got[is_link] = np.minimum(got[is_link], link_cap[c[is_link]])
            granted[c] = got
            S[nodes] = np.maximum(A - np.bincount(lv.claim_local, weights=got, minlength=nodes.size), 0.0)
            links = c[is_link]
            if links.size:
                H += _sum_by(net.link_group[links], got[is_link], self.m)
        return granted[:E], granted[E:], prod, gamma
