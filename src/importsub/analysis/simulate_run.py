"""The weekly simulation as an analysis: tables ``weekly`` and ``summary``, the TTR bound beside it, Monte Carlo.

:func:`simulate_shock` runs :class:`~importsub.analysis.simulate.Simulator`
on a scenario and reports, beside the simulated loss, the time-phased TTR
LP's performance impact for the same availabilities and window (the least
any re-routing could lose: never above the simulated one) and the
propagation bound over the window.  :func:`simulate_montecarlo` samples
scenarios as :func:`~importsub.analysis.montecarlo.montecarlo` does and
simulates the worst ``k`` % of them (or all), fanned out like the sweep
(:func:`importsub.distributed.map_chunks`, Dask optional).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
import polars as pl

from importsub.analysis.montecarlo import MonteCarloSpec, draw_availability, montecarlo
from importsub.analysis.propagation import Plan, Propagator
from importsub.analysis.result import Result, fingerprint
from importsub.analysis.simulate import (
    Availability,
    SimulationSpec,
    Simulator,
    Trajectory,
    lp_envelope,
    weekly_availability,
    with_recovery,
)
from importsub.analysis.ttr import ZERO_TOLERANCE
from importsub.analysis.ttr_phased import solve_shock
from importsub.compile.network import FloatArray, Network
from importsub.compile.shock import WEEKS_PER_YEAR, Shock
from importsub.model.errors import AnalysisError

Progress = Callable[[int, int], None]
TOP_BINDING = 5
"""Nodes named in the summary's ``binding nodes``."""


def ttr_bound(
    net: Network, sim: Simulator, shock: Shock, weeks: int, backlog: float = 0.0
) -> tuple[float, float, float]:
    """The phased TTR LP for the simulation's availabilities and window: (PI, lost, baseline lost) [RUB].

    Solved with the curve's linear envelope (:func:`~importsub.analysis.simulate.lp_envelope`).
    """
    env = lp_envelope(with_recovery(net, shock, sim.spec.recovery), sim.spec.recovery)
    model, sol, base = solve_shock(net, env, float(weeks), backlog)
    pi = sol.lost_margin - base.lost_margin
    return (0.0 if pi <= model.zero_tolerance(float(weeks)) else pi), sol.lost_margin, base.lost_margin


def propagation_loss(net: Network, shock: Shock, weeks: int) -> float:
    """Propagation over the window (share plan, window-average availability): lost margin [RUB]."""
    t = float(weeks)
    plan = Plan.from_shares(net, t)
    la = shock.link_available(t) if shock.hit_links.size else None
    prop = Propagator(net, plan, la)
    beta = prop.run(shock.node_available(t))
    return float(prop.extra_loss(beta).sum())


def recovery_weeks(output: FloatArray, reference: FloatArray, level: float) -> int | None:
    """Weeks until weekly output is back to ``level`` × ``reference`` for good (0 if never below; None if not by the end)."""
    ok = output >= level * reference - 1e-9 * np.maximum(reference, 1.0)
    below = np.flatnonzero(~ok)
    if below.size == 0:
        return 0
    return None if below[-1] == output.size - 1 else int(below[-1]) + 1


