"""Sign-in for scripts: trade a user name and password for an API token (rate-limited)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection, Engine

from importsub.store import accounts
from importsub.web.config import Settings
from importsub.web.deps import SessionDep, SettingsDep, StoreDep, client_ip
from importsub.web.i18n import gettext as _

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    name: str = Field(default="script", min_length=1, max_length=200, description="Label of the new token")


class TokenOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'; shown only once")
    token_id: int
    username: str
    role: str
    organization: str | None


def attempt_login(engine: Engine, settings: Settings, *, username: str, password: str, ip: str) -> accounts.User:
    """Check a password with the rate limit: ``login_max_failures`` failures per user and IP in the window.

    The attempt is recorded in its own transaction (kept even when the request fails).
    Raises HTTPException 429 (with Retry-After) while blocked, 401 on a wrong password.
    """
    with engine.begin() as conn:
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


@router.post("/token", response_model=TokenOut, status_code=201, responses={401: {}, 429: {}})
def create_token(
    body: TokenRequest, request: Request, conn: SessionDep, settings: SettingsDep, store: StoreDep
) -> TokenOut:
    """A new API token for a script (the password is checked and rate-limited like a sign-in)."""
    user = attempt_login(store.engine, settings, username=body.username, password=body.password, ip=client_ip(request))
    secret, token = accounts.create_api_token(conn, user_id=user.id, name=body.name)
    accounts.audit(conn, action="token created", user=user, target=body.name, ip=client_ip(request))
    return TokenOut(
        token=secret, token_id=token.id, username=user.username, role=user.role, organization=user.organization
    )
