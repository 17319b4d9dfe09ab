"""Scenarios as one object: the changes that write, copy or delete one, and side-by-side comparisons.

Shared by the scenario API (``web/api/scenarios.py``) and the scenario pages
(``web/pages/scenarios.py``): both turn a request into the upserts and
deletes here and write them with :func:`importsub.web.services.editing.apply_changes`,
which checks ownership (scenarios are the programme's records).  The
comparisons read only what the viewer may see: scenario definitions are
public records, run results come masked (:func:`importsub.web.services.results.visible_result`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from importsub.model.dataset import Dataset
from importsub.model.errors import NotFoundError
from importsub.model.schema import table as record_type
from importsub.web.i18n import gettext as _
from importsub.web.services.editing import typed_rows

PARTS = ("disruptions", "demand_changes")
TABLES = ("scenarios", *PARTS, "scenario_projects")


class ScenarioExists(Exception):
    """The name of a copy is taken."""


def scenario_keys(ds: Dataset, scenario: str) -> dict[str, pl.DataFrame]:
    """Keys of every row of ``scenario`` (its record and its parts), as deletes."""
    deletes = {"scenarios": ds.scenarios.filter(pl.col("name") == scenario).select("name")}
    for t in (*PARTS, "scenario_projects"):
        rt = record_type(t)
        deletes[t] = ds.tables[t].filter(pl.col("scenario") == scenario).select(list(rt.key))
    return deletes


def write_changes(
    current: Dataset,
    scenario: str,
    *,
    description: str | None,
    year: int | None,
    weight: float,
    disruptions: Sequence[Mapping[str, Any]],
    demand_changes: Sequence[Mapping[str, Any]],
    projects: Sequence[str],
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """(upserts, deletes) that create or replace ``scenario`` with exactly these parts."""
    upserts = {
        "scenarios": typed_rows(
            "scenarios", [{"name": scenario, "description": description, "year": year, "weight": weight}]
        ),
    }
    if disruptions:
        upserts["disruptions"] = typed_rows("disruptions", [{"scenario": scenario, **d} for d in disruptions])
    if demand_changes:
        upserts["demand_changes"] = typed_rows("demand_changes", [{"scenario": scenario, **d} for d in demand_changes])
    if projects:
        upserts["scenario_projects"] = typed_rows(
            "scenario_projects", [{"scenario": scenario, "project": p} for p in projects]
        )
    deletes = {k: v for k, v in scenario_keys(current, scenario).items() if k != "scenarios"}
    return upserts, deletes


def copy_changes(current: Dataset, scenario: str, to: str) -> dict[str, pl.DataFrame]:
    """Upserts that copy ``scenario`` under the name ``to`` (NotFoundError, :class:`ScenarioExists`)."""
    if current.scenarios.filter(pl.col("name") == scenario).height == 0:
        raise NotFoundError(_("No scenario %(s)s in dataset %(d)s.", s=scenario, d=current.name))
    if current.scenarios.filter(pl.col("name") == to).height:
        raise ScenarioExists(_("A scenario %(s)s exists already.", s=to))
    upserts = {"scenarios": current.scenarios.filter(pl.col("name") == scenario).with_columns(pl.lit(to).alias("name"))}
    for t in (*PARTS, "scenario_projects"):
        rows = current.tables[t].filter(pl.col("scenario") == scenario)
        if rows.height:
            upserts[t] = rows.with_columns(pl.lit(to).alias("scenario"))
    return upserts


def scenario_record(ds: Dataset, name: str) -> dict[str, Any] | None:
    """One scenario with its parts as plain rows (None if the dataset has none of that name)."""
    found = ds.scenarios.filter(pl.col("name") == name)
    if found.height == 0:
        return None
    sel = pl.col("scenario") == name
    return {
        **found.row(0, named=True),
        "disruptions": ds.disruptions.filter(sel).drop("scenario").sort("target_kind", "target").to_dicts(),
        "demand_changes": ds.demand_changes.filter(sel).drop("scenario").sort("site", "part").to_dicts(),
        "projects": sorted(ds.scenario_projects.filter(sel)["project"].to_list()),
    }


def _side_by_side(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]], key: Sequence[str]) -> list[dict]:
    """Rows of two lists joined on ``key``: {key, a, b, same} in key order (a or b None where one lacks it)."""
    index_a = {tuple(r[k] for k in key): r for r in a}
    index_b = {tuple(r[k] for k in key): r for r in b}
    rows = []
    for k in sorted(set(index_a) | set(index_b), key=lambda t: tuple(str(x) for x in t)):
        ra, rb = index_a.get(k), index_b.get(k)
        rows.append({"key": k, "a": ra, "b": rb, "same": ra == rb})
    return rows


def compare_scenarios(ds: Dataset, a: str, b: str) -> dict[str, Any]:
    """Two scenarios' definitions side by side: year, weight, each disruption, demand change and project."""
    ra, rb = scenario_record(ds, a), scenario_record(ds, b)
    for name, r in ((a, ra), (b, rb)):
        if r is None:
            raise NotFoundError(_("No scenario %(s)s in dataset %(d)s.", s=name, d=ds.name))
    assert ra is not None
    assert rb is not None
    fields = [{"field": f, "a": ra[f], "b": rb[f], "same": ra[f] == rb[f]} for f in ("description", "year", "weight")]
    return {
        "a": ra,
        "b": rb,
        "fields": fields,
        "disruptions": _side_by_side(ra["disruptions"], rb["disruptions"], ("target_kind", "target")),
        "demand_changes": _side_by_side(ra["demand_changes"], rb["demand_changes"], ("site", "part")),
        "projects": _side_by_side(
            [{"project": p} for p in ra["projects"]], [{"project": p} for p in rb["projects"]], ("project",)
        ),
    }


