"""Contributions: an organisation's slice of a dataset as a draft, the programme's decision, provenance per value.

A contribution holds the records an organisation submits (added or replaced
by key, and keys to delete), the validation problems and the contradictions
found when it was checked against the shared dataset, and its status:
``draft`` until the programme ``accepted`` it into a new version or
``rejected`` it with a reason.  When a draft is accepted, every record field
it changed gets a provenance entry: who submitted it, when, which submission,
who accepted it and the version it first appeared in.

Every function takes a SQLAlchemy ``Connection`` (the caller owns the
transaction) and keyword-only arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from importsub.store.base import now, utc
from importsub.store.tables import contributions, provenance, users, versions

STATUSES: Final[tuple[str, ...]] = ("draft", "accepted", "rejected")
KEY_SEPARATOR: Final = "|"
"""Between the key values of a record in :attr:`ProvenanceEntry.record` (``AVTO-TLT|BRK|BRAKE-MSK``)."""
DELETED: Final = "*"
"""The ``field`` of the provenance entry of a deleted record."""


@dataclass(frozen=True)
class Contribution:
    """A submitted slice: its changes, what checking it found, and the decision on it."""

    id: int
    dataset: str
    base_version: int
    organization: str | None
    submitted_by: int | None
    username: str
    submitted_at: datetime
    source: str
    note: str | None
    status: str
    changes: dict[str, Any]
    problems: list[dict[str, Any]]
    contradictions: list[dict[str, Any]]
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    version: int | None

    @property
    def upserts(self) -> dict[str, list[dict[str, Any]]]:
        """Records added or replaced, by table (JSON values)."""
        return dict(self.changes.get("upserts") or {})

    @property
    def deletes(self) -> dict[str, list[dict[str, Any]]]:
        """Keys of records deleted, by table (JSON values)."""
        return dict(self.changes.get("deletes") or {})


@dataclass(frozen=True)
class ProvenanceEntry:
    """Where one field of one record comes from: the accepted contribution that set it."""

    dataset: str
    version: int
    table: str
    record: str
    field: str
    change: str
    contribution_id: int
    organization: str | None
    username: str
    submitted_at: datetime
    accepted_by: str
    accepted_at: datetime


def record_key(values: Iterable[Any]) -> str:
    """A record's key values as one text (``None`` as empty), as :attr:`ProvenanceEntry.record` holds it.

    >>> record_key(["AVTO-TLT", "BRK", "BRAKE-MSK"])
    'AVTO-TLT|BRK|BRAKE-MSK'
    """
    return KEY_SEPARATOR.join("" if v is None else str(v) for v in values)


def _contribution(row: Any) -> Contribution:
    m = dict(row._mapping)
    m["submitted_at"] = utc(m["submitted_at"])
    m["decided_at"] = utc(m["decided_at"])
    return Contribution(**m)


def create_contribution(
    conn: Connection,
    *,
    dataset: str,
    base_version: int,
    user_id: int | None,
    username: str,
    organization: str | None,
    source: str,
    changes: dict[str, Any],
    problems: Sequence[dict[str, Any]] = (),
    contradictions: Sequence[dict[str, Any]] = (),
    note: str | None = None,
) -> Contribution:
    """Store a draft contribution and return it."""
    new_id = conn.execute(
        contributions.insert()
        .values(
            dataset=dataset,
            base_version=base_version,
            organization=organization,
            submitted_by=user_id,
            username=username,
            submitted_at=now(),
            source=source,
            note=note,
            status="draft",
            changes=changes,
            problems=list(problems),
            contradictions=list(contradictions),
        )
        .returning(contributions.c.id)
    ).scalar_one()
    found = get_contribution(conn, contribution_id=int(new_id))
    assert found is not None
    return found


def get_contribution(conn: Connection, *, contribution_id: int) -> Contribution | None:
    row = conn.execute(sa.select(contributions).where(contributions.c.id == contribution_id)).first()
    return _contribution(row) if row else None


def list_contributions(
    conn: Connection,
    *,
    dataset: str,
    organization: str | None = None,
    every_organization: bool = False,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Contribution]:
    """Contributions to ``dataset``, newest first: those of ``organization``, or all when ``every_organization``."""
    q = sa.select(contributions).where(contributions.c.dataset == dataset)
    if not every_organization:
        if organization is None:
            return []
        q = q.where(contributions.c.organization == organization)
    if status:
        q = q.where(contributions.c.status == status)
    q = q.order_by(contributions.c.id.desc()).limit(limit).offset(offset)
    return [_contribution(r) for r in conn.execute(q)]


def open_drafts(conn: Connection, *, organization: str | None, user_id: int | None = None) -> int:
    """How many drafts (of any dataset) ``organization`` has waiting for a decision; without an organisation,
    those ``user_id`` submitted.  On PostgreSQL it first takes a transaction lock per organisation (or user), so
    that two submissions counting at once cannot both pass a cap: call it in the transaction that inserts."""
    who = f"org:{organization}" if organization is not None else f"user:{user_id}"
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": "importsub-drafts:" + who})
    q = sa.select(sa.func.count()).select_from(contributions).where(contributions.c.status == "draft")
    if organization is not None:
        q = q.where(contributions.c.organization == organization)
    else:
        q = q.where(contributions.c.organization.is_(None), contributions.c.submitted_by == user_id)
    return int(conn.execute(q).scalar_one())


def decide_contribution(
    conn: Connection,
    *,
    contribution_id: int,
    status: str,
    decided_by: str,
    reason: str | None = None,
    version: int | None = None,
) -> bool:
    """Mark a draft ``accepted`` (into ``version``) or ``rejected`` (with ``reason``).

    False when it is no longer a draft (decided by someone else meanwhile): the update is conditional.
    """
    if status not in ("accepted", "rejected"):
        raise ValueError(f"a contribution is accepted or rejected, not {status!r}")
    res = conn.execute(
        contributions.update()
        .where(contributions.c.id == contribution_id, contributions.c.status == "draft")
        .values(status=status, decided_by=decided_by, decided_at=now(), reason=reason, version=version)
    )
    return res.rowcount == 1


def set_accepted_version(conn: Connection, *, contribution_id: int, version: int) -> None:
    """The version an accepted contribution went into (set once it is written)."""
    conn.execute(
        contributions.update()
        .where(contributions.c.id == contribution_id, contributions.c.status == "accepted")
        .values(version=version)
    )


def reopen_contribution(conn: Connection, *, contribution_id: int) -> None:
    """An accepted contribution whose version could not be written becomes a draft again."""
    conn.execute(
        contributions.update()
        .where(
            contributions.c.id == contribution_id,
            contributions.c.status == "accepted",
            contributions.c.version.is_(None),
        )
        .values(status="draft", decided_by=None, decided_at=None)
    )


def versions_of_organization(conn: Connection, *, organization: str, since: datetime) -> list[datetime]:
    """When versions were written for ``organization`` since ``since``, oldest first (for write quotas): by its
    users, and by the programme accepting its contributions."""
    by_users = sa.select(versions.c.created_at.label("at")).where(
        versions.c.created_at >= since,
        versions.c.created_by.in_(sa.select(users.c.username).where(users.c.organization == organization)),
    )
    accepted = sa.select(contributions.c.decided_at.label("at")).where(
        contributions.c.organization == organization,
        contributions.c.status == "accepted",
        contributions.c.decided_at >= since,
    )
    stamps = conn.execute(sa.union_all(by_users, accepted)).scalars().all()
    return sorted(t if t.tzinfo else t.replace(tzinfo=UTC) for t in stamps)


def record_provenance(
    conn: Connection,
    *,
    contribution: Contribution,
    version: int,
    accepted_by: str,
    changes: Iterable[tuple[str, str, str, str]],
) -> int:
    """Write one provenance entry per (table, record key text, field, change) of an accepted contribution.

    ``change`` is ``added``, ``changed`` or ``deleted`` (field :data:`DELETED`).  Returns the entries written.
    """
    at = now()
    rows = [
        {
            "dataset": contribution.dataset,
            "version": version,
            "table_name": table,
            "record": record,
            "field": field,
            "change": change,
            "contribution_id": contribution.id,
            "organization": contribution.organization,
            "username": contribution.username,
            "submitted_at": contribution.submitted_at,
            "accepted_by": accepted_by,
            "accepted_at": at,
        }
        for table, record, field, change in changes
    ]
    if rows:
        conn.execute(provenance.insert(), rows)
    return len(rows)


def provenance_of(
    conn: Connection,
    *,
    dataset: str,
    table: str | None = None,
    record: str | None = None,
    field: str | None = None,
    limit: int = 1000,
) -> list[ProvenanceEntry]:
    """Provenance entries of ``dataset`` (optionally one table, record and field), newest first."""
    q = sa.select(provenance).where(provenance.c.dataset == dataset)
    if table is not None:
        q = q.where(provenance.c.table_name == table)
    if record is not None:
        q = q.where(provenance.c.record == record)
    if field is not None:
        q = q.where(provenance.c.field == field)
    q = q.order_by(provenance.c.id.desc()).limit(limit)
    out = []
    for row in conn.execute(q):
        m = dict(row._mapping)
        del m["id"]
        m["table"] = m.pop("table_name")
        m["submitted_at"] = utc(m["submitted_at"])
        m["accepted_at"] = utc(m["accepted_at"])
        out.append(ProvenanceEntry(**m))
    return out


__all__ = [
    "DELETED",
    "KEY_SEPARATOR",
    "STATUSES",
    "Contribution",
    "ProvenanceEntry",
    "create_contribution",
    "decide_contribution",
    "get_contribution",
    "list_contributions",
    "open_drafts",
    "provenance_of",
    "record_key",
    "record_provenance",
    "reopen_contribution",
    "set_accepted_version",
    "versions_of_organization",
]
