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

import numpy as np
import numpy.typing as npt
import polars as pl

from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

UNION = "union"
EXTERNAL = "external"
SOURCE = "synthetic (importsub synth)"

# iso2, English name, Russian name, in union, weight within its group, regions (name, lat, lon)
_COUNTRIES: tuple[tuple[str, str, str, bool, float, tuple[tuple[str, float, float], ...]], ...] = (
    (
        "BY",
        "Belarus",
        "Беларусь",
        True,
        0.2,
        (
            ("Minsk region", 53.90, 27.56),
            ("Vitebsk region", 55.19, 30.20),
            ("Gomel region", 52.43, 30.99),
            ("Mogilev region", 53.90, 30.33),
            ("Grodno region", 53.68, 23.83),
            ("Brest region", 52.10, 23.70),
        ),
    ),
    (
        "RU",
        "Russia",
        "Россия",
        True,
        0.8,
        (
            ("Samara Oblast", 53.51, 49.42),
            ("Moscow Oblast", 55.75, 37.62),
            ("Tatarstan", 55.74, 52.40),
            ("Nizhny Novgorod Oblast", 56.30, 43.94),
            ("Kaluga Oblast", 54.51, 36.26),
            ("Ulyanovsk Oblast", 54.32, 48.40),
            ("Tula Oblast", 54.19, 37.62),
            ("Leningrad Oblast", 59.94, 30.31),
            ("Sverdlovsk Oblast", 56.84, 60.61),
            ("Kostroma Oblast", 57.77, 40.93),
        ),
    ),
    (
        "CN",
        "China",
        "Китай",
        False,
        0.35,
        (
            ("Jiangsu", 32.06, 118.80),
            ("Guangdong", 23.13, 113.26),
            ("Zhejiang", 30.27, 120.15),
            ("Shandong", 36.67, 117.00),
            ("Hubei", 30.59, 114.31),
            ("Jilin", 43.88, 125.32),
        ),
    ),
    (
        "DE",
        "Germany",
        "Германия",
        False,
        0.13,
        (
            ("Bavaria", 48.14, 11.58),
            ("Baden-Württemberg", 48.78, 9.18),
            ("Lower Saxony", 52.37, 9.74),
            ("Saxony", 51.05, 13.74),
        ),
    ),
    (
        "KR",
        "Republic of Korea",
        "Республика Корея",
        False,
        0.10,
        (("Gyeonggi", 37.27, 127.01), ("Ulsan", 35.54, 129.31)),
    ),
    ("JP", "Japan", "Япония", False, 0.08, (("Aichi", 35.18, 136.91), ("Kanagawa", 35.44, 139.64))),
    ("TR", "Türkiye", "Турция", False, 0.07, (("Bursa", 40.19, 29.06), ("Kocaeli", 40.77, 29.92))),
    ("IN", "India", "Индия", False, 0.07, (("Maharashtra", 18.52, 73.86), ("Tamil Nadu", 13.08, 80.27))),
    ("IT", "Italy", "Италия", False, 0.05, (("Piedmont", 45.07, 7.69), ("Lombardy", 45.46, 9.19))),
    ("FR", "France", "Франция", False, 0.04, (("Île-de-France", 48.86, 2.35), ("Auvergne-Rhône-Alpes", 45.76, 4.84))),
    ("PL", "Poland", "Польша", False, 0.04, (("Silesia", 50.26, 19.02), ("Greater Poland", 52.41, 16.93))),
    ("KZ", "Kazakhstan", "Казахстан", False, 0.04, (("Kostanay Region", 53.21, 63.62), ("Almaty", 43.24, 76.89))),
    ("UZ", "Uzbekistan", "Узбекистан", False, 0.03, (("Andijan Region", 40.78, 72.34), ("Tashkent", 41.30, 69.24))),
)

