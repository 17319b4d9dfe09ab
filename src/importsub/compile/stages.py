"""The stages of compile: scenario and year, index maps, nodes, links, BOM need,
matrices, levels, demand, stock, project outputs, and the Network assembled from them.

Each stage is a function of the dataset and the earlier stages' results; they
run in this order, so the first error a dataset has is the one reported.
:func:`compile_without_projects` runs them all (``compile`` of
:mod:`importsub.compile.build` adds the project rule on top).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from importsub.compile import matrices
from importsub.compile.keys import LIST, KeyIndex, codes, f64, label, names, unique_strings
from importsub.compile.network import STATUTORY_TABLES, BoolArray, FloatArray, IntArray, Network
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError

VALUE_ADDED_TOLERANCE = 1e-9
"""``w_j`` below ``-VALUE_ADDED_TOLERANCE`` is an error (inputs worth more than the node)."""

YEAR_RULE = "latest year with demand not after the current year, else the earliest year with demand"
"""The one default-year rule (CLI, demo headline, web, projects); printed as ``year rule`` in fingerprints."""


def demand_years(dataset: Dataset) -> list[int]:
    """Years with any demand record, ascending."""
    return sorted(int(y) for y in dataset.demand.get_column("year").drop_nulls().unique().to_list())


def default_year(dataset: Dataset, *, today: date | None = None) -> int | None:
    """The default year of every analysis: :data:`YEAR_RULE`.

    The latest year with demand that is not after the current calendar year
    (plans for later years are not the present), else — when every year with
    demand lies in the future — the earliest of them.  ``None`` when the
    dataset has no demand.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> ds = Dataset.from_frames("d", {"demand": pl.DataFrame(
    ...     {"site": ["S"] * 3, "part": ["C"] * 3, "year": [2024, 2026, 2030], "units": [1.0] * 3})})
    >>> default_year(ds, today=date(2026, 12, 1)), default_year(ds, today=date(2020, 1, 1))
    (2026, 2024)
    """
    years = demand_years(dataset)
    if not years:
        return None
    now = (today or date.today()).year
    past = [y for y in years if y <= now]
    return past[-1] if past else years[0]


# ---------------------------------------------------------------------------------------------- scenario and year


@dataclass(frozen=True)
class Resolved:
    """What a scenario and a year resolve to: the demand year, which rule chose it,
    the scenario's demand factors and its declared projects."""

    year: int
    year_rule: str
    factors: pl.DataFrame | None
    scenario_projects: list[str]


def where_of(ds: Dataset) -> str:
    """``dataset 'name'``: the start of every compile error message."""
    return f"dataset {ds.name!r}"


def check_production(ds: Dataset) -> None:
    """An empty dataset (no production record) cannot be compiled: AnalysisError."""
    if ds.production.height == 0:
        raise AnalysisError(f"{where_of(ds)} has no production records: nothing to analyse (empty dataset?)")


def resolve(ds: Dataset, scenario: str | None, year: int | None) -> Resolved:
    """Resolve ``scenario`` and ``year`` as compile does (see :func:`importsub.compile.build.compile`).

    Raises AnalysisError for an unknown scenario, no demand at all, or a year without demand.
    """
    where = where_of(ds)
    factors: pl.DataFrame | None = None
    year_rule = "given"
    declared: list[str] = []
    if scenario is not None:
        sc = ds.scenarios.filter(pl.col("name") == scenario)
        if sc.height == 0:
            known = ds.scenarios.get_column("name").to_list()
            raise AnalysisError(
                f"{where}: unknown scenario {scenario!r}; scenarios: {', '.join(known) if known else 'none'}"
            )
        factors = ds.demand_changes.filter(pl.col("scenario") == scenario)
        declared = ds.scenario_projects.filter(pl.col("scenario") == scenario).get_column("project").to_list()
        sc_year = sc.get_column("year")[0]
        if year is None and sc_year is not None:
            year = int(sc_year)
            year_rule = "scenario"
    years_with_demand = demand_years(ds)
    if not years_with_demand:
        raise AnalysisError(f"{where} has no demand records: derived demand needs final demand for some year")
    if year is None:
        year = default_year(ds)
        year_rule = YEAR_RULE
    elif year not in years_with_demand:
        raise AnalysisError(
            f"{where}: no demand in year {year}; years with demand: {', '.join(map(str, years_with_demand))}"
        )
    assert year is not None
    return Resolved(year, year_rule, factors, declared)


