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
from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.responses import Response

from importsub.model.dataset import Dataset
from importsub.store import accounts
from importsub.web import jobs
from importsub.web.deps import (
    CsrfChecked,
    CurrentUser,
    DatasetsDep,
    SessionDep,
    SettingsDep,
    StoreDep,
    ViewerDep,
)
from importsub.web.i18n import gettext as _
from importsub.web.routes.analyses import visible_result
from importsub.web.routes.pages_dashboard import pick_dataset
from importsub.web.routes.pages_shocks import RESULT_VIEWS, _recent
from importsub.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


def programme_view(ds: Dataset, as_of: dt.date | None = None) -> dict[str, Any] | None:
    """The programme at a glance: status counts ("4 of 14 public"), capacity online vs plan, capex, milestones."""
    if ds.projects.height == 0:
        return None
    from importsub.analysis.programme import programme_summary
    from importsub.web.programme import programme_size

    r = programme_summary(ds, as_of, None, programme_size=programme_size(ds))
    st = r["status"]
    programme_row = st.filter(pl.col("status") == "programme").to_dicts()
    counts = st.filter(~pl.col("status").is_in(["programme", "not public"])).to_dicts()
    cap = r["capacity"]
    total = cap.filter(pl.col("project") == "total").to_dicts()
    per_project = (
        cap.filter(pl.col("project") != "total")
        .group_by("project", maintain_order=True)
        .agg(pl.col("plan [units/yr]").sum(), pl.col("online [units/yr]").sum())
    )
    capex = r["capex"].filter(pl.col("project") == "total").to_dicts()
    ms = {row["state"]: row for row in r["milestones"].to_dicts()}
    return {
        "size": programme_row[0]["projects"] if programme_row else ds.projects.height,
        "public": ds.projects.height,
        "counts": counts,
        "year": r.fingerprint.get("year"),
        "as_of": r.fingerprint.get("as of"),
        "plan": total[0]["plan [units/yr]"] if total else 0.0,
        "online": total[0]["online [units/yr]"] if total else 0.0,
        "capex": capex[0] if capex else {},
        "milestones": ms,
        "chart": {
            "labels": per_project["project"].to_list(),
            "series": [
                {"name": _("plan"), "values": per_project["plan [units/yr]"].to_list()},
                {"name": _("online"), "values": per_project["online [units/yr]"].to_list()},
            ],
        },
    }


def _projects(ds: Dataset, as_of: dt.date) -> list[dict[str, Any]]:
    from importsub.analysis.programme import milestones

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


def _stored(conn: Any, kind: str, info: Any, params: dict[str, Any]) -> accounts.Job | None:
    """The stored job of ``kind`` with these parameters on this version (None if never asked for)."""
    spec = jobs.REGISTRY.get(kind)
    if spec is None:
        return None
    model = spec.params.model_validate(params)
    key = accounts.input_hash(kind=kind, fingerprint=info.fingerprint, params=model.model_dump(mode="json"))
    return accounts.find_job(conn, input_hash=key)


