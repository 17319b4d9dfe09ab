"""Labelled views of a :class:`~importsub.compile.network.Network` as polars frames.

``net.nodes``, ``net.links``, ``net.procurement_groups`` and ``net.pools`` call these: one row
per node / supply link / procurement group / capacity pool, with record ids, names and the
arrays' figures (units in the column names), for reading a network in a notebook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

if TYPE_CHECKING:
    from importsub.compile.network import Network

NODE_LABELS = ("node", "site", "site name", "organization", "country", "part", "part name", "category")


def _names(values: tuple[str, ...], fallback: tuple[str, ...]) -> pl.Series:
    return pl.Series(values or fallback, dtype=pl.String)


def _pool_names(net: Network) -> pl.Series:
    return _names(net.pool_names, tuple(f"pool {k}" for k in range(net.pool_site.shape[0])))


def _pool_of_nodes(net: Network) -> pl.Series:
    """Name of each node's capacity pool, null where it has none."""
    names = _pool_names(net)
    if names.len() == 0:
        return pl.Series([None] * net.n_nodes, dtype=pl.String)
    pooled = pl.Series(net.pool >= 0)
    return names.gather(np.maximum(net.pool, 0)).zip_with(pooled, pl.Series([None] * net.n_nodes, dtype=pl.String))


def nodes(net: Network) -> pl.DataFrame:
    """One row per node (site, part): labels, then capacity, price, stock, demand, time to recover, pool."""
    s, p = net.node_site, net.node_part
    return pl.DataFrame(
        {
            "node": np.arange(net.n_nodes, dtype=np.int64),
            "site": pl.Series(net.sites, dtype=pl.String).gather(s),
            "site name": _names(net.site_names, net.sites).gather(s),
            "organization": pl.Series(net.organizations, dtype=pl.String).gather(net.site_org[s]),
            "country": pl.Series(net.countries, dtype=pl.String).gather(net.site_country[s]),
            "part": pl.Series(net.parts, dtype=pl.String).gather(p),
            "part name": _names(net.part_names, net.parts).gather(p),
            "category": pl.Series(net.part_category, dtype=pl.String).gather(p),
            "capacity [units/yr]": net.capacity,
            "value [RUB/unit]": net.value,
            "stock [units]": net.stock,
            "final demand [units/yr]": net.demand,
            "time to recover [weeks]": net.ttr,
            "pool": _pool_of_nodes(net),
        }
    )


def procurement_groups(net: Network) -> pl.DataFrame:
    """One row per procurement group (buyer site, input part): stock at the buyer and number of suppliers."""
    m = net.group_site.shape[0]
    return pl.DataFrame(
        {
            "group": np.arange(m, dtype=np.int64),
            "buyer": pl.Series(net.sites, dtype=pl.String).gather(net.group_site),
            "part": pl.Series(net.parts, dtype=pl.String).gather(net.group_part),
            "stock [units]": net.group_stock,
            "suppliers": np.bincount(net.link_group, minlength=m).astype(np.int64),
        }
    )


def links(net: Network) -> pl.DataFrame:
    """One row per supply link: buyer, part, supplier (site and country), share, qualification, lead time."""
    supplier_site = net.node_site[net.link_supplier]
    sites = pl.Series(net.sites, dtype=pl.String)
    return pl.DataFrame(
        {
            "link": np.arange(net.n_links, dtype=np.int64),
            "buyer": sites.gather(net.group_site[net.link_group]),
            "part": pl.Series(net.parts, dtype=pl.String).gather(net.group_part[net.link_group]),
            "supplier": sites.gather(supplier_site),
            "supplier country": pl.Series(net.countries, dtype=pl.String).gather(net.site_country[supplier_site]),
            "supplier node": net.link_supplier,
            "share [%]": 100.0 * net.link_share,
            "qualified": net.link_qualified,
            "lead time [weeks]": net.link_lead_time,
        }
    )


def pools(net: Network) -> pl.DataFrame:
    """One row per capacity pool (a flexible line shared by several parts at one site)."""
    k = net.pool_site.shape[0]
    return pl.DataFrame(
        {
            "pool": _pool_names(net),
            "site": pl.Series(net.sites, dtype=pl.String).gather(net.pool_site),
            "capacity [units/yr]": net.pool_capacity,
            "parts": np.bincount(net.pool[net.pool >= 0], minlength=k).astype(np.int64),
        }
    )


def summary(net: Network) -> list[tuple[str, str]]:
    """(what, how many) lines of a network, for its repr."""
    fp = net.fingerprint
    dataset = fp.get("dataset", "?")
    version = fp.get("version")
    return [
        ("dataset", f"{dataset}" + (f" v{version}" if version is not None else "")),
        ("year", str(net.year)),
        ("scenario", str(fp.get("scenario") or "base")),
        (
            "active projects",
            f"{', '.join(fp.get('projects') or []) or 'none'} (of {len(net.project_ids)} in the dataset)",
        ),
        ("sites", f"{len(net.sites):,} in {len(net.countries)} countries"),
        ("parts", f"{len(net.parts):,}"),
        ("nodes", f"{net.n_nodes:,} (site, part) producers; {int((net.demand > 0).sum()):,} with final demand"),
        ("procurement groups", f"{net.group_site.shape[0]:,}"),
        ("supply links", f"{net.n_links:,}"),
        ("capacity pools", f"{net.pool_site.shape[0]:,}"),
        ("country groups", ", ".join(f"{g} ({len(c)})" for g, c in sorted(net.groups.items()))),
        ("views", "net.nodes, net.links, net.procurement_groups, net.pools (polars frames)"),
    ]
