"""Per-request security: who is calling, in which language, and the response headers.

One ASGI middleware resolves the caller once per request — an
``Authorization: Bearer`` API token or the session cookie — and leaves
``user``, ``session`` and ``lang`` in ``request.state``; it sets the
request's language for gettext; and it adds the Content-Security-Policy
(everything from this origin only: nothing loads from the internet) and the
other hardening headers to every response.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from importsub.store import Store, accounts
from importsub.store.base import digest
from importsub.web.config import Settings
from importsub.web.fresh import Cache, Stamp
from importsub.web.i18n import LANGUAGES, negotiate, reset_language, set_language

SESSION_COOKIE: Final = "importsub_session"
LANG_COOKIE: Final = "importsub_lang"
LOGIN_CSRF_COOKIE: Final = "importsub_csrf"

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

HEADERS: Final = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def cookie_options(settings: Settings) -> dict[str, Any]:
    """HttpOnly, SameSite=Lax, Secure when served behind TLS."""
    return {"httponly": True, "samesite": "lax", "secure": settings.secure_cookies, "path": "/"}


class SecurityMiddleware:
    """Authenticate, pick the language, add security headers (see module docs)."""

    def __init__(self, app: ASGIApp, *, store: Store, settings: Settings) -> None:
        self.app = app
        self.store = store
        self.settings = settings
        # who a token or session cookie is, until the store changes (a revocation, a sign-out, a role change)
        self.callers = Cache(4096, stamp=Stamp(store))

    @staticmethod
    def _credential(request: Request) -> str | None:
        """The cache key of the request's credential: its kind and digest (never the secret itself)."""
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return "token:" + digest(auth[7:].strip())
        token = request.cookies.get(SESSION_COOKIE)
        return "cookie:" + digest(token) if token else None

    def _resolve(self, request: Request) -> tuple[accounts.User | None, accounts.Session | None, str]:
        key = self._credential(request)
        if key is None:
            return None, None, "none"
        return self.callers.get_or_make(key, lambda: self._lookup(request))

    def _lookup(self, request: Request) -> tuple[accounts.User | None, accounts.Session | None, str]:
        auth = request.headers.get("authorization", "")
        with self.store.engine.begin() as conn:
            if auth[:7].lower() == "bearer ":
                return accounts.user_for_api_token(conn, secret=auth[7:].strip()), None, "token"
            token = request.cookies.get(SESSION_COOKIE)
            if token:
                session = accounts.get_session(conn, token=token)
                if session is not None:
                    return session.user, session, "cookie"
        return None, None, "none"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = scope.get("path", "")
        key = None
        if path.startswith("/static/"):
            user, session, via = None, None, "none"
        else:
            key = self._credential(request)
            hit, known = self.callers.peek(key) if key is not None else (True, (None, None, "none"))
            # a known caller is answered here; only a lookup in the store goes to a thread
            user, session, via = known if hit else await run_in_threadpool(self._resolve, request)  # type: ignore[misc]
        state = scope.setdefault("state", {})
        state["user"] = user
        state["session"] = session
        state["auth_via"] = via
        state["credential"] = key if user is not None else None  # whose cached answers (conditional.py)
        lang = user.language if user is not None and user.language in LANGUAGES else None
        if lang is None:
            cookie = request.cookies.get(LANG_COOKIE)
            lang = (
                cookie
                if cookie in LANGUAGES
                else negotiate(request.headers.get("accept-language"), self.settings.default_language)
            )
        state["lang"] = lang
        token = set_language(lang)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in HEADERS.items():
                    headers.setdefault(k, v)
                headers.setdefault("Content-Language", lang)
                if not path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
                    headers.append("Vary", "Cookie, Accept-Language, Authorization")
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            reset_language(token)


class BodyLimitMiddleware:
    """Refuse a request body over the upload cap with 413 before it is read whole.

    By its ``Content-Length`` when given (nothing is read), else as soon as
    the streamed body passes the cap (chunked uploads): the server never
    holds more than the cap of one request.  The cap is the largest upload
    plus 1 MB for the multipart envelope and form fields.
    """

    MARGIN: Final = 1_000_000

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.limit = max_bytes + self.MARGIN

    async def _refuse(self, send: Send, status_code: int, detail: str) -> None:
        body = json.dumps({"detail": detail}).encode("utf-8")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status_code, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_big = f"The request is larger than the upload limit of {self.limit - self.MARGIN:,} bytes."
        if declared is not None:
            if not declared.isdigit():
                await self._refuse(send, 400, "Content-Length is not a number.")
                return
            if int(declared) > self.limit:
                await self._refuse(send, 413, too_big)
                return
        received = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # answer now; the app sees the client gone and stops reading
                    refused = True
                    if not started:
                        await self._refuse(send, 413, too_big)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:  # the 413 is the answer: whatever the app says after the body stopped is dropped
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, watched)
