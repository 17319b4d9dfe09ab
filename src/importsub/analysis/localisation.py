"""Localisation: multi-tier domestic content ``L`` and import content ``1 − L``
of every node, part, vehicle model, OEM, category and country, broken down by
country of origin and by tier, with data coverage beside every figure.

Value-added accounting (OECD TiVA at firm level)::

    L_j = w_j · g_j + Σ_i B[i, j] · L_i        i.e.  (I − Bᵀ) L = w ∘ g

with ``B[i, j] = A[i, j] v_i / v_j`` the share of j's value bought from i,
``w_j = 1 − Σ_i B[i, j]`` j's own value added (unmapped inputs included) and
``g_j = 1`` when j's site is in the country group.  ``L_j`` is the share of
j's value [fraction] added inside the group through every tier.

Coverage and the range.  Part of a node's own value may be of unknown
origin (*untraced*, ``r_j`` [fraction of v_j]):

* the value of BOM inputs with no supply link (``u_j`` =
  ``net.unmapped_inputs``), at any node;
* the whole value of a part without a BOM made inside the group that is not
  a basic material (``part.material``): a domestic assembly whose tiers are
  not mapped.  A basic material without a BOM is traced (its value is its
  producer's country's), and so is a BOM-less part made outside the group
  (its value is imported whatever its tiers).

Then, all by the same level sweeps (``g`` = 1 inside the group)::

    (I − Bᵀ) C = w − r          coverage: the traced share               [fraction]
    (I − Bᵀ) K = w ∘ (1 − g)    known import content (= 1 − L)           [fraction]
    (I − Bᵀ) U = r ∘ g          untraced value added inside the group    [fraction]

Import content lies in ``[K, K + U]``: ``K`` if every untraced value inside
the group is domestic, ``K + U`` (``import content max``) if it is all
imported.  Value added outside the group counts as imported in both, traced
or not (a foreign supplier's unmapped inputs lower coverage, not ``K``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from importsub.analysis.demand import gross_output, node_frame, solver
from importsub.analysis.result import Result, fingerprint
from importsub.compile.network import BoolArray, FloatArray, IntArray, Network
from importsub.model.errors import AnalysisError
from importsub.model.messages import render_why

DEFAULT_GROUP = "union"


def domestic_content(net: Network, group: str = DEFAULT_GROUP) -> FloatArray:
    """Domestic content ``L`` [fraction of value] of every node w.r.t. ``group``.

    Solves ``(I − Bᵀ) L = w ∘ g`` by a level-scheduled sweep (suppliers first).

    Parameters
    ----------
    net : Network
    group : str
        A country-group name (``union``) or a single ISO2 code (``BY``).

    Returns
    -------
    numpy.ndarray
        ``0 ≤ L_j ≤ 1``; import content is ``1 − L``.

    Examples
    --------
    >>> # a RU car (w = 0.9) with one 10 % input from CN: L = 0.9 · 1 + 0.1 · 0 = 0.9
    >>> # (tests/test_localisation.py works a three-tier network by hand)
    """
    g = net.in_group(group).astype(np.float64)
    return solver(net).y(net.w * g)


def untraced_own(net: Network, group: str = DEFAULT_GROUP) -> FloatArray:
    """Untraced share ``r`` of each node's own value [fraction of v_j].

    ``r_j = u_j`` (unmapped BOM inputs, ``net.unmapped_inputs``) for a node
    whose part has a BOM; for a part without a BOM, ``r_j = w_j`` (= 1, its
    whole value) at a node inside ``group`` unless the part is a basic
    material, and ``0`` for a material or a node outside the group.
    ``0 ≤ r ≤ w`` (compile rejects unmapped inputs worth more than the node).

    Examples
    --------
    >>> # a RU car (100 RUB) of an in-house part (60 RUB, no BOM, not a material) and a CN lamp (40):
    >>> # r = 1 at the in-house part, 0 at the lamp (outside) and at the car (inputs mapped)
    """
    inside = net.in_group(group)
    leaf = ~net.has_bom
    material = net.part_material[net.node_part] if net.part_material.size else np.zeros(net.n_nodes, dtype=bool)
    r = np.where(leaf, np.where(material | ~inside, 0.0, net.w), np.clip(net.unmapped_inputs, 0.0, None))
    return np.minimum(r, np.maximum(net.w, 0.0)).astype(np.float64)


def coverage(net: Network, group: str = DEFAULT_GROUP) -> FloatArray:
    """Data coverage ``C`` [fraction of value] of every node w.r.t. ``group``.

    ``C`` solves ``(I − Bᵀ) C = w − r`` with ``r`` = :func:`untraced_own`:
    the share of j's value whose origin is traced — own processing, basic
    materials, BOM-less parts bought from outside the group, and recursively
    the traced share of every mapped input.

    Examples
    --------
    >>> # the hand case: C_car = 0.4 (the CN lamp) + 0.6 · 0 (the untraced in-house part) = 40 %
    """
    return solver(net).y(net.w - untraced_own(net, group))


def import_content_range(net: Network, group: str = DEFAULT_GROUP) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Known import content ``K``, its maximum ``K + U`` and coverage ``C`` [fraction of value].

    One three-column sweep ``(I − Bᵀ) [K, U, C] = [w ∘ (1 − g), r ∘ g, w − r]``
    with ``r`` = :func:`untraced_own` and ``g`` = 1 inside the group.
    ``K`` (= 1 − :func:`domestic_content`) is the value known to be added
    outside the group; ``K + U`` assumes every untraced value inside the
    group was imported too.  ``0 ≤ K ≤ K + U ≤ 1`` and ``U ≤ 1 − C``.

    Examples
    --------
    >>> # the hand case: K = 0.4, K + U = 0.4 + 0.6 = 1.0, C = 0.4
    """
    g = net.in_group(group).astype(np.float64)
    r = untraced_own(net, group)
    rhs = np.stack([net.w * (1.0 - g), r * g, net.w - r], axis=1)
    KUC = solver(net).y(rhs)
    K, U, C = KUC[:, 0], KUC[:, 1], KUC[:, 2]
    return K, K + U, C


