"""Dependencies of the routes, as ``Annotated`` aliases.

* ``StoreDep`` — the :class:`~importsub.store.Store`;
* ``SessionDep`` — a database connection in one transaction, committed before
  the response is sent (rolled back on error);
* ``DatasetsDep`` — cached, masked dataset access (:class:`~importsub.web.data.Datasets`);
* ``OptionalUser`` / ``CurrentUser`` / ``WriterUser`` / ``AdminUser`` — the
  signed-in user (by session cookie or ``Authorization: Bearer`` API token),
  and the role checks;
* ``ViewerDep`` — what confidentiality masking needs to know about the user;
* ``CsrfChecked`` — router-level guard: unsafe requests authenticated by the
  session cookie must carry the session's CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``).

Authentication itself runs once per request in
:class:`importsub.web.security.SecurityMiddleware`, which leaves the result
in ``request.state``.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.engine import Connection

from importsub.store import Store
from importsub.store.accounts import Session, User
from importsub.web.confidentiality import Viewer
from importsub.web.config import Settings
from importsub.web.data import Datasets
from importsub.web.i18n import gettext as _
from importsub.web.jobs import JobRunner

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def get_datasets(request: Request) -> Datasets:
    return request.app.state.datasets  # type: ignore[no-any-return]


def get_runner(request: Request) -> JobRunner:
    return request.app.state.runner  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
DatasetsDep = Annotated[Datasets, Depends(get_datasets)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]


def get_session(store: StoreDep) -> Iterator[Connection]:
    with store.engine.begin() as conn:
        yield conn


SessionDep = Annotated[Connection, Depends(get_session, scope="function")]


def get_optional_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_current_user(user: OptionalUser) -> User:
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail=_("Sign in first."), headers={"WWW-Authenticate": "Bearer"}
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_writer(user: CurrentUser) -> User:
    if not user.can_write:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=_("Your role (viewer) can only read."))
    return user


def get_admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=_("Only an administrator can do this."))
    return user


WriterUser = Annotated[User, Depends(get_writer)]
AdminUser = Annotated[User, Depends(get_admin)]


def get_viewer(user: CurrentUser) -> Viewer:
    return Viewer.of(user)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def check_csrf(request: Request) -> None:
    """Reject unsafe requests that ride on the session cookie without the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    session: Session | None = getattr(request.state, "session", None)
    if session is None:  # API token or anonymous: no ambient credential to abuse
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, session.csrf_token):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=_("The form has expired or did not come from this site; reload the page and try again."),
        )


CsrfChecked = Depends(check_csrf)
