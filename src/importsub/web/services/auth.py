"""Signing in with a password, rate-limited per user name and IP: one check for the sign-in page and the API."""

from __future__ import annotations

from datetime import timedelta

from fastapi import HTTPException, status
from sqlalchemy.engine import Connection

from importsub.store import Store, accounts
from importsub.web.config import Settings
from importsub.web.i18n import gettext as _


def attempt_login(store: Store, settings: Settings, *, username: str, password: str, ip: str) -> accounts.User:
    """Check a password with the rate limit: ``login_max_failures`` failures per user and IP in the window.

    The attempt is recorded in its own transaction (kept even when the request fails).
    Raises HTTPException 429 (with Retry-After) while blocked, 401 on a wrong password.
    """
    with store.writing() as conn:
        return _attempt(conn, settings, username=username, password=password, ip=ip)


def _attempt(conn: Connection, settings: Settings, *, username: str, password: str, ip: str) -> accounts.User:
    window = timedelta(minutes=settings.login_window_minutes)
    wait = accounts.login_blocked_for(
        conn, username=username, ip=ip, max_failures=settings.login_max_failures, window=window
    )
    if wait > 0:
        seconds = int(wait) + 1
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=_("Too many failed sign-in attempts; try again in %(s)s seconds.", s=seconds),
            headers={"Retry-After": str(seconds)},
        )
    user = accounts.check_password(conn, username=username, password=password)
    accounts.record_login_attempt(conn, username=username, ip=ip, success=user is not None)
    if user is None:
        accounts.audit(conn, action="login failed", target=username, ip=ip)
        conn.commit()
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=_("Wrong user name or password."))
    accounts.audit(conn, action="login", user=user, ip=ip)
    return user
