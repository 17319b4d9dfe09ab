"""Concentration of supply: Herfindahl–Hirschman indices, single sources,
choke points and the strategic-dependence test.

All HHIs are on the 0–1 scale (``Σ s²`` of shares as fractions; the
10,000-point scale is 10,000 × this).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from importsub.analysis.balance import pool_allocation
from importsub.analysis.demand import gross_output, need_units
from importsub.analysis.localisation import DEFAULT_GROUP
from importsub.analysis.result import Result, fingerprint
from importsub.compile.network import BoolArray, FloatArray, Network
from importsub.model.errors import AnalysisError

CHOKE_SHARE = 0.3
"""Default choke-point threshold: one outside site serving > 30 % of the group's need of a part."""

STRATEGIC_HHI = 0.4
"""HHI of import origins above which a part is concentrated (EU/CEPII dependence test)."""

SPARE_TOLERANCE = 1e-6
"""A producer has spare capacity when ``capacity − x > SPARE_TOLERANCE · capacity`` (its
capacity on a pool being its share of the pool, :func:`importsub.analysis.balance.pool_allocation`)."""

THRESHOLD_TOLERANCE = 1e-9
"""Relative margin of the strict thresholds (``> choke_share``, ``> strategic_hhi``): a value
equal to the threshold up to rounding (30 % computed as 30.000000000000004 %) does not pass."""


def hhi(shares: FloatArray) -> float:
    """Herfindahl–Hirschman index ``Σ_k s_k²`` of shares that sum to 1 [0–1].

    Examples
    --------
    >>> hhi(np.array([0.5, 0.5]))
    0.5
    """
    s = np.asarray(shares, dtype=np.float64)
    total = s.sum()
    return float(((s / total) ** 2).sum()) if total > 0 else float("nan")


def concentration(
    net: Network,
    group: str = DEFAULT_GROUP,
    *,
    choke_share: float = CHOKE_SHARE,
    strategic_hhi: float = STRATEGIC_HHI,
    x: FloatArray | None = None,
) -> Result:
    """Supplier concentration per buyer + part, choke points and strategic dependence.

    Parameters
    ----------
    net : Network
    group : str
        Country group (or ISO2 code) that is "inside".
    choke_share : float
        Fraction of the group's need of a part above which one outside
        supplier site is a choke point.
    strategic_hhi : float
        Import-origin HHI above which (with no spare group capacity) a part
        is a strategic dependence.
    x : array, optional
        Gross output [units/yr]; default: derived from the network's demand.

    Returns
    -------
    Result
        * ``buyers`` — per procurement group (buyer site + part):
          ``HHI suppliers [0-1]`` = Σ σ_e² (in-house share included),
          ``HHI countries [0-1]`` = Σ_c (Σ_{e from c} σ_e)², ``suppliers`` =
          other sites with share > 0, qualified alternatives (other sites
          with share 0, qualified), ``in-house share [%]`` (the buyer's
          links to itself: in-house supply, no sourcing risk), ``single
          source`` = exactly one other site with share > 0 and no in-house
          share,
          ``imported share [%]`` = 100 · Σ σ over suppliers outside the group,
          ``need [units/yr]`` = (need · x)_g.
        * ``choke points`` — outside sites serving more than ``choke_share`` of
          the group's need of a part (strictly more: ``share > choke_share``;
          exactly the threshold does not count): supplied units = Σ_e σ_e · need_g over
          the site's links to group buyers, divided by the group's total need
          of the part (over buyers in the group).
        * ``strategic`` — per part imported into the group: imported units
          by origin country, ``HHI import origins [0-1]``, ``import
          dependence [%]`` = imported / need, spare capacity of the group's
          producers = Σ max(capacity − x, 0) (pool members: their share of
          the pool), ``main origin`` the country with the most imported units
          (ties: the first ISO2 code alphabetically), and ``strategic
          dependence`` = HHI > ``strategic_hhi`` (strictly) and no group
          producer with spare capacity.

        Every table is sorted by its figures, then by its keys, so equal
        figures always come out in the same order.
    """
    members = net.group_members(group)
    if not 0 < choke_share <= 1:
        raise AnalysisError(f"choke_share must be in (0, 1], got {choke_share}")
    x = gross_output(net) if x is None else x
    inside = np.isin(net.site_country, members)  # per site
    links = _link_table(net, x, inside)
    buyers = _buyers(links)
    # the group's need of each part and who supplies it
    into_group = links.filter(pl.col("buyer in group")).with_columns((pl.col("share") * pl.col("need")).alias("units"))
    part_need = _part_need(into_group)
    chokes = _choke_points(into_group, part_need, choke_share)
    origin_hhi = _import_origins(into_group)
    prod_agg = _group_producers(net, x, inside)
    strategic = _strategic(origin_hhi, part_need, prod_agg, strategic_hhi)
    return Result(
        "concentration",
        {"strategic": strategic, "choke points": chokes, "buyers": buyers},
        fingerprint(net, group=group, analysis="concentration", choke_share=choke_share, strategic_hhi=strategic_hhi),
    )


