"""Monte Carlo loss distributions by fast propagation of random disruptions.

The propagation itself (reference plans, the no-re-routing recursion, its
upper-bound property and the float32 kernel) lives in
:mod:`importsub.analysis.propagation`; its names are re-exported here.

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
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp

from importsub.analysis.demand import node_frame
from importsub.analysis.propagation import (  # the kernel; its public names are re-exported (__all__)
    Plan,
    Propagator,
    _segments,
    capacity_fraction,
    propagate,
    propagated_flows,
)
from importsub.analysis.result import Result, fingerprint
from importsub.analysis.ttr import ZERO_TOLERANCE, TTRModel
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.compile.shock import WEEKS_PER_YEAR
from importsub.model.errors import AnalysisError

__all__ = [
    "CHUNK_BUDGET",
    "RNG_BLOCK",
    "MonteCarloSpec",
    "Plan",
    "Progress",
    "Propagator",
    "capacity_fraction",
    "chunk_size",
    "draw_availability",
    "montecarlo",
    "propagate",
    "propagated_flows",
    "reference_plan",
]

Progress = Callable[[int, int], None]

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
    oem_df = _oem_table(net, oems, per_oem)
    qs = [0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0]
    # the same quantile as VaR (a loss some scenario had, never interpolated): the 95 % bar is the VaR 95 %
    dist = pl.DataFrame({"quantile": qs, "loss [RUB]": [float(np.quantile(total, q, method="higher")) for q in qs]})
    order = np.argsort(-freq, kind="stable")[:top]
    order = order[freq[order] > 0]
    worst_df = labels[order.tolist()].with_columns(pl.Series("in worst 1% [%]", 100.0 * freq[order] / n_worst))
    fp = _fingerprint(net, spec, reference)
    tables = {"summary": summary, "oems": oem_df, "distribution": dist, "worst 1%": worst_df}
    if keep_runs:
        runs = pl.DataFrame({"run": np.arange(spec.runs), "loss [RUB]": total})
        names = [f"{net.organizations[int(o)]} [RUB]" for o in oems]
        tables["runs"] = runs.hstack(pl.DataFrame(per_oem.T, schema=names, orient="row"))
    return Result("montecarlo", tables, fp)


def _oem_table(net: Network, oems: IntArray, per_oem: FloatArray) -> pl.DataFrame:
    """Expected loss, VaR and CVaR at 95 % and 99 % [RUB] per OEM (organization index ``oems``), largest first."""
    oem_rows = []
    for o in range(oems.size):
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
    return pl.DataFrame(oem_rows).sort("expected loss [RUB]", descending=True) if oem_rows else pl.DataFrame()


def _fingerprint(net: Network, spec: MonteCarloSpec, reference: str) -> dict[str, Any]:
    """The inputs of a Monte Carlo run: the network's fingerprint and every field of ``spec`` that draws."""
    return fingerprint(
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
