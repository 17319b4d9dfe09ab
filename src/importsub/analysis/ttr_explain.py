"""Why a shock loses what it loses: binding constraints of the phased TTR model, readable.

Each row is one constraint in one period with a shadow price (the change of
lost margin per unit more on its bound [RUB/unit]).  Figures that say how
much is short are measured against the baseline over the same period, and
are shown only in periods where vehicles are actually lost beyond the
baseline: ``units short`` of an input = its buyer's normal need over the
period minus what its suppliers delivered and its stock gave; of a capacity =
the capacity the shock took in the period.
Capacity pools are named by their ``pool`` field; a pool whose members are
all down is a capacity cut, not a line "at its limit"; a supplier counts as
"at capacity" when its own capacity or its pool is exhausted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from importsub.analysis.ttr import TTRSolution
from importsub.analysis.ttr_phased import PhasedSolution, PhasedTTR, period_available
from importsub.compile.network import FloatArray
from importsub.compile.shock import Shock

SCHEMA = {
    "constraint": pl.String,
    "where": pl.String,
    "start [weeks]": pl.Float64,
    "end [weeks]": pl.Float64,
    "shadow price [RUB/unit]": pl.Float64,
    "units short [units]": pl.Float64,
    "why": pl.String,
    "also binding in baseline": pl.Boolean,
}
_PRIORITY = {"input shortage": 0, "capacity pool": 1, "capacity cut": 2, "link not qualified": 3, "at capacity": 4}


def explain(
    model: PhasedTTR, sol: PhasedSolution, base: PhasedSolution, shock: Shock | None, top: int = 20
) -> pl.DataFrame:
    """Binding constraints of every period, ranked by shadow price × shortfall (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    net = model.network
    for k in range(model.K):
        t0, t1 = float(sol.starts[k]), float(sol.ends[k])
        a, _ = period_available(shock, net.n_nodes, net.n_links, t0, t1)
        lost = float(np.sum(sol.lost_units[k] - base.lost_units[k]))
        losing = lost > 1e-9 * max(1.0, float(np.sum(sol.periods[k].demand)))
        used = np.maximum(sol.group_stock[k] - sol.group_stock[k + 1], 0.0)
        rows += _period_rows(model, k, sol.periods[k], base.periods[k], a, losing, used)
    df = pl.DataFrame(rows, schema=SCHEMA)
    if df.height == 0:
        return df
    return (
        df.with_columns(
            (pl.col("shadow price [RUB/unit]") * pl.col("units short [units]")).alias("_v"),
            pl.col("constraint").replace_strict(_PRIORITY, return_dtype=pl.Int64).alias("_k"),
        )
        .sort(
            ["also binding in baseline", "_k", "_v", "shadow price [RUB/unit]", "where", "start [weeks]"],
            descending=[False, False, True, True, False, False],
        )
        .drop("_v", "_k")
        .head(top)
    )


def _period_rows(
    model: PhasedTTR, k: int, sol: TTRSolution, base: TTRSolution, a: FloatArray, losing: bool, stock_used: FloatArray
) -> list[dict[str, Any]]:
    """Rows of period ``k`` (0-based): input shortages, cut and full capacities, pools, non-qualified links."""
    one, net = model.one, model.network
    assert sol.row_dual is not None
    assert sol.col_dual is not None
    assert sol.p is not None
    col_upper = model.col_upper[k * model.C1 : (k + 1) * model.C1]
    pool_upper = model.row_upper[k * model.R1 : (k + 1) * model.R1][one.row_pool]
    t0 = float(model.ends[k - 1]) if k else 0.0
    t1 = float(model.ends[k])
    weeks = f"weeks {t0:g}–{t1:g}"
    hit = a < 1.0
    site_name = net.site_names or net.sites
    part_name = net.part_names or net.parts
    pool_name = net.pool_names or tuple(str(i) for i in range(net.pool_capacity.size))
    n = net.n_nodes
    eps = 1e-9 * model.margin_scale
    base_rd = base.row_dual if base.row_dual is not None else np.zeros(one.n_rows)
    base_cd = base.col_dual if base.col_dual is not None else np.zeros(one.n_cols)
    tau = (t1 - t0) / 52.0
    cap_lost = net.capacity * tau * (1 - a) if losing else np.zeros(n)  # capacity taken by the shock [units]
    pool_use = np.bincount(net.pool[one._pooled], weights=sol.p[one._pooled], minlength=pool_upper.size)
    pool_full = pool_use >= pool_upper * (1 - 1e-9)
    in_full_pool = np.zeros(n, dtype=np.bool_)
    in_full_pool[one._pooled] = pool_full[net.pool[one._pooled]]
    full = (sol.p >= col_upper[one.col_p] * (1 - 1e-9)) | in_full_pool

    def node_txt(i: int) -> str:
        s = int(net.node_site[i])
        return f"{site_name[s]} ({net.countries[int(net.site_country[s])]})"

    def row(kind: str, where: str, price: float, short: float, why: str, in_base: bool) -> dict[str, Any]:
        return {
            "constraint": kind,
            "where": where,
            "start [weeks]": t0,
            "end [weeks]": t1,
            "shadow price [RUB/unit]": price,
            "units short [units]": short,
            "why": why,
            "also binding in baseline": in_base,
        }

    out: list[dict[str, Any]] = []
    g_dual = sol.row_dual[one.row_group]
    supply = np.bincount(net.link_group, weights=sol.f, minlength=g_dual.size) + stock_used
    required = model.normal_need * tau
    short_g = np.maximum(required - supply, 0.0) if losing else np.zeros(g_dual.size)
    for g in (int(v) for v in np.flatnonzero(g_dual < -eps)):
        links = np.flatnonzero(net.link_group == g)
        sup = [int(net.link_supplier[e]) for e in links[net.link_qualified[links]]]
        down = [i for i in sup if hit[i]]
        countries = sorted({net.countries[int(net.node_country[i])] for i in sup})
        if sup and len(down) == len(sup):
            head = f"all {len(sup)} qualified supplier(s) are disrupted, in {'/'.join(countries)}"
        elif sup:
            n_full = sum(1 for i in sup if not hit[i] and full[i])
            head = (
                f"{len(sup)} qualified supplier(s) in {'/'.join(countries)}; "
                f"{len(down)} disrupted, {n_full} at capacity (own or pool)"
            )
        else:
            head = "no qualified supplier"
        names = ", ".join(node_txt(i) + (" down" if hit[i] else "") for i in sup[:4]) + ("…" if len(sup) > 4 else "")
        p = int(net.group_part[g])
        short = float(short_g[g])
        amount = (
            f"{short:,.0f} units short of {required[g]:,.0f} needed in {weeks}"
            if short > 0
            else f"no units lost for it in {weeks}"
        )
        out.append(
            row(
                "input shortage",
                f"{part_name[p]} for {site_name[int(net.group_site[g])]}",
                float(-g_dual[g]),
                short,
                f"{part_name[p]}: {head}; {amount} (suppliers: {names})",
                bool(base_rd[n + g] < -eps),
            )
        )
    p_dual = sol.col_dual[one.col_p]
    for j in (int(v) for v in np.flatnonzero(p_dual < -eps)):
        what = f"{part_name[int(net.node_part[j])]} at {node_txt(j)}"
        if hit[j]:
            kind = "capacity cut"
            why = f"{what}: capacity cut to {100 * a[j]:.0f} % in {weeks} ({cap_lost[j]:,.0f} units of capacity lost)"
        else:
            kind = "at capacity"
            why = f"{what}: at full capacity ({col_upper[one.col_p][j]:,.0f} units in {weeks})"
        out.append(row(kind, net.node_label(j), float(-p_dual[j]), float(cap_lost[j]), why, bool(base_cd[j] < -eps)))
    k_dual = sol.row_dual[one.row_pool]
    for q in (int(v) for v in np.flatnonzero(k_dual < -eps)):
        site = site_name[int(net.pool_site[q])]
        members = np.flatnonzero(net.pool == q)
        where = f"{site} pool {pool_name[q]}"
        if pool_upper[q] <= 0:
            pool_lost = float(net.pool_capacity[q] * tau) if losing else 0.0
            out.append(
                row(
                    "capacity cut",
                    where,
                    float(-k_dual[q]),
                    pool_lost,
                    f"flexible line {pool_name[q]} at {site}: all its parts down in {weeks} "
                    f"({float(net.pool_capacity[q] * tau):,.0f} units of capacity lost)",
                    bool(base_rd[one.row_pool][q] < -eps),
                )
            )
            continue
        out.append(
            row(
                "capacity pool",
                where,
                float(-k_dual[q]),
                0.0,
                f"flexible line {pool_name[q]} at {site} at its limit ({pool_upper[q]:,.0f} units in {weeks}, "
                f"shared by {members.size} part(s))",
                bool(base_rd[one.row_pool][q] < -eps),
            )
        )
    f_dual = sol.col_dual[one.col_f]
    for e in (int(v) for v in np.flatnonzero((f_dual < -eps) & ~net.link_qualified)):
        i, grp = int(net.link_supplier[e]), int(net.link_group[e])
        out.append(
            row(
                "link not qualified",
                f"{net.node_label(i)} → {site_name[int(net.group_site[grp])]}",
                float(-f_dual[e]),
                0.0,
                f"{node_txt(i)} is not qualified to deliver more than its share "
                f"({net.link_share[e]:.0%}) of {part_name[int(net.group_part[grp])]}",
                bool(base_cd[n + e] < -eps),
            )
        )
    return out
