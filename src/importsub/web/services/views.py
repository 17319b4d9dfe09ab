"""What the dashboard pages show, computed from a dataset *already masked for the viewer*.

Nothing here reads confidential figures: the overview counts links and
vehicles, the map draws who supplies whom (not how much), the explorer walks
the bill of materials and the supply links.  Shares appear only where the
masked dataset still carries them (the viewer's own organisation, or admins).
Project records and the programme summary are the programme's public data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from importsub.analysis.programme import programme_summary
from importsub.model.dataset import Dataset
from importsub.web.i18n import current_language
from importsub.web.i18n import gettext as _


def shown_name(frame: pl.DataFrame) -> pl.Expr:
    """A record's name as the page shows it: ``name_local`` on Russian pages where present, else ``name``."""
    if current_language() == "ru" and "name_local" in frame.columns:
        return pl.coalesce(pl.col("name_local"), pl.col("name"))
    return pl.col("name")


def union_countries(ds: Dataset, group: str = "union") -> set[str]:
    return set(ds.country_groups.filter(pl.col("group") == group)["iso2"].to_list())


def overview(ds: Dataset) -> dict[str, Any]:
    """Headline numbers, chart series, map layers, projects and single-source risks of a dataset."""
    union = union_countries(ds)
    sites = ds.sites.select(
        pl.col("id").alias("site"), "organization", "country", shown_name(ds.sites).alias("name"), "lat", "lon"
    )
    orgs = ds.organizations.select(
        pl.col("id").alias("organization"), shown_name(ds.organizations).alias("org_name"), "kind"
    )
    links = ds.supply_links.join(
        sites.select(pl.col("site").alias("supplier"), pl.col("country").alias("supplier_country")),
        on="supplier",
        how="left",
    ).join(
        sites.select(pl.col("site").alias("buyer"), pl.col("country").alias("buyer_country")), on="buyer", how="left"
    )
    n_links = links.height
    external = links.filter(~pl.col("supplier_country").is_in(list(union))).height if union else 0

    from importsub.compile import default_year

    year = default_year(ds)  # the one default-year rule (CLI, headline, projects)
    vehicles = (
        ds.demand.filter(pl.col("year") == year)
        .join(sites.select("site", "organization"), on="site", how="left")
        .group_by("organization")
        .agg(pl.col("units").sum().alias("units"))
        .join(orgs, on="organization", how="left")
        .sort("units", descending=True)
    )
    countries = links.group_by("supplier_country").agg(pl.len().alias("links")).sort("links", descending=True).head(15)
    # map: sites with coordinates, and one line per (supplier site, buyer site) pair
    site_points = [
        {
            "name": r["name"],
            "id": r["site"],
            "value": [r["lon"], r["lat"]],
            "external": r["country"] not in union,
            "country": r["country"],
        }
        for r in sites.iter_rows(named=True)
        if r["lat"] is not None and r["lon"] is not None
    ]
    coords = {p["id"]: p["value"] for p in site_points}
    pairs = links.group_by("supplier", "buyer").agg(pl.len().alias("parts"), pl.col("supplier_country").first())
    flows = [
        {
            "coords": [coords[r["supplier"]], coords[r["buyer"]]],
            "external": r["supplier_country"] not in union,
            "parts": r["parts"],
        }
        for r in pairs.iter_rows(named=True)
        if r["supplier"] in coords and r["buyer"] in coords and r["supplier"] != r["buyer"]
    ]
    # single-source purchases from outside the union: one supplier for a buyer's part
    per_need = links.group_by("buyer", "part").agg(
        pl.len().alias("suppliers"), pl.col("supplier").first(), pl.col("supplier_country").first()
    )
    single = per_need.filter(pl.col("suppliers") == 1)
    risks = (
        single.filter(~pl.col("supplier_country").is_in(list(union)))
        .join(
            ds.parts.select(pl.col("id").alias("part"), shown_name(ds.parts).alias("part_name"), "category"),
            on="part",
            how="left",
        )
        .sort("category", "buyer", "part")
    )
    return {
        "counts": ds.counts(),
        "n_links": n_links,
        "external_links": external,
        "external_pct": 100.0 * external / n_links if n_links else None,
        "single_source": single.height,
        "year": year,
        "vehicles_chart": {
            "labels": [r["org_name"] or r["organization"] for r in vehicles.iter_rows(named=True)],
            "values": vehicles["units"].to_list(),
        },
        "countries_chart": {
            "labels": [c or "?" for c in countries["supplier_country"].to_list()],
            "values": countries["links"].to_list(),
            "highlight": [c in union for c in countries["supplier_country"].to_list()],
        },
        "map": {"sites": site_points, "flows": flows},
        "risks": risks.head(25).to_dicts(),
        "risks_total": risks.height,
    }


def vehicles(ds: Dataset) -> list[dict[str, Any]]:
    """Final parts (vehicle models) with the sites that deliver them."""
    pairs = ds.demand.select("site", "part").unique().sort("site", "part")
    names = dict(ds.parts.select("id", shown_name(ds.parts)).iter_rows())
    site_names = dict(ds.sites.select("id", shown_name(ds.sites)).iter_rows())
    return [
        {"site": s, "part": p, "label": f"{names.get(p, p)} — {site_names.get(s, s)}"} for s, p in pairs.iter_rows()
    ]


@dataclass
class TierNode:
    """One (site, part) in the explorer tree."""

    site: str
    part: str
    site_name: str
    part_name: str
    country: str
    external: bool
    share: float | None
    hidden: bool
    tier: int
    children: list[TierNode] = field(default_factory=list)
    truncated: bool = False


