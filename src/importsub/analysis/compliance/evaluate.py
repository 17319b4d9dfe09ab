"""One year of one network judged by every regime: rows of the ``models`` and ``items`` tables."""

from __future__ import annotations

from typing import Any

import numpy as np

from importsub.analysis.compliance import assembly, cis2009, eaeu105, pp719
from importsub.analysis.compliance.common import Context, input_units, node_row
from importsub.analysis.localisation import domestic_content
from importsub.compile.network import IntArray
from importsub.model.messages import said, why

POINT_REGIMES = ("pp719", "eaeu105")
CHUNK = 64
"""Final products whose supply trees are solved (or searched) at once: memory n × CHUNK."""


def _base(ctx: Context, j: int, regime: str, rule: str | None, L: float) -> dict[str, Any]:
    return {
        **node_row(ctx.net, j),
        "regime": regime,
        "rule": rule,
        "year": ctx.year,
        "domestic content [%]": 100.0 * L,
    }


def _thresholded(ctx: Context, base: dict[str, Any], rule: str, purpose: str | None) -> list[dict[str, Any]]:
    """One row per purpose with a threshold for the year (one row without threshold if none)."""
    ths = ctx.thresholds(rule, purpose)
    if not ths:
        return [{**base, "purpose": purpose, "_minimum": None}]
    return [{**base, "purpose": p, "_minimum": m} for p, m in ths]


def points_rows(
    ctx: Context, regime: str, finals: IntArray, L: np.ndarray, purpose: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``models`` and ``items`` rows of a points regime (pp719, eaeu105)."""
    models: list[dict[str, Any]] = []
    items_out: list[dict[str, Any]] = []
    Y = np.zeros((ctx.net.n_nodes, 0))
    for k, j in enumerate(finals):
        if k % CHUNK == 0:  # units through the tiers for a block of finals at a time (n × CHUNK floats)
            Y = input_units(ctx.net, finals[k : k + CHUNK])
        col = k % CHUNK
        j = int(j)
        rule = ctx.rule_for(regime, int(ctx.net.node_part[j]))
        base = _base(ctx, j, regime, rule["id"] if rule else None, float(L[j]))
        if rule is None:
            note = why("no rule in force", regime=regime, on=str(ctx.on))
            models.append({**base, "purpose": purpose, **said("note", note)})
            continue
        items = ctx.items(rule["id"])
        outcomes = pp719.score_items(ctx, j, Y[:, col], items)
        total = pp719.score(outcomes)
        origin_ok, missing = eaeu105.originates(items, outcomes) if regime == "eaeu105" else (True, [])
        for it, o in zip(items, outcomes, strict=True):
            items_out.append(
                {
                    **node_row(ctx.net, j),
                    "regime": regime,
                    "rule": rule["id"],
                    "year": ctx.year,
                    "item": it["item"],
                    "kind": it["kind"],
                    "code": it["code"],
                    "tier": None,
                    "required": bool(it["required"]),
                    "met": bool(o["met"]),
                    "share [%]": 100.0 * o["share"],
                    "points [points]": float(it["points"]),
                    "earned [points]": float(o["earned"]),
                    **said("reason", o["reason"]),
                    "_all_of": it["all_of"],
                }
            )
        for row in _thresholded(ctx, {**base, "score [points]": total}, rule["id"], purpose):
            m = row.pop("_minimum")
            row["threshold [points]"] = m
            row["margin [points]"] = None if m is None else total - m
            passed = origin_ok and (m is None or total >= m)
            row["pass"] = passed if (m is not None or regime == "eaeu105") else None
            row.update(said("note", why("missing required", items=list(missing)) if missing else None))
            models.append(row)
    return models, items_out


def cis_rows(ctx: Context, finals: IntArray, L: np.ndarray) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``models`` and ``items`` rows of CIS 2009 origin: the finals' verdicts, the non-originating inputs by tier."""
    from scipy.sparse.csgraph import shortest_path

    if not ctx.rules("cis2009"):
        return [], []
    net = ctx.net
    o = cis2009.origin(ctx)
    graph = net.A.T.tocsr()
    depth = np.zeros((0, net.n_nodes))
    models, items = [], []
    for k, j in enumerate(finals):
        if k % CHUNK == 0:
            depth = shortest_path(graph, directed=True, unweighted=True, indices=np.asarray(finals[k : k + CHUNK]))
        d = depth[k % CHUNK]
        j = int(j)
        row = _base(ctx, j, "cis2009", o.rule[j], float(L[j]))
        row.update(
            {
                "purpose": None,
                "foreign share [%]": 100.0 * o.foreign[j],
                "limit [%]": 100.0 * o.limit[j],
                "margin [pp]": 100.0 * (o.limit[j] - o.foreign[j]),
                "heading change": bool(o.heading_change[j]),
                "pass": bool(o.originates[j]),
                **said("note", None if o.originates[j] else cis2009.reason(ctx, o, j)),
            }
        )
        models.append(row)
        upstream = np.flatnonzero(np.isfinite(d) & (d > 0) & ~o.originates)
        for i in sorted(upstream.tolist(), key=lambda i: (d[i], i)):
            items.append(
                {
                    **node_row(net, j),
                    "regime": "cis2009",
                    "rule": o.rule[j],
                    "year": ctx.year,
                    "item": net.node_label(i),
                    "kind": "input",
                    "code": net.part_tnved[int(net.node_part[i])] if net.part_tnved else None,
                    "tier": int(d[i]),
                    "required": None,
                    "met": False,
                    "share [%]": 100.0 * o.foreign[i],
                    "points [points]": None,
                    "earned [points]": None,
                    **said("reason", cis2009.reason(ctx, o, i)),
                }
            )
    return models, items


def assembly_rows(ctx: Context, finals: IntArray, L: np.ndarray, purpose: str | None) -> list[dict[str, Any]]:
    """``models`` rows of the industrial-assembly share."""
    share = assembly.assembly_share(ctx.net, ctx.inside)
    out = []
    for j in finals:
        j = int(j)
        rule = ctx.rule_for("assembly", int(ctx.net.node_part[j]))
        if rule is None:
            continue
        base = _base(ctx, j, "assembly", rule["id"], float(L[j]))
        base["assembly share [%]"] = 100.0 * share[j]
        for row in _thresholded(ctx, base, rule["id"], purpose):
            m = row.pop("_minimum")
            row["target [%]"] = m
            row["margin [pp]"] = None if m is None else 100.0 * share[j] - m
            row["pass"] = None if m is None else bool(100.0 * share[j] >= m - 1e-9)
            row.update(said("note", None))
            out.append(row)
    return out


def evaluate(
    ctx: Context, regimes: tuple[str, ...], purpose: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``models`` and ``items`` rows of every regime asked for, for the context's year."""
    net = ctx.net
    finals = net.final_nodes
    L = domestic_content(net, ctx.group)
    models: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for regime in regimes:
        if regime in POINT_REGIMES:
            if not ctx.rules(regime):
                continue
            m, i = points_rows(ctx, regime, finals, L, purpose)
        elif regime == "cis2009":
            m, i = cis_rows(ctx, finals, L)
        else:
            m, i = assembly_rows(ctx, finals, L, purpose), []
        models += m
        items += i
    return models, items
