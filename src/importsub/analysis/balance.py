"""Demand–capacity balance of the country group, per part and year."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from importsub.analysis.demand import gross_output, requirement_by_part
from importsub.analysis.localisation import DEFAULT_GROUP
from importsub.analysis.result import Result, fingerprint
from importsub.compile.network import FloatArray, Network
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError


def balance(net: Network, group: str = DEFAULT_GROUP, *, x: FloatArray | None = None) -> Result:
    """Derived demand of the group against its capacity, per part, for the network's year.

    For part c (all quantities [units/yr]):

    * ``demand`` = Σ_{j in group} q[part_j, c] · x_j + Σ_{j in group, part_j = c} d_j:
      what the group's plants consume of c by their BOMs (whoever supplies
      it, mapped or not) plus the group's final demand of c;
    * ``capacity (existing)`` = Σ capacity of the group's producers of c;
    * ``capacity (projects)`` = Σ target · ramp-up fraction of the year over
      project outputs of c whose host site is in the group (projects already
      compiled into the network are not counted twice);
    * ``self-sufficiency [%]`` = 100 · capacity / demand (null when demand is 0);
    * ``gap`` = max(demand − capacity, 0) and ``export surplus`` =
      max(capacity − demand, 0), in units and at the part's unit value [RUB/yr].

    Only parts with demand or capacity in the group are listed.
    """
    members = net.group_members(group)
    x = gross_output(net) if x is None else x
    node_in = np.isin(net.node_country, members)
    n_parts = len(net.parts)
    demand = requirement_by_part(net, x, node_in) + np.bincount(
        net.node_part[node_in], weights=net.demand[node_in], minlength=n_parts
    )
    cap = np.bincount(net.node_part[node_in], weights=net.capacity[node_in], minlength=n_parts)
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
    summary = pl.DataFrame(
        {
            "year": [net.year],
            "parts": [idx.size],
            "parts with a gap": [int((gap > 0).sum())],
            "gap [RUB/yr]": [float((gap * pv).sum())],
            "export surplus [RUB/yr]": [float((surplus * pv).sum())],
        }
    )
    return Result("balance", {"summary": summary, "parts": frame}, fingerprint(net, group=group, analysis="balance"))


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
        years = sorted(int(y) for y in dataset.demand.get_column("year").unique().drop_nulls().to_list())
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
        },
        fp,
    )
