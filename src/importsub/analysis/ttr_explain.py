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
Each sentence is a declared message (:mod:`importsub.model.messages`): the
English ``why`` is rendered from ``why id`` and ``why args``, which pages and
reports render again in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from importsub.analysis.ttr import TTRSolution
from importsub.analysis.ttr_phased import PhasedSolution, PhasedTTR, period_available
from importsub.compile.network import BoolArray, FloatArray
from importsub.compile.shock import Shock
from importsub.model.messages import args_json, render_why, why

SCHEMA = {
    "constraint": pl.String,
    "where": pl.String,
    "start [weeks]": pl.Float64,
    "end [weeks]": pl.Float64,
    "shadow price [RUB/unit]": pl.Float64,
    "units short [units]": pl.Float64,
    "why": pl.String,
    "also binding in baseline": pl.Boolean,
    "why id": pl.String,  # the sentence as a message id and its parameters (importsub.model.messages)
    "why args": pl.String,
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
    kept = (
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
    english = [render_why(i, args, "en") for i, args in kept.select("why id", "why args").iter_rows()]
    return kept.with_columns(pl.Series("why", english, dtype=pl.String))


@dataclass(frozen=True, eq=False)
class _Period:
    """What every row of one period needs: the model, both solutions, the shock and the readable names."""

    model: PhasedTTR
    sol: TTRSolution
    a: FloatArray  # node availability in the period [fraction]
    hit: BoolArray  # nodes the shock reaches in the period
    losing: bool  # vehicles are lost beyond the baseline in this period
    t0: float  # [weeks]
    t1: float  # [weeks]
    base_rd: FloatArray  # baseline row duals
    base_cd: FloatArray  # baseline column duals
    col_upper: FloatArray  # the period's column bounds
    pool_upper: FloatArray  # the period's pool bounds [units]
    eps: float  # shadow prices below this are not binding [RUB/unit]

    @property
    def tau(self) -> float:
        """Length of the period [years]."""
        return (self.t1 - self.t0) / 52.0

    def site_name(self, s: int) -> str:
        net = self.model.network
        return (net.site_names or net.sites)[s]

    def part_name(self, p: int) -> str:
        net = self.model.network
        return (net.part_names or net.parts)[p]

    def pool_name(self, q: int) -> str:
        net = self.model.network
        return net.pool_names[q] if net.pool_names else str(q)

    def node_txt(self, i: int) -> str:
        net = self.model.network
        s = int(net.node_site[i])
        return f"{self.site_name(s)} ({net.countries[int(net.site_country[s])]})"

    def row(
        self, kind: str, where: str, price: float, short: float, message: dict[str, Any], in_base: bool
    ) -> dict[str, Any]:
        """One row; ``message`` (:func:`~importsub.model.messages.why`) is stored as ``why id`` and ``why args``,
        from which :func:`explain` renders the English ``why`` of the rows it keeps (and pages, other languages)."""
        return {
            "constraint": kind,
            "where": where,
            "start [weeks]": self.t0,
            "end [weeks]": self.t1,
            "shadow price [RUB/unit]": price,
            "units short [units]": short,
            "why": None,  # rendered for the rows kept (explain)
            "also binding in baseline": in_base,
            "why id": message["id"],
            "why args": args_json(message["args"]),
        }


def _period_rows(
    model: PhasedTTR, k: int, sol: TTRSolution, base: TTRSolution, a: FloatArray, losing: bool, stock_used: FloatArray
) -> list[dict[str, Any]]:
    """Rows of period ``k`` (0-based): input shortages, cut and full capacities, pools, non-qualified links."""
    one = model.one
    assert sol.row_dual is not None
    assert sol.col_dual is not None
    assert sol.p is not None
    pc = _Period(
        model=model,
        sol=sol,
        a=a,
        hit=a < 1.0,
        losing=losing,
        t0=float(model.ends[k - 1]) if k else 0.0,
        t1=float(model.ends[k]),
        base_rd=base.row_dual if base.row_dual is not None else np.zeros(one.n_rows),
        base_cd=base.col_dual if base.col_dual is not None else np.zeros(one.n_cols),
        col_upper=model.col_upper[k * model.C1 : (k + 1) * model.C1],
        pool_upper=model.row_upper[k * model.R1 : (k + 1) * model.R1][one.row_pool],
        eps=1e-9 * model.margin_scale,
    )
    net = model.network
    cap_lost = net.capacity * pc.tau * (1 - a) if losing else np.zeros(net.n_nodes)  # capacity the shock took [units]
    return [
        *_input_rows(pc, stock_used, _at_capacity(pc)),
        *_capacity_rows(pc, cap_lost),
        *_pool_rows(pc),
        *_link_rows(pc),
    ]


def _at_capacity(pc: _Period) -> BoolArray:
    """Nodes whose production reaches their own capacity or whose pool is full."""
    net, one, p = pc.model.network, pc.model.one, pc.sol.p
    assert p is not None
    pool_use = np.bincount(net.pool[one._pooled], weights=p[one._pooled], minlength=pc.pool_upper.size)
    pool_full = pool_use >= pc.pool_upper * (1 - 1e-9)
    in_full_pool = np.zeros(net.n_nodes, dtype=np.bool_)
    in_full_pool[one._pooled] = pool_full[net.pool[one._pooled]]
    full: BoolArray = (p >= pc.col_upper[one.col_p] * (1 - 1e-9)) | in_full_pool
    return full


def _suppliers_text(pc: _Period, sup: list[int], full: BoolArray) -> dict[str, Any]:
    """How a group's qualified suppliers stand: all disrupted, or how many disrupted and at capacity."""
    net, hit = pc.model.network, pc.hit
    down = [i for i in sup if hit[i]]
    countries = "/".join(sorted({net.countries[int(net.node_country[i])] for i in sup}))
    if sup and len(down) == len(sup):
        return why("suppliers all disrupted", n=len(sup), countries=countries)
    if sup:
        n_full = sum(1 for i in sup if not hit[i] and full[i])
        return why("suppliers in part disrupted", n=len(sup), countries=countries, down=len(down), full=n_full)
    return why("no qualified supplier")


def _input_rows(pc: _Period, stock_used: FloatArray, full: BoolArray) -> list[dict[str, Any]]:
    """Binding input groups: the part a buyer is short of, its suppliers, and the units short [units]."""
    model, net, one, sol = pc.model, pc.model.network, pc.model.one, pc.sol
    assert sol.row_dual is not None
    g_dual = sol.row_dual[one.row_group]
    supply = np.bincount(net.link_group, weights=sol.f, minlength=g_dual.size) + stock_used
    required = model.normal_need * pc.tau
    short_g = np.maximum(required - supply, 0.0) if pc.losing else np.zeros(g_dual.size)
    out: list[dict[str, Any]] = []
    for g in (int(v) for v in np.flatnonzero(g_dual < -pc.eps)):
        links = np.flatnonzero(net.link_group == g)
        sup = [int(net.link_supplier[e]) for e in links[net.link_qualified[links]]]
        head = _suppliers_text(pc, sup, full)
        names: list[Any] = [
            why("supplier down", supplier=pc.node_txt(i)) if pc.hit[i] else pc.node_txt(i) for i in sup[:4]
        ]
        names += [why("more suppliers", n=len(sup) - 4)] if len(sup) > 4 else []
        part = pc.part_name(int(net.group_part[g]))
        short = float(short_g[g])
        weeks = {"start": pc.t0, "end": pc.t1}
        amount = (
            why("units short", short=short, needed=float(required[g]), **weeks)
            if short > 0
            else why("no units lost", **weeks)
        )
        out.append(
            pc.row(
                "input shortage",
                f"{part} for {pc.site_name(int(net.group_site[g]))}",
                float(-g_dual[g]),
                short,
                why("input shortage", part=part, suppliers=head, amount=amount, names=names),
                bool(pc.base_rd[net.n_nodes + g] < -pc.eps),
            )
        )
    return out


def _capacity_rows(pc: _Period, cap_lost: FloatArray) -> list[dict[str, Any]]:
    """Binding production bounds: a capacity the shock cut, or a node at full capacity."""
    net, one, sol = pc.model.network, pc.model.one, pc.sol
    assert sol.col_dual is not None
    p_dual = sol.col_dual[one.col_p]
    out: list[dict[str, Any]] = []
    for j in (int(v) for v in np.flatnonzero(p_dual < -pc.eps)):
        what = {"part": pc.part_name(int(net.node_part[j])), "node": pc.node_txt(j), "start": pc.t0, "end": pc.t1}
        if pc.hit[j]:
            kind = "capacity cut"
            message = why(kind, available=float(pc.a[j]), lost=float(cap_lost[j]), **what)
        else:
            kind = "at capacity"
            message = why(kind, capacity=float(pc.col_upper[one.col_p][j]), **what)
        in_base = bool(pc.base_cd[j] < -pc.eps)
        out.append(pc.row(kind, net.node_label(j), float(-p_dual[j]), float(cap_lost[j]), message, in_base))
    return out


def _pool_rows(pc: _Period) -> list[dict[str, Any]]:
    """Binding capacity pools: a flexible line with all its parts down (a cut), or one at its limit."""
    net, one, sol, tau = pc.model.network, pc.model.one, pc.sol, pc.tau
    assert sol.row_dual is not None
    k_dual = sol.row_dual[one.row_pool]
    out: list[dict[str, Any]] = []
    for q in (int(v) for v in np.flatnonzero(k_dual < -pc.eps)):
        site = pc.site_name(int(net.pool_site[q]))
        name = pc.pool_name(q)
        members = np.flatnonzero(net.pool == q)
        where = f"{site} pool {name}"
        in_base = bool(pc.base_rd[one.row_pool][q] < -pc.eps)
        if pc.pool_upper[q] <= 0:
            pool_lost = float(net.pool_capacity[q] * tau) if pc.losing else 0.0
            lost = float(net.pool_capacity[q] * tau)
            message = why("pool cut", pool=name, site=site, lost=lost, start=pc.t0, end=pc.t1)
            out.append(pc.row("capacity cut", where, float(-k_dual[q]), pool_lost, message, in_base))
            continue
        message = why(
            "pool at limit",
            pool=name,
            site=site,
            capacity=float(pc.pool_upper[q]),
            start=pc.t0,
            end=pc.t1,
            parts=int(members.size),
        )
        out.append(pc.row("capacity pool", where, float(-k_dual[q]), 0.0, message, in_base))
    return out


def _link_rows(pc: _Period) -> list[dict[str, Any]]:
    """Binding share bounds of links that are not qualified to deliver more than their share."""
    net, one, sol = pc.model.network, pc.model.one, pc.sol
    assert sol.col_dual is not None
    f_dual = sol.col_dual[one.col_f]
    out: list[dict[str, Any]] = []
    for e in (int(v) for v in np.flatnonzero((f_dual < -pc.eps) & ~net.link_qualified)):
        i, grp = int(net.link_supplier[e]), int(net.link_group[e])
        out.append(
            pc.row(
                "link not qualified",
                f"{net.node_label(i)} → {pc.site_name(int(net.group_site[grp]))}",
                float(-f_dual[e]),
                0.0,
                why(
                    "link not qualified",
                    supplier=pc.node_txt(i),
                    share=float(net.link_share[e]),
                    part=pc.part_name(int(net.group_part[grp])),
                ),
                bool(pc.base_cd[net.n_nodes + e] < -pc.eps),
            )
        )
    return out
