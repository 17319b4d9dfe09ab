"""Sign-in for scripts: trade a user name and password for an API token (rate-limited)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from importsub.store import accounts
from importsub.web.deps import SettingsDep, StoreDep, client_ip
from importsub.web.services.auth import attempt_login

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


@router.post("/token", response_model=TokenOut, status_code=201, responses={401: {}, 429: {}})
def create_token(body: TokenRequest, request: Request, settings: SettingsDep, store: StoreDep) -> TokenOut:
    """A new API token for a script (the password is checked and rate-limited like a sign-in)."""
    # the attempt is recorded in its own transaction (kept when the password is wrong), then the token in another
    user = attempt_login(store, settings, username=body.username, password=body.password, ip=client_ip(request))
    with store.writing() as conn:
        secret, token = accounts.create_api_token(conn, user_id=user.id, name=body.name)
        accounts.audit(conn, action="token created", user=user, target=body.name, ip=client_ip(request))
    return TokenOut(
        token=secret, token_id=token.id, username=user.username, role=user.role, organization=user.organization
    )