def explore(
    ds: Dataset, site: str, part: str, *, max_depth: int = 8, max_nodes: int = 400
) -> tuple[TierNode, dict[str, Any]]:
    """The supply tree of ``part`` made at ``site``: BOM inputs, their suppliers, theirs, …

    Returns the tree and a summary: suppliers per tier and origin country
    (counted per link, not weighted by the hidden shares), and the number of
    inputs whose suppliers are not mapped.
    """
    union = union_countries(ds)
    site_rows = {r["id"]: r for r in ds.sites.with_columns(shown_name(ds.sites).alias("name")).iter_rows(named=True)}
    part_names = dict(ds.parts.select("id", shown_name(ds.parts)).iter_rows())
    bom: dict[str, list[str]] = {}
    for parent, child in ds.bom.select("parent", "child").iter_rows():
        bom.setdefault(parent, []).append(child)
    links: dict[tuple[str, str], list[tuple[str, float | None]]] = {}
    for buyer, p, supplier, share in ds.supply_links.select("buyer", "part", "supplier", "share").iter_rows():
        links.setdefault((buyer, p), []).append((supplier, share))
    by_tier_country: dict[tuple[int, str], int] = {}
    unmapped = 0
    count = 0

    def node(s: str, p: str, tier: int, share: float | None, hidden: bool) -> TierNode:
        row = site_rows.get(s, {})
        country = row.get("country") or "?"
        return TierNode(
            s, p, row.get("name") or s, part_names.get(p, p), country, country not in union, share, hidden, tier
        )

    root = node(site, part, 0, None, False)
    stack: list[tuple[TierNode, frozenset[tuple[str, str]]]] = [(root, frozenset({(site, part)}))]
    while stack:
        current, seen = stack.pop()
        if current.tier >= max_depth:
            current.truncated = bool(bom.get(current.part))
            continue
        for child in sorted(bom.get(current.part, [])):
            suppliers = links.get((current.site, child))
            if not suppliers:
                unmapped += 1
                continue
            for supplier, share in sorted(suppliers, key=lambda x: x[0]):
                if count >= max_nodes:
                    current.truncated = True
                    break
                n = node(supplier, child, current.tier + 1, share, share is None)
                current.children.append(n)
                count += 1
                key = (n.tier, n.country)
                by_tier_country[key] = by_tier_country.get(key, 0) + 1
                if (supplier, child) not in seen:
                    stack.append((n, seen | {(supplier, child)}))
    tiers = sorted({t for t, _ in by_tier_country})
    summary = {
        "tiers": [
            {
                "tier": t,
                "countries": sorted(
                    (
                        {"country": c, "links": n, "external": c not in union}
                        for (tt, c), n in by_tier_country.items()
                        if tt == t
                    ),
                    key=lambda x: -int(x["links"]),  # type: ignore[call-overload]
                ),
            }
            for t in tiers
        ],
        "unmapped": unmapped,
        "nodes": count,
        "external_links": sum(n for (_, c), n in by_tier_country.items() if c not in union),
    }
    return root, summary


PROJECT_PARTS = {
    "partners": "project_partners",
    "outputs": "project_outputs",
    "rampup": "project_rampup",
    "milestones": "milestones",
    "substitutes": "project_substitutes",
}
"""Key of each part of a project object: the record table it comes from."""


def project_objects(ds: Dataset, only: str | None = None) -> list[dict[str, Any]]:
    """Projects with their parts, by id."""
    projects = ds.projects if only is None else ds.projects.filter(pl.col("id") == only)
    out = []
    for p in projects.sort("id").iter_rows(named=True):
        obj = dict(p)
        for key, t in PROJECT_PARTS.items():
            obj[key] = ds.tables[t].filter(pl.col("project") == p["id"]).drop("project").to_dicts()
        obj["milestones_total"] = len(obj["milestones"])
        obj["milestones_done"] = sum(1 for m in obj["milestones"] if m["done"] is not None)
        out.append(obj)
    return out


def programme_view(ds: Dataset, as_of: dt.date | None = None) -> dict[str, Any] | None:
    """The programme at a glance: status counts ("4 of 14 public"), capacity online vs plan, capex, milestones."""
    if ds.projects.height == 0:
        return None
    r = programme_summary(ds, as_of, None)
    st = r["status"]
    programme_row = st.filter(pl.col("status") == "programme").to_dicts()
    counts = st.filter(~pl.col("status").is_in(["programme", "not public"])).to_dicts()
    cap = r["capacity"]
    total = cap.filter(pl.col("project") == "total").to_dicts()
    per_project = (
        cap.filter(pl.col("project") != "total")
        .group_by("project", maintain_order=True)
        .agg(pl.col("plan [units/yr]").sum(), pl.col("online [units/yr]").sum())
    )
    capex = r["capex"].filter(pl.col("project") == "total").to_dicts()
    ms = {row["state"]: row for row in r["milestones"].to_dicts()}
    return {
        "size": programme_row[0]["projects"] if programme_row else ds.projects.height,
        "public": ds.projects.height,
        "counts": counts,
        "year": r.fingerprint.get("year"),
        "as_of": r.fingerprint.get("as of"),
        "plan": total[0]["plan [units/yr]"] if total else 0.0,
        "online": total[0]["online [units/yr]"] if total else 0.0,
        "capex": capex[0] if capex else {},
        "milestones": ms,
        "chart": {
            "labels": per_project["project"].to_list(),
            "series": [
                {"name": _("plan"), "values": per_project["plan [units/yr]"].to_list()},
                {"name": _("online"), "values": per_project["online [units/yr]"].to_list()},
            ],
        },
    }
