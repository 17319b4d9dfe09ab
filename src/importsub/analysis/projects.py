"""Joint projects in the network: applying them, and the impact of each, year by year.

Applying projects (the rule, stated in every result's fingerprint as ``project rule``)
--------------------------------------------------------------------------------------
For a year ``Y`` and a set of projects (each with a capacity ``scale``, 1 by default):

1. **Capacity.**  Every output part ``c`` of project ``p`` adds
   ``K = target [units/yr] × ramp-up fraction of Y × scale`` at the project's
   host site: the host's production record of ``c`` gets ``+K`` (and its
   capacity pool, if any, too), or a new production record is created
   (price = the output's unit value, else the part's; time to recover = the
   longest at the host site; no pool).  The ramp-up fraction of ``Y`` is the
   latest ramp-up row with ``year ≤ Y`` (0 before the first).  A project with
   no host site, or with ``K = 0``, changes nothing.
2. **Take-over, largest import first.**  The project's substitutable links
   of part ``c`` (``project_substitutes``) are ranked by the volume they carry
   in the network *without projects* (year ``Y``, base demand: a scenario's
   demand changes do not move contracts) [units/yr], largest first (ties: buyer, then supplier id).  Each in turn
   hands ``t = min(volume, K left)`` to the host: the link's share drops by
   ``t / need`` and the host's link to the same buyer and part gains it
   (a new qualified link is created when none exists; its lead time is the
   host's lead time to that buyer for any part, else the host's shortest,
   else 0).  ``K left`` falls by ``t``.  Shares of a buyer and part still
   sum to 1.  Projects are applied in the order of the ``projects`` table,
   so when two listed projects name the same link the first takes first.
3. Nothing in the stored dataset changes: the result is a modified copy in
   which applied projects' ``project_outputs`` rows are removed (their
   capacity is now production, so balance does not count it twice) and
   ``scenario_projects`` is emptied (compile would refuse it).

Because the volumes of step 2 come from the network without projects, the
change each project makes (capacity added, shares moved) does not depend on
which other projects are applied, unless two of them name the same link.
This is what makes the portfolio model of :mod:`importsub.analysis.portfolio`
exact.

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
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from importsub.analysis.balance import balance
from importsub.analysis.demand import gross_output, need_units
from importsub.analysis.localisation import DEFAULT_GROUP, domestic_content
from importsub.analysis.result import Result
from importsub.compile.build import compile
from importsub.compile.network import FloatArray, Network
from importsub.model.dataset import Dataset, empty_frame
from importsub.model.errors import AnalysisError, NotFoundError
from importsub.model.schema import table

PROJECT_RULE = (
    "capacity = target × ramp-up fraction of the year × scale at the host site; it takes over the "
    "project's substitutable links, largest import volume (network without projects) first, up to that capacity"
)
ALL = "ALL"
"""Label of the row where every project is applied together."""

Scale = float | Mapping[str, float]


# ---------------------------------------------------------------------------------------------- helpers


def content_fingerprint(ds: Dataset) -> str:
    """The dataset's content fingerprint, from ``meta`` when already known (no re-hash)."""
    fp = ds.meta.get("fingerprint") if isinstance(ds.meta, Mapping) else None
    return str(fp) if fp else ds.fingerprint()


def with_fingerprint(ds: Dataset) -> Dataset:
    """The same dataset with its content fingerprint cached in ``meta`` (hashed once)."""
    fp = content_fingerprint(ds)
    return Dataset(ds.name, ds.tables, ds.version, {**dict(ds.meta), "fingerprint": fp})


def derived(ds: Dataset, frames: Mapping[str, pl.DataFrame], tag: Any) -> Dataset:
    """A copy of ``ds`` with some tables replaced, fingerprinted without re-hashing its content.

    Its fingerprint is ``sha256(base fingerprint + tag)`` (``tag`` says what
    was derived: projects, year, scale), and ``meta["base fingerprint"]``
    keeps the stored dataset's, so a figure can be traced to its version.
    """
    base = content_fingerprint(ds)
    meta = dict(ds.meta)
    meta.setdefault("base fingerprint", base)
    digest = hashlib.sha256((base + json.dumps(tag, sort_keys=True, default=str)).encode()).hexdigest()
    meta["fingerprint"] = digest
    return Dataset(ds.name, {**ds.tables, **frames}, ds.version, meta)


