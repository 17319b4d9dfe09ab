"""``expiring``: registry entries that run out within a year of the date, and the points each model would lose.

An entry counts when ``date ≤ valid_until < date + 1 year`` (``date``: 1 January of the year judged).  Points
lost = the model's score now − its score with that one entry removed (every other input unchanged), for the
points regimes; only models that lose points are listed.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import polars as pl

from importsub.analysis.compliance.common import Context
from importsub.analysis.compliance.evaluate import POINT_REGIMES, evaluate


def _scores(ctx: Context, regimes: tuple[str, ...]) -> dict[tuple[str, str, str], float]:
    models, _ = evaluate(ctx, regimes, None)
    return {
        (r["site"], r["part"], r["regime"]): float(r["score [points]"])
        for r in models
        if r.get("score [points]") is not None
    }


def expiring(ctx: Context, regimes: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of ``expiring`` (see the module docstring)."""
    asked = tuple(r for r in regimes if r in POINT_REGIMES)
    entries = ctx.table("registry_entries")
    if not asked or entries.height == 0:
        return []
    start, end = ctx.on, date(ctx.year + 1, 1, 1)
    soon = entries.with_row_index("__i__").filter(
        pl.col("valid_until").is_not_null() & (pl.col("valid_until") >= start) & (pl.col("valid_until") < end)
    )
    net = ctx.net
    soon = soon.filter(  # only entries of producers in the network can change a score
        pl.col("organization").is_in(list(net.organizations))
        | pl.col("inn").is_in([v for v in net.organization_inn if v])
        | pl.col("ogrn").is_in([v for v in net.organization_ogrn if v])
    )
    if soon.height == 0:
        return []
    now = _scores(ctx, asked)
    names = dict(zip(ctx.net.parts, ctx.net.part_names, strict=True))
    out = []
    for e in soon.sort("valid_until", "number", "product").iter_rows(named=True):
        without = entries.with_row_index("__i__").filter(pl.col("__i__") != e["__i__"]).drop("__i__")
        trial = dataclasses.replace(net, statutory={**net.statutory, "registry_entries": without})
        later = _scores(Context(trial, ctx.year, ctx.group), asked)
        for key, score in sorted(now.items()):
            lost = score - later.get(key, score)
            if lost > 0:
                out.append(
                    {
                        "registry number": e["number"],
                        "product": e["product"],
                        "organization": e["organization"],
                        "valid until": e["valid_until"],
                        "site": key[0],
                        "part": key[1],
                        "part name": names.get(key[1]),
                        "regime": key[2],
                        "points lost [points]": lost,
                    }
                )
    return out
