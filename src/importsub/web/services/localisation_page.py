"""The localisation page: the headline figure, reshaped from two stored results as the viewer may see them.

Nothing is computed here that the analyses do not already state: the figures are the cells of the
``localisation`` result (:func:`importsub.analysis.localisation.localisation`: import content per vehicle
and OEM, its range — known imports to the maximum if every untraced value were imported — and coverage,
by tier and by country of origin) and of the ``impact`` result
(:func:`importsub.analysis.projects.impact`: import content year by year without and with the projects,
each project's target capacity against the capacity it brings online).  Both come masked
(:func:`importsub.web.services.results.visible_result`); a hidden cell stays ``None`` and is drawn as a gap.
"""

from __future__ import annotations

from typing import Any

import polars as pl

TOP = 15  # bars in a chart; the tables below hold every row
SERIES = 6  # lines or bar groups in a chart
ALL = "ALL"  # the impact row of every project together


def _rows(df: pl.DataFrame | None, columns: list[str]) -> dict[str, Any]:
    if df is None:
        return {"columns": [], "rows": []}
    cols = [c for c in columns if c in df.columns]
    return {"columns": cols, "rows": [list(r) for r in df.select(cols).iter_rows()]}


def _labelled(df: pl.DataFrame, label: str, name: str) -> list[str]:
    if name in df.columns:
        return [f"{n}" if n else f"{i}" for i, n in zip(df[label].to_list(), df[name].to_list(), strict=True)]
    return [str(x) for x in df[label].to_list()]


def oem_chart(oems: pl.DataFrame) -> dict[str, Any]:
    """Import content of each OEM's vehicles [%]: known imports and the maximum, grouped bars (top ``TOP``
    by demand value, the analysis' order)."""
    top = oems.head(TOP)
    return {
        "labels": _labelled(top, "organization", "name"),
        "series": [
            {"name": "import content [%]", "values": top["import content [%]"].to_list()},
            {"name": "import content max [%]", "values": top["import content max [%]"].to_list()},
            {"name": "coverage [%]", "values": top["coverage [%]"].to_list()},
        ],
    }


def vehicle_chart(vehicles: pl.DataFrame) -> dict[str, Any]:
    """Import content [%] of the ``TOP`` vehicle models with the largest demand value, known and maximum."""
    top = vehicles.head(TOP)
    return {
        "labels": _labelled(top, "part", "part name"),
        "series": [
            {"name": "import content [%]", "values": top["import content [%]"].to_list()},
            {"name": "import content max [%]", "values": top["import content max [%]"].to_list()},
        ],
    }


def tier_chart(tiers: pl.DataFrame, vehicles: list[str]) -> dict[str, Any]:
    """Imported value added at tier k [% of vehicle value], one line per vehicle model (the first ``SERIES``
    of ``vehicles``), tier on the x axis."""
    shown = [v for v in vehicles if v in set(tiers["vehicle"].to_list())][:SERIES]
    levels = sorted(set(tiers["tier"].to_list()))
    series = []
    for v in shown:
        at = dict(tiers.filter(pl.col("vehicle") == v).select("tier", "imported value added [%]").iter_rows())
        series.append({"name": v, "values": [at.get(k) for k in levels]})
    return {"labels": [str(k) for k in levels], "series": series}


def origin_chart(origins: pl.DataFrame, vehicles: list[str]) -> dict[str, Any]:
    """Share of vehicle value [%] added in each country of origin outside the group, grouped bars per
    vehicle model (the first ``SERIES`` of ``vehicles``, the ``SERIES`` origins that appear most often)."""
    shown = [v for v in vehicles if v in set(origins["vehicle"].to_list())][:SERIES]
    sub = origins.filter(pl.col("vehicle").is_in(shown))
    counts = sub.group_by("origin").len().sort(["len", "origin"], descending=[True, False])
    countries = counts["origin"].head(SERIES).to_list()
    series = []
    for c in countries:
        at = dict(sub.filter(pl.col("origin") == c).select("vehicle", "share of vehicle value [%]").iter_rows())
        series.append({"name": c, "values": [at.get(v) for v in shown]})
    return {"labels": shown, "series": series}


def _every_project(df: pl.DataFrame) -> pl.DataFrame:
    """The rows of every project together: ``ALL``, or the one project's where there is only one."""
    projects = set(df["project"].to_list())
    if ALL not in projects and len(projects) == 1:
        return df
    return df.filter(pl.col("project") == ALL)


