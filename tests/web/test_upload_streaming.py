"""Uploads are streamed under the cap: every route taking a file refuses a file of cap + 1 bytes with 413
after reading at most the cap plus one chunk (and nothing at all when ``Content-Length`` says so), stores
nothing, accepts a file of exactly the cap, and refuses viewers before reading a byte.

The body is an async generator that counts what the server pulled from it, sent through httpx's ASGI
transport (which, unlike the test client, hands the app one chunk each time it asks) and, once, through a
real uvicorn server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from webenv import Env, login, make_env, web_dataset

from importsub.io import write_path
from importsub.store import contributions
from importsub.web import Settings

CAP = 200_000  # max_upload_mb = 0.2 [bytes]
CHUNK = 64 * 1024  # what one ASGI message carries here (uvicorn reads 64 KiB at a time)
BOUNDARY = "upload-test-boundary"
SLICE = {"format": "importsub", "format_version": 1, "name": "slice", "tables": {}}
SLICE["tables"] = {"inventory": [{"site": "AVTO-TLT", "part": "BRK", "units": 2500}]}


@dataclass(frozen=True)
class Route:
    url: str
    who: str
    fields: dict[str, str]
    page: bool  # a dashboard form (session cookie and CSRF token) rather than the API (bearer token)
    ok: int  # the status of an accepted file of exactly the cap
    kind: str = "dataset"  # what the file holds: a whole dataset, or AVTO's slice


ROUTES = [
    Route("/api/datasets", "admin", {"name": "big"}, page=False, ok=201),
    Route("/api/datasets/validate", "avto", {}, page=False, ok=200),
    Route("/api/datasets/plant/contributions/file", "avto", {}, page=False, ok=201, kind="slice"),
    Route("/upload", "admin", {"dataset": "big"}, page=True, ok=303),
    Route("/contributions/upload?dataset=plant", "avto", {}, page=True, ok=303, kind="slice"),
]


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    db = str(tmp_path_factory.mktemp("streaming") / "web.sqlite")
    gen = make_env(db, versions=1, settings=Settings(db=db, worker=False, max_upload_mb=CAP / 1e6))
    env = next(gen)
    yield env
    gen.close()


def payload(kind: str, size: int, tmp: Path) -> bytes:
    """A valid file (the whole dataset as JSON, or AVTO's inventory) padded with spaces to ``size`` bytes."""
    if kind == "slice":
        data = json.dumps(SLICE).encode()
    else:
        path = tmp / "plant.json"
        write_path(web_dataset(), path)
        data = path.read_bytes()
    assert len(data) < size
    return data + b" " * (size - len(data))


@dataclass
class Body:
    """A multipart body served chunk by chunk, counting what was pulled."""

    head: bytes
    data: bytes
    tail: bytes = f"\r\n--{BOUNDARY}--\r\n".encode()
    pulled: int = 0
    chunks: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, fields: dict[str, str], filename: str, data: bytes) -> Body:
        head = b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        )
        head += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'.encode()
        head += b"Content-Type: application/json\r\n\r\n"
        return cls(head, data)

    @property
    def length(self) -> int:
        return len(self.head) + len(self.data) + len(self.tail)

    def pieces(self) -> Iterator[bytes]:
        yield self.head
        for i in range(0, len(self.data), CHUNK):
            yield self.data[i : i + CHUNK]
        yield self.tail

    async def stream(self) -> AsyncIterator[bytes]:
        for piece in self.pieces():
            self.pulled += len(piece)
            self.chunks.append(len(piece))
            yield piece


def send(env: Env, route: Route, data: bytes, *, declared: int | None = None) -> tuple[httpx.Response, Body]:
    """POST a file holding ``data`` to the route through the ASGI transport, as its user; the response and
    the body (with what the server pulled of it).  ``declared``: a Content-Length to send (default: none,
    a chunked upload)."""
    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    fields = dict(route.fields)
    cookies: dict[str, str] = {}
    if route.page:
        browser = TestClient(env.client.app, base_url="http://testserver")
        fields = {"csrf_token": login(browser, route.who), **fields}
        cookies = dict(browser.cookies)
    else:
        headers.update(env.auth(route.who))
    body = Body.of(fields, f"{route.kind}.json", data)
    if declared is not None:
        headers["content-length"] = str(declared)

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=env.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", cookies=cookies) as client:
            return await client.post(route.url, content=body.stream(), headers=headers, follow_redirects=False)

    return asyncio.run(post()), body


