"""Contributions from the command line: an organisation's slice as a draft; the programme's decision.

* ``importsub contribute FILE --dataset D --as USER`` — submit a file (``.xlsx``, ``.json``, a folder of CSV
  files) as a draft contribution of USER's organisation: the same ownership check, validation against the
  latest version, contradictions and draft cap as the web service
  (:mod:`importsub.web.services.contributions`).
* ``importsub contributions list|show|accept|reject`` — read the drafts as USER may read them (the programme
  and admins: every organisation's; figures of other organisations left empty), and, as a programme user or an
  admin, accept one into a new version (within the version quotas) or reject it with a reason.

The caps and quotas are the web service's settings (``IMPORTSUB_MAX_OPEN_DRAFTS_PER_ORGANIZATION``,
``IMPORTSUB_MAX_VERSIONS_PER_HOUR``, ``IMPORTSUB_MAX_VERSIONS_PER_ORGANIZATION_HOUR``), read from the
environment.  Every decision and submission is written to the audit log (``ip`` ``cli``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer

from importsub.cli.common import (
    DEFAULT_DATASET,
    DatasetOption,
    DbOption,
    FormatOption,
    OutOption,
    command_group,
    err,
    open_store,
    show_problems,
    status,
)
from importsub.model.errors import ImportsubError, Problem, ValidationError

AsOption = Annotated[
    str, typer.Option("--as", help="The user in whose name this is done (their role and organisation apply).")
]
IdArgument = Annotated[int, typer.Argument(help="The contribution's number.", min=1)]
CLI = "cli"

app = command_group()
"""``importsub contribute``: a top-level command."""

contributions = command_group(
    help="The drafts organisations submitted: list, show, and (the programme) accept or reject.", no_args_is_help=True
)


def _user(store: Any, username: str) -> Any:
    """The active user ``username`` (an error naming them otherwise)."""
    from importsub.store import accounts

    with store.engine.connect() as conn:
        user = accounts.get_user(conn, username=username)
    if user is None or not user.active:
        raise ImportsubError(f"--as {username!r}: no active user of that name in {store}")
    return user


def _settings() -> Any:
    from importsub.web.config import Settings

    return Settings()


def _audit(store: Any, *, action: str, user: Any, target: str, detail: dict[str, Any] | None = None) -> None:
    from importsub.store import accounts

    with store.writing() as conn:
        accounts.audit(conn, action=action, user=user, target=target, detail=detail, ip=CLI)


def _problem_frame(problems: list[dict[str, Any]] | list[Problem]) -> pl.DataFrame:
    rows = [p if isinstance(p, dict) else vars(p) for p in problems]
    cols = ("file", "sheet", "row", "column", "message")
    return pl.DataFrame(
        {c: ["" if r.get(c) is None else str(r.get(c)) for r in rows] for c in cols},
        schema=dict.fromkeys(cols, pl.String()),
    )


def _flag_frame(flags: list[dict[str, Any]]) -> pl.DataFrame:
    cols = ("kind", "table", "record", "message")
    return pl.DataFrame(
        {c: [str(f.get(c) or "") for f in flags] for c in cols}, schema=dict.fromkeys(cols, pl.String())
    )


@app.command()
def contribute(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="Your slice: an .xlsx workbook, a .json document or a folder of .csv files.",
            exists=True,
        ),
    ],
    as_user: AsOption,
    dataset: DatasetOption = DEFAULT_DATASET,
    note: Annotated[str | None, typer.Option(help="A note for the programme.")] = None,
    db: DbOption = None,
) -> None:
    """Submit a file of your organisation's records as a draft contribution (nothing changes until the programme
    accepts it); prints its number, its validation problems and contradictions."""
    from importsub.web.services import contributions as service
    from importsub.web.services.editing import PermissionProblem

    store = open_store(db)
    user = _user(store, as_user)
    if not user.can_write:
        raise ImportsubError(f"--as {as_user}: the role {user.role} can only read; nothing was submitted")
    info = store.versions(dataset)[-1]
    with status(f"reading and checking {path} against {dataset} version {info.version}"):
        draft = service.draft_from_path(path)
        current = store.read_dataset(dataset, info.version)
        try:
            c = service.submit(
                store,
                current,
                info,
                user=user,
                draft=draft,
                source=path.name,
                note=note,
                max_open_drafts=_settings().max_open_drafts_per_organization,
            )
        except PermissionProblem as exc:
            err.print(f"{as_user} may not change some of these records:")
            show_problems(ValidationError(exc.problems, len(exc.problems)))
            raise typer.Exit(1) from None
    _audit(
        store,
        action="contribution submitted",
        user=user,
        target=f"{dataset} contribution {c.id}",
        detail={"source": c.source, "problems": len(c.problems), "contradictions": len(c.contradictions)},
    )
    err.print(
        f"submitted contribution {c.id} to [bold]{dataset}[/] as a draft (checked against version {c.base_version}): "
        f"{len(c.problems)} problem(s), {len(c.contradictions)} contradiction(s)"
    )
    if c.problems:
        show_problems(ValidationError([Problem(**p) for p in c.problems], len(c.problems)))
    for flag in c.contradictions:
        err.print(f"contradiction: {flag['message']}", highlight=False)


def _readable(store: Any, user: Any, contribution_id: int) -> Any:
    """Contribution ``contribution_id`` if ``user`` may read it (the same error whether absent or not theirs)."""
    from importsub.store import contributions as stored
    from importsub.web.services import contributions as service

    with store.engine.connect() as conn:
        c = stored.get_contribution(conn, contribution_id=contribution_id)
    if c is None or not service.may_read(user, c):
        raise ImportsubError(f"no contribution {contribution_id}")
    return c


def _row(c: Any) -> dict[str, Any]:
    return {
        "contribution": c.id,
        "dataset": c.dataset,
        "organisation": c.organization or "",
        "submitted by": c.username,
        "submitted [UTC]": c.submitted_at.strftime("%Y-%m-%d %H:%M"),
        "source": c.source,
        "status": c.status,
        "problems": len(c.problems),
        "contradictions": len(c.contradictions),
        "decided by": c.decided_by or "",
        "reason": c.reason or "",
        "version": c.version,
    }


@contributions.command("list")
def list_(
    as_user: AsOption,
    dataset: DatasetOption = DEFAULT_DATASET,
    state: Annotated[
        str | None, typer.Option("--status", help="Only draft, accepted or rejected ones.", show_default=False)
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = "table",
    out_file: OutOption = None,
) -> None:
    """Contributions to a dataset, newest first: your organisation's (the programme and admins: everyone's)."""
    from importsub.reports.tables import emit
    from importsub.store import contributions as stored
    from importsub.web.services import contributions as service

    if state is not None and state not in stored.STATUSES:
        raise typer.BadParameter(f"{state!r} is not one of: {', '.join(stored.STATUSES)}", param_hint="'--status'")
    store = open_store(db)
    user = _user(store, as_user)
    store.versions(dataset)  # a dataset that does not exist is an error, not an empty list
    with store.engine.connect() as conn:
        found = stored.list_contributions(
            conn,
            dataset=dataset,
            organization=user.organization,
            every_organization=service.sees_every_contribution(user),
            status=state,
            limit=1000,
        )
    df = pl.DataFrame([_row(c) for c in found]) if found else pl.DataFrame({"contribution": []})
    emit(df, fmt, out_file, title=f"contributions to {dataset}")


@contributions.command()
def show(
    contribution_id: IdArgument,
    as_user: AsOption,
    db: DbOption = None,
    fmt: FormatOption = "table",
    out_file: OutOption = None,
) -> None:
    """One contribution: its status, what accepting it would change in the latest version (figures you may not
    see left empty), its validation problems and contradictions."""
    from importsub.model.errors import Problem as P
    from importsub.reports.tables import emit
    from importsub.web.confidentiality import Viewer
    from importsub.web.services import contributions as service

    store = open_store(db)
    user = _user(store, as_user)
    c = _readable(store, user, contribution_id)
    current = store.read_dataset(c.dataset)
    diff = service.draft_diff(c, current, Viewer.of(user))
    cols = ("table", "record", "field", "change", "latest", "draft")
    changes = pl.DataFrame(
        {k: [_shown(d, k) for d in diff] for k in cols},
        schema=dict.fromkeys(cols, pl.String()),
    )
    problems = service.problems_for([P(**p) for p in c.problems], user, c.organization)
    tables = {
        "contribution": pl.DataFrame([{**_row(c), "note": c.note or ""}]),
        "changes against the latest version": changes,
        "problems": _problem_frame(problems),
        "contradictions": _flag_frame(c.contradictions),
    }
    emit(tables, fmt, out_file, title=f"contribution {c.id}")


def _shown(change: dict[str, Any], column: str) -> str:
    """A cell of the changes table: a figure the reader may not see reads "hidden"."""
    if column in ("latest", "draft") and change.get("hidden"):
        return "hidden"
    value = change.get(column)
    return "" if value is None else str(value)


def _programme(store: Any, username: str) -> Any:
    user = _user(store, username)
    if user.role not in ("admin", "programme"):
        raise ImportsubError(
            f"--as {username}: only the programme or an administrator decides contributions; the role is {user.role}"
        )
    return user


@contributions.command()
def accept(contribution_id: IdArgument, as_user: AsOption, db: DbOption = None) -> None:
    """Accept a draft into a new version of its dataset (the programme or an admin; within the version quotas)."""
    from importsub.web.services import contributions as service
    from importsub.web.services.editing import PermissionProblem, Quota

    store = open_store(db)
    user = _programme(store, as_user)
    c = _readable(store, user, contribution_id)
    settings = _settings()
    quota = Quota(settings.max_versions_per_hour, settings.max_versions_per_organization_hour)
    with status(f"checking contribution {c.id} against the latest version of {c.dataset}"):
        try:
            info = service.accept(store, store.read_dataset(c.dataset), c, user=user, quota=quota)
        except PermissionProblem as exc:
            err.print("the submitter may not change some of these records in the latest version; nothing was written")
            show_problems(ValidationError(exc.problems, len(exc.problems)))
            raise typer.Exit(1) from None
        except ValidationError as exc:
            err.print("the contribution does not fit the latest version; nothing was written")
            raise ValidationError(service.problems_for(exc.problems, user, c.organization), exc.total) from None
    _audit(
        store, action="contribution accepted", user=user, target=f"{c.dataset} contribution {c.id} -> v{info.version}"
    )
    err.print(f"accepted contribution {c.id} into [bold]{c.dataset}[/] version {info.version}")


@contributions.command()
def reject(
    contribution_id: IdArgument,
    as_user: AsOption,
    reason: Annotated[str, typer.Option("--reason", help="Why, for the submitter.")],
    db: DbOption = None,
) -> None:
    """Reject a draft with a reason (the programme or an admin)."""
    from importsub.web.services import contributions as service

    if not reason.strip():
        raise typer.BadParameter("give a reason for the submitter", param_hint="'--reason'")
    store = open_store(db)
    user = _programme(store, as_user)
    c = _readable(store, user, contribution_id)
    with store.writing() as conn:
        service.reject(conn, c, user=user, reason=reason.strip())
    _audit(store, action="contribution rejected", user=user, target=f"{c.dataset} contribution {c.id}")
    err.print(f"rejected contribution {c.id} of {c.dataset}: {reason.strip()}", highlight=False)
