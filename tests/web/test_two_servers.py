"""Two real server processes on one store, each with its caches filled: what one process commits (a role
change, a revoked token, a deactivated account, a new version) shows in the other at its next request."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from webenv import _store_for, web_dataset

from importsub.store import Store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "IMPORTSUB_DB": db, "IMPORTSUB_WORKER": "false"}
    args = [
        "--factory",
        "importsub.web:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", *args], env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"the server on port {port} did not start")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, dict[str, str], dict[str, int], str]]:
    db = str(tmp_path_factory.mktemp("two") / "web.sqlite")
    store, users, tokens = _store_for(db, 2, None)
    store.engine.dispose()
    started = [_serve(db), _serve(db)]
    try:
        yield started[0][1], started[1][1], tokens, {k: u.id for k, u in users.items()}, db
    finally:
        for server, _ in started:
            server.terminate()
            server.wait(20)


def _get(base: str, token: str, url: str, **headers: str) -> httpx.Response:
    return httpx.get(base + url, headers={"Authorization": f"Bearer {token}", **headers}, timeout=30)


def _warm(base: str, token: str) -> None:
    """Fill the process's caches for this caller: its lookup, the listing, kept answers."""
    for _ in range(2):
        assert _get(base, token, "/api/users/me").status_code == 200
        assert _get(base, token, "/api/datasets").status_code == 200
        assert _get(base, token, "/api/datasets/plant/records/supply_links").status_code == 200


def test_a_role_change_in_one_server_shows_in_the_other_at_once(servers) -> None:  # type: ignore[no-untyped-def]
    a, b, tokens, ids, _ = servers
    _warm(b, tokens["viewer"])
    assert _get(b, tokens["viewer"], "/api/users/me").json()["role"] == "viewer"
    r = httpx.patch(
        f"{a}/api/users/{ids['viewer']}",
        json={"role": "analyst"},
        headers={"Authorization": f"Bearer {tokens['admin']}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert _get(b, tokens["viewer"], "/api/users/me").json()["role"] == "analyst"


def test_a_token_revoked_in_one_server_is_refused_by_the_other_at_once(servers) -> None:  # type: ignore[no-untyped-def]
    a, b, tokens, _, _ = servers
    _warm(a, tokens["avto"])
    _warm(b, tokens["avto"])
    r = httpx.post(f"{a}/api/users/me/tokens/revoke-all", headers={"Authorization": f"Bearer {tokens['avto']}"})
    assert r.status_code == 200, r.text
    for base in (b, a):
        assert _get(base, tokens["avto"], "/api/datasets").status_code == 401
        assert _get(base, tokens["avto"], "/api/datasets/plant/records/supply_links").status_code == 401
    assert _get(b, tokens["brake"], "/api/datasets").status_code == 200  # others are not affected


def test_a_user_deactivated_in_one_server_is_refused_by_the_other_at_once(servers) -> None:  # type: ignore[no-untyped-def]
    a, b, tokens, ids, _ = servers
    _warm(b, tokens["brake"])
    r = httpx.patch(
        f"{a}/api/users/{ids['brake']}",
        json={"active": False},
        headers={"Authorization": f"Bearer {tokens['admin']}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert _get(b, tokens["brake"], "/api/datasets/plant/records/supply_links").status_code == 401


def test_a_new_version_shows_in_both_servers_with_a_new_etag(servers) -> None:  # type: ignore[no-untyped-def]
    a, b, tokens, _, db = servers
    before = {base: _get(base, tokens["ministry"], "/api/datasets") for base in (a, b)}
    assert before[a].headers["etag"] == before[b].headers["etag"]  # the same answer, the same tag
    for base in (a, b):
        kept = _get(base, tokens["ministry"], "/api/datasets", **{"If-None-Match": before[base].headers["etag"]})
        assert kept.status_code == 304
    other = Store(db)  # a third process writes
    other.write_dataset(web_dataset(avto_shares=(0.55, 0.45)), name="plant", note="third", created_by="test")
    other.engine.dispose()
    for base in (a, b):
        after = _get(base, tokens["ministry"], "/api/datasets", **{"If-None-Match": before[base].headers["etag"]})
        assert after.status_code == 200
        latest = {d["name"]: d["latest"] for d in after.json()}["plant"]
        assert latest == {d["name"]: d["latest"] for d in before[base].json()}["plant"] + 1
        assert after.headers["etag"] != before[base].headers["etag"]
        assert _get(base, tokens["ministry"], "/api/datasets/plant/records/supply_links").json()["version"] == latest


def test_a_server_pools_its_connections(tmp_path: Path) -> None:
    # the factory's store keeps open connections: the pool is no NullPool
    from importsub.web import Settings, create_app

    app = create_app(Settings(db=str(tmp_path / "p.sqlite"), worker=False))
    assert type(app.state.store.engine.pool).__name__ == "QueuePool"
    app.state.store.engine.dispose()
