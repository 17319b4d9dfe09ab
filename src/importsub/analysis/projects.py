"""Joint projects in the network: the impact of each, year by year.

Applying projects (the rule, stated in every result's fingerprint as ``project rule``) is a
Dataset → Dataset step of compile: :mod:`importsub.compile.projects`
(:func:`application`, :func:`compile_with_projects` and their helpers are
re-exported here).

Impact of a project
-------------------
Each project alone against the network without any project (and all of them
together, ``ALL``), for every year: import content [%] of vehicle models,
OEMs and categories (as in :func:`importsub.analysis.localisation.localisation`),
domestic value added of the vehicles [RUB/yr], demand–capacity gap and export
surplus [RUB/yr] (:func:`importsub.analysis.balance.balance`), loss under
named shocks [RUB] (the TTR model of :mod:`importsub.analysis.disruption`),
and capex per percentage point of import
content removed and per rouble of loss avoided.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from importsub.analysis.balance import balance
from importsub.analysis.demand import gross_output
from importsub.analysis.localisation import DEFAULT_GROUP, domestic_content
from importsub.analysis.result import Result
from importsub.compile.build import compile
from importsub.compile.network import Network
from importsub.compile.projects import (
    _TAKEOVER_SCHEMA,
    PROJECT_RULE,
    Application,
    Scale,
    _check_projects,
    _compile_applied,
    application,
    at_site,
    compile_with_projects,
    content_fingerprint,
    derived,
    rampup_fraction,
    resolve_year,
    scenario_projects,
    with_fingerprint,
    without_projects,
)
from importsub.model.dataset import Dataset, empty_frame
from importsub.model.errors import AnalysisError, NotFoundError
from importsub.model.schema import table

__all__ = [
    "ALL",
    "PROJECT_RULE",
    "Application",
    "Figures",
    "Scale",
    "application",
    "at_site",
    "compile_with_projects",
    "content_fingerprint",
    "derived",
    "figures",
    "impact",
    "named_shocks",
    "rampup_fraction",
    "resolve_year",
    "scenario_loss",
    "scenario_projects",
    "with_fingerprint",
    "without_projects",
]

ALL = "ALL"
"""Label of the row where every project is applied together."""


# ---------------------------------------------------------------------------------------------- impact


@dataclass(frozen=True)
class Figures:
    """Localisation and balance figures of one network (one project set, one year)."""

    vehicles: pl.DataFrame  # part, d [units/yr], value [RUB/yr], import content [%]
    oems: pl.DataFrame  # organization, value, import content
    categories: pl.DataFrame  # category, output [RUB/yr], import content
    import_content: float  # [%] of all vehicles, demand-value weighted
    domestic_value: float  # [RUB/yr] domestic value added of all vehicles = Σ_j g_j w_j v_j x_j
    vehicle_value: float  # [RUB/yr] Σ d v of vehicles
    gap: float  # [RUB/yr]
    surplus: float  # [RUB/yr]
    parts: pl.DataFrame  # balance per part


def figures(net: Network, group: str = DEFAULT_GROUP, vehicles: Sequence[str] | None = None) -> Figures:
    """Import content of vehicles, OEMs and categories, and the balance of one network.

    Vehicle and OEM figures are weighted by demand value ``d · v`` and
    category figures by output value ``x · v`` (the same weights as
    :func:`importsub.analysis.localisation.localisation`).  The group's
    domestic value added in the vehicles ``Σ_j g_j w_j v_j x_j`` [RUB/yr]
    equals ``Σ_vehicles d v L`` (value-added accounting), so import content
    of the vehicle set is ``1 − DVA / Σ d v``.
    """
    x_all = gross_output(net)
    d = net.demand.copy()
    if vehicles is not None:
        chosen = np.isin(np.asarray(net.parts, dtype=object)[net.node_part], list(vehicles))
        d = np.where(chosen, d, 0.0)
    x = gross_output(net, d)
    L = domestic_content(net, group)
    g = net.in_group(group)
    final = np.flatnonzero(d > 0)
    parts = pl.Series(net.parts, dtype=pl.String)
    orgs = pl.Series(net.organizations, dtype=pl.String)
    fin = pl.DataFrame(
        {
            "part": parts.gather(net.node_part[final]),
            "organization": orgs.gather(net.site_org[net.node_site[final]]),
            "d": d[final],
            "w": d[final] * net.value[final],
            "L": L[final],
        }
    )

    def wmean(keys: str) -> pl.DataFrame:
        return (
            fin.group_by(keys)
            .agg(
                pl.col("d").sum().alias("d [units/yr]"),
                pl.col("w").sum().alias("value [RUB/yr]"),
                (100.0 * (1.0 - (pl.col("L") * pl.col("w")).sum() / pl.col("w").sum())).alias("import content [%]"),
            )
            .sort(keys)
        )

    nodes = pl.DataFrame(
        {
            "category": pl.Series(net.part_category, dtype=pl.String).gather(net.node_part),
            "w": x_all * net.value,
            "L": L,
        }
    )
    cats = (
        nodes.group_by("category")
        .agg(
            pl.col("w").sum().alias("output [RUB/yr]"),
            pl.when(pl.col("w").sum() > 0)
            .then(100.0 * (1.0 - (pl.col("L") * pl.col("w")).sum() / pl.col("w").sum()))
            .otherwise(100.0 * (1.0 - pl.col("L").mean()))
            .alias("import content [%]"),
        )
        .sort("category")
    )
    dva = float(np.sum(np.where(g, net.w * net.value * x, 0.0)))
    total = float(np.sum(d * net.value))
    bal = balance(net, group, x=x_all)
    s = bal["summary"]
    return Figures(
        vehicles=wmean("part"),
        oems=wmean("organization"),
        categories=cats,
        import_content=100.0 * (1.0 - dva / total) if total > 0 else float("nan"),
        domestic_value=dva,
        vehicle_value=total,
        gap=float(s.get_column("gap [RUB/yr]")[0]),
        surplus=float(s.get_column("export surplus [RUB/yr]")[0]),
        parts=bal["parts"],
    )


def scenario_loss(dataset: Dataset, scenario: str, year: int) -> tuple[float, float]:
    """Lost margin and performance impact [RUB] of a scenario's disruptions in ``year``.

    The TTR model of :mod:`importsub.analysis.disruption` over the scenario's
    window (longest duration + recovery): ``lost margin`` = Σ margin ·
    (demand − delivered) over the window; ``PI`` = lost margin − lost margin
    of the same window without the disruption.  A scenario without
    disruptions (window 0) loses nothing.
    """
    from importsub.analysis.disruption import performance_impact
    from importsub.compile.shock import compile_shock

    net = compile(dataset, scenario, year)
    shock = compile_shock(dataset, net, scenario)
    if shock.window <= 0:
        return 0.0, 0.0
    pi, sol, _ = performance_impact(net, shock)
    return float(sol.lost_margin), float(pi)


def named_shocks(ds: Dataset) -> list[str]:
    """Scenarios with disruptions and no projects of their own (the demo's named shocks)."""
    with_disruption = set(ds.disruptions.get_column("scenario").to_list())
    with_projects = set(ds.scenario_projects.get_column("scenario").to_list())
    return [s for s in ds.scenarios.get_column("name").to_list() if s in with_disruption and s not in with_projects]


def _delta(before: pl.DataFrame, after: pl.DataFrame, key: str, label: str, year: int) -> pl.DataFrame:
    joined = before.select(key, pl.col("import content [%]").alias("import content before [%]")).join(
        after.select(key, pl.col("import content [%]").alias("import content after [%]")),
        on=key,
        how="full",
        coalesce=True,
    )
    return joined.select(
        pl.lit(label).alias("project"),
        pl.lit(year, dtype=pl.Int64).alias("year"),
        key,
        "import content before [%]",
        "import content after [%]",
        (pl.col("import content after [%]") - pl.col("import content before [%]")).alias("change [pp]"),
    ).sort(key)


def impact(
    dataset: Dataset,
    projects: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    *,
    group: str = DEFAULT_GROUP,
    vehicles: Sequence[str] | None = None,
    scenarios: Sequence[str] | None = None,
    include_all: bool = True,
) -> Result:
    """Impact of each project, year by year, against the network without projects.

    For project ``p`` in year ``Y`` (``after`` = ``p`` applied alone,
    ``before`` = no project; ``ALL`` = every listed project together):

    * ``Δ import content [pp]`` of the vehicle set = ``100 · (DVA_before −
      DVA_after) / Σ d v`` with ``DVA = Σ_j g_j w_j v_j x_j`` [RUB/yr]
      (import content falls when the number is negative);
    * ``Δ gap`` and ``Δ export surplus`` [RUB/yr] of the group's balance;
    * ``loss avoided [RUB]`` per named shock = lost margin before − after
      (:func:`scenario_loss`; the TTR model over the scenario's window);
    * ``capex per pp [RUB/pp]`` = capex / (import content removed [pp]) and
      ``capex per RUB avoided`` = capex / Σ_scenarios weight · loss avoided
      (null when the project removes nothing).

    Parameters
    ----------
    dataset : Dataset
    projects : sequence of str, optional
        Default: every project of the dataset.
    years : sequence of int, optional
        Default: every year with demand from the first ramp-up year on.
    group : str
        Country group whose content is domestic.
    vehicles : sequence of str, optional
        Vehicle models (final parts) of the headline figure; default all.
    scenarios : sequence of str, optional
        Shock scenarios; default :func:`named_shocks`.  Their losses are
        computed for each year's network (the scenario's year is overridden).
    include_all : bool
        Add the ``ALL`` rows (every listed project together).

    Returns
    -------
    Result
        Tables ``summary`` (side by side, one row per project and year),
        ``vehicles``, ``oems``, ``categories`` (before/after/change),
        ``balance`` (parts whose gap or surplus changes), ``shocks`` (loss per
        scenario), ``capacity`` and ``takeovers`` (what was applied).
    """
    base_fp = content_fingerprint(dataset)
    ds = without_projects(with_fingerprint(dataset))
    ids = ds.projects.get_column("id").to_list() if projects is None else _check_projects(ds, projects)
    years = _impact_years(ds, ids, years)
    scen = named_shocks(dataset) if scenarios is None else list(scenarios)
    weights = dict(ds.scenarios.select("name", "weight").iter_rows())
    unknown = [s for s in scen if s not in weights]
    if unknown:
        raise NotFoundError(f"dataset {ds.name!r}: unknown scenario(s) {', '.join(unknown)}")
    ctx = _Context(group, vehicles, scen, weights, dict(ds.projects.select("id", "capex").iter_rows()))
    no_outputs = derived(ds, {"project_outputs": empty_frame(table("project_outputs"))}, "no project outputs")
    sets: list[tuple[str, list[str]]] = [(p, [p]) for p in ids]
    if include_all and len(ids) > 1:
        sets.append((ALL, list(ids)))
    rows = _ImpactRows()
    for year in years:
        base_net = compile(no_outputs, None, year)
        before = figures(base_net, group, vehicles)
        loss_before = {s: scenario_loss(no_outputs, s, year) for s in scen}
        for label, chosen in sets:
            _assess(rows, ds, label, chosen, year, base_net, before, loss_before, ctx)
    fp: dict[str, Any] = {
        "dataset": ds.name,
        "version": ds.version,
        "content": base_fp,
        "analysis": "project impact",
        "group": group,
        "years": list(years),
        "projects": list(ids),
        "vehicles": list(vehicles) if vehicles is not None else "all",
        "scenarios": list(scen),
        "project rule": PROJECT_RULE,
    }
    return Result("project impact", rows.tables(), fp)


def _impact_years(ds: Dataset, ids: list[str], years: Sequence[int] | None) -> list[int]:
    """``years``, else every year with demand from the first year any of ``ids`` ramps up (else the last)."""
    demand_years = sorted(int(y) for y in ds.demand.get_column("year").drop_nulls().unique().to_list())
    if not demand_years:
        raise AnalysisError(f"dataset {ds.name!r} has no demand records: no year to assess projects in")
    if years is not None:
        return list(years)
    first = ds.project_rampup.filter(pl.col("project").is_in(ids) & (pl.col("fraction") > 0)).get_column("year")
    start = int(first.min()) if first.len() else demand_years[-1]  # type: ignore[arg-type]
    return [y for y in demand_years if y >= start] or [demand_years[-1]]


@dataclass(frozen=True)
class _Context:
    """What every project set of an impact run is assessed with."""

    group: str
    vehicles: Sequence[str] | None
    scenarios: list[str]
    weights: dict[str, float]  # [probability]
    capex: dict[str, float | None]  # [RUB]


_SUMMARY_SCHEMA = {
    "project": pl.String,
    "year": pl.Int64,
    "capacity added [units/yr]": pl.Float64,
    "taken over [units/yr]": pl.Float64,
    "import content before [%]": pl.Float64,
    "import content after [%]": pl.Float64,
    "Δ import content [pp]": pl.Float64,
    "Δ domestic value added [RUB/yr]": pl.Float64,
    "Δ gap [RUB/yr]": pl.Float64,
    "Δ export surplus [RUB/yr]": pl.Float64,
    "expected loss avoided [RUB]": pl.Float64,
    "capex [RUB]": pl.Float64,
    "capex per pp [RUB/pp]": pl.Float64,
    "capex per RUB avoided [RUB/RUB]": pl.Float64,
}
_SHOCK_SCHEMA = {
    "project": pl.String,
    "year": pl.Int64,
    "scenario": pl.String,
    "weight [probability]": pl.Float64,
    "lost margin before [RUB]": pl.Float64,
    "lost margin after [RUB]": pl.Float64,
    "loss avoided [RUB]": pl.Float64,
    "PI before [RUB]": pl.Float64,
    "PI after [RUB]": pl.Float64,
}


@dataclass
class _ImpactRows:
    """The rows of every table of :func:`impact`, gathered project set by project set."""

    summary: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    vehicles: list[pl.DataFrame] = dataclasses.field(default_factory=list)
    oems: list[pl.DataFrame] = dataclasses.field(default_factory=list)
    categories: list[pl.DataFrame] = dataclasses.field(default_factory=list)
    balance: list[pl.DataFrame] = dataclasses.field(default_factory=list)
    shocks: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    capacity: list[pl.DataFrame] = dataclasses.field(default_factory=list)
    takeovers: list[pl.DataFrame] = dataclasses.field(default_factory=list)

    def tables(self) -> dict[str, pl.DataFrame]:
        takes = self.takeovers
        return {
            "summary": pl.DataFrame(self.summary, schema=_SUMMARY_SCHEMA),
            "vehicles": pl.concat(self.vehicles),
            "oems": pl.concat(self.oems),
            "categories": pl.concat(self.categories),
            "balance": pl.concat(self.balance),
            "shocks": pl.DataFrame(self.shocks, schema=_SHOCK_SCHEMA),
            "capacity": pl.concat(self.capacity),
            "takeovers": pl.concat(takes) if takes else pl.DataFrame(schema={"year": pl.Int64, **_TAKEOVER_SCHEMA}),
        }


def _assess(
    rows: _ImpactRows,
    ds: Dataset,
    label: str,
    chosen: list[str],
    year: int,
    base_net: Network,
    before: Figures,
    loss_before: dict[str, tuple[float, float]],
    ctx: _Context,
) -> None:
    """Apply one project set in ``year`` and add its rows (figures after vs ``before``, losses
    [RUB] after vs ``loss_before``) to every table."""
    app = application(ds, chosen, year, base=base_net)
    app_ds = derived(app.dataset, {"project_outputs": empty_frame(table("project_outputs"))}, "no outputs")
    app = dataclasses.replace(app, dataset=app_ds)
    net = _compile_applied(app, None)
    after = figures(net, ctx.group, ctx.vehicles)
    rows.capacity.append(app.capacity.select(pl.lit(year, dtype=pl.Int64).alias("year"), pl.all()))
    if label != ALL:
        rows.takeovers.append(app.takeovers.select(pl.lit(year, dtype=pl.Int64).alias("year"), pl.all()))
    scen, weights = ctx.scenarios, ctx.weights
    losses = {s: scenario_loss(app_ds, s, year) for s in scen}
    avoided = {s: loss_before[s][0] - losses[s][0] for s in scen}
    exp_avoided = sum(weights[s] * avoided[s] for s in scen)
    for s in scen:
        rows.shocks.append(
            {
                "project": label,
                "year": year,
                "scenario": s,
                "weight [probability]": float(weights[s]),
                "lost margin before [RUB]": loss_before[s][0],
                "lost margin after [RUB]": losses[s][0],
                "loss avoided [RUB]": avoided[s],
                "PI before [RUB]": loss_before[s][1],
                "PI after [RUB]": losses[s][1],
            }
        )
    cx = float(sum(ctx.capex[p] or 0.0 for p in chosen))
    rows.summary.append(_summary_row(label, year, app.capacity, before, after, cx, exp_avoided if scen else None))
    rows.vehicles.append(_delta(before.vehicles, after.vehicles, "part", label, year))
    rows.oems.append(_delta(before.oems, after.oems, "organization", label, year))
    rows.categories.append(_delta(before.categories, after.categories, "category", label, year))
    rows.balance.append(_balance_delta(before.parts, after.parts, label, year))


def _summary_row(
    label: str,
    year: int,
    capacity: pl.DataFrame,
    before: Figures,
    after: Figures,
    cx: float,
    exp_avoided: float | None,
) -> dict[str, Any]:
    """One row of the ``summary`` table; ``exp_avoided`` [RUB] is None without shock scenarios."""
    d_ic = after.import_content - before.import_content
    return {
        "project": label,
        "year": year,
        "capacity added [units/yr]": float(capacity.get_column("capacity added [units/yr]").sum()),
        "taken over [units/yr]": float(capacity.get_column("taken over [units/yr]").sum()),
        "import content before [%]": before.import_content,
        "import content after [%]": after.import_content,
        "Δ import content [pp]": d_ic,
        "Δ domestic value added [RUB/yr]": after.domestic_value - before.domestic_value,
        "Δ gap [RUB/yr]": after.gap - before.gap,
        "Δ export surplus [RUB/yr]": after.surplus - before.surplus,
        "expected loss avoided [RUB]": exp_avoided,
        "capex [RUB]": cx,
        "capex per pp [RUB/pp]": cx / -d_ic if d_ic < -1e-12 else None,
        "capex per RUB avoided [RUB/RUB]": cx / exp_avoided if exp_avoided is not None and exp_avoided > 1e-9 else None,
    }


def _balance_delta(before: pl.DataFrame, after: pl.DataFrame, label: str, year: int) -> pl.DataFrame:
    cols = [
        "capacity [units/yr]",
        "gap [units/yr]",
        "export surplus [units/yr]",
        "gap [RUB/yr]",
        "export surplus [RUB/yr]",
    ]
    b = before.select("part", "category", *[pl.col(c).alias(c + " before") for c in cols])
    a = after.select("part", *[pl.col(c).alias(c + " after") for c in cols])
    j = b.join(a, on="part", how="full", coalesce=True).with_columns(
        [pl.col(c + " before").fill_null(0.0) for c in cols] + [pl.col(c + " after").fill_null(0.0) for c in cols]
    )
    return (
        j.select(
            pl.lit(label).alias("project"),
            pl.lit(year, dtype=pl.Int64).alias("year"),
            "part",
            "category",
            pl.col("capacity [units/yr] before").alias("capacity before [units/yr]"),
            pl.col("capacity [units/yr] after").alias("capacity after [units/yr]"),
            pl.col("gap [units/yr] before").alias("gap before [units/yr]"),
            pl.col("gap [units/yr] after").alias("gap after [units/yr]"),
            (pl.col("gap [RUB/yr] after") - pl.col("gap [RUB/yr] before")).alias("Δ gap [RUB/yr]"),
            (pl.col("export surplus [RUB/yr] after") - pl.col("export surplus [RUB/yr] before")).alias(
                "Δ export surplus [RUB/yr]"
            ),
        )
        .filter(
            (pl.col("capacity after [units/yr]") != pl.col("capacity before [units/yr]"))
            | (pl.col("Δ gap [RUB/yr]") != 0)
            | (pl.col("Δ export surplus [RUB/yr]") != 0)
        )
        .sort("part")
    )
