"""Small pieces every store module shares: the clock, stored times as UTC, token digests, skippable writes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def now() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; they were written in UTC
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def digest(token: str) -> str:
    """SHA-256 hex digest of a session or API token (what the store keeps)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def best_effort(conn: Connection, stmt: sa.Executable) -> bool:
    """Run a bookkeeping write (a last-seen time, an expired row) that may be skipped: inside a savepoint,
    so that when another connection holds SQLite's write lock (an import) the request goes on reading
    instead of failing or waiting.  True if it was written."""
    try:
        with conn.begin_nested():
            conn.execute(stmt)
    except sa.exc.OperationalError as exc:
        if "locked" not in str(exc.orig).lower() and "busy" not in str(exc.orig).lower():
            raise
        return False
    return True