def resolve_year(ds: Dataset, scenario: str | None, year: int | None) -> int:
    """The year compile would use: ``year``, else the scenario's, else
    :func:`importsub.compile.build.default_year` (the one default-year rule)."""
    if year is not None:
        return int(year)
    if scenario is not None:
        sc = ds.scenarios.filter(pl.col("name") == scenario)
        if sc.height == 0:
            known = ", ".join(ds.scenarios.get_column("name").to_list()) or "none"
            raise NotFoundError(f"dataset {ds.name!r}: unknown scenario {scenario!r}; scenarios: {known}")
        y = sc.get_column("year")[0]
        if y is not None:
            return int(y)
    from importsub.compile.build import default_year

    default = default_year(ds)
    if default is None:
        raise AnalysisError(f"dataset {ds.name!r} has no demand records: no year to apply projects to")
    return default


def rampup_fraction(ds: Dataset, year: int) -> dict[str, float]:
    """Ramp-up fraction of every project in ``year`` [fraction of target capacity].

    The fraction of the latest ``project_rampup`` row with ``row.year ≤ year``
    (a project holds its last level); 0 before its first row.
    """
    out = dict.fromkeys(ds.projects.get_column("id").to_list(), 0.0)
    ru = ds.project_rampup.filter(pl.col("year") <= year)
    if ru.height:
        last = ru.sort("year").group_by("project", maintain_order=True).agg(pl.col("fraction").last())
        for p, f in last.iter_rows():
            out[p] = float(f)
    return out


def scenario_projects(ds: Dataset, scenario: str | None) -> list[str]:
    """Projects a scenario declares active (``scenario_projects``), in table order."""
    if scenario is None:
        return []
    return ds.scenario_projects.filter(pl.col("scenario") == scenario).get_column("project").to_list()


def _check_projects(ds: Dataset, projects: Sequence[str]) -> list[str]:
    """``projects`` in the order of the projects table; unknown ids raise NotFoundError."""
    known = ds.projects.get_column("id").to_list()
    unknown = [p for p in projects if p not in known]
    if unknown:
        raise NotFoundError(
            f"dataset {ds.name!r}: unknown project(s) {', '.join(map(repr, unknown))}; projects: "
            + (", ".join(known) or "none")
        )
    chosen = set(projects)
    return [p for p in known if p in chosen]


def _scale_of(scale: Scale, project: str) -> float:
    if isinstance(scale, Mapping):
        return float(scale.get(project, 1.0))
    return float(scale)


def without_projects(ds: Dataset) -> Dataset:
    """The dataset as compile accepts it with no project at all (``scenario_projects`` emptied)."""
    if ds.scenario_projects.height == 0:
        return ds
    return derived(ds, {"scenario_projects": empty_frame(table("scenario_projects"))}, "no scenario projects")


# ---------------------------------------------------------------------------------------------- applying


@dataclass(frozen=True)
class Application:
    """Projects applied to a dataset for one year.

    Attributes
    ----------
    dataset : Dataset
        The modified copy (see the module docstring for the rule).
    projects : tuple[str, ...]
        Applied projects, in the order of the projects table.
    year : int
    scale : dict[str, float]
        Capacity scale of each applied project [× target].
    capacity : pl.DataFrame
        One row per project output: ``project``, ``host site``, ``part``,
        ``target [units/yr]``, ``ramp-up [fraction]``, ``scale [×]``,
        ``capacity added [units/yr]``, ``new production`` (bool),
        ``taken over [units/yr]``, ``note``.
    takeovers : pl.DataFrame
        One row per substitutable link: ``project``, ``buyer``, ``part``,
        ``supplier``, ``volume [units/yr]`` (without projects),
        ``taken over [units/yr]``, ``share before [fraction]``,
        ``share after [fraction]``.
    """

    dataset: Dataset
    projects: tuple[str, ...]
    year: int
    scale: dict[str, float]
    capacity: pl.DataFrame
    takeovers: pl.DataFrame

    @property
    def fingerprint(self) -> dict[str, Any]:
        return {
            "projects": list(self.projects),
            "project scale": {p: s for p, s in self.scale.items() if s != 1.0},
            "project rule": PROJECT_RULE,
        }