def origin_content(net: Network, countries: IntArray | None = None) -> FloatArray:
    """Value added in each country, per node: an (n × c) matrix [fraction of value].

    Column k solves ``(I − Bᵀ) Lₖ = w ∘ [country_j = countries[k]]`` (one
    multi-right-hand-side sweep); the columns over all countries sum to 1.
    Default: every country of the network.
    """
    cs = np.arange(len(net.countries)) if countries is None else np.asarray(countries, dtype=np.int64)
    node_c = net.node_country
    R = np.zeros((net.n_nodes, cs.size))
    for k, c in enumerate(cs):
        hit = node_c == c
        R[hit, k] = net.w[hit]
    return solver(net).y(R)


def tiers(
    net: Network, nodes: IntArray, group: str = DEFAULT_GROUP, max_tier: int | None = None
) -> tuple[FloatArray, FloatArray]:
    """Value added and imported value added at each tier below ``nodes``.

    Tier 0 is the node itself, tier k the nodes k links upstream::

        T₀ = w,   T_k = Bᵀ T_{k−1}      (total value added)
        I₀ = w ∘ (1 − g),   I_k = Bᵀ I_{k−1}   (value added outside the group)

    restricted to ``nodes``.  ``Σ_k T_k = 1`` and ``Σ_k I_k = 1 − L``.

    Returns
    -------
    (T, I) : arrays of shape (tiers, len(nodes)) [fraction of each node's value]
    """
    BT = solver(net).BT
    g = net.in_group(group).astype(np.float64)
    cur = np.stack([net.w, net.w * (1.0 - g)], axis=1)
    depth = int(net.level.max()) + 1 if net.n_nodes else 1
    depth = depth if max_tier is None else min(depth, max_tier + 1)
    T, Im = [], []
    for _ in range(depth):
        T.append(cur[nodes, 0])
        Im.append(cur[nodes, 1])
        cur = BT @ cur
        if not cur.any():
            break
    return np.array(T), np.array(Im)


