"""Pages: the shock builder, shock and Monte Carlo results, and the risk-exposure ranking.

The forms post to ``/analyses/run`` (one background job per request, the
same request on the same data returns the stored job); the results are the
job pages, drawn by :func:`importsub.web.services.result_views.result_view`
from the masked result tables.
"""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Query
from fastapi.responses import Response

from importsub.model.dataset import Dataset
from importsub.web.deps import CsrfChecked, DatasetPageDep
from importsub.web.services.result_views import sweep_view
from importsub.web.services.results import recent_jobs

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])

SHOCK_KINDS = ("shock", "sweep", "montecarlo")
MAX_OPTIONS = 2000
"""Targets offered per kind in the builder's suggestion lists (any other can be typed)."""


def _options(ds: Dataset) -> dict[str, list[dict[str, str]]]:
    """Suggestions for an ad-hoc disruption's target, by target kind (public records only)."""

    def pairs(df: pl.DataFrame, key: str, label: str | None) -> list[dict[str, str]]:
        cols = [key] + ([label] if label and label in df.columns else [])
        rows = df.select(cols).unique(key, maintain_order=True).sort(key).head(MAX_OPTIONS)
        return [{"value": str(r[0]), "label": str(r[1]) if len(r) > 1 and r[1] else ""} for r in rows.iter_rows()]

    links = (
        ds.supply_links.select(pl.concat_str(["buyer", "part", "supplier"], separator="|").alias("link"))
        .sort("link")
        .head(MAX_OPTIONS)
    )
    return {
        "group": [{"value": g, "label": ""} for g in sorted(set(ds.country_groups["group"].to_list()))],
        "country": pairs(ds.countries, "iso2", "name"),
        "organization": pairs(ds.organizations, "id", "name"),
        "site": pairs(ds.sites, "id", "name"),
        "part": pairs(ds.parts, "id", "name"),
        "link": [{"value": v, "label": ""} for v in links["link"].to_list()],
    }


def _scenarios(ds: Dataset) -> list[dict[str, Any]]:
    counts = dict(ds.disruptions.group_by("scenario").len().iter_rows())
    return [
        {
            "name": r["name"],
            "description": r["description"] or "",
            "year": r["year"],
            "disruptions": counts.get(r["name"], 0),
        }
        for r in ds.scenarios.sort("name").iter_rows(named=True)
    ]


@router.get("/shocks")
def shocks_page(page: DatasetPageDep) -> Response:
    """The shock builder: a stored scenario and/or an ad-hoc disruption; Monte Carlo; recent runs."""
    name = page.dataset
    ctx: dict[str, Any] = {"dataset": name, "all_datasets": page.all_datasets, "available": "shock" in page.analyses}
    if name is not None:
        ds = page.visible(name)
        ctx["info"] = page.datasets.resolve(name)
        ctx["scenarios"] = _scenarios(ds)
        ctx["options"] = _options(ds)
        ctx["recent"] = recent_jobs(page.conn, name, SHOCK_KINDS, visible_to=page.user)
    return page.render("shocks.html", ctx)


@router.get("/risk")
def risk_page(page: DatasetPageDep, by: Annotated[str, Query(pattern="^(node|site|country)$")] = "node") -> Response:
    """Risk exposure ranking: the stored sweep (default settings) of the latest version, or a button to run it."""
    name = page.dataset
    ctx: dict[str, Any] = {
        "dataset": name,
        "all_datasets": page.all_datasets,
        "by": by,
        "extra_params": {"by": by},
        "available": "sweep" in page.analyses,
        "job": None,
        "ranking": None,
        "recent": [],
    }
    if name is not None and "sweep" in page.analyses:
        info = page.datasets.resolve(name)
        ctx["info"] = info
        job = page.stored_job("sweep", info, {"by": by})
        ctx["job"] = job
        if job is not None and job.status == "done":
            _n, fingerprint, tables = page.result(job)
            ctx["ranking"] = sweep_view(tables)
            ctx["fingerprint"] = fingerprint
        ctx["recent"] = recent_jobs(page.conn, name, ("sweep",), visible_to=page.user)
    return page.render("risk.html", ctx)
