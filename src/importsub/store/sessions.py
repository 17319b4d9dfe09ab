"""Sign-in sessions (cookie tokens bound to a CSRF token) and API tokens for scripts.

Tokens are never stored, only their SHA-256 digests.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from importsub.store.base import best_effort, digest, now, utc
from importsub.store.tables import api_tokens, sessions
from importsub.store.users import User, get_user

TOKEN_PREFIX: Final = "isk_"


@dataclass(frozen=True)
class Session:
    """A login session: the user and the CSRF token bound to it."""

    id: int
    user: User
    csrf_token: str
    expires_at: datetime
    last_seen_at: datetime


def create_session(conn: Connection, *, user_id: int, ttl: timedelta) -> tuple[str, Session]:
    """A new session; returns the cookie token (shown once) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    t = now()
    session_id = conn.execute(
        sessions.insert()
        .values(
            token_hash=digest(token), user_id=user_id, csrf_token=csrf, created_at=t, expires_at=t + ttl, last_seen_at=t
        )
        .returning(sessions.c.id)
    ).scalar_one()
    user = get_user(conn, user_id=user_id)
    assert user is not None
    return token, Session(session_id, user, csrf, t + ttl, t)


def get_session(conn: Connection, *, token: str, touch_after: timedelta = timedelta(minutes=5)) -> Session | None:
    """The live session of a cookie token (None if unknown, expired or the user inactive)."""
    row = conn.execute(sa.select(sessions).where(sessions.c.token_hash == digest(token))).first()
    if row is None:
        return None
    m = row._mapping
    t = now()
    expires = utc(m["expires_at"])
    assert expires is not None
    if expires <= t:
        best_effort(conn, sessions.delete().where(sessions.c.id == m["id"]))
        return None
    user = get_user(conn, user_id=m["user_id"])
    if user is None or not user.active:
        return None
    last = utc(m["last_seen_at"])
    assert last is not None
    if t - last > touch_after and best_effort(  # not on every request: keeps reads read-only under load
        conn, sessions.update().where(sessions.c.id == m["id"]).values(last_seen_at=t)
    ):
        last = t
    return Session(m["id"], user, m["csrf_token"], expires, last)


def delete_session(conn: Connection, *, token: str) -> None:
    conn.execute(sessions.delete().where(sessions.c.token_hash == digest(token)))


def purge_sessions(conn: Connection) -> int:
    """Delete expired sessions."""
    return conn.execute(sessions.delete().where(sessions.c.expires_at < now())).rowcount


# ---------------------------------------------------------------- API tokens


@dataclass(frozen=True)
class ApiToken:
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def _token(row: Any) -> ApiToken:
    m = row._mapping
    return ApiToken(
        m["id"],
        m["user_id"],
        m["name"],
        m["prefix"],
        utc(m["created_at"]),  # type: ignore[arg-type]
        utc(m["last_used_at"]),
        bool(m["revoked"]),
    )


def create_api_token(conn: Connection, *, user_id: int, name: str) -> tuple[str, ApiToken]:
    """A new API token for scripts; returns the secret (shown once) and its record."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = conn.execute(
        api_tokens.insert()
        .values(
            user_id=user_id, name=name, token_hash=digest(secret), prefix=secret[:10], created_at=now(), revoked=False
        )
        .returning(api_tokens.c.id)
    ).scalar_one()
    row = conn.execute(sa.select(api_tokens).where(api_tokens.c.id == token_id)).first()
    return secret, _token(row)


def user_for_api_token(conn: Connection, *, secret: str) -> User | None:
    """The active user owning an unrevoked token, or None."""
    row = conn.execute(
        sa.select(api_tokens.c.id, api_tokens.c.user_id, api_tokens.c.last_used_at).where(
            api_tokens.c.token_hash == digest(secret), api_tokens.c.revoked.is_(False)
        )
    ).first()
    if row is None:
        return None
    user = get_user(conn, user_id=row.user_id)
    if user is None or not user.active:
        return None
    last = utc(row.last_used_at)
    t = now()
    if last is None or t - last > timedelta(minutes=5):
        best_effort(conn, api_tokens.update().where(api_tokens.c.id == row.id).values(last_used_at=t))
    return user


def list_api_tokens(conn: Connection, *, user_id: int) -> list[ApiToken]:
    q = sa.select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id)
    return [_token(r) for r in conn.execute(q)]


def revoke_api_token(conn: Connection, *, user_id: int, token_id: int) -> bool:
    """Revoke one of the user's tokens; False if it is not theirs."""
    res = conn.execute(
        api_tokens.update().where(api_tokens.c.id == token_id, api_tokens.c.user_id == user_id).values(revoked=True)
    )
    return res.rowcount > 0