def simulate_shock(net: Network, shock: Shock, spec: SimulationSpec | None = None, *, bound: bool = True) -> Result:
    """Simulate a shock week by week; ``weekly`` per week and OEM, ``summary`` beside the TTR bound.

    Parameters
    ----------
    net : Network
    shock : Shock
        From :func:`importsub.compile.shock.compile_shock` or built directly.
    spec : SimulationSpec
        Weeks, stock policy, target weeks, rationing, recovery curve, backlog.
    bound : bool
        Also solve the time-phased TTR LP (the summary's ``TTR performance impact [RUB]``).

    Returns
    -------
    Result
        ``weekly``: per week and OEM, demand, output, lost [units], lost
        margin [RUB], the binding input (the OEM's purchased input with the
        least stock cover) and its stock [units].  ``summary``: lost margin,
        performance impact (beyond the TTR baseline), the TTR bound's and the
        propagation's, weeks to recover 95 % of output, weeks below the
        service level, the binding nodes.

    Examples
    --------
    >>> r = simulate_shock(net, compile_shock(ds, net, "cn-8w"), SimulationSpec(weeks=16))  # doctest: +SKIP
    >>> r["summary"]["performance impact [RUB]"][0] >= r["summary"]["TTR performance impact [RUB]"][0]  # doctest: +SKIP
    True
    """
    spec = spec or SimulationSpec()
    sim = Simulator(net, spec)
    W = spec.weeks
    traj = sim.run(weekly_availability(net, shock, W, spec.recovery))
    base = sim.run(weekly_availability(net, None, W))
    if bound:
        ttr_pi, _, lp_base = ttr_bound(net, sim, shock, W, spec.backlog)
    else:
        ttr_pi, lp_base = float("nan"), base.lost_margin
    tol = ZERO_TOLERANCE * float(np.sum(net.margin * net.demand)) * W / WEEKS_PER_YEAR + 1e-9
    pi = traj.lost_margin - lp_base
    pi = 0.0 if pi <= tol else pi
    weekly = weekly_table(net, traj)
    out_w, base_w, dem_w = traj.delivered.sum(axis=1), base.delivered.sum(axis=1), traj.demand.sum(axis=1)
    below = int(np.count_nonzero(out_w < spec.service_level * dem_w - 1e-9 * np.maximum(dem_w, 1.0)))
    summary = pl.DataFrame(
        {
            "scenario": [shock.name],
            "window [weeks]": [float(W)],
            "policy": [spec.policy or "none"],
            "target weeks [weeks]": [float(spec.target_weeks)],
            "rationing": [spec.rationing],
            "recovery curve": [spec.recovery or "scenario"],
            "backlog [fraction]": [float(spec.backlog)],
            "demand margin [RUB]": [float(np.sum(net.margin[traj.final] * traj.demand.sum(axis=0)))],
            "lost margin [RUB]": [traj.lost_margin],
            "baseline lost margin [RUB]": [lp_base],
            "simulated baseline lost margin [RUB]": [base.lost_margin],
            "performance impact [RUB]": [pi],
            "TTR performance impact [RUB]": [ttr_pi],
            "propagation loss [RUB]": [max(propagation_loss(net, shock, W), 0.0)],
            "weeks to recover 95% [weeks]": [recovery_weeks(out_w, base_w, 0.95)],
            "weeks below service level [weeks]": [below],
            "service level [%]": [100.0 * spec.service_level],
            "binding nodes": [binding_nodes(net, traj)],
        },
        schema_overrides={"weeks to recover 95% [weeks]": pl.Int64, "weeks below service level [weeks]": pl.Int64},
    )
    fp = fingerprint(
        net,
        analysis="simulate",
        **shock.describe(),
        weeks=W,
        policy=spec.policy or "none",
        target_weeks=float(spec.target_weeks),
        rationing=spec.rationing,
        recovery=spec.recovery or "scenario",
        backlog=float(spec.backlog),
        alternatives=spec.alternatives,
    )
    return Result("simulate", {"weekly": weekly, "summary": summary}, fp)