def entry_points(
    net: Network,
    group: str = DEFAULT_GROUP,
    *,
    x: FloatArray | None = None,
    L: FloatArray | None = None,
    C: FloatArray | None = None,
) -> pl.DataFrame:
    """Links through which imported value enters the group, largest first.

    For every link from a supplier node i outside the group to a buyer node j
    inside, imported value [RUB/yr] = ``A[i, j] · x_j · v_i · (1 − L_i)``: the
    value of what i ships to j that was not added inside the group.  Summed
    per supply link (supplier node, buyer site).  Over all entry points this
    equals the imported value in the group's output that reaches it directly
    from outside.  ``supplier coverage [%]`` is the supplier node's
    :func:`coverage`.
    """
    inside = net.in_group(group)
    x = gross_output(net) if x is None else x
    L = domestic_content(net, group) if L is None else L
    C = coverage(net, group) if C is None else C
    A = net.A.tocoo()
    keep = ~inside[A.row] & inside[A.col]
    i, j, a = A.row[keep], A.col[keep], A.data[keep]
    val = a * x[j] * net.value[i] * (1.0 - L[i])
    sites = pl.Series(net.sites, dtype=pl.String)
    countries = pl.Series(net.countries, dtype=pl.String)
    parts = pl.Series(net.parts, dtype=pl.String)
    df = pl.DataFrame(
        {
            "supplier": sites.gather(net.node_site[i]),
            "supplier country": countries.gather(net.node_country[i]),
            "buyer": sites.gather(net.node_site[j]),
            "buyer country": countries.gather(net.node_country[j]),
            "part": parts.gather(net.node_part[i]),
            "units [units/yr]": a * x[j],
            "imported value [RUB/yr]": val,
            "supplier coverage [%]": 100.0 * C[i],
        }
    )
    out = (
        df.sort("supplier", "buyer", "part", "units [units/yr]")
        .group_by("supplier", "supplier country", "buyer", "buyer country", "part", maintain_order=True)
        .agg(
            pl.col("units [units/yr]").sum(),
            pl.col("imported value [RUB/yr]").sum(),
            pl.col("supplier coverage [%]").first(),
        )
        .sort(["imported value [RUB/yr]", "supplier", "buyer", "part"], descending=[True, False, False, False])
    )
    total = float(np.sort(out.get_column("imported value [RUB/yr]").to_numpy()).sum())
    return out.with_columns(
        (100.0 * pl.col("imported value [RUB/yr]") / (total if total > 0 else 1.0)).alias(
            "share of entering imports [%]"
        )
    )


def import_path(
    net: Network, node: int, group: str = DEFAULT_GROUP, *, L: FloatArray | None = None, C: FloatArray | None = None
) -> pl.DataFrame:
    """The chain of links through which the largest imported value enters ``node``.

    Greedy rule: from the node, step to the supplier i that carries the most
    imported value into the current node k, ``B[i, k] · (1 − L_i)`` (share of
    k's value that is import content arriving via i; ties → lower node
    index); stop at the first node outside the group (where the value
    enters) or when no supplier carries import content.  Each row reports
    ``via this link [% of vehicle value]`` = Π B along the path so far ×
    (1 − L) of the supplier, i.e. the import content of the vehicle that
    reaches it through this chain.
    """
    inside = net.in_group(group)
    L = domestic_content(net, group) if L is None else L
    C = coverage(net, group) if C is None else C
    BT = solver(net).BT
    rows: list[dict[str, Any]] = []
    k = int(node)
    reach = 1.0
    seen = {k}
    rows.append(_path_row(net, 0, k, 1.0 - L[k], 100.0 * (1.0 - L[k]), inside, C))
    step = 0
    while inside[k]:
        sup = BT.indices[BT.indptr[k] : BT.indptr[k + 1]]
        if sup.size == 0:
            break
        b = BT.data[BT.indptr[k] : BT.indptr[k + 1]]
        carried = b * (1.0 - L[sup])
        best = int(np.argmax(carried))
        if carried[best] <= 0.0:
            break
        i = int(sup[best])
        if i in seen:  # cannot happen in an acyclic network; guard anyway
            break
        seen.add(i)
        step += 1
        reach *= float(b[best])
        rows.append(_path_row(net, step, i, 1.0 - L[i], 100.0 * reach * (1.0 - L[i]), inside, C))
        k = i
    return pl.DataFrame(rows, orient="row") if rows else pl.DataFrame()