def compare_runs(tables_a: Mapping[str, pl.DataFrame], tables_b: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    """Two runs' results (already masked for the viewer) side by side.

    ``summary``: every numeric column of both runs' one-row summary with both
    values and ``b − a`` (None where either is hidden or missing).
    ``tables``: for each table both runs have with a key (``OEM``; ``site`` and
    ``part``), its numeric columns per key, the same way.
    """

    def numeric(df: pl.DataFrame) -> list[str]:
        return [c for c, t in df.schema.items() if t.is_numeric()]

    def diff(x: Any, y: Any) -> float | None:
        return None if x is None or y is None else float(y) - float(x)

    out: dict[str, Any] = {"summary": [], "tables": []}
    sa, sb = tables_a.get("summary"), tables_b.get("summary")
    if sa is not None and sb is not None and sa.height and sb.height:
        cols = [c for c in numeric(sa) if c in set(numeric(sb))]
        for c in cols:
            x, y = sa[c][0], sb[c][0]
            out["summary"].append({"column": c, "a": x, "b": y, "diff": diff(x, y)})
    for tname, key in (("oems", ("OEM",)), ("vehicles", ("site", "part"))):
        ta, tb = tables_a.get(tname), tables_b.get(tname)
        if ta is None or tb is None or not all(k in ta.columns and k in tb.columns for k in key):
            continue
        cols = [c for c in numeric(ta) if c in set(numeric(tb))]
        rows = _side_by_side(ta.select(*key, *cols).to_dicts(), tb.select(*key, *cols).to_dicts(), key)
        body = []
        for r in rows:
            cells = []
            for c in cols:
                x = r["a"][c] if r["a"] else None
                y = r["b"][c] if r["b"] else None
                cells.append({"a": x, "b": y, "diff": diff(x, y)})
            body.append({"key": r["key"], "cells": cells})
        out["tables"].append({"name": tname, "key": key, "columns": cols, "rows": body})
    return out