@router.get("/projects")
def projects_page(
    request: Request,
    user: CurrentUser,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    datasets: DatasetsDep,
    conn: SessionDep,
    dataset: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The programme: status counts, capacity online vs plan, every project, the side-by-side impact."""
    name, all_datasets = pick_dataset(store, settings, dataset)
    ctx: dict[str, Any] = {"dataset": name, "all_datasets": all_datasets}
    if name is not None:
        today = dt.date.today()
        info = datasets.resolve(name)
        ds = datasets.visible(name, None, viewer)
        ctx["info"] = info
        ctx["programme"] = datasets.derived(name, None, viewer, f"programme:{today}", programme_view)
        ctx["projects"] = _projects(ds, today)
        job = _stored(conn, "impact", info, {})
        ctx["impact_job"] = job
        ctx["impact"] = None
        if job is not None and job.status == "done":
            _n, _fp, tables = visible_result(job, viewer, datasets)
            ctx["impact"] = impact_view(tables)
    return render(request, "projects.html", ctx)


@router.get("/projects/{project}")
def project_page(
    request: Request,
    user: CurrentUser,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    datasets: DatasetsDep,
    conn: SessionDep,
    project: Annotated[str, Path(min_length=1, max_length=200)],
    dataset: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """One project: status, partners, outputs, ramp-up curve, milestones, substitutable links, impact."""
    name, all_datasets = pick_dataset(store, settings, dataset)
    if name is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No project %(p)s.", p=project))
    from importsub.analysis.programme import project_card
    from importsub.web.programme import rampup_chart

    ds = datasets.visible(name, None, viewer)
    if ds.projects.filter(pl.col("id") == project).height == 0:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=_("No project %(p)s in dataset %(d)s.", p=project, d=name)
        )
    card = project_card(ds, project, dt.date.today())
    info = datasets.resolve(name)
    record = ds.projects.filter(pl.col("id") == project).to_dicts()[0]
    ctx: dict[str, Any] = {
        "dataset": name,
        "all_datasets": all_datasets,
        "info": info,
        "p": record,
        "card": {t: df.to_dicts() for t, df in card.tables.items()},
        "rampup_chart": rampup_chart(card["ramp-up"]),
        "job": None,
        "impact": None,
    }
    job = _stored(conn, "project", info, {"project": project})
    ctx["job"] = job
    if job is not None and job.status == "done":
        _n, fingerprint, tables = visible_result(job, viewer, datasets)
        ctx["impact"] = project_impact_view(tables)
        ctx["fingerprint"] = fingerprint
    return render(request, "project.html", ctx)


@router.get("/portfolio")
def portfolio_page(
    request: Request,
    user: CurrentUser,
    store: StoreDep,
    settings: SettingsDep,
    datasets: DatasetsDep,
    viewer: ViewerDep,
    conn: SessionDep,
    dataset: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The portfolio form (budget, objective, scenarios) and the runs so far."""
    name, all_datasets = pick_dataset(store, settings, dataset)
    ctx: dict[str, Any] = {"dataset": name, "all_datasets": all_datasets}
    if name is not None:
        ds = datasets.visible(name, None, viewer)
        ctx["info"] = datasets.resolve(name)
        ctx["capex_total"] = float(ds.projects["capex"].fill_null(0).sum()) if ds.projects.height else 0.0
        weights = dict(ds.scenarios.select("name", "weight").iter_rows())
        with_disruption = set(ds.disruptions["scenario"].to_list())
        ctx["scenarios"] = [
            {"name": n, "weight": w, "default": n in with_disruption and (w or 0) > 0} for n, w in weights.items()
        ]
        ctx["recent"] = _recent(conn, name, ("portfolio",))
    return render(request, "portfolio.html", ctx)


# ---------------------------------------------------------------- result views


def _find(df: pl.DataFrame, prefix: str) -> str | None:
    return next((c for c in df.columns if c.startswith(prefix)), None)


def impact_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """The side-by-side impact: one row per project and year."""
    summary = tables.get("summary", pl.DataFrame())
    return {"rows": summary.to_dicts(), "columns": summary.columns}


def project_impact_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """Headline figures, import content before/after by OEM (chart), shocks and balance of one project."""
    imp = tables.get("impact", pl.DataFrame())
    head = imp.to_dicts()[0] if imp.height else {}
    oems = tables.get("oems", pl.DataFrame())
    chart: dict[str, Any] = {"labels": [], "series": []}
    if oems.height:
        names = oems.sort("import content before [%]", descending=True, nulls_last=True)
        chart = {
            "labels": names["organization"].to_list(),
            "series": [
                {"name": _("before"), "values": names["import content before [%]"].to_list()},
                {"name": _("after"), "values": names["import content after [%]"].to_list()},
            ],
        }
    return {
        "head": head,
        "oem_chart": chart,
        "oems": oems.to_dicts(),
        "shocks": tables.get("shocks", pl.DataFrame()).to_dicts(),
        "balance": tables.get("balance", pl.DataFrame()).to_dicts(),
        "capacity": tables.get("capacity", pl.DataFrame()).to_dicts(),
        "takeovers": tables.get("takeovers", pl.DataFrame()).to_dicts(),
    }


def portfolio_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """The frontier (budget → best objective, MIP and greedy), the chosen set and why, greedy vs MIP."""
    fr = tables.get("frontier")
    summary = tables.get("summary", pl.DataFrame())
    objective = _find(summary, "objective: ") or (None if fr is None else _find(fr, "objective: "))
    unit = objective.split(": ", 1)[1] if objective else ""
    chart: dict[str, Any] = {"labels": [], "series": []}
    rows: list[dict[str, Any]] = []
    if fr is not None and objective and objective in fr.columns:
        greedy = f"greedy {objective}"
        chart = {
            "labels": [f"{b / 1e9:g}" for b in fr["budget [RUB]"].to_list()],
            "series": [
                {"name": _("MIP (optimal)"), "values": fr[objective].to_list(), "step": True},
                {"name": _("greedy benefit/cost"), "values": fr[greedy].to_list(), "step": True},
            ],
        }
        rows = [
            {
                "budget": r["budget [RUB]"],
                "capex": r["capex used [RUB]"],
                "objective": r[objective],
                "greedy_objective": r[greedy],
                "projects": r["projects"],
                "greedy_projects": r["greedy projects"],
                "differs": r["greedy differs"],
                "import_content": r.get("import content [%]"),
            }
            for r in fr.to_dicts()
        ]
    hidden = bool(rows) and all(r["objective"] is None for r in rows)
    return {
        "unit": unit,
        "objective": objective,
        "chart": chart if not hidden else {"labels": [], "series": []},
        "frontier": rows,
        "hidden": hidden,
        "chosen": tables.get("chosen", pl.DataFrame()).to_dicts(),
        "chosen_columns": tables.get("chosen", pl.DataFrame()).columns,
        "summary": summary.to_dicts(),
        "summary_objective": objective,
        "differences": tables.get("differences", pl.DataFrame()).to_dicts(),
        "differences_column": _find(tables.get("differences", pl.DataFrame()), "greedy worse by"),
        "options": tables.get("options", pl.DataFrame()).to_dicts(),
        "options_benefit": _find(tables.get("options", pl.DataFrame()), "standalone benefit"),
        "scenarios": tables.get("scenarios", pl.DataFrame()).to_dicts(),
        "notes": [n["note"] for n in tables.get("notes", pl.DataFrame({"note": []})).to_dicts()],
    }


RESULT_VIEWS.update(
    {
        "project": ("project_result.html", project_impact_view),
        "portfolio": ("portfolio_result.html", portfolio_view),
    }
)
