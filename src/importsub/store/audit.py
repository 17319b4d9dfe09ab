"""The audit log: who did what to which target, newest first."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from importsub.store.base import now, utc
from importsub.store.tables import audit_log
from importsub.store.users import User


def audit(
    conn: Connection,
    *,
    action: str,
    user: User | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    """Append an entry to the audit log."""
    conn.execute(
        audit_log.insert().values(
            at=now(),
            user_id=user.id if user else None,
            username=user.username if user else None,
            action=action,
            target=target,
            detail=detail,
            ip=ip,
        )
    )


def list_audit(conn: Connection, *, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Newest entries first."""
    q = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
    return [{**r._mapping, "at": utc(r._mapping["at"])} for r in conn.execute(q)]