_CAPACITY_SCHEMA = {
    "project": pl.String,
    "host site": pl.String,
    "part": pl.String,
    "target [units/yr]": pl.Float64,
    "ramp-up [fraction]": pl.Float64,
    "scale [×]": pl.Float64,
    "capacity added [units/yr]": pl.Float64,
    "new production": pl.Boolean,
    "taken over [units/yr]": pl.Float64,
    "note": pl.String,
}
_TAKEOVER_SCHEMA = {
    "project": pl.String,
    "buyer": pl.String,
    "part": pl.String,
    "supplier": pl.String,
    "volume [units/yr]": pl.Float64,
    "taken over [units/yr]": pl.Float64,
    "share before [fraction]": pl.Float64,
    "share after [fraction]": pl.Float64,
}


def application(
    dataset: Dataset,
    projects: Sequence[str] | None = None,
    year: int | None = None,
    *,
    scenario: str | None = None,
    scale: Scale = 1.0,
    base: Network | None = None,
) -> Application:
    """Apply projects to a dataset for one year (a pure function; see the module docstring).

    Parameters
    ----------
    dataset : Dataset
    projects : sequence of str, optional
        Project ids; default: the scenario's projects (none without a scenario).
    year : int, optional
        Year of ramp-up and demand; default as compile (the scenario's, else
        the latest year with demand).
    scenario : str, optional
        Scenario whose projects apply when ``projects`` is None.
    scale : float or mapping
        Capacity level [× target] of every project, or per project id
        (missing ids: 1).  The portfolio funds levels 1 or ``max_scale``.
    base : Network, optional
        The compiled network without projects for this year (base demand),
        when the caller already has it (saves one compile).

    Returns
    -------
    Application
        ``capacity added = target × fraction × scale [units/yr]`` per output;
        take-overs ``t = min(volume, capacity left)`` per link, largest first.

    Raises
    ------
    NotFoundError
        An unknown project or scenario.
    AnalysisError
        No demand in the year (volumes need derived demand).

    Examples
    --------
    >>> from importsub import demo
    >>> app = application(demo.load(), ["P-LED-RUDENSK"], 2028)
    >>> app.capacity.get_column("capacity added [units/yr]").sum() > 0
    True
    """
    ds = dataset
    if projects is None:
        projects = scenario_projects(ds, scenario)
    order = _check_projects(ds, projects)
    year = resolve_year(ds, scenario, year)
    plain = without_projects(ds)
    fractions = rampup_fraction(ds, year)
    scales = {p: _scale_of(scale, p) for p in order}
    bad = [p for p, s in scales.items() if not (s >= 0 and np.isfinite(s))]
    if bad:
        raise AnalysisError(f"project scale must be a finite number ≥ 0: {', '.join(bad)}")

    links = ds.supply_links
    share = links.get_column("share").cast(pl.Float64).to_numpy().astype(np.float64, copy=True)
    link_keys = list(
        zip(
            links.get_column("buyer").to_list(),
            links.get_column("part").to_list(),
            links.get_column("supplier").to_list(),
            strict=True,
        )
    )
    link_at = {k: e for e, k in enumerate(link_keys)}
    lead = links.get_column("lead_time").fill_null(0.0).cast(pl.Float64).to_numpy()
    prod = ds.production
    prod_keys = list(zip(prod.get_column("site").to_list(), prod.get_column("part").to_list(), strict=True))
    prod_at = {k: r for r, k in enumerate(prod_keys)}
    capacity = prod.get_column("capacity").cast(pl.Float64).to_numpy().astype(np.float64, copy=True)
    prod_pool = prod.get_column("pool").to_list()
    pools = ds.capacity_pools
    pool_at = {
        k: r
        for r, k in enumerate(zip(pools.get_column("site").to_list(), pools.get_column("pool").to_list(), strict=True))
    }
    pool_capacity = pools.get_column("capacity").cast(pl.Float64).to_numpy().astype(np.float64, copy=True)
    new_prod: list[dict[str, Any]] = []
    new_links: list[dict[str, Any]] = []

    cap_rows: list[dict[str, Any]] = []
    take_rows: list[dict[str, Any]] = []
    info = ds.projects.select("id", "host_site")
    host_of = dict(info.iter_rows())
    outputs = ds.project_outputs
    subs = ds.project_substitutes
    need_e: FloatArray | None = None  # need of each link's group, network without projects [units/yr]
    new_prod_at: dict[tuple[str, str], int] = {}

    for p in order:
        host = host_of[p]
        frac = fractions.get(p, 0.0)
        s = scales[p]
        for part, target, uv in (
            outputs.filter(pl.col("project") == p).select("part", "capacity", "unit_value").iter_rows()
        ):
            K = float(target) * frac * s
            row = {
                "project": p,
                "host site": host,
                "part": part,
                "target [units/yr]": float(target),
                "ramp-up [fraction]": frac,
                "scale [×]": s,
                "capacity added [units/yr]": 0.0,
                "new production": False,
                "taken over [units/yr]": 0.0,
                "note": None,
            }
            cap_rows.append(row)
            if host is None:
                row["note"] = "no host site: adds no capacity until one is chosen"
                continue
            if K <= 0.0:
                row["note"] = f"ramp-up {frac:g} × scale {s:g} in {year}: no capacity yet"
                continue
            row["capacity added [units/yr]"] = K
            r = prod_at.get((host, part))
            if (host, part) in new_prod_at:
                new_prod[new_prod_at[(host, part)]]["capacity"] += K
            elif r is not None:
                capacity[r] += K
                pool = prod_pool[r]
                if pool is not None and (host, pool) in pool_at:
                    pool_capacity[pool_at[(host, pool)]] += K
            else:
                ttrs = prod.filter(pl.col("site") == host).get_column("time_to_recover").drop_nulls()
                new_prod.append(
                    {
                        "site": host,
                        "part": part,
                        "capacity": K,
                        "unit_value": None if uv is None else float(uv),
                        "time_to_recover": float(ttrs.max()) if ttrs.len() else 0.0,  # type: ignore[arg-type]
                        "pool": None,
                        "source": f"project {p} ({year}, importsub apply)",
                    }
                )
                new_prod_at[(host, part)] = len(new_prod) - 1
                row["new production"] = True
            cand = subs.filter((pl.col("project") == p) & (pl.col("part") == part) & (pl.col("supplier") != host))
            if cand.height == 0:
                continue
            if need_e is None:
                net0 = base if base is not None else compile(plain, None, year)
                need_e = need_units(net0, gross_output(net0))[net0.link_group]
            ranked = []
            for b, sup in cand.select("buyer", "supplier").iter_rows():
                e = link_at.get((b, part, sup))
                if e is None:  # validation guarantees the link; be safe on unvalidated input
                    continue
                ranked.append((-(share[e] * need_e[e]), b, sup, e))
            ranked.sort()
            left = K
            for _, b, sup, e in ranked:
                vol = share[e] * need_e[e]
                before = share[e]
                take = min(vol, left) if left > 0 and vol > 0 else 0.0
                if take > 0:
                    d_share = min(take / need_e[e], share[e])
                    share[e] -= d_share
                    left -= take
                    h = link_at.get((b, part, host))
                    if h is None:
                        lt = _new_lead_time(link_keys, lead, host, b, new_links)
                        link_keys.append((b, part, host))
                        h = len(link_keys) - 1
                        link_at[(b, part, host)] = h
                        share = np.append(share, 0.0)
                        need_e = np.append(need_e, need_e[e])
                        new_links.append(
                            {
                                "buyer": b,
                                "part": part,
                                "supplier": host,
                                "share": 0.0,
                                "lead_time": lt,
                                "qualified": True,
                                "source": f"project {p} take-over ({year}, importsub apply)",
                            }
                        )
                    share[h] += d_share
                take_rows.append(
                    {
                        "project": p,
                        "buyer": b,
                        "part": part,
                        "supplier": sup,
                        "volume [units/yr]": float(vol),
                        "taken over [units/yr]": float(take),
                        "share before [fraction]": float(before),
                        "share after [fraction]": float(share[e]),
                    }
                )
            row["taken over [units/yr]"] = K - left

    # ------------------------------------------------------------------ the modified copy
    n_old = links.height
    links_out = links.with_columns(pl.Series("share", share[:n_old]))
    if new_links:
        for k, row in enumerate(new_links):
            row["share"] = float(share[n_old + k])
        links_out = pl.concat([links_out, pl.DataFrame(new_links, schema=links.schema)])
    prod_out = prod.with_columns(pl.Series("capacity", capacity))
    if new_prod:
        prod_out = pl.concat([prod_out, pl.DataFrame(new_prod, schema=prod.schema)])
    frames = {
        "production": prod_out,
        "supply_links": links_out,
        "capacity_pools": pools.with_columns(pl.Series("capacity", pool_capacity)),
        "project_outputs": outputs.filter(~pl.col("project").is_in(order)),
        "scenario_projects": empty_frame(table("scenario_projects")),
    }
    out = derived(ds, frames, {"projects": order, "year": year, "scale": scales, "scenario": scenario})
    return Application(
        dataset=out,
        projects=tuple(order),
        year=year,
        scale=scales,
        capacity=pl.DataFrame(cap_rows, schema=_CAPACITY_SCHEMA),
        takeovers=pl.DataFrame(take_rows, schema=_TAKEOVER_SCHEMA),
    )


