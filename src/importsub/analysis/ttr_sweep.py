"""The risk-exposure sweep: every node, site or country disrupted in turn.

Sweep and screening
-------------------
:func:`sweep` disrupts every node (or site, or country) in turn for its own
time to recover.  It first runs the no-re-routing propagation of
:mod:`importsub.analysis.propagation` from the baseline LP plan of each
window: that propagated plan is feasible in the TTR model, so its extra loss
is an upper bound on PI, and a target whose bound is within the zero
tolerance has PI = 0 *exactly as the LP would report it* — it needs no LP.
The other targets are re-solved on one model per process, each from the
baseline basis of its window (so results do not depend on solve order or on
how targets are split over Dask workers).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from importsub.analysis.demand import node_frame
from importsub.analysis.propagation import Plan, Propagator
from importsub.analysis.result import Result, fingerprint
from importsub.analysis.ttr import DEFAULT_HORIZON, TTRModel
from importsub.analysis.ttr_phased import PhasedTTR, period_available, period_ends, shared_phased
from importsub.analysis.ttr_restricted import baseline_of, solve_restricted
from importsub.analysis.ttr_tts import _tts_targets
from importsub.compile.network import BoolArray, FloatArray, IntArray, Network
from importsub.compile.shock import Shock
from importsub.model.errors import AnalysisError

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


def target_shock(network: Network, target: Target, severity: float) -> Shock:
    """The disruption of one sweep target: its nodes down at ``severity``, each for its own weeks."""
    return Shock.nodes(network, target.nodes, severity, target.weeks, name=target.label)


def _solve_targets(
    network: Network,
    payload: dict[tuple[float, ...], tuple[Any, ...]],
    task: Sequence[tuple[int, IntArray, FloatArray, float]],
    severity: float,
    backlog: float = 0.0,
) -> list[tuple[int, float, str]]:
    """Worker: (target, PI [RUB], how) of each target on the phased model of its period structure:
    certified on its reach (``how`` names the certificate, see
    :class:`~importsub.analysis.ttr_restricted.RestrictedSolve`), else re-solved as a whole from that
    structure's baseline basis (order independent; ``how`` then says why: ``size``, ``rounds``,
    ``solver``, or ``whole`` when restriction is off)."""
    import hashlib

    out = []
    keys: dict[tuple[float, ...], str] = {}
    for k, nodes, weeks, t in task:
        shock = Shock.nodes(network, nodes, severity, weeks, name="sweep")
        ends = period_ends(shock, t)
        key = tuple(ends.tolist())
        z_b, basis, *restrict = payload[key]
        model = shared_phased(network, ends.size, backlog)
        model.set_shock(shock, t, ends)
        # the disruption's reach alone, certified optimal for the whole model; else the whole model
        got = solve_restricted(model, restrict[0], nodes) if restrict else None
        pi, how = (got.impact, got.how) if got is not None else (None, "whole")
        if pi is None:
            if key not in keys:
                keys[key] = hashlib.blake2b(basis[0].tobytes() + basis[1].tobytes(), digest_size=16).hexdigest()
            model.set_basis(basis, key=keys[key])
            pi = model.solve(values=False).lost_margin - z_b
        out.append((k, 0.0 if pi <= model.zero_tolerance(t) else pi, how))
    return out


def _screen_task(
    net: Network, plans: dict[float, Plan], task: tuple[float, list[Target]], severity: float
) -> FloatArray:
    """Worker: propagation bounds [RUB] of one window's targets (``task``: the window [weeks], its targets)."""
    t, targets = task
    return _screen(net, targets, t, plans[t], severity)


