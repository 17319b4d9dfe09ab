"""Datasets and their immutable versions: list, read, diff, upload (admins), validate, export, revert; and
contributions to a dataset.

Contributions: an organisation submits its slice as a draft; the programme accepts it into a version.

* ``POST /datasets/{name}/contributions`` — records by table (added or replaced by key) and keys to delete;
  ``POST /datasets/{name}/contributions/file`` — the same as a file (.xlsx, .json, .csv, .zip of CSV files).
  Writers only; rows of another organisation are refused (403, each named with why).  The draft is stored
  with its validation problems and contradictions against the latest version.
* ``GET /datasets/{name}/contributions`` — your organisation's (the programme and admins: everyone's),
  figures you may not see left empty.
* ``POST /datasets/{name}/contributions/{id}/accept`` — the programme or an admin: a new version (within
  the version quota, else 429); ``.../reject`` with a reason.
* ``GET /datasets/{name}/provenance?record=table:key`` — who changed each field, when, by which submission.

See :mod:`importsub.web.services.contributions`.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile, status
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from importsub.io import write_path
from importsub.model.dataset import Dataset
from importsub.model.errors import Problem, ValidationError
from importsub.store import accounts, diff_datasets
from importsub.store import contributions as stored
from importsub.web.api.schemas import WriteOut, problem_dicts, problems_response
from importsub.web.conditional import Cacheable
from importsub.web.confidentiality import Viewer
from importsub.web.deps import (
    AdminUser,
    CsrfChecked,
    CurrentUser,
    DatasetsDep,
    ProgrammeUser,
    SessionDep,
    SettingsDep,
    StoreDep,
    ViewerDep,
    WriterUser,
    client_ip,
    may_send_files,
    quota,
)
from importsub.web.i18n import gettext as _
from importsub.web.services import contributions as service
from importsub.web.services.editing import PermissionProblem, check_quota
from importsub.web.services.uploads import DATASET_NAME, capped_upload_route, read_upload, safe_filename, upload_cap

# a file is streamed to a temporary file under the upload cap (413 as soon as it is passed)
router = APIRouter(
    prefix="/datasets",
    tags=["datasets"],
    dependencies=[CsrfChecked],
    route_class=capped_upload_route(may_send_files),
)

DatasetName = Annotated[str, Field(pattern=DATASET_NAME)]
VersionQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Version (default: latest)")]


class DatasetOut(BaseModel):
    name: str
    latest: int
    versions: int
    created_at: datetime
    counts: dict[str, int]


class VersionOut(BaseModel):
    dataset: str
    version: int
    created_at: datetime
    note: str | None
    source: str | None
    fingerprint: str
    counts: dict[str, int]
    created_by: str | None


class DatasetDetail(BaseModel):
    name: str
    versions: list[VersionOut]


class DiffRow(BaseModel):
    table: str
    change: str
    key: str
    fields: str


class DiffSummaryRow(BaseModel):
    table: str
    added: int
    removed: int
    changed: int


class DiffOut(BaseModel):
    dataset: str
    a: int
    b: int
    summary: list[DiffSummaryRow]
    changes: list[DiffRow]


class ValidateOut(BaseModel):
    ok: bool
    counts: dict[str, int]
    fingerprint: str


def _version_out(v: Any) -> VersionOut:
    return VersionOut(**{k: getattr(v, k) for k in VersionOut.model_fields})


@router.get("", dependencies=[Cacheable], response_model=list[DatasetOut])
async def list_datasets(user: CurrentUser, datasets: DatasetsDep) -> Any:
    """Every dataset with its latest version and record counts."""
    return [DatasetOut(**d.__dict__) for d in await datasets.listing_async()]


@router.post("", response_model=VersionOut, status_code=201, responses={400: {}, 422: {}})
async def upload_dataset(
    request: Request,
    admin: AdminUser,
    store: StoreDep,
    settings: SettingsDep,
    datasets: DatasetsDep,
    file: Annotated[UploadFile, File(description=".xlsx, .json, .csv or a .zip of CSV files")],
    name: Annotated[str, Form(pattern=DATASET_NAME, description="Dataset name")],
    note: Annotated[str | None, Form(max_length=1000)] = None,
) -> Any:
    """Import a file as a new version of dataset ``name`` (admins). Any problem: 422 with every problem located, nothing written."""
    filename = file.filename or "upload"
    ds = await run_in_threadpool(read_upload, file.file, filename, name=name, max_bytes=upload_cap(settings))
    info = await run_in_threadpool(
        lambda: store.write_dataset(ds, name=name, note=note, source=filename, created_by=admin.username)
    )
    with store.engine.begin() as conn:
        accounts.audit(
            conn,
            action="dataset imported",
            user=admin,
            target=f"{name} v{info.version}",
            detail={"file": filename, "counts": info.counts},
            ip=client_ip(request),
        )
    return _version_out(info)


@router.post("/validate", response_model=ValidateOut, responses={400: {}, 422: {}})
async def validate_file(
    user: WriterUser,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description=".xlsx, .json, .csv or a .zip of CSV files")],
) -> Any:
    """Check a file without writing anything: 200 if clean, 422 with every problem located otherwise."""
    ds = await run_in_threadpool(
        read_upload, file.file, file.filename or "upload", name="upload", max_bytes=upload_cap(settings)
    )
    return ValidateOut(ok=True, counts=ds.counts(), fingerprint=ds.fingerprint())


@router.get("/{name}", dependencies=[Cacheable], response_model=DatasetDetail, responses={404: {}})
def read_dataset_info(name: str, user: CurrentUser, store: StoreDep) -> Any:
    """A dataset's versions, oldest first."""
    return DatasetDetail(name=name, versions=[_version_out(v) for v in store.versions(name)])


