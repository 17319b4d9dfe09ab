"""programme: the programme a dataset's projects belong to and its size (a record, not a name-keyed constant)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _text() -> sa.types.TypeEngine:  # type: ignore[type-arg]
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    # stored versions predate the record: they have no programme row (the summary counts their projects)
    op.create_table(
        "programme",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("name", _text(), nullable=False, comment="Name of the programme"),
        sa.Column(
            "size", sa.BigInteger(), nullable=False, comment="Projects in the whole programme, public or not [projects]"
        ),
        sa.Column(
            "source",
            _text(),
            nullable=True,
            comment="Where the figures come from (publisher, year); 'estimate' when they are not public",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name=op.f("fk_programme_version_id_versions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("version_id", "name", name="pk_programme"),
        comment="The programme the dataset's projects belong to, and how many projects it has in all "
        "(the dataset may hold only the public ones).",
    )


def downgrade() -> None:
    op.drop_table("programme")
