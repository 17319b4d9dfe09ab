"""Pages: datasets, versions and diffs, record browsing, file upload with the problems by row and column, and
contributions.

Contributions through the dashboard (the rules are the API's, :mod:`importsub.web.services.contributions`; every
form carries the session's CSRF token):

* ``/datasets/{name}/records/{table}/edit`` — an analyst edits the rows of their own organisation (the rows
  the ownership rule lets them write), adds or deletes rows, and submits the changes as a **draft
  contribution** instead of writing a version; a refused row says why.
* ``/contributions`` — the drafts of a dataset (the programme and admins: every organisation's; others their
  own organisation's), and a file upload as a contribution.
* ``/contributions/{id}`` — one contribution: what accepting it would change in the latest version, its
  validation problems and contradictions, the decision; the programme (or an admin) accepts it into a new
  version (within the version quotas) or rejects it with a reason.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile, status
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from importsub.model.errors import FileFormatError, ImportsubError, Problem, ValidationError
from importsub.model.ownership import Actor, may_write, row_owners
from importsub.model.schema import TABLE_NAMES
from importsub.model.schema import table as record_type
from importsub.model.validate import cell_text
from importsub.store import accounts, contributions, diff_datasets
from importsub.web.conditional import Cacheable
from importsub.web.confidentiality import RULES
from importsub.web.deps import (
    AdminUser,
    CsrfChecked,
    DatasetPageDep,
    PageContext,
    PageDep,
    ProgrammeUser,
    WriterUser,
    may_send_files,
    quota,
)
from importsub.web.i18n import gettext as _
from importsub.web.labels import table_titles
from importsub.web.services import contributions as service
from importsub.web.services.contributions import provenance_visible
from importsub.web.services.editing import REQUEST, PermissionProblem, QuotaExceeded, check_changes
from importsub.web.services.records import select_rows
from importsub.web.services.uploads import DATASET_NAME, capped_upload_route, read_upload, upload_cap

# a file is streamed to a temporary file under the upload cap (413 as soon as it is passed)
router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked], route_class=capped_upload_route(may_send_files))


@router.get("/datasets", dependencies=[Cacheable])
def datasets_page(page: PageDep) -> Response:
    return page.render("datasets.html", {"datasets": page.store.datasets()})


@router.get("/datasets/{name}", dependencies=[Cacheable])
def dataset_page(page: PageDep, name: str) -> Response:
    versions = list(reversed(page.store.versions(name)))
    return page.render(
        "dataset.html", {"name": name, "versions": versions, "tables": TABLE_NAMES, "labels": table_titles()}
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
            "labels": table_titles(),
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
    size: Annotated[int | None, Query(ge=1, le=500, description="rows per page")] = None,
    where: Annotated[list[str] | None, Query(alias="filter", max_length=20, description="field=value")] = None,
) -> Response:
    """One record table, masked for the viewer, then searched (``q``), filtered (``filter=field=value``,
    repeatable), sorted (``sort=field`` or ``-field``) and cut into pages of ``size`` rows: a hidden cell is
    empty before any of these, so neither the order nor a filter can tell what it holds."""
    if table not in TABLE_NAMES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=table)
    rt = record_type(table)
    info = view.datasets.resolve(name, version)
    df = view.visible(name, info.version).tables[table]
    filters = [w for w in (where or []) if w.strip()]
    df = select_rows(df, q=q, where=filters, sort=sort, rt=rt)
    size = size or view.settings.page_size
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
        "size": size,
        "sizes": sorted({10, 25, 50, 100, 200, view.settings.page_size}),
        "filters": filters,
        "query": _query(version=info.version, q=q or "", sort=sort or "", size=size, filters=filters),
        "labels": table_titles(),
        "confidential": hidden,
        "provenance": _provenance(view, name, table),
    }
    template = "partials/records_table.html" if view.request.headers.get("hx-request") else "records.html"
    return view.render(template, ctx)


def _query(*, version: int, q: str, sort: str, size: int, filters: Sequence[str]) -> str:
    """The query string of a records page without ``page`` and ``sort`` (links add them)."""
    pairs = [("version", str(version)), ("q", q), ("size", str(size))] + [("filter", f) for f in filters]
    return urlencode(pairs)


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
    filename = file.filename or "upload"
    try:
        ds = await run_in_threadpool(read_upload, file.file, filename, name=dataset, max_bytes=upload_cap(settings))
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


# ---------------------------------------------------------------- contributions

EDIT_ROWS = 50
"""Rows of one edit form (a form of more fields than the form parser's limit would be refused)."""
NEW_ROWS = 3
"""Empty rows of an edit form, for records to add."""
FORM = "form"
"""The ``file`` of a problem at a row of an edit form (stored untranslated, shown translated)."""
RECORD_PAGE = "record page"
"""The ``source`` of a contribution submitted through an edit form (stored untranslated, shown translated)."""


# ---------------------------------------------------------------- editing rows as a contribution


def _table(table: str) -> Any:
    if table not in TABLE_NAMES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No such record type."))
    return record_type(table)


def _writable_rows(page: PageContext, name: str, table: str, q: str | None, number: int) -> tuple[pl.DataFrame, int]:
    """The rows of ``table`` (latest version) matching ``q`` that this user may write: page ``number`` of
    them, and how many pages there are."""
    current = page.datasets.full(name)
    df = current.tables[table]
    actor = Actor(page.user.role, page.user.organization)
    if df.height and not actor.is_admin:
        allowed = [may_write(actor, owners) for owners in row_owners(table, df, current)]
        df = df.filter(pl.Series(allowed, dtype=pl.Boolean))
    df = select_rows(df, q=q, where=[], sort=None, rt=record_type(table))
    pages = max(1, -(-df.height // EDIT_ROWS))
    number = min(number, pages)
    return df.slice((number - 1) * EDIT_ROWS, EDIT_ROWS), pages


def _texts(row: Mapping[str, Any], fields: Sequence[str]) -> dict[str, str]:
    return {f: cell_text(row.get(f)) or "" for f in fields}


def _edit_context(name: str, table: str, rows: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    rt = record_type(table)
    return {
        "name": name,
        "table": table,
        "rt": rt,
        "labels": table_titles(),
        "rows": rows,
        "new_rows": extra.pop("new_rows", [dict.fromkeys(rt.field_names, "") for _ in range(NEW_ROWS)]),
        "problems": None,
        "total": 0,
        "error": None,
        "note": "",
        "q": "",
        "page": 1,
        "pages": 1,
        "confidential": set(RULES[table].fields) if table in RULES else set(),
        **extra,
    }


@router.get("/datasets/{name}/records/{table}/edit")
def edit_page(
    page: PageDep,
    writer: WriterUser,
    name: str,
    table: str,
    q: Annotated[str | None, Query(max_length=200)] = None,
    number: Annotated[int, Query(alias="page", ge=1, le=10**7)] = 1,
) -> Response:
    rt = _table(table)
    version = page.datasets.resolve(name).version
    df, pages = _writable_rows(page, name, table, q, number)
    rows = [_texts(r, rt.field_names) for r in df.iter_rows(named=True)]
    ctx = _edit_context(name, table, rows, q=q or "", page=min(number, pages), pages=pages, version=version)
    return page.render("record_edit.html", ctx)


def _count(value: Any, cap: int) -> int:
    """A row count sent with the form, at most ``cap`` (anything else than a number: none)."""
    text = str(value or "")
    return min(int(text), cap) if text.isdigit() else 0


def _form_rows(form: Any, prefix: str, count: int, fields: Sequence[str]) -> list[dict[str, str]]:
    return [{f: str(form.get(f"{prefix}{i}.{f}") or "").strip() for f in fields} for i in range(count)]


def _form_changes(
    form: Any, rt: Any, current: Any
) -> tuple[
    list[dict[str, str]], list[dict[str, str]], list[dict[str, str | None]], list[int], list[dict[str, str]], list[int]
]:
    """(rows shown, new rows, records to upsert, the form row of each, keys to delete, the form row of each).

    A shown row whose values equal the stored ones is not sent; one whose key changed deletes the stored key."""
    fields, key = rt.field_names, list(rt.key)
    count = _count(form.get("rows"), EDIT_ROWS)
    shown = _form_rows(form, "r", count, fields)
    was = [{k: str(form.get(f"r{i}.was.{k}") or "") for k in key} for i in range(count)]
    new = _form_rows(form, "n", _count(form.get("new"), NEW_ROWS), fields)
    stored_rows = {
        tuple(cell_text(r[k]) or "" for k in key): _texts(r, fields)
        for r in current.tables[rt.name].iter_rows(named=True)
    }
    upserts: list[dict[str, str | None]] = []
    upsert_rows: list[int] = []
    deletes: list[dict[str, str]] = []
    delete_rows: list[int] = []
    for i, values in enumerate(shown):
        old_key = tuple(was[i][k] for k in key)
        if form.get(f"r{i}.delete"):
            deletes.append(was[i])
            delete_rows.append(i + 1)
            continue
        if stored_rows.get(old_key) == values:
            continue
        if tuple(values[k] for k in key) != old_key and old_key in stored_rows:
            deletes.append(was[i])
            delete_rows.append(i + 1)
        upserts.append({f: v or None for f, v in values.items()})
        upsert_rows.append(i + 1)
    for j, values in enumerate(new):
        if any(values.values()):
            upserts.append({f: v or None for f, v in values.items()})
            upsert_rows.append(count + j + 1)
    return shown, new, upserts, upsert_rows, deletes, delete_rows


def _on_form(problems: Sequence[Problem], rows: Sequence[int], table: str) -> list[Problem]:
    """Problems of request records (``request``, table, position) placed at the form row they came from."""
    out = []
    for p in problems:
        if p.file == REQUEST and p.sheet == table and p.row is not None and 0 < p.row <= len(rows):
            p = dataclasses.replace(p, file=FORM, row=rows[p.row - 1])
        out.append(p)
    return out


def _refused_deletes(
    user: Any, current: Any, table: str, deletes: Sequence[dict[str, str]], rows: Sequence[int]
) -> list[Problem]:
    """Deletions the user may not make, each at its form row with why."""
    out = []
    for key, row in zip(deletes, rows, strict=True):
        draft = service.draft_from_records({}, {table: [key]})
        try:
            check_changes(user, current, {}, draft.deletes)
        except PermissionProblem as exc:
            out += [dataclasses.replace(p, file=FORM, sheet=table, row=row) for p in exc.problems]
    return out


@router.post("/datasets/{name}/records/{table}/edit")
async def submit_edits(page: PageDep, writer: WriterUser, name: str, table: str) -> Response:
    """The edited rows as a draft contribution of the user's organisation (nothing is written to a version)."""
    rt = _table(table)
    form = await page.request.form()
    info = page.datasets.resolve(name)
    current = page.datasets.full(name, info.version)
    shown, new, upserts, upsert_rows, deletes, delete_rows = _form_changes(form, rt, current)
    note = str(form.get("note") or "").strip()[:1000] or None
    base = {"q": str(form.get("q") or ""), "note": note or "", "new_rows": new, "version": info.version}

    def again(code: int, problems: Sequence[Problem] = (), error: str | None = None) -> Response:
        ctx = _edit_context(name, table, shown, problems=list(problems), total=len(problems), error=error, **base)
        return page.render("record_edit.html", ctx, code)

    try:
        draft = service.draft_from_records({table: upserts} if upserts else {}, {table: deletes} if deletes else {})
    except ValidationError as exc:
        return again(422, _on_form(exc.problems, upsert_rows, table), _("Nothing was submitted."))
    # problems of the merged dataset, stored with the draft, name the form's rows
    draft = dataclasses.replace(draft, locations={table: [(FORM, table, row) for row in upsert_rows]})
    refused = _refused_deletes(writer, current, table, deletes, delete_rows)
    if refused:
        return again(403, refused, _("You may not change some of these records."))
    try:
        c = await run_in_threadpool(
            service.submit,
            page.store,
            current,
            info,
            user=writer,
            draft=draft,
            source=RECORD_PAGE,
            note=note,
            max_open_drafts=page.settings.max_open_drafts_per_organization,
        )
    except PermissionProblem as exc:
        return again(403, _on_form(exc.problems, upsert_rows, table), _("You may not change some of these records."))
    except ValidationError as exc:
        return again(422, exc.problems, _("Nothing was changed."))
    except service.DraftCapReached as exc:
        return again(429, (), str(exc))
    _audit_submitted(page, c)
    return RedirectResponse(f"/contributions/{c.id}?submitted=1", status_code=303)


def _audit_submitted(page: PageContext, c: contributions.Contribution) -> None:
    with page.store.writing() as conn:
        accounts.audit(
            conn,
            action="contribution submitted",
            user=page.user,
            target=f"{c.dataset} contribution {c.id}",
            detail={"source": c.source, "problems": len(c.problems), "contradictions": len(c.contradictions)},
            ip=page.ip,
        )


# ---------------------------------------------------------------- the list, and a file as a contribution


def _listing(page: PageContext, name: str | None, state: str | None) -> list[contributions.Contribution]:
    if name is None:
        return []
    return contributions.list_contributions(
        page.conn,
        dataset=name,
        organization=page.user.organization,
        every_organization=service.sees_every_contribution(page.user),
        status=state,
        limit=200,
    )


def _list_page(page: PageContext, state: str | None = None, code: int = 200, **extra: Any) -> Response:
    ctx = {
        "contributions": _listing(page, page.dataset, state),
        "state": state or "",
        "statuses": contributions.STATUSES,
        "dataset": page.dataset,
        "datasets": page.all_datasets,
        "error": None,
        "problems": None,
        "total": 0,
        "sees_all": service.sees_every_contribution(page.user),
        **extra,
    }
    return page.render("contributions.html", ctx, code)


@router.get("/contributions")
def contributions_page(
    page: DatasetPageDep, state: Annotated[str | None, Query(alias="status", max_length=20)] = None
) -> Response:
    return _list_page(page, state if state in contributions.STATUSES else None)


@router.post("/contributions/upload")
async def upload_contribution(
    page: DatasetPageDep,
    writer: WriterUser,
    file: Annotated[UploadFile, File()],
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """A file of the user's organisation's records as a draft contribution to the page's dataset."""
    if page.dataset is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No dataset yet."))
    filename = file.filename or "upload"
    max_bytes = upload_cap(page.settings)
    info = page.datasets.resolve(page.dataset)
    try:
        draft = await run_in_threadpool(service.draft_from_file, file.file, filename, max_bytes=max_bytes)
        c = await run_in_threadpool(
            service.submit,
            page.store,
            page.datasets.full(page.dataset, info.version),
            info,
            user=writer,
            draft=draft,
            source=filename,
            note=note.strip() or None,
            max_open_drafts=page.settings.max_open_drafts_per_organization,
        )
    except FileFormatError as exc:
        return _list_page(page, code=400, error=str(exc))
    except ValidationError as exc:
        return _list_page(page, code=422, problems=exc.problems, total=exc.total, error=_("Nothing was submitted."))
    except PermissionProblem as exc:
        return _list_page(
            page,
            code=403,
            problems=exc.problems,
            total=len(exc.problems),
            error=_("You may not change some of these records."),
        )
    except service.DraftCapReached as exc:
        return _list_page(page, code=429, error=str(exc))
    _audit_submitted(page, c)
    return RedirectResponse(f"/contributions/{c.id}?submitted=1", status_code=303)


# ---------------------------------------------------------------- one contribution, and the decision


def _readable(page: PageContext, contribution_id: int) -> contributions.Contribution:
    with page.store.engine.connect() as conn:  # not the page's transaction: a decision writes after this
        c = contributions.get_contribution(conn, contribution_id=contribution_id)
    if c is None or not service.may_read(page.user, c):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No contribution %(id)s.", id=contribution_id))
    return c


def _detail(page: PageContext, c: contributions.Contribution, code: int = 200, **extra: Any) -> Response:
    current = page.datasets.full(c.dataset)
    problems = service.problems_for([Problem(**p) for p in c.problems], page.user, c.organization)
    ctx = {
        "c": c,
        "changes": service.draft_diff(c, current, page.viewer) if c.status == "draft" else [],
        "problems": problems,
        "total": len(problems),
        "labels": table_titles(),
        "decides": page.user.role in ("admin", "programme"),
        "submitted": page.request.query_params.get("submitted") == "1",
        "error": None,
        "decision_problems": None,
        **extra,
    }
    return page.render("contribution.html", ctx, code)


@router.get("/contributions/{contribution_id}")
def contribution_page(page: PageDep, contribution_id: int) -> Response:
    return _detail(page, _readable(page, contribution_id))


@router.post("/contributions/{contribution_id}/accept")
async def accept_contribution(page: PageDep, programme: ProgrammeUser, contribution_id: int) -> Response:
    c = _readable(page, contribution_id)
    try:
        info = await run_in_threadpool(
            service.accept, page.store, page.datasets.full(c.dataset), c, user=programme, quota=quota(page.request)
        )
    except service.ContributionError as exc:
        return _detail(page, c, 409, error=str(exc))
    except PermissionProblem as exc:
        detail = _("The submitter may not change some of these records in the latest version.")
        return _detail(page, c, 409, error=detail, decision_problems=exc.problems)
    except ValidationError as exc:
        detail = _("The contribution does not fit the latest version; nothing was written.")
        return _detail(
            page, c, 422, error=detail, decision_problems=service.problems_for(exc.problems, programme, c.organization)
        )
    except QuotaExceeded as exc:
        return _detail(page, c, 429, error=str(exc))
    with page.store.writing() as conn:
        accounts.audit(
            conn,
            action="contribution accepted",
            user=programme,
            target=f"{c.dataset} contribution {c.id} -> v{info.version}",
            ip=page.ip,
        )
    return RedirectResponse(f"/contributions/{c.id}", status_code=303)


@router.post("/contributions/{contribution_id}/reject")
def reject_contribution(
    page: PageDep,
    programme: ProgrammeUser,
    contribution_id: int,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    c = _readable(page, contribution_id)
    if not reason.strip():
        return _detail(page, c, 400, error=_("Give a reason for the submitter."))
    try:
        with page.store.writing() as conn:
            service.reject(conn, c, user=programme, reason=reason.strip())
            accounts.audit(
                conn,
                action="contribution rejected",
                user=programme,
                target=f"{c.dataset} contribution {c.id}",
                ip=page.ip,
            )
    except ImportsubError as exc:
        return _detail(page, c, 409, error=str(exc))
    return RedirectResponse(f"/contributions/{c.id}", status_code=303)
