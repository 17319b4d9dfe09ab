"""The application factory: one FastAPI app on one store, API and dashboard together.

Everything an app holds lives on ``app.state``, made here: the settings,
the store, the cached datasets, the analysis registry
(:func:`~importsub.web.services.catalogue.build_analyses`, with the
settings' Dask fan-out), the job runner and the templates.  The routers
are the JSON API (:mod:`importsub.web.api`, under ``/api``) and the pages
(:mod:`importsub.web.pages`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from importsub.model.errors import FileFormatError, ImportsubError, NotFoundError, ValidationError
from importsub.store import Store
from importsub.web import api, pages
from importsub.web.api.schemas import problem_dicts
from importsub.web.conditional import ConditionalMiddleware
from importsub.web.config import Settings
from importsub.web.i18n import gettext as _
from importsub.web.security import BodyLimitMiddleware, SecurityMiddleware
from importsub.web.services.analyses import Fanout
from importsub.web.services.catalogue import build_analyses
from importsub.web.services.data import Datasets
from importsub.web.services.editing import QuotaExceeded
from importsub.web.services.jobs import JobRunner
from importsub.web.templating import STATIC, make_templates, render

log = logging.getLogger("importsub.web")

API_PREFIX = "/api"
#: open store connections a server process keeps for its requests (its thread pool runs up to 40 at once)
POOL_SIZE = 8

TAGS = [
    {"name": "auth", "description": "Sign in, API tokens."},
    {"name": "users", "description": "Accounts, roles and organisations (admins), own settings."},
    {"name": "datasets", "description": "Datasets, their immutable versions, diffs, upload and export."},
    {"name": "records", "description": "Records of every type in the schema (one generic router)."},
    {"name": "scenarios", "description": "What-if scenarios: disruptions, demand changes, active projects."},
    {"name": "projects", "description": "Joint import-substitution projects with outputs, ramp-up and milestones."},
    {"name": "analyses", "description": "Analyses as background jobs with stored results."},
]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path == "/openapi.json"


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the web application.

    Parameters
    ----------
    settings : Settings, optional
        Default: from the environment (``IMPORTSUB_*``).
    store : Store, optional
        An open store; default: ``Store(settings.db)``.

    Examples
    --------
    >>> import tempfile, os
    >>> app = create_app(Settings(db=os.path.join(tempfile.mkdtemp(), "s.sqlite"), worker=False))
    >>> app.title
    'importsub'
    """
    settings = settings or Settings()
    # one pool of connections per process, reused by every request (a SQLite file too)
    store = store or Store(settings.db, pool_size=POOL_SIZE)
    # the server's threads write through SQLAlchemy while an upload imports: one copy of SQLite, shared locks
    store.bulk_sqlite = False
    analyses = build_analyses(Fanout(settings.dask_scheduler or None, int(settings.dask_workers)))
    datasets = Datasets(store)
    runner = JobRunner(store.engine, datasets.full, analyses, settings.worker_poll_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner.recover()
        if settings.worker:
            runner.start()
        try:
            yield
        finally:
            runner.stop()

    app = FastAPI(
        title="importsub",
        summary="Import substitution in automotive supply chains: datasets, records, scenarios, analyses.",
        version="0.1.0",
        openapi_tags=TAGS,
        docs_url=None,  # the Swagger/ReDoc pages load assets from the internet; /openapi.json is served
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.datasets = datasets
    app.state.analyses = analyses
    app.state.runner = runner
    app.state.templates = make_templates()

    # inside the security middleware: ETags, 304s and kept responses of the caller it resolved
    app.state.responses = ConditionalMiddleware.cache_of(store, int(settings.response_cache))
    app.add_middleware(ConditionalMiddleware, responses=app.state.responses)
    app.add_middleware(SecurityMiddleware, store=store, settings=settings)
    # outermost of ours: an over-large body is refused before anything (sign-in included) reads it
    app.add_middleware(BodyLimitMiddleware, max_bytes=int(settings.max_upload_mb * 1e6))
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    _install_error_handlers(app)

    for router in api.ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    for router in pages.ROUTERS:
        app.include_router(router)
    return app


def _public(request: Request, exc: Exception) -> str:
    """An error's text as the server may show it: never where the store lives (its URL or file path)."""
    store = request.app.state.store
    text = str(exc)
    secrets = {str(store), repr(store), store.url, store.url.split(":///", 1)[-1]}
    for secret in sorted(secrets, key=len, reverse=True):  # the whole repr first, then its parts
        if secret:
            text = text.replace(secret, _("the store"))
    return text


def _error(request: Request, status_code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error as JSON (the API) or as the error page, with its status and headers."""
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status_code, headers=headers)
    page = render(request, "error.html", {"status": status_code, "message": message}, status_code=status_code)
    page.headers.update(headers or {})
    return page


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(sa.exc.OperationalError)
    async def _busy(request: Request, exc: sa.exc.OperationalError) -> Response:
        text = str(exc.orig).lower()
        if "locked" not in text and "busy" not in text:
            raise exc
        message = _("The data is being updated (an import is running); try again in a moment.")
        return _error(request, 503, message, {"Retry-After": "2"})

    @app.exception_handler(ValidationError)
    async def _validation(request: Request, exc: ValidationError) -> Response:
        return JSONResponse(
            {
                "detail": _("%(n)s problem(s) in the input; nothing was written.", n=exc.total),
                "problems": problem_dicts(exc.problems),
                "total": exc.total,
            },
            status_code=422,
        )

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError) -> Response:
        return _error(request, 404, _public(request, exc))

    @app.exception_handler(FileFormatError)
    async def _bad_file(request: Request, exc: FileFormatError) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(QuotaExceeded)
    async def _quota(request: Request, exc: QuotaExceeded) -> Response:
        return _error(request, 429, str(exc), {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(ImportsubError)
    async def _importsub(request: Request, exc: ImportsubError) -> Response:
        return _error(request, 400, _public(request, exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        if exc.status_code == 401:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return render(
            request, "error.html", {"status": exc.status_code, "message": exc.detail}, status_code=exc.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        if _is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        text = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in errors)
        return render(request, "error.html", {"status": 422, "message": text}, status_code=422)
