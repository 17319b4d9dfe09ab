"""The flow map: supply flows weighted by value, country to country, with a choropleth of import dependence.

Flows are computed on the *full* dataset (they follow from shares and
capacities, which are confidential) and disclosed per viewer:

* value of the flows on link e [RUB/yr] = ``σ_e · (need · x)_{g(e)} · v_i(e)``
  (:func:`importsub.analysis.demand.link_flow` times the supplier's unit value),
  with ``x`` the gross output solving ``(I − A) x = d`` for the final demand
  ``d`` of the chosen year (only the chosen OEM's vehicles when filtered);
* a country pair's value (supplier country → buyer country) is the sum over its
  links; a link's value follows from the buyer's share, the supplier's price and
  the output of the buyer site, which the shares of every organisation downstream
  of it set — so its contributors are the buyer, the supplier and every
  organisation downstream of the buyer site (each weighted by the link's value,
  :func:`link_contributors`); it is shown only where
  :func:`importsub.web.confidentiality.disclosable` passes;
* a buyer country's import dependence [%] = value from outside the union / all
  value bought there; shown only when its total, its imports and its domestic
  part all pass, and the pairs into it that are hidden pass together (else a
  viewer could subtract the shown pairs from the total);
* site-to-site lines carry a value only where the viewer's organisation is every
  contributor of it; else only who supplies whom and how many parts (public records).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from importsub.analysis.demand import gross_output, link_flow
from importsub.compile import compile as compile_network
from importsub.model.dataset import Dataset
from importsub.web.confidentiality import Viewer, disclosable

MAX_SITE_LINES = 4000
"""Site-to-site lines sent to the browser (the most parts first; the rest are in the explorer)."""


def _add(cell: dict[str, float], org: str, w: float) -> None:
    cell[org] = cell.get(org, 0.0) + w


def link_values(net: Any, oem: str | None = None) -> pl.DataFrame:
    """One row per supply link: supplier and buyer site, part, category, buyer organisation, value [RUB/yr]."""
    d = np.asarray(net.demand, dtype=np.float64)
    if oem is not None:
        orgs = np.asarray(net.organizations, dtype=object)
        d = np.where(orgs[net.site_org[net.node_site]] == oem, d, 0.0)
    x = gross_output(net, d)
    value = link_flow(net, x) * net.value[net.link_supplier]
    sup_site = net.node_site[net.link_supplier]
    buy_site = net.group_site[net.link_group]
    part = net.node_part[net.link_supplier]
    sites = np.asarray(net.sites, dtype=object)
    countries = np.asarray(net.countries, dtype=object)
    return pl.DataFrame(
        {
            "supplier": sites[sup_site].tolist(),
            "buyer": sites[buy_site].tolist(),
            "supplier country": countries[net.site_country[sup_site]].tolist(),
            "buyer country": countries[net.site_country[buy_site]].tolist(),
            "buyer organization": np.asarray(net.organizations, dtype=object)[net.site_org[buy_site]].tolist(),
            "supplier organization": np.asarray(net.organizations, dtype=object)[net.site_org[sup_site]].tolist(),
            "part": np.asarray(net.parts, dtype=object)[part].tolist(),
            "category": np.asarray(net.part_category, dtype=object)[part].tolist(),
            "value [RUB/yr]": value,
        },
        schema_overrides={"value [RUB/yr]": pl.Float64},
    )


def flow_map(
    full: Dataset,
    viewer: Viewer,
    *,
    union: set[str],
    part: str | None = None,
    category: str | None = None,
    oem: str | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """Map layers for ``viewer``: sites, country pairs, buyer countries' import dependence, site lines."""
    net = compile_network(full, None, year)
    links = link_values(net, oem)
    if part:
        links = links.filter(pl.col("part") == part)
    if category:
        links = links.filter(pl.col("category") == category)
    orgs, weights = link_contributors(full, links)
    keys = list(zip(links["supplier country"].to_list(), links["buyer country"].to_list(), strict=True))
    pairs = _cells(keys, weights, orgs)
    kinds = ["external" if s_c not in union else "domestic" for s_c, _b in keys]
    buyer = [b for _s, b in keys]
    into: dict[str, dict[str, dict[str, float]]] = {}  # buyer country -> {"all", "external", "domestic"} -> cell
    for (country, kind), cell in _cells(list(zip(buyer, kinds, strict=True)), weights, orgs).items():
        into.setdefault(country, {"all": {}, "external": {}, "domestic": {}})[kind] = cell
    for cells in into.values():
        for kind in ("external", "domestic"):
            for org, w in cells[kind].items():
                _add(cells["all"], org, w)
    totals: dict[tuple[str, str], float] = {}
    for k, v in zip(keys, links["value [RUB/yr]"].to_list(), strict=True):
        totals[k] = totals.get(k, 0.0) + v
    ext_total: dict[str, float] = {}
    all_total: dict[str, float] = {}
    for (s_c, b_c), v in totals.items():
        all_total[b_c] = all_total.get(b_c, 0.0) + v
        if s_c not in union:
            ext_total[b_c] = ext_total.get(b_c, 0.0) + v
    shown = {k: disclosable(c, viewer) for k, c in pairs.items()}
    country_flows = [
        {
            "from": k[0],
            "to": k[1],
            "external": k[0] not in union,
            "value": totals[k] if shown[k] else None,
        }
        for k, c in pairs.items()
        if k[0] != k[1]
    ]
    # shown pairs by value, then the hidden ones in key order: the order reveals nothing
    country_flows.sort(key=lambda f: (f["value"] is None, -(f["value"] or 0.0), f["from"], f["to"]))
    dependence = {}
    for country, cells in into.items():
        hidden: dict[str, float] = {}
        for (s_c, b_c), c in pairs.items():
            if b_c == country and not shown[s_c, b_c]:
                for org, w in c.items():
                    _add(hidden, org, w)
        ok = all(disclosable(c, viewer) for c in cells.values()) and (not hidden or disclosable(hidden, viewer))
        total = all_total.get(country, 0.0)
        dependence[country] = 100.0 * ext_total.get(country, 0.0) / total if ok and total > 0 else None
    return {
        "sites": _sites(full, union),
        "country_flows": country_flows,
        "dependence": dependence,
        "site_lines": _site_lines(links, weights, orgs, viewer),
        "year": net.year,
    }