def _link_table(net: Network, x: FloatArray, inside: BoolArray) -> pl.DataFrame:
    """Every supply link with its buyer, part, supplier, countries, share, qualified flag and need [units/yr].

    Sorted by procurement group ``g`` then supplier site.
    """
    sites = pl.Series(net.sites, dtype=pl.String)
    parts = pl.Series(net.parts, dtype=pl.String)
    countries = pl.Series(net.countries, dtype=pl.String)
    need_g = need_units(net, x)
    sup_site = net.node_site[net.link_supplier]
    buyer_site = net.group_site[net.link_group]
    # every aggregation of this module runs on rows sorted by their keys, groups kept in that order
    # (maintain_order), so sums add up in one fixed order and ties break by key: same input,
    # same bytes (issue 9, item 4)
    return pl.DataFrame(
        {
            "g": net.link_group,
            "buyer": sites.gather(buyer_site),
            "buyer country": countries.gather(net.site_country[buyer_site]),
            "buyer in group": inside[buyer_site],
            "part": parts.gather(net.group_part[net.link_group]),
            "supplier": sites.gather(sup_site),
            "supplier country": countries.gather(net.site_country[sup_site]),
            "supplier in group": inside[sup_site],
            "in-house": sup_site == buyer_site,
            "share": net.link_share,
            "qualified": net.link_qualified,
            "need": need_g[net.link_group],
        }
    ).sort("g", "supplier")


def _buyers(links: pl.DataFrame) -> pl.DataFrame:
    """The ``buyers`` table: per procurement group, supplier and country HHIs [0-1], single source, shares [%]."""
    country_hhi = (
        links.sort("g", "supplier country", "supplier")
        .group_by("g", "supplier country", maintain_order=True)
        .agg(pl.col("share").sum())
        .group_by("g", maintain_order=True)
        .agg((pl.col("share") ** 2).sum().alias("HHI countries [0-1]"))
    )
    outside = (pl.col("share") > 0) & ~pl.col("in-house")
    return (
        links.group_by("g", "buyer", "buyer country", "buyer in group", "part", maintain_order=True)
        .agg(
            outside.sum().alias("suppliers"),
            ((pl.col("share") == 0) & pl.col("qualified") & ~pl.col("in-house")).sum().alias("qualified alternatives"),
            (100.0 * pl.col("share").filter(pl.col("in-house")).sum()).alias("in-house share [%]"),
            (pl.col("share") ** 2).sum().alias("HHI suppliers [0-1]"),
            (100.0 * pl.col("share").filter(~pl.col("supplier in group")).sum()).alias("imported share [%]"),
            pl.col("need").first().alias("need [units/yr]"),
        )
        .join(country_hhi, on="g", how="left", maintain_order="left")
        # one outside supplier carries the whole need; a site making the part itself is in-house supply
        .with_columns(((pl.col("suppliers") == 1) & (pl.col("in-house share [%]") == 0)).alias("single source"))
        .sort(["HHI suppliers [0-1]", "need [units/yr]", "buyer", "part"], descending=[True, True, False, False])
        .select(
            "buyer",
            "buyer country",
            "buyer in group",
            "part",
            "suppliers",
            "qualified alternatives",
            "single source",
            "in-house share [%]",
            "HHI suppliers [0-1]",
            "HHI countries [0-1]",
            "imported share [%]",
            "need [units/yr]",
        )
    )


def _part_need(into_group: pl.DataFrame) -> pl.DataFrame:
    """The group's total need of each part, ``group need [units/yr]`` (over buyers in the group)."""
    return (
        into_group.group_by("g", "part", maintain_order=True)
        .agg(pl.col("need").first())
        .sort("part", "g")
        .group_by("part", maintain_order=True)
        .agg(pl.col("need").sum().alias("group need [units/yr]"))
    )


