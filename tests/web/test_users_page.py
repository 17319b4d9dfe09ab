"""The user administration page: role and organisation, deactivation, reset, token revocation, audit log."""

from __future__ import annotations

import re

from webenv import PASSWORD, Env, login


def _admin(env: Env) -> str:
    return login(env.client, "admin", PASSWORD)


def _uid(env: Env, who: str) -> int:
    return env.users[who].id


def test_page_lists_users_organisations_and_audit(env: Env) -> None:
    csrf = _admin(env)
    env.client.post(f"/admin/users/{_uid(env, 'avto')}/revoke-tokens", data={"csrf_token": csrf})
    page = env.client.get("/admin/users")
    assert page.status_code == 200
    for who in env.users:
        assert f'data-user="{who}"' in page.text
    # organisations offered are the dataset's, by id
    offered = set(re.findall(r'<option value="([A-Z]+)"', page.text))
    assert {"AVTO", "BRAKE"} <= offered
    assert "tokens revoked" in page.text  # the audit log shows what was just done


def test_only_admins_with_the_form_token(env: Env) -> None:
    for who in ("avto", "ministry", "viewer"):
        assert env.get(who, "/admin/users").status_code == 403
        r = env.post(who, f"/admin/users/{_uid(env, 'brake')}/edit", data={"role": "admin", "organization": ""})
        assert r.status_code == 403
    _admin(env)
    r = env.client.post(f"/admin/users/{_uid(env, 'brake')}/edit", data={"role": "admin", "organization": ""})
    assert r.status_code == 403  # session cookie without the CSRF token
    assert env.get("admin", f"/api/users/{_uid(env, 'brake')}").json()["role"] == "analyst"


def test_edit_role_and_organisation(env: Env) -> None:
    csrf = _admin(env)
    uid = _uid(env, "avto")
    r = env.client.post(
        f"/admin/users/{uid}/edit",
        data={"role": "viewer", "organization": "BRAKE", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    me = env.get("avto", "/api/users/me").json()
    assert (me["role"], me["organization"]) == ("viewer", "BRAKE")
    # an organisation in no dataset is refused and nothing changes
    r = env.client.post(
        f"/admin/users/{uid}/edit", data={"role": "analyst", "organization": "NOPE", "csrf_token": csrf}
    )
    assert r.status_code == 422
    me = env.get("avto", "/api/users/me").json()
    assert (me["role"], me["organization"]) == ("viewer", "BRAKE")
    # empty = no organisation
    env.client.post(f"/admin/users/{uid}/edit", data={"role": "analyst", "organization": "", "csrf_token": csrf})
    assert env.get("avto", "/api/users/me").json()["organization"] is None


def test_deactivate_and_activate(env: Env) -> None:
    csrf = _admin(env)
    uid = _uid(env, "brake")
    assert env.get("brake", "/api/users/me").status_code == 200
    env.client.post(f"/admin/users/{uid}/active", data={"active": "0", "csrf_token": csrf})
    assert env.get("brake", "/api/users/me").status_code == 401
    env.client.post(f"/admin/users/{uid}/active", data={"active": "1", "csrf_token": csrf})
    assert env.get("brake", "/api/users/me").status_code == 200
    # the admin cannot switch off their own account (the only admin here)
    r = env.client.post(f"/admin/users/{_uid(env, 'admin')}/active", data={"active": "0", "csrf_token": csrf})
    assert r.status_code == 409
    assert env.get("admin", "/api/users/me").status_code == 200


def test_last_admin_keeps_the_role(env: Env) -> None:
    csrf = _admin(env)
    r = env.client.post(
        f"/admin/users/{_uid(env, 'admin')}/edit", data={"role": "viewer", "organization": "", "csrf_token": csrf}
    )
    assert r.status_code == 409
    assert env.get("admin", "/api/users/me").json()["role"] == "admin"


def test_reset_shows_a_one_time_password_and_ends_tokens(env: Env) -> None:
    csrf = _admin(env)
    r = env.client.post(f"/admin/users/{_uid(env, 'viewer')}/reset", data={"csrf_token": csrf})
    assert r.status_code == 200
    shown = re.search(r'<code class="token">([^<]+)</code>', r.text)
    assert shown
    assert env.get("viewer", "/api/users/me").status_code == 401  # the old token ended with the old password
    token = env.client.post("/api/auth/token", json={"username": "viewer", "password": shown.group(1), "name": "t"})
    assert token.status_code in (200, 201), token.text
    assert "password reset" in env.client.get("/admin/users").text


def test_revoke_tokens(env: Env) -> None:
    csrf = _admin(env)
    assert env.get("ministry", "/api/users/me").status_code == 200
    env.client.post(f"/admin/users/{_uid(env, 'ministry')}/revoke-tokens", data={"csrf_token": csrf})
    assert env.get("ministry", "/api/users/me").status_code == 401
    assert env.get("avto", "/api/users/me").status_code == 200  # only that user's


def test_russian_page(env: Env) -> None:
    _admin(env)
    env.client.cookies.set("importsub_lang", "ru")
    page = env.client.get("/admin/users", headers={"Accept-Language": "ru"})
    assert "Журнал аудита" in page.text
    assert "аналитик" in page.text
