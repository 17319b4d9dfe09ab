"""contributions (drafts of an organisation's slice), provenance per value, and who requested each job

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_requesters",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.Text(), nullable=True, comment="the user's organisation when they asked"),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_requesters_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_job_requesters_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "user_id", name=op.f("pk_job_requesters")),
    )
    op.create_index("ix_job_requesters_user_id", "job_requesters", ["user_id"])
    # the jobs of an existing store: whoever created a job requested it
    op.execute(
        "INSERT INTO job_requesters (job_id, user_id, organization, requested_at) "
        "SELECT jobs.id, jobs.created_by, users.organization, jobs.created_at "
        "FROM jobs JOIN users ON users.id = jobs.created_by"
    )
    op.create_table(
        "contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False, comment="the version the draft was checked against"),
        sa.Column("organization", sa.Text(), nullable=True, comment="the submitter's organisation"),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=False, comment="the file name, or 'api'"),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column(
            "changes", sa.JSON(), nullable=False, comment="{upserts: {table: [record]}, deletes: {table: [key]}}"
        ),
        sa.Column("problems", sa.JSON(), nullable=False, comment="validation problems against the base version"),
        sa.Column("contradictions", sa.JSON(), nullable=False, comment="flags for the programme's review"),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True, comment="why it was rejected"),
        sa.Column("version", sa.Integer(), nullable=True, comment="the version it was accepted into"),
        sa.CheckConstraint("status IN ('draft', 'accepted', 'rejected')", name=op.f("ck_contributions_status")),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_contributions_submitted_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contributions")),
    )
    op.create_index("ix_contributions_dataset_status", "contributions", ["dataset", "status"])
    op.create_table(
        "provenance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="the version the value first appeared in"),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False, comment="the record's key values joined by '|'"),
        sa.Column("field", sa.Text(), nullable=False, comment="a field name, or '*' for a deleted record"),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.Text(), nullable=True, comment="the contributing organisation"),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_by", sa.Text(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("change IN ('added', 'changed', 'deleted')", name=op.f("ck_provenance_change")),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_provenance_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provenance")),
    )
    op.create_index("ix_provenance_dataset_table_name_record", "provenance", ["dataset", "table_name", "record"])


def downgrade() -> None:
    op.drop_index("ix_provenance_dataset_table_name_record", table_name="provenance")
    op.drop_table("provenance")
    op.drop_index("ix_contributions_dataset_status", table_name="contributions")
    op.drop_table("contributions")
    op.drop_index("ix_job_requesters_user_id", table_name="job_requesters")
    op.drop_table("job_requesters")
