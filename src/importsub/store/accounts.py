"""Accounts, sessions, API tokens, rate limiting, audit log and background jobs.

The tables live on the same :data:`importsub.store.tables.metadata` as the
records (migration ``0002_accounts``).  Users belong to an organisation (an
``organizations.id`` of the dataset records, e.g. ``AVTOVAZ``) or to none
(ministry analysts); the organisation decides which confidential figures a
user may see (see :mod:`importsub.web.confidentiality`).

Secrets are never stored: passwords as argon2id hashes, session and API
tokens as SHA-256 digests of high-entropy random strings.

Every function takes a SQLAlchemy ``Connection`` (the caller owns the
transaction) and keyword-only arguments.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection

from importsub.model.errors import ImportsubError
from importsub.store.tables import metadata

Role = Literal["admin", "programme", "analyst", "viewer"]
ROLES: Final[tuple[str, ...]] = ("admin", "programme", "analyst", "viewer")
"""admin: operates the platform (users, uploads, everything); programme: the ministries of both countries —
edits the programme's records (countries, groups, organisations, parts, scenarios, project partners), moves a
site to another organisation, sees what the programme agreed to share; analyst: their own organisation's
data; viewer: reads."""
JOB_STATUSES: Final[tuple[str, ...]] = ("queued", "running", "done", "failed")
TOKEN_PREFIX: Final = "isk_"

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("display_name", sa.Text, nullable=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("organization", sa.Text, nullable=True, comment="organizations.id of the dataset records; empty = none"),
    sa.Column("language", sa.Text, nullable=True, comment="en or ru; empty = from the browser"),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("must_change_password", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'programme', 'analyst', 'viewer')", name="role"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    sa.Column("prefix", sa.Text, nullable=False, comment="first characters, to recognise a token"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked", sa.Boolean, nullable=False, default=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("ip", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Index("ix_login_attempts_username_ip_at", "username", "ip", "at"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("username", sa.Text, nullable=True),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("target", sa.Text, nullable=True),
    sa.Column("detail", sa.JSON, nullable=True),
    sa.Column("ip", sa.Text, nullable=True),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("input_hash", sa.Text, nullable=False, comment="SHA-256 of (kind, dataset fingerprint, params)"),
    sa.Column("dataset", sa.Text, nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("progress", sa.Float, nullable=False, default=0.0, comment="fraction done [0-1]"),
    sa.Column("message", sa.Text, nullable=True),
    sa.Column("result", sa.JSON, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    sa.Index("ix_jobs_input_hash", "input_hash"),
    sa.Index("ix_jobs_status", "status"),
)

ACCOUNT_TABLES: Final = (users, api_tokens, sessions, login_attempts, audit_log, jobs)

_hasher = PasswordHasher()


def now() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; they were written in UTC
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def digest(token: str) -> str:
    """SHA-256 hex digest of a session or API token (what the store keeps)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; parameters in the hash)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (constant-time in argon2)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A random one-time password (about 120 bits)."""
    return secrets.token_urlsafe(15)


# ---------------------------------------------------------------- users


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
        created_at=_utc(m["created_at"]),  # type: ignore[arg-type]
    )


_USER_COLS = [c for c in users.c if c.name != "password_hash"]


MIN_PASSWORD: Final = 10
#: passwords people pick first (checked lower-cased, without spaces); a length rule alone lets them through
COMMON_PASSWORDS: Final = frozenset(
    {
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "passw0rd",
        "qwerty",
        "qwertyuiop",
        "qwerty123",
        "qwerty1234",
        "1234567890",
        "0123456789",
        "123456789",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "iloveyou",
        "letmein",
        "welcome",
        "welcome123",
        "administrator",
        "adminadmin",
        "admin12345",
        "changeme",
        "changeme123",
        "importsub",
        "importsub123",
        "пароль",
        "пароль123",
        "йцукенгшщз",
        "qwertyqwerty",
        "abcdefghij",
        "abc1234567",
        "zaq12wsxcde",
        "1q2w3e4r5t6y",
        "superuser",
    }
)


class WeakPasswordError(ImportsubError, ValueError):
    """A password that the policy refuses (the message says why, never echoing the password)."""


def password_problem(password: str, *, username: str | None = None) -> str | None:
    """Why ``password`` is refused, or None: at least :data:`MIN_PASSWORD` characters besides spaces at the
    ends, at least 4 different characters, not a common password, not the user name."""
    core = password.strip()
    if len(core) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters (spaces at the ends do not count)"
    if len(set(core)) < 4:
        return "a password needs at least 4 different characters"
    folded = "".join(core.lower().split())
    if folded in COMMON_PASSWORDS:
        return "this password is among the most common ones; choose another"
    if username and username.strip() and username.strip().lower() in folded:
        return "a password must not contain the user name"
    return None


def _check_policy(password: str, username: str | None) -> None:
    problem = password_problem(password, username=username)
    if problem:
        raise WeakPasswordError(problem)


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
    _check_policy(password, username)
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
    _check_policy(password, row.username if row else None)
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
        verify_password(_DUMMY_HASH, password)
        return None
    if not row._mapping["active"] or not verify_password(row._mapping["password_hash"], password):
        return None
    return _user(row)


_DUMMY_HASH = hash_password(secrets.token_hex(8))


# ---------------------------------------------------------------- rate limiting


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
        failures.append(_utc(at))  # type: ignore[arg-type]
    if len(failures) < max_failures:
        return 0.0
    oldest_counted = failures[max_failures - 1]
    return max(0.0, (oldest_counted + window - t).total_seconds())


def purge_login_attempts(conn: Connection, *, older_than: timedelta = timedelta(days=1)) -> int:
    return conn.execute(login_attempts.delete().where(login_attempts.c.at < now() - older_than)).rowcount


# ---------------------------------------------------------------- sessions


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


def _best_effort(conn: Connection, stmt: sa.Executable) -> bool:
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


def get_session(conn: Connection, *, token: str, touch_after: timedelta = timedelta(minutes=5)) -> Session | None:
    """The live session of a cookie token (None if unknown, expired or the user inactive)."""
    row = conn.execute(sa.select(sessions).where(sessions.c.token_hash == digest(token))).first()
    if row is None:
        return None
    m = row._mapping
    t = now()
    expires = _utc(m["expires_at"])
    assert expires is not None
    if expires <= t:
        _best_effort(conn, sessions.delete().where(sessions.c.id == m["id"]))
        return None
    user = get_user(conn, user_id=m["user_id"])
    if user is None or not user.active:
        return None
    last = _utc(m["last_seen_at"])
    assert last is not None
    if t - last > touch_after and _best_effort(  # not on every request: keeps reads read-only under load
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
        _utc(m["created_at"]),  # type: ignore[arg-type]
        _utc(m["last_used_at"]),
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
    last = _utc(row.last_used_at)
    t = now()
    if last is None or t - last > timedelta(minutes=5):
        _best_effort(conn, api_tokens.update().where(api_tokens.c.id == row.id).values(last_used_at=t))
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


# ---------------------------------------------------------------- audit log


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
    return [{**r._mapping, "at": _utc(r._mapping["at"])} for r in conn.execute(q)]


# ---------------------------------------------------------------- jobs


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
    m["created_at"] = _utc(m["created_at"])
    m["updated_at"] = _utc(m["updated_at"])
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


def list_jobs(conn: Connection, *, limit: int = 50, offset: int = 0, status: str | None = None) -> list[Job]:
    """Newest first, without their results (use :func:`get_job` for one)."""
    cols = [c for c in jobs.c if c.name != "result"]
    q = sa.select(*cols, sa.null().label("result")).order_by(jobs.c.id.desc()).limit(limit).offset(offset)
    if status:
        q = q.where(jobs.c.status == status)
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
    conn.execute(
        jobs.update()
        .where(jobs.c.id == job_id)
        .values(status="done", progress=1.0, result=result, error=None, updated_at=now())
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


# ---------------------------------------------------------------- first start


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
