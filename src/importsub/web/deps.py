"""Dependencies of the routes, as ``Annotated`` aliases.

* ``StoreDep`` — the :class:`~importsub.store.Store`;
* ``SessionDep`` — a database connection in one transaction, committed before
  the response is sent (rolled back on error);
* ``DatasetsDep`` — cached, masked dataset access (:class:`~importsub.web.services.data.Datasets`);
* ``AnalysesDep`` — the analysis kinds this app runs (:class:`~importsub.web.services.analyses.Analyses`);
* ``RunnerDep`` — the background job runner (:class:`~importsub.web.services.jobs.JobRunner`);
* ``OptionalUser`` / ``CurrentUser`` / ``WriterUser`` / ``ProgrammeUser`` /
  ``AdminUser`` — the signed-in user (by session cookie or ``Authorization:
  Bearer`` API token), and the role checks;
* ``ViewerDep`` — what confidentiality masking needs to know about the user;
* ``CsrfChecked`` — router-level guard: unsafe requests authenticated by the
  session cookie must carry the session's CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``);
* ``PageDep`` — everything a dashboard page takes (a :class:`PageContext`:
  request, signed-in user and viewer, settings, store, datasets, analyses,
  job runner, language, CSRF token, and one database transaction opened
  when first used); ``DatasetPageDep`` — the same with the dataset picked by the
  ``?dataset=`` query (else the default, else the first).

Authentication itself runs once per request in
:class:`importsub.web.security.SecurityMiddleware`, which leaves the result
in ``request.state``.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

import polars as pl
from fastapi import Depends, HTTPException, Query, Request, status
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from importsub.model.dataset import Dataset
from importsub.model.errors import NotFoundError
from importsub.store import DatasetInfo, Store, VersionInfo, accounts
from importsub.store.accounts import Session, User
from importsub.web import i18n
from importsub.web.confidentiality import Viewer
from importsub.web.config import Settings
from importsub.web.i18n import gettext as _
from importsub.web.services.analyses import Analyses
from importsub.web.services.data import Datasets
from importsub.web.services.editing import Quota
from importsub.web.services.jobs import JobRunner
from importsub.web.services.local_names import local_names
from importsub.web.services.results import stored_job, visible_result
from importsub.web.templating import render

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


async def get_datasets(request: Request) -> Datasets:
    return request.app.state.datasets  # type: ignore[no-any-return]


async def get_runner(request: Request) -> JobRunner:
    return request.app.state.runner  # type: ignore[no-any-return]


async def get_analyses(request: Request) -> Analyses:
    return request.app.state.analyses  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
DatasetsDep = Annotated[Datasets, Depends(get_datasets)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]
AnalysesDep = Annotated[Analyses, Depends(get_analyses)]


def get_session(store: StoreDep) -> Iterator[Connection]:
    """The request's transaction: deferred, so a read never waits for an import.  A write inside it that
    meets another writer's lock fails at once (503 "busy, try again", see ``app.py``) rather than waiting:
    an import writes its own version in its own transaction, so a request never waits on itself."""
    with store.engine.begin() as conn:
        yield conn


SessionDep = Annotated[Connection, Depends(get_session, scope="function")]


async def get_optional_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


#: where a user with a one-time password may go before changing it
PASSWORD_CHANGE_PATHS: frozenset[str] = frozenset(
    {"/api/users/me", "/api/users/me/password", "/settings", "/settings/password", "/logout", "/language"}
)


def _signed_in(request: Request, user: User | None) -> User:
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail=_("Sign in first."), headers={"WWW-Authenticate": "Bearer"}
        )
    if user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        # a one-time password (a new account, an admin's reset) opens nothing but the password change
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=_("Change your one-time password first (Settings, or POST /api/users/me/password)."),
        )
    return user


# The role checks are coroutines: they only read request.state, and a plain function dependency would cost
# a hop to the thread pool and back on every request.


async def get_current_user(request: Request, user: OptionalUser) -> User:
    return _signed_in(request, user)


CurrentUser = Annotated[User, Depends(get_current_user)]


def _writer(user: User) -> User:
    if not user.can_write:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=_("Your role (viewer) can only read."))
    return user


async def get_writer(user: CurrentUser) -> User:
    return _writer(user)


def may_send_files(request: Request) -> None:
    """Files come from writers only: anyone else is refused before the body is read (a dependency of every
    upload route, evaluated before the body is streamed).  A route that needs an administrator or the
    programme (its own role dependency) refuses other writers here too, so an analyst cannot make the
    server take a file it will then refuse."""
    user = _writer(_signed_in(request, getattr(request.state, "user", None)))
    route = request.scope.get("route")
    needs = _role_dependencies(route) if route is not None else frozenset()
    if "admin" in needs:
        _admin(user)
    if "programme" in needs:
        _programme(user)


def _role_dependencies(route: Any) -> frozenset[str]:
    """The roles a route's dependencies demand (``admin`` for :func:`get_admin`, ``programme`` for
    :func:`get_programme`), read from its dependency tree (a few nodes; only upload routes ask)."""
    found: set[str] = set()
    stack = list(getattr(getattr(route, "dependant", None), "dependencies", ()))
    while stack:
        d = stack.pop()
        if d.call is get_admin:
            found.add("admin")
        elif d.call is get_programme:
            found.add("programme")
        stack.extend(d.dependencies)
    return frozenset(found)


def _admin(user: User) -> User:
    if not user.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=_("Only an administrator can do this."))
    return user


def _programme(user: User) -> User:
    if user.role not in ("admin", "programme"):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=_("Only the programme or an administrator can do this; your role is %(r)s.", r=user.role),
        )
    return user


async def get_admin(user: CurrentUser) -> User:
    return _admin(user)


async def get_programme(user: CurrentUser) -> User:
    """The programme role or an administrator: accepts contributions, reverts versions."""
    return _programme(user)


WriterUser = Annotated[User, Depends(get_writer)]
ProgrammeUser = Annotated[User, Depends(get_programme)]
AdminUser = Annotated[User, Depends(get_admin)]


async def get_viewer(user: CurrentUser) -> Viewer:
    return Viewer.of(user)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def quota(request: Request) -> Quota:
    """New versions per hour of a user other than an admin (``Settings.max_versions_per_hour``) and of one
    organisation (``Settings.max_versions_per_organization_hour``)."""
    settings = request.app.state.settings
    return Quota(int(settings.max_versions_per_hour), settings.max_versions_per_organization_hour)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def check_csrf(request: Request) -> None:
    """Reject unsafe requests that ride on the session cookie without the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    session: Session | None = getattr(request.state, "session", None)
    if session is None:  # API token or anonymous: no ambient credential to abuse
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, session.csrf_token):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=_("The form has expired or did not come from this site; reload the page and try again."),
        )


