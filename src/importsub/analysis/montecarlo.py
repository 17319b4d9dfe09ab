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
uniformly) and propagates them in chunks of scenarios, float32 by default.
The random draws of chunk ``k`` come from ``numpy.random.default_rng([seed, k])``
with a fixed chunk size, so results do not depend on how chunks are spread
over workers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp

from importsub.analysis.demand import gross_output, node_frame
from importsub.analysis.result import Result, fingerprint
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.compile.shock import WEEKS_PER_YEAR
from importsub.model.errors import AnalysisError

Progress = Callable[[int, int], None]


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
    nodes: IntArray  # nodes of the level
    has: IntArray  # positions (in nodes) of nodes with mapped inputs
    groups: IntArray  # groups used by the level
    W: sp.csr_matrix  # (groups × n): W[g, i] = Σ_{e∈g, i(e)=i} F_e
    pair_pos: IntArray  # for every (node, group) pair: position of the group in ``groups``
    starts: IntArray  # reduceat starts of the pairs of the nodes in ``has``
    gs: FloatArray  # stock of each group [units]
    inv_U: FloatArray  # 1 / U_g (0 where U_g = 0: such a group limits nothing)
    cut: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # cut links into these groups
    cut_row: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _cast: dict[Any, sp.csr_matrix] = field(default_factory=dict)
    #: per input slot k: (rows of ``has`` whose node has a k-th input, position of that input's group)
    slots: list[tuple[IntArray, IntArray]] = field(default_factory=list)

    def w_as(self, dtype: Any) -> sp.csr_matrix:
        """``W`` in another float type (float32 halves the bytes streamed), cached."""
        m = self._cast.get(dtype)
        if m is None:
            m = self.W.astype(dtype)
            self._cast[dtype] = m
        return m


