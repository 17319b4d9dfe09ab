"""Safety of accounts: tokens die with the password, one-time passwords must be changed, a password policy."""

from __future__ import annotations

import pytest
from webenv import PASSWORD, Env

from importsub.store import accounts

NEW = "a brand new pass phrase 7"


def test_tokens_are_revoked_when_the_password_changes(env: Env) -> None:
    assert env.get("avto", "/api/users/me").status_code == 200
    r = env.post("avto", "/api/users/me/password", json={"current_password": PASSWORD, "new_password": NEW})
    assert r.status_code == 204, r.text
    assert env.get("avto", "/api/users/me").status_code == 401  # the old token is dead


def test_tokens_are_revoked_when_an_admin_resets_the_password_and_the_reset_must_be_changed(env: Env) -> None:
    uid = env.users["brake"].id
    r = env.client.patch(f"/api/users/{uid}", json={"password": NEW}, headers=env.auth("admin"))
    assert r.status_code == 200, r.text
    assert env.get("brake", "/api/users/me").status_code == 401
    token = env.client.post("/api/auth/token", json={"username": "brake", "password": NEW}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    # a one-time password opens nothing but the password change
    assert env.client.get("/api/users/me", headers=auth).status_code == 200
    blocked = env.client.get("/api/datasets", headers=auth)
    assert blocked.status_code == 403
    assert "one-time password" in blocked.json()["detail"]
    changed = env.client.post(
        "/api/users/me/password", json={"current_password": NEW, "new_password": "yet another phrase 8"}, headers=auth
    )
    assert changed.status_code == 204, changed.text
    fresh = env.client.post("/api/auth/token", json={"username": "brake", "password": "yet another phrase 8"})
    assert (
        env.client.get("/api/datasets", headers={"Authorization": f"Bearer {fresh.json()['token']}"}).status_code == 200
    )


def test_revoke_all_tokens(env: Env) -> None:
    extra = env.post("avto", "/api/users/me/tokens", json={"name": "laptop"}).json()["token"]
    r = env.post("avto", "/api/users/me/tokens/revoke-all")
    assert r.status_code == 200
    assert r.json()["revoked"] == 2
    assert env.get("avto", "/api/users/me").status_code == 401
    assert env.client.get("/api/users/me", headers={"Authorization": f"Bearer {extra}"}).status_code == 401


@pytest.mark.parametrize(
    ("password", "why"),
    [
        (" " * 10, "at least 10"),
        ("   short    ", "at least 10"),
        ("aaaaaaaaaaaa", "4 different"),
        ("abababababab", "4 different"),
        ("Password123", "common"),
        ("qwerty 1234", "common"),
        ("пароль123 ", "at least 10"),
        ("avto-secret-2026", "user name"),
    ],
)
def test_password_policy(env: Env, password: str, why: str) -> None:
    assert why in (accounts.password_problem(password, username="avto") or "")
    r = env.post("avto", "/api/users/me/password", json={"current_password": PASSWORD, "new_password": password})
    assert r.status_code in (400, 422), r.text
    assert password.strip() not in r.text or not password.strip()  # never echoed
    assert env.get("avto", "/api/users/me").status_code == 200  # nothing changed, the token lives


def test_a_good_password_passes() -> None:
    assert accounts.password_problem("correct horse battery", username="avto") is None
    assert accounts.password_problem("Руденск Орша Тольятти", username="avto") is None


def test_errors_never_show_where_the_store_lives(env: Env) -> None:
    path = env.store.url.split(":///", 1)[-1]
    for r in (
        env.get("avto", "/api/datasets/nope"),
        env.get("avto", "/api/datasets/plant/versions/99"),
        env.get("avto", "/api/datasets/nope/records/sites"),
    ):
        assert r.status_code == 404, r.text
        assert path not in r.text
        assert "sqlite" not in r.text.lower()
