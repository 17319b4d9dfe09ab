"""Pages: datasets, versions and diffs, record browsing, and file upload with the problems by row and column."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile, status
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from importsub.model.errors import FileFormatError, ValidationError
from importsub.model.schema import TABLE_NAMES
from importsub.model.schema import table as record_type
from importsub.store import accounts, contributions, diff_datasets
from importsub.web.confidentiality import RULES
from importsub.web.deps import AdminUser, CsrfChecked, PageContext, PageDep
from importsub.web.i18n import N_
from importsub.web.i18n import gettext as _
from importsub.web.services.contributions import provenance_visible
from importsub.web.services.records import select_rows
from importsub.web.services.uploads import DATASET_NAME, read_upload

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
    "rules": N_("Localisation rules"),
    "rule_items": N_("Rule items"),
    "rule_thresholds": N_("Rule thresholds"),
    "site_operations": N_("Site operations"),
    "registry_entries": N_("Registry entries"),
}


@router.get("/datasets")
def datasets_page(page: PageDep) -> Response:
    return page.render("datasets.html", {"datasets": page.store.datasets()})


@router.get("/datasets/{name}")
def dataset_page(page: PageDep, name: str) -> Response:
    versions = list(reversed(page.store.versions(name)))
    return page.render(
        "dataset.html", {"name": name, "versions": versions, "tables": TABLE_NAMES, "labels": TABLE_LABELS}
    )


@router.get("/datasets/{name}/diff")
def diff_page(
    page: PageDep,
    name: str,
    a: Annotated[int | None, Query(ge=1)] = None,
    b: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    datasets = page.datasets
    vb = datasets.resolve(name, b).version
    va = datasets.resolve(name, a if a is not None else max(vb - 1, 1)).version
    result = diff_datasets(page.visible(name, va), page.visible(name, vb))
    summary = [r for r in result["summary"].iter_rows(named=True) if r["added"] or r["removed"] or r["changed"]]
    changes = result["changes"].head(1000).to_dicts()
    return page.render(
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


def _provenance(view: PageContext, name: str, table: str) -> list[contributions.ProvenanceEntry]:
    """The latest values of ``table`` set by accepted contributions, as far as this user may see them."""
    entries = contributions.provenance_of(view.conn, dataset=name, table=table, limit=50)
    return [e for e in entries if provenance_visible(e, view.user)]


@router.get("/datasets/{name}/records/{table}")
def records_page(
    view: PageDep,
    name: str,
    table: str,
    version: Annotated[int | None, Query(ge=1)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=10**7)] = 1,
) -> Response:
    if table not in TABLE_NAMES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=table)
    rt = record_type(table)
    info = view.datasets.resolve(name, version)
    df = view.visible(name, info.version).tables[table]
    df = select_rows(df, q=q, where=[], sort=sort, rt=rt)
    size = view.settings.page_size
    pages = max(1, -(-df.height // size))
    page = min(page, pages)
    rows = df.slice((page - 1) * size, size).to_dicts()
    hidden = set(RULES[table].fields) if table in RULES and not view.viewer.is_admin else set()
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
        "provenance": _provenance(view, name, table),
    }
    template = "partials/records_table.html" if view.request.headers.get("hx-request") else "records.html"
    return view.render(template, ctx)


@router.get("/upload")
def upload_page(page: PageDep, admin: AdminUser) -> Response:
    names = [d.name for d in page.store.datasets()]
    return page.render(
        "upload.html",
        {
            "problems": None,
            "total": 0,
            "error": None,
            "dataset": names[0] if names else page.settings.default_dataset,
            "done": None,
        },
    )


@router.post("/upload")
async def upload(
    page: PageDep,
    admin: AdminUser,
    file: Annotated[UploadFile, File()],
    dataset: Annotated[str, Form(max_length=100)],
    note: Annotated[str, Form(max_length=1000)] = "",
    check_only: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    store, settings = page.store, page.settings
    ctx: dict[str, Any] = {"problems": None, "total": 0, "error": None, "dataset": dataset, "done": None}
    if not re.match(DATASET_NAME, dataset):
        ctx["error"] = _("Dataset names use letters, digits, dots, dashes and underscores.")
        return page.render("upload.html", ctx, 400)
    content = await file.read()
    filename = file.filename or "upload"
    try:
        ds = await run_in_threadpool(
            read_upload, content, filename, name=dataset, max_bytes=int(settings.max_upload_mb * 1e6)
        )
    except ValidationError as exc:
        ctx.update(problems=exc.problems, total=exc.total)
        return page.render("upload.html", ctx, 422)
    except FileFormatError as exc:
        ctx["error"] = str(exc)
        return page.render("upload.html", ctx, 400)
    if check_only:
        ctx["done"] = {"checked": True, "counts": ds.counts(), "version": None}
        return page.render("upload.html", ctx)
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
            ip=page.ip,
        )
    return RedirectResponse(f"/datasets/{dataset}?imported={info.version}", status_code=303)