class Propagator:
    """Propagation of node availabilities through one network and reference plan.

    Build once per (network, plan); :meth:`run` then propagates any number of
    scenarios (columns).  See the module docstring for the recursion.

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
        X = plan.X
        with np.errstate(divide="ignore", invalid="ignore"):
            # capacity over the window per unit of planned production (inf where X = 0)
            self.cap_ratio = np.where(X > 0, net.capacity * tau / np.where(X > 0, X, 1.0), np.inf)
            self.stock_ratio = np.where(plan.O > 0, net.stock / np.where(plan.O > 0, plan.O, 1.0), np.inf)
            self.x_ratio = np.where(plan.O > 0, X / np.where(plan.O > 0, plan.O, 1.0), 0.0)
        # pools: members sorted by pool
        pooled = np.flatnonzero(net.pool >= 0)
        order = pooled[np.argsort(net.pool[pooled], kind="stable")]
        self.pool_members = order
        pools_of = net.pool[order]
        self.pool_starts = (
            np.flatnonzero(np.r_[True, pools_of[1:] != pools_of[:-1]]) if order.size else np.zeros(0, np.int64)
        )
        self.pool_ids = pools_of[self.pool_starts] if order.size else np.zeros(0, np.int64)
        if order.size:
            sumX = np.add.reduceat(X[order], self.pool_starts)
            with np.errstate(divide="ignore", invalid="ignore"):
                self.pool_ratio = np.where(
                    sumX > 0, net.pool_capacity[self.pool_ids] * tau / np.where(sumX > 0, sumX, 1.0), np.inf
                )
        else:
            self.pool_ratio = np.zeros(0)
        # link cuts
        la = None if link_available is None else np.asarray(link_available, dtype=np.float64)
        cut = np.zeros(0, dtype=np.int64) if la is None else np.flatnonzero((la < 1.0) & (plan.F > 0))
        self.cut_ratio = np.zeros(0)
        if cut.size:
            assert la is not None
            self.cut_ratio = la[cut] * net.capacity[net.link_supplier[cut]] * tau / plan.F[cut]
        # per level
        m = net.need.shape[0]
        NT = net.need.T.tocsr()
        W = sp.csr_matrix((plan.F, (net.link_group, net.link_supplier)), shape=(m, n))
        W.sum_duplicates()
        with np.errstate(divide="ignore"):
            inv_U = np.where(plan.U > 0, 1.0 / np.where(plan.U > 0, plan.U, 1.0), 0.0)
        cut_group = net.link_group[cut]
        self.levels: list[_Level] = []
        for nodes in net.levels:
            sub = NT[nodes]
            counts = np.diff(sub.indptr)
            has = np.flatnonzero(counts > 0)
            groups = np.unique(sub.indices)
            pair_pos = np.searchsorted(groups, sub.indices).astype(np.int64)
            starts = sub.indptr[:-1][has].astype(np.int64)
            lvl = _Level(
                nodes=np.asarray(nodes, dtype=np.int64),
                has=has,
                groups=groups,
                W=W[groups],
                pair_pos=pair_pos,
                starts=starts,
                gs=net.group_stock[groups],
                inv_U=inv_U[groups],
            )
            if has.size:
                k_in = counts[has]
                for k in range(int(k_in.max())):
                    rows = np.flatnonzero(k_in > k)
                    lvl.slots.append((rows, pair_pos[starts[rows] + k]))
            if cut.size and groups.size:
                inside = np.isin(cut_group, groups)
                lvl.cut = np.flatnonzero(inside)  # positions in ``cut``
                lvl.cut_row = np.searchsorted(groups, cut_group[inside]).astype(np.int64)
            self.levels.append(lvl)
        self.cut = cut

    def run(self, available: npt.NDArray[Any], dtype: type = np.float64) -> npt.NDArray[Any]:
        """Delivered fraction ``β`` (n × S) for node availabilities ``available`` (n × S) [fractions]."""
        net = self.net
        a: npt.NDArray[Any] = np.asarray(available, dtype=dtype)
        if a.ndim == 1:
            a = a[:, None]
        S = a.shape[1]
        one = dtype(1.0)
        # capacity fraction c_j, then the pools
        cap = _fraction(a, self.cap_ratio, dtype)
        if self.pool_members.size:
            a_pool = np.maximum.reduceat(a[self.pool_members], self.pool_starts, axis=0)
            c_pool = _fraction(a_pool, self.pool_ratio, dtype)
            seg = np.repeat(np.arange(self.pool_starts.size), np.diff(np.r_[self.pool_starts, self.pool_members.size]))
            m = self.pool_members
            cap[m] = np.minimum(cap[m], c_pool[seg])
        beta: npt.NDArray[Any] = np.ones((net.n_nodes, S), dtype=dtype)
        stock_ratio: npt.NDArray[Any] = self.stock_ratio.astype(dtype)
        x_ratio: npt.NDArray[Any] = self.x_ratio.astype(dtype)
        for lvl in self.levels:
            J = lvl.nodes
            alpha = cap[J]
            if lvl.has.size:
                W = lvl.W if dtype is np.float64 else lvl.w_as(dtype)
                supply = W @ beta  # (groups × S) [units]
                if lvl.cut.size:
                    k = self.cut[lvl.cut]
                    bi = beta[net.link_supplier[k]]
                    excess = (bi - np.minimum(bi, self.cut_ratio[lvl.cut].astype(dtype)[:, None])) * self.plan.F[
                        k
                    ].astype(dtype)[:, None]
                    np.subtract.at(supply, lvl.cut_row, excess)
                supply = supply.astype(dtype, copy=False)
                supply += lvl.gs.astype(dtype)[:, None]
                gamma = np.where(
                    lvl.inv_U[:, None] > 0, np.minimum(one, supply * lvl.inv_U.astype(dtype)[:, None]), one
                ).astype(dtype, copy=False)
                # min over each node's input groups, slot by slot (slot k: the k-th input of every node that has one)
                lim = gamma[lvl.slots[0][1]]
                for rows, groups in lvl.slots[1:]:
                    lim[rows] = np.minimum(lim[rows], gamma[groups])
                alpha[lvl.has] = np.minimum(alpha[lvl.has], lim)
            # β = min(1, (α X + stock) / O) = min(1, α · X/O + stock/O)
            b = np.minimum(one, alpha * x_ratio[J][:, None] + stock_ratio[J][:, None])
            beta[J] = b
        return beta

    def extra_loss(self, beta: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Margin lost beyond the reference plan per final node (F × S) [RUB]: ``margin (1 − β) Y``."""
        fin = self.final
        w = (self.net.margin[fin] * self.plan.Y[fin]).astype(beta.dtype)
        return (1 - beta[fin]) * w[:, None]

    @property
    def final(self) -> IntArray:
        """Nodes with final delivery in the plan."""
        return np.flatnonzero(self.plan.Y > 0)


