"""Decree 719 points: a score per vehicle model from the items of its rule, compared with a threshold.

For final node ``j`` (a vehicle model at its assembly site) and rule ``R`` in force on the date, every item
``k`` of ``R`` is met or not:

* ``operation`` / ``rnd``: the share ``s`` of ``j``'s volume that goes through operation ``code`` at ``j``'s
  site (``site_operations``; for R&D the spending per revenue); met when ``s ≥ min_share``;
* ``component``: of the units of inputs matching ``code`` in ``j``'s supply tree (every tier:
  ``(I − A) Y = E``), the share ``s`` made inside the group by a producer holding a registry entry valid on
  the date; met when ``s ≥ min_share`` (an input not in the tree earns nothing);
* ``material``: the same share without the registry condition.

Points: ``points_k`` when met; with ``per_step``, ``points_k · ⌊s / per_step⌋`` (``min_share`` unused).
Items sharing an ``all_of`` label earn only when all of them are met.  ``score_j = Σ_k points earned``
[points]; ``margin = score − threshold`` [points], pass when ``margin ≥ 0``.  Adding an operation, a
registered domestic supplier or a registry entry never lowers a score (the property tests check it).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from importsub.analysis.compliance.common import TOLERANCE, Context, qualifying_share
from importsub.compile.network import FloatArray
from importsub.model.messages import why


def item_outcome(ctx: Context, j: int, units: FloatArray, item: dict[str, Any]) -> dict[str, Any]:
    """Whether one item is met at final node ``j`` and the points it would earn on its own, with the reason
    (a message, :func:`~importsub.model.messages.why`)."""
    kind, code = item["kind"], item["code"]
    if kind in ("operation", "rnd"):
        share = float(ctx.operations(j).get(code, 0.0))
        what = (
            why("operation share", code=code, share=share) if share > 0 else why("operation not performed", code=code)
        )
    else:
        qualifies = ctx.inside & ctx.registered if kind == "component" else ctx.inside
        share, total, _ = qualifying_share(ctx, units, code, qualifies)
        who = "share from registered" if kind == "component" else "share from group"
        what = why(who, share=share) if total > 0 else why("no input matching", code=code)
    step = item["per_step"]
    if step is not None:
        earned = float(item["points"]) * math.floor(share / step + TOLERANCE)
        met = earned > 0 or (share > 0 and item["points"] == 0)
    else:
        met = share > 0 and share >= item["min_share"] - TOLERANCE
        earned = float(item["points"]) if met else 0.0
    if not met and step is None and share > 0:
        what = why("below required", what=what, min=float(item["min_share"]))
    return {"met": met, "share": share, "earned": earned, "reason": what}


def score_items(ctx: Context, j: int, units: FloatArray, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every item's outcome at node ``j`` after the ``all_of`` rule (a group earns only when complete)."""
    out = [item_outcome(ctx, j, units, it) for it in items]
    groups: dict[str, bool] = {}
    for it, o in zip(items, out, strict=True):
        if it["all_of"]:
            groups[it["all_of"]] = groups.get(it["all_of"], True) and o["met"]
    for it, o in zip(items, out, strict=True):
        if it["all_of"] and not groups[it["all_of"]]:
            if o["met"]:
                o["reason"] = why("earns only with group", what=o["reason"], group=repr(it["all_of"]))
            o["earned"] = 0.0
    return out


def score(outcomes: list[dict[str, Any]]) -> float:
    """Σ points earned [points]."""
    return float(np.sum([o["earned"] for o in outcomes])) if outcomes else 0.0