@router.get("/{name}/versions", dependencies=[Cacheable], response_model=list[VersionOut], responses={404: {}})
def list_versions(name: str, user: CurrentUser, store: StoreDep) -> Any:
    return [_version_out(v) for v in store.versions(name)]


@router.get("/{name}/versions/{version}", dependencies=[Cacheable], response_model=VersionOut, responses={404: {}})
def read_version(
    name: str, version: Annotated[int, Field(ge=1, le=2**31 - 1)], user: CurrentUser, datasets: DatasetsDep
) -> Any:
    return _version_out(datasets.resolve(name, version))


@router.post("/{name}/revert", response_model=VersionOut, status_code=201, responses={403: {}, 404: {}})
def revert(
    name: str,
    to: Annotated[int, Query(ge=1, le=2**31 - 1, description="Version whose records become the new latest")],
    user: CurrentUser,
    store: StoreDep,
    request: Request,
) -> Any:
    """Revert to version ``to`` (the programme and admins): its records are written as a new version.

    Nothing is deleted: every version stays, so what was reverted can be read and diffed.  The new version
    counts against the user's versions per hour (429 beyond it).
    """
    if user.role not in ("admin", "programme"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=_("Only the programme or an administrator may revert."))
    check_quota(store, user, quota(request))
    old = store.read_dataset(name, to)
    info = store.write_dataset(old, name=name, note=f"revert to v{to}", source="web", created_by=user.username)
    with store.engine.begin() as conn:
        accounts.audit(
            conn, action="dataset reverted", user=user, target=f"{name} v{to} -> v{info.version}", ip=client_ip(request)
        )
    return _version_out(info)