def stored(env: Env) -> tuple[object, ...]:
    """Everything an upload could have written: datasets and versions, contributions, the audit log."""
    with env.store.engine.connect() as conn:
        drafts = len(contributions.list_contributions(conn, dataset="plant", every_organization=True, limit=1000))
        audit = conn.exec_driver_sql("select count(*) from audit_log where action not in ('login', 'logout')").scalar()
    return tuple((d.name, d.latest) for d in env.store.datasets()), drafts, audit


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.url)
def test_a_file_over_the_cap_is_refused_after_at_most_one_chunk(capped: Env, route: Route, tmp_path: Path) -> None:
    before = stored(capped)
    for size in (CAP + 1, 50 * CAP):  # one byte over, and 10 MB: the server stops at the same place
        r, body = send(capped, route, payload(route.kind, size, tmp_path))
        assert r.status_code == 413, r.text[:500]
        assert "upload limit of 200,000 bytes" in r.text
        assert r.headers["connection"] == "close"  # the rest of the body is not drained
        assert r.headers["content-type"].startswith("text/html" if route.page else "application/json")
        assert body.pulled <= len(body.head) + CAP + CHUNK, (size, body.chunks)
        assert body.pulled < body.length  # never read to the end
    # a Content-Length over the cap: refused before a byte is read
    r, body = send(capped, route, payload(route.kind, CAP + 1, tmp_path), declared=50 * CAP)
    assert r.status_code == 413, r.text[:500]
    assert body.pulled == 0
    # a true Content-Length of a file one byte over: refused while reading
    data = payload(route.kind, CAP + 1, tmp_path)
    r, body = send(capped, route, data, declared=Body.of({}, "x", data).length)
    assert r.status_code == 413
    assert body.pulled <= len(body.head) + CAP + CHUNK
    assert stored(capped) == before  # nothing written


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.url)
def test_a_file_of_exactly_the_cap_is_accepted(tmp_path: Path, route: Route) -> None:
    db = str(tmp_path / "web.sqlite")
    gen = make_env(db, versions=1, settings=Settings(db=db, worker=False, max_upload_mb=CAP / 1e6))
    env = next(gen)
    try:
        before = stored(env)
        r, body = send(env, route, payload(route.kind, CAP, tmp_path))
        assert r.status_code == route.ok, r.text[:1000]
        assert body.pulled == body.length
        if route.url != "/api/datasets/validate":
            assert stored(env) != before  # a version or a draft (and its audit entry)
    finally:
        gen.close()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.url)
def test_viewers_and_strangers_are_refused_before_the_body_is_read(capped: Env, route: Route, tmp_path: Path) -> None:
    viewer = Route(route.url, "viewer", route.fields, route.page, route.ok, route.kind)
    r, body = send(capped, viewer, payload(route.kind, CAP, tmp_path))
    assert r.status_code == 403, r.text[:500]
    assert "can only read" in r.text
    assert body.pulled == 0
    if not route.page:  # no credentials at all

        async def anonymous() -> tuple[httpx.Response, Body]:
            b = Body.of(route.fields, "x.json", b"{}")
            transport = httpx.ASGITransport(app=capped.client.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
                return await client.post(route.url, content=b.stream(), headers=headers), b

        r, b = asyncio.run(anonymous())
        assert r.status_code == 401
        assert b.pulled == 0


def test_a_real_server_stops_reading_at_the_cap(capped: Env, tmp_path: Path, live_server) -> None:  # type: ignore[no-untyped-def]
    """Over a socket (uvicorn): the app pulls no more than the cap and one chunk of a 10 MB chunked upload and
    answers 413; the client never had to send it all."""
    app = capped.client.app
    pulled: list[int] = []  # the sizes of the body messages the app took from the server

    async def counting(scope: Any, receive: Any, send_: Any) -> None:
        async def counted() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                pulled.append(len(message.get("body", b"")))
            return message

        await app(scope, counted if scope["type"] == "http" else receive, send_)

    url = live_server(counting, lifespan="off")
    body = Body.of({}, "dataset.json", payload("dataset", 50 * CAP, tmp_path))
    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}", **capped.auth("avto")}
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for piece in body.pieces():
            sent += len(piece)
            yield piece

    with httpx.Client(base_url=url, timeout=30) as client:
        r = client.post("/api/datasets/validate", content=chunks(), headers=headers)
    assert r.status_code == 413, r.text[:500]
    assert "upload limit" in r.json()["detail"]
    # the server hands the app what it has buffered (about 64 KiB, at times more): the app stops at the
    # first message that passes the cap
    assert sum(pulled[:-1]) <= len(body.head) + CAP < sum(pulled), pulled
    assert max(pulled) <= 4 * CHUNK, pulled
    assert sent < body.length  # the server closed the connection instead of draining the body


@pytest.mark.parametrize("route", [r for r in ROUTES if r.who == "admin"], ids=lambda r: r.url)
def test_writers_are_refused_before_the_body_is_read_where_an_administrator_is_needed(
    capped: Env, route: Route, tmp_path: Path
) -> None:
    """An analyst may send files, but not to a route only an administrator may use: refused before a byte
    is read (the route's own role check would refuse it only after the whole file)."""
    analyst = Route(route.url, "avto", route.fields, route.page, route.ok, route.kind)
    before = stored(capped)
    r, body = send(capped, analyst, payload(route.kind, CAP, tmp_path))
    assert r.status_code == 403, r.text[:500]
    assert "administrator" in r.text
    assert body.pulled == 0
    assert stored(capped) == before