CsrfChecked = Depends(check_csrf)


# ---------------------------------------------------------------- pages


class _Transaction:
    """A database connection in one transaction, begun when first asked for and ended with the request."""

    def __init__(self, store: Store, stack: ExitStack) -> None:
        self._store = store
        self._stack = stack
        self._conn: Connection | None = None

    @property
    def begun(self) -> bool:
        return self._conn is not None

    def connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._stack.enter_context(self._store.engine.begin())
        return self._conn


@dataclass(frozen=True)
class PageContext:
    """What a dashboard page handler works with, as one dependency (:data:`PageDep`).

    ``dataset`` and ``all_datasets`` are set by :data:`DatasetPageDep` (the
    dataset the page shows and every dataset, for the picker); ``conn`` is
    the request's database transaction, committed before the response is
    sent and rolled back on error, begun only by pages that use it.
    """

    request: Request
    user: User
    viewer: Viewer
    settings: Settings
    store: Store
    datasets: Datasets
    analyses: Analyses
    runner: JobRunner
    _transaction: _Transaction = field(repr=False)
    dataset: str | None = None
    all_datasets: list[DatasetInfo] = field(default_factory=list)

    @property
    def conn(self) -> Connection:
        return self._transaction.connection()

    @property
    def language(self) -> str:
        return i18n.current_language()

    @property
    def csrf_token(self) -> str:
        session: Session | None = getattr(self.request.state, "session", None)
        return session.csrf_token if session else ""

    @property
    def ip(self) -> str:
        return client_ip(self.request)

    def job(self, job_id: int) -> accounts.Job | None:
        """Job ``job_id`` if this user may see it (None if it does not exist or is someone else's)."""
        job = accounts.get_job(self.conn, job_id=job_id)
        if job is None or not accounts.job_visible(self.conn, job_id=job_id, user=self.user):
            return None
        return job

    def pick_dataset(
        self, requested: str | None, listing: list[DatasetInfo] | None = None
    ) -> tuple[str | None, list[DatasetInfo]]:
        """The dataset to show: the requested one (NotFoundError if absent), else the default, else the first
        (of ``listing``, default: the datasets' listing)."""
        all_datasets = self.datasets.listing() if listing is None else listing
        names = [d.name for d in all_datasets]
        if requested:
            if requested not in names:
                raise NotFoundError(_("No dataset %(d)s.", d=requested))
            return requested, all_datasets
        if self.settings.default_dataset in names:
            return self.settings.default_dataset, all_datasets
        return (names[0] if names else None), all_datasets

    def visible(self, name: str, version: int | None = None) -> Dataset:
        """Dataset ``name`` at ``version`` (default: latest) as this user may see it."""
        return self.datasets.visible(name, version, self.viewer)

    def stored_job(self, kind: str, info: VersionInfo, params: Mapping[str, Any]) -> accounts.Job | None:
        """The stored job of ``kind`` with these parameters on version ``info`` (None if never asked for)."""
        return stored_job(self.conn, self.analyses, kind, info, params)

    def result(self, job: accounts.Job) -> tuple[str, dict[str, Any], dict[str, pl.DataFrame]]:
        """(name, fingerprint, tables) of a finished job as this user may see it; on a Russian page the names of
        organisations, sites and parts are their ``name_local`` where the dataset has one."""
        name, fingerprint, tables = visible_result(job, self.viewer, self.datasets, self.analyses)
        if i18n.current_language() == "ru" and job.dataset is not None:
            tables = local_names(tables, self.datasets.full(job.dataset, job.version))
        return name, fingerprint, tables

    def render(self, template: str, context: dict[str, Any] | None = None, status_code: int = 200) -> Response:
        """The page from ``template`` with the common context (user, language, CSRF token, path)."""
        return render(self.request, template, context, status_code)


