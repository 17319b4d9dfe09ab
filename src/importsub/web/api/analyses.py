"""Analyses as background jobs: submit, follow progress, fetch the stored result, export it as a report.

The analysis kinds are those of the app's registry (``app.state.analyses``,
:class:`importsub.web.services.analyses.Analyses`).  The same request on the
same data (kind, dataset fingerprint, parameters) returns the stored job and
makes the caller one of its requesters.  A job is shown (listed, its status,
result and export) only to its requesters (not their organisations' other
users), the programme and administrators, and a job the programme or an administrator
asked for to everyone (:func:`importsub.store.accounts.job_visible`); to
anyone else it does not exist.  Results are masked for the caller when read, never when stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.engine import Connection

from importsub.store import accounts
from importsub.web.conditional import Cacheable
from importsub.web.deps import (
    AnalysesDep,
    CsrfChecked,
    CurrentUser,
    DatasetsDep,
    RunnerDep,
    SessionDep,
    ViewerDep,
    WriterUser,
    client_ip,
)
from importsub.web.i18n import gettext as _
from importsub.web.services import reports
from importsub.web.services.params import error_messages, translated_schema
from importsub.web.services.results import cell, visible_result
from importsub.web.services.uploads import DATASET_NAME

router = APIRouter(tags=["analyses"], dependencies=[CsrfChecked])


class AnalysisOut(BaseModel):
    kind: str
    title: str
    params_schema: dict[str, Any]


class JobOut(BaseModel):
    id: int
    kind: str
    params: dict[str, Any]
    dataset: str | None
    version: int | None
    status: str
    progress: float = Field(description="Fraction done [0-1]")
    message: str | None
    error: str | None
    reused: bool = Field(default=False, description="True when a stored job with the same inputs was returned")
    created_at: datetime
    updated_at: datetime


class TableOut(BaseModel):
    columns: list[str]
    rows: list[list[Any]]


class ResultOut(BaseModel):
    job: int
    name: str
    fingerprint: dict[str, Any]
    tables: dict[str, TableOut]


def job_out(job: accounts.Job, reused: bool = False) -> JobOut:
    return JobOut(**{k: getattr(job, k) for k in JobOut.model_fields if k != "reused"}, reused=reused)


@router.get("/analyses", dependencies=[Cacheable], response_model=list[AnalysisOut])
def list_analyses(user: CurrentUser, analyses: AnalysesDep) -> Any:
    """Analysis kinds this server can run, with the JSON schema of their parameters (titles, help and choice
    labels in the caller's language; ``x-unit`` the unit of a number)."""
    return [
        AnalysisOut(kind=s.kind, title=_(s.title), params_schema=translated_schema(s.params)) for s in analyses.values()
    ]


@router.post(
    "/analyses/{kind}", response_model=JobOut, status_code=202, responses={200: {"model": JobOut}, 404: {}, 422: {}}
)
def submit_analysis(
    kind: Annotated[str, Path(max_length=100)],
    dataset: Annotated[str, Query(pattern=DATASET_NAME)],
    user: WriterUser,
    datasets: DatasetsDep,
    analyses: AnalysesDep,
    runner: RunnerDep,
    conn: SessionDep,
    request: Request,
    params: Annotated[dict[str, Any], Body(description="Parameters; see GET /api/analyses")] = {},  # noqa: B006 - FastAPI copies it
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Any:
    """Run an analysis in the background (202 with the queued job), or return the stored job for the same inputs (200)."""
    spec = analyses.get(kind)
    if spec is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=_("No analysis %(k)s; available: %(all)s.", k=kind, all=", ".join(analyses)),
        )
    try:
        model = spec.params.model_validate(params)
    except PydanticValidationError as exc:
        messages = error_messages(spec.params, exc)  # naming the field by its label, in the caller's language
        errors = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"], "message": m}
            for e, m in zip(exc.errors(), messages, strict=True)
        ]
        return JSONResponse({"detail": errors}, status_code=422)
    info = datasets.resolve(dataset, version)
    job, reused = runner.submit(
        kind=kind,
        dataset=dataset,
        version=info.version,
        fingerprint=info.fingerprint,
        params=model,
        user_id=user.id,
        organization=user.organization,
    )
    if not reused:
        accounts.audit(
            conn,
            action="analysis submitted",
            user=user,
            target=f"{kind} on {dataset} v{info.version}",
            detail={"job": job.id},
            ip=client_ip(request),
        )
    out = job_out(job, reused)
    return JSONResponse(out.model_dump(mode="json"), status_code=200 if reused else 202)