def _fraction(a: npt.NDArray[Any], ratio: FloatArray, dtype: type) -> npt.NDArray[Any]:
    """``min(1, a · ratio)`` per row, 1 where ``ratio`` is infinite (nothing planned: no limit)."""
    finite = np.isfinite(ratio)
    r: npt.NDArray[Any] = np.where(finite, ratio, 0.0).astype(dtype)[:, None]
    out = np.minimum(dtype(1.0), a * r)
    out[~finite] = 1.0
    return out


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


def propagated_flows(
    net: Network, plan: Plan, beta: FloatArray, available: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The propagated plan (one scenario): production ``p = α X``, flows ``f = β_i F`` and delivery ``y = β Y``.

    Used by tests to check that the plan is feasible in the TTR model.
    ``α`` is recomputed as ``min(c_j, inputs)`` exactly as in :meth:`Propagator.run`.
    """
    prop = Propagator(net, plan)
    a = np.asarray(available, dtype=np.float64)[:, None]
    cap = _fraction(a, prop.cap_ratio, np.float64)
    if prop.pool_members.size:
        a_pool = np.maximum.reduceat(a[prop.pool_members], prop.pool_starts, axis=0)
        c_pool = _fraction(a_pool, prop.pool_ratio, np.float64)
        seg = np.repeat(np.arange(prop.pool_starts.size), np.diff(np.r_[prop.pool_starts, prop.pool_members.size]))
        cap[prop.pool_members] = np.minimum(cap[prop.pool_members], c_pool[seg])
    b = beta.reshape(-1, 1)
    alpha = cap.copy()
    for lvl in prop.levels:
        if lvl.has.size:
            supply = lvl.W @ b + lvl.gs[:, None]
            gamma = np.where(lvl.inv_U[:, None] > 0, np.minimum(1.0, supply * lvl.inv_U[:, None]), 1.0)
            lim = np.minimum.reduceat(gamma[lvl.pair_pos], lvl.starts, axis=0)
            alpha[lvl.nodes[lvl.has]] = np.minimum(alpha[lvl.nodes[lvl.has]], lim)
    p = alpha[:, 0] * plan.X
    f = b[net.link_supplier, 0] * plan.F
    y = b[:, 0] * plan.Y
    return p, f, y


# ====================================================================== Monte Carlo


@dataclass(frozen=True)
class MonteCarloSpec:
    """How random disruptions are drawn (every field has a unit and a stated default).

    Attributes
    ----------
    runs : int
        Number of scenarios.
    seed : int
        Seed; chunk ``k`` draws from ``default_rng([seed, k])``.
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
    chunk : int
        Scenarios propagated together (memory ≈ 3 · nodes · chunk · 4 bytes).
    float32 : bool
        Propagate in float32 (default; relative error ~1e-6 of the loss).
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
    chunk: int = 256
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
        if self.runs < 1:
            raise AnalysisError("Monte Carlo needs at least one run")
        if self.window <= 0:
            raise AnalysisError("Monte Carlo window must be > 0 weeks")
        lo, hi = self.severity
        if not (0 <= lo <= hi <= 1):
            raise AnalysisError("severity range must satisfy 0 ≤ low ≤ high ≤ 1")
        if self.chunk < 1:
            raise AnalysisError("chunk must be ≥ 1")


def draw_availability(net: Network, spec: MonteCarloSpec, k: int, size: int) -> tuple[FloatArray, FloatArray]:
    """Node availabilities of chunk ``k`` (``size`` scenarios) and the lost fractions (both n × size).

    Node j's lost fraction of the window is the largest of
    ``s · min(D, W) / W`` over the disruptions that hit it (its country, its site).
    Draws, in this order from ``default_rng([seed, k])``: country hits, severities
    and durations (size × countries); site hits (size × sites); then one severity
    (and duration, unless ``site_weeks = "ttr"``) per site hit.
    """
    rng = np.random.default_rng([spec.seed, k])
    W = spec.window
    n_c = len(net.countries)
    n_s = len(net.sites)
    pc = spec.country_p(net)
    lo, hi = spec.severity
    c_hit = rng.random((size, n_c)) < pc[None, :]
    c_sev = rng.uniform(lo, hi, (size, n_c))
    c_dur = rng.uniform(spec.country_weeks[0], spec.country_weeks[1], (size, n_c))
    c_lost = np.where(c_hit, c_sev * np.minimum(c_dur, W) / W, 0.0)
    lost = np.ascontiguousarray(c_lost.T[net.node_country])  # n × size
    s_hit = rng.random((size, n_s), dtype=np.float32) < np.float32(spec.site_probability)
    scen, site = np.nonzero(s_hit)
    if scen.size:
        sev = rng.uniform(lo, hi, scen.size)
        # nodes of every hit site (sites → nodes, CSR by site)
        order = np.argsort(net.node_site, kind="stable")
        starts = np.searchsorted(net.node_site[order], np.arange(n_s + 1))
        counts = starts[site + 1] - starts[site]
        rep = np.repeat(np.arange(scen.size), counts)
        offs = np.arange(rep.size) - np.repeat(np.cumsum(counts) - counts, counts)
        nodes = order[starts[site][rep] + offs]
        if spec.site_weeks == "ttr":
            frac = sev[rep] * np.minimum(net.ttr[nodes], W) / W
        else:
            lo_w, hi_w = cast(tuple[float, float], spec.site_weeks)
            dur = rng.uniform(lo_w, hi_w, scen.size)
            frac = sev[rep] * np.minimum(dur[rep], W) / W
        np.maximum.at(lost, (nodes, scen[rep]), frac)
    return 1.0 - lost, lost


def _chunk_losses(
    net: Network,
    plan: Plan,
    spec: MonteCarloSpec,
    chunks: Sequence[tuple[int, int]],
    oem_of_final: IntArray,
    n_oem: int,
) -> list[tuple[int, FloatArray]]:
    """Per chunk: (chunk index, loss per OEM × scenario [RUB]) — the unit of work of a worker."""
    prop = Propagator(net, plan)
    dtype = np.float32 if spec.float32 else np.float64
    out = []
    for k, size in chunks:
        avail, _ = draw_availability(net, spec, k, size)
        beta = prop.run(avail.astype(dtype), dtype=dtype)
        loss = prop.extra_loss(beta).astype(np.float64)  # F × S
        per_oem = np.zeros((n_oem, size))
        np.add.at(per_oem, oem_of_final, loss)
        out.append((k, per_oem))
    return out


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
    rounding crumbs (float32, solver tolerances) and count as 0.
    """
    spec = spec or MonteCarloSpec()
    spec.check()
    from importsub.distributed import map_chunks

    plan = reference_plan(net, spec.window, reference)
    fin = np.flatnonzero(plan.Y > 0)
    org = net.site_org[net.node_site[fin]]
    oems, oem_of_final = np.unique(org, return_inverse=True)
    n_oem = int(oems.size)
    sizes = [min(spec.chunk, spec.runs - s) for s in range(0, spec.runs, spec.chunk)]
    chunks = list(enumerate(sizes))
    per_task = max(1, 8 if scheduler or (workers or 0) > 1 else len(chunks))
    tasks = [chunks[i : i + per_task] for i in range(0, len(chunks), per_task)]
    results = map_chunks(
        _chunk_losses,
        tasks,
        shared=(net, plan, spec),
        extra=(oem_of_final.astype(np.int64), n_oem),
        scheduler=scheduler,
        workers=workers,
        progress=(lambda done, total: progress(done, total)) if progress else None,
    )
    flat = sorted((k, v) for part in results for k, v in part)
    per_oem = np.concatenate([v for _, v in flat], axis=1)  # n_oem × runs
    # rounding (float32, solver tolerances) leaves crumbs: below the LP's zero tolerance a loss is 0
    from importsub.analysis.disruption import ZERO_TOLERANCE

    window_margin = float(np.sum(net.margin * net.demand)) * spec.window / WEEKS_PER_YEAR
    per_oem[per_oem <= ZERO_TOLERANCE * window_margin] = 0.0
    total = per_oem.sum(axis=0)
    stats = _risk(total)
    n_worst = max(1, int(np.ceil(0.01 * spec.runs)))
    worst = np.argsort(-total, kind="stable")[:n_worst]
    freq = _worst_frequency(net, spec, worst)
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
        severity=list(spec.severity),
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
    from importsub.analysis.disruption import TTRModel

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


def _worst_frequency(net: Network, spec: MonteCarloSpec, worst: IntArray) -> FloatArray:
    """How many of the ``worst`` scenarios disrupt each node (draws regenerated per chunk)."""
    count = np.zeros(net.n_nodes)
    chunk_of = worst // spec.chunk
    for k in np.unique(chunk_of):
        size = min(spec.chunk, spec.runs - int(k) * spec.chunk)
        _, lost = draw_availability(net, spec, int(k), size)
        cols = worst[chunk_of == k] - int(k) * spec.chunk
        count += (lost[:, cols] > 0).sum(axis=1)
    return count