def _screen(net: Network, targets: list[Target], t: float, plan: Any, severity: float) -> FloatArray:
    """Propagation bounds [RUB] of ``targets`` (all of window ``t``), period by period.

    Period k's availabilities propagate through the baseline plan scaled by
    ``Δ_k / t`` with stock shared out in the same proportion (the kernel is
    invariant to that scaling), so the sum over periods of the plans is
    feasible in the phased model and the bound holds for it.
    """
    prop = Propagator(net, plan)
    out = np.zeros(len(targets))
    for s in range(0, len(targets), 256):
        block = targets[s : s + 256]
        cols: list[tuple[int, IntArray, FloatArray, float]] = []
        for c, tg in enumerate(block):
            sh = target_shock(net, tg, severity)
            ends = period_ends(sh, t)
            for t0, t1 in zip(np.r_[0.0, ends[:-1]], ends, strict=True):
                a, _ = period_available(sh, net.n_nodes, net.n_links, float(t0), float(t1))
                cols.append((c, tg.nodes, a[tg.nodes], float((t1 - t0) / t)))
        avail = np.ones((net.n_nodes, len(cols)))
        for q, (_, nodes, a_nodes, _) in enumerate(cols):
            avail[nodes, q] = a_nodes
        ub = prop.extra_loss(prop.run(avail)).sum(axis=0)
        for q, (c, _, _, w) in enumerate(cols):
            out[s + c] += w * float(ub[q])
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
    backlog: float = 0.0,
    restrict: bool = True,
    stats: dict[str, int] | None = None,
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
    backlog : float [fraction]
        Share of unmet demand that waits for later periods (0 = lost sales).
    restrict : bool
        Re-solve each target on the part of the network its disruption can reach, certified
        optimal for the whole model (:mod:`importsub.analysis.ttr_restricted`); False: the
        whole model every time.  The losses are the same.
    stats : dict, optional
        Filled with the count of LP targets by how they were settled: a certificate
        (``plan``, ``dual``, ``lagrangian``) or the whole model re-solved, by reason (``size``,
        ``rounds``, ``solver``; ``whole`` without restriction).

    Returns
    -------
    Result
        ``targets`` (ranked: PI [RUB], risk exposure index [0–1], window
        [weeks], settled by screening or LP, propagation bound [RUB], TTS);
        ``summary`` (targets, zero-impact share [%], settled by screening [%],
        LP solves, largest PI).
    """
    net = network
    targets = sweep_targets(net, by, weeks)
    T = len(targets)
    windows = sorted({tg.window for tg in targets if tg.window > 0})
    # a fresh model: the baselines (cold, then warm through the windows) do not depend on earlier calls
    model = TTRModel(net)
    with _fanout(scheduler, workers, progress) as fanout:
        payload, plans = _baselines(net, model, windows, progress, restrict)
        bound = np.full(T, np.nan)
        settled = np.array([tg.window <= 0 or severity <= 0 for tg in targets], dtype=np.bool_)
        bound[settled] = 0.0
        if screen:
            _screen_windows(net, model, targets, windows, plans, severity, bound, settled, fanout)
        payload.update(_phased_baselines(net, targets, settled, severity, backlog, set(payload), restrict))
        lp_targets = [k for k in range(T) if not settled[k]]
        pi = _lp_impacts(net, targets, lp_targets, payload, severity, backlog, chunk, fanout, stats)
        tts = _tts(net, targets, severity, horizon, fanout) if with_tts else None
    top = float(pi.max()) if T else 0.0
    rei = pi / top if top > 0 else np.zeros(T)
    frame = _target_frame(net, targets, by, pi, rei, settled, bound)
    if tts is not None:
        frame = frame.with_columns(pl.Series("TTS [weeks]", tts))
    frame = frame.with_row_index("_i").sort(["performance impact [RUB]", "_i"], descending=[True, False]).drop("_i")
    frame = frame.with_row_index("rank", offset=1)
    summary = pl.DataFrame(
        {
            "targets": [T],
            "by": [by],
            "zero impact [%]": [100.0 * float(np.mean(pi == 0)) if T else 0.0],
            "settled by screening [%]": [100.0 * float(np.mean(settled)) if T else 0.0],
            "LP re-solves": [len(lp_targets)],
            "period structures": [len(payload)],
            "largest PI [RUB]": [top],
        }
    )
    fp = fingerprint(net, analysis="sweep", by=by, weeks=weeks, severity=severity, screen=screen, backlog=backlog)
    return Result("sweep", {"targets": frame, "summary": summary}, fp)


SweepProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class _Fanout:
    """Where a sweep's LP work runs (see :func:`importsub.distributed.map_chunks`) and whom it tells."""

    scheduler: str | None
    workers: int | None
    progress: SweepProgress | None
    client: Any = None  # the sweep's own Dask client, held open for all its stages

    def tick(self, stage: str) -> Callable[[int, int], None] | None:
        """A ``(done, total)`` callback reporting ``stage``, or None without progress."""
        report = self.progress
        return (lambda d, n: report(stage, d, n)) if report else None