@router.get("/jobs", dependencies=[Cacheable], response_model=list[JobOut])
def list_jobs(
    user: CurrentUser,
    conn: SessionDep,
    status_: Annotated[Literal["queued", "running", "done", "failed"] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Any:
    """The jobs the caller may see (their organisation's and the programme's; all for the programme), newest first."""
    jobs = accounts.list_jobs(conn, limit=limit, offset=offset, status=status_, visible_to=user)
    return [job_out(j) for j in jobs]


def _job(conn: Connection, job_id: int, user: accounts.User) -> accounts.Job:
    """Job ``job_id`` if ``user`` may see it; otherwise 404, as for a job that does not exist."""
    job = accounts.get_job(conn, job_id=job_id)
    if job is None or not accounts.job_visible(conn, job_id=job_id, user=user):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No job %(id)s.", id=job_id))
    return job


JobId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/jobs/{job_id}", dependencies=[Cacheable], response_model=JobOut, responses={404: {}})
def read_job(job_id: JobId, user: CurrentUser, conn: SessionDep) -> Any:
    """Status and progress of a job."""
    return job_out(_job(conn, job_id, user))


@router.get("/jobs/{job_id}/result", dependencies=[Cacheable], response_model=ResultOut, responses={404: {}, 409: {}})
def read_result(
    job_id: JobId, user: CurrentUser, viewer: ViewerDep, conn: SessionDep, datasets: DatasetsDep, analyses: AnalysesDep
) -> Any:
    """The stored result of a finished job, with figures the caller may not see left empty."""
    name, fingerprint, tables = visible_result(_job(conn, job_id, user), viewer, datasets, analyses)
    return ResultOut(
        job=job_id,
        name=name,
        fingerprint=fingerprint,
        tables={
            t: TableOut(columns=df.columns, rows=[[cell(v) for v in r] for r in df.iter_rows()])
            for t, df in tables.items()
        },
    )


ReportFormat = Literal["xlsx", "json", "csv", "html", "pdf", "zip"]
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


@router.get(
    "/jobs/{job_id}/export",
    response_class=Response,
    responses={
        200: {"content": {m: {} for m in MEDIA.values()}, "description": "The report"},
        404: {},
        409: {},
        503: {"description": "PDF asked for and no Chromium to print it"},
    },
)
def export_result(
    job_id: JobId,
    user: CurrentUser,
    viewer: ViewerDep,
    conn: SessionDep,
    datasets: DatasetsDep,
    analyses: AnalysesDep,
    request: Request,
    format: Annotated[
        ReportFormat,
        Query(
            description="xlsx, json, csv (first table), zip (every table as CSV), html (report with charts) "
            "or pdf (that report printed)"
        ),
    ] = "xlsx",
) -> Response:
    """The result as a file: XLSX (a sheet per table plus the fingerprint), JSON, CSV, an HTML report or its PDF."""
    job = _job(conn, job_id, user)
    name, fingerprint, tables = visible_result(job, viewer, datasets, analyses)
    try:
        spec = analyses.get(job.kind)
        charts = spec.charts if spec is not None and spec.charts else None
        content = reports.render_result(name, fingerprint, tables, format, job=job, charts=charts)
    except reports.PdfUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from None
    accounts.audit(
        conn,
        action="result exported",
        user=user,
        target=f"job {job_id}",
        detail={"format": format},
        ip=client_ip(request),
    )
    suffix = format
    return Response(
        content,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}-job{job_id}.{suffix}"'},
    )
