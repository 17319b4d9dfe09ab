"""Synthetic supply networks of any size, for tests and benchmarks.

:func:`synth` draws a layered (tiered) automotive supply network: OEM sites
make vehicle models, deeper tiers make systems, components and materials.
Everything is drawn with vectorised numpy from one seeded generator, so the
same ``(sites, seed, parameters)`` always give the same records (row order
included), and 100,000 sites (about 1.1 million supply links) take about a
second.

How it is drawn
---------------
* **Tiers** ``t = 0 … T−1``: tier 0 are OEM sites (``oem_share`` of the
  sites, all in the ``union`` group) making vehicle models with final demand;
  tier ``T−1`` makes materials (kg) and has no inputs.
* **Countries**: 13 countries; ``BY`` and ``RU`` form the group ``union``,
  the rest ``external``.  A non-OEM site is in the union with probability
  ``union_share``.  Coordinates are jittered around real regional centres.
* **Parts**: every site makes 1–3 parts of its tier; the number of parts per
  tier grows like ``sites_t^0.7`` so each part has several producers (more
  on bigger networks).  Every part has at least one producer.
* **BOM**: each part of tier ``t < T−1`` has 2–6 children in tier ``t+1``
  (popular children are reused, Pareto weights), quantities 1–8 pcs
  (mostly 1–2) or a fraction of kilograms for materials.  Tiers make the BOM
  acyclic by construction.
* **Supply links**: a site buys each input part once for all its products
  (a procurement group = buyer site + input part).  A group has
  ``k ~ Geometric(1/links_per_buyer)`` suppliers (1 most often, at most
  ``max_suppliers``), ``Binomial(k, import_share)`` of them outside the union
  for a union buyer (0.85 for an external buyer), never more than there are
  producers of that kind (a kind with no producer passes its draws to the
  other).  Each is drawn among the part's producers of its kind with
  probability proportional to a Pareto(1.2) site weight (preferential
  attachment: heavy-tailed supplier out-degree); a repeated draw is redrawn
  up to five times, then dropped.  Shares are Dirichlet(1) in steps
  of 0.001 and sum to 1 per group; some extra suppliers are qualified
  alternatives with share 0.  ``unmapped_share`` of external buyer sites
  have no recorded suppliers (their inputs are unmapped).
* **Values**: bottom-up.  Materials 40–900 RUB/kg; a part's unit value is
  ``markup · Σ_c q_c · max_s v_{s,c}`` with markup in [1.15, 1.6] and the
  maximum over the producers s of child c; each site prices its part within
  ±10 % of that.  Hence every node's input cost is at most
  ``v_part / 1.15 < 0.9 · v_part ≤ v_node``: value added is never negative.
* **Quantities**: final demand d of every OEM node for each year; derived
  demand ``x = A x + d`` (exact after ``T`` sweeps, the network is layered);
  capacity ``= ⌈x · f⌉`` with ``f`` in [0.9, 2.0] (mostly under 1.4, so some
  nodes are short; a node nobody buys from gets spare capacity), stock of a few weeks at some nodes and buyer sites,
  time to recover 1–30 weeks (log-normal, heavy tail), capacity pools on
  some multi-part OEM and tier-1 sites.

Examples
--------
>>> from importsub.demo.synth import synth
>>> ds = synth(200, seed=1)
>>> ds.sites.height
200
>>> ds.fingerprint() == synth(200, seed=1).fingerprint()
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import numpy.typing as npt
import polars as pl

from importsub.demo.synth_tables import COMPONENTS as _COMPONENTS
from importsub.demo.synth_tables import COUNTRIES as _COUNTRIES
from importsub.demo.synth_tables import MATERIAL_PRICES as _MATERIAL_PRICES
from importsub.demo.synth_tables import MATERIALS as _MATERIALS
from importsub.demo.synth_tables import SUBCOMPONENTS as _SUBCOMPONENTS
from importsub.demo.synth_tables import SYSTEMS as _SYSTEMS
from importsub.demo.synth_tables import VEHICLES as _VEHICLES
from importsub.demo.synth_tables import Kind as _Kind
from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

UNION = "union"
EXTERNAL = "external"
SOURCE = "synthetic (importsub synth)"


_EXTERNAL_BUYER_IMPORT = 0.85  # an external site mostly buys from outside the union too
_ALTERNATIVE = 0.15  # probability that an extra supplier is a share-0 qualified alternative
_UNQUALIFIED = 0.15  # probability that an active supplier may not deliver more than its share
_NEW_ORG = 0.7  # probability that a site starts a new organisation (else shares the previous one's)
_REDRAWS = 6  # rounds of supplier draws: the first, then redraws of repeats
_POOLED = 0.3  # probability that a multi-part OEM or tier-1 site has a capacity pool


@dataclass(frozen=True)
class _Tiers:
    tier: IntArray  # per site
    counts: IntArray  # per tier


def _kinds(tiers: int) -> list[_Kind]:
    middle = [_SYSTEMS, _COMPONENTS, _SUBCOMPONENTS]
    inner = [middle[min(t, len(middle) - 1)] for t in range(tiers - 2)]
    return [_VEHICLES, *inner, _MATERIALS]


def _tier_counts(sites: int, tiers: int, oem_share: float) -> IntArray:
    """Sites per tier: OEMs first, the rest spread with a bulge in the middle."""
    oem = max(1, round(oem_share * sites))
    rest = sites - oem
    w = np.array([1.0 + min(t, tiers - 1 - t) * 0.35 for t in range(1, tiers)])
    counts = np.maximum(2, np.floor(rest * w / w.sum()).astype(np.int64))
    counts[int(np.argmax(counts))] += rest - int(counts.sum())
    return np.concatenate([[oem], counts]).astype(np.int64)


def _segments(counts: IntArray) -> tuple[IntArray, IntArray]:
    """For repeat-expansion: (segment id, position within segment) of each element."""
    seg = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    return seg, np.arange(seg.size, dtype=np.int64) - starts[seg]


def _weighted_pick(rng: np.random.Generator, cum: FloatArray, lo: IntArray, hi: IntArray) -> IntArray:
    """One index in ``[lo, hi)`` per request, with probability ∝ the weights whose cumsum is ``cum``."""
    base = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0.0)
    target = base + rng.random(lo.size) * (cum[hi - 1] - base)
    idx = np.searchsorted(cum, target, side="right").astype(np.int64)
    return np.clip(idx, lo, hi - 1)


def _unique(a: IntArray) -> IntArray:
    """Sorted distinct values (sort-based: faster than ``np.unique``'s hashing on large int arrays)."""
    a = np.sort(a)
    return a[np.concatenate([[True], a[1:] != a[:-1]])] if a.size else a


def _unique_inverse(a: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted distinct values and, for each element of ``a``, the index of its value."""
    order = np.argsort(a, kind="stable")
    s = a[order]
    new = np.concatenate([[True], s[1:] != s[:-1]]) if a.size else np.zeros(0, dtype=np.bool_)
    inverse = np.empty(a.size, dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return s[new], inverse


def _ids(prefix: str, n: int, width: int) -> pl.Series:
    num = pl.Series("n", np.arange(n, dtype=np.int64)).cast(pl.String).str.zfill(width)
    return pl.select((pl.lit(prefix) + num).alias("id")).to_series()


class _State(SimpleNamespace):
    """What :func:`synth` has drawn so far: its parameters, the generator and the arrays of every step.

    The steps run in a fixed order and all draw from the one generator, so the same seed gives
    the same records; each step reads the arrays of earlier steps from ``g`` and adds its own.
    """


def synth(
    sites: int,
    seed: int = 0,
    *,
    links_per_buyer: float = 2.0,
    import_share: float = 0.35,
    name: str | None = None,
    tiers: int = 5,
    union_share: float = 0.65,
    oem_share: float = 0.015,
    unmapped_share: float = 0.2,
    max_suppliers: int = 6,
    years: Sequence[int] = (2025, 2026),
) -> Dataset:
    """A synthetic tiered supply network with ``sites`` sites (see the module docstring).

    Parameters
    ----------
    sites : int
        Number of sites (at least ``3 · tiers``).
    seed : int
        Seed of the random generator; equal inputs give an equal dataset.
    links_per_buyer : float
        Mean number of suppliers per procurement group (buyer site + input
        part), ``k ~ Geometric(1 / links_per_buyer)`` capped at ``max_suppliers``
        and at the number of producers; the realised mean is a little lower
        (1.92 for 2.0).  Supply links scale linearly with ``sites``: with the
        defaults about 11.4 per site, so ``synth(88_000)`` has about one million
        (``synth(100_000, links_per_buyer=1.8)`` too).
    import_share : float
        Expected fraction of union buyers' supply links whose supplier is
        outside the union (imports).
    name : str, optional
        Dataset name; default ``synth-{sites}-s{seed}``.
    tiers : int
        Number of tiers ``T`` (3 to 8): vehicles, ``T − 2`` tiers of systems /
        components, materials.
    union_share : float
        Probability that a non-OEM site is in the union (BY, RU).  OEMs always are.
    oem_share : float
        Fraction of sites that are OEM (tier-0) sites.
    unmapped_share : float
        Fraction of external buyer sites whose suppliers are not recorded.
    max_suppliers : int
        Largest number of supplier draws per procurement group.
    years : sequence of int
        Years with final demand; demand grows by −5 … +15 % a year.

    Returns
    -------
    Dataset
        Tables countries, country_groups, organizations, sites, parts, bom,
        production, capacity_pools, inventory, supply_links and demand; it
        passes :func:`importsub.model.validate.check`.

    Raises
    ------
    ImportsubError
        On parameters out of range.

    Examples
    --------
    >>> ds = synth(100, seed=3, import_share=0.5)
    >>> sorted(ds.supply_links.group_by("buyer", "part").agg(
    ...     __import__("polars").col("share").sum().round(9).alias("s"))["s"].unique())
    [1.0]
    """
    _check_params(
        sites, tiers, links_per_buyer, import_share, union_share, oem_share, unmapped_share, max_suppliers, years
    )
    g = _State(
        sites=sites,
        links_per_buyer=links_per_buyer,
        import_share=import_share,
        union_share=union_share,
        oem_share=oem_share,
        unmapped_share=unmapped_share,
        max_suppliers=max_suppliers,
        years=years,
        rng=np.random.default_rng([int(seed), int(sites)]),
        kinds=_kinds(tiers),
        T=tiers,
    )
    _draw_sites(g)
    _draw_parts(g)
    _draw_bom(g)
    _draw_values(g)
    _draw_groups(g)
    _draw_links(g)
    _draw_demand(g)
    _draw_capacity(g)
    _draw_organizations(g)
    _frames_parties(g)
    _frames_network(g)
    return Dataset.from_frames(
        name or f"synth-{sites}-s{seed}",
        g.frames,
        generator="importsub.demo.synth",
        sites=sites,
        seed=seed,
        links_per_buyer=links_per_buyer,
        import_share=import_share,
        tiers=tiers,
    )


def _draw_sites(g: _State) -> None:
    """Countries and sites: tier, union membership, country, region, coordinates, attachment weight."""
    n_c = len(_COUNTRIES)
    g.c_union = np.array([c[3] for c in _COUNTRIES])
    c_weight = np.array([c[4] for c in _COUNTRIES])
    n_regions = np.array([len(c[5]) for c in _COUNTRIES], dtype=np.int64)
    region_start = np.cumsum(n_regions) - n_regions
    region_lat = np.array([r[1] for c in _COUNTRIES for r in c[5]])
    region_lon = np.array([r[2] for c in _COUNTRIES for r in c[5]])
    g.region_name = pl.Series([r[0] for c in _COUNTRIES for r in c[5]], dtype=pl.String)

    tier_counts = _tier_counts(g.sites, g.T, g.oem_share)
    g.site_tier = g.rng.permutation(np.repeat(np.arange(g.T, dtype=np.int64), tier_counts))
    g.in_union = (g.site_tier == 0) | (g.rng.random(g.sites) < g.union_share)
    cum_u = np.cumsum(np.where(g.c_union, c_weight, 0.0))
    cum_e = np.cumsum(np.where(g.c_union, 0.0, c_weight))
    u = g.rng.random(g.sites)
    g.site_country = (
        np.where(
            g.in_union,
            np.searchsorted(cum_u, u * cum_u[-1], side="right"),
            np.searchsorted(cum_e, u * cum_e[-1], side="right"),
        )
        .clip(0, n_c - 1)
        .astype(np.int64)
    )
    g.site_region = region_start[g.site_country] + np.floor(g.rng.random(g.sites) * n_regions[g.site_country]).astype(
        np.int64
    )
    g.lat = np.round(np.clip(region_lat[g.site_region] + g.rng.normal(0.0, 0.35, g.sites), -89.0, 89.0), 4)
    g.lon = np.round(np.clip(region_lon[g.site_region] + g.rng.normal(0.0, 0.5, g.sites), -179.0, 179.0), 4)
    g.site_weight = g.rng.pareto(1.2, g.sites) + 1.0  # preferential attachment: heavy-tailed out-degree


def _draw_parts(g: _State) -> None:
    """Parts of every tier and the (site, part) production nodes."""
    n_slots = np.minimum(3, g.rng.geometric(0.55, g.sites)).astype(np.int64)  # parts per site: 1-3
    g.part_offset = np.zeros(g.T + 1, dtype=np.int64)
    node_site_l: list[IntArray] = []
    node_part_l: list[IntArray] = []
    part_kind_l: list[IntArray] = []
    for t in range(g.T):  # loop over tiers only; everything inside is vectorised
        members = np.flatnonzero(g.site_tier == t)
        slots = int(n_slots[members].sum())
        per_part = 1.5 if t == 0 else 2.0 + members.size**0.3
        n_parts = int(np.clip(round(slots / per_part), 1, members.size))
        g.part_offset[t + 1] = g.part_offset[t] + n_parts
        popularity = g.rng.pareto(2.0, n_parts) + 1.0
        seg, _ = _segments(n_slots[members])
        slot_site = members[seg]
        cum = np.cumsum(popularity)
        slot_part = np.searchsorted(cum, g.rng.random(slots) * cum[-1], side="right").clip(0, n_parts - 1)
        # every part gets a producer, if possible both in the union and outside it:
        # union slots cover the head of a random order of the parts, external slots its tail
        perm = g.rng.permutation(n_parts)
        for kind_slots, head in (
            (np.flatnonzero(g.in_union[slot_site]), True),
            (np.flatnonzero(~g.in_union[slot_site]), False),
        ):
            m = min(n_parts, kind_slots.size)
            if m:
                slot_part[g.rng.permutation(kind_slots)[:m]] = perm[:m] if head else perm[n_parts - m :]
        node_site_l.append(slot_site)
        node_part_l.append(g.part_offset[t] + slot_part)
        part_kind_l.append(g.rng.integers(0, len(g.kinds[t]), n_parts))
    g.n_parts_total = int(g.part_offset[-1])
    g.part_tier = np.repeat(np.arange(g.T, dtype=np.int64), np.diff(g.part_offset))
    g.part_kind = np.concatenate(part_kind_l)

    node_key = _unique(np.concatenate(node_site_l) * g.n_parts_total + np.concatenate(node_part_l))
    g.node_site = node_key // g.n_parts_total
    g.node_part = node_key % g.n_parts_total
    g.n_nodes = node_key.size


def _draw_bom(g: _State) -> None:
    """BOM: 2–6 children per part in the tier below, quantities."""
    par_l: list[IntArray] = []
    chi_l: list[IntArray] = []
    for t in range(g.T - 1):
        parents = np.arange(g.part_offset[t], g.part_offset[t + 1])
        lo, hi = g.part_offset[t + 1], g.part_offset[t + 2]
        n_child = int(hi - lo)
        draws = g.rng.integers(2, 7, parents.size)
        seg, _ = _segments(draws)
        weight = np.cumsum(g.rng.pareto(1.5, n_child) + 1.0)
        child = lo + np.searchsorted(weight, g.rng.random(seg.size) * weight[-1], side="right").clip(0, n_child - 1)
        # every child part is used by some parent
        extra_parent = parents[g.rng.integers(0, parents.size, n_child)]
        par_l += [parents[seg], extra_parent]
        chi_l += [child, np.arange(lo, hi)]
    bom_key = _unique(np.concatenate(par_l) * g.n_parts_total + np.concatenate(chi_l))
    g.bom_parent = bom_key // g.n_parts_total
    g.bom_child = bom_key % g.n_parts_total
    material_child = g.part_tier[g.bom_child] == g.T - 1
    g.bom_qty = np.where(
        material_child,
        np.maximum(0.01, np.round(g.rng.lognormal(np.log(0.5), 0.8, bom_key.size), 2)),
        np.minimum(8, g.rng.geometric(0.55, bom_key.size)).astype(np.float64),
    )
    g.bom_ptr = np.searchsorted(g.bom_parent, np.arange(g.n_parts_total + 1))


def _draw_values(g: _State) -> None:
    """Unit values bottom-up (markup over the dearest producer of each child), per part and node [RUB/unit]."""
    g.part_value = np.zeros(g.n_parts_total)
    g.node_value = np.zeros(g.n_nodes)
    node_jitter = g.rng.uniform(0.9, 1.1, g.n_nodes)
    markup = g.rng.uniform(1.15, 1.6, g.n_parts_total)
    mat_kind = g.part_kind[g.part_offset[g.T - 1] :]
    g.part_value[g.part_offset[g.T - 1] :] = np.round(
        _MATERIAL_PRICES[mat_kind] * g.rng.lognormal(0.0, 0.25, mat_kind.size), 2
    )
    g.node_tier = g.part_tier[g.node_part]
    child_max = np.zeros(g.n_parts_total)  # dearest producer of each part of the tier below [RUB/unit]
    for t in range(g.T - 1, -1, -1):
        if t < g.T - 1:
            in_t = (g.bom_parent >= g.part_offset[t]) & (g.bom_parent < g.part_offset[t + 1])
            cost = np.bincount(
                g.bom_parent[in_t] - g.part_offset[t],
                weights=g.bom_qty[in_t] * child_max[g.bom_child[in_t]],
                minlength=int(g.part_offset[t + 1] - g.part_offset[t]),
            )
            g.part_value[g.part_offset[t] : g.part_offset[t + 1]] = np.round(
                markup[g.part_offset[t] : g.part_offset[t + 1]] * cost, 2
            )
        sel = g.node_tier == t
        g.node_value[sel] = np.round(g.part_value[g.node_part[sel]] * node_jitter[sel], 2)
        child_max = np.zeros(g.n_parts_total)
        np.maximum.at(child_max, g.node_part[sel], g.node_value[sel])


def _draw_groups(g: _State) -> None:
    """Procurement groups: a buyer site and one input part."""
    g.site_ext = ~g.c_union[g.site_country]
    unmapped = g.site_ext & (g.rng.random(g.sites) < g.unmapped_share)
    buyer_nodes = np.flatnonzero((g.node_tier < g.T - 1) & ~unmapped[g.node_site])
    n_in = g.bom_ptr[g.node_part[buyer_nodes] + 1] - g.bom_ptr[g.node_part[buyer_nodes]]
    seg, pos = _segments(n_in)
    g.use_node = buyer_nodes[seg]
    g.use_bom = g.bom_ptr[g.node_part[g.use_node]] + pos
    group_key, g.use_group = _unique_inverse(g.node_site[g.use_node] * g.n_parts_total + g.bom_child[g.use_bom])
    g.group_site = group_key // g.n_parts_total
    g.group_part = group_key % g.n_parts_total
    g.n_groups = group_key.size


def _draw_links(g: _State) -> None:
    """Supply links: suppliers per group by kind, shares, lead times [weeks], qualification."""
    # producers bucketed by (part, external?) and ordered by bucket
    bucket = g.node_part * 2 + g.site_ext[g.node_site].astype(np.int64)
    order = np.argsort(bucket, kind="stable")
    cum = np.cumsum(g.site_weight[g.node_site[order]])
    b_lo = np.searchsorted(bucket[order], np.arange(2 * g.n_parts_total), side="left")
    b_hi = np.searchsorted(bucket[order], np.arange(2 * g.n_parts_total), side="right")

    # suppliers per group, split into union (u) and external (e) ones, at most as many as
    # there are producers of each kind; a kind without any producer passes its draws on
    k = np.minimum(g.max_suppliers, g.rng.geometric(1.0 / g.links_per_buyer, g.n_groups)).astype(np.int64)
    ke0 = g.rng.binomial(k, np.where(g.site_ext[g.group_site], _EXTERNAL_BUYER_IMPORT, g.import_share)).astype(np.int64)
    ku0 = k - ke0
    nu, ne = b_hi[0::2][g.group_part] - b_lo[0::2][g.group_part], b_hi[1::2][g.group_part] - b_lo[1::2][g.group_part]
    ke = np.minimum(ne, ke0 + np.where(nu == 0, ku0, 0))
    ku = np.minimum(nu, ku0 + np.where(ne == 0, ke0, 0))
    k_sub = np.empty(2 * g.n_groups, dtype=np.int64)  # sub-group 2g + [external]
    k_sub[0::2], k_sub[1::2] = ku, ke
    sub_bucket = np.repeat(g.group_part * 2, 2) + np.tile(np.array([0, 1]), g.n_groups)

    link_key = np.zeros(0, dtype=np.int64)
    missing = k_sub
    for _ in range(_REDRAWS):  # repeated draws collapse; redraw the shortfall a few times
        req, _ = _segments(missing)
        if not req.size:
            break
        node = order[_weighted_pick(g.rng, cum, b_lo[sub_bucket[req]], b_hi[sub_bucket[req]])]
        link_key = _unique(np.concatenate([link_key, req * g.n_nodes + node]))
        missing = k_sub - np.bincount(link_key // g.n_nodes, minlength=2 * g.n_groups)
    g.link_group = link_key // g.n_nodes // 2
    g.link_node = link_key % g.n_nodes
    n_links = link_key.size
    g_count = np.bincount(g.link_group, minlength=g.n_groups)
    g_start = np.cumsum(g_count) - g_count

    gamma = g.rng.gamma(1.0, 1.0, n_links) + 1e-12
    first = np.lexsort((-gamma, g.link_group))[g_start]  # the largest draw of each group: never an alternative
    alt = (g.rng.random(n_links) < _ALTERNATIVE) & (g_count[g.link_group] > 1)
    alt[first] = False
    gamma = np.where(alt, 0.0, gamma)
    raw = gamma / np.bincount(g.link_group, weights=gamma, minlength=g.n_groups)[g.link_group]
    permille = np.floor(raw * 1000.0).astype(np.int64)
    permille[(~alt) & (permille == 0)] = 1
    permille[first] += 1000 - np.bincount(g.link_group, weights=permille, minlength=g.n_groups).astype(np.int64)
    g.share = permille / 1000.0

    g.sup_site = g.node_site[g.link_node]
    g.buy_site = g.group_site[g.link_group]
    sup_c, buy_c = g.site_country[g.sup_site], g.site_country[g.buy_site]
    lead = np.where(
        sup_c == buy_c,
        g.rng.uniform(0.5, 3.0, n_links),
        np.where(
            g.c_union[sup_c] & g.c_union[buy_c], g.rng.uniform(1.5, 5.0, n_links), g.rng.uniform(4.0, 16.0, n_links)
        ),
    )
    g.lead_time = np.round(lead * 2.0) / 2.0
    g.qualified = alt | (g.rng.random(n_links) >= _UNQUALIFIED)


def _draw_demand(g: _State) -> None:
    """Final demand per year [units/yr], margins [RUB/unit] and derived demand x = A x + d."""
    g.oem_nodes = np.flatnonzero(g.node_tier == 0)
    g.years = [int(y) for y in g.years]
    g.d = np.empty((len(g.years), g.oem_nodes.size))
    g.d[0] = np.round(np.clip(g.rng.lognormal(np.log(20_000.0), 1.0, g.oem_nodes.size), 500.0, 400_000.0))
    for y in range(1, len(g.years)):
        g.d[y] = np.round(g.d[y - 1] * g.rng.uniform(0.95, 1.15, g.oem_nodes.size))
    g.margin = np.round(g.node_value[g.oem_nodes] * g.rng.uniform(0.08, 0.25, g.oem_nodes.size), 2)
    final = np.zeros(g.n_nodes)
    final[g.oem_nodes] = g.d.max(axis=0)
    use_qty = g.bom_qty[g.use_bom]
    g.x = final.copy()
    for _ in range(g.T):  # x = A x + d, exact after T sweeps of a layered network
        g.need = np.bincount(g.use_group, weights=use_qty * g.x[g.use_node], minlength=g.n_groups)
        g.x = final + np.bincount(g.link_node, weights=g.share * g.need[g.link_group], minlength=g.n_nodes)
    g.need = np.bincount(g.use_group, weights=use_qty * g.x[g.use_node], minlength=g.n_groups)


def _draw_capacity(g: _State) -> None:
    """Capacity [units/yr], capacity pools, time to recover [weeks] and stock [units]."""
    floor = np.zeros(g.T)
    for t in range(g.T):
        pos_x = g.x[(g.node_tier == t) & (g.x > 0)]
        floor[t] = np.median(pos_x) if pos_x.size else 1000.0
    idle = g.x <= 0  # producers nobody buys from: spare capacity
    base = np.where(idle, floor[g.node_tier] * g.rng.uniform(0.2, 1.0, g.n_nodes), g.x)
    factor = 0.9 + 1.1 * g.rng.beta(1.5, 3.0, g.n_nodes)
    g.capacity = np.maximum(1.0, np.ceil(base * factor))
    g.ttr = np.clip(np.round(g.rng.lognormal(np.log(4.0), 0.8, g.n_nodes)), 1.0, 30.0)

    site_nodes = np.bincount(g.node_site, minlength=g.sites)
    pooled_site = (g.site_tier <= 1) & (site_nodes >= 2) & (g.rng.random(g.sites) < _POOLED)
    g.pool_sites = np.flatnonzero(pooled_site)
    g.node_pooled = pooled_site[g.node_site]
    pool_cap_sum = np.bincount(g.node_site[g.node_pooled], weights=g.capacity[g.node_pooled], minlength=g.sites)
    g.pool_capacity = np.ceil(pool_cap_sum[g.pool_sites] * g.rng.uniform(0.7, 0.95, g.pool_sites.size))

    g.stock_node = np.flatnonzero((g.x > 0) & (g.rng.random(g.n_nodes) < 0.35))
    g.stock_units = np.round(g.x[g.stock_node] / 52.0 * g.rng.uniform(0.5, 4.0, g.stock_node.size))
    g.stock_group = np.flatnonzero((g.need > 0) & (g.rng.random(g.n_groups) < 0.5))
    g.group_units = np.round(g.need[g.stock_group] / 52.0 * g.rng.uniform(1.0, 6.0, g.stock_group.size))
    g.stock_node = g.stock_node[g.stock_units > 0]
    g.stock_units = g.stock_units[g.stock_units > 0]
    g.stock_group = g.stock_group[g.group_units > 0]
    g.group_units = g.group_units[g.group_units > 0]


def _draw_organizations(g: _State) -> None:
    """Organisations: sites grouped by tier and country, a new organisation now and then."""
    by_org = np.lexsort((np.arange(g.sites), g.site_country, g.site_tier))
    new_org = g.rng.random(g.sites) < _NEW_ORG
    new_org[0] = True
    new_org[1:] |= (g.site_country[by_org][1:] != g.site_country[by_org][:-1]) | (
        g.site_tier[by_org][1:] != g.site_tier[by_org][:-1]
    )
    g.site_org = np.empty(g.sites, dtype=np.int64)
    g.site_org[by_org] = np.cumsum(new_org) - 1
    g.n_orgs = int(new_org.sum())
    org_first_site = by_org[new_org]
    g.org_country = g.site_country[org_first_site]
    g.org_oem = g.site_tier[org_first_site] == 0


def _frames_parties(g: _State) -> None:
    """Frames of countries, country groups, organisations, sites and parts."""
    iso = pl.Series([c[0] for c in _COUNTRIES], dtype=pl.String)
    g.site_ids = _ids("S", g.sites, max(6, len(str(g.sites - 1))))
    g.part_ids = _ids("P", g.n_parts_total, max(5, len(str(g.n_parts_total - 1))))
    org_ids = _ids("O", g.n_orgs, max(5, len(str(g.n_orgs - 1))))

    g.countries = pl.DataFrame(
        {"iso2": iso, "name": [c[1] for c in _COUNTRIES], "name_local": [c[2] for c in _COUNTRIES]}
    )
    g.country_groups = pl.DataFrame({"group": [UNION if c[3] else EXTERNAL for c in _COUNTRIES], "iso2": iso})
    org_num = pl.Series("n", np.arange(g.n_orgs) + 1).cast(pl.String)
    g.organizations = pl.DataFrame(
        {
            "id": org_ids,
            "iso": iso.gather(g.org_country),
            "num": org_num,
            "oem": g.org_oem,
            "union": g.c_union[g.org_country],
        }
    ).select(
        "id",
        pl.concat_str(
            pl.when("oem").then(pl.lit("Vehicle maker ")).otherwise(pl.lit("Component maker ")),
            "iso",
            pl.lit("-"),
            "num",
        ).alias("name"),
        pl.when("union")
        .then(pl.concat_str(pl.when("oem").then(pl.lit("Автозавод ")).otherwise(pl.lit("Завод компонентов ")), "num"))
        .alias("name_local"),
        pl.col("iso").alias("country"),
        pl.when("oem").then(pl.lit("oem")).otherwise(pl.lit("supplier")).alias("kind"),
        pl.lit(SOURCE).alias("source"),
    )
    site_num = pl.Series("n", np.arange(g.sites) + 1).cast(pl.String)
    g.sites_df = pl.DataFrame(
        {
            "id": g.site_ids,
            "organization": org_ids.gather(g.site_org),
            "num": site_num,
            "union": g.c_union[g.site_country],
            "country": iso.gather(g.site_country),
            "region": g.region_name.gather(g.site_region),
            "lat": g.lat,
            "lon": g.lon,
        }
    ).select(
        "id",
        "organization",
        (pl.lit("Plant ") + pl.col("num")).alias("name"),
        pl.when("union").then(pl.lit("Завод ") + pl.col("num")).alias("name_local"),
        "country",
        "region",
        "lat",
        "lon",
        pl.lit(SOURCE).alias("source"),
    )

    kind_offset = np.cumsum([0] + [len(k) for k in g.kinds])
    flat = [row for k in g.kinds for row in k]
    part_cat_row = kind_offset[g.part_tier] + g.part_kind
    cat = pl.Series([r[0] for r in flat], dtype=pl.String).gather(part_cat_row)
    en = pl.Series([r[1] for r in flat], dtype=pl.String).gather(part_cat_row)
    ru = pl.Series([r[2] for r in flat], dtype=pl.String).gather(part_cat_row)
    hs6 = pl.Series([r[3] for r in flat], dtype=pl.String).gather(part_cat_row)
    hs_sub = pl.Series("h", g.rng.integers(10, 100, g.n_parts_total)).cast(pl.String)
    part_num = pl.Series("n", np.arange(g.n_parts_total) + 1).cast(pl.String)
    g.parts = pl.DataFrame(
        {
            "id": g.part_ids,
            "en": en,
            "ru": ru,
            "num": part_num,
            "category": cat,
            "material": g.part_tier == g.T - 1,
            "hs6": hs6,
            "hs_sub": hs_sub,
            "unit_value": g.part_value,
        }
    ).select(
        "id",
        pl.concat_str("en", pl.lit(" "), "num").alias("name"),
        pl.concat_str("ru", pl.lit(" "), "num").alias("name_local"),
        "category",
        pl.when("material").then(pl.lit("kg")).otherwise(pl.lit("pcs")).alias("unit"),
        pl.concat_str("hs6", "hs_sub", pl.lit("00")).alias("hs_code"),
        "unit_value",
        "material",  # the deepest tier: basic materials, traced to their producer's country
        pl.lit(SOURCE).alias("source"),
    )


def _frames_network(g: _State) -> None:
    """Frames of BOM, production, pools, inventory, supply links and demand."""
    bom = pl.DataFrame(
        {"parent": g.part_ids.gather(g.bom_parent), "child": g.part_ids.gather(g.bom_child), "quantity": g.bom_qty}
    ).with_columns(pl.lit(SOURCE).alias("source"))
    production = (
        pl.DataFrame(
            {
                "site": g.site_ids.gather(g.node_site),
                "part": g.part_ids.gather(g.node_part),
                "capacity": g.capacity,
                "unit_value": g.node_value,
                "time_to_recover": g.ttr,
                "pooled": g.node_pooled,
            }
        )
        .with_columns(pl.when("pooled").then(pl.lit("LINE-1")).alias("pool"))
        .drop("pooled")
    )
    capacity_pools = pl.DataFrame(
        {
            "site": g.site_ids.gather(g.pool_sites),
            "pool": pl.Series(["LINE-1"] * g.pool_sites.size, dtype=pl.String),
            "capacity": g.pool_capacity,
        }
    )
    inventory = pl.DataFrame(
        {
            "site": g.site_ids.gather(np.concatenate([g.node_site[g.stock_node], g.group_site[g.stock_group]])),
            "part": g.part_ids.gather(np.concatenate([g.node_part[g.stock_node], g.group_part[g.stock_group]])),
            "units": np.concatenate([g.stock_units, g.group_units]),
        }
    )
    supply_links = pl.DataFrame(
        {
            "buyer": g.site_ids.gather(g.buy_site),
            "part": g.part_ids.gather(g.group_part[g.link_group]),
            "supplier": g.site_ids.gather(g.sup_site),
            "share": g.share,
            "lead_time": g.lead_time,
            "qualified": g.qualified,
        }
    )
    demand = pl.DataFrame(
        {
            "site": g.site_ids.gather(np.tile(g.node_site[g.oem_nodes], len(g.years))),
            "part": g.part_ids.gather(np.tile(g.node_part[g.oem_nodes], len(g.years))),
            "year": np.repeat(np.array(g.years, dtype=np.int64), g.oem_nodes.size),
            "units": g.d.reshape(-1),
            "margin": np.tile(g.margin, len(g.years)),
        }
    )
    g.frames = {
        "countries": g.countries,
        "country_groups": g.country_groups,
        "organizations": g.organizations,
        "sites": g.sites_df,
        "parts": g.parts,
        "bom": bom,
        "production": production,
        "capacity_pools": capacity_pools,
        "inventory": inventory,
        "supply_links": supply_links,
        "demand": demand,
    }


def _check_params(
    sites: int,
    tiers: int,
    links_per_buyer: float,
    import_share: float,
    union_share: float,
    oem_share: float,
    unmapped_share: float,
    max_suppliers: int,
    years: Sequence[int],
) -> None:
    if not 3 <= tiers <= 8:
        raise ImportsubError(f"tiers must be 3 to 8, got {tiers}")
    if sites < 3 * tiers:
        raise ImportsubError(f"sites must be at least {3 * tiers} for {tiers} tiers, got {sites}")
    if links_per_buyer < 1.0:
        raise ImportsubError(f"links_per_buyer must be >= 1, got {links_per_buyer}")
    if not 1 <= max_suppliers <= 20:
        raise ImportsubError(f"max_suppliers must be 1 to 20, got {max_suppliers}")
    for label, value in (
        ("import_share", import_share),
        ("union_share", union_share),
        ("oem_share", oem_share),
        ("unmapped_share", unmapped_share),
    ):
        if not 0.0 <= value <= 1.0:
            raise ImportsubError(f"{label} must be between 0 and 1, got {value}")
    if not years:
        raise ImportsubError("years must not be empty")


__all__ = ["EXTERNAL", "UNION", "synth"]