def trend_chart(summary: pl.DataFrame) -> dict[str, Any]:
    """Import content of the vehicle set [%] year by year: without any project and with all of them."""
    rows = _every_project(summary).sort("year")
    return {
        "labels": [str(y) for y in rows["year"].to_list()],
        "series": [
            {"name": "import content before [%]", "values": rows["import content before [%]"].to_list()},
            {"name": "import content after [%]", "values": rows["import content after [%]"].to_list()},
        ],
    }


def oem_trend_chart(oems: pl.DataFrame, order: list[str]) -> dict[str, Any]:
    """Import content [%] of the first ``SERIES`` OEMs of ``order`` year by year, with all projects."""
    rows = _every_project(oems)
    years = sorted(set(rows["year"].to_list()))
    series = []
    for org in [o for o in order if o in set(rows["organization"].to_list())][:SERIES]:
        at = dict(rows.filter(pl.col("organization") == org).select("year", "import content after [%]").iter_rows())
        series.append({"name": org, "values": [at.get(y) for y in years]})
    return {"labels": [str(y) for y in years], "series": series}


def project_trend_chart(summary: pl.DataFrame) -> dict[str, Any]:
    """Δ import content [pp] of each project alone, year by year."""
    rows = summary.filter(pl.col("project") != ALL)
    years = sorted(set(rows["year"].to_list()))
    series = []
    for p in sorted(set(rows["project"].to_list())):
        at = dict(rows.filter(pl.col("project") == p).select("year", "Δ import content [pp]").iter_rows())
        series.append({"name": p, "values": [at.get(y) for y in years]})
    return {"labels": [str(y) for y in years], "series": series}


def target_chart(capacity: pl.DataFrame) -> dict[str, Any]:
    """Target capacity against capacity online [units/yr] per project output part, in the last year."""
    if capacity.height == 0:
        return {"labels": [], "series": []}
    last = capacity.filter(pl.col("year") == capacity["year"].max()).sort("project", "part")
    return {
        "labels": [f"{p} · {q}" for p, q in zip(last["project"].to_list(), last["part"].to_list(), strict=True)],
        "series": [
            {"name": "target [units/yr]", "values": last["target [units/yr]"].to_list()},
            {"name": "capacity added [units/yr]", "values": last["capacity added [units/yr]"].to_list()},
        ],
        "year": capacity["year"].max(),
    }


LOC_COLUMNS = {
    "oems": ["organization", "name", "models", "vehicles [units/yr]", "import content [%]",
             "import content max [%]", "coverage [%]"],
    "vehicles": ["part", "part name", "oems", "demand [units/yr]", "import content [%]", "import content max [%]",
                 "coverage [%]"],
    "tiers": ["vehicle", "tier", "value added [%]", "imported value added [%]", "coverage [%]"],
    "origins": ["vehicle", "origin", "share of vehicle value [%]", "share of imported value [%]", "coverage [%]"],
}  # fmt: skip
IMPACT_COLUMNS = {
    "summary": ["project", "year", "import content before [%]", "import content after [%]", "Δ import content [pp]",
                "capex [RUB]"],
    "capacity": ["year", "project", "host site", "part", "target [units/yr]", "ramp-up [fraction]",
                 "capacity added [units/yr]", "note"],
}  # fmt: skip


def localisation_view(loc: dict[str, pl.DataFrame] | None, impact: dict[str, pl.DataFrame] | None) -> dict[str, Any]:
    """Charts (data for ``charts.js``) and tables of the page from the masked ``localisation`` and ``impact``
    result tables (either may be None: not computed yet)."""
    out: dict[str, Any] = {"charts": {}, "tables": {}}
    if loc is not None:
        vehicles = [str(v) for v in loc["vehicles"]["part"].to_list()]
        out["charts"]["oems"] = oem_chart(loc["oems"])
        out["charts"]["vehicles"] = vehicle_chart(loc["vehicles"])
        out["charts"]["tiers"] = tier_chart(loc["tiers"], vehicles)
        out["charts"]["origins"] = origin_chart(loc["origins"], vehicles)
        out["tables"].update({n: _rows(loc.get(n), cols) for n, cols in LOC_COLUMNS.items()})
    if impact is not None:
        order = [str(o) for o in loc["oems"]["organization"].to_list()] if loc is not None else []
        if not order:
            order = sorted(set(impact["oems"]["organization"].to_list()))
        out["charts"]["trend"] = trend_chart(impact["summary"])
        out["charts"]["oem_trend"] = oem_trend_chart(impact["oems"], order)
        out["charts"]["projects"] = project_trend_chart(impact["summary"])
        out["charts"]["targets"] = target_chart(impact["capacity"])
        out["tables"].update({f"impact {n}": _rows(impact.get(n), cols) for n, cols in IMPACT_COLUMNS.items()})
    return out
