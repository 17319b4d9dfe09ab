"""Pages: programme overview, network explorer, analyses and their results.

Pages for shocks, projects' impact and portfolios join here when those
capabilities register their analyses (:mod:`importsub.web.jobs`): the
analyses page lists every registered kind, and a result page shows any
result's tables and charts.
"""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError as PydanticValidationError

from importsub.model.errors import NotFoundError
from importsub.store import accounts
from importsub.web import jobs, views
from importsub.web.deps import (
    CsrfChecked,
    CurrentUser,
    DatasetsDep,
    RunnerDep,
    SessionDep,
    SettingsDep,
    StoreDep,
    ViewerDep,
    WriterUser,
    client_ip,
)
from importsub.web.i18n import gettext as _
from importsub.web.reports import chart_columns
from importsub.web.routes.analyses import visible_result
from importsub.web.routes.projects import project_objects
from importsub.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


def pick_dataset(store: Any, settings: Any, requested: str | None) -> tuple[str | None, list[Any]]:
    """The dataset to show: the requested one, else the default, else the first."""
    all_datasets = store.datasets()
    names = [d.name for d in all_datasets]
    if requested:
        if requested not in names:
            raise NotFoundError(_("No dataset %(d)s.", d=requested))
        return requested, all_datasets
    if settings.default_dataset in names:
        return settings.default_dataset, all_datasets
    return (names[0] if names else None), all_datasets


def _localisation_for(conn: Any, datasets: Any, viewer: Any, name: str, info: Any) -> dict[str, Any] | None:
    """Import content by organisation from a stored localisation result (default parameters), if any."""
    spec = jobs.REGISTRY.get("localisation")
    if spec is None:
        return None
    params = spec.params()
    key = accounts.input_hash(kind="localisation", fingerprint=info.fingerprint, params=params.model_dump(mode="json"))
    job = accounts.find_job(conn, input_hash=key)
    state: dict[str, Any] = {"available": True, "job": job, "chart": None}
    if job is None or job.status != "done":
        return state
    _name, _fp, tables = visible_result(job, viewer, datasets)
    ordered = sorted(tables.items(), key=lambda kv: kv[0] != "oems")
    for tname, df in ordered:
        share_cols = [c for c in df.columns if c.lower().startswith("import content")]
        label_cols = [c for c in ("name", "organization", "part name", "part") if c in df.columns]
        if share_cols and label_cols:
            top = df.sort(share_cols[0], descending=True, nulls_last=True).head(20)
            state["chart"] = {
                "title": f"{tname}: {share_cols[0]}",
                "labels": [str(x) for x in top[label_cols[0]].to_list()],
                "values": top[share_cols[0]].to_list(),
            }
            break
    return state


@router.get("/")
def overview_page(
    request: Request,
    user: CurrentUser,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    datasets: DatasetsDep,
    conn: SessionDep,
    dataset: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    name, all_datasets = pick_dataset(store, settings, dataset)
    if name is None:
        return render(request, "overview.html", {"dataset": None, "all_datasets": []})
    info = datasets.resolve(name)
    data = datasets.derived(name, info.version, viewer, "overview", views.overview)
    projects = datasets.derived(name, info.version, viewer, "projects", project_objects)
    loc = _localisation_for(conn, datasets, viewer, name, info)
    from datetime import date

    from importsub.web.routes.pages_projects import programme_view

    programme = datasets.derived(name, info.version, viewer, f"programme:{date.today()}", programme_view)
    return render(
        request,
        "overview.html",
        {
            "dataset": name,
            "all_datasets": all_datasets,
            "info": info,
            "data": data,
            "projects": projects,
            "localisation": loc,
            "programme": programme,
        },
    )


@router.get("/explorer")
def explorer_page(
    request: Request,
    user: CurrentUser,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    datasets: DatasetsDep,
    dataset: Annotated[str | None, Query(max_length=100)] = None,
    vehicle: Annotated[str | None, Query(max_length=400, description="site|part")] = None,
    depth: Annotated[int, Query(ge=1, le=12)] = 6,
) -> Response:
    name, all_datasets = pick_dataset(store, settings, dataset)
    ctx: dict[str, Any] = {
        "dataset": name,
        "all_datasets": all_datasets,
        "vehicles": [],
        "vehicle": vehicle,
        "tree": None,
        "summary": None,
        "depth": depth,
    }
    if name is None:
        return render(request, "explorer.html", ctx)
    ds = datasets.visible(name, None, viewer)
    ctx["vehicles"] = views.vehicles(ds)
    if not vehicle and ctx["vehicles"]:
        vehicle = f"{ctx['vehicles'][0]['site']}|{ctx['vehicles'][0]['part']}"
        ctx["vehicle"] = vehicle
    if vehicle:
        site, sep, part = vehicle.partition("|")
        if (
            not sep
            or ds.sites.filter(pl.col("id") == site).height == 0
            or ds.parts.filter(pl.col("id") == part).height == 0
        ):
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, detail=_("No vehicle %(v)s in dataset %(d)s.", v=vehicle, d=name)
            )
        ctx["tree"], ctx["summary"] = views.explore(ds, site, part, max_depth=depth)
    return render(request, "explorer.html", ctx)