def _sites(ds: Dataset, union: set[str]) -> list[dict[str, Any]]:
    finals = ds.demand.select("site", "part").unique().sort("site", "part")
    vehicle = dict(finals.iter_rows())
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "country": r["country"],
            "value": [r["lon"], r["lat"]],
            "external": r["country"] not in union,
            "vehicle": f"{r['id']}|{vehicle[r['id']]}" if r["id"] in vehicle else None,
        }
        for r in ds.sites.sort("id").iter_rows(named=True)
        if r["lat"] is not None and r["lon"] is not None
    ]


def _site_lines(links: pl.DataFrame, weights: sp.csr_matrix, orgs: list[str], viewer: Viewer) -> list[dict[str, Any]]:
    keys = list(zip(links["supplier"].to_list(), links["buyer"].to_list(), strict=True))
    cells = _cells(keys, weights, orgs)
    pairs = (
        links.filter(pl.col("supplier") != pl.col("buyer"))
        .group_by("supplier", "buyer")
        .agg(pl.len().alias("parts"), pl.col("value [RUB/yr]").sum())
        .sort(["parts", "supplier", "buyer"], descending=[True, False, False])
        .head(MAX_SITE_LINES)
    )
    mine = {viewer.organization}
    return [
        {
            "from": r["supplier"],
            "to": r["buyer"],
            "parts": r["parts"],
            "value": r["value [RUB/yr]"] if viewer.is_admin or set(cells[r["supplier"], r["buyer"]]) <= mine else None,
        }
        for r in pairs.iter_rows(named=True)
    ]


