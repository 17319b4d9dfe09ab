"""Pages: sign in and out, language, own settings and API tokens, user administration."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from importsub.store import accounts
from importsub.web.deps import (
    AdminUser,
    CsrfChecked,
    OptionalUser,
    PageDep,
    SessionDep,
    SettingsDep,
    StoreDep,
    client_ip,
)
from importsub.web.i18n import LANGUAGES
from importsub.web.i18n import gettext as _
from importsub.web.security import LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie_options, new_csrf
from importsub.web.services.auth import attempt_login
from importsub.web.services.users import users_context
from importsub.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _check_anonymous_csrf(request: Request, sent: str) -> None:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not sent or not hmac.compare_digest(cookie, sent):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=_("The form has expired or did not come from this site; reload the page and try again."),
        )


def _login_page(
    request: Request, *, error: str | None = None, next_: str = "/", username: str = "", status_code: int = 200
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_csrf()
    response = render(
        request, "login.html", {"error": error, "next": next_, "username": username, "csrf_token": token}, status_code
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, **cookie_options(request.app.state.settings))
    return response


@router.get("/login")
def login_page(request: Request, user: OptionalUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_=safe_next(next))


@router.post("/login")
def login(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    _check_anonymous_csrf(request, csrf_token)
    try:
        user = attempt_login(store, settings, username=username, password=password, ip=client_ip(request))
    except HTTPException as exc:
        return _login_page(
            request, error=str(exc.detail), next_=safe_next(next), username=username, status_code=exc.status_code
        )
    with store.engine.begin() as conn:
        token, _session = accounts.create_session(conn, user_id=user.id, ttl=timedelta(hours=settings.session_hours))
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600), **cookie_options(settings))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    if user.language:
        response.set_cookie(LANG_COOKIE, user.language, max_age=365 * 86400, **cookie_options(settings))
    return response


@router.post("/logout")
def logout(page: PageDep) -> Response:
    token = page.request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.delete_session(page.conn, token=token)
    accounts.audit(page.conn, action="logout", user=page.user, ip=page.ip)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
def choose_language(
    request: Request,
    user: OptionalUser,
    conn: SessionDep,
    settings: SettingsDep,
    lang: Annotated[str, Form(max_length=5)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Switch the language (saved in the user's settings, and in a cookie for the sign-in page)."""
    if lang not in LANGUAGES:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=_("Unknown language."))
    if user is None:
        _check_anonymous_csrf(request, csrf_token)
    else:
        accounts.update_user(conn, user_id=user.id, language=lang)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, **cookie_options(settings))
    return response


@router.get("/settings")
def settings_page(page: PageDep, new_token: str | None = None) -> Response:
    tokens = accounts.list_api_tokens(page.conn, user_id=page.user.id)
    return page.render("settings.html", {"tokens": tokens, "new_token": None, "message": None, "error": None})


@router.post("/settings/password")
def change_password(
    page: PageDep,
    current_password: Annotated[str, Form(max_length=1000)],
    new_password: Annotated[str, Form(max_length=1000)],
) -> Response:
    conn, user, settings = page.conn, page.user, page.settings
    tokens = accounts.list_api_tokens(conn, user_id=user.id)
    if len(new_password) < 10:
        return page.render(
            "settings.html",
            {
                "tokens": tokens,
                "new_token": None,
                "message": None,
                "error": _("The new password needs at least 10 characters."),
            },
            400,
        )
    if accounts.check_password(conn, username=user.username, password=current_password) is None:
        return page.render(
            "settings.html",
            {"tokens": tokens, "new_token": None, "message": None, "error": _("The current password is wrong.")},
            400,
        )
    accounts.set_password(conn, user_id=user.id, password=new_password)
    accounts.audit(conn, action="password changed", user=user, ip=page.ip)
    token, _session = accounts.create_session(conn, user_id=user.id, ttl=timedelta(hours=settings.session_hours))
    response = RedirectResponse("/settings", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600), **cookie_options(settings))
    return response


@router.post("/settings/tokens")
def create_token(page: PageDep, name: Annotated[str, Form(min_length=1, max_length=200)]) -> Response:
    conn, user = page.conn, page.user
    secret, _token = accounts.create_api_token(conn, user_id=user.id, name=name)
    accounts.audit(conn, action="token created", user=user, target=name, ip=page.ip)
    tokens = accounts.list_api_tokens(conn, user_id=user.id)
    return page.render("settings.html", {"tokens": tokens, "new_token": secret, "message": None, "error": None})


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token(page: PageDep, token_id: int) -> Response:
    accounts.revoke_api_token(page.conn, user_id=page.user.id, token_id=token_id)
    accounts.audit(page.conn, action="token revoked", user=page.user, target=str(token_id), ip=page.ip)
    return RedirectResponse("/settings", status_code=303)


@router.get("/admin/users")
def users_page(page: PageDep, admin: AdminUser) -> Response:
    return page.render("users.html", users_context(page.conn, page.datasets))


@router.post("/admin/users")
def create_user(
    page: PageDep,
    admin: AdminUser,
    username: Annotated[str, Form(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")],
    role: Annotated[str, Form(pattern="^(admin|programme|analyst|viewer)$")],
    organization: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(pattern="^(|en|ru)$")] = "",
) -> Response:
    conn = page.conn
    if accounts.get_user(conn, username=username) is not None:
        return page.render(
            "users.html",
            users_context(conn, page.datasets, error=_("User name %(name)s is taken.", name=username)),
            409,
        )
    password = accounts.new_password()
    accounts.create_user(
        conn,
        username=username,
        password=password,
        role=role,
        organization=organization.strip() or None,
        language=language or None,
        must_change_password=True,
    )
    accounts.audit(
        conn,
        action="user created",
        user=admin,
        target=username,
        detail={"role": role, "organization": organization or None},
        ip=page.ip,
    )
    return page.render(
        "users.html", users_context(conn, page.datasets, created={"username": username, "password": password})
    )
