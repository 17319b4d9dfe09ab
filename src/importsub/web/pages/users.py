"""Pages: user administration (admins) — role and organisation, deactivation, password reset, token
revocation, and the audit log.  Every change is audited; the last active administrator cannot be removed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response

from importsub.store import accounts
from importsub.web.deps import AdminUser, CsrfChecked, PageContext, PageDep
from importsub.web.i18n import gettext as _
from importsub.web.services.users import ROLES, organisation_choices, users_context

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])


def _page(page: PageContext, status_code: int = 200, **extra: Any) -> Response:
    return page.render("users.html", users_context(page.conn, page.datasets, **extra), status_code)


def _target(page: PageContext, user_id: int) -> accounts.User | None:
    return accounts.get_user(page.conn, user_id=user_id)


def _back() -> Response:
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/users/audit")
def audit_page(page: PageDep, admin: AdminUser, offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    return _page(page, audit_offset=offset)


@router.post("/admin/users/{user_id}/edit")
def edit_user(
    page: PageDep,
    admin: AdminUser,
    user_id: int,
    role: Annotated[str, Form(pattern="^(admin|programme|analyst|viewer)$")],
    organization: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    target = _target(page, user_id)
    if target is None:
        return _page(page, 404, error=_("No such user."))
    org = organization.strip() or None
    if org is not None and org not in dict(organisation_choices(page.datasets)):
        return _page(page, 422, error=_("No organisation %(o)s in any dataset.", o=org))
    if target.is_admin and target.active and role != "admin" and accounts.count_admins(page.conn) <= 1:
        return _page(page, 409, error=_("The last administrator cannot be removed."))
    assert role in ROLES
    accounts.update_user(page.conn, user_id=user_id, role=role, organization=org)
    accounts.audit(
        page.conn,
        action="user changed",
        user=admin,
        target=target.username,
        detail={"role": role, "organization": org},
        ip=page.ip,
    )
    return _back()


@router.post("/admin/users/{user_id}/active")
def set_active(
    page: PageDep, admin: AdminUser, user_id: int, active: Annotated[str, Form(pattern="^(0|1)$")]
) -> Response:
    target = _target(page, user_id)
    if target is None:
        return _page(page, 404, error=_("No such user."))
    on = active == "1"
    if not on and target.id == admin.id:
        return _page(page, 409, error=_("You cannot deactivate your own account."))
    if not on and target.is_admin and target.active and accounts.count_admins(page.conn) <= 1:
        return _page(page, 409, error=_("The last administrator cannot be removed."))
    accounts.update_user(page.conn, user_id=user_id, active=on)
    accounts.audit(
        page.conn,
        action="user activated" if on else "user deactivated",
        user=admin,
        target=target.username,
        ip=page.ip,
    )
    return _back()


@router.post("/admin/users/{user_id}/reset")
def reset_password(page: PageDep, admin: AdminUser, user_id: int) -> Response:
    """A one-time password, shown once; the user's sessions and tokens end with the old one."""
    target = _target(page, user_id)
    if target is None:
        return _page(page, 404, error=_("No such user."))
    password = accounts.new_password()
    accounts.set_password(page.conn, user_id=user_id, password=password, must_change=True)
    accounts.audit(page.conn, action="password reset", user=admin, target=target.username, ip=page.ip)
    return _page(page, reset={"username": target.username, "password": password})


@router.post("/admin/users/{user_id}/revoke-tokens")
def revoke_tokens(page: PageDep, admin: AdminUser, user_id: int) -> Response:
    target = _target(page, user_id)
    if target is None:
        return _page(page, 404, error=_("No such user."))
    n = accounts.revoke_all_api_tokens(page.conn, user_id=user_id)
    accounts.audit(
        page.conn, action="tokens revoked", user=admin, target=target.username, detail={"tokens": n}, ip=page.ip
    )
    return _back()
