"""Safety of accounts: tokens die with the password, one-time passwords must be changed, a password policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from webenv import PASSWORD, Env, make_env

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


def test_uploads_over_the_limit_are_refused_before_they_are_read(tmp_path: Any) -> None:
    """413 by Content-Length without reading the body, and for a streamed (chunked) body as soon as it passes the
    cap; the store is unchanged and a small upload still works."""
    from importsub.web import Settings

    db = str(tmp_path / "s.sqlite")
    gen = make_env(db, versions=1, settings=Settings(db=db, worker=False, max_upload_mb=0.2))
    env = next(gen)
    try:
        before = [(d.name, d.latest) for d in env.store.datasets()]
        pulled = 0

        def body() -> Iterator[bytes]:
            nonlocal pulled
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.json"\r\n\r\n'
            for _ in range(100):  # 10 MB if read to the end
                pulled += 1
                yield b"x" * 100_000

        headers = {**env.auth("admin"), "content-type": "multipart/form-data; boundary=b"}
        r = env.client.post("/api/datasets", content=body(), headers=headers)
        assert r.status_code == 413, r.text
        assert "upload limit" in r.json()["detail"]
        assert pulled == 100  # the test client sends its whole body first; the server-side stop is tested below
        r = env.client.post("/api/datasets", content=b"x", headers={**headers, "content-length": str(50 * 10**6)})
        assert r.status_code == 413
        assert [(d.name, d.latest) for d in env.store.datasets()] == before
        # under the limit the request reaches the route (which then judges the file)
        files = {"file": ("plant.json", b"{}", "application/json")}
        r = env.post("admin", "/api/datasets", files=files, data={"name": "small"})
        assert r.status_code in (400, 422), r.text
    finally:
        gen.close()


def test_the_body_limit_stops_reading_at_the_cap() -> None:
    """Server side: the middleware pulls no more than the cap from a streamed body and answers 413 itself."""
    import asyncio

    from importsub.web.security import BodyLimitMiddleware

    pulled, sent = 0, []

    async def reader(scope: Any, receive: Any, send: Any) -> None:  # an app that reads the body to the end
        while True:
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 100_000, "more_body": pulled < 100}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    app = BodyLimitMiddleware(reader, max_bytes=200_000)
    asyncio.run(app({"type": "http", "headers": []}, receive, send))
    assert sent[0]["status"] == 413
    assert b"read it all" not in b"".join(m.get("body", b"") for m in sent)
    assert pulled == 13  # 1.2 MB cap (0.2 MB + 1 MB envelope): the 13th chunk passes it, nothing more is read


@pytest.mark.parametrize("text", ["de\x008w", "bell\x07", "esc\x1b[31m"])
def test_a_control_character_in_a_scenario_is_refused_and_the_exports_still_work(env: Env, text: str) -> None:
    """A NUL (or any control character) in a scenario name or text is refused where it enters, naming the
    field; the dataset's xlsx export keeps working for everyone."""
    base = "/api/datasets/plant"
    before = env.get("admin", base).json()["versions"][-1]["version"]
    r = env.client.put(f"{base}/scenarios/{quote(text)}", json={"description": "x"}, headers=env.auth("ministry"))
    assert r.status_code in (400, 422), r.text
    assert "control character" in r.text, r.text
    r = env.client.put(f"{base}/scenarios/ok", json={"description": text}, headers=env.auth("ministry"))
    assert r.status_code in (400, 422), r.text
    assert "control character" in r.text, r.text
    row = {"name": text, "description": "via records", "year": 2025}
    r = env.post("ministry", f"{base}/records/scenarios", json={"records": [row]})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "records", 0, "name"]  # the request's schema refuses it
    assert env.get("admin", base).json()["versions"][-1]["version"] == before
    for who in ("avto", "brake", "viewer", "ministry"):
        r = env.get(who, f"{base}/export?format=xlsx")
        assert r.status_code == 200, (who, r.text[:300])
        assert r.content[:2] == b"PK"
