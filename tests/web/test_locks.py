"""The server keeps answering while another connection writes: reads never wait for an import."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa
from webenv import Env

from importsub.store import accounts


def _in_thread(fn, timeout: float = 60.0):  # type: ignore[no-untyped-def]
    out: list[object] = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join(timeout)
    return out


def test_requests_answer_while_an_import_holds_the_write_lock(env: Env) -> None:
    """A token last used long ago wants its last-used time written: with the write lock held elsewhere that
    bookkeeping is skipped (not a 500, not a wait), and written once the lock is free."""
    old = accounts.now() - timedelta(hours=1)
    with env.store.engine.begin() as conn:
        conn.execute(accounts.api_tokens.update().values(last_used_at=old))
    with env.store.writing() as lock:
        lock.execute(sa.text("UPDATE datasets SET name = name"))  # an import in progress
        answered = _in_thread(lambda: env.get("avto", "/api/users/me"))
        assert answered, "a read request waited for the write lock"
        r = answered[0]
        assert r.status_code == 200, r.text  # type: ignore[attr-defined]
        assert r.json()["username"] == "avto"  # type: ignore[attr-defined]
        listed = _in_thread(lambda: env.get("avto", "/api/datasets"))
        assert listed
        assert listed[0].status_code == 200  # type: ignore[attr-defined]
    with env.store.engine.connect() as conn:
        before = conn.execute(
            sa.select(accounts.api_tokens.c.last_used_at).where(accounts.api_tokens.c.user_id == env.users["avto"].id)
        ).scalar()
    assert accounts._utc(before) == accounts._utc(old)  # skipped while locked
    assert env.get("avto", "/api/users/me").status_code == 200
    with env.store.engine.connect() as conn:
        after = conn.execute(
            sa.select(accounts.api_tokens.c.last_used_at).where(accounts.api_tokens.c.user_id == env.users["avto"].id)
        ).scalar()
    assert accounts._utc(after) > accounts._utc(old)  # written once the lock is free


def test_a_write_that_meets_an_import_says_busy_and_lands_when_retried(env: Env) -> None:
    """A request that reads and then writes in its transaction cannot wait for the lock (its snapshot would
    be stale): it answers 503 with Retry-After at once, writes nothing, and the same request succeeds later."""
    body = {"username": "newbie", "password": "a long enough pass phrase 42", "role": "viewer"}
    with env.store.writing() as lock:
        lock.execute(sa.text("UPDATE datasets SET name = name"))
        answered = _in_thread(lambda: env.post("admin", "/api/users", json=body))
        assert answered, "a write request waited for the lock instead of answering"
        r = answered[0]
        assert r.status_code == 503, r.text  # type: ignore[attr-defined]
        assert int(r.headers["Retry-After"]) > 0  # type: ignore[attr-defined]
        assert "Traceback" not in r.text  # type: ignore[attr-defined]
    with env.store.engine.connect() as conn:
        assert accounts.get_user(conn, username="newbie") is None
    assert env.post("admin", "/api/users", json=body).status_code == 201