@router.get("/{name}/diff", response_model=DiffOut, responses={404: {}})
def diff(
    name: str,
    user: CurrentUser,
    viewer: ViewerDep,
    datasets: DatasetsDep,
    a: VersionQuery = None,
    b: VersionQuery = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
) -> Any:
    """Records added, removed and changed from version ``a`` (default: the one before ``b``) to ``b`` (default: latest).

    Both versions are masked for the caller first: changes of figures the caller may not see do not show.
    """
    vb = datasets.resolve(name, b).version
    va = datasets.resolve(name, a if a is not None else max(vb - 1, 1)).version
    result = diff_datasets(datasets.visible(name, va, viewer), datasets.visible(name, vb, viewer))
    return DiffOut(
        dataset=name,
        a=va,
        b=vb,
        summary=[DiffSummaryRow(**r) for r in result["summary"].iter_rows(named=True)],
        changes=[DiffRow(**r) for r in result["changes"].head(limit).iter_rows(named=True)],
    )


ExportFormat = Literal["xlsx", "json", "csv"]
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "csv": "application/zip",
}


def export_bytes(ds: Dataset, fmt: str) -> bytes:
    """A (masked) dataset as file content: .xlsx, .json, or a .zip of CSV files."""
    tmp = Path(tempfile.mkdtemp(prefix="importsub-export-"))
    try:
        if fmt == "csv":
            folder = tmp / ds.name
            write_path(ds, folder, "csv")
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(folder.rglob("*.csv")):
                    zf.write(f, f.relative_to(tmp).as_posix())
            return buf.getvalue()
        path = tmp / f"{ds.name}.{fmt}"
        write_path(ds, path, fmt)
        return path.read_bytes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@router.get(
    "/{name}/export",
    responses={200: {"content": {m: {} for m in MEDIA.values()}, "description": "The file"}, 404: {}},
    response_class=Response,
)
def export_dataset(
    name: str,
    user: CurrentUser,
    viewer: ViewerDep,
    datasets: DatasetsDep,
    request: Request,
    conn: SessionDep,
    version: VersionQuery = None,
    format: Annotated[ExportFormat, Query(description="xlsx, json, or csv (a zip of CSV files)")] = "xlsx",
) -> Response:
    """The dataset as a file, with the figures the caller may not see left empty."""
    info = datasets.resolve(name, version)
    ds = datasets.visible(name, info.version, viewer)
    content = export_bytes(ds, format)
    suffix = "zip" if format == "csv" else format
    accounts.audit(
        conn,
        action="dataset exported",
        user=user,
        target=f"{name} v{info.version}",
        detail={"format": format},
        ip=client_ip(request),
    )
    return Response(
        content,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}-v{info.version}.{suffix}"'},
    )


# ---------------------------------------------------------------- contributions


Records = dict[str, list[dict[str, Any]]]
ContributionId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


class ContributionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upserts: Records = Field(default_factory=dict, description="Records to add or replace (by key), by table")
    deletes: Records = Field(default_factory=dict, description="Keys of records to delete, by table")
    note: str | None = Field(default=None, max_length=1000)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, description="Why, for the submitter")


class ContributionOut(BaseModel):
    id: int
    dataset: str
    base_version: int
    organization: str | None
    username: str
    submitted_at: datetime
    source: str
    note: str | None
    status: str
    changes: dict[str, Any] = Field(description="upserts and deletes, figures you may not see left empty")
    problems: list[dict[str, Any]] = Field(description="Validation problems against the version it was checked on")
    contradictions: list[dict[str, Any]] = Field(description="Flags for the programme's review")
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    version: int | None


class AcceptOut(WriteOut):
    contribution: int


class ProvenanceOut(BaseModel):
    table: str
    record: str = Field(description="The record's key values joined by '|'")
    field: str = Field(description="A field name, or '*' for a deleted record")
    change: str
    version: int = Field(description="The version the value first appeared in")
    contribution: int
    organization: str | None
    username: str
    submitted_at: datetime
    accepted_by: str
    accepted_at: datetime


