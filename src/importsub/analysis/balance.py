"""Demand–capacity balance of the country group, per part and year.

A capacity pool (a flexible line shared by several parts at one site) is one
capacity: its parts together can make at most ``min(pool capacity, Σ their
own capacities)``.  Balance splits that usable capacity among the pool's
parts by :data:`POOL_RULE` (:func:`pool_allocation`), so no part is credited
with capacity the line does not have.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from importsub.analysis.demand import gross_output, requirement_by_part
from importsub.analysis.localisation import DEFAULT_GROUP
from importsub.analysis.result import Result, fingerprint
from importsub.compile.network import BoolArray, FloatArray, IntArray, Network
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError

POOL_RULE = (
    "usable = min(pool, Σ part capacities), split in proportion to derived demand, each part capped at its own "
    "capacity, the rest re-spread; capacity left then goes to parts without demand by their capacity"
)
"""How :func:`pool_allocation` splits a capacity pool (also in each balance fingerprint)."""


def _water_fill(member_pool: IntArray, weight: FloatArray, cap: FloatArray, total: FloatArray) -> FloatArray:
    """Split ``total[p]`` over the members of each pool in proportion to ``weight``, each
    member capped at ``cap``; what a capped member cannot take is re-spread over the
    others (progressive filling).  Members with weight 0 get nothing.

    Each round caps at least one member of every pool that still overflows, so
    it ends after at most (members of the largest pool) rounds.
    """
    alloc = np.zeros(member_pool.size)
    active = weight > 0
    n_pools = total.size
    while True:
        fixed = np.bincount(member_pool[~active], weights=alloc[~active], minlength=n_pools)
        left = np.maximum(total - fixed, 0.0)
        wsum = np.bincount(member_pool[active], weights=weight[active], minlength=n_pools)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(wsum[member_pool] > 0, weight / wsum[member_pool], 0.0)
        tentative = np.where(active, left[member_pool] * share, alloc)
        over = active & (tentative > cap)
        if not over.any():
            return np.where(active, tentative, alloc)
        alloc = np.where(over, cap, alloc)
        active = active & ~over


def pool_allocation(net: Network, x: FloatArray, mask: BoolArray | None = None) -> FloatArray:
    """Capacity of every node once capacity pools are respected [units/yr].

    A node outside any pool keeps its own capacity.  For a pool p with
    capacity ``P`` and members j (own capacity ``c_j``, derived demand
    ``x_j`` = gross output), the usable capacity ``U = min(P, Σ_j c_j)`` is
    split by :data:`POOL_RULE`:

    1. ``a_j = U · x_j / Σ_k x_k`` over members with ``x > 0``; any ``a_j >
       c_j`` is set to ``c_j`` and the remainder re-spread over the other
       members with demand, in proportion to ``x``, until none exceeds its
       capacity;
    2. if capacity is left when every member with demand is at ``c_j``, it
       goes to the members without demand in proportion to ``c_j``.

    Hence ``0 ≤ a_j ≤ c_j`` and ``Σ_j a_j = U`` (never more capacity than the
    pool or its parts have); when ``Σ x ≥ U`` and no part is capped, each part
    is short by the same fraction of its demand.

    Parameters
    ----------
    net : Network
    x : array
        Gross output (derived demand) per node [units/yr].
    mask : bool array, optional
        Nodes counted (e.g. the group's); members outside it get capacity 0
        and take no share.

    Examples
    --------
    >>> # pool 1,000 shared by A (capacity 800, demand 779) and B (350, 303):
    >>> # A gets 1,000 · 779/1,082 = 720, B 280: together short 82 units
    """
    cap = np.asarray(net.capacity, dtype=np.float64).copy()
    members = np.flatnonzero(net.pool >= 0) if mask is None else np.flatnonzero((net.pool >= 0) & mask)
    if mask is not None:
        cap = np.where(mask, cap, 0.0)
    if members.size == 0:
        return cap
    mp = net.pool[members]
    n_pools = net.pool_capacity.size
    own = cap[members]
    usable = np.minimum(net.pool_capacity, np.bincount(mp, weights=own, minlength=n_pools))
    demand = np.maximum(np.asarray(x, dtype=np.float64)[members], 0.0)
    alloc = _water_fill(mp, demand, own, usable)
    # step 2: capacity left once every member with demand is at its own capacity
    left = np.maximum(usable - np.bincount(mp, weights=alloc, minlength=n_pools), 0.0)
    idle = demand <= 0
    idle_cap = np.bincount(mp[idle], weights=own[idle], minlength=n_pools)
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = np.where(idle & (idle_cap[mp] > 0), left[mp] * own / np.where(idle_cap[mp] > 0, idle_cap[mp], 1.0), 0.0)
    cap[members] = np.minimum(alloc + extra, own)
    return cap


def pool_table(net: Network, x: FloatArray, allocated: FloatArray, mask: BoolArray) -> pl.DataFrame:
    """One row per capacity pool of the group: its parts, capacity, derived demand and gap [units/yr]."""
    members = np.flatnonzero((net.pool >= 0) & mask)
    schema = {
        "year": pl.Int64,
        "site": pl.String,
        "pool": pl.String,
        "parts": pl.String,
        "capacity [units/yr]": pl.Float64,
        "parts' own capacity [units/yr]": pl.Float64,
        "usable capacity [units/yr]": pl.Float64,
        "derived demand [units/yr]": pl.Float64,
        "utilisation [%]": pl.Float64,
        "gap [units/yr]": pl.Float64,
        "spare [units/yr]": pl.Float64,
        "gap [RUB/yr]": pl.Float64,
    }
    if members.size == 0:
        return pl.DataFrame(schema=schema)
    p = net.pool[members]
    names = (
        net.pool_names
        if len(net.pool_names) == net.pool_capacity.size
        else tuple(f"pool {k}" for k in range(net.pool_capacity.size))
    )
    order = np.lexsort((net.node_part[members], p))  # by pool, then part: a fixed order
    members, p = members[order], p[order]
    # gaps of the pool's parts, each valued at its own unit value
    gap_units = np.maximum(x[members] - allocated[members], 0.0)
    frame = pl.DataFrame(
        {
            "_p": p,
            "part": [net.parts[net.node_part[j]] for j in members],
            "own": net.capacity[members],
            "x": x[members],
            "gap_rub": gap_units * net.value[members],
        }
    )
    agg = frame.group_by("_p", maintain_order=True).agg(
        pl.col("part").str.join(", ").alias("parts"),
        pl.col("own").sum().alias("parts' own capacity [units/yr]"),
        pl.col("x").sum().alias("derived demand [units/yr]"),
        pl.col("gap_rub").sum().alias("gap [RUB/yr]"),
    )
    pid = agg.get_column("_p").to_numpy()
    pool_cap = net.pool_capacity[pid]
    usable = np.minimum(pool_cap, agg.get_column("parts' own capacity [units/yr]").to_numpy())
    dmd = agg.get_column("derived demand [units/yr]").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(usable > 0, 100.0 * dmd / np.where(usable > 0, usable, 1.0), np.nan)
    out = agg.select(
        pl.lit(net.year if net.year is not None else -1, dtype=pl.Int64).alias("year"),
        pl.Series("site", [net.sites[net.pool_site[k]] for k in pid], dtype=pl.String),
        pl.Series("pool", [names[k] for k in pid], dtype=pl.String),
        "parts",
        pl.Series("capacity [units/yr]", pool_cap),
        "parts' own capacity [units/yr]",
        pl.Series("usable capacity [units/yr]", usable),
        "derived demand [units/yr]",
        pl.Series("utilisation [%]", util).fill_nan(None),
        pl.Series("gap [units/yr]", np.maximum(dmd - usable, 0.0)),
        pl.Series("spare [units/yr]", np.maximum(usable - dmd, 0.0)),
        "gap [RUB/yr]",
    )
    return out.sort(["gap [units/yr]", "site", "pool"], descending=[True, False, False])


def balance(net: Network, group: str = DEFAULT_GROUP, *, x: FloatArray | None = None) -> Result:
    """Derived demand of the group against its capacity, per part, for the network's year.

    For part c (all quantities [units/yr]):

    * ``demand`` = Σ_{j in group} q[part_j, c] · x_j + Σ_{j in group, part_j = c} d_j:
      what the group's plants consume of c by their BOMs (whoever supplies
      it, mapped or not) plus the group's final demand of c;
    * ``capacity (existing)`` = Σ capacity of the group's producers of c,
      where a producer on a capacity pool counts only its share of the
      pool (:func:`pool_allocation`, rule :data:`POOL_RULE`), and ``in
      pools`` is the part of it that comes from shared lines;
    * ``capacity (projects)`` = Σ target · ramp-up fraction of the year over
      project outputs of c whose host site is in the group (projects already
      compiled into the network are not counted twice);
    * ``self-sufficiency [%]`` = 100 · capacity / demand (null when demand is 0);
    * ``gap`` = max(demand − capacity, 0) and ``export surplus`` =
      max(capacity − demand, 0), in units and at the part's unit value [RUB/yr].

    Only parts with demand or capacity in the group are listed.  The
    ``pools`` table has one row per capacity pool of the group: its parts,
    pool capacity, the parts' own capacities, usable capacity = min of the
    two, derived demand Σ x of its parts, utilisation, gap and spare.

    Thresholds: a part has a gap when demand > capacity (strictly);
    ``parts with a gap`` counts those.
    """
    members = net.group_members(group)
    x = gross_output(net) if x is None else x
    node_in = np.isin(net.node_country, members)
    n_parts = len(net.parts)
    demand = requirement_by_part(net, x, node_in) + np.bincount(
        net.node_part[node_in], weights=net.demand[node_in], minlength=n_parts
    )
    node_cap = pool_allocation(net, x, node_in)
    cap = np.bincount(net.node_part[node_in], weights=node_cap[node_in], minlength=n_parts)
    pooled_nodes = node_in & (net.pool >= 0)
    in_pools = np.bincount(net.node_part[pooled_nodes], weights=node_cap[pooled_nodes], minlength=n_parts)
    proj = np.zeros(n_parts)
    if net.output_part.size:
        host_in = (net.output_site >= 0) & np.isin(net.site_country[np.maximum(net.output_site, 0)], members)
        not_compiled = (
            ~net.project_in_network[net.output_project]
            if net.project_in_network.size
            else np.ones(net.output_part.size, bool)
        )
        use = host_in & not_compiled
        proj = np.bincount(
            net.output_part[use], weights=(net.output_target * net.output_fraction)[use], minlength=n_parts
        ).astype(np.float64)
    total = cap + proj
    keep = (demand > 0) | (total > 0)
    idx = np.flatnonzero(keep)
    pv = net.part_value[idx]
    dmd, tot = demand[idx], total[idx]
    gap = np.maximum(dmd - tot, 0.0)
    surplus = np.maximum(tot - dmd, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(dmd > 0, 100.0 * tot / np.where(dmd > 0, dmd, 1.0), np.nan)
    frame = pl.DataFrame(
        {
            "year": np.full(idx.size, net.year if net.year is not None else -1, dtype=np.int64),
            "part": [net.parts[i] for i in idx],
            "category": [net.part_category[i] for i in idx],
            "demand [units/yr]": dmd,
            "capacity (existing) [units/yr]": cap[idx],
            "in pools [units/yr]": in_pools[idx],
            "capacity (projects) [units/yr]": proj[idx],
            "capacity [units/yr]": tot,
            "self-sufficiency [%]": ratio,
            "gap [units/yr]": gap,
            "gap [RUB/yr]": gap * pv,
            "export surplus [units/yr]": surplus,
            "export surplus [RUB/yr]": surplus * pv,
        }
    ).with_columns(pl.col("self-sufficiency [%]").fill_nan(None))
    frame = frame.sort(["gap [RUB/yr]", "part"], descending=[True, False])
    pools = pool_table(net, x, node_cap, node_in)
    summary = pl.DataFrame(
        {
            "year": [net.year],
            "parts": [idx.size],
            "parts with a gap": [int((gap > 0).sum())],
            "gap [RUB/yr]": [float(np.sort(gap * pv).sum())],
            "export surplus [RUB/yr]": [float(np.sort(surplus * pv).sum())],
            "pools": [pools.height],
            "pools with a gap": [int((pools.get_column("gap [units/yr]") > 0).sum())],
        }
    )
    return Result(
        "balance",
        {"summary": summary, "parts": frame, "pools": pools},
        fingerprint(net, group=group, analysis="balance", **{"pool rule": POOL_RULE}),
    )


def balance_years(
    dataset: Dataset,
    years: Sequence[int] | None = None,
    group: str = DEFAULT_GROUP,
    *,
    scenario: str | None = None,
) -> Result:
    """:func:`balance` for several years (default: every year with demand), stacked.

    Each year is compiled on its own (demand and project ramp-up of that year).
    """
    from importsub.compile import compile

    if years is None:
        from importsub.compile import demand_years

        years = demand_years(dataset)
    if not years:
        raise AnalysisError(f"dataset {dataset.name!r} has no demand records: no year to balance")
    results = [balance(compile(dataset, scenario, y), group) for y in years]
    fp = dict(results[-1].fingerprint)
    fp["year"] = list(years)
    return Result(
        "balance",
        {
            "summary": pl.concat([r["summary"] for r in results]),
            "parts": pl.concat([r["parts"] for r in results]),
            "pools": pl.concat([r["pools"] for r in results]),
        },
        fp,
    )
