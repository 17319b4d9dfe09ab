"""Stored results: analysis results as JSON and back, and a finished job's result as one viewer may see it.

A job stores its result unmasked (:func:`result_to_json`); it is masked
for the caller when read (:func:`visible_result`: figures of other
organisations left empty, aggregates shown under their disclosure rule,
rows ranked by a hidden figure re-ordered), and the masked tables are
cached per job and viewer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import polars as pl
from fastapi import HTTPException, status
from sqlalchemy.engine import Connection

from importsub.store import VersionInfo, accounts
from importsub.web.confidentiality import Viewer, contributors_of, mask_result, site_owners
from importsub.web.i18n import gettext as _
from importsub.web.services.analyses import Analyses
from importsub.web.services.data import Datasets


def cell(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, date | datetime):
        return v.isoformat()
    return v


def result_to_json(result: Any) -> dict[str, Any]:
    """A Result (name, tables, fingerprint) as JSON-able data, column types kept."""
    tables = {}
    for name, df in result.tables.items():
        tables[name] = {
            "columns": df.columns,
            "dtypes": [str(t) for t in df.dtypes],
            "rows": [[cell(v) for v in row] for row in df.iter_rows()],
        }
    fp = result.fingerprint if isinstance(result.fingerprint, dict) else {"fingerprint": str(result.fingerprint)}
    return {
        "name": result.name,
        "fingerprint": {k: cell(v) if not isinstance(v, dict | list) else v for k, v in fp.items()},
        "tables": tables,
    }


_DTYPES = {
    "Float64": pl.Float64,
    "Float32": pl.Float32,
    "Int64": pl.Int64,
    "Int32": pl.Int32,
    "UInt32": pl.UInt32,
    "UInt64": pl.UInt64,
    "Boolean": pl.Boolean,
    "String": pl.String,
    "Date": pl.Date,
}


def result_tables(doc: Mapping[str, Any]) -> dict[str, pl.DataFrame]:
    """The tables of a stored result as polars DataFrames."""
    out = {}
    for name, t in doc.get("tables", {}).items():
        schema = {c: _DTYPES.get(d.split("(")[0], pl.String)() for c, d in zip(t["columns"], t["dtypes"], strict=True)}
        rows = [
            [str(v) if schema[c] == pl.String() and v is not None else v for c, v in zip(t["columns"], r, strict=True)]
            for r in t["rows"]
        ]
        if schema and any(isinstance(dt, pl.Date) for dt in schema.values()):
            str_schema = {c: (pl.String() if isinstance(dt, pl.Date) else dt) for c, dt in schema.items()}
            df = pl.DataFrame(rows, schema=str_schema, orient="row")
            df = df.with_columns(pl.col(c).str.to_date() for c, dt in schema.items() if isinstance(dt, pl.Date))
        else:
            df = pl.DataFrame(rows, schema=schema, orient="row")
        out[name] = df
    return out


def visible_result(
    job: accounts.Job, viewer: Viewer, datasets: Datasets, analyses: Analyses
) -> tuple[str, dict[str, Any], dict[str, pl.DataFrame]]:
    """(name, fingerprint, tables) of a finished job, masked for ``viewer`` (cached per job and viewer)."""
    if job.status != "done" or job.result is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail=_("Job %(id)s is %(status)s; no result yet.", id=job.id, status=job.status)
        )
    return datasets.result(
        (job.id, job.input_hash, viewer.key), lambda: _masked_result(job, viewer, datasets, analyses)
    )


def _masked_result(
    job: accounts.Job, viewer: Viewer, datasets: Datasets, analyses: Analyses
) -> tuple[str, dict[str, Any], dict[str, pl.DataFrame]]:
    assert job.result is not None
    tables = result_tables(job.result)
    spec = analyses.get(job.kind)
    if not viewer.is_admin:
        full = datasets.full(job.dataset or "", job.version)
        group = str(job.params.get("group", "union"))
        tables = mask_result(
            tables,
            viewer,
            site_owners(full),
            analysis=job.kind,
            contributors=contributors_of(full, group),
        )
        if spec is not None and spec.arrange is not None:
            tables = spec.arrange(tables)
    return job.result.get("name", job.kind), dict(job.result.get("fingerprint", {})), tables


def stored_job(
    conn: Connection, analyses: Analyses, kind: str, info: VersionInfo, params: Mapping[str, Any]
) -> accounts.Job | None:
    """The stored job of ``kind`` with these parameters (defaults filled) on this version; None if never asked for
    or if this server has no such kind."""
    spec = analyses.get(kind)
    if spec is None:
        return None
    model = spec.params.model_validate(dict(params))
    key = accounts.input_hash(kind=kind, fingerprint=info.fingerprint, params=model.model_dump(mode="json"))
    return accounts.find_job(conn, input_hash=key)


def recent_jobs(
    conn: Connection, dataset: str | None, kinds: tuple[str, ...], *, visible_to: accounts.User | None = None
) -> list[accounts.Job]:
    """The latest 25 jobs of these kinds on ``dataset`` (among the latest 300 jobs; ``visible_to``: only those
    that user may see)."""
    jobs = accounts.list_jobs(conn, limit=300, visible_to=visible_to)
    return [j for j in jobs if j.kind in kinds and j.dataset == dataset][:25]