# ---------------------------------------------------------------------------------------------- index maps


@dataclass(frozen=True)
class IndexMaps:
    """Record keys and their integer positions (countries, sites, parts, organizations)."""

    countries: pl.Series
    sites: pl.Series
    parts: pl.Series
    organizations: pl.Series
    site_country: IntArray
    site_org: IntArray
    groups: dict[str, IntArray]
    part_value: FloatArray  # [RUB/unit]
    org_names: dict[str, str]

    @property
    def n_parts(self) -> int:
        return int(self.parts.len())


def index_maps(ds: Dataset) -> IndexMaps:
    """Countries, sites, parts, organizations and country groups as positions."""
    where = where_of(ds)
    countries = unique_strings(
        ds.countries.get_column("iso2"),
        ds.sites.get_column("country"),
        ds.organizations.get_column("country"),
        ds.country_groups.get_column("iso2"),
    )
    sites = ds.sites.get_column("id")
    parts = ds.parts.get_column("id")
    orgs = unique_strings(ds.organizations.get_column("id"), ds.sites.get_column("organization"))
    if sites.n_unique() != sites.len() or parts.n_unique() != parts.len():
        raise AnalysisError(f"{where}: duplicate site or part ids; validate the dataset first")
    site_country = codes(ds.sites.get_column("country"), countries, "country", f"{where}, sheet sites")
    site_org = codes(ds.sites.get_column("organization"), orgs, "organization", f"{where}, sheet sites")
    groups: dict[str, IntArray] = {}
    if ds.country_groups.height:
        cg = ds.country_groups.select(
            "group",
            pl.Series(
                "c",
                codes(ds.country_groups.get_column("iso2"), countries, "country", f"{where}, sheet country_groups"),
            ),
        )
        for (name,), frame in cg.group_by("group", maintain_order=True):
            groups[str(name)] = np.unique(frame.get_column("c").to_numpy().astype(np.int64))
    org_names = dict(
        zip(ds.organizations.get_column("id").to_list(), ds.organizations.get_column("name").to_list(), strict=True)
    )
    return IndexMaps(
        countries, sites, parts, orgs, site_country, site_org, groups, f64(ds.parts.get_column("unit_value")), org_names
    )


# ---------------------------------------------------------------------------------------------- nodes and pools


@dataclass(frozen=True)
class Nodes:
    """Production records as nodes, and the capacity pools they share."""

    site: IntArray
    part: IntArray
    index: KeyIndex  # key site * n_parts + part → node
    value: FloatArray  # [RUB/unit]
    capacity: FloatArray  # [units/yr]
    ttr: FloatArray  # [weeks]
    pool: IntArray  # pool of each node or -1
    pool_site: IntArray
    pool_capacity: FloatArray  # [units/yr]

    @property
    def n(self) -> int:
        return int(self.site.size)

    def label(self, maps: IndexMaps, i: int | np.integer[Any]) -> str:
        return label(maps.sites, maps.parts, self.site, self.part, i)


