"""Sign-in attempts: the log that rate-limits guessing, and its purge."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from importsub.store.base import now, utc
from importsub.store.tables import login_attempts


def record_login_attempt(conn: Connection, *, username: str, ip: str, success: bool) -> None:
    """Log one login attempt (used by :func:`login_blocked_for`)."""
    conn.execute(login_attempts.insert().values(username=username, ip=ip, at=now(), success=success))


def login_blocked_for(
    conn: Connection, *, username: str, ip: str, max_failures: int = 5, window: timedelta = timedelta(minutes=5)
) -> float:
    """Seconds until the next login attempt for (username, ip) is allowed; 0 = allowed now.

    Blocked when there were ``max_failures`` failed attempts in the last
    ``window`` and no success after them.
    """
    t = now()
    since = t - window
    q = (
        sa.select(login_attempts.c.at, login_attempts.c.success)
        .where(login_attempts.c.username == username, login_attempts.c.ip == ip, login_attempts.c.at >= since)
        .order_by(login_attempts.c.at.desc())
    )
    failures: list[datetime] = []
    for at, success in conn.execute(q):
        if success:
            break
        failures.append(utc(at))  # type: ignore[arg-type]
    if len(failures) < max_failures:
        return 0.0
    oldest_counted = failures[max_failures - 1]
    return max(0.0, (oldest_counted + window - t).total_seconds())


def purge_login_attempts(conn: Connection, *, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete the attempts older than ``older_than`` (run by ``importsub serve``); how many went."""
    return conn.execute(login_attempts.delete().where(login_attempts.c.at < now() - older_than)).rowcount
