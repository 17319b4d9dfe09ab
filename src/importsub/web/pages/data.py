"""Pages: datasets, versions and diffs, record browsing, and file upload with the problems by row and column."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile, status
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from importsub.model.errors import FileFormatError, ValidationError
from importsub.model.schema import TABLE_NAMES
from importsub.model.schema import table as record_type
from importsub.store import accounts, diff_datasets
from importsub.web.confidentiality import RULES
from importsub.web.deps import (
    AdminUser,
    CsrfChecked,
    CurrentUser,
    DatasetsDep,
    SettingsDep,
    StoreDep,
    ViewerDep,
    client_ip,
)
from importsub.web.i18n import N_
from importsub.web.i18n import gettext as _
from importsub.web.routes.records import select_rows
from importsub.web.templating import render
from importsub.web.uploads import read_upload

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])

TABLE_LABELS = {
    "countries": N_("Countries"),
    "country_groups": N_("Country groups"),
    "organizations": N_("Organisations"),
    "sites": N_("Sites"),
    "parts": N_("Parts"),
    "bom": N_("Bills of materials"),
    "production": N_("Production"),
    "capacity_pools": N_("Capacity pools"),
    "inventory": N_("Inventory"),
    "supply_links": N_("Supply links"),
    "demand": N_("Demand"),
    "projects": N_("Projects"),
    "project_partners": N_("Project partners"),
    "project_outputs": N_("Project outputs"),
    "project_rampup": N_("Project ramp-up"),
    "milestones": N_("Milestones"),
    "project_substitutes": N_("Project substitutes"),
    "scenarios": N_("Scenarios"),
    "disruptions": N_("Disruptions"),
    "demand_changes": N_("Demand changes"),
    "scenario_projects": N_("Scenario projects"),
}


@router.get("/datasets")
def datasets_page(request: Request, user: CurrentUser, store: StoreDep) -> Response:
    return render(request, "datasets.html", {"datasets": store.datasets()})


@router.get("/datasets/{name}")
def dataset_page(request: Request, name: str, user: CurrentUser, store: StoreDep) -> Response:
    versions = list(reversed(store.versions(name)))
    return render(
        request, "dataset.html", {"name": name, "versions": versions, "tables": TABLE_NAMES, "labels": TABLE_LABELS}
    )


@router.get("/datasets/{name}/diff")
def diff_page(
    request: Request,
    name: str,
    user: CurrentUser,
    viewer: ViewerDep,
    datasets: DatasetsDep,
    a: Annotated[int | None, Query(ge=1)] = None,
    b: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    vb = datasets.resolve(name, b).version
    va = datasets.resolve(name, a if a is not None else max(vb - 1, 1)).version
    result = diff_datasets(datasets.visible(name, va, viewer), datasets.visible(name, vb, viewer))
    summary = [r for r in result["summary"].iter_rows(named=True) if r["added"] or r["removed"] or r["changed"]]
    changes = result["changes"].head(1000).to_dicts()
    return render(
        request,
        "diff.html",
        {
            "name": name,
            "a": va,
            "b": vb,
            "summary": summary,
            "changes": changes,
            "total": result["changes"].height,
            "labels": TABLE_LABELS,
        },
    )


@router.get("/datasets/{name}/records/{table}")
def records_page(
    request: Request,
    name: str,
    table: str,
    user: CurrentUser,
    viewer: ViewerDep,
    datasets: DatasetsDep,
    settings: SettingsDep,
    version: Annotated[int | None, Query(ge=1)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=10**7)] = 1,
) -> Response:
    if table not in TABLE_NAMES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=table)
    rt = record_type(table)
    info = datasets.resolve(name, version)
    df = datasets.visible(name, info.version, viewer).tables[table]
    df = select_rows(df, q=q, where=[], sort=sort, rt=rt)
    size = settings.page_size
    pages = max(1, -(-df.height // size))
    page = min(page, pages)
    rows = df.slice((page - 1) * size, size).to_dicts()
    hidden = set(RULES[table].fields) if table in RULES and not viewer.is_admin else set()
    ctx = {
        "name": name,
        "table": table,
        "rt": rt,
        "version": info.version,
        "rows": rows,
        "total": df.height,
        "page": page,
        "pages": pages,
        "q": q or "",
        "sort": sort or "",
        "labels": TABLE_LABELS,
        "confidential": hidden,
    }
    template = "partials/records_table.html" if request.headers.get("hx-request") else "records.html"
    return render(request, template, ctx)


@router.get("/upload")
def upload_page(request: Request, admin: AdminUser, store: StoreDep, settings: SettingsDep) -> Response:
    names = [d.name for d in store.datasets()]
    return render(
        request,
        "upload.html",
        {
            "problems": None,
            "total": 0,
            "error": None,
            "dataset": names[0] if names else settings.default_dataset,
            "done": None,
        },
    )


@router.post("/upload")
async def upload(
    request: Request,
    admin: AdminUser,
    store: StoreDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
    dataset: Annotated[str, Form(max_length=100)],
    note: Annotated[str, Form(max_length=1000)] = "",
    check_only: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    import re

    from importsub.web.uploads import DATASET_NAME

    ctx: dict[str, Any] = {"problems": None, "total": 0, "error": None, "dataset": dataset, "done": None}
    if not re.match(DATASET_NAME, dataset):
        ctx["error"] = _("Dataset names use letters, digits, dots, dashes and underscores.")
        return render(request, "upload.html", ctx, 400)
    content = await file.read()
    filename = file.filename or "upload"
    try:
        ds = await run_in_threadpool(
            read_upload, content, filename, name=dataset, max_bytes=int(settings.max_upload_mb * 1e6)
        )
    except ValidationError as exc:
        ctx.update(problems=exc.problems, total=exc.total)
        return render(request, "upload.html", ctx, 422)
    except FileFormatError as exc:
        ctx["error"] = str(exc)
        return render(request, "upload.html", ctx, 400)
    if check_only:
        ctx["done"] = {"checked": True, "counts": ds.counts(), "version": None}
        return render(request, "upload.html", ctx)
    info = await run_in_threadpool(
        lambda: store.write_dataset(ds, name=dataset, note=note or None, source=filename, created_by=admin.username)
    )
    with store.engine.begin() as conn:
        accounts.audit(
            conn,
            action="dataset imported",
            user=admin,
            target=f"{dataset} v{info.version}",
            detail={"file": filename},
            ip=client_ip(request),
        )
    return RedirectResponse(f"/datasets/{dataset}?imported={info.version}", status_code=303)
