"""``next steps``: the cheapest additional operations and components for a model's unmet items.

For every unmet item (points > 0) of a points regime, the routes that would meet it:

* ``project``: a programme project whose output part matches the item's code (capex from the project):
  ``points per capex [points/mln RUB] = points gain / (capex / 10^6)``;
* ``registered producer``: a producer in the group of a matching part holding a registry entry valid on the
  date (re-source; capex not known);
* ``register producer``: a group producer of a matching part without a valid entry (apply for one);
* ``operation``: perform the operation at the model's plant (capex not known).

``points gain`` is the item's points, or, for an ``all_of`` item, the points of its whole group when every
other item of the group is met (else 0, with the missing items named).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from importsub.analysis.compliance.common import Context
from importsub.model.messages import said, why


def _gain(items: list[dict[str, Any]], row: dict[str, Any]) -> tuple[float, dict[str, Any] | None]:
    same = [r for r in items if r["site"] == row["site"] and r["part"] == row["part"] and r["rule"] == row["rule"]]
    label = next((r.get("_all_of") for r in same if r["item"] == row["item"]), None)
    if not label:
        return float(row["points [points]"]), None
    group = [r for r in same if r.get("_all_of") == label]
    missing = [r["item"] for r in group if not r["met"] and r["item"] != row["item"]]
    if missing:
        return 0.0, why("earns only with", items=missing)
    return float(sum(r["points [points]"] for r in group)), None


def next_steps(
    ctx: Context, items: list[dict[str, Any]], projects: pl.DataFrame, outputs: pl.DataFrame
) -> list[dict[str, Any]]:
    """Rows of ``next steps`` for the unmet points items of ``items`` (rows of the ``items`` table)."""
    net = ctx.net
    capex = dict(zip(projects["id"].to_list(), projects["capex"].to_list(), strict=True)) if projects.height else {}
    out: list[dict[str, Any]] = []
    for row in items:
        if row["kind"] == "input" or row["met"] or not row["points [points]"]:
            continue
        gain, note = _gain(items, row)
        base = {k: row[k] for k in ("site", "part", "part name", "regime", "year", "item", "kind", "code")}
        base.update({"points gain [points]": gain, **said("note", note)})
        if row["kind"] in ("operation", "rnd"):
            out.append({**base, "route": "operation", "project": None, "candidate site": None, "capex [RUB]": None})
            continue
        parts = ctx.parts_matching(row["code"])
        names = {net.parts[p] for p in parts}
        for r in outputs.iter_rows(named=True):
            if r["part"] in names:
                c = capex.get(r["project"])
                out.append(
                    {**base, "route": "project", "project": r["project"], "candidate site": None, "capex [RUB]": c}
                )
        for i in np.flatnonzero(ctx.inside & np.isin(net.node_part, sorted(parts))):
            route = "registered producer" if ctx.registered[i] or row["kind"] == "material" else "register producer"
            out.append(
                {
                    **base,
                    "route": route,
                    "project": None,
                    "candidate site": net.sites[net.node_site[i]],
                    "capex [RUB]": None,
                }
            )
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for r in out:  # one row per route: a producer making several matching parts is one candidate
        key = (r["site"], r["part"], r["regime"], r["item"], r["route"], r["project"], r["candidate site"])
        if key not in seen:
            seen.add(key)
            unique.append(r)
    out = unique
    for r in out:
        c = r["capex [RUB]"]
        r["points per capex [points/mln RUB]"] = r["points gain [points]"] / (c / 1e6) if c else None
    return out
