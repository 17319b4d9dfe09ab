"""Disruption analyses as background jobs: a shock (stored scenario or ad hoc), the risk-exposure sweep, Monte Carlo.

Each is a thin wrapper of the library (:func:`importsub.compile.shock.compile_shock`,
:func:`importsub.analysis.disruption.run_shock`, :func:`~importsub.analysis.disruption.sweep`,
:func:`importsub.analysis.montecarlo.montecarlo`), registered by :func:`register_all`
together with what its results reveal:

* a figure of one node, vehicle model or OEM follows from capacities (its
  own and its suppliers'), so it belongs to that node's site or that OEM
  and is masked for other organisations;
* a total over every vehicle (a scenario's lost margin, the Monte Carlo
  distribution) is shown only when at least two OEMs contribute;
* tables ranked by a masked figure are re-ordered (and re-ranked) for the
  viewer (:func:`importsub.web.confidentiality.hidden_last`).

An ad-hoc disruption (target kind, target, severity, weeks, recovery) is a
one-row scenario added to an in-memory copy of the dataset — on top of a
stored scenario's disruptions, demand changes and year when one is picked —
and goes through :func:`~importsub.compile.shock.compile_shock` like any
stored scenario; nothing is written to the store.
"""

from __future__ import annotations

import dataclasses
import math
from functools import partial
from typing import Any, Literal, Self

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, model_validator

from importsub.analysis.disruption import run_shock, shock_window, sweep, with_window_basis
from importsub.analysis.montecarlo import MonteCarloSpec, montecarlo
from importsub.analysis.simulate import SimulationSpec, Simulator, weekly_availability
from importsub.analysis.simulate_run import simulate_montecarlo, simulate_shock, weekly_table
from importsub.compile import compile as compile_network
from importsub.compile.shock import compile_shock
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError
from importsub.web.confidentiality import hidden_last
from importsub.web.i18n import N_
from importsub.web.services.analyses import Analyses, AnalysisSpec, Fanout, NetworkParams, ProgressFn, ResultTables
from importsub.web.services.params import param

TargetKind = Literal["group", "country", "organization", "site", "part", "link"]
AD_HOC = "ad hoc"
"""Name of the in-memory scenario of an ad-hoc disruption (suffixed when the dataset has one of that name)."""


# ====================================================================== parameters


TARGET_KIND_LABELS = {
    "group": N_("Country group"),
    "country": N_("Country"),
    "organization": N_("Organisation"),
    "site": N_("Site"),
    "part": N_("Part"),
    "link": N_("Supply link"),
}
RECOVERY_LABELS = {
    "instant": N_("Instant"),
    "linear": N_("Linear"),
    "convex": N_("Convex (slow start)"),
    "concave": N_("Concave (fast start)"),
}
SEVERITY_HELP = N_("Fraction of capacity lost (1 = all)")
YEAR_HELP = N_("Default: the scenario's year, else the latest year with demand not after the current year")


