"""Pages: programme overview, network explorer, analyses and their results.

The analyses page lists every analysis kind of the app
(``app.state.analyses``), and a job's page shows any result: the kinds with
a page of their own through :func:`importsub.web.services.result_views.result_view`,
the others as tables and charts.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError as PydanticValidationError

from importsub.model.messages import localised
from importsub.store import VersionInfo, accounts
from importsub.web.conditional import Cacheable
from importsub.web.deps import CsrfChecked, DatasetPageDep, PageContext, PageDep, WriterUser
from importsub.web.i18n import current_language
from importsub.web.i18n import gettext as _
from importsub.web.services import params, views
from importsub.web.services.localisation_page import localisation_view
from importsub.web.services.result_views import generic_charts, result_view
from importsub.web.templating import column_heading

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


def _localisation_for(page: PageContext, info: VersionInfo) -> dict[str, Any] | None:
    """Import content by organisation from a stored localisation result (default parameters), if any."""
    if "localisation" not in page.analyses:
        return None
    job = page.stored_job("localisation", info, {})
    state: dict[str, Any] = {"available": True, "job": job, "chart": None}
    if job is None or job.status != "done":
        return state
    _name, _fp, tables = page.result(job)
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


@router.get("/", dependencies=[Cacheable])
def overview_page(page: DatasetPageDep) -> Response:
    name, datasets, viewer = page.dataset, page.datasets, page.viewer
    if name is None:
        return page.render("overview.html", {"dataset": None, "all_datasets": []})
    info = datasets.resolve(name)
    # names follow the page language (name_local on Russian pages): one cached overview per language
    data = datasets.derived(name, info.version, viewer, f"overview-{page.language}", views.overview)
    projects = datasets.derived(name, info.version, viewer, "projects", views.project_objects)
    loc = _localisation_for(page, info)
    programme = datasets.derived(name, info.version, viewer, f"programme:{dt.date.today()}", views.programme_view)
    return page.render(
        "overview.html",
        {
            "dataset": name,
            "all_datasets": page.all_datasets,
            "info": info,
            "data": data,
            "projects": projects,
            "localisation": loc,
            "programme": programme,
        },
    )


@router.get("/explorer")
def explorer_page(
    page: DatasetPageDep,
    vehicle: Annotated[str | None, Query(max_length=400, description="site|part")] = None,
    depth: Annotated[int, Query(ge=1, le=12)] = 6,
) -> Response:
    name = page.dataset
    ctx: dict[str, Any] = {
        "dataset": name,
        "all_datasets": page.all_datasets,
        "vehicles": [],
        "vehicle": vehicle,
        "tree": None,
        "summary": None,
        "depth": depth,
    }
    if name is None:
        return page.render("explorer.html", ctx)
    ds = page.visible(name)
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
    return page.render("explorer.html", ctx)


def _dataset_choices(page: PageContext, name: str | None) -> dict[str, Any]:
    """The years (of demand and of ramp-up), scenarios and projects the form offers for dataset ``name``."""
    if name is None:
        return {}
    ds = page.visible(name)
    years = set(ds.demand["year"].to_list()) | set(ds.project_rampup["year"].to_list())
    years |= {y for y in ds.scenarios["year"].to_list() if y is not None}
    return {
        "years": sorted(int(y) for y in years if y is not None),
        "scenarios": sorted(ds.scenarios["name"].to_list()),
        "projects": [(str(p), str(n or "")) for p, n in ds.projects.select("id", "name").sort("id").iter_rows()],
    }


def _analyses_context(page: PageContext, name: str | None, all_datasets: Any) -> dict[str, Any]:
    choices = _dataset_choices(page, name)
    specs = [
        {"kind": s.kind, "title": _(s.title), "fields": params.form_fields(s.params, **choices)}
        for s in page.analyses.values()
    ]
    return {
        "specs": specs,
        "jobs": accounts.list_jobs(page.conn, limit=50, visible_to=page.user),
        "all_datasets": all_datasets,
        "dataset": name,
        "errors": {},
        "submitted": {},
    }


@router.get("/analyses")
def analyses_page(page: PageDep) -> Response:
    name, all_datasets = page.pick_dataset(None)  # the form offers every dataset; ?dataset= is not read here
    return page.render("analyses.html", _analyses_context(page, name, all_datasets))


def _refused(page: PageContext, dataset: str, kind: str, messages: list[str], values: dict[str, Any]) -> Response:
    """The analyses page again, the submitted form's values kept and its problems shown (422)."""
    known = {d.name for d in page.datasets.listing()}
    name, all_datasets = page.pick_dataset(dataset if dataset in known else None)
    ctx = _analyses_context(page, name, all_datasets)
    for spec in ctx["specs"]:
        if spec["kind"] != kind:
            continue
        for f in spec["fields"]:
            if f["name"] in values:
                v = values[f["name"]]
                f["value"] = v if isinstance(v, str) else ", ".join(map(str, v)) if isinstance(v, list) else str(v)
                if f["input"] == "checkbox":
                    f["checked"] = bool(v)
    ctx["errors"] = {kind: messages}
    return page.render("analyses.html", ctx, 422)


