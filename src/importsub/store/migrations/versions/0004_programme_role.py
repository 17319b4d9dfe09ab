"""users.role: the programme role (the ministries of both countries) beside admin, analyst and viewer

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.create_check_constraint(op.f("ck_users_role"), "role IN ('admin', 'programme', 'analyst', 'viewer')")


def downgrade() -> None:
    # programme users become analysts without an organisation (they read what such analysts read)
    op.execute("UPDATE users SET role = 'analyst' WHERE role = 'programme'")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.create_check_constraint(op.f("ck_users_role"), "role IN ('admin', 'analyst', 'viewer')")
