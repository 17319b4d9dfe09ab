"""Time to survive (TTS) of nodes, sites and scenarios on the TTR model.

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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import polars as pl

from importsub.analysis.demand import node_frame
from importsub.analysis.result import Result, fingerprint
from importsub.analysis.ttr import DEFAULT_HORIZON, Progress, TTRModel, shared_model
from importsub.compile.network import IntArray, Network
from importsub.compile.shock import Shock
from importsub.model.errors import AnalysisError

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


# ====================================================================== sites and scenarios


def held(shock: Shock, name: str | None = None) -> Shock:
    """The shock's disruptions held together for the whole window: every hit node and link down
    at its severity for ever (no recovery), so that its availability does not depend on the window."""
    hit_n = np.zeros(shock.node_severity.size, dtype=np.bool_)
    hit_n[shock.hit_nodes] = True
    hit_l = np.zeros(shock.link_severity.size, dtype=np.bool_)
    hit_l[shock.hit_links] = True
    sev_n, sev_l = np.where(hit_n, shock.node_severity, 0.0), np.where(hit_l, shock.link_severity, 0.0)
    inf_n, inf_l = np.where(hit_n, np.inf, 0.0), np.where(hit_l, np.inf, 0.0)
    z_n, z_l = np.zeros_like(inf_n), np.zeros_like(inf_l)
    window = np.inf if hit_n.any() or hit_l.any() else 0.0
    return Shock(name or shock.name, sev_n, inf_n, z_n, sev_l, inf_l, z_l, window, shock.targets)


def tts_of_shock(network: Network, shock: Shock, horizon: float = DEFAULT_HORIZON, tol_weeks: float = 1e-3) -> float:
    """TTS [weeks] of ``shock`` held for the whole window (:func:`held`), against the baseline, capped at ``horizon``."""
    fixed = held(shock)
    return time_to_survive(TTRModel(network), lambda t: fixed, horizon, tol_weeks)


def tts_scenario(
    network: Network, shock: Shock, *, horizon: float = DEFAULT_HORIZON, tol_weeks: float = 1e-3
) -> Result:
    """Time to survive of a scenario: its disruptions held together, the longest window with no loss.

    Returns
    -------
    Result
        ``scenario``: nodes hit, links cut, the scenario's own window (longest
        disruption + recovery) [weeks], ``TTS [weeks]``, whether the network
        survives less than the disruption lasts, capped flag.
    """
    if not shock.hit_nodes.size and not shock.hit_links.size:
        raise AnalysisError(f"scenario {shock.name!r} disrupts nothing: it has no time to survive")
    value = tts_of_shock(network, shock, horizon, tol_weeks)
    frame = pl.DataFrame(
        {
            "scenario": [shock.name],
            "nodes hit": [int(shock.hit_nodes.size)],
            "links cut": [int(shock.hit_links.size)],
            "disruption window [weeks]": [float(shock.window)],
            "TTS [weeks]": [value],
            "TTS < window": [bool(value < shock.window - tol_weeks)],
            "capped at horizon": [bool(value >= horizon)],
            "horizon [weeks]": [float(horizon)],
        }
    )
    tables = {"scenario": frame}
    if shock.targets.width:
        tables["targets"] = shock.targets
    fp = fingerprint(network, analysis="tts", **shock.describe(), horizon_weeks=horizon, tolerance_weeks=tol_weeks)
    return Result("tts", tables, fp)


def tts_sites(
    network: Network,
    sites: Sequence[str],
    *,
    severity: float = 1.0,
    horizon: float = DEFAULT_HORIZON,
    tol_weeks: float = 1e-3,
) -> Result:
    """Time to survive of each site: all its producing nodes down together (the plant TTS).

    Returns
    -------
    Result
        ``sites``: site, name, producing nodes, TTS [weeks], the longest time
        to recover of its nodes [weeks], ``TTS < TTR``, capped flag.
    """
    names = network.site_names or network.sites
    items = []
    for k, s in enumerate(sites):
        if s not in network.sites:
            raise AnalysisError(f"unknown site {s!r}")
        nodes = np.flatnonzero(network.node_site == network.sites.index(s))
        if nodes.size == 0:
            raise AnalysisError(f"site {s!r} produces nothing in this network: it has no time to survive")
        items.append((k, nodes.astype(np.int64)))
    values = dict(_tts_targets(network, items, severity, horizon, tol_weeks))
    ttr = [float(network.ttr[nodes].max()) for _, nodes in items]
    v = [values[k] for k in range(len(items))]
    frame = pl.DataFrame(
        {
            "site": list(sites),
            "site name": [names[network.sites.index(s)] for s in sites],
            "nodes": [int(nodes.size) for _, nodes in items],
            "TTS [weeks]": v,
            "TTR [weeks]": ttr,
            "TTS < TTR": [a < b - tol_weeks for a, b in zip(v, ttr, strict=True)],
            "capped at horizon": [a >= horizon for a in v],
        }
    )
    fp = fingerprint(network, analysis="tts", sites=list(sites), severity=severity, horizon_weeks=horizon)
    return Result("tts", {"sites": frame.sort(["TTS [weeks]", "site"])}, fp)
