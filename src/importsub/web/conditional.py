"""ETags, conditional GETs and the per-process cache of read-only responses.

Every ``GET`` answered 200 with a body of at most :data:`MAX_BODY` bytes gets
an ``ETag``: a digest of the body itself, so it changes whenever what the
caller is shown changes (a new version, another viewer, another language) and
never otherwise.  A request whose ``If-None-Match`` names it is answered
``304 Not Modified`` without the body.  API responses are marked
``Cache-Control: private, no-cache`` (a client may keep them and must ask
again each time); pages stay ``no-store``.

Routes whose answer depends only on the store, the caller and the request
(the dataset listing, records, scenarios, projects, jobs and results, the
overview, dataset and job pages) declare :data:`Cacheable`.  Their 200
answers are kept, per caller (the credential's digest, never the secret), per
language, path, query and the headers the pages read, in a
:class:`~importsub.web.fresh.Cache` stamped with the store's state: any
commit of any process (a new version, a revoked token, a role change)
drops them all, and none is older than :data:`MAX_AGE` seconds.  The caller is
authenticated before the cache is read (by
:class:`~importsub.web.security.SecurityMiddleware`), so a revoked token is
refused at once.  A response that sets a cookie is never kept, and a route
with side effects (exports write the audit log) must not declare
:data:`Cacheable`.  Stores that cannot be stamped (PostgreSQL, in-memory
SQLite) keep nothing: only the ETag saves the body's transfer there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from importsub.store import Store
from importsub.web.fresh import Cache, Stamp

#: largest body given an ETag (and kept) [bytes]; a larger or streamed one passes through as it is
MAX_BODY: Final = 4_000_000
#: longest a kept response is served without the store changing [s] (bounds what depends on the clock)
MAX_AGE: Final = 10.0
#: responses kept per process
SIZE: Final = 512
#: request headers that can change a page (htmx partials) or a negotiated answer
KEY_HEADERS: Final = (b"hx-request", b"accept")
_DROP_ON_304: Final = frozenset({b"content-length", b"content-type", b"content-encoding"})


async def _cacheable(request: Request) -> None:
    request.state.cacheable = True


#: route dependency: this GET has no side effect and its answer is a function of the store, caller and request
Cacheable = Depends(_cacheable)


@dataclass(frozen=True)
class Kept:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes


def etag_of(body: bytes) -> bytes:
    """The strong ETag of a body (quoted, 32 hex digits of BLAKE2b)."""
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def matches(if_none_match: bytes | None, etag: bytes) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (``*``, lists, weak ``W/`` forms)."""
    if not if_none_match:
        return False
    for tag in if_none_match.split(b","):
        tag = tag.strip()
        if tag == b"*" or tag.removeprefix(b"W/") == etag:
            return True
    return False


class ConditionalMiddleware:
    """ETags, ``304 Not Modified`` and the cache of :data:`Cacheable` responses (see the module docs).

    Runs inside :class:`~importsub.web.security.SecurityMiddleware`, which leaves the caller in the scope.
    """

    def __init__(self, app: ASGIApp, *, responses: Cache) -> None:
        self.app = app
        self.responses = responses

    @staticmethod
    def cache_of(store: Store, size: int = SIZE, max_age: float = MAX_AGE) -> Cache:
        """The cache of kept responses of ``store`` (``size`` 0: nothing is kept)."""
        return Cache(size, stamp=Stamp(store), max_age=max_age)

    @staticmethod
    def _key(scope: Scope, state: dict[str, object], headers: dict[bytes, bytes]) -> tuple[object, ...] | None:
        credential = state.get("credential")
        if state.get("user") is None or credential is None:
            return None  # signed out: the login page sets cookies of its own
        extra = tuple(headers.get(h, b"") for h in KEY_HEADERS)
        return (scope["path"], scope.get("query_string", b""), credential, state.get("lang"), *extra)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        headers = dict(scope.get("headers") or [])
        if_none_match = headers.get(b"if-none-match")
        key = self._key(scope, state, headers)
        made_under: object = None
        if key is not None:
            hit, kept = self.responses.peek(key)
            if hit:
                assert isinstance(kept, Kept)
                await self._answer(send, kept, if_none_match)
                return
            made_under = self.responses.stamp() if self.responses.stamp is not None else None  # before the app runs
        start: Message | None = None
        parts: list[bytes] = []
        passing = False

        async def capture(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
                if message["status"] != 200:
                    passing = True
                    await send(message)
            elif message["type"] == "http.response.body" and start is not None:
                parts.append(message.get("body", b""))
                if message.get("more_body", False):
                    if sum(map(len, parts)) > MAX_BODY:  # too large to hold: send what came, then stream on
                        passing = True
                        await send(start)
                        await send({"type": "http.response.body", "body": b"".join(parts), "more_body": True})
                    return
                kept = self._kept(scope, start, b"".join(parts))
                if kept is None:
                    passing = True
                    await send(start)
                    await send({"type": "http.response.body", "body": b"".join(parts)})
                    return
                if key is not None and made_under is not None and state.get("cacheable") and self._may_keep(start):
                    self.responses.put(key, kept, made_under)
                await self._answer(send, kept, if_none_match)
            else:
                await send(message)

        await self.app(scope, receive, capture)

    @staticmethod
    def _may_keep(start: Message) -> bool:
        return not any(name.lower() == b"set-cookie" for name, _ in start.get("headers", []))

    @staticmethod
    def _kept(scope: Scope, start: Message, body: bytes) -> Kept | None:
        """The response with its ETag and cache headers (None: one to send as it is)."""
        if len(body) > MAX_BODY:
            return None
        etag = etag_of(body)
        out = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"etag", b"cache-control")]
        out.append((b"etag", etag))
        if scope["path"].startswith("/api/"):
            out.append((b"cache-control", b"private, no-cache"))
        return Kept(start["status"], tuple(out), body, etag)

    @staticmethod
    async def _answer(send: Send, kept: Kept, if_none_match: bytes | None) -> None:
        if matches(if_none_match, kept.etag):
            headers = [(k, v) for k, v in kept.headers if k.lower() not in _DROP_ON_304]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": kept.status, "headers": list(kept.headers)})
        await send({"type": "http.response.body", "body": kept.body})
