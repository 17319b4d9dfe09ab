"""Build a :class:`~importsub.compile.network.Network` from a dataset: the one
module that turns records into arrays (linopy's ``matrices.py`` habit).

Everything here is vectorised (polars enum casts, integer keys, numpy
``searchsorted`` / ``bincount`` and scipy.sparse products); there is no loop
over records, so a dataset of a million sites compiles in seconds.

Key rules (see :mod:`importsub.compile.network` for the notation):

* nodes are production records, in the order of the ``production`` table;
* a procurement group ``g`` is a (buyer site, part) pair with supply links;
* ``need[g, j]`` is the BOM quantity of g's part per unit of node j's part,
  for every node j at g's site whose part has that child;
* ``A = S · need`` with ``S[i(e), g(e)] = σ_e`` (so ``A[i, j] = Σ_e σ_e
  need[g(e), j]``), summed, explicit zeros dropped;
* ``B[i, j] = A[i, j] v_i / v_j`` and ``w = 1 − colsum(B)``;
* stock: inventory at (site, part) counts as the node's own finished stock
  when the site produces the part (even if it also buys it), otherwise as
  stock of the purchased input of procurement group (site, part); inventory
  matching neither is not used;
* ``unmapped_inputs[j] = Σ_c q_{part_j, c} · value(c) / v_j`` over BOM
  children c of node j's part with no supply link at j's site (value of
  ``c`` = the part's unit value).  A site that makes an input itself must
  still list a supply link to itself for the input to count as mapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from importsub.compile.network import FloatArray, IntArray, Network
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError

VALUE_ADDED_TOLERANCE = 1e-9
"""``w_j`` below ``-VALUE_ADDED_TOLERANCE`` is an error (inputs worth more than the node)."""

_LIST = 5  # how many offending records an error message names


def _names(items: Sequence[str], more: int) -> str:
    text = ", ".join(items)
    return text + (f" (and {more} more)" if more > 0 else "")


def _codes(values: pl.Series, categories: pl.Series, what: str, where: str) -> IntArray:
    """Positions of ``values`` in ``categories`` (unique strings); nulls → -1.

    Raises AnalysisError naming the unknown values.
    """
    dtype = pl.Enum(categories)
    try:
        phys = values.cast(dtype).to_physical()
    except pl.exceptions.InvalidOperationError:
        unknown = values.filter(~values.is_in(categories) & values.is_not_null()).unique(maintain_order=True)
        raise AnalysisError(
            f"{where}: unknown {what} {_names([repr(v) for v in unknown.head(_LIST)], unknown.len() - _LIST)}"
        ) from None
    return phys.cast(pl.Int64).fill_null(-1).to_numpy().astype(np.int64, copy=False)


class _KeyIndex:
    """Lookup of integer keys (e.g. ``site * P + part``) to positions (a hash join)."""

    def __init__(self, keys: IntArray) -> None:
        self.keys = keys
        self.frame = pl.DataFrame({"k": keys, "i": np.arange(keys.size, dtype=np.int64)})

    def duplicates(self) -> IntArray:
        """Positions of keys that repeat an earlier key."""
        return np.flatnonzero(
            self.frame.get_column("k").is_duplicated().to_numpy()
            & ~self.frame.get_column("k").is_first_distinct().to_numpy()
        )

    def find(self, query: IntArray) -> IntArray:
        """Position of each query key, -1 when absent."""
        if query.size == 0:
            return np.zeros(0, dtype=np.int64)
        hit = pl.DataFrame({"k": query}).join(self.frame, on="k", how="left", maintain_order="left")
        return hit.get_column("i").fill_null(-1).to_numpy().astype(np.int64, copy=False)


def _unique_strings(*series: pl.Series) -> pl.Series:
    """Unique non-null strings in order of first appearance."""
    s = pl.concat([x.cast(pl.String) for x in series]) if series else pl.Series([], dtype=pl.String)
    return s.drop_nulls().unique(maintain_order=True)


def _f64(s: pl.Series) -> FloatArray:
    return s.cast(pl.Float64).to_numpy().astype(np.float64, copy=True)


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


def compile(
    dataset: Dataset,
    scenario: str | None = None,
    year: int | None = None,
    *,
    projects: Sequence[str] | None = None,
) -> Network:
    """Compile a dataset (plus a scenario's overrides) into a :class:`Network`.

    Parameters
    ----------
    dataset : Dataset
        A typed dataset (validated by :func:`importsub.model.validate.check`
        or read from the store).
    scenario : str, optional
        Name of a row of ``dataset.scenarios``: its ``demand_changes``
        multiply base demand (``d = factor · units``) and its ``year`` is used
        when ``year`` is not given.
    year : int, optional
        Year of demand.  Default: the scenario's year, else
        :func:`default_year` (the latest year with demand not after the
        current year; the fingerprint's ``year rule`` says which applied).
    projects : sequence of str, optional
        Projects whose capacity joins the network for ``year`` (default: the
        scenario's projects): capacity = target × ramp-up fraction at the host
        site, taking over the listed substitutable imported links, largest
        import first, up to that capacity
        (:func:`importsub.analysis.projects.application`).  Nothing in the
        dataset changes; the fingerprint names the projects and the rule.

    Returns
    -------
    Network
        ``A`` [units of i per unit of j], ``B`` [RUB of i per RUB of j],
        ``w`` [fraction], ``demand`` [units/yr] and the rest, see
        :class:`~importsub.compile.network.Network`.

    Raises
    ------
    AnalysisError
        Empty dataset, no demand, a year without demand (names the years
        that have some), unknown scenario, unknown references, a cycle (names
        its nodes), negative value added (names the node).

    Examples
    --------
    >>> import polars as pl
    >>> from importsub.model.dataset import Dataset
    >>> ds = Dataset.from_frames("tiny", {
    ...     "countries": pl.DataFrame({"iso2": ["RU"], "name": ["Russia"]}),
    ...     "organizations": pl.DataFrame({"id": ["O"], "name": ["O"], "country": ["RU"], "kind": ["oem"]}),
    ...     "sites": pl.DataFrame({"id": ["S"], "organization": ["O"], "name": ["S"], "country": ["RU"],
    ...                            "lat": [55.0], "lon": [37.0]}),
    ...     "parts": pl.DataFrame({"id": ["CAR"], "name": ["car"], "category": ["vehicle"], "unit_value": [1e6]}),
    ...     "production": pl.DataFrame({"site": ["S"], "part": ["CAR"], "capacity": [10.0]}),
    ...     "demand": pl.DataFrame({"site": ["S"], "part": ["CAR"], "year": [2024], "units": [5.0]}),
    ... })
    >>> net = compile(ds)
    >>> net.n_nodes, float(net.demand[0]), net.year
    (1, 5.0, 2024)
    """
    ds = dataset
    where = f"dataset {ds.name!r}"
    production = ds.production
    if production.height == 0:
        raise AnalysisError(f"{where} has no production records: nothing to analyse (empty dataset?)")

    # ---------------------------------------------------------------- scenario and year
    factors: pl.DataFrame | None = None
    year_rule = "given"
    scenario_projects: list[str] = []
    if scenario is not None:
        sc = ds.scenarios.filter(pl.col("name") == scenario)
        if sc.height == 0:
            known = ds.scenarios.get_column("name").to_list()
            raise AnalysisError(
                f"{where}: unknown scenario {scenario!r}; scenarios: {', '.join(known) if known else 'none'}"
            )
        factors = ds.demand_changes.filter(pl.col("scenario") == scenario)
        scenario_projects = ds.scenario_projects.filter(pl.col("scenario") == scenario).get_column("project").to_list()
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
    active = list(projects) if projects is not None else scenario_projects
    if active:
        # the one rule for applying projects (capacity = target × ramp-up at the host site, taking
        # over the listed imported links largest first) lives with the project analyses; it returns
        # a modified copy of the dataset without projects, compiled by this same function
        from importsub.analysis.projects import compile_with_projects

        return compile_with_projects(dataset, active, year, scenario=scenario)

    # ---------------------------------------------------------------- index maps
    countries_s = _unique_strings(
        ds.countries.get_column("iso2"),
        ds.sites.get_column("country"),
        ds.organizations.get_column("country"),
        ds.country_groups.get_column("iso2"),
    )
    sites_s = ds.sites.get_column("id")
    parts_s = ds.parts.get_column("id")
    orgs_s = _unique_strings(ds.organizations.get_column("id"), ds.sites.get_column("organization"))
    if sites_s.n_unique() != sites_s.len() or parts_s.n_unique() != parts_s.len():
        raise AnalysisError(f"{where}: duplicate site or part ids; validate the dataset first")
    n_parts = parts_s.len()

    site_country = _codes(ds.sites.get_column("country"), countries_s, "country", f"{where}, sheet sites")
    site_org = _codes(ds.sites.get_column("organization"), orgs_s, "organization", f"{where}, sheet sites")
    groups: dict[str, IntArray] = {}
    if ds.country_groups.height:
        cg = ds.country_groups.select(
            "group",
            pl.Series(
                "c",
                _codes(ds.country_groups.get_column("iso2"), countries_s, "country", f"{where}, sheet country_groups"),
            ),
        )
        for (name,), frame in cg.group_by("group", maintain_order=True):
            groups[str(name)] = np.unique(frame.get_column("c").to_numpy().astype(np.int64))
    part_value = _f64(ds.parts.get_column("unit_value"))
    org_name_map = dict(
        zip(ds.organizations.get_column("id").to_list(), ds.organizations.get_column("name").to_list(), strict=True)
    )

    # ---------------------------------------------------------------- nodes
    where_prod = f"{where}, sheet production"
    node_site = _codes(production.get_column("site"), sites_s, "site", where_prod)
    node_part = _codes(production.get_column("part"), parts_s, "part", where_prod)
    node_key = node_site * n_parts + node_part
    n = node_key.size
    nodes = _KeyIndex(node_key)
    dup = nodes.duplicates()
    if dup.size:
        raise AnalysisError(
            f"{where_prod}: duplicate production of "
            + _names([_label(sites_s, parts_s, node_site, node_part, i) for i in dup[:_LIST]], dup.size - _LIST)
        )
    own_value = production.get_column("unit_value")
    value = np.where(own_value.is_null().to_numpy(), part_value[node_part], _f64(own_value.fill_null(0.0)))
    capacity = _f64(production.get_column("capacity"))
    ttr = _f64(production.get_column("time_to_recover").fill_null(0.0))

    # capacity pools
    pools = ds.capacity_pools
    pool_names = _unique_strings(pools.get_column("pool"), production.get_column("pool"))
    n_pool_names = max(pool_names.len(), 1)
    pool_site = _codes(pools.get_column("site"), sites_s, "site", f"{where}, sheet capacity_pools")
    pool_capacity = _f64(pools.get_column("capacity"))
    pool_index = _KeyIndex(pool_site * n_pool_names + _codes(pools.get_column("pool"), pool_names, "pool", where))
    prod_pool_name = _codes(production.get_column("pool"), pool_names, "pool", where_prod)
    pool = np.where(prod_pool_name >= 0, pool_index.find(node_site * n_pool_names + prod_pool_name), -1)
    bad_pool = np.flatnonzero((prod_pool_name >= 0) & (pool < 0))
    if bad_pool.size:
        raise AnalysisError(
            f"{where_prod}: unknown capacity pool at "
            + _names(
                [_label(sites_s, parts_s, node_site, node_part, i) for i in bad_pool[:_LIST]], bad_pool.size - _LIST
            )
        )

    # ---------------------------------------------------------------- links and procurement groups
    links = ds.supply_links
    where_links = f"{where}, sheet supply_links"
    buyer = _codes(links.get_column("buyer"), sites_s, "site", where_links)
    link_part = _codes(links.get_column("part"), parts_s, "part", where_links)
    supplier_site = _codes(links.get_column("supplier"), sites_s, "site", where_links)
    link_supplier = nodes.find(supplier_site * n_parts + link_part)
    missing = np.flatnonzero(link_supplier < 0)
    if missing.size:
        raise AnalysisError(
            f"{where_links}: supplier does not produce the part: "
            + _names(
                [
                    f"{sites_s[int(supplier_site[e])]} → {sites_s[int(buyer[e])]} ({parts_s[int(link_part[e])]})"
                    for e in missing[:_LIST]
                ],
                missing.size - _LIST,
            )
        )
    group_keys, link_group = np.unique(buyer * n_parts + link_part, return_inverse=True)
    link_group = link_group.astype(np.int64).reshape(-1)
    m = group_keys.size
    group_site = (group_keys // n_parts).astype(np.int64)
    group_part = (group_keys % n_parts).astype(np.int64)
    groups_index = _KeyIndex(group_keys.astype(np.int64))  # already sorted; kept for uniform lookup
    link_share = _f64(links.get_column("share"))
    link_qualified = links.get_column("qualified").fill_null(True).to_numpy().astype(np.bool_)
    link_lead_time = _f64(links.get_column("lead_time").fill_null(0.0))

    # ---------------------------------------------------------------- BOM, need, unmapped inputs
    bom_df = ds.bom
    bom_parent = _codes(bom_df.get_column("parent"), parts_s, "part", f"{where}, sheet bom")
    bom_child = _codes(bom_df.get_column("child"), parts_s, "part", f"{where}, sheet bom")
    bom = sp.csr_matrix((_f64(bom_df.get_column("quantity")), (bom_parent, bom_child)), shape=(n_parts, n_parts))
    bom.sum_duplicates()
    bom.eliminate_zeros()
    has_bom = np.diff(bom.indptr)[node_part] > 0
    per_node = bom[node_part].tocoo()  # rows: nodes j, cols: child parts, data: q
    nb_j = per_node.row.astype(np.int64)
    nb_c = per_node.col.astype(np.int64)
    nb_q = per_node.data.astype(np.float64)
    nb_g = groups_index.find(node_site[nb_j] * n_parts + nb_c)
    mapped = nb_g >= 0
    need = sp.csr_matrix((nb_q[mapped], (nb_g[mapped], nb_j[mapped])), shape=(m, n))
    need.sum_duplicates()
    need.eliminate_zeros()
    unmapped_value = np.bincount(nb_j[~mapped], weights=nb_q[~mapped] * part_value[nb_c[~mapped]], minlength=n)
    unmapped_inputs = unmapped_value / value

    # ---------------------------------------------------------------- A, B, w
    S = sp.csr_matrix((link_share, (link_supplier, link_group)), shape=(n, m))
    A = (S @ need).tocsr()
    A.sum_duplicates()
    A.eliminate_zeros()
    A.sort_indices()
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(A.indptr))
    B = sp.csr_matrix((A.data * value[rows] / value[A.indices], A.indices.copy(), A.indptr.copy()), shape=(n, n))
    w = (1.0 - np.bincount(B.indices, weights=B.data, minlength=n)).astype(np.float64)
    negative = np.flatnonzero(w < -VALUE_ADDED_TOLERANCE)
    if negative.size:
        worst = negative[np.argsort(w[negative])][:_LIST]
        raise AnalysisError(
            f"{where}: negative value added (inputs worth more than the product): "
            + _names(
                [
                    f"{_label(sites_s, parts_s, node_site, node_part, i)} inputs {(1 - w[i]) * value[i]:,.2f} RUB/unit "
                    f"> value {value[i]:,.2f} RUB/unit"
                    for i in worst
                ],
                negative.size - _LIST,
            )
        )

    over = np.flatnonzero(w - unmapped_inputs < -VALUE_ADDED_TOLERANCE)
    if over.size:
        worst = over[np.argsort(w[over] - unmapped_inputs[over])][:_LIST]
        raise AnalysisError(
            f"{where}: negative value added (mapped and unmapped inputs worth more than the product): "
            + _names(
                [
                    f"{_label(sites_s, parts_s, node_site, node_part, i)} inputs "
                    f"{(1 - w[i]) * value[i]:,.2f} RUB/unit mapped + {unmapped_inputs[i] * value[i]:,.2f} RUB/unit "
                    f"unmapped > value {value[i]:,.2f} RUB/unit"
                    for i in worst
                ],
                over.size - _LIST,
            )
        )

    # ---------------------------------------------------------------- topological levels
    # structural graph: every link with its BOM need, share 0 (qualified alternatives) included
    S1 = sp.csr_matrix((np.ones(link_group.size), (link_supplier, link_group)), shape=(n, m))
    need1 = need.copy()
    need1.data[:] = 1.0
    P = (S1 @ need1).tocsr()
    P.sum_duplicates()
    level = _levels(P, lambda i: _label(sites_s, parts_s, node_site, node_part, i))
    topo = np.argsort(level, kind="stable").astype(np.int64)

    # ---------------------------------------------------------------- demand of the year
    dem = ds.demand.filter(pl.col("year") == year)
    where_dem = f"{where}, sheet demand"
    d_site = _codes(dem.get_column("site"), sites_s, "site", where_dem)
    d_part = _codes(dem.get_column("part"), parts_s, "part", where_dem)
    d_node = nodes.find(d_site * n_parts + d_part)
    bad = np.flatnonzero(d_node < 0)
    if bad.size:
        raise AnalysisError(
            f"{where_dem}: demand at a site that does not make the part: "
            + _names([f"{sites_s[int(d_site[k])]}/{parts_s[int(d_part[k])]}" for k in bad[:_LIST]], bad.size - _LIST)
        )
    units = _f64(dem.get_column("units"))
    if factors is not None and factors.height:
        f_site = _codes(factors.get_column("site"), sites_s, "site", f"{where}, sheet demand_changes")
        f_part = _codes(factors.get_column("part"), parts_s, "part", f"{where}, sheet demand_changes")
        f_index = _KeyIndex(f_site * n_parts + f_part)
        hit = f_index.find(d_site * n_parts + d_part)
        f_val = _f64(factors.get_column("factor"))
        units = np.where(hit >= 0, units * f_val[np.maximum(hit, 0)], units)
    demand = np.bincount(d_node, weights=units, minlength=n).astype(np.float64)
    margin = part_value[node_part].copy()
    dem_margin = dem.get_column("margin")
    has_margin = ~dem_margin.is_null().to_numpy()
    margin[d_node[has_margin]] = _f64(dem_margin.filter(dem_margin.is_not_null()))

    # ---------------------------------------------------------------- stock
    inv = ds.inventory
    stock = np.zeros(n)
    group_stock = np.zeros(m)
    if inv.height:
        i_site = _codes(inv.get_column("site"), sites_s, "site", f"{where}, sheet inventory")
        i_part = _codes(inv.get_column("part"), parts_s, "part", f"{where}, sheet inventory")
        i_units = _f64(inv.get_column("units"))
        i_key = i_site * n_parts + i_part
        i_node = nodes.find(i_key)
        own = i_node >= 0
        stock = np.bincount(i_node[own], weights=i_units[own], minlength=n).astype(np.float64)
        i_group = groups_index.find(i_key)
        bought = (~own) & (i_group >= 0)
        group_stock = np.bincount(i_group[bought], weights=i_units[bought], minlength=m).astype(np.float64)

    # ---------------------------------------------------------------- projects (kept for balance)
    proj = ds.projects
    project_ids = tuple(proj.get_column("id").to_list())
    outs = ds.project_outputs
    proj_s = proj.get_column("id")
    output_project = _codes(outs.get_column("project"), proj_s, "project", f"{where}, sheet project_outputs")
    host = _codes(proj.get_column("host_site"), sites_s, "site", f"{where}, sheet projects")
    output_site = host[output_project] if output_project.size else np.zeros(0, dtype=np.int64)
    output_part = _codes(outs.get_column("part"), parts_s, "part", f"{where}, sheet project_outputs")
    output_target = _f64(outs.get_column("capacity"))
    fraction = _rampup(ds, proj_s, year)
    output_fraction = fraction[output_project] if output_project.size else np.zeros(0)

    # ---------------------------------------------------------------- provenance
    fingerprint: dict[str, Any] = {
        "dataset": ds.name,
        "version": ds.version,
        "content": ds.fingerprint(),
        "scenario": scenario,
        "year": year,
        "year rule": year_rule,
        "projects": list(active),
    }
    site_list = sites_s.to_list()
    part_list = parts_s.to_list()
    node_index = dict(
        zip(
            zip(production.get_column("site").to_list(), production.get_column("part").to_list(), strict=True),
            range(n),
            strict=True,
        )
    )
    return Network(
        sites=tuple(site_list),
        parts=tuple(part_list),
        countries=tuple(countries_s.to_list()),
        organizations=tuple(orgs_s.to_list()),
        groups=groups,
        site_country=site_country,
        site_org=site_org,
        site_lat=_f64(ds.sites.get_column("lat")),
        site_lon=_f64(ds.sites.get_column("lon")),
        part_category=tuple(ds.parts.get_column("category").to_list()),
        part_hs=tuple(ds.parts.get_column("hs_code").to_list()),
        part_value=part_value,
        node_site=node_site,
        node_part=node_part,
        capacity=capacity,
        value=value,
        ttr=ttr,
        pool=pool.astype(np.int64),
        stock=stock,
        demand=demand,
        margin=margin,
        has_bom=has_bom.astype(np.bool_),
        unmapped_inputs=unmapped_inputs,
        pool_site=pool_site,
        pool_capacity=pool_capacity,
        group_site=group_site,
        group_part=group_part,
        group_stock=group_stock,
        need=need,
        link_group=link_group,
        link_supplier=link_supplier,
        link_share=link_share,
        link_qualified=link_qualified,
        link_lead_time=link_lead_time,
        A=A,
        B=B,
        w=w,
        topo=topo,
        fingerprint=fingerprint,
        node_index=node_index,
        level=level,
        bom=bom,
        year=year,
        project_ids=project_ids,
        output_project=output_project,
        output_site=output_site,
        output_part=output_part,
        output_target=output_target,
        output_fraction=output_fraction,
        project_in_network=np.zeros(len(project_ids), dtype=np.bool_),
        site_names=tuple(ds.sites.get_column("name").to_list()),
        part_names=tuple(ds.parts.get_column("name").to_list()),
        organization_names=tuple(str(org_name_map.get(o, o)) for o in orgs_s.to_list()),
        pool_names=tuple(str(p) for p in pools.get_column("pool").to_list()),
        part_material=ds.parts.get_column("material").fill_null(False).to_numpy().astype(np.bool_),
    )


def _label(
    sites: pl.Series, parts: pl.Series, node_site: IntArray, node_part: IntArray, i: int | np.integer[Any]
) -> str:
    return f"{sites[int(node_site[int(i)])]}/{parts[int(node_part[int(i)])]}"


def _rampup(ds: Dataset, project_ids: pl.Series, year: int) -> FloatArray:
    """Ramp-up fraction of each project in ``year``.

    The fraction of the latest ramp-up row with ``row.year <= year`` (a
    project holds its last level); 0 before its first row.
    """
    out = np.zeros(project_ids.len())
    ru = ds.project_rampup.filter(pl.col("year") <= year)
    if ru.height == 0:
        return out
    last = ru.sort("year").group_by("project", maintain_order=True).agg(pl.col("fraction").last())
    idx = _codes(last.get_column("project"), project_ids, "project", f"dataset {ds.name!r}, sheet project_rampup")
    out[idx] = _f64(last.get_column("fraction"))
    return out


def _levels(P: sp.csr_matrix, label: Any) -> IntArray:
    """Level of every node in the supplier → buyer graph ``P`` (Kahn, a level at a time).

    ``level_j = 0`` for a node without suppliers, else ``1 + max level of its
    suppliers``.  Cost O(nnz + levels · n), vectorised per level.  A cycle
    raises AnalysisError naming its nodes.
    """
    n = P.shape[0]
    P = P.tocsr()
    indeg = np.bincount(P.indices, minlength=n).astype(np.int64)
    level = np.full(n, -1, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    k = 0
    while frontier.size:
        level[frontier] = k
        succ = P[frontier].indices
        if succ.size == 0:
            break
        dec = np.bincount(succ, minlength=n)
        indeg -= dec
        frontier = np.flatnonzero((dec > 0) & (indeg == 0))
        k += 1
    left = np.flatnonzero(level < 0)
    if left.size:
        raise AnalysisError(
            "supply cycle (a node supplies itself through other nodes): " + " → ".join(_cycle(P, left, label))
        )
    return level


def _cycle(P: sp.csr_matrix, left: IntArray, label: Any) -> list[str]:
    """One supplier → buyer cycle among the unresolved nodes ``left`` (the strongly connected component
    finder of :mod:`importsub.model.graph`, shared with the BOM check)."""
    from importsub.model.graph import cycles

    inside = np.zeros(P.shape[0], dtype=np.bool_)
    inside[left] = True
    C = P.tocoo()
    keep = inside[C.row] & inside[C.col]
    found = cycles(P.shape[0], C.row[keep], C.col[keep], limit=1)
    return [label(i) for i in found[0]]
