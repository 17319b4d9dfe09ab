"""Contributions: an organisation submits its slice as a draft; the programme accepts it into a version.

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

# no "from __future__ import annotations": FastAPI reads the models from the signatures
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Path, Query, Request, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from importsub.model.errors import Problem, ValidationError
from importsub.store import accounts
from importsub.store import contributions as stored
from importsub.web.api.schemas import WriteOut, problem_dicts, problems_response
from importsub.web.confidentiality import Viewer
from importsub.web.deps import (
    CsrfChecked,
    CurrentUser,
    DatasetsDep,
    ProgrammeUser,
    SessionDep,
    SettingsDep,
    StoreDep,
    WriterUser,
    client_ip,
    quota,
)
from importsub.web.i18n import gettext as _
from importsub.web.services import contributions as service
from importsub.web.services.editing import PermissionProblem
from importsub.web.services.uploads import safe_filename

router = APIRouter(prefix="/datasets", tags=["contributions"], dependencies=[CsrfChecked])

Records = dict[str, list[dict[str, Any]]]
ContributionId = Annotated[int, Path(ge=1, le=2**31 - 1)]


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
    try:
        c = service.submit(store, current, info, user=user, draft=draft, source=source, note=note)
    except PermissionProblem as exc:
        return problems_response(exc.problems, len(exc.problems), 403, _("You may not change some of these records."))
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
    "/{name}/contributions", response_model=ContributionOut, status_code=201, responses={403: {}, 404: {}, 422: {}}
)
def submit_records(
    name: str, body: ContributionIn, user: WriterUser, store: StoreDep, datasets: DatasetsDep, request: Request
) -> Any:
    """Submit records of your organisation as a draft contribution (nothing changes until the programme accepts)."""
    if sum(len(v) for v in (*body.upserts.values(), *body.deletes.values())) > 100_000:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, detail=_("At most 100000 records at once."))
    draft = service.draft_from_records(body.upserts, body.deletes)
    return _submit(name, draft, "api", body.note, user, store, datasets, request)


@router.post(
    "/{name}/contributions/file",
    response_model=ContributionOut,
    status_code=201,
    responses={400: {}, 403: {}, 404: {}, 422: {}},
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
    content = await file.read()
    filename = safe_filename(file.filename or "upload")
    draft = await run_in_threadpool(
        service.draft_from_file, content, filename, max_bytes=int(settings.max_upload_mb * 1e6)
    )
    return await run_in_threadpool(_submit, name, draft, filename, note, user, store, datasets, request)


@router.get("/{name}/contributions", response_model=list[ContributionOut], responses={404: {}})
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


@router.get("/{name}/provenance", response_model=list[ProvenanceOut], responses={404: {}})
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
