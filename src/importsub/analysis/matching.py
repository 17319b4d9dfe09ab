"""Matching (the import-substitution exchange): for every part the group
imports, the group's producers that could supply it instead, ranked."""

from __future__ import annotations

import numpy as np
import polars as pl

from importsub.analysis.balance import pool_allocation
from importsub.analysis.demand import gross_output, need_units
from importsub.analysis.localisation import DEFAULT_GROUP
from importsub.analysis.result import Result, fingerprint
from importsub.compile.network import BoolArray, FloatArray, IntArray, Network
from importsub.model.errors import AnalysisError

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG) [km]."""

MATCH_KINDS = ("same part", "same HS heading", "same category")


def haversine_km(
    lat1: FloatArray | float, lon1: FloatArray | float, lat2: FloatArray | float, lon2: FloatArray | float
) -> FloatArray:
    """Great-circle distance [km] between points given in degrees (WGS 84, spherical Earth).

    ``d = 2 R asin √(sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2))`` with R = 6,371.0088 km.

    Examples
    --------
    >>> round(float(haversine_km(53.9006, 27.5590, 55.7558, 37.6173)), 1)  # Minsk – Moscow [km]
    675.8
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64)


def matching(
    net: Network,
    group: str = DEFAULT_GROUP,
    *,
    top: int = 5,
    pool: int = 50,
    x: FloatArray | None = None,
) -> Result:
    """Domestic candidates for every imported part, ranked.

    An *imported need* is a buyer site in the group with supply links of a
    part to suppliers outside the group (share > 0); ``imported [units/yr]``
    = Σ σ_e · need_g over those links.  A *candidate* is a producer node in the
    group making the same part, else a part with the same HS heading (first
    4 digits of ``hs_code``), else a part of the same category.

    Ranking per imported need: match kind (same part, same HS heading, same
    category), then candidates holding a registry entry valid on 1 January of the
    network's year (``registered``: a component counts as Russian for Decree 719
    only so), then candidates whose spare capacity (``capacity − x``
    [units/yr]) covers the imported units (``covers imports``: spare ≥
    imported), then great-circle distance to the
    buyer [km], then spare capacity, then candidate site and part ids (so
    equal figures always rank in the same order).  Spare capacity of a
    producer on a capacity pool is its share of the pool less its output
    (:func:`importsub.analysis.balance.pool_allocation`).  To keep work linear on big networks, for
    every part, HS heading and category only the ``pool`` producers with the
    most spare capacity are considered.

    Returns
    -------
    Result
        * ``candidates`` — up to ``top`` ranked candidates per imported need:
          buyer, part, imported units, candidate site and part, match kind,
          ``spare capacity [units/yr]``, ``distance [km]``,
          ``current share [%]`` (the candidate site's share of the buyer's
          need of the part today), ``rank``;
        * ``parts`` — per imported part: imported units, buyers, candidates
          by kind, spare capacity of same-part producers, ``spare / imported [%]``;
        * ``no candidate`` — imported parts with no domestic candidate at all.
    """
    members = net.group_members(group)
    if top < 1 or pool < 1:
        raise AnalysisError(f"top and pool must be ≥ 1, got top={top}, pool={pool}")
    x = gross_output(net) if x is None else x
    site_in = np.isin(net.site_country, members)
    sites = pl.Series(net.sites, dtype=pl.String)
    parts = pl.Series(net.parts, dtype=pl.String)
    heading, category = _part_keys(net)
    links = _link_frame(net, need_units(net, x))
    needs = _imported_needs(links, site_in, heading, category)
    cand_nodes = np.flatnonzero(site_in[net.node_site])
    # a producer on a capacity pool has only its share of the pool (balance's rule)
    spare = np.maximum(pool_allocation(net, x) - x, 0.0)
    cands = _producers(net, cand_nodes, spare, heading, category)
    allc = _matches(net, needs, cands, pool)
    ranked = _ranked(net, allc, links, top, _registered_sites(net, group))
    kinds = pl.Series(MATCH_KINDS, dtype=pl.String)
    candidates = ranked.select(
        pl.col("b"),
        pl.col("p"),
        "imported [units/yr]",
        (100.0 * pl.col("imported share")).alias("imported share [%]"),
        "rank",
        pl.col("cs"),
        pl.col("cp"),
        pl.col("kind"),
        "spare capacity [units/yr]",
        "covers imports",
        "distance [km]",
        "current share [%]",
        "registered",
    )
    candidates = _label(candidates, net, sites, parts, kinds).sort(
        ["imported [units/yr]", "buyer", "part", "rank"], descending=[True, False, False, False]
    )
    per_part = _per_part(net, needs, allc, cand_nodes, spare)
    per_part = _label_parts(net, per_part, parts, heading, category)
    none = (
        per_part.filter(pl.col("_any") == 0)
        .select("part", "category", "HS heading", "imported [units/yr]", "imported [RUB/yr]", "buyers")
        .sort(["imported [RUB/yr]", "part"], descending=[True, False])
    )
    per_part = per_part.select(
        "part",
        "category",
        "HS heading",
        "imported [units/yr]",
        "imported [RUB/yr]",
        "buyers",
        *[f"candidates: {name}" for name in MATCH_KINDS],
        "same-part spare [units/yr]",
        "spare / imported [%]",
    ).sort(["imported [RUB/yr]", "part"], descending=[True, False])
    return Result(
        "matching",
        {"parts": per_part, "no candidate": none, "candidates": candidates},
        fingerprint(net, group=group, analysis="matching", top=top, pool=pool),
    )