async def get_page(
    request: Request,
    user: CurrentUser,
    viewer: ViewerDep,
    settings: SettingsDep,
    store: StoreDep,
    datasets: DatasetsDep,
    analyses: AnalysesDep,
    runner: RunnerDep,
) -> AsyncIterator[PageContext]:
    # a coroutine, not a thread-pool hop: only a page that opened the transaction ends it in a thread
    stack = ExitStack()
    transaction = _Transaction(store, stack)
    try:
        yield PageContext(request, user, viewer, settings, store, datasets, analyses, runner, transaction)
    except BaseException as exc:
        await _end(stack, transaction, exc)
        raise
    await _end(stack, transaction, None)


async def _end(stack: ExitStack, transaction: _Transaction, exc: BaseException | None) -> None:
    """Commit (or, after ``exc``, roll back) the page's transaction if it was begun."""
    args = (type(exc), exc, exc.__traceback__) if exc is not None else (None, None, None)
    if transaction.begun:
        await run_in_threadpool(stack.__exit__, *args)
    else:
        stack.__exit__(*args)


PageDep = Annotated[PageContext, Depends(get_page, scope="function")]


async def get_dataset_page(page: PageDep, dataset: Annotated[str | None, Query(max_length=100)] = None) -> PageContext:
    name, all_datasets = page.pick_dataset(dataset, await page.datasets.listing_async())
    return replace(page, dataset=name, all_datasets=all_datasets)


DatasetPageDep = Annotated[PageContext, Depends(get_dataset_page)]