@router.post("/analyses/run")
async def run_analysis(page: PageDep, user: WriterUser) -> Response:
    form = await page.request.form()
    kind = str(form.get("kind", ""))
    dataset = str(form.get("dataset", ""))
    spec = page.analyses.get(kind)
    if spec is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=_("No analysis %(k)s; available: %(all)s.", k=kind, all=", ".join(page.analyses)),
        )
    values = params.form_values(spec.params, form)
    try:
        model = spec.params.model_validate(values)
    except PydanticValidationError as exc:
        return _refused(page, dataset, kind, params.error_messages(spec.params, exc), values)
    info = page.datasets.resolve(dataset)
    known = set(page.visible(dataset).scenarios["name"].to_list())
    missing = []
    for fname, scenario in params.scenario_names(spec.params, model):
        if scenario not in known:
            label = f"«{params.label_of(spec.params.model_fields[fname], fname)}»"
            missing.append(_("%(field)s: no scenario %(s)s in dataset %(d)s", field=label, s=scenario, d=dataset))
    if missing:
        return _refused(page, dataset, kind, missing, values)
    job, reused = page.runner.submit(
        kind=kind,
        dataset=dataset,
        version=info.version,
        fingerprint=info.fingerprint,
        params=model,
        user_id=user.id,
        organization=user.organization,
    )
    if not reused:
        with page.store.engine.begin() as conn:
            accounts.audit(
                conn,
                action="analysis submitted",
                user=user,
                target=f"{kind} on {dataset} v{info.version}",
                detail={"job": job.id},
                ip=page.ip,
            )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", dependencies=[Cacheable])
def job_page(page: PageDep, job_id: int) -> Response:
    request = page.request
    job = page.job(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No job %(id)s.", id=job_id))
    ctx: dict[str, Any] = {"job": job, "tables": None, "fingerprint": None, "charts": []}
    if request.headers.get("hx-request") and job.status in ("done", "failed"):
        # the status poll of a page that was waiting: reload it whole, with the result (or the error)
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    if job.status == "done":
        _name, fingerprint, tables = page.result(job)
        ctx["fingerprint"] = fingerprint
        special = result_view(job.kind, tables, page.analyses)
        if special is not None:
            template, extra = special
            return page.render(template, {**ctx, **extra})
        shown = {t: localised(df, current_language()) for t, df in tables.items()}  # sentences in the page language
        ctx["tables"] = {
            t: {"columns": df.columns, "rows": df.head(200).rows(), "total": df.height} for t, df in shown.items()
        }
        spec = page.analyses.get(job.kind)
        ctx["charts"] = generic_charts(tables, spec.charts if spec is not None else None)
    template = (
        "partials/job_status.html"
        if request.headers.get("hx-request") and job.status in ("queued", "running")
        else "job.html"
    )
    return page.render(template, ctx)


# The localisation page (``/localisation``), the headline figure: import content per vehicle model and OEM
# with its range and coverage, by tier and by country of origin (the stored ``localisation`` result of the
# version, default parameters), and year by year without and with the projects, with each project's target
# capacity against the capacity online (the stored ``impact`` result).  A result not computed yet is offered
# as a job; the figures are the masked results' cells (:mod:`importsub.web.services.localisation_page`).

LOCALISATION_KINDS = ("localisation", "impact")


def _stored_state(page: PageContext, kind: str, info: Any) -> dict[str, Any]:
    """A stored result's job and, once done, its masked tables."""
    if kind not in page.analyses:
        return {"available": False, "job": None, "tables": None}
    job = page.stored_job(kind, info, {})
    tables = page.result(job)[2] if job is not None and job.status == "done" else None
    return {"available": True, "job": job, "tables": tables}


def _headed(view: dict[str, Any]) -> dict[str, Any]:
    """Series named by a result column get that column's heading in the page language."""
    for chart in view["charts"].values():
        for s in chart.get("series", []):
            s["name"] = column_heading(s["name"])
    return view


@router.get("/localisation")
def localisation_page(page: DatasetPageDep) -> Response:
    name = page.dataset
    ctx: dict[str, Any] = {"dataset": name, "all_datasets": page.all_datasets, "kinds": LOCALISATION_KINDS}
    if name is None:
        return page.render("localisation.html", ctx)
    info = page.datasets.resolve(name)
    states = {kind: _stored_state(page, kind, info) for kind in LOCALISATION_KINDS}
    lang = current_language()  # the projects' notes (and any other sentence) in the page language
    loc, impact = (
        None if tables is None else {t: localised(df, lang) for t, df in tables.items()}
        for tables in (states["localisation"]["tables"], states["impact"]["tables"])
    )
    ctx.update(info=info, states=states, view=_headed(localisation_view(loc, impact)))
    return page.render("localisation.html", ctx)