def link_contributors(ds: Dataset, links: pl.DataFrame) -> tuple[list[str], sp.csr_matrix]:
    """(organisations, W): ``W[e, o]`` = value of link e [RUB/yr] if organisation o contributes to it, else 0.

    Contributors of a link: its buyer, its supplier, and every organisation with a site downstream of the
    buyer site (reachable along supply links towards final demand), whose shares set the buyer's output.
    Reachability is propagated as a boolean site × organisation matrix, one sparse product per tier.
    """
    org_of = dict(ds.sites.select("id", "organization").iter_rows())
    orgs = sorted({o for o in org_of.values() if o is not None})
    o_index = {o: i for i, o in enumerate(orgs)}
    sites = sorted(org_of)
    s_index = {s: i for i, s in enumerate(sites)}
    n_s, n_o = len(sites), len(orgs)
    own = sp.csr_matrix(
        (
            np.ones(sum(1 for s in sites if org_of[s] is not None)),
            (
                [s_index[s] for s in sites if org_of[s] is not None],
                [o_index[org_of[s]] for s in sites if org_of[s] is not None],
            ),
        ),
        shape=(n_s, n_o),
    )
    edges = ds.supply_links.select("supplier", "buyer").unique()
    cols = [s_index[b] for s, b in edges.iter_rows() if s in s_index and b in s_index]
    rows = [s_index[s] for s, b in edges.iter_rows() if s in s_index and b in s_index]
    down = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_s, n_s))  # supplier site -> buyer site
    reach = (own > 0).astype(np.float64)
    for _ in range(n_s):  # at most one step per tier
        grown = ((reach + down @ reach) > 0).astype(np.float64)
        if (grown != reach).nnz == 0:
            break
        reach = grown
    b_idx = np.array([s_index[b] for b in links["buyer"].to_list()], dtype=np.int64)
    value = links["value [RUB/yr]"].to_numpy()
    involved = reach[b_idx].tolil()
    for e, o in enumerate(links["supplier organization"].to_list()):
        if o in o_index:
            involved[e, o_index[o]] = 1.0
    weights = sp.diags(value) @ (involved.tocsr() > 0).astype(np.float64)
    return orgs, sp.csr_matrix(weights)


def _cells(keys: list[Any], weights: sp.csr_matrix, orgs: list[str]) -> dict[Any, dict[str, float]]:
    """Key -> organisation -> summed weight of the links with that key (rows of ``weights`` in key order)."""
    index: dict[Any, int] = {}
    rows = np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)
    group = sp.csr_matrix((np.ones(len(keys)), (rows, np.arange(len(keys)))), shape=(len(index), len(keys)))
    summed = sp.csr_matrix(group @ weights)
    out: dict[Any, dict[str, float]] = {}
    for k, i in index.items():
        start, end = summed.indptr[i], summed.indptr[i + 1]
        out[k] = {orgs[j]: float(w) for j, w in zip(summed.indices[start:end], summed.data[start:end], strict=True)}
    return out


def filter_options(ds: Dataset) -> Mapping[str, list[dict[str, str]]]:
    """Public choices of the map's filters: parts, categories, OEMs (organisations with vehicle demand)."""
    oems = ds.demand.join(ds.sites.select(pl.col("id").alias("site"), "organization"), on="site").select("organization")
    orgs = ds.organizations.filter(pl.col("id").is_in(oems["organization"].unique().to_list())).sort("id")
    return {
        "part": [{"value": p, "label": n or p} for p, n in ds.parts.select("id", "name").sort("id").iter_rows()],
        "category": [{"value": c, "label": c} for c in sorted(set(ds.parts["category"].drop_nulls().to_list()))],
        "oem": [{"value": o, "label": n or o} for o, n in orgs.select("id", "name").iter_rows()],
    }
