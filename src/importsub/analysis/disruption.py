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
from importsub.analysis.ttr_sweep import Target, _solve_targets, sweep, sweep_targets
from importsub.analysis.ttr_tts import _Curve, _tts_targets, time_to_survive, tts
from importsub.compile.network import Network
from importsub.compile.shock import WEEKS_PER_YEAR, Shock
from importsub.model.errors import AnalysisError

__all__ = [
    "DEFAULT_HORIZON",
    "IPM_COLUMNS",
    "ZERO_TOLERANCE",
    "LPArrays",
    "TTRModel",
    "TTRSolution",
    "Target",
    "_Curve",
    "_solve_targets",
    "_tts_targets",
    "build_ttr",
    "explain",
    "new_highs",
    "performance_impact",
    "run_shock",
    "shared_model",
    "sweep",
    "sweep_targets",
    "time_to_survive",
    "tts",
]


# ====================================================================== one shock


def performance_impact(
    network: Network, shock: Shock, t_weeks: float | None = None
) -> tuple[float, TTRSolution, TTRSolution]:
    """``PI`` [RUB], the shocked and the baseline solutions over the same window.

    ``PI = lost(shock) − lost(baseline)``, clipped to 0 within the zero tolerance.
    """
    t = float(t_weeks if t_weeks is not None else shock.window)
    model = TTRModel(network, None, t)
    base = model.solve()
    model.set_shock(shock, t)
    sol = model.solve()
    pi = sol.lost_margin - base.lost_margin
    if pi <= model.zero_tolerance(t):
        pi = 0.0
    return pi, sol, base