# category, English name, Russian name, HS-6 heading; one list per kind of tier
_Kind = tuple[tuple[str, str, str, str], ...]
_VEHICLES: _Kind = (
    ("vehicle", "Passenger car model", "Модель легкового автомобиля", "870323"),
    ("vehicle", "Truck model", "Модель грузовика", "870422"),
    ("vehicle", "Bus model", "Модель автобуса", "870210"),
)
_SYSTEMS: _Kind = (
    ("lighting", "Headlamp unit", "Фара", "851220"),
    ("braking", "Brake system", "Тормозная система", "870830"),
    ("plastics", "Bumper module", "Бампер в сборе", "870810"),
    ("electronics", "Control unit", "Блок управления", "853710"),
    ("seating", "Seat assembly", "Сиденье в сборе", "940120"),
    ("powertrain", "Gearbox", "Коробка передач", "870840"),
    ("wheels", "Wheel", "Колесо", "870870"),
)
_COMPONENTS: _Kind = (
    ("electronics", "Circuit board", "Печатная плата", "853400"),
    ("rolled_rings", "Rolled ring", "Кольцо катаное", "732690"),
    ("castings", "Casting", "Отливка", "732510"),
    ("bearings", "Bearing", "Подшипник", "848210"),
    ("plastics", "Moulded part", "Литая пластиковая деталь", "392690"),
    ("lighting", "LED module", "Светодиодный модуль", "854140"),
    ("fasteners", "Fastener set", "Комплект крепежа", "731815"),
    ("rubber", "Seal", "Уплотнение", "401693"),
)
_SUBCOMPONENTS: _Kind = (
    ("electronics", "Microchip", "Микросхема", "854231"),
    ("forgings", "Forging", "Поковка", "732619"),
    ("wiring", "Cable", "Кабель", "854430"),
    ("glass", "Lens", "Линза", "701490"),
    ("springs", "Spring", "Пружина", "732020"),
)
_MATERIALS: _Kind = (
    ("materials", "Steel sheet", "Стальной лист", "720839"),
    ("materials", "Aluminium alloy", "Алюминиевый сплав", "760120"),
    ("materials", "Polypropylene", "Полипропилен", "390210"),
    ("materials", "Copper wire", "Медная проволока", "740811"),
    ("materials", "Synthetic rubber", "Синтетический каучук", "400219"),
    ("materials", "Float glass", "Листовое стекло", "700529"),
)
# typical price of each material [RUB/kg], same order as _MATERIALS
_MATERIAL_PRICES = np.array([80.0, 300.0, 150.0, 900.0, 250.0, 40.0])

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
    rng = np.random.default_rng([int(seed), int(sites)])
    kinds = _kinds(tiers)
    T = tiers

    # ------------------------------------------------------------ countries, sites
    n_c = len(_COUNTRIES)
    c_union = np.array([c[3] for c in _COUNTRIES])
    c_weight = np.array([c[4] for c in _COUNTRIES])
    n_regions = np.array([len(c[5]) for c in _COUNTRIES], dtype=np.int64)
    region_start = np.cumsum(n_regions) - n_regions
    region_lat = np.array([r[1] for c in _COUNTRIES for r in c[5]])
    region_lon = np.array([r[2] for c in _COUNTRIES for r in c[5]])
    region_name = pl.Series([r[0] for c in _COUNTRIES for r in c[5]], dtype=pl.String)

    tier_counts = _tier_counts(sites, T, oem_share)
    site_tier = rng.permutation(np.repeat(np.arange(T, dtype=np.int64), tier_counts))
    in_union = (site_tier == 0) | (rng.random(sites) < union_share)
    cum_u = np.cumsum(np.where(c_union, c_weight, 0.0))
    cum_e = np.cumsum(np.where(c_union, 0.0, c_weight))
    u = rng.random(sites)
    site_country = (
        np.where(
            in_union,
            np.searchsorted(cum_u, u * cum_u[-1], side="right"),
            np.searchsorted(cum_e, u * cum_e[-1], side="right"),
        )
        .clip(0, n_c - 1)
        .astype(np.int64)
    )
    site_region = region_start[site_country] + np.floor(rng.random(sites) * n_regions[site_country]).astype(np.int64)
    lat = np.round(np.clip(region_lat[site_region] + rng.normal(0.0, 0.35, sites), -89.0, 89.0), 4)
    lon = np.round(np.clip(region_lon[site_region] + rng.normal(0.0, 0.5, sites), -179.0, 179.0), 4)
    site_weight = rng.pareto(1.2, sites) + 1.0  # preferential attachment: heavy-tailed out-degree

    # ------------------------------------------------------------ parts and production
    n_slots = np.minimum(3, rng.geometric(0.55, sites)).astype(np.int64)  # parts per site: 1-3
    part_offset = np.zeros(T + 1, dtype=np.int64)
    node_site_l: list[IntArray] = []
    node_part_l: list[IntArray] = []
    part_kind_l: list[IntArray] = []
    for t in range(T):  # loop over tiers only; everything inside is vectorised
        members = np.flatnonzero(site_tier == t)
        slots = int(n_slots[members].sum())
        per_part = 1.5 if t == 0 else 2.0 + members.size**0.3
        n_parts = int(np.clip(round(slots / per_part), 1, members.size))
        part_offset[t + 1] = part_offset[t] + n_parts
        popularity = rng.pareto(2.0, n_parts) + 1.0
        seg, _ = _segments(n_slots[members])
        slot_site = members[seg]
        cum = np.cumsum(popularity)
        slot_part = np.searchsorted(cum, rng.random(slots) * cum[-1], side="right").clip(0, n_parts - 1)
        # every part gets a producer, if possible both in the union and outside it:
        # union slots cover the head of a random order of the parts, external slots its tail
        perm = rng.permutation(n_parts)
        for kind_slots, head in (
            (np.flatnonzero(in_union[slot_site]), True),
            (np.flatnonzero(~in_union[slot_site]), False),
        ):
            m = min(n_parts, kind_slots.size)
            if m:
                slot_part[rng.permutation(kind_slots)[:m]] = perm[:m] if head else perm[n_parts - m :]
        node_site_l.append(slot_site)
        node_part_l.append(part_offset[t] + slot_part)
        part_kind_l.append(rng.integers(0, len(kinds[t]), n_parts))
    n_parts_total = int(part_offset[-1])
    part_tier = np.repeat(np.arange(T, dtype=np.int64), np.diff(part_offset))
    part_kind = np.concatenate(part_kind_l)

    node_key = _unique(np.concatenate(node_site_l) * n_parts_total + np.concatenate(node_part_l))
    node_site = node_key // n_parts_total
    node_part = node_key % n_parts_total
    n_nodes = node_key.size

    # ------------------------------------------------------------ BOM
    par_l: list[IntArray] = []
    chi_l: list[IntArray] = []
    for t in range(T - 1):
        parents = np.arange(part_offset[t], part_offset[t + 1])
        lo, hi = part_offset[t + 1], part_offset[t + 2]
        n_child = int(hi - lo)
        draws = rng.integers(2, 7, parents.size)
        seg, _ = _segments(draws)
        weight = np.cumsum(rng.pareto(1.5, n_child) + 1.0)
        child = lo + np.searchsorted(weight, rng.random(seg.size) * weight[-1], side="right").clip(0, n_child - 1)
        # every child part is used by some parent
        extra_parent = parents[rng.integers(0, parents.size, n_child)]
        par_l += [parents[seg], extra_parent]
        chi_l += [child, np.arange(lo, hi)]
    bom_key = _unique(np.concatenate(par_l) * n_parts_total + np.concatenate(chi_l))
    bom_parent = bom_key // n_parts_total
    bom_child = bom_key % n_parts_total
    material_child = part_tier[bom_child] == T - 1
    bom_qty = np.where(
        material_child,
        np.maximum(0.01, np.round(rng.lognormal(np.log(0.5), 0.8, bom_key.size), 2)),
        np.minimum(8, rng.geometric(0.55, bom_key.size)).astype(np.float64),
    )
    bom_ptr = np.searchsorted(bom_parent, np.arange(n_parts_total + 1))

    # ------------------------------------------------------------ unit values, bottom-up
    part_value = np.zeros(n_parts_total)
    node_value = np.zeros(n_nodes)
    node_jitter = rng.uniform(0.9, 1.1, n_nodes)
    markup = rng.uniform(1.15, 1.6, n_parts_total)
    mat_kind = part_kind[part_offset[T - 1] :]
    part_value[part_offset[T - 1] :] = np.round(_MATERIAL_PRICES[mat_kind] * rng.lognormal(0.0, 0.25, mat_kind.size), 2)
    node_tier = part_tier[node_part]
    child_max = np.zeros(n_parts_total)  # dearest producer of each part of the tier below [RUB/unit]
    for t in range(T - 1, -1, -1):
        if t < T - 1:
            in_t = (bom_parent >= part_offset[t]) & (bom_parent < part_offset[t + 1])
            cost = np.bincount(
                bom_parent[in_t] - part_offset[t],
                weights=bom_qty[in_t] * child_max[bom_child[in_t]],
                minlength=int(part_offset[t + 1] - part_offset[t]),
            )
            part_value[part_offset[t] : part_offset[t + 1]] = np.round(
                markup[part_offset[t] : part_offset[t + 1]] * cost, 2
            )
        sel = node_tier == t
        node_value[sel] = np.round(part_value[node_part[sel]] * node_jitter[sel], 2)
        child_max = np.zeros(n_parts_total)
        np.maximum.at(child_max, node_part[sel], node_value[sel])

    # ------------------------------------------------------------ procurement groups
    site_ext = ~c_union[site_country]
    unmapped = site_ext & (rng.random(sites) < unmapped_share)
    buyer_nodes = np.flatnonzero((node_tier < T - 1) & ~unmapped[node_site])
    n_in = bom_ptr[node_part[buyer_nodes] + 1] - bom_ptr[node_part[buyer_nodes]]
    seg, pos = _segments(n_in)
    use_node = buyer_nodes[seg]
    use_bom = bom_ptr[node_part[use_node]] + pos
    group_key, use_group = _unique_inverse(node_site[use_node] * n_parts_total + bom_child[use_bom])
    group_site = group_key // n_parts_total
    group_part = group_key % n_parts_total
    n_groups = group_key.size

    # ------------------------------------------------------------ supply links
    # producers bucketed by (part, external?) and ordered by bucket
    bucket = node_part * 2 + site_ext[node_site].astype(np.int64)
    order = np.argsort(bucket, kind="stable")
    cum = np.cumsum(site_weight[node_site[order]])
    b_lo = np.searchsorted(bucket[order], np.arange(2 * n_parts_total), side="left")
    b_hi = np.searchsorted(bucket[order], np.arange(2 * n_parts_total), side="right")

    # suppliers per group, split into union (u) and external (e) ones, at most as many as
    # there are producers of each kind; a kind without any producer passes its draws on
    k = np.minimum(max_suppliers, rng.geometric(1.0 / links_per_buyer, n_groups)).astype(np.int64)
    ke0 = rng.binomial(k, np.where(site_ext[group_site], _EXTERNAL_BUYER_IMPORT, import_share)).astype(np.int64)
    ku0 = k - ke0
    nu, ne = b_hi[0::2][group_part] - b_lo[0::2][group_part], b_hi[1::2][group_part] - b_lo[1::2][group_part]
    ke = np.minimum(ne, ke0 + np.where(nu == 0, ku0, 0))
    ku = np.minimum(nu, ku0 + np.where(ne == 0, ke0, 0))
    k_sub = np.empty(2 * n_groups, dtype=np.int64)  # sub-group 2g + [external]
    k_sub[0::2], k_sub[1::2] = ku, ke
    sub_bucket = np.repeat(group_part * 2, 2) + np.tile(np.array([0, 1]), n_groups)

    link_key = np.zeros(0, dtype=np.int64)
    missing = k_sub
    for _ in range(_REDRAWS):  # repeated draws collapse; redraw the shortfall a few times
        req, _ = _segments(missing)
        if not req.size:
            break
        node = order[_weighted_pick(rng, cum, b_lo[sub_bucket[req]], b_hi[sub_bucket[req]])]
        link_key = _unique(np.concatenate([link_key, req * n_nodes + node]))
        missing = k_sub - np.bincount(link_key // n_nodes, minlength=2 * n_groups)
    link_group = link_key // n_nodes // 2
    link_node = link_key % n_nodes
    n_links = link_key.size
    g_count = np.bincount(link_group, minlength=n_groups)
    g_start = np.cumsum(g_count) - g_count

    gamma = rng.gamma(1.0, 1.0, n_links) + 1e-12
    first = np.lexsort((-gamma, link_group))[g_start]  # the largest draw of each group: never an alternative
    alt = (rng.random(n_links) < _ALTERNATIVE) & (g_count[link_group] > 1)
    alt[first] = False
    gamma = np.where(alt, 0.0, gamma)
    raw = gamma / np.bincount(link_group, weights=gamma, minlength=n_groups)[link_group]
    permille = np.floor(raw * 1000.0).astype(np.int64)
    permille[(~alt) & (permille == 0)] = 1
    permille[first] += 1000 - np.bincount(link_group, weights=permille, minlength=n_groups).astype(np.int64)
    share = permille / 1000.0

    sup_site = node_site[link_node]
    buy_site = group_site[link_group]
    sup_c, buy_c = site_country[sup_site], site_country[buy_site]
    lead = np.where(
        sup_c == buy_c,
        rng.uniform(0.5, 3.0, n_links),
        np.where(c_union[sup_c] & c_union[buy_c], rng.uniform(1.5, 5.0, n_links), rng.uniform(4.0, 16.0, n_links)),
    )
    lead_time = np.round(lead * 2.0) / 2.0
    qualified = alt | (rng.random(n_links) >= _UNQUALIFIED)

    # ------------------------------------------------------------ demand and derived demand
    oem_nodes = np.flatnonzero(node_tier == 0)
    years = [int(y) for y in years]
    d = np.empty((len(years), oem_nodes.size))
    d[0] = np.round(np.clip(rng.lognormal(np.log(20_000.0), 1.0, oem_nodes.size), 500.0, 400_000.0))
    for y in range(1, len(years)):
        d[y] = np.round(d[y - 1] * rng.uniform(0.95, 1.15, oem_nodes.size))
    margin = np.round(node_value[oem_nodes] * rng.uniform(0.08, 0.25, oem_nodes.size), 2)
    final = np.zeros(n_nodes)
    final[oem_nodes] = d.max(axis=0)
    use_qty = bom_qty[use_bom]
    x = final.copy()
    for _ in range(T):  # x = A x + d, exact after T sweeps of a layered network
        need = np.bincount(use_group, weights=use_qty * x[use_node], minlength=n_groups)
        x = final + np.bincount(link_node, weights=share * need[link_group], minlength=n_nodes)
    need = np.bincount(use_group, weights=use_qty * x[use_node], minlength=n_groups)

    # ------------------------------------------------------------ capacity, pools, recovery, stock
    floor = np.zeros(T)
    for t in range(T):
        pos_x = x[(node_tier == t) & (x > 0)]
        floor[t] = np.median(pos_x) if pos_x.size else 1000.0
    idle = x <= 0  # producers nobody buys from: spare capacity
    base = np.where(idle, floor[node_tier] * rng.uniform(0.2, 1.0, n_nodes), x)
    factor = 0.9 + 1.1 * rng.beta(1.5, 3.0, n_nodes)
    capacity = np.maximum(1.0, np.ceil(base * factor))
    ttr = np.clip(np.round(rng.lognormal(np.log(4.0), 0.8, n_nodes)), 1.0, 30.0)

    site_nodes = np.bincount(node_site, minlength=sites)
    pooled_site = (site_tier <= 1) & (site_nodes >= 2) & (rng.random(sites) < _POOLED)
    pool_sites = np.flatnonzero(pooled_site)
    node_pooled = pooled_site[node_site]
    pool_cap_sum = np.bincount(node_site[node_pooled], weights=capacity[node_pooled], minlength=sites)
    pool_capacity = np.ceil(pool_cap_sum[pool_sites] * rng.uniform(0.7, 0.95, pool_sites.size))

    stock_node = np.flatnonzero((x > 0) & (rng.random(n_nodes) < 0.35))
    stock_units = np.round(x[stock_node] / 52.0 * rng.uniform(0.5, 4.0, stock_node.size))
    stock_group = np.flatnonzero((need > 0) & (rng.random(n_groups) < 0.5))
    group_units = np.round(need[stock_group] / 52.0 * rng.uniform(1.0, 6.0, stock_group.size))
    stock_node = stock_node[stock_units > 0]
    stock_units = stock_units[stock_units > 0]
    stock_group = stock_group[group_units > 0]
    group_units = group_units[group_units > 0]

    # ------------------------------------------------------------ organisations
    by_org = np.lexsort((np.arange(sites), site_country, site_tier))
    new_org = rng.random(sites) < _NEW_ORG
    new_org[0] = True
    new_org[1:] |= (site_country[by_org][1:] != site_country[by_org][:-1]) | (
        site_tier[by_org][1:] != site_tier[by_org][:-1]
    )
    site_org = np.empty(sites, dtype=np.int64)
    site_org[by_org] = np.cumsum(new_org) - 1
    n_orgs = int(new_org.sum())
    org_first_site = by_org[new_org]
    org_country = site_country[org_first_site]
    org_oem = site_tier[org_first_site] == 0

    # ------------------------------------------------------------ frames
    iso = pl.Series([c[0] for c in _COUNTRIES], dtype=pl.String)
    site_ids = _ids("S", sites, max(6, len(str(sites - 1))))
    part_ids = _ids("P", n_parts_total, max(5, len(str(n_parts_total - 1))))
    org_ids = _ids("O", n_orgs, max(5, len(str(n_orgs - 1))))

    countries = pl.DataFrame(
        {"iso2": iso, "name": [c[1] for c in _COUNTRIES], "name_local": [c[2] for c in _COUNTRIES]}
    )
    country_groups = pl.DataFrame({"group": [UNION if c[3] else EXTERNAL for c in _COUNTRIES], "iso2": iso})
    org_num = pl.Series("n", np.arange(n_orgs) + 1).cast(pl.String)
    organizations = pl.DataFrame(
        {"id": org_ids, "iso": iso.gather(org_country), "num": org_num, "oem": org_oem, "union": c_union[org_country]}
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
    site_num = pl.Series("n", np.arange(sites) + 1).cast(pl.String)
    sites_df = pl.DataFrame(
        {
            "id": site_ids,
            "organization": org_ids.gather(site_org),
            "num": site_num,
            "union": c_union[site_country],
            "country": iso.gather(site_country),
            "region": region_name.gather(site_region),
            "lat": lat,
            "lon": lon,
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

    kind_offset = np.cumsum([0] + [len(k) for k in kinds])
    flat = [row for k in kinds for row in k]
    part_cat_row = kind_offset[part_tier] + part_kind
    cat = pl.Series([r[0] for r in flat], dtype=pl.String).gather(part_cat_row)
    en = pl.Series([r[1] for r in flat], dtype=pl.String).gather(part_cat_row)
    ru = pl.Series([r[2] for r in flat], dtype=pl.String).gather(part_cat_row)
    hs6 = pl.Series([r[3] for r in flat], dtype=pl.String).gather(part_cat_row)
    hs_sub = pl.Series("h", rng.integers(10, 100, n_parts_total)).cast(pl.String)
    part_num = pl.Series("n", np.arange(n_parts_total) + 1).cast(pl.String)
    parts = pl.DataFrame(
        {
            "id": part_ids,
            "en": en,
            "ru": ru,
            "num": part_num,
            "category": cat,
            "material": part_tier == T - 1,
            "hs6": hs6,
            "hs_sub": hs_sub,
            "unit_value": part_value,
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
    bom = pl.DataFrame(
        {"parent": part_ids.gather(bom_parent), "child": part_ids.gather(bom_child), "quantity": bom_qty}
    ).with_columns(pl.lit(SOURCE).alias("source"))
    production = (
        pl.DataFrame(
            {
                "site": site_ids.gather(node_site),
                "part": part_ids.gather(node_part),
                "capacity": capacity,
                "unit_value": node_value,
                "time_to_recover": ttr,
                "pooled": node_pooled,
            }
        )
        .with_columns(pl.when("pooled").then(pl.lit("LINE-1")).alias("pool"))
        .drop("pooled")
    )
    capacity_pools = pl.DataFrame(
        {
            "site": site_ids.gather(pool_sites),
            "pool": pl.Series(["LINE-1"] * pool_sites.size, dtype=pl.String),
            "capacity": pool_capacity,
        }
    )
    inventory = pl.DataFrame(
        {
            "site": site_ids.gather(np.concatenate([node_site[stock_node], group_site[stock_group]])),
            "part": part_ids.gather(np.concatenate([node_part[stock_node], group_part[stock_group]])),
            "units": np.concatenate([stock_units, group_units]),
        }
    )
    supply_links = pl.DataFrame(
        {
            "buyer": site_ids.gather(buy_site),
            "part": part_ids.gather(group_part[link_group]),
            "supplier": site_ids.gather(sup_site),
            "share": share,
            "lead_time": lead_time,
            "qualified": qualified,
        }
    )
    demand = pl.DataFrame(
        {
            "site": site_ids.gather(np.tile(node_site[oem_nodes], len(years))),
            "part": part_ids.gather(np.tile(node_part[oem_nodes], len(years))),
            "year": np.repeat(np.array(years, dtype=np.int64), oem_nodes.size),
            "units": d.reshape(-1),
            "margin": np.tile(margin, len(years)),
        }
    )
    frames = {
        "countries": countries,
        "country_groups": country_groups,
        "organizations": organizations,
        "sites": sites_df,
        "parts": parts,
        "bom": bom,
        "production": production,
        "capacity_pools": capacity_pools,
        "inventory": inventory,
        "supply_links": supply_links,
        "demand": demand,
    }
    return Dataset.from_frames(
        name or f"synth-{sites}-s{seed}",
        frames,
        generator="importsub.demo.synth",
        sites=sites,
        seed=seed,
        links_per_buyer=links_per_buyer,
        import_share=import_share,
        tiers=tiers,
    )


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