def weekly_table(net: Network, traj: Trajectory) -> pl.DataFrame:
    """Per week and OEM: demand, output, lost [units], lost margin [RUB], binding input and its stock [units]."""
    fin = traj.final
    org = net.site_org[net.node_site[fin]]
    oems, oem_of = np.unique(org, return_inverse=True)
    W, K = traj.demand.shape[0], oems.size
    margin = net.margin[fin]

    def per_oem(values: FloatArray) -> FloatArray:  # (W × F) → (W × K)
        out = np.zeros((W, K))
        for k in range(K):
            out[:, k] = values[:, oem_of == k].sum(axis=1)
        return out

    dem, out, lost = per_oem(traj.demand), per_oem(traj.delivered), per_oem(traj.lost)
    lm = per_oem(traj.lost * margin[None, :])
    # the binding input of an OEM: its purchased input (at its vehicle sites) with the least weeks of cover
    fg = traj.final_groups
    g_org = net.site_org[net.group_site[fg]]
    sim_u = np.asarray(net.need @ _gross(net), dtype=np.float64)[fg] / WEEKS_PER_YEAR
    cover = np.where(sim_u > 0, traj.final_group_stock / np.where(sim_u > 0, sim_u, 1.0), np.inf)
    bind_part: list[str | None] = []
    bind_stock: list[float | None] = []
    names = net.organization_names or net.organizations
    rows_oem, rows_name, rows_week = [], [], []
    for w in range(W):
        for o in oems:
            rows_week.append(w + 1)
            rows_oem.append(net.organizations[int(o)])
            rows_name.append(names[int(o)])
            mine = np.flatnonzero((g_org == o) & np.isfinite(cover[w]))
            if mine.size:
                # the least filled input first (γ), then the least cover
                pick = mine[np.lexsort((cover[w, mine], traj.final_group_fill[w, mine]))[0]]
                bind_part.append(net.parts[int(net.group_part[fg[pick]])])
                stock = float(traj.final_group_stock[w, pick])
                bind_stock.append(stock if stock > 1e-6 * max(1.0, float(sim_u[pick])) else 0.0)  # no crumbs
            else:
                bind_part.append(None)
                bind_stock.append(None)
    return pl.DataFrame(
        {
            "week": rows_week,
            "OEM": rows_oem,
            "OEM name": rows_name,
            "demand [units]": dem.reshape(-1),
            "output [units]": out.reshape(-1),
            "lost [units]": lost.reshape(-1),
            "lost margin [RUB]": lm.reshape(-1),
            "binding input": bind_part,
            "binding input stock [units]": bind_stock,
        },
        schema_overrides={"week": pl.Int64, "binding input": pl.String, "binding input stock [units]": pl.Float64},
    )


def _gross(net: Network) -> FloatArray:
    from importsub.compile.matrices import gross_output

    return gross_output(net)


def binding_nodes(net: Network, traj: Trajectory, top: int = TOP_BINDING) -> str:
    """The nodes that fell short of their plan by the most value, ``SITE/PART (k wk)``, most first."""
    order = np.argsort(-traj.short_value, kind="stable")[:top]
    order = order[traj.short_value[order] > 0]
    return "; ".join(f"{net.node_label(int(j))} ({int(traj.short_weeks[j])} wk)" for j in order)


# ====================================================================== Monte Carlo


def _simulate_chunk(sim: Simulator, task: Sequence[tuple[int, FloatArray]]) -> list[tuple[int, float]]:
    """(run, lost margin [RUB]) of each sampled scenario (availability constant over the window)."""
    W = sim.spec.weeks
    out = []
    for run, a in task:
        nodes = np.broadcast_to(a, (W, a.size)).copy()
        pools = weekly_availability(sim.net, Shock.from_availability(sim.net, a, float(W)), W, sim.spec.recovery).pools
        out.append((run, sim.run(Availability(nodes, None, pools)).lost_margin))
    return out


