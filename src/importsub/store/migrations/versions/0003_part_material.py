"""parts.material: a basic material whose BOM-less value is fully traced (default false)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COMMENT = (
    "Basic material (steel, polymer granulate, aluminium, paint…): without a BOM its value is fully traced to "
    "its producer's country; any other BOM-less part made inside the group is untraced (origin unknown)"
)


def upgrade() -> None:
    # stored parts predate the field: none of them is a material until a new version says so
    with op.batch_alter_table("parts") as batch:
        batch.add_column(sa.Column("material", sa.Boolean(), nullable=True, server_default=sa.false(), comment=COMMENT))


def downgrade() -> None:
    with op.batch_alter_table("parts") as batch:
        batch.drop_column("material")
