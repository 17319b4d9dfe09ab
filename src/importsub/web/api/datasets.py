"""Datasets and their immutable versions: list, read, diff, upload (admins), validate, export."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from importsub.io import write_path
from importsub.model.dataset import Dataset
from importsub.store import accounts, diff_datasets
from importsub.web.deps import (
    AdminUser,
    CsrfChecked,
    CurrentUser,
    DatasetsDep,
    SessionDep,
    SettingsDep,
    StoreDep,
    ViewerDep,
    WriterUser,
    client_ip,
    quota,
)
from importsub.web.i18n import gettext as _
from importsub.web.services.editing import check_quota
from importsub.web.services.uploads import DATASET_NAME, read_upload

router = APIRouter(prefix="/datasets", tags=["datasets"], dependencies=[CsrfChecked])

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


@router.get("", response_model=list[DatasetOut])
def list_datasets(user: CurrentUser, store: StoreDep) -> Any:
    """Every dataset with its latest version and record counts."""
    return [DatasetOut(**d.__dict__) for d in store.datasets()]


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
    content = await file.read()
    filename = file.filename or "upload"
    ds = await run_in_threadpool(read_upload, content, filename, name=name, max_bytes=int(settings.max_upload_mb * 1e6))
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
    content = await file.read()
    ds = await run_in_threadpool(
        read_upload, content, file.filename or "upload", name="upload", max_bytes=int(settings.max_upload_mb * 1e6)
    )
    return ValidateOut(ok=True, counts=ds.counts(), fingerprint=ds.fingerprint())


@router.get("/{name}", response_model=DatasetDetail, responses={404: {}})
def read_dataset_info(name: str, user: CurrentUser, store: StoreDep) -> Any:
    """A dataset's versions, oldest first."""
    return DatasetDetail(name=name, versions=[_version_out(v) for v in store.versions(name)])


@router.get("/{name}/versions", response_model=list[VersionOut], responses={404: {}})
def list_versions(name: str, user: CurrentUser, store: StoreDep) -> Any:
    return [_version_out(v) for v in store.versions(name)]


@router.get("/{name}/versions/{version}", response_model=VersionOut, responses={404: {}})
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