def _part_keys(net: Network) -> tuple[pl.Series, pl.Series]:
    """Per part: its HS heading (first 4 digits of ``hs_code``, null when fewer) and its category."""
    digits = pl.Series("h", net.part_hs, dtype=pl.String).str.replace_all(r"[^0-9]", "").str.slice(0, 4)
    heading = pl.select(pl.when(digits.str.len_chars() == 4).then(digits).otherwise(None).alias("h")).get_column("h")
    category = pl.Series(net.part_category, dtype=pl.String)
    return heading, category


def _link_frame(net: Network, need_g: FloatArray) -> pl.DataFrame:
    """Every supply link: buyer site ``b``, part ``p``, supplier site ``s``, ``share``, ``units`` [units/yr]."""
    return pl.DataFrame(
        {
            "b": net.group_site[net.link_group],
            "p": net.group_part[net.link_group],
            "s": net.node_site[net.link_supplier],
            "share": net.link_share,
            "units": net.link_share * need_g[net.link_group],
        }
    )


def _imported_needs(links: pl.DataFrame, site_in: BoolArray, heading: pl.Series, category: pl.Series) -> pl.DataFrame:
    """Imported needs (buyer in the group, supplier outside, share > 0), one row per (buyer, part), numbered."""
    buyer_site = links.get_column("b").to_numpy()
    sup_site = links.get_column("s").to_numpy()
    imported_links = links.filter(
        pl.Series(site_in[buyer_site]) & ~pl.Series(site_in[sup_site]) & (pl.col("share") > 0)
    ).sort("b", "p", "s")
    needs = (
        imported_links.group_by("b", "p", maintain_order=True)
        .agg(
            pl.col("units").sum().alias("imported [units/yr]"),
            pl.col("share").sum().alias("imported share"),
            pl.col("s").alias("_foreign"),
        )
        .sort("b", "p")
    )
    p_arr = needs.get_column("p").to_numpy()
    return needs.with_columns(
        heading.gather(p_arr).alias("h"),
        category.gather(p_arr).alias("c"),
    ).with_row_index("need")


def _producers(
    net: Network, cand_nodes: IntArray, spare: FloatArray, heading: pl.Series, category: pl.Series
) -> pl.DataFrame:
    """Candidate producer nodes: site ``cs``, part ``cp``, spare capacity [units/yr], HS heading, category."""
    cands = pl.DataFrame(
        {
            "cs": net.node_site[cand_nodes],
            "cp": net.node_part[cand_nodes],
            "spare capacity [units/yr]": spare[cand_nodes],
        }
    )
    cp = cands.get_column("cp").to_numpy()
    return cands.with_columns(heading.gather(cp).alias("ch"), category.gather(cp).alias("cc"))


