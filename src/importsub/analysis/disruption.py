"""Disruption impact of one shock: lost units and margin per vehicle, OEM and period, and why.

The models live in :mod:`importsub.analysis.ttr` (one window),
:mod:`importsub.analysis.ttr_phased` (periods inside the window),
:mod:`importsub.analysis.ttr_tts` (time to survive) and
:mod:`importsub.analysis.ttr_sweep` (risk-exposure sweep); their names are
re-exported here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from importsub.analysis.demand import node_frame
from importsub.analysis.result import Result, fingerprint
from importsub.analysis.ttr import (  # re-exported: the TTR model's public names
    DEFAULT_HORIZON,
    IPM_COLUMNS,
    ZERO_TOLERANCE,
    LPArrays,
    TTRModel,
    TTRSolution,
    build_ttr,
    new_highs,
    shared_model,
)
from importsub.analysis.ttr_explain import explain
from importsub.analysis.ttr_phased import PhasedSolution, PhasedTTR, period_ends, shared_phased, solve_shock
from importsub.analysis.ttr_sweep import Target, _solve_targets, sweep, sweep_targets
from importsub.analysis.ttr_tts import (
    _Curve,
    _tts_targets,
    held,
    time_to_survive,
    tts,
    tts_of_shock,
    tts_scenario,
    tts_sites,
)
from importsub.compile.network import Network
from importsub.compile.shock import Shock
from importsub.model.errors import AnalysisError

__all__ = [
    "DEFAULT_HORIZON",
    "DEFAULT_WINDOW_WEEKS",
    "IPM_COLUMNS",
    "ZERO_TOLERANCE",
    "LPArrays",
    "PhasedSolution",
    "PhasedTTR",
    "TTRModel",
    "TTRSolution",
    "Target",
    "_Curve",
    "_solve_targets",
    "_tts_targets",
    "build_ttr",
    "explain",
    "held",
    "new_highs",
    "performance_impact",
    "period_ends",
    "run_shock",
    "shared_model",
    "shared_phased",
    "shock_window",
    "solve_shock",
    "sweep",
    "sweep_targets",
    "time_to_survive",
    "tts",
    "tts_of_shock",
    "tts_scenario",
    "tts_sites",
    "with_window_basis",
]


# ====================================================================== one shock


def performance_impact(
    network: Network, shock: Shock, t_weeks: float | None = None, *, backlog: float = 0.0
) -> tuple[float, TTRSolution, TTRSolution]:
    """``PI`` [RUB], the shocked and the baseline solutions (totals over the window) of the phased model.

    ``PI = lost(shock) − lost(baseline)`` over the same periods, clipped to 0
    within the zero tolerance.  One period (the window equals the disruption)
    is the single-window model.
    """
    t = float(t_weeks if t_weeks is not None else shock.window)
    if not t > 0:  # an empty window loses nothing
        empty = TTRModel(network, None, 0.0).solve()
        return 0.0, empty, empty
    model, sol, base = solve_shock(network, shock, t, backlog)
    pi = sol.lost_margin - base.lost_margin
    if pi <= model.zero_tolerance(t):
        pi = 0.0
    return pi, sol.total, base.total


DEFAULT_WINDOW_WEEKS = 13.0
"""Window [weeks] of a scenario that disrupts nothing (demand changes or projects only): a quarter, as Monte Carlo's."""

WINDOW_GIVEN = "given"
WINDOW_OF_DISRUPTIONS = "longest disruption + recovery"
WINDOW_DEFAULT = "default: the scenario disrupts nothing"


def shock_window(shock: Shock, t_weeks: float | None = None) -> tuple[float, str]:
    """The window [weeks] a shock is solved over, and where it comes from (the summary's ``window basis``).

    A window given is used as it is; else the shock's own (longest
    disruption + recovery); a scenario that disrupts nothing (demand
    changes or projects only) gets :data:`DEFAULT_WINDOW_WEEKS`.

    Examples
    --------
    >>> nothing = Shock("demand +50%", *[np.zeros(2)] * 3, *[np.zeros(1)] * 3, window=0.0)
    >>> shock_window(nothing)
    (13.0, 'default: the scenario disrupts nothing')
    >>> shock_window(nothing, 4.0)
    (4.0, 'given')
    """
    if t_weeks is not None:
        return float(t_weeks), WINDOW_GIVEN
    if shock.window > 0:
        return float(shock.window), WINDOW_OF_DISRUPTIONS
    return DEFAULT_WINDOW_WEEKS, WINDOW_DEFAULT


def with_window_basis(result: Result, basis: str) -> Result:
    """``result`` with the ``window basis`` beside the summary's ``window [weeks]`` (a simulation's summary)."""
    summary = result["summary"]
    at = summary.columns.index("window [weeks]") + 1 if "window [weeks]" in summary.columns else summary.width
    summary = summary.insert_column(at, pl.Series("window basis", [basis] * summary.height, dtype=pl.String))
    return Result(result.name, {**result.tables, "summary": summary}, result.fingerprint)


