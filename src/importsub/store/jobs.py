"""Background analysis jobs: queue, claim, progress, finish or fail, recovery at start-up.

A job's ``input_hash`` (kind, dataset fingerprint, parameters) is the cache
key of its result.  Everyone who asks for the same inputs shares one job and
becomes one of its requesters (table ``job_requesters``); a job is shown to
its requesters (not to the other users of their organisations: a job's
parameters say what its requester is looking into), to the programme and to
administrators (:func:`job_visible`).  A job the programme or an
administrator asked for is the programme's shared figures: every signed-in
user sees it (its result masked for them, as every result is).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from importsub.store.base import now, utc
from importsub.store.tables import job_requesters, jobs, users
from importsub.store.users import User

JOB_STATUSES: Final[tuple[str, ...]] = ("queued", "running", "done", "failed")
#: roles that see every job, and whose jobs every user sees
SEES_ALL_JOBS: Final[frozenset[str]] = frozenset({"admin", "programme"})


@dataclass(frozen=True)
class Job:
    """A background analysis job."""

    id: int
    kind: str
    params: dict[str, Any]
    input_hash: str
    dataset: str | None
    version: int | None
    status: str
    progress: float
    message: str | None
    result: dict[str, Any] | None
    error: str | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime


def _job(row: Any) -> Job:
    m = dict(row._mapping)
    m["created_at"] = utc(m["created_at"])
    m["updated_at"] = utc(m["updated_at"])
    m["progress"] = float(m["progress"] or 0.0)
    return Job(**m)


def input_hash(*, kind: str, fingerprint: str, params: dict[str, Any]) -> str:
    """SHA-256 of (kind, dataset fingerprint, params) in canonical JSON: the cache key of a result."""
    doc = json.dumps(
        {"kind": kind, "fingerprint": fingerprint, "params": params}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


def find_job(conn: Connection, *, input_hash: str) -> Job | None:
    """The newest job with this input hash that is queued, running or done (a failed one may be retried)."""
    q = (
        sa.select(jobs)
        .where(jobs.c.input_hash == input_hash, jobs.c.status.in_(("queued", "running", "done")))
        .order_by(jobs.c.id.desc())
        .limit(1)
    )
    row = conn.execute(q).first()
    return _job(row) if row else None


def create_job(
    conn: Connection,
    *,
    kind: str,
    params: dict[str, Any],
    input_hash: str,
    dataset: str | None,
    version: int | None,
    created_by: int | None,
) -> Job:
    """Queue a job."""
    t = now()
    job_id = conn.execute(
        jobs.insert()
        .values(
            kind=kind,
            params=params,
            input_hash=input_hash,
            dataset=dataset,
            version=version,
            status="queued",
            progress=0.0,
            created_by=created_by,
            created_at=t,
            updated_at=t,
        )
        .returning(jobs.c.id)
    ).scalar_one()
    job = get_job(conn, job_id=job_id)
    assert job is not None
    return job


def get_job(conn: Connection, *, job_id: int) -> Job | None:
    row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
    return _job(row) if row else None


def add_requester(conn: Connection, *, job_id: int, user_id: int, organization: str | None) -> None:
    """Record that ``user_id`` asked for job ``job_id`` (once: asking again keeps the first time)."""
    known = conn.execute(
        sa.select(job_requesters.c.job_id).where(job_requesters.c.job_id == job_id, job_requesters.c.user_id == user_id)
    ).first()
    if known is None:
        conn.execute(
            job_requesters.insert().values(
                job_id=job_id, user_id=user_id, organization=organization, requested_at=now()
            )
        )


def job_requester_ids(conn: Connection, *, job_id: int) -> list[int]:
    """The users who asked for job ``job_id``, in the order they asked."""
    q = sa.select(job_requesters.c.user_id).where(job_requesters.c.job_id == job_id)
    return [int(u) for u in conn.execute(q.order_by(job_requesters.c.requested_at, job_requesters.c.user_id)).scalars()]


def _visible_to(user: User) -> sa.ColumnElement[bool]:
    """Jobs that ``user`` asked for, or the programme or an administrator did."""
    asked = sa.select(job_requesters.c.job_id).join(users, users.c.id == job_requesters.c.user_id)
    who = [job_requesters.c.user_id == user.id, users.c.role.in_(sorted(SEES_ALL_JOBS))]
    return jobs.c.id.in_(asked.where(sa.or_(*who)))


def job_visible(conn: Connection, *, job_id: int, user: User) -> bool:
    """May ``user`` see job ``job_id`` (its status, parameters and result)?  See the module docs."""
    if user.role in SEES_ALL_JOBS:
        return True
    q = sa.select(jobs.c.id).where(jobs.c.id == job_id, _visible_to(user))
    return conn.execute(q).first() is not None


def list_jobs(
    conn: Connection,
    *,
    limit: int = 50,
    offset: int = 0,
    status: str | None = None,
    visible_to: User | None = None,
) -> list[Job]:
    """Newest first, without their results (use :func:`get_job` for one).

    ``visible_to``: only the jobs that user may see (:func:`job_visible`); None: every job.
    """
    cols = [c for c in jobs.c if c.name != "result"]
    q = sa.select(*cols, sa.null().label("result")).order_by(jobs.c.id.desc()).limit(limit).offset(offset)
    if status:
        q = q.where(jobs.c.status == status)
    if visible_to is not None and visible_to.role not in SEES_ALL_JOBS:
        q = q.where(_visible_to(visible_to))
    return [_job(r) for r in conn.execute(q)]


def claim_next_job(conn: Connection) -> Job | None:
    """Mark the oldest queued job running and return it (None if there is none).

    The conditional UPDATE makes the claim safe if two workers race.
    """
    while True:
        row = conn.execute(sa.select(jobs.c.id).where(jobs.c.status == "queued").order_by(jobs.c.id).limit(1)).first()
        if row is None:
            return None
        res = conn.execute(
            jobs.update()
            .where(jobs.c.id == row.id, jobs.c.status == "queued")
            .values(status="running", updated_at=now(), progress=0.0)
        )
        if res.rowcount == 1:
            return get_job(conn, job_id=row.id)


def set_job_progress(conn: Connection, *, job_id: int, progress: float, message: str | None = None) -> None:
    conn.execute(
        jobs.update()
        .where(jobs.c.id == job_id)
        .values(progress=min(max(progress, 0.0), 1.0), message=message, updated_at=now())
    )


def finish_job(conn: Connection, *, job_id: int, result: dict[str, Any]) -> None:
    """A job done: its result stored, and its progress message cleared (the last message shown depends on
    when the throttled progress was last written, so a finished job's record is the same in every run)."""
    conn.execute(
        jobs.update()
        .where(jobs.c.id == job_id)
        .values(status="done", progress=1.0, message=None, result=result, error=None, updated_at=now())
    )


def fail_job(conn: Connection, *, job_id: int, error: str) -> None:
    conn.execute(jobs.update().where(jobs.c.id == job_id).values(status="failed", error=error, updated_at=now()))


def recover_jobs(conn: Connection, *, reason: str = "the server stopped while the job was running") -> tuple[int, int]:
    """At start-up: running jobs (whose process is gone) fail with ``reason``; queued jobs stay queued.

    Returns (failed, still queued).
    """
    failed = conn.execute(
        jobs.update().where(jobs.c.status == "running").values(status="failed", error=reason, updated_at=now())
    ).rowcount
    queued = int(
        conn.execute(sa.select(sa.func.count()).select_from(jobs).where(jobs.c.status == "queued")).scalar_one()
    )
    return failed, queued