class ShockParams(BaseModel):
    """A stored scenario, an ad-hoc disruption, or both (the disruption added to the scenario)."""

    model_config = ConfigDict(extra="forbid")
    scenario: str | None = param(
        None,
        label=N_("Scenario"),
        help=N_("Stored scenario: its disruptions, demand changes, projects and year apply"),
        widget="scenario",
        min_length=1,
        max_length=200,
    )
    target_kind: TargetKind | None = param(
        None, label=N_("Ad-hoc disruption: kind of target"), choices=TARGET_KIND_LABELS
    )
    target: str | None = param(
        None,
        label=N_("Ad-hoc disruption: target"),
        help=N_("Group, ISO2 code, organisation, site, part, or buyer|part|supplier for a link"),
        min_length=1,
        max_length=400,
    )
    severity: float = param(
        1.0, label=N_("Ad-hoc disruption: severity"), help=SEVERITY_HELP, unit="fraction", ge=0, le=1
    )
    weeks: float = param(4.0, label=N_("Ad-hoc disruption: duration"), unit="weeks", ge=0, le=520)
    recovery: Literal["instant", "linear"] = param(
        "instant",
        label=N_("Ad-hoc disruption: recovery"),
        choices={k: RECOVERY_LABELS[k] for k in ("instant", "linear")},
    )
    window: float | None = param(
        None,
        label=N_("Window"),
        help=N_("Default: the longest disruption + recovery; 13 weeks for a scenario that disrupts nothing"),
        unit="weeks",
        gt=0,
        le=520,
    )
    year: int | None = param(
        None, label=N_("Year of demand"), help=YEAR_HELP, unit="year", widget="year", ge=1900, le=2200
    )
    why: int = param(
        20,
        label=N_("Binding constraints listed"),
        help=N_("Why output is lost: the top constraints"),
        unit="count",
        ge=0,
        le=200,
    )

    @model_validator(mode="after")
    def _something_to_run(self) -> Self:
        if (self.target_kind is None) != (self.target is None):
            raise ValueError(N_("an ad-hoc disruption needs both a kind of target and a target"))
        if self.scenario is None and self.target is None:
            raise ValueError(N_("give a scenario, an ad-hoc disruption (kind of target and target), or both"))
        return self


class SweepParams(NetworkParams):
    by: Literal["node", "site", "country"] = param(
        "node",
        label=N_("Disrupt in turn"),
        help=N_("Disrupt every node, site or country in turn"),
        choices={"node": N_("Every node (site and part)"), "site": N_("Every site"), "country": N_("Every country")},
    )
    weeks: float | None = param(
        None,
        label=N_("Duration"),
        help=N_("Default: each node's time to recover"),
        unit="weeks",
        gt=0,
        le=520,
    )
    severity: float = param(1.0, label=N_("Severity"), help=SEVERITY_HELP, unit="fraction", ge=0, le=1)
    tts: bool = param(
        False, label=N_("Time to survive"), help=N_("Also compute each target's time to survive (slower)")
    )
    horizon: float = param(52.0, label=N_("Time-to-survive cap"), unit="weeks", gt=0, le=520)


class MonteCarloParams(NetworkParams):
    runs: int = param(10_000, label=N_("Random scenarios"), unit="count", ge=1, le=200_000)
    seed: int = param(0, label=N_("Random seed"), help=N_("The same seed draws the same scenarios"), ge=0, le=2**31 - 1)
    window: float = param(13.0, label=N_("Window of every scenario"), unit="weeks", gt=0, le=520)
    site_probability: float = param(0.01, label=N_("Site disruption probability"), unit="probability", ge=0, le=1)
    external_probability: float = param(
        0.02,
        label=N_("External country disruption probability"),
        help=N_("Probability that a country outside the union is disrupted"),
        unit="probability",
        ge=0,
        le=1,
    )
    union_probability: float = param(
        0.005,
        label=N_("Union country disruption probability"),
        help=N_("Probability that a country of the union is disrupted"),
        unit="probability",
        ge=0,
        le=1,
    )
    reference: Literal["lp", "shares"] = param(
        "lp",
        label=N_("Reference plan"),
        choices={"lp": N_("Undisrupted optimum (LP)"), "shares": N_("Supply shares as recorded")},
    )
    simulate: bool = param(
        False, label=N_("Simulate week by week"), help=N_("Also simulate the worst runs week by week")
    )
    worst: float = param(1.0, label=N_("Share of runs simulated"), help=N_("The worst first"), unit="%", gt=0, le=100)


