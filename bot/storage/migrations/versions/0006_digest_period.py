"""Weekly and monthly digests (`digest_periods`) and the payout audit trail (`payout_attempts`).

Revision ID: 0006_digest_period
Revises: 0004_merge
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_digest_period"
down_revision = "0005_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_periods",
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("day_of_month", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["digest_channels.channel_id"],
            name=op.f("fk_digest_periods_channel_id_digest_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_digest_periods")),
    )
    op.create_table(
        "payout_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("amount", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("api_status", sa.Integer(), nullable=True),
        sa.Column("withdrawal_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_attempts")),
    )
    op.create_index(op.f("ix_payout_attempts_request_id"), "payout_attempts", ["request_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_payout_attempts_request_id"), table_name="payout_attempts")
    op.drop_table("payout_attempts")
    op.drop_table("digest_periods")