def _new_lead_time(
    keys: list[tuple[str, str, str]], lead: FloatArray, host: str, buyer: str, new_links: list[dict[str, Any]]
) -> float:
    """Lead time of a new host → buyer link [weeks]: the host's lead time to that buyer
    (any part), else the host's shortest lead time, else 0."""
    to_buyer = [float(lead[e]) for e, (b, _, s) in enumerate(keys[: lead.size]) if s == host and b == buyer]
    if to_buyer:
        return min(to_buyer)
    from_host = [float(lead[e]) for e, (_, _, s) in enumerate(keys[: lead.size]) if s == host]
    return min(from_host) if from_host else 0.0


def compile_with_projects(
    dataset: Dataset,
    projects: Sequence[str] | None = None,
    year: int | None = None,
    *,
    scenario: str | None = None,
    scale: Scale = 1.0,
    base: Network | None = None,
) -> Network:
    """``compile`` of the dataset with ``projects`` applied (``compile(..., projects=)`` calls this).

    The network's fingerprint carries the stored dataset's content hash plus
    ``projects``, ``project scale`` and ``project rule``, so the figure can be
    reproduced from the stored version.

    Examples
    --------
    >>> from importsub import demo
    >>> net = compile_with_projects(demo.load(), ["P-RINGS-ORSHA"], 2029)
    >>> net.fingerprint["projects"]
    ['P-RINGS-ORSHA']
    """
    app = application(dataset, projects, year, scenario=scenario, scale=scale, base=base)
    return _compile_applied(app, scenario)