@contextlib.contextmanager
def _fanout(scheduler: str | None, workers: int | None, progress: SweepProgress | None) -> Iterator[_Fanout]:
    """Where the sweep's stages run: in this process, or on one Dask client held open for all of them
    (a local cluster is started once, not once per stage)."""
    if scheduler is None and (workers is None or workers <= 1):
        yield _Fanout(None, None, progress)
        return
    from importsub.distributed import dask_client

    with dask_client(scheduler, workers) as client:
        yield _Fanout(scheduler, workers, progress, client)


def _baselines(
    net: Network, model: TTRModel, windows: list[float], progress: SweepProgress | None, restrict: bool = False
) -> tuple[dict[tuple[float, ...], tuple[Any, ...]], dict[float, Plan]]:
    """The undisrupted optimum of every window, longest first (cold, then each warm from the one before):
    (lost margin [RUB], basis[, baseline solution for restricted re-solves]) and its plan.

    Keys of the first dict are period structures (tuples of period ends
    [weeks]); a one-period structure ``(t,)`` is the window itself.
    """
    payload: dict[tuple[float, ...], tuple[Any, ...]] = {}
    plans: dict[float, Plan] = {}
    # longest first: each window warm from the next longer one takes about half the iterations of the
    # chain from the shortest up (10k-site network: 36 s against 73 s for its 30 windows)
    for i, t in enumerate(sorted(windows, reverse=True)):
        model.set_shock(None, t)
        sol = model.solve()
        # one period: the phased model is this one
        basis = model.basis()
        payload[(t,)] = (sol.lost_margin, basis, *([baseline_of(model, basis)] if restrict else []))
        plans[t] = Plan.from_flows(net, t, sol.p, sol.f, sol.y_nodes, sol.lost_margin)  # type: ignore[arg-type]
        if progress:
            progress("baselines", i + 1, len(windows))
    return payload, plans


def _screen_windows(
    net: Network,
    model: TTRModel,
    targets: list[Target],
    windows: list[float],
    plans: dict[float, Plan],
    severity: float,
    bound: FloatArray,
    settled: BoolArray,
    fanout: _Fanout,
) -> None:
    """Propagation bound [RUB] of every unsettled target, window by window, in place.

    A target whose bound is within the window's zero tolerance is settled
    (PI = 0 without an LP).
    """
    from importsub.distributed import map_chunks

    by_window: dict[float, list[int]] = {}
    for k in range(len(targets)):
        if not settled[k]:
            by_window.setdefault(targets[k].window, []).append(k)
    # a task per window, or per 1,024 of its targets (the bounds do not depend on how they are split)
    parts = [(t, ks[i : i + 1024]) for t in windows for ks in [by_window.get(t, [])] for i in range(0, len(ks), 1024)]
    res = map_chunks(
        _screen_task,
        [(t, [targets[k] for k in ks]) for t, ks in parts],
        shared=(net, plans),
        extra=(severity,),
        scheduler=fanout.scheduler,
        workers=fanout.workers,
        client=fanout.client,
        progress=fanout.tick("screening"),
    )
    for (t, ks), ub in zip(parts, res, strict=True):
        tol = model.zero_tolerance(t)
        for c, k in enumerate(ks):
            bound[k] = float(ub[c])
            settled[k] = bool(ub[c] <= tol)