def nodes_of(ds: Dataset, maps: IndexMaps) -> Nodes:
    """One node per production record (duplicates and unknown pools raise)."""
    where_prod = f"{where_of(ds)}, sheet production"
    production = ds.production
    node_site = codes(production.get_column("site"), maps.sites, "site", where_prod)
    node_part = codes(production.get_column("part"), maps.parts, "part", where_prod)
    nodes = KeyIndex(node_site * maps.n_parts + node_part)
    dup = nodes.duplicates()
    if dup.size:
        raise AnalysisError(
            f"{where_prod}: duplicate production of "
            + names([label(maps.sites, maps.parts, node_site, node_part, i) for i in dup[:LIST]], dup.size - LIST)
        )
    own_value = production.get_column("unit_value")
    value = np.where(own_value.is_null().to_numpy(), maps.part_value[node_part], f64(own_value.fill_null(0.0)))
    pool, pool_site, pool_capacity = _pools(ds, maps, node_site, node_part)
    return Nodes(
        site=node_site,
        part=node_part,
        index=nodes,
        value=value,
        capacity=f64(production.get_column("capacity")),
        ttr=f64(production.get_column("time_to_recover").fill_null(0.0)),
        pool=pool,
        pool_site=pool_site,
        pool_capacity=pool_capacity,
    )