def _out(c: stored.Contribution, user: accounts.User, datasets: DatasetsDep) -> ContributionOut:
    changes = service.masked_changes(c, Viewer.of(user), datasets.full(c.dataset))
    problems = service.problems_for([Problem(**p) for p in c.problems], user, c.organization)
    fields = {k: getattr(c, k) for k in ContributionOut.model_fields if k not in ("changes", "problems")}
    return ContributionOut(**fields, changes=changes, problems=problem_dicts(problems))


def _submit(
    name: str,
    draft: service.Draft,
    source: str,
    note: str | None,
    user: accounts.User,
    store: StoreDep,
    datasets: DatasetsDep,
    request: Request,
) -> Any:
    info = datasets.resolve(name)
    current = datasets.full(name, info.version)
    settings = request.app.state.settings
    try:
        c = service.submit(
            store,
            current,
            info,
            user=user,
            draft=draft,
            source=source,
            note=note,
            max_open_drafts=settings.max_open_drafts_per_organization,
        )
    except PermissionProblem as exc:
        return problems_response(exc.problems, len(exc.problems), 403, _("You may not change some of these records."))
    except service.DraftCapReached as exc:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, detail=str(exc)) from None
    with store.writing() as conn:
        accounts.audit(
            conn,
            action="contribution submitted",
            user=user,
            target=f"{name} contribution {c.id}",
            detail={"source": source, "problems": len(c.problems), "contradictions": len(c.contradictions)},
            ip=client_ip(request),
        )
    return _out(c, user, datasets)


@router.post(
    "/{name}/contributions",
    tags=["contributions"],
    response_model=ContributionOut,
    status_code=201,
    responses={403: {}, 404: {}, 422: {}, 429: {}},
)
def submit_records(
    name: str, body: ContributionIn, user: WriterUser, store: StoreDep, datasets: DatasetsDep, request: Request
) -> Any:
    """Submit records of your organisation as a draft contribution (nothing changes until the programme accepts)."""
    if sum(len(v) for v in (*body.upserts.values(), *body.deletes.values())) > 100_000:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail=_("At most 100000 records at once."))
    draft = service.draft_from_records(body.upserts, body.deletes)
    return _submit(name, draft, "api", body.note, user, store, datasets, request)


@router.post(
    "/{name}/contributions/file",
    tags=["contributions"],
    response_model=ContributionOut,
    status_code=201,
    responses={400: {}, 403: {}, 404: {}, 422: {}, 429: {}},
)
async def submit_file(
    name: str,
    user: WriterUser,
    store: StoreDep,
    datasets: DatasetsDep,
    settings: SettingsDep,
    request: Request,
    file: Annotated[UploadFile, File(description="Your slice: .xlsx, .json, .csv or a .zip of CSV files")],
    note: Annotated[str | None, Form(max_length=1000)] = None,
) -> Any:
    """Submit a file of your organisation's records as a draft contribution (read by the same readers as imports)."""
    filename = safe_filename(file.filename or "upload")
    draft = await run_in_threadpool(service.draft_from_file, file.file, filename, max_bytes=upload_cap(settings))
    return await run_in_threadpool(_submit, name, draft, filename, note, user, store, datasets, request)