def _matches(net: Network, needs: pl.DataFrame, cands: pl.DataFrame, pool: int) -> pl.DataFrame:
    """Every (imported need, candidate) pair with its best match kind (0 part, 1 HS heading, 2 category).

    Only the ``pool`` producers with the most spare capacity per part, HS
    heading and category are considered; a BOM parent of the imported part
    is dropped (it consumes the part, it does not replace it).
    """

    def top_by(key: str) -> pl.DataFrame:
        return (
            cands.filter(pl.col(key).is_not_null())
            .sort(["spare capacity [units/yr]", "cs"], descending=[True, False])
            .group_by(key, maintain_order=True)
            .head(pool)
        )

    same = needs.join(top_by("cp"), left_on="p", right_on="cp", how="inner").with_columns(
        pl.col("p").alias("cp"), pl.lit(0, dtype=pl.Int8).alias("kind")
    )
    by_hs = (
        needs.filter(pl.col("h").is_not_null())
        .join(top_by("ch"), left_on="h", right_on="ch", how="inner")
        .filter(pl.col("cp") != pl.col("p"))
        .with_columns(pl.col("h").alias("ch"), pl.lit(1, dtype=pl.Int8).alias("kind"))
    )
    by_cat = (
        needs.join(top_by("cc"), left_on="c", right_on="cc", how="inner")
        .filter(
            (pl.col("cp") != pl.col("p"))
            & (pl.col("ch").is_null() | pl.col("h").is_null() | (pl.col("ch") != pl.col("h")))
        )
        .with_columns(pl.col("c").alias("cc"), pl.lit(2, dtype=pl.Int8).alias("kind"))
    )
    cols = ["need", "b", "p", "imported [units/yr]", "imported share", "cs", "cp", "kind", "spare capacity [units/yr]"]
    allc = pl.concat([same.select(cols), by_hs.select(cols), by_cat.select(cols)])
    # a candidate (site, part) may match several ways: keep its best kind; a part
    # that consumes the imported part (its BOM parent) is no substitute for it
    allc = allc.sort("need", "kind", "cs", "cp").unique(["need", "cs", "cp"], keep="first", maintain_order=True)
    if allc.height:
        uses = np.asarray(net.bom[allc.get_column("cp").to_numpy(), allc.get_column("p").to_numpy()]).ravel() > 0
        allc = allc.filter(~pl.Series(uses))
    return allc


def _registered_sites(net: Network, group: str) -> pl.DataFrame:
    """(site, part) positions of the producers holding a registry entry valid on 1 January of the network's year
    (:attr:`importsub.analysis.compliance.common.Context.registered`)."""
    from importsub.analysis.compliance.common import Context

    if net.year is None or not net.statutory or net.statutory["registry_entries"].height == 0:
        return pl.DataFrame({"cs": [], "cp": []}, schema={"cs": pl.Int64, "cp": pl.Int64})
    nodes = np.flatnonzero(Context(net, net.year, group).registered)
    return pl.DataFrame(
        {"cs": net.node_site[nodes], "cp": net.node_part[nodes]}, schema={"cs": pl.Int64, "cp": pl.Int64}
    )


def _ranked(net: Network, allc: pl.DataFrame, links: pl.DataFrame, top: int, registered: pl.DataFrame) -> pl.DataFrame:
    """The ``top`` candidates of every need, ranked (kind, registered, covers imports, distance [km], spare, ids)."""
    b = allc.get_column("b").to_numpy()
    s = allc.get_column("cs").to_numpy()
    dist = haversine_km(net.site_lat[b], net.site_lon[b], net.site_lat[s], net.site_lon[s])
    current = (
        links.sort("b", "p", "s")
        .group_by("b", "p", "s", maintain_order=True)
        .agg(pl.col("share").sum().alias("current"))
    )
    return (
        allc.with_columns(pl.Series("distance [km]", dist))
        .join(current, left_on=["b", "p", "cs"], right_on=["b", "p", "s"], how="left")
        .with_columns(
            (100.0 * pl.col("current").fill_null(0.0)).alias("current share [%]"),
            (pl.col("spare capacity [units/yr]") >= pl.col("imported [units/yr]")).alias("covers imports"),
        )
        .join(registered.with_columns(pl.lit(True).alias("registered")), on=["cs", "cp"], how="left")
        .with_columns(pl.col("registered").fill_null(False))
        .sort(
            ["need", "kind", "registered", "covers imports", "distance [km]", "spare capacity [units/yr]", "cs", "cp"],
            descending=[False, False, True, True, False, True, False, False],
        )
        .with_columns(pl.int_range(1, pl.len() + 1).over("need").alias("rank"))
        .filter(pl.col("rank") <= top)
    )