def _choke_points(into_group: pl.DataFrame, part_need: pl.DataFrame, choke_share: float) -> pl.DataFrame:
    """Outside sites serving strictly more than ``choke_share`` of the group's need of a part."""
    by_supplier = (
        into_group.filter(~pl.col("supplier in group"))
        .sort("part", "supplier", "g")
        .group_by("part", "supplier", "supplier country", maintain_order=True)
        .agg(pl.col("units").sum().alias("supplied [units/yr]"), pl.col("buyer").n_unique().alias("group buyers"))
        .join(part_need, on="part", how="left", maintain_order="left")
        .with_columns(
            (100.0 * pl.col("supplied [units/yr]") / pl.col("group need [units/yr]")).alias("share of group need [%]")
        )
    )
    return by_supplier.filter(
        (pl.col("group need [units/yr]") > 0)
        & (pl.col("share of group need [%]") > 100.0 * choke_share * (1.0 + THRESHOLD_TOLERANCE))
    ).sort(
        ["share of group need [%]", "supplied [units/yr]", "part", "supplier"], descending=[True, True, False, False]
    )


def _import_origins(into_group: pl.DataFrame) -> pl.DataFrame:
    """Per part imported into the group: imported units [units/yr], origin HHI [0-1], main origin and its share [%]."""
    imported = into_group.filter(~pl.col("supplier in group"))
    origin = (
        imported.sort("part", "supplier country", "supplier", "g")
        .group_by("part", "supplier country", maintain_order=True)
        .agg(pl.col("units").sum())
    )
    return (
        origin.with_columns((pl.col("units") / pl.col("units").sum().over("part")).alias("s"))
        .group_by("part", maintain_order=True)
        .agg(
            pl.col("units").sum().alias("imported [units/yr]"),
            (pl.col("s") ** 2).sum().alias("HHI import origins [0-1]"),
            # ties (a 50/50 split) go to the first country code in alphabetical order
            pl.col("supplier country")
            .sort_by(["units", "supplier country"], descending=[True, False])
            .first()
            .alias("main origin"),
            (100.0 * pl.col("s").max()).alias("main origin share [%]"),
        )
    )


def _group_producers(net: Network, x: FloatArray, inside: BoolArray) -> pl.DataFrame:
    """Per part: the group's producers, those with spare capacity, and their spare capacity [units/yr]."""
    sites = pl.Series(net.sites, dtype=pl.String)
    parts = pl.Series(net.parts, dtype=pl.String)
    # a producer on a capacity pool has only its share of the pool (balance's rule)
    usable = pool_allocation(net, x)
    spare = np.maximum(usable - x, 0.0)
    has_spare = (usable - x) > SPARE_TOLERANCE * net.capacity
    node_inside = inside[net.node_site]
    producers = (
        pl.DataFrame(
            {
                "part": parts.gather(net.node_part),
                "site": sites.gather(net.node_site),
                "in": node_inside,
                "spare": spare,
                "has": has_spare & node_inside,
            }
        )
        .filter(pl.col("in"))
        .sort("part", "site")
    )
    return producers.group_by("part", maintain_order=True).agg(
        pl.len().alias("group producers"),
        pl.col("has").sum().alias("producers with spare capacity"),
        pl.col("spare").sum().alias("group spare capacity [units/yr]"),
    )


def _strategic(
    origin_hhi: pl.DataFrame, part_need: pl.DataFrame, prod_agg: pl.DataFrame, strategic_hhi: float
) -> pl.DataFrame:
    """The ``strategic`` table: origin HHI > ``strategic_hhi`` (strictly) and no group producer with spare capacity."""
    return (
        origin_hhi.filter(pl.col("imported [units/yr]") > 0)
        .join(part_need, on="part", how="left", maintain_order="left")
        .join(prod_agg, on="part", how="left", maintain_order="left")
        .with_columns(
            pl.col("group producers").fill_null(0),
            pl.col("producers with spare capacity").fill_null(0),
            pl.col("group spare capacity [units/yr]").fill_null(0.0),
            (100.0 * pl.col("imported [units/yr]") / pl.col("group need [units/yr]")).alias("import dependence [%]"),
        )
        .with_columns(
            (
                (pl.col("HHI import origins [0-1]") > strategic_hhi * (1.0 + THRESHOLD_TOLERANCE))
                & (pl.col("producers with spare capacity") == 0)
            ).alias("strategic dependence")
        )
        .sort(["strategic dependence", "imported [units/yr]", "part"], descending=[True, True, False])
        .select(
            "part",
            "imported [units/yr]",
            "group need [units/yr]",
            "import dependence [%]",
            "HHI import origins [0-1]",
            "main origin",
            "main origin share [%]",
            "group producers",
            "producers with spare capacity",
            "group spare capacity [units/yr]",
            "strategic dependence",
        )
    )