def run_shock(
    network: Network, shock: Shock, t_weeks: float | None = None, *, why: int = 20, backlog: float = 0.0
) -> Result:
    """Performance impact of one shock: lost units and margin per vehicle, OEM and period, and why.

    Parameters
    ----------
    network : Network
    shock : Shock
        From :func:`importsub.compile.shock.compile_shock` or built directly.
    t_weeks : float, optional [weeks]
        Window; default the shock's (longest disruption + recovery ramp), or
        :data:`DEFAULT_WINDOW_WEEKS` when the shock disrupts nothing (a
        demand-only or project-only scenario: its losses are the demand the
        capacity cannot serve); the summary's ``window basis`` says which.
    why : int
        Binding constraints listed.
    backlog : float [fraction]
        Share of unmet demand that waits for later periods of the window (0 = lost sales).

    Returns
    -------
    Result
        ``summary`` (window, periods, lost margin shock/baseline, PI [RUB],
        surviving output [units] and [%]); ``vehicles`` and ``oems`` (lost
        units and margin, absolute and beyond the baseline); ``periods``
        (per period and OEM: start, end [weeks], extra lost units and margin);
        ``why`` (binding constraints per period, readable); ``targets`` (the disruptions).
    """
    t, basis = shock_window(shock, t_weeks)
    if not t > 0:
        raise AnalysisError(f"scenario {shock.name!r}: the window must be more than 0 weeks, not {t:g}")
    model, phased, base_phased = solve_shock(network, shock, t, backlog)
    sol, base = phased.total, base_phased.total
    tol = model.zero_tolerance(t)
    pi = sol.lost_margin - base.lost_margin
    pi = 0.0 if pi <= tol else pi
    net = network
    fin = model.final
    labels = node_frame(net)[fin.tolist()]
    margin = net.margin[fin]
    lost = phased.lost_units.sum(axis=0)
    base_lost = base_phased.lost_units.sum(axis=0)
    vehicles = labels.select("site", "site name", "organization", "part", "part name").with_columns(
        pl.Series("demand [units]", sol.demand),
        pl.Series("delivered [units]", sol.delivered),
        pl.Series("lost [units]", lost),
        pl.Series("lost in baseline [units]", base_lost),
        pl.Series("extra lost [units]", lost - base_lost),
        pl.Series("margin [RUB/unit]", margin),
        pl.Series("extra lost margin [RUB]", (lost - base_lost) * margin),
    )
    org_names = dict(zip(net.organizations, net.organization_names or net.organizations, strict=True))
    oem_name = pl.col("organization").replace_strict(org_names, default=pl.col("organization")).alias("OEM name")
    oems = (
        vehicles.group_by("organization", maintain_order=True)
        .agg(
            pl.col("demand [units]").sum(),
            pl.col("delivered [units]").sum(),
            pl.col("lost [units]").sum(),
            pl.col("extra lost [units]").sum(),
            pl.col("extra lost margin [RUB]").sum(),
        )
        .with_columns(oem_name)
        .rename({"organization": "OEM"})
        .sort(["extra lost margin [RUB]", "OEM"], descending=[True, False])
    )
    vehicles = vehicles.sort(["extra lost margin [RUB]", "site", "part"], descending=[True, False, False])
    demand_units = float(sol.demand.sum())
    summary = pl.DataFrame(
        {
            "scenario": [shock.name],
            "window [weeks]": [t],
            "window basis": [basis],
            "periods": [model.K],
            "backlog [fraction]": [float(backlog)],
            "nodes hit": [int(shock.hit_nodes.size)],
            "links cut": [int(shock.hit_links.size)],
            "demand margin [RUB]": [model.offset],
            "lost margin [RUB]": [sol.lost_margin],
            "baseline lost margin [RUB]": [base.lost_margin],
            "performance impact [RUB]": [pi],
            "surviving output [units]": [float(sol.delivered.sum())],
            "surviving output [%]": [100.0 * float(sol.delivered.sum()) / demand_units if demand_units > 0 else 100.0],
        }
    )
    tables = {
        "summary": summary,
        "vehicles": vehicles,
        "oems": oems,
        "periods": period_table(net, model, phased, base_phased),
        "why": explain(model, phased, base_phased, shock, top=why),
    }
    if shock.targets.width:
        tables["targets"] = shock.targets
    fp = fingerprint(net, analysis="shock", **shock.describe(), window_weeks=t, backlog=float(backlog))
    return Result("shock", tables, fp)


def period_table(net: Network, model: PhasedTTR, sol: PhasedSolution, base: PhasedSolution) -> pl.DataFrame:
    """Where time matters: per period and OEM, the units and margin lost beyond the baseline."""
    fin = model.final
    org = net.site_org[net.node_site[fin]]
    margin = net.margin[fin]
    org_names = net.organization_names or net.organizations
    rows: list[dict[str, Any]] = []
    for k in range(model.K):
        extra = sol.lost_units[k] - base.lost_units[k]
        for o in np.unique(org):
            sel = org == o
            rows.append(
                {
                    "period": k + 1,
                    "start [weeks]": float(sol.starts[k]),
                    "end [weeks]": float(sol.ends[k]),
                    "OEM": net.organizations[int(o)],
                    "OEM name": org_names[int(o)],
                    "demand [units]": float(sol.periods[k].demand[sel].sum()),
                    "lost [units]": float(sol.lost_units[k][sel].sum()),
                    "extra lost [units]": float(extra[sel].sum()),
                    "extra lost margin [RUB]": float((extra * margin)[sel].sum()),
                }
            )
    schema = {
        "period": pl.Int64,
        "start [weeks]": pl.Float64,
        "end [weeks]": pl.Float64,
        "OEM": pl.String,
        "OEM name": pl.String,
        "demand [units]": pl.Float64,
        "lost [units]": pl.Float64,
        "extra lost [units]": pl.Float64,
        "extra lost margin [RUB]": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)