@router.get("/{name}/contributions", tags=["contributions"], response_model=list[ContributionOut], responses={404: {}})
def list_contributions(
    name: str,
    user: CurrentUser,
    conn: SessionDep,
    datasets: DatasetsDep,
    status_: Annotated[Literal["draft", "accepted", "rejected"] | None, Query(alias="status")] = None,
    id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Only this contribution")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Any:
    """Contributions to a dataset, newest first: your organisation's (the programme and admins: everyone's)."""
    datasets.resolve(name)
    if id is not None:
        c = stored.get_contribution(conn, contribution_id=id)
        found = [c] if c is not None and c.dataset == name and service.may_read(user, c) else []
        return [_out(c, user, datasets) for c in found if status_ in (None, c.status)]
    rows = stored.list_contributions(
        conn,
        dataset=name,
        organization=user.organization,
        every_organization=service.sees_every_contribution(user),
        status=status_,
        limit=limit,
        offset=offset,
    )
    return [_out(c, user, datasets) for c in rows]


def _draft(store: StoreDep, name: str, contribution_id: int) -> stored.Contribution:
    with store.engine.connect() as conn:
        c = stored.get_contribution(conn, contribution_id=contribution_id)
    if c is None or c.dataset != name:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No contribution %(id)s.", id=contribution_id))
    return c


@router.post(
    "/{name}/contributions/{contribution_id}/accept",
    tags=["contributions"],
    response_model=AcceptOut,
    status_code=201,
    responses={403: {}, 404: {}, 409: {}, 422: {}, 429: {}},
)
def accept(
    name: str,
    contribution_id: ContributionId,
    user: ProgrammeUser,
    store: StoreDep,
    datasets: DatasetsDep,
    request: Request,
) -> Any:
    """Accept a draft into a new version (the programme or an admin); every value it changes gets provenance."""
    c = _draft(store, name, contribution_id)
    try:
        info = service.accept(store, datasets.full(name), c, user=user, quota=quota(request))
    except service.ContributionError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    except PermissionProblem as exc:
        detail = _("The submitter may not change some of these records in the latest version.")
        return problems_response(exc.problems, len(exc.problems), 409, detail)
    except ValidationError as exc:
        detail = _("The contribution does not fit the latest version; nothing was written.")
        return problems_response(service.problems_for(exc.problems, user, c.organization), exc.total, 422, detail)
    with store.writing() as conn:
        accounts.audit(
            conn,
            action="contribution accepted",
            user=user,
            target=f"{name} contribution {c.id} -> v{info.version}",
            ip=client_ip(request),
        )
    return AcceptOut(
        dataset=name, version=info.version, fingerprint=info.fingerprint, counts=info.counts, contribution=c.id
    )


@router.post(
    "/{name}/contributions/{contribution_id}/reject",
    tags=["contributions"],
    response_model=ContributionOut,
    responses={403: {}, 404: {}, 409: {}},
)
def reject(
    name: str,
    contribution_id: ContributionId,
    body: RejectIn,
    user: ProgrammeUser,
    store: StoreDep,
    datasets: DatasetsDep,
    request: Request,
) -> Any:
    """Reject a draft with a reason (the programme or an admin)."""
    c = _draft(store, name, contribution_id)
    try:
        with store.writing() as conn:
            service.reject(conn, c, user=user, reason=body.reason)
            accounts.audit(
                conn,
                action="contribution rejected",
                user=user,
                target=f"{name} contribution {c.id}",
                ip=client_ip(request),
            )
    except service.ContributionError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    return _out(_draft(store, name, contribution_id), user, datasets)


@router.get("/{name}/provenance", tags=["contributions"], response_model=list[ProvenanceOut], responses={404: {}})
def provenance(
    name: str,
    user: CurrentUser,
    conn: SessionDep,
    datasets: DatasetsDep,
    record: Annotated[
        str | None,
        Query(max_length=1000, description="table:key, the key values joined by '|' (supply_links:A|BRK|B)"),
    ] = None,
    field: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> Any:
    """Who changed each value of a record (or of the dataset), when, and by which accepted contribution."""
    datasets.resolve(name)
    table, key = record.split(":", 1) if record and ":" in record else (None, record)
    entries = stored.provenance_of(conn, dataset=name, table=table, record=key, field=field, limit=limit)
    return [
        ProvenanceOut(
            table=e.table,
            record=e.record,
            field=e.field,
            change=e.change,
            version=e.version,
            contribution=e.contribution_id,
            organization=e.organization,
            username=e.username,
            submitted_at=e.submitted_at,
            accepted_by=e.accepted_by,
            accepted_at=e.accepted_at,
        )
        for e in entries
        if service.provenance_visible(e, user)
    ]