def untraced_values(net: Network, group: str = DEFAULT_GROUP, *, x: FloatArray | None = None) -> pl.DataFrame:
    """Where the untraced value sits: one row per node with untraced own value, largest first.

    ``untraced value [RUB/yr]`` = ``x_j · v_j · r_j`` (gross output × value ×
    :func:`untraced_own`): the value of j's untraced share embodied in the
    year's final demand (summed over nodes it equals Σ_final d · v · (1 − C)).
    ``share of untraced value [%]`` is its share of that sum; ``in group``
    says whether it also counts in ``import content max``.
    """
    x = gross_output(net) if x is None else x
    r = untraced_own(net, group)
    inside = net.in_group(group)
    value = x * net.value * r
    keep = np.flatnonzero(r > 0)
    keep = keep[np.lexsort((keep, -value[keep]))]  # largest first, ties by node
    total = float(np.sort(value[keep]).sum())
    reason_id = np.where(net.has_bom[keep], "inputs without supply link", "no BOM not basic")
    reason = [render_why(str(m), {}, "en") for m in reason_id]
    return (
        node_frame(net)[keep]
        .select("site", "site name", "country", "part", "part name", "category")
        .with_columns(
            pl.Series("in group", inside[keep]),
            pl.Series("why untraced", reason, dtype=pl.String),
            pl.Series("why untraced id", reason_id, dtype=pl.String),  # rendered per language (model.messages)
            pl.Series("why untraced args", ["{}"] * keep.size, dtype=pl.String),
            pl.Series("untraced share of its value [%]", 100.0 * r[keep]),
            pl.Series("untraced value [RUB/yr]", value[keep]),
            pl.Series("share of untraced value [%]", 100.0 * value[keep] / (total if total > 0 else 1.0)),
        )
    )


def _path_row(
    net: Network, step: int, i: int, imp: float, via: float, inside: BoolArray, C: FloatArray
) -> dict[str, Any]:
    return {
        "step": step,
        "site": net.sites[net.node_site[i]],
        "part": net.parts[net.node_part[i]],
        "country": net.countries[net.node_country[i]],
        "in group": bool(inside[i]),
        "import content [%]": 100.0 * imp,
        "via this link [% of vehicle value]": via,
        "coverage [%]": 100.0 * float(C[i]),
    }


def _wmean(col: str, weight: str = "_w") -> pl.Expr:
    """Weighted mean; the plain mean when all weights are 0."""
    wsum = pl.col(weight).sum()
    return pl.when(wsum > 0).then((pl.col(col) * pl.col(weight)).sum() / wsum).otherwise(pl.col(col).mean()).alias(col)


_FIGURES = ("domestic content [%]", "import content [%]", "import content max [%]", "coverage [%]")


