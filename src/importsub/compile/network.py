"""The compiled ``Network``: every analysis takes one of these.

A ``Network`` is an immutable bundle of numpy / scipy.sparse (CSR) arrays with
index maps between record keys and integer positions.  It is built in one
place (:mod:`importsub.compile.build`) from a dataset plus optional scenario
overrides and projects; no analysis touches the database or the dataset.

Notation (see DESIGN.md, "The mathematics"):

* nodes ``i, j`` are (site, part) pairs that produce (one per production record);
* groups ``g`` are procurement groups: (buyer site, input part) pairs that have
  supply links; a site buys each input once for all its products;
* links ``e`` are supply links: group ``g(e)`` is served by supplier node
  ``i(e)`` with share ``σ_e``;
* ``need[g, j]`` is the BOM quantity of group g's part per unit of node j's
  part (j at g's site);
* ``A[i, j] = Σ_e [i(e) = i] · σ_e · need[g(e), j]`` (units of i per unit of j);
* ``B[i, j] = A[i, j] · v_i / v_j`` (value share); ``w_j = 1 − Σ_i B[i, j]``.

BOM inputs of a node with no supply link at its site are *unmapped*: their
value stays in the node's own value added ``w`` and lowers data coverage.
A node whose part has no BOM is traced only if the part is a basic material
(``part_material``) or the node lies outside the country group; otherwise its
whole value is untraced (see :func:`importsub.analysis.localisation.untraced_own`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp

from importsub.compile import views

STATUTORY_TABLES = ("rules", "rule_items", "rule_thresholds", "site_operations", "registry_entries")
"""Record types the network carries as frames for the statutory-localisation analysis (rules are data)."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _freeze(value: object) -> None:
    """Make an array (a sparse matrix's arrays, a dict's arrays) read-only, in place."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif sp.issparse(value):
        for name in ("data", "indices", "indptr"):
            arr = getattr(value, name, None)
            if isinstance(arr, np.ndarray):
                arr.flags.writeable = False
    elif isinstance(value, dict):
        for v in value.values():
            _freeze(v)


@dataclass(frozen=True, eq=False, repr=False)
class Network:
    """Arrays of a supply network for one year (and scenario / project set).

    Index maps
    ----------
    sites, parts, countries, organizations : tuple[str, ...]
        Record keys; an integer index ``k`` into these names ``sites[k]`` etc.
    groups : dict[str, IntArray]
        Country group name -> sorted country indices (``union``, ``external``...).
    node_index : dict[tuple[str, str], int]
        (site id, part id) -> node.

    Nodes (length n)
    ----------------
    node_site, node_part : IntArray
    capacity : FloatArray  [units/yr]
    value : FloatArray     [RUB/unit]   price at the site (v)
    ttr : FloatArray       [weeks]      time to recover
    pool : IntArray        capacity-pool index or -1
    stock : FloatArray     [units]      finished stock of the node's own part at its site
    demand : FloatArray    [units/yr]   final demand d of the chosen year (0 if none)
    margin : FloatArray    [RUB/unit]   margin lost per final unit not delivered
    has_bom : BoolArray    whether the node's part has any BOM children
    unmapped_inputs : FloatArray [fraction of v_j] value of BOM inputs with no supply link

    Pools (length p): pool_site (IntArray), pool_capacity [units/yr].

    Groups (length m): group_site, group_part (IntArray), group_stock [units]
    (stock of a purchased input at the buyer site).  ``need`` is CSR (m × n).

    Links (length e): link_group, link_supplier (node) (IntArray),
    link_share [fraction], link_qualified (BoolArray), link_lead_time [weeks].

    Matrices: ``A``, ``B`` CSR (n × n), ``w`` FloatArray; ``topo`` IntArray, a
    topological order of nodes (suppliers before buyers).

    Every array is read-only once the network is built (an in-place edit raises
    instead of being silently ignored by the per-network caches): copy first.

    Views: ``nodes``, ``links``, ``procurement_groups``, ``pools`` (labelled polars
    frames, :mod:`importsub.compile.views`).  ``groups`` is the map of country groups.
    """

    # index maps
    sites: tuple[str, ...]
    parts: tuple[str, ...]
    countries: tuple[str, ...]
    organizations: tuple[str, ...]
    groups: dict[str, IntArray]
    site_country: IntArray
    site_org: IntArray
    site_lat: FloatArray
    site_lon: FloatArray
    part_category: tuple[str, ...]
    part_hs: tuple[str | None, ...]
    part_value: FloatArray
    # nodes
    node_site: IntArray
    node_part: IntArray
    capacity: FloatArray
    value: FloatArray
    ttr: FloatArray
    pool: IntArray
    stock: FloatArray
    demand: FloatArray
    margin: FloatArray
    has_bom: BoolArray
    unmapped_inputs: FloatArray
    # pools
    pool_site: IntArray
    pool_capacity: FloatArray
    # procurement groups and links
    group_site: IntArray
    group_part: IntArray
    group_stock: FloatArray
    need: sp.csr_matrix
    link_group: IntArray
    link_supplier: IntArray
    link_share: FloatArray
    link_qualified: BoolArray
    link_lead_time: FloatArray
    # matrices
    A: sp.csr_matrix
    B: sp.csr_matrix
    w: FloatArray
    topo: IntArray
    # provenance: dataset name/version/fingerprint, year, scenario, projects
    fingerprint: dict[str, Any] = field(default_factory=dict)
    node_index: dict[tuple[str, str], int] = field(default_factory=dict)
    # --- added by the analytics build (defaults keep older constructors working)
    #: level of each node: 0 = no suppliers, else 1 + max level of its suppliers
    level: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: BOM as CSR (parts × parts): ``bom[p, c]`` = units of part c per unit of part p
    bom: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0)))
    #: year of the network (demand and project ramp-up), None if no year applies
    year: int | None = None
    #: projects of the dataset (ids) and their outputs (one row per project × part)
    project_ids: tuple[str, ...] = ()
    output_project: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    output_site: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # host site or -1
    output_part: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    output_target: FloatArray = field(default_factory=lambda: np.zeros(0))  # [units/yr] at full ramp-up
    output_fraction: FloatArray = field(default_factory=lambda: np.zeros(0))  # ramp-up of ``year`` [fraction]
    #: per project: is its capacity already part of the network's nodes (active projects)
    project_in_network: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    #: display names (English) of sites, parts and organizations, aligned with the index maps
    site_names: tuple[str, ...] = ()
    part_names: tuple[str, ...] = ()
    organization_names: tuple[str, ...] = ()
    #: per part: a basic material (its BOM-less value is traced to its producer's country)
    part_material: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    #: name of each capacity pool (the ``pool`` field), aligned with ``pool_site`` / ``pool_capacity``
    pool_names: tuple[str, ...] = ()
    #: per part: OKPD2 code and TN VED code (the part's ``tnved``, else its ``hs_code``); None where not given
    part_okpd2: tuple[str | None, ...] = ()
    part_tnved: tuple[str | None, ...] = ()
    #: per organisation: INN and OGRN (None where not given)
    organization_inn: tuple[str | None, ...] = ()
    organization_ogrn: tuple[str | None, ...] = ()
    #: the dataset's statutory-localisation tables (:data:`STATUTORY_TABLES`), typed polars frames
    statutory: dict[str, pl.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for value in vars(self).values():
            _freeze(value)

    def __repr__(self) -> str:
        lines = "".join(f"\n  {what}: {count}" for what, count in views.summary(self))
        return f"<Network{lines}>"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(what)}</th><td>{html.escape(count)}</td></tr>"
            for what, count in views.summary(self)
        )
        return f"<table><caption>Network</caption>{rows}</table>"

    @cached_property
    def nodes(self) -> pl.DataFrame:
        """One row per node: labels, capacity [units/yr], value [RUB/unit], stock, demand, time to recover, pool."""
        return views.nodes(self)

    @cached_property
    def links(self) -> pl.DataFrame:
        """One row per supply link: buyer, part, supplier, share [%], qualified, lead time [weeks]."""
        return views.links(self)

    @cached_property
    def procurement_groups(self) -> pl.DataFrame:
        """One row per procurement group (buyer site, input part): stock [units], number of suppliers."""
        return views.procurement_groups(self)

    @cached_property
    def pools(self) -> pl.DataFrame:
        """One row per capacity pool: name, site, capacity [units/yr], number of parts."""
        return views.pools(self)

    @property
    def n_nodes(self) -> int:
        return int(self.node_site.shape[0])

    @property
    def n_links(self) -> int:
        return int(self.link_group.shape[0])

    @property
    def node_country(self) -> IntArray:
        return self.site_country[self.node_site]

    def node_label(self, i: int) -> str:
        return f"{self.sites[self.node_site[i]]}/{self.parts[self.node_part[i]]}"

    def in_group(self, group: str) -> BoolArray:
        """Per node: is its site's country in ``group`` (a group name or ISO2 code)?"""
        members = self.group_members(group)
        return np.isin(self.node_country, members)

    def group_members(self, group: str) -> IntArray:
        if group in self.groups:
            return self.groups[group]
        if group in self.countries:
            return np.array([self.countries.index(group)], dtype=np.int64)
        from importsub.model.errors import AnalysisError

        known = ", ".join(sorted(self.groups)) + "; or an ISO2 code: " + ", ".join(self.countries)
        raise AnalysisError(f"unknown country group {group!r}; known groups: {known}")

    # ------------------------------------------------------------ helpers added by the analytics build

    @cached_property
    def levels(self) -> tuple[IntArray, ...]:
        """Nodes of each level, level 0 first (suppliers before buyers).

        No link joins two nodes of one level, so a whole level can be solved
        at once (level scheduling).
        """
        if self.n_nodes == 0:
            return ()
        order = self.topo
        lv = self.level[order]
        cuts = np.flatnonzero(np.diff(lv)) + 1
        return tuple(np.split(order, cuts))

    @property
    def final_nodes(self) -> IntArray:
        """Nodes with final demand (vehicles) in the network's year."""
        return np.flatnonzero(self.demand > 0)

    def node(self, site: str, part: str) -> int:
        """Index of node (site, part); raises AnalysisError naming it when absent."""
        try:
            return self.node_index[(site, part)]
        except KeyError:
            from importsub.model.errors import AnalysisError

            raise AnalysisError(f"no production of part {part!r} at site {site!r} in this network") from None
