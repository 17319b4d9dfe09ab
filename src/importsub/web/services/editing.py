"""Changing records through the API: typed, permission-checked, validated, written as a new version.

Every change makes a new immutable version of the dataset (one transaction,
or nothing).  Rules:

* viewers cannot write; analysts and admins can;
* a row of a confidential table (:data:`importsub.web.confidentiality.RULES`)
  may be added, changed or deleted only by its owning organisation's users
  (or an admin) — judged by the site the row describes, from the
  non-confidential ``sites`` table, so a refusal reveals no figure;
* the whole resulting dataset is validated; problems in the submitted rows
  are named by their position in the request, problems elsewhere are
  redacted when they concern another organisation's confidential records.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError, Problem, ValidationError
from importsub.model.ownership import Actor, Owners, may_write, row_owners
from importsub.model.schema import table as record_type
from importsub.model.validate import ROW, RawTable, cell_text, check, parse
from importsub.store import Store, VersionInfo
from importsub.store.accounts import User
from importsub.web.confidentiality import Viewer, redact_problems
from importsub.web.i18n import gettext as _

REQUEST = "request"


class QuotaExceeded(ImportsubError):
    """The user has written their quota of versions for the hour; ``retry_after`` seconds until the next."""

    def __init__(self, limit: int, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            _("%(n)s new versions per hour is the limit; try again in %(s)s seconds.", n=limit, s=retry_after)
        )


@dataclass(frozen=True)
class Quota:
    """New versions per hour: of one user (``per_user``), and of one organisation's users and accepted
    contributions together (``per_organization``; None: no such cap)."""

    per_user: int | None
    per_organization: int | None = None


def _over(recent: list[datetime], limit: int, now: datetime) -> None:
    if len(recent) >= limit:
        oldest = recent[len(recent) - limit]
        raise QuotaExceeded(limit, max(1, int((oldest + timedelta(hours=1) - now).total_seconds()) + 1))


def check_quota(store: Store, user: User, limit: int | Quota | None, *, organization: str | None = None) -> None:
    """Raise :class:`QuotaExceeded` when ``user`` (not an admin) wrote ``limit`` versions in the last hour, or
    (a :class:`Quota` with ``per_organization``) when as many were written for ``organization`` (default: the
    user's) by its users and accepted contributions."""
    quota = limit if isinstance(limit, Quota) else Quota(limit)
    if user.role == "admin":
        return
    now = datetime.now(UTC)
    since = now - timedelta(hours=1)
    if quota.per_user is not None:
        _over(store.versions_written_by(user.username, since), quota.per_user, now)
    organization = organization or user.organization
    if quota.per_organization is not None and organization is not None:
        from importsub.store.contributions import versions_of_organization

        with store.engine.connect() as conn:
            recent = versions_of_organization(conn, organization=organization, since=since)
        _over(recent, quota.per_organization, now)


class PermissionProblem(Exception):
    """Rows the user may not change (each with its position in the request)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:3]))


def typed_rows(table_name: str, records: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Request records -> a typed frame of ``table_name`` (type problems name the request row and column)."""
    rt = record_type(table_name)
    columns: list[str] = []
    for r in records:
        for k in r:
            if k not in columns:
                columns.append(k)
    data = {c: [cell_text(r.get(c)) for r in records] for c in columns}
    frame = pl.DataFrame(data, schema={c: pl.String() for c in columns}).with_columns(
        pl.Series(ROW, range(1, len(records) + 1), dtype=pl.Int64)
    )
    ds = parse([RawTable(rt.name, frame, REQUEST, rt.name)], validate=False)
    return ds.tables[rt.name]


def _refusal(table_name: str, row: int, rows: pl.DataFrame, i: int, *, moved_site: bool = False) -> Problem:
    owner = record_type(table_name).owner
    if moved_site:
        return Problem(
            REQUEST,
            table_name,
            row,
            "organization",
            _("which organisation a site belongs to changes only by the programme"),
        )
    if owner.kind == "programme":
        return Problem(
            REQUEST,
            table_name,
            row,
            None,
            _("this record belongs to the programme; only programme users or an administrator may change it"),
        )
    column = owner.column or ""
    value = rows[column][i]
    text = {
        "organization": _(
            "this record belongs to organisation %(v)s; only its users or an administrator may change it", v=value
        ),
        "site": _(
            "this record belongs to the organisation of site %(v)s; only its users or an administrator may change it",
            v=value,
        ),
        "project": _(
            "this record belongs to the partners of project %(v)s; only their users or an administrator may change it",
            v=value,
        ),
        "producer": _(
            "the BOM of part %(v)s belongs to the organisation that alone makes it; only its users or an administrator may change it",
            v=value,
        ),
    }[owner.kind]
    return Problem(REQUEST, table_name, row, column, text)


def check_ownership(
    table_name: str,
    rows: pl.DataFrame,
    user: Any,
    ds: Dataset,
    *,
    extra_sites: pl.DataFrame | None = None,
    replacing: bool = True,
) -> None:
    """Raise :class:`PermissionProblem` for rows the user may not write (see :mod:`importsub.model.ownership`).

    A row is judged as it would be written and, when it replaces a stored row of the same key
    (``replacing``), as it is stored: nobody takes over another organisation's row by naming themselves in it.
    """
    actor = Actor(str(getattr(user, "role", "viewer")), getattr(user, "organization", None))
    if actor.is_admin:
        return
    rt = record_type(table_name)
    key = list(rt.key)
    new_owners = row_owners(table_name, rows, ds, extra_sites=extra_sites)
    stored = ds.tables[table_name]
    stored_owners: dict[int, Owners] = {}  # request row -> owners of the stored row it replaces
    moved = [False] * rows.height
    matched = stored.join(rows.select(key), on=key, how="semi") if replacing and stored.height else stored.head(0)
    if matched.height:
        by_key = dict(zip(matched.select(key).iter_rows(), row_owners(table_name, matched, ds), strict=True))
        stored_owners = {i: by_key[k] for i, k in enumerate(rows.select(key).iter_rows()) if k in by_key}
        if table_name == "sites" and "organization" in rows.columns:
            was = dict(matched.select("id", "organization").iter_rows())
            moved = [was.get(r) not in (None, o) for r, o in rows.select("id", "organization").iter_rows()]
    problems = []
    for i in range(rows.height):
        if moved[i]:
            if not _only_organization_changed(rows, stored, i) or not actor.for_programme:
                problems.append(_refusal(table_name, i + 1, rows, i, moved_site=True))
            continue
        if not may_write(actor, new_owners[i]) or (i in stored_owners and not may_write(actor, stored_owners[i])):
            problems.append(_refusal(table_name, i + 1, rows, i))
    if problems:
        raise PermissionProblem(problems)


def _only_organization_changed(rows: pl.DataFrame, stored: pl.DataFrame, i: int) -> bool:
    """A site row that differs from the stored one in ``organization`` alone (the programme moves a site)."""
    new = rows.row(i, named=True)
    old = stored.filter(pl.col("id") == new["id"]).row(0, named=True)
    return all(old.get(c) == v for c, v in new.items() if c not in ("organization", ROW))


def check_changes(
    user: Any,
    current: Dataset,
    upserts: Mapping[str, pl.DataFrame],
    deletes: Mapping[str, pl.DataFrame],
) -> None:
    """Raise :class:`PermissionProblem` unless ``user`` may write every row of ``upserts`` and ``deletes``
    (judged against ``current``, the full latest version): the one ownership check of every write path."""
    new_sites = upserts.get("sites")
    for t, rows in upserts.items():
        check_ownership(t, rows, user, current, extra_sites=new_sites)
    for t, keys in deletes.items():
        rt = record_type(t)
        full_rows = current.tables[t].join(keys.select(list(rt.key)), on=list(rt.key), how="semi")
        check_ownership(t, full_rows, user, current, replacing=False)


def merged(
    current: Dataset,
    name: str,
    upserts: Mapping[str, pl.DataFrame],
    deletes: Mapping[str, pl.DataFrame],
) -> tuple[Dataset, dict[str, int]]:
    """``current`` with ``deletes`` (by key) removed and ``upserts`` replacing rows of the same key, else added.

    Returns the new dataset and, per upserted table, how many of its rows come before the incoming ones.
    """
    frames = dict(current.tables)
    incoming_start: dict[str, int] = {}
    for t, keys in deletes.items():
        rt = record_type(t)
        frames[t] = frames[t].join(keys.select(list(rt.key)), on=list(rt.key), how="anti")
    for t, rows in upserts.items():
        rt = record_type(t)
        kept = frames[t].join(rows.select(list(rt.key)), on=list(rt.key), how="anti")
        incoming_start[t] = kept.height
        frames[t] = pl.concat([kept, rows.select(kept.columns)], how="vertical")
    return Dataset(name, frames, None, current.meta), incoming_start


def apply_changes(
    store: Store,
    current: Dataset,
    *,
    name: str,
    user: User,
    upserts: Mapping[str, pl.DataFrame] | None = None,
    deletes: Mapping[str, pl.DataFrame] | None = None,
    note: str | None = None,
    quota: int | Quota | None = None,
) -> VersionInfo:
    """Write ``current`` with ``upserts`` (replace by key, else add) and ``deletes`` (by key) as a new version.

    ``current`` is the full (unmasked) latest version.  Raises
    :class:`PermissionProblem`, :class:`QuotaExceeded` (more than ``quota`` versions by the user in the last
    hour) or :class:`ValidationError` (nothing written).
    """
    viewer = Viewer.of(user)
    upserts = dict(upserts or {})
    deletes = dict(deletes or {})
    check_changes(user, current, upserts, deletes)
    check_quota(store, user, quota)
    new, incoming_start = merged(current, name, upserts, deletes)
    try:
        check(new)
    except ValidationError as exc:
        problems = redact_problems(exc.problems, viewer, new)
        located = []
        for p in problems:
            start = incoming_start.get(p.sheet or "")
            if start is not None and p.row is not None and p.row > start:
                located.append(dataclasses.replace(p, file=REQUEST, row=p.row - start))
            else:
                located.append(p)
        raise ValidationError(located, exc.total) from None
    return store.write_dataset(new, name=name, note=note, source="web", created_by=user.username)