@router.get("/analyses")
def analyses_page(
    request: Request, user: CurrentUser, store: StoreDep, settings: SettingsDep, conn: SessionDep
) -> Response:
    name, all_datasets = pick_dataset(store, settings, None)
    specs = [{"kind": s.kind, "title": _(s.title), "fields": _param_fields(s.params)} for s in jobs.REGISTRY.values()]
    return render(
        request,
        "analyses.html",
        {"specs": specs, "jobs": accounts.list_jobs(conn, limit=50), "all_datasets": all_datasets, "dataset": name},
    )


def _is_list(annotation: Any) -> bool:
    """Whether a parameter's type is a list (or an optional list)."""
    import typing

    if typing.get_origin(annotation) is list:
        return True
    return any(typing.get_origin(a) is list for a in typing.get_args(annotation))


def _param_fields(model: Any) -> list[dict[str, Any]]:
    out = []
    for fname, f in model.model_fields.items():
        default = "" if f.default is None or f.is_required() or f.default_factory is not None else f.default
        out.append({"name": fname, "description": f.description or "", "default": default})
    return out


@router.post("/analyses/run")
async def run_analysis(
    request: Request, user: WriterUser, datasets: DatasetsDep, runner: RunnerDep, store: StoreDep
) -> Response:
    form = await request.form()
    kind = str(form.get("kind", ""))
    dataset = str(form.get("dataset", ""))
    spec = jobs.REGISTRY.get(kind)
    if spec is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=_("No analysis %(k)s; available: %(all)s.", k=kind, all=", ".join(jobs.REGISTRY)),
        )
    params: dict[str, Any] = {}
    for fname, field in spec.params.model_fields.items():
        if _is_list(field.annotation):  # checkboxes / multiple select: every value sent
            values = [str(v).strip() for v in form.getlist(fname) if str(v).strip()]
            if values:
                params[fname] = values
            continue
        value = str(form.get(fname, "")).strip()
        if value != "":
            params[fname] = value
    try:
        model = spec.params.model_validate(params)
    except PydanticValidationError as exc:
        detail = "; ".join(
            (f"{'.'.join(str(x) for x in e['loc'])}: " if e["loc"] else "") + str(e["msg"]) for e in exc.errors()
        )
        raise HTTPException(422, detail=detail) from None
    info = datasets.resolve(dataset)
    job, reused = runner.submit(
        kind=kind, dataset=dataset, version=info.version, fingerprint=info.fingerprint, params=model, user_id=user.id
    )
    if not reused:
        with store.engine.begin() as conn:
            accounts.audit(
                conn,
                action="analysis submitted",
                user=user,
                target=f"{kind} on {dataset} v{info.version}",
                detail={"job": job.id},
                ip=client_ip(request),
            )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}")
def job_page(
    request: Request, job_id: int, user: CurrentUser, viewer: ViewerDep, conn: SessionDep, datasets: DatasetsDep
) -> Response:
    job = accounts.get_job(conn, job_id=job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No job %(id)s.", id=job_id))
    ctx: dict[str, Any] = {"job": job, "tables": None, "fingerprint": None, "charts": []}
    if request.headers.get("hx-request") and job.status in ("done", "failed"):
        # the status poll of a page that was waiting: reload it whole, with the result (or the error)
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    if job.status == "done":
        from importsub.web.routes.pages_shocks import result_view

        _name, fingerprint, tables = visible_result(job, viewer, datasets)
        ctx["fingerprint"] = fingerprint
        special = result_view(job.kind, tables)
        if special is not None:
            template, extra = special
            return render(request, template, {**ctx, **extra})
        ctx["tables"] = {
            t: {"columns": df.columns, "rows": df.head(200).rows(), "total": df.height} for t, df in tables.items()
        }
        for i, (tname, df) in enumerate(tables.items()):
            cols = chart_columns(df)
            if cols:
                label, value = cols
                top = df.filter(pl.col(value).is_not_null()).sort(value, descending=True).head(20)
                ctx["charts"].append(
                    {
                        "id": f"chart-{i}",
                        "title": f"{tname}: {value}",
                        "labels": [str(x) for x in top[label].to_list()],
                        "values": top[value].to_list(),
                    }
                )
    template = (
        "partials/job_status.html"
        if request.headers.get("hx-request") and job.status in ("queued", "running")
        else "job.html"
    )
    return render(request, template, ctx)
