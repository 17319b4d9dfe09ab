"""The project rule: applying joint projects to a dataset for one year (Dataset → Dataset).

``compile(..., projects=)`` calls :func:`compile_with_projects`; the impact and
portfolio analyses (:mod:`importsub.analysis.projects`,
:mod:`importsub.analysis.portfolio`) call :func:`application`.

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

from importsub.compile.matrices import gross_output, need_units
from importsub.compile.network import FloatArray, Network
from importsub.compile.stages import compile_without_projects, default_year
from importsub.model.dataset import Dataset, empty_frame
from importsub.model.errors import AnalysisError, NotFoundError
from importsub.model.messages import said, why
from importsub.model.schema import table

PROJECT_RULE = (
    "capacity = target × ramp-up fraction of the year × scale at the host site; it takes over the "
    "project's substitutable links, largest import volume (network without projects) first, up to that capacity"
)

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


def at_site(ds: Dataset, project: str, site: str) -> Dataset:
    """A what-if copy of ``ds`` in which ``project`` is hosted at ``site`` (e.g. a candidate site of a
    project with none announced); nothing stored changes.

    The copy's fingerprint is derived from the stored one and the tag ``{"candidate site": {project: site}}``,
    so a figure computed on it is never mistaken for one of the stored data.

    Raises
    ------
    NotFoundError
        An unknown project or site.

    Examples
    --------
    >>> from importsub import demo
    >>> what_if = at_site(demo.load(), "P-BRAKES", "BRAKE-BY-3")
    >>> what_if.projects.filter(pl.col("id") == "P-BRAKES").get_column("host_site").item()
    'BRAKE-BY-3'
    """
    _check_projects(ds, [project])
    sites = ds.sites.get_column("id").to_list()
    if site not in sites:
        raise NotFoundError(f"dataset {ds.name!r}: unknown site {site!r} for project {project!r}")
    hosted = ds.projects.with_columns(
        pl.when(pl.col("id") == project).then(pl.lit(site)).otherwise(pl.col("host_site")).alias("host_site")
    )
    return derived(ds, {"projects": hosted}, {"candidate site": {project: site}})


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
        ``taken over [units/yr]``, ``note`` (why nothing is added, in English; ``note id`` and
        ``note args`` render it in another language, :func:`importsub.model.messages.localised`).
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
    "note id": pl.String,
    "note args": pl.String,
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
    scales = _scales(scale, order)
    work = _Work.of(ds)
    cap_rows: list[dict[str, Any]] = []
    take_rows: list[dict[str, Any]] = []
    host_of = dict(ds.projects.select("id", "host_site").iter_rows())
    outputs = ds.project_outputs
    subs = ds.project_substitutes
    for p in order:
        host = host_of[p]
        frac = fractions.get(p, 0.0)
        s = scales[p]
        for part, target, uv in (
            outputs.filter(pl.col("project") == p).select("part", "capacity", "unit_value").iter_rows()
        ):
            K = float(target) * frac * s
            row = _capacity_row(p, host, part, float(target), frac, s)
            cap_rows.append(row)
            if not _add_capacity(work, row, p, K, uv, year):
                continue
            cand = subs.filter((pl.col("project") == p) & (pl.col("part") == part) & (pl.col("supplier") != host))
            if cand.height == 0:
                continue
            if work.need_e is None:
                net0 = base if base is not None else compile_without_projects(plain, None, year)
                work.need_e = need_units(net0, gross_output(net0))[net0.link_group]
            left = _take_over(work, cand, p, host, part, K, year, take_rows)
            row["taken over [units/yr]"] = K - left
    return Application(
        dataset=_modified_copy(ds, work, order, year, scales, scenario),
        projects=tuple(order),
        year=year,
        scale=scales,
        capacity=pl.DataFrame(cap_rows, schema=_CAPACITY_SCHEMA),
        takeovers=pl.DataFrame(take_rows, schema=_TAKEOVER_SCHEMA),
    )


def _scales(scale: Scale, order: Sequence[str]) -> dict[str, float]:
    """Capacity scale of each project [× target]; a negative or non-finite one raises AnalysisError."""
    scales = {p: _scale_of(scale, p) for p in order}
    bad = [p for p, s in scales.items() if not (s >= 0 and np.isfinite(s))]
    if bad:
        raise AnalysisError(f"project scale must be a finite number ≥ 0: {', '.join(bad)}")
    return scales


@dataclass
class _Work:
    """The tables a project application changes, as arrays and key maps while projects are applied.

    ``share`` [fraction] and ``need_e`` (need of each link's group in the network
    without projects [units/yr], computed when first needed) grow with new links.
    """

    links: pl.DataFrame
    share: FloatArray
    link_keys: list[tuple[str, str, str]]  # (buyer, part, supplier)
    link_at: dict[tuple[str, str, str], int]
    lead: FloatArray  # [weeks]
    prod: pl.DataFrame
    prod_at: dict[tuple[str, str], int]
    capacity: FloatArray  # [units/yr]
    prod_pool: list[Any]
    pools: pl.DataFrame
    pool_at: dict[tuple[str, str], int]
    pool_capacity: FloatArray  # [units/yr]
    new_prod: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    new_prod_at: dict[tuple[str, str], int] = dataclasses.field(default_factory=dict)
    new_links: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    need_e: FloatArray | None = None

    @classmethod
    def of(cls, ds: Dataset) -> _Work:
        links = ds.supply_links
        link_keys = list(
            zip(
                links.get_column("buyer").to_list(),
                links.get_column("part").to_list(),
                links.get_column("supplier").to_list(),
                strict=True,
            )
        )
        prod = ds.production
        prod_keys = list(zip(prod.get_column("site").to_list(), prod.get_column("part").to_list(), strict=True))
        pools = ds.capacity_pools
        pool_keys = zip(pools.get_column("site").to_list(), pools.get_column("pool").to_list(), strict=True)
        return cls(
            links=links,
            share=links.get_column("share").cast(pl.Float64).to_numpy().astype(np.float64, copy=True),
            link_keys=link_keys,
            link_at={k: e for e, k in enumerate(link_keys)},
            lead=links.get_column("lead_time").fill_null(0.0).cast(pl.Float64).to_numpy(),
            prod=prod,
            prod_at={k: r for r, k in enumerate(prod_keys)},
            capacity=prod.get_column("capacity").cast(pl.Float64).to_numpy().astype(np.float64, copy=True),
            prod_pool=prod.get_column("pool").to_list(),
            pools=pools,
            pool_at={k: r for r, k in enumerate(pool_keys)},
            pool_capacity=pools.get_column("capacity").cast(pl.Float64).to_numpy().astype(np.float64, copy=True),
        )


def _capacity_row(project: str, host: str | None, part: str, target: float, frac: float, s: float) -> dict[str, Any]:
    """A row of :attr:`Application.capacity`, nothing added yet."""
    return {
        "project": project,
        "host site": host,
        "part": part,
        "target [units/yr]": target,
        "ramp-up [fraction]": frac,
        "scale [×]": s,
        "capacity added [units/yr]": 0.0,
        "new production": False,
        "taken over [units/yr]": 0.0,
        **said("note", None),
    }


def _add_capacity(work: _Work, row: dict[str, Any], project: str, K: float, uv: Any, year: int) -> bool:
    """Add ``K`` [units/yr] of the row's part at the host site (step 1 of the rule); False when nothing
    is added (no host site, or ``K = 0``: the row's note says why)."""
    host, part = row["host site"], row["part"]
    if host is None:
        row.update(said("note", why("no host site")))
        return False
    if K <= 0.0:
        note = why("no capacity yet", rampup=row["ramp-up [fraction]"], scale=row["scale [×]"], year=year)
        row.update(said("note", note))
        return False
    row["capacity added [units/yr]"] = K
    r = work.prod_at.get((host, part))
    if (host, part) in work.new_prod_at:
        work.new_prod[work.new_prod_at[(host, part)]]["capacity"] += K
    elif r is not None:
        work.capacity[r] += K
        pool = work.prod_pool[r]
        if pool is not None and (host, pool) in work.pool_at:
            work.pool_capacity[work.pool_at[(host, pool)]] += K
    else:
        ttrs = work.prod.filter(pl.col("site") == host).get_column("time_to_recover").drop_nulls()
        work.new_prod.append(
            {
                "site": host,
                "part": part,
                "capacity": K,
                "unit_value": None if uv is None else float(uv),
                "time_to_recover": float(ttrs.max()) if ttrs.len() else 0.0,  # type: ignore[arg-type]
                "pool": None,
                "source": f"project {project} ({year}, importsub apply)",
            }
        )
        work.new_prod_at[(host, part)] = len(work.new_prod) - 1
        row["new production"] = True
    return True


def _take_over(
    work: _Work,
    cand: pl.DataFrame,
    project: str,
    host: str,
    part: str,
    K: float,
    year: int,
    take_rows: list[dict[str, Any]],
) -> float:
    """Hand the substitutable links ``cand`` to the host, largest volume first, up to ``K`` [units/yr]
    (step 2 of the rule); appends one take-over row per link and returns the capacity left."""
    assert work.need_e is not None
    ranked = []
    for b, sup in cand.select("buyer", "supplier").iter_rows():
        e = work.link_at.get((b, part, sup))
        if e is None:  # validation guarantees the link; be safe on unvalidated input
            continue
        ranked.append((-(work.share[e] * work.need_e[e]), b, sup, e))
    ranked.sort()
    left = K
    for _, b, sup, e in ranked:
        vol = work.share[e] * work.need_e[e]
        before = work.share[e]
        take = min(vol, left) if left > 0 and vol > 0 else 0.0
        if take > 0:
            d_share = min(take / work.need_e[e], work.share[e])
            work.share[e] -= d_share
            left -= take
            h = _host_link(work, b, part, host, e, project, year)
            work.share[h] += d_share
        take_rows.append(
            {
                "project": project,
                "buyer": b,
                "part": part,
                "supplier": sup,
                "volume [units/yr]": float(vol),
                "taken over [units/yr]": float(take),
                "share before [fraction]": float(before),
                "share after [fraction]": float(work.share[e]),
            }
        )
    return left


def _host_link(work: _Work, buyer: str, part: str, host: str, e: int, project: str, year: int) -> int:
    """The host's link to ``buyer`` for ``part``; a new qualified one (share 0, the need of link ``e``'s
    group) when none exists."""
    h = work.link_at.get((buyer, part, host))
    if h is not None:
        return h
    assert work.need_e is not None
    lt = _new_lead_time(work.link_keys, work.lead, host, buyer, work.new_links)
    work.link_keys.append((buyer, part, host))
    h = len(work.link_keys) - 1
    work.link_at[(buyer, part, host)] = h
    work.share = np.append(work.share, 0.0)
    work.need_e = np.append(work.need_e, work.need_e[e])
    work.new_links.append(
        {
            "buyer": buyer,
            "part": part,
            "supplier": host,
            "share": 0.0,
            "lead_time": lt,
            "qualified": True,
            "source": f"project {project} take-over ({year}, importsub apply)",
        }
    )
    return h


def _modified_copy(
    ds: Dataset, work: _Work, order: list[str], year: int, scales: dict[str, float], scenario: str | None
) -> Dataset:
    """The dataset with the applied capacity and shares (step 3 of the rule)."""
    links = work.links
    n_old = links.height
    links_out = links.with_columns(pl.Series("share", work.share[:n_old]))
    if work.new_links:
        for k, row in enumerate(work.new_links):
            row["share"] = float(work.share[n_old + k])
        links_out = pl.concat([links_out, pl.DataFrame(work.new_links, schema=links.schema)])
    prod = work.prod
    prod_out = prod.with_columns(pl.Series("capacity", work.capacity))
    if work.new_prod:
        prod_out = pl.concat([prod_out, pl.DataFrame(work.new_prod, schema=prod.schema)])
    frames = {
        "production": prod_out,
        "supply_links": links_out,
        "capacity_pools": work.pools.with_columns(pl.Series("capacity", work.pool_capacity)),
        "project_outputs": ds.project_outputs.filter(~pl.col("project").is_in(order)),
        "scenario_projects": empty_frame(table("scenario_projects")),
    }
    return derived(ds, frames, {"projects": order, "year": year, "scale": scales, "scenario": scenario})


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
    """Compile an application's dataset; its fingerprint names the projects, scale and rule."""
    try:
        net = compile_without_projects(app.dataset, scenario, app.year)
    except AnalysisError as exc:
        raise AnalysisError(f"with projects {', '.join(app.projects) or 'none'} applied in {app.year}: {exc}") from exc
    fp = dict(net.fingerprint)
    fp["base content"] = app.dataset.meta.get("base fingerprint")
    fp.update(app.fingerprint)
    return dataclasses.replace(net, fingerprint=fp)