def run_shock(network: Network, shock: Shock, t_weeks: float | None = None, *, why: int = 20) -> Result:
    """Performance impact of one shock: lost units and margin per vehicle and OEM, and why.

    Parameters
    ----------
    network : Network
    shock : Shock
        From :func:`importsub.compile.shock.compile_shock` or built directly.
    t_weeks : float, optional [weeks]
        Window; default the shock's (longest disruption + recovery ramp).
    why : int
        Binding constraints listed.

    Returns
    -------
    Result
        ``summary`` (window, lost margin shock/baseline, PI [RUB], surviving
        output [units] and [%]); ``vehicles`` and ``oems`` (lost units and
        margin, absolute and beyond the baseline); ``why`` (binding
        constraints, readable); ``targets`` (the disruptions).
    """
    t = float(t_weeks if t_weeks is not None else shock.window)
    if not t > 0:
        raise AnalysisError(
            f"scenario {shock.name!r} has no disruption that lasts (window 0 weeks); give a window in weeks"
            " (--weeks) to see its losses against demand"
        )
    model = TTRModel(network, None, t)
    base = model.solve()
    model.set_shock(shock, t)
    sol = model.solve()
    tol = model.zero_tolerance(t)
    pi = sol.lost_margin - base.lost_margin
    pi = 0.0 if pi <= tol else pi
    net = network
    fin = model.final
    labels = node_frame(net)[fin.tolist()]
    margin = net.margin[fin]
    vehicles = labels.select("site", "site name", "organization", "part", "part name").with_columns(
        pl.Series("demand [units]", sol.demand),
        pl.Series("delivered [units]", sol.delivered),
        pl.Series("lost [units]", sol.lost_units),
        pl.Series("lost in baseline [units]", base.lost_units),
        pl.Series("extra lost [units]", sol.lost_units - base.lost_units),
        pl.Series("margin [RUB/unit]", margin),
        pl.Series("extra lost margin [RUB]", (sol.lost_units - base.lost_units) * margin),
    )
    org_names = dict(zip(net.organizations, net.organization_names or net.organizations, strict=True))
    oems = (
        vehicles.group_by("organization", maintain_order=True)
        .agg(
            pl.col("demand [units]").sum(),
            pl.col("delivered [units]").sum(),
            pl.col("lost [units]").sum(),
            pl.col("extra lost [units]").sum(),
            pl.col("extra lost margin [RUB]").sum(),
        )
        .with_columns(
            pl.col("organization").replace_strict(org_names, default=pl.col("organization")).alias("OEM name")
        )
        .rename({"organization": "OEM"})
        .sort("extra lost margin [RUB]", descending=True)
    )
    vehicles = vehicles.sort("extra lost margin [RUB]", descending=True)
    demand_units = float(sol.demand.sum())
    summary = pl.DataFrame(
        {
            "scenario": [shock.name],
            "window [weeks]": [t],
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
    tables = {"summary": summary, "vehicles": vehicles, "oems": oems, "why": explain(model, sol, base, shock, top=why)}
    if shock.targets.width:
        tables["targets"] = shock.targets
    return Result("shock", tables, fingerprint(net, analysis="shock", **shock.describe(), window_weeks=t))


def explain(model: TTRModel, sol: TTRSolution, base: TTRSolution, shock: Shock | None, top: int = 20) -> pl.DataFrame:
    """Binding constraints of a solution, readable, ranked by shadow price × shortfall.

    Input shortages (group rows with a dual), capacity cut by the shock,
    capacity pools and nodes at full capacity (column duals); a column
    ``also binding in baseline`` says whether the constraint binds without
    the shock too.
    """
    net = model.network
    assert sol.row_dual is not None
    assert sol.col_dual is not None
    assert sol.f is not None
    assert sol.p is not None
    t = sol.t_weeks
    tau = t / WEEKS_PER_YEAR
    a = shock.node_available(t) if shock is not None else np.ones(net.n_nodes)
    hit = a < 1.0
    site_name = net.site_names or net.sites
    part_name = net.part_names or net.parts
    n = net.n_nodes
    eps = 1e-9 * model.margin_scale
    base_rd = base.row_dual if base.row_dual is not None else np.zeros(model.n_rows)
    base_cd = base.col_dual if base.col_dual is not None else np.zeros(model.n_cols)

    def node_txt(i: int) -> str:
        s = int(net.node_site[i])
        return f"{site_name[s]} ({net.countries[int(net.site_country[s])]})"

    rows: list[dict[str, Any]] = []
    # input shortages
    g_dual = sol.row_dual[model.row_group]
    supply = np.bincount(net.link_group, weights=sol.f, minlength=g_dual.size) + net.group_stock
    required = model.normal_need * tau
    for g in np.flatnonzero(g_dual < -eps):
        short = max(0.0, float(required[g] - supply[g]))
        links = np.flatnonzero(net.link_group == g)
        qual = links[net.link_qualified[links]]
        sup = [int(net.link_supplier[e]) for e in qual]
        down = [i for i in sup if hit[i]]
        countries = sorted({net.countries[int(net.node_country[i])] for i in sup})
        if sup and len(down) == len(sup):
            head = f"all {len(sup)} qualified supplier(s) are disrupted, in {'/'.join(countries)}"
        elif sup:
            full = [i for i in sup if sol.p[i] >= model.col_upper[i] * (1 - 1e-9)]
            head = (
                f"{len(sup)} qualified supplier(s) in {'/'.join(countries)}; "
                f"{len(down)} disrupted, {len(full)} at capacity"
            )
        else:
            head = "no qualified supplier"
        names = ", ".join(node_txt(i) + (" down" if hit[i] else "") for i in sup[:4]) + ("…" if len(sup) > 4 else "")
        p = int(net.group_part[g])
        rows.append(
            {
                "constraint": "input shortage",
                "where": f"{part_name[p]} for {site_name[int(net.group_site[g])]}",
                "shadow price [RUB/unit]": float(-g_dual[g]),
                "units short [units]": short,
                "why": f"{part_name[p]}: {head}; {short:,.0f} units short of {required[g]:,.0f} needed over "
                f"{t:g} weeks (suppliers: {names})",
                "also binding in baseline": bool(base_rd[n + g] < -eps),
            }
        )
    # capacity of nodes
    p_dual = sol.col_dual[model.col_p]
    for j in (int(v) for v in np.flatnonzero(p_dual < -eps)):
        cap_w = float(net.capacity[j] * tau)
        if hit[j]:
            lost = cap_w * (1 - a[j])
            why = (
                f"{part_name[int(net.node_part[j])]} at {node_txt(j)}: capacity cut to {100 * a[j]:.0f} % over the "
                f"window ({lost:,.0f} units lost)"
            )
            kind = "capacity cut"
        else:
            lost = 0.0
            why = f"{part_name[int(net.node_part[j])]} at {node_txt(j)}: at full capacity ({cap_w:,.0f} units over {t:g} weeks)"
            kind = "at capacity"
        rows.append(
            {
                "constraint": kind,
                "where": net.node_label(int(j)),
                "shadow price [RUB/unit]": float(-p_dual[j]),
                "units short [units]": lost,
                "why": why,
                "also binding in baseline": bool(base_cd[j] < -eps),
            }
        )
    # pools
    k_dual = sol.row_dual[model.row_pool]
    for k in np.flatnonzero(k_dual < -eps):
        rows.append(
            {
                "constraint": "capacity pool",
                "where": f"{site_name[int(net.pool_site[k])]} pool {k}",
                "shadow price [RUB/unit]": float(-k_dual[k]),
                "units short [units]": 0.0,
                "why": f"flexible line at {site_name[int(net.pool_site[k])]} at its limit "
                f"({model.row_upper[model.row_pool][k]:,.0f} units over {t:g} weeks)",
                "also binding in baseline": bool(base_rd[model.row_pool][k] < -eps),
            }
        )
    # non-qualified links at their share
    f_dual = sol.col_dual[model.col_f]
    for e in np.flatnonzero((f_dual < -eps) & ~net.link_qualified):
        i = int(net.link_supplier[e])
        grp = int(net.link_group[e])
        rows.append(
            {
                "constraint": "link not qualified",
                "where": f"{net.node_label(i)} → {site_name[int(net.group_site[grp])]}",
                "shadow price [RUB/unit]": float(-f_dual[e]),
                "units short [units]": 0.0,
                "why": f"{node_txt(i)} is not qualified to deliver more than its share "
                f"({net.link_share[e]:.0%}) of {part_name[int(net.group_part[grp])]}",
                "also binding in baseline": bool(base_cd[n + e] < -eps),
            }
        )
    schema = {
        "constraint": pl.String,
        "where": pl.String,
        "shadow price [RUB/unit]": pl.Float64,
        "units short [units]": pl.Float64,
        "why": pl.String,
        "also binding in baseline": pl.Boolean,
    }
    df = pl.DataFrame(rows, schema=schema)
    if df.height == 0:
        return df
    priority = {"input shortage": 0, "capacity pool": 1, "capacity cut": 2, "link not qualified": 3, "at capacity": 4}
    return (
        df.with_columns(
            (pl.col("shadow price [RUB/unit]") * pl.col("units short [units]")).alias("_v"),
            pl.col("constraint").replace_strict(priority, return_dtype=pl.Int64).alias("_k"),
        )
        .sort(
            ["also binding in baseline", "_k", "_v", "shadow price [RUB/unit]"], descending=[False, False, True, True]
        )
        .drop("_v", "_k")
        .head(top)
    )
