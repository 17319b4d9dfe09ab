"""User accounts: create, read, change, delete, check a password, the first admin.

Users belong to an organisation (an ``organizations.id`` of the dataset
records, e.g. ``AVTOVAZ``) or to none (ministry analysts); the organisation
decides which confidential figures a user may see (see
:mod:`importsub.web.confidentiality`).  Every function takes a SQLAlchemy
``Connection`` (the caller owns the transaction) and keyword-only arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from importsub.store.base import now, utc
from importsub.store.passwords import check_policy, dummy_hash, hash_password, new_password, verify_password
from importsub.store.tables import api_tokens, sessions, users

Role = Literal["admin", "programme", "analyst", "viewer"]
ROLES: Final[tuple[str, ...]] = ("admin", "programme", "analyst", "viewer")
"""admin: operates the platform (users, uploads, everything); programme: the ministries of both countries —
edits the programme's records (countries, groups, organisations, parts, scenarios, project partners), moves a
site to another organisation, sees what the programme agreed to share; analyst: their own organisation's
data; viewer: reads."""


@dataclass(frozen=True)
class User:
    """A user account as the web layer sees it (never the password hash)."""

    id: int
    username: str
    display_name: str | None
    role: str
    organization: str | None
    language: str | None
    active: bool
    must_change_password: bool
    created_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "programme", "analyst")


def _user(row: Any) -> User:
    m = row._mapping
    return User(
        id=m["id"],
        username=m["username"],
        display_name=m["display_name"],
        role=m["role"],
        organization=m["organization"],
        language=m["language"],
        active=bool(m["active"]),
        must_change_password=bool(m["must_change_password"]),
        created_at=utc(m["created_at"]),  # type: ignore[arg-type]
    )


_USER_COLS = [c for c in users.c if c.name != "password_hash"]


def create_user(
    conn: Connection,
    *,
    username: str,
    password: str,
    role: str,
    organization: str | None = None,
    language: str | None = None,
    display_name: str | None = None,
    must_change_password: bool = False,
) -> User:
    """Insert a user; ``role`` is one of :data:`ROLES`; the password must pass :func:`password_problem`."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    check_policy(password, username)
    user_id = conn.execute(
        users.insert()
        .values(
            username=username,
            display_name=display_name,
            password_hash=hash_password(password),
            role=role,
            organization=organization or None,
            language=language,
            active=True,
            must_change_password=must_change_password,
            created_at=now(),
        )
        .returning(users.c.id)
    ).scalar_one()
    user = get_user(conn, user_id=user_id)
    assert user is not None
    return user


def get_user(conn: Connection, *, user_id: int | None = None, username: str | None = None) -> User | None:
    """A user by id or by name, or None."""
    q = sa.select(*_USER_COLS)
    if user_id is not None:
        q = q.where(users.c.id == user_id)
    elif username is not None:
        q = q.where(users.c.username == username)
    else:
        raise ValueError("give user_id or username")
    row = conn.execute(q).first()
    return _user(row) if row else None


def list_users(conn: Connection) -> list[User]:
    """Every user, by name."""
    return [_user(r) for r in conn.execute(sa.select(*_USER_COLS).order_by(users.c.username))]


def count_admins(conn: Connection) -> int:
    """Number of active admins."""
    q = sa.select(sa.func.count()).select_from(users).where(users.c.role == "admin", users.c.active.is_(True))
    return int(conn.execute(q).scalar_one())


def update_user(conn: Connection, *, user_id: int, **changes: Any) -> User | None:
    """Change some of display_name, role, organization, language, active, must_change_password."""
    allowed = {"display_name", "role", "organization", "language", "active", "must_change_password"}
    bad = set(changes) - allowed
    if bad:
        raise ValueError(f"cannot change {', '.join(sorted(bad))}")
    if "role" in changes and changes["role"] not in ROLES:
        raise ValueError(f"unknown role {changes['role']!r}")
    if changes:
        conn.execute(users.update().where(users.c.id == user_id).values(**changes))
    return get_user(conn, user_id=user_id)


def set_password(conn: Connection, *, user_id: int, password: str, must_change: bool = False) -> None:
    """Replace a user's password (it must pass :func:`password_problem`); every session of the user ends and
    every API token is revoked (a token made by whoever knew the old password would outlive it)."""
    row = conn.execute(sa.select(users.c.username).where(users.c.id == user_id)).first()
    check_policy(password, row.username if row else None)
    conn.execute(
        users.update()
        .where(users.c.id == user_id)
        .values(password_hash=hash_password(password), must_change_password=must_change)
    )
    conn.execute(sessions.delete().where(sessions.c.user_id == user_id))
    revoke_all_api_tokens(conn, user_id=user_id)


def revoke_all_api_tokens(conn: Connection, *, user_id: int) -> int:
    """Revoke every API token of a user; how many were live."""
    q = api_tokens.update().where(api_tokens.c.user_id == user_id, api_tokens.c.revoked.is_(False))
    return conn.execute(q.values(revoked=True)).rowcount


def delete_user(conn: Connection, *, user_id: int) -> bool:
    """Delete a user (their sessions and tokens go with them)."""
    conn.execute(sessions.delete().where(sessions.c.user_id == user_id))
    conn.execute(api_tokens.delete().where(api_tokens.c.user_id == user_id))
    return conn.execute(users.delete().where(users.c.id == user_id)).rowcount > 0


def check_password(conn: Connection, *, username: str, password: str) -> User | None:
    """The active user if ``password`` is right, else None (no rate limiting here)."""
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None:
        # spend the same time as a real check so that names cannot be probed by timing
        verify_password(dummy_hash(), password)
        return None
    if not row._mapping["active"] or not verify_password(row._mapping["password_hash"], password):
        return None
    return _user(row)


def count_users(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())


def bootstrap_admin(conn: Connection, *, username: str = "admin", password: str | None = None) -> str | None:
    """On a store without users, create the first admin.

    With ``password`` (e.g. from ``IMPORTSUB_ADMIN_PASSWORD``) that password is
    used; without, a random one-time password is generated, returned (to be
    shown once) and must be changed at first sign-in.  Returns None when the
    store already has users or when the given password was used.
    """
    if count_users(conn) > 0:
        return None
    if password is not None:
        if len(password) < 10:
            raise ValueError("the admin password needs at least 10 characters")
        create_user(conn, username=username, password=password, role="admin")
        return None
    generated = new_password()
    create_user(conn, username=username, password=generated, role="admin", must_change_password=True)
    return generated