def simulate_montecarlo(
    net: Network,
    mc: MonteCarloSpec,
    spec: SimulationSpec | None = None,
    *,
    worst: float | None = 1.0,
    reference: str = "lp",
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """Monte Carlo as :func:`~importsub.analysis.montecarlo.montecarlo`, plus the simulation of sampled scenarios.

    Parameters
    ----------
    worst : float [%], optional
        Simulate the worst ``worst`` % of the runs by propagated loss (at least
        one run); None simulates every run.
    spec : SimulationSpec
        Its ``weeks`` is replaced by the Monte Carlo window (rounded up to whole weeks).

    Returns
    -------
    Result
        The Monte Carlo tables, plus ``simulated runs`` (run, propagated and
        simulated loss [RUB] beyond the TTR baseline) and ``models`` (expected
        loss, VaR and CVaR 95 % [RUB] of both models over the simulated runs).
    """
    weeks = int(np.ceil(mc.window - 1e-9))
    if abs(weeks - mc.window) > 1e-9:
        raise AnalysisError(f"the simulation runs whole weeks: give a window of whole weeks, not {mc.window:g}")
    spec = dataclasses.replace(spec or SimulationSpec(), weeks=weeks)
    result = montecarlo(net, mc, reference=reference, scheduler=scheduler, workers=workers, keep_runs=True)
    runs = result["runs"]
    total = runs["loss [RUB]"].to_numpy()
    if worst is None:
        chosen = np.arange(total.size)
    else:
        if not 0 < worst <= 100:
            raise AnalysisError(f"worst must be a share in (0, 100] %, not {worst!r}")
        k = max(1, int(np.ceil(worst / 100.0 * total.size)))
        chosen = np.sort(np.argsort(-total, kind="stable")[:k])
    sim = Simulator(net, spec)
    lp_base = ttr_bound(net, sim, Shock.none(net), weeks, spec.backlog)[2]
    tasks: list[list[tuple[int, FloatArray]]] = []
    per_task = 8
    for s in range(0, chosen.size, per_task):
        part = chosen[s : s + per_task]
        tasks.append([(int(r), draw_availability(net, mc, int(r), 1)[0][:, 0]) for r in part])
    from importsub.distributed import map_chunks

    done = map_chunks(_simulate_chunk, tasks, shared=(sim,), scheduler=scheduler, workers=workers, progress=progress)
    lost = dict(item for part in done for item in part)
    tol = ZERO_TOLERANCE * float(np.sum(net.margin * net.demand)) * weeks / WEEKS_PER_YEAR
    sim_loss = np.array([max(lost[int(r)] - lp_base, 0.0) for r in chosen])
    sim_loss[sim_loss <= tol] = 0.0
    prop_loss = total[chosen]
    sim_runs = pl.DataFrame(
        {"run": chosen.astype(np.int64), "loss [RUB]": prop_loss, "simulated loss [RUB]": sim_loss}
    ).sort("simulated loss [RUB]", descending=True)
    models = pl.DataFrame(
        {
            "model": ["propagation", "simulation"],
            "runs": [int(chosen.size)] * 2,
            **{
                col: [_risk(prop_loss)[key], _risk(sim_loss)[key]]
                for col, key in (
                    ("expected loss [RUB]", "mean"),
                    ("VaR 95% [RUB]", "var95"),
                    ("CVaR 95% [RUB]", "cvar95"),
                )
            },
        }
    )
    tables = {k: v for k, v in result.tables.items() if k != "runs"}
    tables.update({"simulated runs": sim_runs, "models": models})
    fp = dict(result.fingerprint)
    fp.update(
        simulated="all" if worst is None else f"worst {worst:g}%",
        policy=spec.policy or "none",
        target_weeks=float(spec.target_weeks),
        rationing=spec.rationing,
        recovery=spec.recovery or "scenario",
    )
    return Result("montecarlo", tables, fp)


def _risk(x: FloatArray) -> dict[str, float]:
    if x.size == 0:
        return {"mean": 0.0, "var95": 0.0, "cvar95": 0.0}
    var = float(np.quantile(x, 0.95))
    tail = x[x >= var]
    return {"mean": float(x.mean()), "var95": var, "cvar95": float(tail.mean()) if tail.size else var}


__all__ = ["binding_nodes", "propagation_loss", "simulate_montecarlo", "simulate_shock", "ttr_bound", "weekly_table"]
