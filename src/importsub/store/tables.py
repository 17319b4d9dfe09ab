"""Database tables, derived from the record schema.

Every record type becomes one table with the schema's columns plus
``version_id``; a dataset version is an immutable set of rows in every table.
The primary key of a record table is ``(version_id, *key)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import sqlalchemy as sa

from importsub.model.schema import TABLES, FieldType, RecordType

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _text() -> sa.types.TypeEngine:  # type: ignore[type-arg]
    # byte-order collation on PostgreSQL: the same order as polars sorts keys,
    # and primary-key indexes build several times faster than with a locale
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


SQL_TYPES: dict[FieldType, Callable[[], sa.types.TypeEngine]] = {  # type: ignore[type-arg]
    "str": _text,
    "int": sa.BigInteger,
    "float": sa.Float,
    "bool": sa.Boolean,
    "date": sa.Date,
}

datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("source", sa.Text, nullable=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("created_by", sa.Text, nullable=True),
    sa.UniqueConstraint("dataset_id", "number", name="uq_versions_dataset_number"),
)


def _record_table(rt: RecordType) -> sa.Table:
    cols: list[sa.Column] = [  # type: ignore[type-arg]
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id", ondelete="CASCADE"), nullable=False)
    ]
    for f in rt.fields:
        cols.append(
            sa.Column(
                f.name,
                SQL_TYPES[f.type](),
                nullable=not f.required,
                comment=f"{f.description} [{f.unit}]" if f.unit else f.description,
            )
        )
    return sa.Table(
        rt.name,
        metadata,
        *cols,
        sa.PrimaryKeyConstraint("version_id", *rt.key, name=f"pk_{rt.name}"),
        comment=rt.description,
    )


RECORD_TABLES: dict[str, sa.Table] = {rt.name: _record_table(rt) for rt in TABLES}


# ---------------------------------------------------------------- accounts, audit log and jobs (migration 0002)


users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("display_name", sa.Text, nullable=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("organization", sa.Text, nullable=True, comment="organizations.id of the dataset records; empty = none"),
    sa.Column("language", sa.Text, nullable=True, comment="en or ru; empty = from the browser"),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("must_change_password", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'programme', 'analyst', 'viewer')", name="role"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    sa.Column("prefix", sa.Text, nullable=False, comment="first characters, to recognise a token"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked", sa.Boolean, nullable=False, default=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("ip", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Index("ix_login_attempts_username_ip_at", "username", "ip", "at"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("username", sa.Text, nullable=True),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("target", sa.Text, nullable=True),
    sa.Column("detail", sa.JSON, nullable=True),
    sa.Column("ip", sa.Text, nullable=True),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("input_hash", sa.Text, nullable=False, comment="SHA-256 of (kind, dataset fingerprint, params)"),
    sa.Column("dataset", sa.Text, nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("progress", sa.Float, nullable=False, default=0.0, comment="fraction done [0-1]"),
    sa.Column("message", sa.Text, nullable=True),
    sa.Column("result", sa.JSON, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    sa.Index("ix_jobs_input_hash", "input_hash"),
    sa.Index("ix_jobs_status", "status"),
)

ACCOUNT_TABLES: Final = (users, api_tokens, sessions, login_attempts, audit_log, jobs)


# ---------------------------------------------------------------- job requesters, contributions, provenance (0005)


job_requesters = sa.Table(
    "job_requesters",
    metadata,
    sa.Column("job_id", sa.Integer, sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("organization", sa.Text, nullable=True, comment="the user's organisation when they asked"),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("job_id", "user_id", name="pk_job_requesters"),
    sa.Index("ix_job_requesters_user_id", "user_id"),
)

contributions = sa.Table(
    "contributions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dataset", sa.Text, nullable=False),
    sa.Column("base_version", sa.Integer, nullable=False, comment="the version the draft was checked against"),
    sa.Column("organization", sa.Text, nullable=True, comment="the submitter's organisation"),
    sa.Column("submitted_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("source", sa.Text, nullable=False, comment="the file name, or 'api'"),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("changes", sa.JSON, nullable=False, comment="{upserts: {table: [record]}, deletes: {table: [key]}}"),
    sa.Column("problems", sa.JSON, nullable=False, comment="validation problems against the base version"),
    sa.Column("contradictions", sa.JSON, nullable=False, comment="flags for the programme's review"),
    sa.Column("decided_by", sa.Text, nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reason", sa.Text, nullable=True, comment="why it was rejected"),
    sa.Column("version", sa.Integer, nullable=True, comment="the version it was accepted into"),
    sa.CheckConstraint("status IN ('draft', 'accepted', 'rejected')", name="status"),
    sa.Index("ix_contributions_dataset_status", "dataset", "status"),
)

provenance = sa.Table(
    "provenance",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dataset", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, comment="the version the value first appeared in"),
    sa.Column("table_name", sa.Text, nullable=False),
    sa.Column("record", sa.Text, nullable=False, comment="the record's key values joined by '|'"),
    sa.Column("field", sa.Text, nullable=False, comment="a field name, or '*' for a deleted record"),
    sa.Column("change", sa.Text, nullable=False),
    sa.Column("contribution_id", sa.Integer, sa.ForeignKey("contributions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("organization", sa.Text, nullable=True, comment="the contributing organisation"),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("accepted_by", sa.Text, nullable=False),
    sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("change IN ('added', 'changed', 'deleted')", name="change"),
    sa.Index("ix_provenance_dataset_table_name_record", "dataset", "table_name", "record"),
)

CONTRIBUTION_TABLES: Final = (job_requesters, contributions, provenance)


def all_metadata() -> sa.MetaData:
    """The metadata with every table of the store (records, datasets, accounts, audit log, jobs, contributions)."""
    return metadata
