"""Database tables, derived from the record schema.

Every record type becomes one table with the schema's columns plus
``version_id``; a dataset version is an immutable set of rows in every table.
The primary key of a record table is ``(version_id, *key)``.
"""

from __future__ import annotations

from collections.abc import Callable

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


def all_metadata() -> sa.MetaData:
    """The metadata with every store module's tables registered (records, accounts, jobs)."""
    import importsub.store.accounts  # noqa: F401  (registers its tables on ``metadata``)

    return metadata
