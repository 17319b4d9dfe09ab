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