def _compile_applied(app: Application, scenario: str | None) -> Network:
    try:
        net = compile(app.dataset, scenario, app.year)
    except AnalysisError as exc:
        raise AnalysisError(f"with projects {', '.join(app.projects) or 'none'} applied in {app.year}: {exc}") from exc
    fp = dict(net.fingerprint)
    fp["base content"] = app.dataset.meta.get("base fingerprint")
    fp.update(app.fingerprint)
    return dataclasses.replace(net, fingerprint=fp)


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
    demand_years = sorted(int(y) for y in ds.demand.get_column("year").drop_nulls().unique().to_list())
    if not demand_years:
        raise AnalysisError(f"dataset {ds.name!r} has no demand records: no year to assess projects in")
    if years is None:
        first = ds.project_rampup.filter(pl.col("project").is_in(ids) & (pl.col("fraction") > 0)).get_column("year")
        start = int(first.min()) if first.len() else demand_years[-1]  # type: ignore[arg-type]
        years = [y for y in demand_years if y >= start] or [demand_years[-1]]
    scen = named_shocks(dataset) if scenarios is None else list(scenarios)
    weights = dict(ds.scenarios.select("name", "weight").iter_rows())
    unknown = [s for s in scen if s not in weights]
    if unknown:
        raise NotFoundError(f"dataset {ds.name!r}: unknown scenario(s) {', '.join(unknown)}")
    capex = dict(ds.projects.select("id", "capex").iter_rows())
    no_outputs = derived(ds, {"project_outputs": empty_frame(table("project_outputs"))}, "no project outputs")

    sets: list[tuple[str, list[str]]] = [(p, [p]) for p in ids]
    if include_all and len(ids) > 1:
        sets.append((ALL, list(ids)))
    summary: list[dict[str, Any]] = []
    veh: list[pl.DataFrame] = []
    oem: list[pl.DataFrame] = []
    cat: list[pl.DataFrame] = []
    bal: list[pl.DataFrame] = []
    shock_rows: list[dict[str, Any]] = []
    caps: list[pl.DataFrame] = []
    takes: list[pl.DataFrame] = []
    for year in years:
        base_net = compile(no_outputs, None, year)
        before = figures(base_net, group, vehicles)
        loss_before = {s: scenario_loss(no_outputs, s, year) for s in scen}
        for label, chosen in sets:
            app = application(ds, chosen, year, base=base_net)
            app_ds = derived(app.dataset, {"project_outputs": empty_frame(table("project_outputs"))}, "no outputs")
            app = dataclasses.replace(app, dataset=app_ds)
            net = _compile_applied(app, None)
            after = figures(net, group, vehicles)
            caps.append(app.capacity.select(pl.lit(year, dtype=pl.Int64).alias("year"), pl.all()))
            if label != ALL:
                takes.append(app.takeovers.select(pl.lit(year, dtype=pl.Int64).alias("year"), pl.all()))
            d_ic = after.import_content - before.import_content
            cx = float(sum(capex[p] or 0.0 for p in chosen))
            losses = {s: scenario_loss(app_ds, s, year) for s in scen}
            avoided = {s: loss_before[s][0] - losses[s][0] for s in scen}
            exp_avoided = sum(weights[s] * avoided[s] for s in scen)
            for s in scen:
                shock_rows.append(
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
            row: dict[str, Any] = {
                "project": label,
                "year": year,
                "capacity added [units/yr]": float(app.capacity.get_column("capacity added [units/yr]").sum()),
                "taken over [units/yr]": float(app.capacity.get_column("taken over [units/yr]").sum()),
                "import content before [%]": before.import_content,
                "import content after [%]": after.import_content,
                "Δ import content [pp]": d_ic,
                "Δ domestic value added [RUB/yr]": after.domestic_value - before.domestic_value,
                "Δ gap [RUB/yr]": after.gap - before.gap,
                "Δ export surplus [RUB/yr]": after.surplus - before.surplus,
                "expected loss avoided [RUB]": exp_avoided if scen else None,
                "capex [RUB]": cx,
                "capex per pp [RUB/pp]": cx / -d_ic if d_ic < -1e-12 else None,
                "capex per RUB avoided [RUB/RUB]": cx / exp_avoided if scen and exp_avoided > 1e-9 else None,
            }
            summary.append(row)
            veh.append(_delta(before.vehicles, after.vehicles, "part", label, year))
            oem.append(_delta(before.oems, after.oems, "organization", label, year))
            cat.append(_delta(before.categories, after.categories, "category", label, year))
            bal.append(_balance_delta(before.parts, after.parts, label, year))
    sum_schema = {
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
    tables = {
        "summary": pl.DataFrame(summary, schema=sum_schema),
        "vehicles": pl.concat(veh),
        "oems": pl.concat(oem),
        "categories": pl.concat(cat),
        "balance": pl.concat(bal),
        "shocks": pl.DataFrame(
            shock_rows,
            schema={
                "project": pl.String,
                "year": pl.Int64,
                "scenario": pl.String,
                "weight [probability]": pl.Float64,
                "lost margin before [RUB]": pl.Float64,
                "lost margin after [RUB]": pl.Float64,
                "loss avoided [RUB]": pl.Float64,
                "PI before [RUB]": pl.Float64,
                "PI after [RUB]": pl.Float64,
            },
        ),
        "capacity": pl.concat(caps),
        "takeovers": pl.concat(takes) if takes else pl.DataFrame(schema={"year": pl.Int64, **_TAKEOVER_SCHEMA}),
    }
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
    return Result("project impact", tables, fp)


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