def _per_part(
    net: Network, needs: pl.DataFrame, allc: pl.DataFrame, cand_nodes: IntArray, spare: FloatArray
) -> pl.DataFrame:
    """Per imported part ``p``: imported units, buyers, candidates by kind, same-part spare [units/yr]."""
    kind_counts = (
        allc.sort("p", "kind", "cs", "cp")
        .group_by("p", maintain_order=True)
        .agg(
            *[
                pl.col("cp").filter(pl.col("kind") == k).n_unique().alias(f"candidates: {name}")
                for k, name in enumerate(MATCH_KINDS)
            ]
        )
    )
    same_spare = (
        pl.DataFrame({"p": net.node_part[cand_nodes], "s": net.node_site[cand_nodes], "spare": spare[cand_nodes]})
        .sort("p", "s")
        .group_by("p", maintain_order=True)
        .agg(pl.col("spare").sum().alias("same-part spare [units/yr]"))
    )
    return (
        needs.sort("p", "b")
        .group_by("p", maintain_order=True)
        .agg(pl.col("imported [units/yr]").sum(), pl.col("b").n_unique().alias("buyers"))
        .join(kind_counts, on="p", how="left", maintain_order="left")
        .join(same_spare, on="p", how="left", maintain_order="left")
        .with_columns(
            *[pl.col(f"candidates: {name}").fill_null(0) for name in MATCH_KINDS],
            pl.col("same-part spare [units/yr]").fill_null(0.0),
        )
        .with_columns(
            pl.when(pl.col("imported [units/yr]") > 0)
            .then(100.0 * pl.col("same-part spare [units/yr]") / pl.col("imported [units/yr]"))
            .otherwise(None)
            .alias("spare / imported [%]"),
            pl.sum_horizontal([pl.col(f"candidates: {name}") for name in MATCH_KINDS]).alias("_any"),
        )
    )


def _label_parts(
    net: Network, per_part: pl.DataFrame, parts: pl.Series, heading: pl.Series, category: pl.Series
) -> pl.DataFrame:
    """Add part id, category, HS heading, value [RUB/unit] and imported value [RUB/yr] to the per-part table."""
    p_idx = per_part.get_column("p").to_numpy()
    return per_part.with_columns(
        parts.gather(p_idx).alias("part"),
        category.gather(p_idx).alias("category"),
        pl.Series("HS heading", heading.gather(p_idx)),
        pl.Series("value [RUB/unit]", net.part_value[p_idx]),
    ).with_columns((pl.col("imported [units/yr]") * pl.col("value [RUB/unit]")).alias("imported [RUB/yr]"))


def _label(df: pl.DataFrame, net: Network, sites: pl.Series, parts: pl.Series, kinds: pl.Series) -> pl.DataFrame:
    b = df.get_column("b").to_numpy()
    p = df.get_column("p").to_numpy()
    cs = df.get_column("cs").to_numpy()
    cp = df.get_column("cp").to_numpy()
    kind = df.get_column("kind").to_numpy().astype(np.int64)
    countries = pl.Series(net.countries, dtype=pl.String)
    return df.select(
        sites.gather(b).alias("buyer"),
        parts.gather(p).alias("part"),
        "imported [units/yr]",
        "imported share [%]",
        "rank",
        sites.gather(cs).alias("candidate site"),
        countries.gather(net.site_country[cs]).alias("candidate country"),
        parts.gather(cp).alias("candidate part"),
        kinds.gather(kind).alias("match"),
        "spare capacity [units/yr]",
        "covers imports",
        "distance [km]",
        "current share [%]",
        "registered",
    )