class SimulateParams(BaseModel):
    """A stored scenario simulated week by week."""

    model_config = ConfigDict(extra="forbid")
    scenario: str = param(
        label=N_("Scenario"),
        help=N_("Stored scenario: its disruptions, demand changes, projects and year apply"),
        widget="scenario",
        min_length=1,
        max_length=200,
    )
    weeks: int | None = param(
        None,
        label=N_("Weeks simulated"),
        help=N_("Default: the shock's window; 13 weeks for a scenario that disrupts nothing"),
        unit="weeks",
        ge=1,
        le=520,
    )
    policy: Literal["base-stock", "order-up-to"] = param(
        "base-stock",
        label=N_("Stock policy"),
        choices={"base-stock": N_("Base stock"), "order-up-to": N_("Order up to")},
    )
    target_weeks: float = param(
        2.0, label=N_("Target stock"), help=N_("In weeks of normal use"), unit="weeks", ge=0, le=104
    )
    rationing: Literal["proportional", "priority", "smaller-first"] = param(
        "proportional",
        label=N_("Rationing"),
        help=N_("How a short supplier shares its output"),
        choices={
            "proportional": N_("In proportion to orders"),
            "priority": N_("By priority"),
            "smaller-first": N_("Smaller buyers first"),
        },
    )
    recovery: Literal["linear", "convex", "concave", "instant"] | None = param(
        None,
        label=N_("Recovery curve"),
        help=N_("Default: the scenario's own"),
        choices={k: RECOVERY_LABELS[k] for k in ("linear", "convex", "concave", "instant")},
    )
    backlog: float = param(
        0.0, label=N_("Backlog"), help=N_("Share of unmet demand that waits"), unit="fraction", ge=0, le=1
    )
    year: int | None = param(
        None, label=N_("Year of demand"), help=YEAR_HELP, unit="year", widget="year", ge=1900, le=2200
    )


# ====================================================================== ad-hoc scenarios