def _phased_baselines(
    net: Network,
    targets: list[Target],
    settled: BoolArray,
    severity: float,
    backlog: float,
    known: set[tuple[float, ...]],
    restrict: bool = False,
) -> dict[tuple[float, ...], tuple[Any, ...]]:
    """(lost margin [RUB], basis[, baseline solution]) of the undisrupted phased model of every period structure
    not in ``known``.

    Only the unsettled targets' structures; a fresh model each, so results
    do not depend on order.
    """
    structures = sorted(
        {
            tuple(period_ends(target_shock(net, targets[k], severity), targets[k].window).tolist())
            for k in range(len(targets))
            if not settled[k]
        }
        - known
    )
    out: dict[tuple[float, ...], tuple[Any, ...]] = {}
    for ends in structures:
        pm = PhasedTTR(net, len(ends), backlog)
        pm.set_shock(None, ends[-1], np.array(ends))
        lost = pm.solve(values=False).lost_margin
        basis = pm.basis()
        out[ends] = (lost, basis, *([baseline_of(pm, basis)] if restrict else []))
    return out


def _lp_impacts(
    net: Network,
    targets: list[Target],
    lp_targets: list[int],
    payload: dict[tuple[float, ...], tuple[Any, ...]],
    severity: float,
    backlog: float,
    chunk: int,
    fanout: _Fanout,
    stats: dict[str, int] | None = None,
) -> FloatArray:
    """PI [RUB] of every target (0 where not in ``lp_targets``), by LP re-solves in tasks of ``chunk`` targets."""
    from importsub.distributed import map_chunks

    items = [(k, targets[k].nodes, targets[k].weeks, targets[k].window) for k in lp_targets]
    tasks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    res = map_chunks(
        _solve_targets,
        tasks,
        shared=(net, payload),
        extra=(severity, backlog),
        scheduler=fanout.scheduler,
        workers=fanout.workers,
        client=fanout.client,
        progress=fanout.tick("LP re-solves"),
    )
    pi = np.zeros(len(targets))
    for part in res:
        for k, v, how in part:
            pi[k] = v
            if stats is not None:
                stats[how] = stats.get(how, 0) + 1
    return pi


def _tts(net: Network, targets: list[Target], severity: float, horizon: float, fanout: _Fanout) -> FloatArray:
    """TTS [weeks] of every target (one LP curve each), in tasks of 16 targets."""
    from importsub.distributed import map_chunks

    T = len(targets)
    tts_items = [(k, targets[k].nodes) for k in range(T)]
    tts_tasks = [tts_items[i : i + 16] for i in range(0, T, 16)]
    tres = map_chunks(
        _tts_targets,
        tts_tasks,
        shared=(net,),
        extra=(severity, horizon, 1e-3),
        scheduler=fanout.scheduler,
        workers=fanout.workers,
        client=fanout.client,
        progress=fanout.tick("TTS"),
    )
    tv = np.zeros(T)
    for part in tres:
        for k, v in part:
            tv[k] = v
    return tv


def _target_frame(
    net: Network,
    targets: list[Target],
    by: str,
    pi: FloatArray,
    rei: FloatArray,
    settled: BoolArray,
    bound: FloatArray,
) -> pl.DataFrame:
    """The ``targets`` table before ranking: labels of the target's first node, nodes, window, PI, REI, bound."""
    first = np.array([int(tg.nodes[0]) for tg in targets], dtype=np.int64)
    labels = node_frame(net)[first.tolist()]
    cols: dict[str, Any] = {"target": [tg.label for tg in targets]}
    if by == "node":
        frame = labels.select("node", "site", "site name", "country", "part", "part name")
    elif by == "site":
        frame = labels.select("site", "site name", "organization", "country")
    else:
        frame = labels.select("country")
    return (
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