def localisation(
    net: Network,
    group: str = DEFAULT_GROUP,
    *,
    top_entry_points: int = 20,
    paths: int = 20,
) -> Result:
    """Domestic and import content through every tier, with data coverage.

    Parameters
    ----------
    net : Network
    group : str
        Country group (``union``) or ISO2 code the content is domestic to.
    top_entry_points : int
        Rows of the ``entry points`` table (0 = all).
    paths : int
        Import paths explained for this many vehicles (largest demand value
        first; 0 = all).

    Returns
    -------
    Result
        Tables (figures in %; beside ``import content [%]`` (known imports,
        ``K``) are ``import content max [%]`` (``K + U``: if every untraced
        value were imported) and ``coverage [%]`` (the traced share ``C``),
        see :func:`import_content_range`; ``domestic content [%]`` = 100 −
        import content, i.e. its upper end):

        * ``vehicles`` — per vehicle model (final part), weighted by demand
          value ``d · v``;
        * ``oems`` — per organization of sites with final demand, same weights;
        * ``categories``, ``countries``, ``parts`` — over all nodes, weighted
          by output value ``x · v`` (plain mean when no node has output);
        * ``origins`` — per vehicle model, the country of origin of its
          imported value: ``share of vehicle value [%]`` and ``share of
          imported value [%]`` (:func:`origin_content`);
        * ``tiers`` — per vehicle model, value added and imported value added
          at tier k (:func:`tiers`);
        * ``entry points`` — :func:`entry_points`;
        * ``paths`` — :func:`import_path` of each vehicle (node);
        * ``untraced`` — :func:`untraced_values`: where the untraced value sits;
        * ``nodes`` — every node.
    """
    members = net.group_members(group)  # raises AnalysisError on an unknown group
    if net.n_nodes == 0:
        raise AnalysisError("the network has no nodes")
    x = gross_output(net)
    K, K_max, C = import_content_range(net, group)
    L = 1.0 - K
    inside = net.in_group(group)
    base = node_frame(net).with_columns(
        pl.Series("in group", inside),
        pl.Series("value [RUB/unit]", net.value),
        pl.Series("d [units/yr]", net.demand),
        pl.Series("x [units/yr]", x),
        pl.Series("output [RUB/yr]", x * net.value),
        pl.Series("domestic content [%]", 100.0 * L),
        pl.Series("import content [%]", 100.0 * K),
        pl.Series("import content max [%]", 100.0 * K_max),
        pl.Series("coverage [%]", 100.0 * C),
    )
    figures = [_wmean(c) for c in _FIGURES]
    by_output = base.with_columns(pl.col("output [RUB/yr]").alias("_w"))
    finals = base.filter(pl.col("d [units/yr]") > 0).with_columns(
        (pl.col("d [units/yr]") * pl.col("value [RUB/unit]")).alias("_w")
    )

    # rows sorted by key before every group-by (groups kept in that order): sums in one fixed order
    finals = finals.sort("part", "site")
    by_output = by_output.sort("node")
    vehicles = (
        finals.group_by("part", "part name", maintain_order=True)
        .agg(
            pl.col("organization").unique().sort().str.join(", ").alias("oems"),
            pl.col("d [units/yr]").sum().alias("demand [units/yr]"),
            pl.col("_w").sum().alias("demand value [RUB/yr]"),
            *figures,
        )
        .sort(["demand value [RUB/yr]", "part"], descending=[True, False])
    )
    oems = (
        finals.sort("organization", "part", "site")
        .group_by("organization", maintain_order=True)
        .agg(
            pl.col("part").n_unique().alias("models"),
            pl.col("d [units/yr]").sum().alias("vehicles [units/yr]"),
            pl.col("_w").sum().alias("demand value [RUB/yr]"),
            *figures,
        )
        .sort(["demand value [RUB/yr]", "organization"], descending=[True, False])
    )
    org_names = dict(zip(net.organizations, net.organization_names or net.organizations, strict=True))
    oems = oems.with_columns(
        pl.col("organization").replace_strict(org_names, default=pl.col("organization")).alias("name")
    ).select("organization", "name", *[c for c in oems.columns if c not in ("organization", "name")])

    def by(col: str | list[str]) -> pl.DataFrame:
        keys = [col] if isinstance(col, str) else col
        return (
            by_output.sort([*keys, "node"])
            .group_by(keys, maintain_order=True)
            .agg(pl.len().alias("nodes"), pl.col("_w").sum().alias("output [RUB/yr]"), *figures)
            .sort("output [RUB/yr]", *keys, descending=[True] + [False] * len(keys))
        )

    categories = by("category")
    countries = by("country").with_columns(
        pl.col("country")
        .is_in(pl.Series([net.countries[c] for c in members], dtype=pl.String).implode())
        .alias("in group")
    )
    parts = by(["part", "part name", "category"])

    final_idx = np.flatnonzero(net.demand > 0)
    # coverage beside every figure: each vehicle model's coverage next to its breakdowns
    vehicle_cov = vehicles.select(pl.col("part").alias("vehicle"), "coverage [%]")
    origins = _origins(net, final_idx, inside, L).join(vehicle_cov, on="vehicle", how="left", maintain_order="left")
    tier_table = _tier_table(net, final_idx, group).join(vehicle_cov, on="vehicle", how="left", maintain_order="left")
    entries = entry_points(net, group, x=x, L=L, C=C)
    if top_entry_points:
        entries = entries.head(top_entry_points)
    order = final_idx[np.argsort(-(net.demand[final_idx] * net.value[final_idx]), kind="stable")]
    if paths:
        order = order[:paths]
    path_frames = [
        import_path(net, int(j), group, L=L, C=C).select(
            pl.lit(net.sites[net.node_site[j]]).alias("vehicle site"),
            pl.lit(net.parts[net.node_part[j]]).alias("vehicle"),
            pl.all(),
        )
        for j in order
    ]
    path_table = pl.concat(path_frames) if path_frames else pl.DataFrame()
    nodes = base.sort(["output [RUB/yr]", "node"], descending=[True, False])
    tables = {
        "vehicles": vehicles,
        "oems": oems,
        "categories": categories,
        "countries": countries,
        "origins": origins,
        "tiers": tier_table,
        "entry points": entries,
        "paths": path_table,
        "untraced": untraced_values(net, group, x=x),
        "parts": parts,
        "nodes": nodes,
    }
    return Result("localisation", tables, fingerprint(net, group=group, analysis="localisation"))


