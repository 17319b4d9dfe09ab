"""Accounts: users with roles and organisations (admins), own settings and API tokens, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from importsub.store import accounts
from importsub.web.deps import AdminUser, CsrfChecked, CurrentUser, SessionDep, client_ip
from importsub.web.i18n import gettext as _

router = APIRouter(tags=["users"], dependencies=[CsrfChecked])

RoleName = Literal["admin", "programme", "analyst", "viewer"]
Language = Literal["en", "ru"]
USERNAME = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$"


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str | None
    role: str
    organization: str | None
    language: str | None
    active: bool
    must_change_password: bool
    created_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(pattern=USERNAME)
    password: str = Field(min_length=10, max_length=1000, description="At least 10 characters")
    role: RoleName = "viewer"
    organization: str | None = Field(
        default=None, max_length=200, description="organizations.id in the datasets; empty = none"
    )
    language: Language | None = None
    display_name: str | None = Field(default=None, max_length=200)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: RoleName | None = None
    organization: str | None = Field(default=None, max_length=200)
    clear_organization: bool = False
    language: Language | None = None
    display_name: str | None = Field(default=None, max_length=200)
    active: bool | None = None
    password: str | None = Field(default=None, min_length=10, max_length=1000)


class MeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: Language | None = None
    display_name: str | None = Field(default=None, max_length=200)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=10, max_length=1000)


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


class NewToken(TokenOut):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'; shown only once")


class AuditEntry(BaseModel):
    id: int
    at: datetime
    user_id: int | None
    username: str | None
    action: str
    target: str | None
    detail: Any = None
    ip: str | None


# ---------------------------------------------------------------- own account


@router.get("/users/me", response_model=UserOut)
def read_me(user: CurrentUser) -> Any:
    """The signed-in user."""
    return user


@router.patch("/users/me", response_model=UserOut)
def update_me(body: MeUpdate, user: CurrentUser, conn: SessionDep) -> Any:
    """Change own language or display name."""
    changes = body.model_dump(exclude_unset=True)
    return accounts.update_user(conn, user_id=user.id, **changes)


@router.post("/users/me/password", status_code=204, responses={400: {}})
def change_password(body: PasswordChange, user: CurrentUser, conn: SessionDep, request: Request) -> Response:
    """Change own password (every session ends; sign in again)."""
    if accounts.check_password(conn, username=user.username, password=body.current_password) is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=_("The current password is wrong."))
    accounts.set_password(conn, user_id=user.id, password=body.new_password)
    accounts.audit(conn, action="password changed", user=user, ip=client_ip(request))
    return Response(status_code=204)


@router.get("/users/me/tokens", response_model=list[TokenOut])
def list_tokens(user: CurrentUser, conn: SessionDep) -> Any:
    """Own API tokens (never their secrets)."""
    return accounts.list_api_tokens(conn, user_id=user.id)


@router.post("/users/me/tokens", response_model=NewToken, status_code=201)
def create_token(body: TokenCreate, user: CurrentUser, conn: SessionDep, request: Request) -> Any:
    """A new API token; its secret is in this response only."""
    secret, token = accounts.create_api_token(conn, user_id=user.id, name=body.name)
    accounts.audit(conn, action="token created", user=user, target=body.name, ip=client_ip(request))
    return NewToken(token=secret, **TokenOut.model_validate(token).model_dump())


@router.post("/users/me/tokens/revoke-all", status_code=200)
def revoke_all_tokens(user: CurrentUser, conn: SessionDep, request: Request) -> dict[str, int]:
    """Revoke every one of own API tokens (a lost laptop, a leaked script)."""
    n = accounts.revoke_all_api_tokens(conn, user_id=user.id)
    accounts.audit(conn, action="tokens revoked", user=user, detail={"count": n}, ip=client_ip(request))
    return {"revoked": n}


@router.delete("/users/me/tokens/{token_id}", status_code=204, responses={404: {}})
def revoke_token(token_id: int, user: CurrentUser, conn: SessionDep, request: Request) -> Response:
    """Revoke one of own tokens."""
    if not accounts.revoke_api_token(conn, user_id=user.id, token_id=token_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No such token."))
    accounts.audit(conn, action="token revoked", user=user, target=str(token_id), ip=client_ip(request))
    return Response(status_code=204)


# ---------------------------------------------------------------- administration


@router.get("/users", response_model=list[UserOut])
def list_users(admin: AdminUser, conn: SessionDep) -> Any:
    """Every account (admins)."""
    return accounts.list_users(conn)


@router.post("/users", response_model=UserOut, status_code=201, responses={409: {}})
def create_user(body: UserCreate, admin: AdminUser, conn: SessionDep, request: Request) -> Any:
    """Create an account (admins)."""
    if accounts.get_user(conn, username=body.username) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=_("User name %(name)s is taken.", name=body.username))
    user = accounts.create_user(conn, **body.model_dump())
    accounts.audit(
        conn,
        action="user created",
        user=admin,
        target=user.username,
        detail={"role": user.role, "organization": user.organization},
        ip=client_ip(request),
    )
    return user


@router.get("/users/{user_id}", response_model=UserOut, responses={404: {}})
def read_user(user_id: int, admin: AdminUser, conn: SessionDep) -> Any:
    user = accounts.get_user(conn, user_id=user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No such user."))
    return user


@router.patch("/users/{user_id}", response_model=UserOut, responses={404: {}, 409: {}})
def update_user(user_id: int, body: UserUpdate, admin: AdminUser, conn: SessionDep, request: Request) -> Any:
    """Change role, organisation, language, activity or password of an account (admins)."""
    target = accounts.get_user(conn, user_id=user_id)
    if target is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No such user."))
    changes = body.model_dump(exclude_unset=True, exclude={"password", "clear_organization"})
    if body.clear_organization:
        changes["organization"] = None
    demoted = changes.get("role", "admin") != "admin" or changes.get("active") is False
    if target.is_admin and demoted and accounts.count_admins(conn) <= 1:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=_("The last administrator cannot be removed."))
    updated = accounts.update_user(conn, user_id=user_id, **changes)
    if body.password:
        accounts.set_password(conn, user_id=user_id, password=body.password, must_change=True)
    accounts.audit(
        conn, action="user changed", user=admin, target=target.username, detail=dict(changes), ip=client_ip(request)
    )
    return updated


@router.delete("/users/{user_id}", status_code=204, responses={404: {}, 409: {}})
def delete_user(user_id: int, admin: AdminUser, conn: SessionDep, request: Request) -> Response:
    """Delete an account (admins; not the last admin)."""
    target = accounts.get_user(conn, user_id=user_id)
    if target is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=_("No such user."))
    if target.id == admin.id:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=_("You cannot delete your own account."))
    if target.is_admin and accounts.count_admins(conn) <= 1:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=_("The last administrator cannot be removed."))
    accounts.delete_user(conn, user_id=user_id)
    accounts.audit(conn, action="user deleted", user=admin, target=target.username, ip=client_ip(request))
    return Response(status_code=204)


@router.get("/audit", response_model=list[AuditEntry])
def read_audit(
    admin: AdminUser, conn: SessionDep, limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10**9)
) -> Any:
    """The audit log, newest first (admins)."""
    return accounts.list_audit(conn, limit=limit, offset=offset)