def _row(df: pl.DataFrame, values: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([{c: values.get(c) for c in df.columns}], schema=df.schema)


def scenario_dataset(ds: Dataset, params: ShockParams) -> tuple[str, Dataset]:
    """The scenario to run and the dataset that holds it.

    A stored scenario runs as it is.  An ad-hoc disruption becomes a
    scenario of its own in a copy of the dataset: the picked scenario's year,
    weight, disruptions, demand changes and projects (if one is picked) plus
    one ``disruptions`` row (replacing the scenario's row on the same target).

    Examples
    --------
    >>> from importsub.demo import load
    >>> name, ds = scenario_dataset(load(), ShockParams(target_kind="site", target="RUDENSK", weeks=2))
    >>> name, ds.disruptions.filter(pl.col("scenario") == name)["duration"].to_list()
    ('ad hoc', [2.0])
    """
    if params.target_kind is None or params.target is None:
        assert params.scenario is not None
        return params.scenario, ds
    taken = set(ds.scenarios.get_column("name").to_list())
    name = AD_HOC if params.scenario is None else f"{params.scenario} + {AD_HOC}"
    while name in taken:
        name += "ʹ"
    base = params.scenario
    if base is not None and base not in taken:
        raise AnalysisError(f"unknown scenario {base!r}; scenarios: {', '.join(sorted(taken)) or 'none'}")
    description = f"{params.target_kind} {params.target}: severity {params.severity:g}, {params.weeks:g} weeks"
    if base is None:
        scen_row = _row(ds.scenarios, {"name": name, "description": description, "weight": 1.0})
    else:
        scen_row = ds.scenarios.filter(pl.col("name") == base).with_columns(
            pl.lit(name).alias("name"), pl.lit(f"{base} + {description}").alias("description")
        )
    frames: dict[str, pl.DataFrame] = {"scenarios": pl.concat([ds.scenarios, scen_row])}
    for t in ("disruptions", "demand_changes", "scenario_projects"):
        df = ds.tables[t]
        rows = df.filter(pl.col("scenario") == base) if base is not None else df.clear()
        frames[t] = pl.concat([df, rows.with_columns(pl.lit(name).alias("scenario"))])
    dis = frames["disruptions"].filter(
        ~(
            (pl.col("scenario") == name)
            & (pl.col("target_kind") == params.target_kind)
            & (pl.col("target") == params.target)
        )
    )
    frames["disruptions"] = pl.concat(
        [
            dis,
            _row(
                dis,
                {
                    "scenario": name,
                    "target_kind": params.target_kind,
                    "target": params.target,
                    "severity": params.severity,
                    "duration": params.weeks,
                    "recovery": params.recovery,
                },
            ),
        ]
    )
    return name, ds.replace(**frames)


# ====================================================================== owners of the "why" rows


def why_owner_sites(net: Any, why: pl.DataFrame) -> pl.Series:
    """The site whose organisation owns each binding constraint of :func:`~importsub.analysis.disruption.explain`.

    An input shortage and a non-qualified link belong to the buying site
    (its need, its shares); a cut or full capacity and a capacity pool to
    the producing site.  The constraint's ``where`` text is matched against
    the same text built for every group, node, pool and link of the network;
    a text that matches no site, or more than one, gives null (hidden from
    every non-admin).
    """
    site_name = list(net.site_names or net.sites)
    part_name = list(net.part_names or net.parts)
    sites = list(net.sites)

    def unique(pairs: Any) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for text, site in pairs:
            out[text] = site if out.get(text, site) == site else None
        return out

    groups = unique(
        (f"{part_name[int(p)]} for {site_name[int(s)]}", sites[int(s)])
        for p, s in zip(net.group_part, net.group_site, strict=True)
    )
    nodes = unique((net.node_label(j), sites[int(net.node_site[j])]) for j in range(net.n_nodes))
    pool_name = list(net.pool_names or (str(k) for k in range(len(net.pool_site))))
    pools = unique((f"{site_name[int(s)]} pool {pool_name[k]}", sites[int(s)]) for k, s in enumerate(net.pool_site))
    links = unique(
        (
            f"{net.node_label(int(i))} → {site_name[int(net.group_site[int(g)])]}",
            sites[int(net.group_site[int(g)])],
        )
        for i, g in zip(net.link_supplier, net.link_group, strict=True)
    )
    maps = {
        "input shortage": groups,
        "capacity cut": {**nodes, **pools},
        "at capacity": nodes,
        "capacity pool": pools,
        "link not qualified": links,
    }
    owners = [maps.get(kind, {}).get(where) for kind, where in why.select("constraint", "where").iter_rows()]
    return pl.Series("site", owners, dtype=pl.String)


# ====================================================================== runners


def _compile(ds: Dataset, scenario: str | None, year: int | None) -> Any:
    return compile_network(ds, scenario, year)


def run_shock_job(ds: Dataset, params: BaseModel, progress: ProgressFn) -> ResultTables:
    """Losses per vehicle model and OEM, and why, under a stored scenario or an ad-hoc disruption."""
    assert isinstance(params, ShockParams)
    name, scen_ds = scenario_dataset(ds, params)
    net = _compile(scen_ds, name, params.year)
    progress(0.3, None)
    shock = compile_shock(scen_ds, net, name)
    result = run_shock(net, shock, params.window, why=params.why)
    tables = dict(result.tables)
    why = tables["why"]
    tables["why"] = why.insert_column(2, why_owner_sites(net, why))
    # week by week beside the bound: the simulation's output per week and OEM (a tab of the result page)
    weeks = max(1, math.ceil(shock_window(shock, params.window)[0]))
    traj = Simulator(net, SimulationSpec(weeks=weeks)).run(weekly_availability(net, shock, weeks))
    tables["weekly"] = weekly_table(net, traj)
    fp = dict(result.fingerprint)
    # the stored version's provenance, not the in-memory copy's
    fp.update({"dataset": ds.name, "version": ds.version, "content": ds.fingerprint()})
    if params.target is not None:
        fp["ad hoc disruption"] = (
            f"{params.target_kind} {params.target}: severity {params.severity:g}, {params.weeks:g} weeks, {params.recovery}"
        )
    return ResultTables("shock", tables, fp)


SWEEP_TABLES = {"node": "nodes", "site": "sites", "country": "countries"}
_STAGES = {"baselines": (0.0, 0.05), "screening": (0.05, 0.25), "LP re-solves": (0.25, 0.95), "TTS": (0.6, 0.95)}


def run_sweep_job(ds: Dataset, params: BaseModel, progress: ProgressFn, *, fanout: Fanout) -> ResultTables:
    """Risk exposure: every node (site, country) disrupted in turn; ranked by performance impact."""
    assert isinstance(params, SweepParams)
    net = _compile(ds, params.scenario, params.year)
    stages = dict(_STAGES)
    if params.tts:
        stages["LP re-solves"] = (0.25, 0.6)

    def tick(stage: str, done: int, total: int) -> None:
        lo, hi = stages.get(stage, (0.0, 0.95))
        progress(lo + (hi - lo) * done / max(total, 1), f"{stage} {done}/{total}")

    result = sweep(
        net,
        params.by,
        weeks=params.weeks,
        severity=params.severity,
        with_tts=params.tts,
        horizon=params.horizon,
        scheduler=fanout.scheduler,
        workers=fanout.workers,
        progress=tick,
    )
    targets = result["targets"]
    if params.by == "country" and "country" not in targets.columns:  # the key of its aggregates
        targets = targets.insert_column(2, targets["target"].alias("country"))
    tables = {SWEEP_TABLES[params.by]: targets, "summary": result["summary"]}
    return ResultTables("sweep", tables, dict(result.fingerprint))


def run_montecarlo_job(ds: Dataset, params: BaseModel, progress: ProgressFn, *, fanout: Fanout) -> ResultTables:
    """Loss distribution under random disruptions (fast propagation, an upper bound on the LP's loss)."""
    assert isinstance(params, MonteCarloParams)
    net = _compile(ds, params.scenario, params.year)
    spec = MonteCarloSpec(
        runs=params.runs,
        seed=params.seed,
        window=params.window,
        default_country_probability=params.external_probability,
        union_country_probability=params.union_probability,
        site_probability=params.site_probability,
    )
    tick = lambda done, total: progress(0.05 + 0.9 * done / max(total, 1), f"{done}/{total}")  # noqa: E731
    if params.simulate:
        weeks = max(1, round(params.window))
        spec = dataclasses.replace(spec, window=float(weeks))
        result = simulate_montecarlo(
            net,
            spec,
            SimulationSpec(weeks=weeks),
            worst=None if params.worst >= 100 else params.worst,
            reference=params.reference,
            scheduler=fanout.scheduler,
            workers=fanout.workers,
            progress=tick,
        )
    else:
        result = montecarlo(
            net, spec, reference=params.reference, scheduler=fanout.scheduler, workers=fanout.workers, progress=tick
        )
    return ResultTables("montecarlo", dict(result.tables), dict(result.fingerprint))


def run_simulate_job(ds: Dataset, params: BaseModel, progress: ProgressFn) -> ResultTables:
    """A stored scenario week by week: output, losses and stock per week and OEM, beside the TTR bound."""
    assert isinstance(params, SimulateParams)
    net = _compile(ds, params.scenario, params.year)
    progress(0.3, None)
    shock = compile_shock(ds, net, params.scenario)
    window, basis = shock_window(shock, params.weeks)
    weeks = max(1, math.ceil(window))
    spec = SimulationSpec(
        weeks, params.policy, params.target_weeks, params.rationing, params.recovery, backlog=params.backlog
    )
    result = with_window_basis(simulate_shock(net, shock, spec), basis)
    return ResultTables("simulate", dict(result.tables), dict(result.fingerprint))


# ====================================================================== what the results reveal

# who owns each figure: importsub.model.results (the result declarations)


def arrange_shock(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Masked rows after the visible ones (the tables are ranked by loss)."""
    out = dict(tables)
    if "vehicles" in out:
        out["vehicles"] = hidden_last(out["vehicles"], "extra lost margin [RUB]", ["site", "part"])
    if "oems" in out:
        out["oems"] = hidden_last(out["oems"], "extra lost margin [RUB]", ["OEM"])
    if "why" in out:
        out["why"] = hidden_last(out["why"], "why", ["constraint", "where"])
    return out


def arrange_simulate(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The weekly rows stay in week and OEM order (no ranking to hide)."""
    return dict(tables)


def arrange_sweep(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Rank and risk exposure index among the targets the viewer may see; the others last, by name.

    The index is relative to the largest impact the viewer may see (the
    global largest is another organisation's figure).
    """
    out = dict(tables)
    pi = "performance impact [RUB]"
    for name in SWEEP_TABLES.values():
        df = out.get(name)
        if df is None or pi not in df.columns:
            continue
        df = hidden_last(df, pi, ["target"])
        shown = df[pi].is_not_null().to_numpy()
        values = df[pi].fill_null(0.0).to_numpy()
        top = float(values[shown].max()) if shown.any() else 0.0
        rank = [int(r) if s else None for r, s in zip(np.cumsum(shown), shown, strict=True)]
        df = df.with_columns(
            pl.Series("rank", rank, dtype=pl.UInt32),
            pl.when(pl.col(pi).is_not_null())
            .then(pl.col(pi) / top if top > 0 else pl.lit(0.0))
            .otherwise(None)
            .alias("risk exposure index"),
        )
        out[name] = df
    return out


def arrange_montecarlo(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    out = dict(tables)
    if "oems" in out:
        out["oems"] = hidden_last(out["oems"], "expected loss [RUB]", ["OEM"])
    if "worst 1%" in out:
        out["worst 1%"] = hidden_last(out["worst 1%"], "in worst 1% [%]", ["site", "part"])
    return out


def register_all(analyses: Analyses) -> None:
    """Register ``shock``, ``sweep``, ``montecarlo`` and ``simulate`` (called by :func:`importsub.web.services.catalogue.build_analyses`)."""
    analyses.register(
        AnalysisSpec(
            "shock",
            N_("Shock: losses per OEM and why"),
            ShockParams,
            run_shock_job,
            arrange=arrange_shock,
            charts={
                "summary": None,
                "oems": ("OEM name", "extra lost margin [RUB]"),
                "vehicles": ("part name", "extra lost margin [RUB]"),
                "periods": None,
                "why": None,
                "targets": None,
                "weekly": ("week", "output [units]", "OEM name"),
            },
        )
    )
    analyses.register(
        AnalysisSpec(
            "sweep",
            N_("Risk exposure ranking"),
            SweepParams,
            partial(run_sweep_job, fanout=analyses.fanout),
            arrange=arrange_sweep,
            charts={
                "nodes": ("target", "performance impact [RUB]"),
                "sites": ("site name", "performance impact [RUB]"),
                "countries": ("country", "performance impact [RUB]"),
                "summary": None,
            },
        )
    )
    analyses.register(
        AnalysisSpec(
            "montecarlo",
            N_("Monte Carlo loss distribution"),
            MonteCarloParams,
            partial(run_montecarlo_job, fanout=analyses.fanout),
            arrange=arrange_montecarlo,
            charts={
                "summary": None,
                "oems": ("OEM name", "expected loss [RUB]"),
                "distribution": None,
                "worst 1%": ("part name", "in worst 1% [%]"),
                "simulated runs": None,
                "models": ("model", "expected loss [RUB]"),
            },
        )
    )
    analyses.register(
        AnalysisSpec(
            "simulate",
            N_("Week by week: a shock simulated"),
            SimulateParams,
            run_simulate_job,
            arrange=arrange_simulate,
            charts={"weekly": ("week", "output [units]", "OEM name"), "summary": None},
        )
    )


# words that the result pages translate from data (kinds of binding constraint, how a target was settled)
_DATA_WORDS = (
    N_("input shortage"),
    N_("capacity cut"),
    N_("at capacity"),
    N_("capacity pool"),
    N_("link not qualified"),
    N_("screening"),
    N_("LP"),
    # where a shock's window comes from (importsub.analysis.disruption.shock_window)
    N_("given"),
    N_("longest disruption + recovery"),
    N_("default: the scenario disrupts nothing"),
)