def _origins(net: Network, final_idx: IntArray, inside: BoolArray, L: FloatArray) -> pl.DataFrame:
    """Per vehicle model: value added in each country outside the group."""
    outside_c = np.unique(net.node_country[~inside])
    cols = ["vehicle", "origin", "share of vehicle value [%]", "share of imported value [%]"]
    if final_idx.size == 0 or outside_c.size == 0:
        return pl.DataFrame(schema=dict.fromkeys(cols[:2], pl.String) | dict.fromkeys(cols[2:], pl.Float64))
    Y = origin_content(net, outside_c)[final_idx]  # (vehicles × outside countries)
    weight = net.demand[final_idx] * net.value[final_idx]
    parts = pl.Series(net.parts, dtype=pl.String).gather(net.node_part[final_idx])
    frame = pl.DataFrame({"vehicle": parts, "_w": weight, "_imp": 1.0 - L[final_idx]})
    long = pl.concat(
        [
            frame.with_columns(pl.lit(net.countries[c]).alias("origin"), pl.Series("_va", Y[:, k]))
            for k, c in enumerate(outside_c)
        ]
    )
    agg = long.group_by("vehicle", "origin", maintain_order=True).agg(
        ((pl.col("_va") * pl.col("_w")).sum() / pl.col("_w").sum()).alias("share of vehicle value [%]"),
        ((pl.col("_imp") * pl.col("_w")).sum() / pl.col("_w").sum()).alias("_impv"),
    )
    return (
        agg.with_columns(
            pl.when(pl.col("_impv") > 0)
            .then(100.0 * pl.col("share of vehicle value [%]") / pl.col("_impv"))
            .otherwise(0.0)
            .alias("share of imported value [%]"),
            (100.0 * pl.col("share of vehicle value [%]")).alias("share of vehicle value [%]"),
        )
        .filter(pl.col("share of vehicle value [%]") > 0)
        .select(cols)
        .sort(["vehicle", "share of vehicle value [%]", "origin"], descending=[False, True, False])
    )


def _tier_table(net: Network, final_idx: IntArray, group: str) -> pl.DataFrame:
    schema = {
        "vehicle": pl.String,
        "tier": pl.Int64,
        "value added [%]": pl.Float64,
        "imported value added [%]": pl.Float64,
    }
    if final_idx.size == 0:
        return pl.DataFrame(schema=schema)
    T, Im = tiers(net, final_idx, group)
    weight = net.demand[final_idx] * net.value[final_idx]
    parts = pl.Series(net.parts, dtype=pl.String).gather(net.node_part[final_idx])
    frames = [
        pl.DataFrame(
            {
                "vehicle": parts,
                "tier": np.full(final_idx.size, k, dtype=np.int64),
                "_t": T[k],
                "_i": Im[k],
                "_w": weight,
            }
        )
        for k in range(T.shape[0])
    ]
    return (
        pl.concat(frames)
        .group_by("vehicle", "tier", maintain_order=True)
        .agg(
            (100.0 * (pl.col("_t") * pl.col("_w")).sum() / pl.col("_w").sum()).alias("value added [%]"),
            (100.0 * (pl.col("_i") * pl.col("_w")).sum() / pl.col("_w").sum()).alias("imported value added [%]"),
        )
        .filter(pl.col("value added [%]") > 0)
        .sort("vehicle", "tier")
    )


def headline(net: Network, group: str = DEFAULT_GROUP, top: int = 5) -> dict[str, pl.DataFrame]:
    """The demo's headline: import content of each OEM's vehicles — known
    imports, the maximum if every untraced value were imported, and the
    traced share (coverage) — and the ``top`` largest imported-value entry
    points."""
    r = localisation(net, group, top_entry_points=top, paths=0)
    oems = r["oems"].select(
        "organization", "name", "vehicles [units/yr]", "import content [%]", "import content max [%]", "coverage [%]"
    )
    entries = r["entry points"].select(
        "supplier", "supplier country", "buyer", "part", "imported value [RUB/yr]", "share of entering imports [%]"
    )
    untraced = (
        r["untraced"]
        .head(top)
        .select("site", "part", "why untraced", "untraced value [RUB/yr]", "share of untraced value [%]")
    )
    when = f", {net.year}" if net.year is not None else ""
    return {
        f"import content of each OEM's vehicles{when} (group {group}): known, maximum, traced share": oems,
        f"{top} largest imported-value entry points{when}": entries,
        f"{top} largest untraced values{when} (origin unknown)": untraced,
    }
