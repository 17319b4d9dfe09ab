"""Pages: projects and the programme, one project (ramp-up, milestones, impact), the portfolio frontier.

Project records are public programme data, so the project list, a
project's card and the programme summary are computed on the request from
the dataset as the viewer may see it (the shares of substitutable links of
other organisations are already blank there).  Impact and portfolio runs are
background jobs; their pages show the stored result, masked for the viewer.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, HTTPException, Path, status
from fastapi.responses import Response

from importsub.analysis.programme import milestones, project_card
from importsub.model.dataset import Dataset
from importsub.web.deps import CsrfChecked, DatasetPageDep
from importsub.web.i18n import gettext as _
from importsub.web.services.programme import rampup_chart
from importsub.web.services.result_views import impact_view, project_impact_view
from importsub.web.services.results import recent_jobs
from importsub.web.services.views import programme_view

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


def _projects(ds: Dataset, as_of: dt.date) -> list[dict[str, Any]]:
    ms = milestones(ds, as_of)
    per = {
        r["project"]: r
        for r in ms.group_by("project")
        .agg(
            pl.len().alias("total"),
            pl.col("state").is_in(["done on time", "done late"]).sum().alias("done"),
            (pl.col("state") == "overdue").sum().alias("overdue"),
            pl.col("slip [days]").max().alias("slip"),
        )
        .to_dicts()
    }
    out = []
    for p in ds.projects.sort("id").to_dicts():
        m = per.get(p["id"], {})
        out.append({**p, "ms_total": m.get("total", 0), "ms_done": m.get("done", 0), "ms_overdue": m.get("overdue", 0)})
    return out


@router.get("/projects")
def projects_page(page: DatasetPageDep) -> Response:
    """The programme: status counts, capacity online vs plan, every project, the side-by-side impact."""
    name, datasets = page.dataset, page.datasets
    ctx: dict[str, Any] = {"dataset": name, "all_datasets": page.all_datasets}
    if name is not None:
        today = dt.date.today()
        info = datasets.resolve(name)
        ds = page.visible(name)
        ctx["info"] = info
        ctx["programme"] = datasets.derived(name, None, page.viewer, f"programme:{today}", programme_view)
        ctx["projects"] = _projects(ds, today)
        job = page.stored_job("impact", info, {})
        ctx["impact_job"] = job
        ctx["impact"] = None
        if job is not None and job.status == "done":
            _n, _fp, tables = page.result(job)
            ctx["impact"] = impact_view(tables)
    return page.render("projects.html", ctx)


@router.get("/projects/{project}")
def project_page(page: DatasetPageDep, project: Annotated[str, Path(min_length=1, max_length=200)]) -> Response:
    """One project: status, partners, outputs, ramp-up curve, milestones, substitutable links, impact."""
    name, datasets = page.dataset, page.datasets
    if name is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No project %(p)s.", p=project))
    ds = page.visible(name)
    if ds.projects.filter(pl.col("id") == project).height == 0:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=_("No project %(p)s in dataset %(d)s.", p=project, d=name)
        )
    card = project_card(ds, project, dt.date.today())
    info = datasets.resolve(name)
    record = ds.projects.filter(pl.col("id") == project).to_dicts()[0]
    ctx: dict[str, Any] = {
        "dataset": name,
        "all_datasets": page.all_datasets,
        "info": info,
        "p": record,
        "card": {t: df.to_dicts() for t, df in card.tables.items()},
        "rampup_chart": rampup_chart(card["ramp-up"]),
        "job": None,
        "impact": None,
    }
    job = page.stored_job("project", info, {"project": project})
    ctx["job"] = job
    if job is not None and job.status == "done":
        _n, fingerprint, tables = page.result(job)
        ctx["impact"] = project_impact_view(tables)
        ctx["fingerprint"] = fingerprint
    return page.render("project.html", ctx)


@router.get("/portfolio")
def portfolio_page(page: DatasetPageDep) -> Response:
    """The portfolio form (budget, objective, scenarios) and the runs so far."""
    name = page.dataset
    ctx: dict[str, Any] = {"dataset": name, "all_datasets": page.all_datasets}
    if name is not None:
        ds = page.visible(name)
        ctx["info"] = page.datasets.resolve(name)
        ctx["capex_total"] = float(ds.projects["capex"].fill_null(0).sum()) if ds.projects.height else 0.0
        weights = dict(ds.scenarios.select("name", "weight").iter_rows())
        with_disruption = set(ds.disruptions["scenario"].to_list())
        ctx["scenarios"] = [
            {"name": n, "weight": w, "default": n in with_disruption and (w or 0) > 0} for n, w in weights.items()
        ]
        ctx["recent"] = recent_jobs(page.conn, name, ("portfolio",), visible_to=page.user)
    return page.render("portfolio.html", ctx)