def _pools(
    ds: Dataset, maps: IndexMaps, node_site: IntArray, node_part: IntArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Pool of each node (-1 if none), and the site and capacity [units/yr] of each pool."""
    where = where_of(ds)
    where_prod = f"{where}, sheet production"
    production = ds.production
    pools = ds.capacity_pools
    pool_names = unique_strings(pools.get_column("pool"), production.get_column("pool"))
    n_pool_names = max(pool_names.len(), 1)
    pool_site = codes(pools.get_column("site"), maps.sites, "site", f"{where}, sheet capacity_pools")
    pool_capacity = f64(pools.get_column("capacity"))
    pool_index = KeyIndex(pool_site * n_pool_names + codes(pools.get_column("pool"), pool_names, "pool", where))
    prod_pool_name = codes(production.get_column("pool"), pool_names, "pool", where_prod)
    pool = np.where(prod_pool_name >= 0, pool_index.find(node_site * n_pool_names + prod_pool_name), -1)
    bad_pool = np.flatnonzero((prod_pool_name >= 0) & (pool < 0))
    if bad_pool.size:
        raise AnalysisError(
            f"{where_prod}: unknown capacity pool at "
            + names(
                [label(maps.sites, maps.parts, node_site, node_part, i) for i in bad_pool[:LIST]], bad_pool.size - LIST
            )
        )
    return pool.astype(np.int64), pool_site, pool_capacity


# ---------------------------------------------------------------------------------------------- links


@dataclass(frozen=True)
class Links:
    """Supply links and the procurement groups (buyer site, part) they serve."""

    group: IntArray
    supplier: IntArray  # node
    share: FloatArray  # [fraction]
    qualified: BoolArray
    lead_time: FloatArray  # [weeks]
    group_site: IntArray
    group_part: IntArray
    groups_index: KeyIndex  # key site * n_parts + part → group

    @property
    def m(self) -> int:
        return int(self.group_site.size)


def links_of(ds: Dataset, maps: IndexMaps, nodes: Nodes) -> Links:
    """Links with supplier nodes (a supplier must produce the part) and procurement groups."""
    links = ds.supply_links
    where_links = f"{where_of(ds)}, sheet supply_links"
    n_parts = maps.n_parts
    buyer = codes(links.get_column("buyer"), maps.sites, "site", where_links)
    link_part = codes(links.get_column("part"), maps.parts, "part", where_links)
    supplier_site = codes(links.get_column("supplier"), maps.sites, "site", where_links)
    link_supplier = nodes.index.find(supplier_site * n_parts + link_part)
    missing = np.flatnonzero(link_supplier < 0)
    if missing.size:
        sites, parts = maps.sites, maps.parts
        raise AnalysisError(
            f"{where_links}: supplier does not produce the part: "
            + names(
                [
                    f"{sites[int(supplier_site[e])]} → {sites[int(buyer[e])]} ({parts[int(link_part[e])]})"
                    for e in missing[:LIST]
                ],
                missing.size - LIST,
            )
        )
    group_keys, link_group = np.unique(buyer * n_parts + link_part, return_inverse=True)
    return Links(
        group=link_group.astype(np.int64).reshape(-1),
        supplier=link_supplier,
        share=f64(links.get_column("share")),
        qualified=links.get_column("qualified").fill_null(True).to_numpy().astype(np.bool_),
        lead_time=f64(links.get_column("lead_time").fill_null(0.0)),
        group_site=(group_keys // n_parts).astype(np.int64),
        group_part=(group_keys % n_parts).astype(np.int64),
        groups_index=KeyIndex(group_keys.astype(np.int64)),  # already sorted; kept for uniform lookup
    )


# ---------------------------------------------------------------------------------------------- BOM and need


@dataclass(frozen=True)
class Need:
    """The BOM, what each node needs from each procurement group, and its unmapped inputs."""

    bom: sp.csr_matrix  # parts × parts [units of child per unit of parent]
    has_bom: BoolArray
    need: sp.csr_matrix  # m × n [units of g's part per unit of j's part]
    unmapped_inputs: FloatArray  # [fraction of v_j]


def need_of(ds: Dataset, maps: IndexMaps, nodes: Nodes, links: Links) -> Need:
    """``need[g, j]`` = BOM quantity of g's part per unit of node j's part (j at g's site), and
    ``unmapped_inputs[j] = Σ_c q · value(c) / v_j`` over children with no supply link at j's site."""
    where = where_of(ds)
    n_parts = maps.n_parts
    bom_df = ds.bom
    bom_parent = codes(bom_df.get_column("parent"), maps.parts, "part", f"{where}, sheet bom")
    bom_child = codes(bom_df.get_column("child"), maps.parts, "part", f"{where}, sheet bom")
    bom = sp.csr_matrix((f64(bom_df.get_column("quantity")), (bom_parent, bom_child)), shape=(n_parts, n_parts))
    bom.sum_duplicates()
    bom.eliminate_zeros()
    has_bom = np.diff(bom.indptr)[nodes.part] > 0
    per_node = bom[nodes.part].tocoo()  # rows: nodes j, cols: child parts, data: q
    nb_j = per_node.row.astype(np.int64)
    nb_c = per_node.col.astype(np.int64)
    nb_q = per_node.data.astype(np.float64)
    nb_g = links.groups_index.find(nodes.site[nb_j] * n_parts + nb_c)
    mapped = nb_g >= 0
    need = sp.csr_matrix((nb_q[mapped], (nb_g[mapped], nb_j[mapped])), shape=(links.m, nodes.n))
    need.sum_duplicates()
    need.eliminate_zeros()
    unmapped_value = np.bincount(
        nb_j[~mapped], weights=nb_q[~mapped] * maps.part_value[nb_c[~mapped]], minlength=nodes.n
    )
    return Need(bom, has_bom.astype(np.bool_), need, unmapped_value / nodes.value)


# ---------------------------------------------------------------------------------------------- matrices


def value_matrices(
    ds: Dataset, maps: IndexMaps, nodes: Nodes, links: Links, need: Need
) -> tuple[sp.csr_matrix, sp.csr_matrix, FloatArray]:
    """``A = S · need``, ``B = A v_i / v_j`` and ``w = 1 − colsum(B)`` (:mod:`importsub.compile.matrices`);
    negative value added (mapped, or mapped + unmapped) raises AnalysisError naming the nodes."""
    S = matrices.share_matrix(links.supplier, links.group, links.share, nodes.n, links.m)
    A = matrices.input_matrix(S, need.need)
    B = matrices.value_share_matrix(A, nodes.value)
    w = matrices.value_added(B)
    _check_value_added(ds, maps, nodes, w, need.unmapped_inputs)
    return A, B, w


def _check_value_added(ds: Dataset, maps: IndexMaps, nodes: Nodes, w: FloatArray, unmapped: FloatArray) -> None:
    where = where_of(ds)
    value = nodes.value
    negative = np.flatnonzero(w < -VALUE_ADDED_TOLERANCE)
    if negative.size:
        worst = negative[np.argsort(w[negative])][:LIST]
        raise AnalysisError(
            f"{where}: negative value added (inputs worth more than the product): "
            + names(
                [
                    f"{nodes.label(maps, i)} inputs {(1 - w[i]) * value[i]:,.2f} RUB/unit "
                    f"> value {value[i]:,.2f} RUB/unit"
                    for i in worst
                ],
                negative.size - LIST,
            )
        )
    over = np.flatnonzero(w - unmapped < -VALUE_ADDED_TOLERANCE)
    if over.size:
        worst = over[np.argsort(w[over] - unmapped[over])][:LIST]
        raise AnalysisError(
            f"{where}: negative value added (mapped and unmapped inputs worth more than the product): "
            + names(
                [
                    f"{nodes.label(maps, i)} inputs "
                    f"{(1 - w[i]) * value[i]:,.2f} RUB/unit mapped + {unmapped[i] * value[i]:,.2f} RUB/unit "
                    f"unmapped > value {value[i]:,.2f} RUB/unit"
                    for i in worst
                ],
                over.size - LIST,
            )
        )


def topology(maps: IndexMaps, nodes: Nodes, links: Links, need: Need) -> tuple[IntArray, IntArray]:
    """Level and topological order of every node in the structural graph ``P`` (every link with its BOM
    need, share 0 — qualified alternatives — included); a cycle raises naming its nodes."""
    P = matrices.structure_matrix(links.supplier, links.group, need.need)
    level = matrices.node_levels(P, lambda i: nodes.label(maps, i))
    return level, matrices.topological_order(level)


# ---------------------------------------------------------------------------------------------- demand and stock


def final_demand(ds: Dataset, maps: IndexMaps, nodes: Nodes, resolved: Resolved) -> tuple[FloatArray, FloatArray]:
    """Final demand ``d`` of the year [units/yr] (× the scenario's factors) and margin [RUB/unit] per node."""
    where = where_of(ds)
    n_parts = maps.n_parts
    sites, parts = maps.sites, maps.parts
    dem = ds.demand.filter(pl.col("year") == resolved.year)
    where_dem = f"{where}, sheet demand"
    d_site = codes(dem.get_column("site"), sites, "site", where_dem)
    d_part = codes(dem.get_column("part"), parts, "part", where_dem)
    d_node = nodes.index.find(d_site * n_parts + d_part)
    bad = np.flatnonzero(d_node < 0)
    if bad.size:
        raise AnalysisError(
            f"{where_dem}: demand at a site that does not make the part: "
            + names([f"{sites[int(d_site[k])]}/{parts[int(d_part[k])]}" for k in bad[:LIST]], bad.size - LIST)
        )
    units = f64(dem.get_column("units"))
    factors = resolved.factors
    if factors is not None and factors.height:
        f_site = codes(factors.get_column("site"), sites, "site", f"{where}, sheet demand_changes")
        f_part = codes(factors.get_column("part"), parts, "part", f"{where}, sheet demand_changes")
        hit = KeyIndex(f_site * n_parts + f_part).find(d_site * n_parts + d_part)
        f_val = f64(factors.get_column("factor"))
        units = np.where(hit >= 0, units * f_val[np.maximum(hit, 0)], units)
    demand = np.bincount(d_node, weights=units, minlength=nodes.n).astype(np.float64)
    margin = maps.part_value[nodes.part].copy()
    dem_margin = dem.get_column("margin")
    has_margin = ~dem_margin.is_null().to_numpy()
    margin[d_node[has_margin]] = f64(dem_margin.filter(dem_margin.is_not_null()))
    return demand, margin


def stocks(ds: Dataset, maps: IndexMaps, nodes: Nodes, links: Links) -> tuple[FloatArray, FloatArray]:
    """Finished stock per node and purchased-input stock per procurement group [units].

    Inventory at (site, part) is the node's own stock when the site produces
    the part, else stock of the procurement group (site, part); else unused.
    """
    inv = ds.inventory
    if not inv.height:
        return np.zeros(nodes.n), np.zeros(links.m)
    where = where_of(ds)
    i_site = codes(inv.get_column("site"), maps.sites, "site", f"{where}, sheet inventory")
    i_part = codes(inv.get_column("part"), maps.parts, "part", f"{where}, sheet inventory")
    i_units = f64(inv.get_column("units"))
    i_key = i_site * maps.n_parts + i_part
    i_node = nodes.index.find(i_key)
    own = i_node >= 0
    stock = np.bincount(i_node[own], weights=i_units[own], minlength=nodes.n).astype(np.float64)
    i_group = links.groups_index.find(i_key)
    bought = (~own) & (i_group >= 0)
    group_stock = np.bincount(i_group[bought], weights=i_units[bought], minlength=links.m).astype(np.float64)
    return stock, group_stock


# ---------------------------------------------------------------------------------------------- projects


def rampup(ds: Dataset, project_ids: pl.Series, year: int) -> FloatArray:
    """Ramp-up fraction of each project in ``year``.

    The fraction of the latest ramp-up row with ``row.year <= year`` (a
    project holds its last level); 0 before its first row.
    """
    out = np.zeros(project_ids.len())
    ru = ds.project_rampup.filter(pl.col("year") <= year)
    if ru.height == 0:
        return out
    last = ru.sort("year").group_by("project", maintain_order=True).agg(pl.col("fraction").last())
    idx = codes(last.get_column("project"), project_ids, "project", f"dataset {ds.name!r}, sheet project_rampup")
    out[idx] = f64(last.get_column("fraction"))
    return out


def project_outputs(ds: Dataset, maps: IndexMaps, year: int) -> dict[str, Any]:
    """The dataset's projects and their outputs (kept for balance): the ``project_*`` / ``output_*``
    fields of :class:`Network` [units/yr at full ramp-up; ramp-up fraction of ``year``]."""
    where = where_of(ds)
    proj = ds.projects
    project_ids = tuple(proj.get_column("id").to_list())
    outs = ds.project_outputs
    proj_s = proj.get_column("id")
    output_project = codes(outs.get_column("project"), proj_s, "project", f"{where}, sheet project_outputs")
    host = codes(proj.get_column("host_site"), maps.sites, "site", f"{where}, sheet projects")
    output_site = host[output_project] if output_project.size else np.zeros(0, dtype=np.int64)
    output_part = codes(outs.get_column("part"), maps.parts, "part", f"{where}, sheet project_outputs")
    output_target = f64(outs.get_column("capacity"))
    fraction = rampup(ds, proj_s, year)
    output_fraction = fraction[output_project] if output_project.size else np.zeros(0)
    return {
        "project_ids": project_ids,
        "output_project": output_project,
        "output_site": output_site,
        "output_part": output_part,
        "output_target": output_target,
        "output_fraction": output_fraction,
        "project_in_network": np.zeros(len(project_ids), dtype=np.bool_),
    }


# ---------------------------------------------------------------------------------------------- the network


def build_network(ds: Dataset, scenario: str | None, resolved: Resolved, active: list[str]) -> Network:
    """Run every stage on a dataset whose scenario and year are resolved; ``active`` goes to the
    fingerprint (projects already applied to ``ds``, see :mod:`importsub.compile.projects`)."""
    maps = index_maps(ds)
    nodes = nodes_of(ds, maps)
    links = links_of(ds, maps, nodes)
    need = need_of(ds, maps, nodes, links)
    A, B, w = value_matrices(ds, maps, nodes, links, need)
    level, topo = topology(maps, nodes, links, need)
    demand, margin = final_demand(ds, maps, nodes, resolved)
    stock, group_stock = stocks(ds, maps, nodes, links)
    outputs = project_outputs(ds, maps, resolved.year)
    fingerprint: dict[str, Any] = {
        "dataset": ds.name,
        "version": ds.version,
        "content": ds.fingerprint(),
        "scenario": scenario,
        "year": resolved.year,
        "year rule": resolved.year_rule,
        "projects": list(active),
    }
    production = ds.production
    node_index = dict(
        zip(
            zip(production.get_column("site").to_list(), production.get_column("part").to_list(), strict=True),
            range(nodes.n),
            strict=True,
        )
    )
    return Network(
        sites=tuple(maps.sites.to_list()),
        parts=tuple(maps.parts.to_list()),
        countries=tuple(maps.countries.to_list()),
        organizations=tuple(maps.organizations.to_list()),
        groups=maps.groups,
        site_country=maps.site_country,
        site_org=maps.site_org,
        site_lat=f64(ds.sites.get_column("lat")),
        site_lon=f64(ds.sites.get_column("lon")),
        part_category=tuple(ds.parts.get_column("category").to_list()),
        part_hs=tuple(ds.parts.get_column("hs_code").to_list()),
        part_value=maps.part_value,
        node_site=nodes.site,
        node_part=nodes.part,
        capacity=nodes.capacity,
        value=nodes.value,
        ttr=nodes.ttr,
        pool=nodes.pool,
        stock=stock,
        demand=demand,
        margin=margin,
        has_bom=need.has_bom,
        unmapped_inputs=need.unmapped_inputs,
        pool_site=nodes.pool_site,
        pool_capacity=nodes.pool_capacity,
        group_site=links.group_site,
        group_part=links.group_part,
        group_stock=group_stock,
        need=need.need,
        link_group=links.group,
        link_supplier=links.supplier,
        link_share=links.share,
        link_qualified=links.qualified,
        link_lead_time=links.lead_time,
        A=A,
        B=B,
        w=w,
        topo=topo,
        fingerprint=fingerprint,
        node_index=node_index,
        level=level,
        bom=need.bom,
        year=resolved.year,
        **outputs,
        site_names=tuple(ds.sites.get_column("name").to_list()),
        part_names=tuple(ds.parts.get_column("name").to_list()),
        organization_names=tuple(str(maps.org_names.get(o, o)) for o in maps.organizations.to_list()),
        pool_names=tuple(str(p) for p in ds.capacity_pools.get_column("pool").to_list()),
        part_material=ds.parts.get_column("material").fill_null(False).to_numpy().astype(np.bool_),
        **statutory_fields(ds, maps.organizations.to_list()),
    )


def statutory_fields(ds: Dataset, organizations: list[str]) -> dict[str, Any]:
    """Part codes, organisation identifiers and the rule / operation / registry tables of the network."""
    parts = ds.parts
    orgs = {r["id"]: r for r in ds.organizations.select("id", "inn", "ogrn").iter_rows(named=True)}
    return {
        "part_okpd2": tuple(parts.get_column("okpd2").to_list()),
        "part_tnved": tuple(parts.select(pl.coalesce("tnved", "hs_code")).to_series().to_list()),
        "organization_inn": tuple(orgs.get(o, {}).get("inn") for o in organizations),
        "organization_ogrn": tuple(orgs.get(o, {}).get("ogrn") for o in organizations),
        "statutory": {name: ds.tables[name] for name in STATUTORY_TABLES},
    }


def compile_without_projects(dataset: Dataset, scenario: str | None = None, year: int | None = None) -> Network:
    """``compile`` with no project applied, whatever the scenario declares (the project rule's own
    compile of the network before, or after, it modified the dataset)."""
    check_production(dataset)
    return build_network(dataset, scenario, resolve(dataset, scenario, year), [])
