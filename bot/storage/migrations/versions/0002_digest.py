"""Daily earnings digest: channel schedules, earnings snapshots, deliveries (the per-day claim).

Revision ID: 0002_digest
Revises: 0001_base
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_digest"
down_revision = "0001_base"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_channels",
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("time_of_day", sa.String(5), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("set_by", sa.String(32), nullable=False),
        sa.Column("active_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_digest_channels")),
    )
    op.create_table(
        "earnings_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_earnings_snapshots")),
    )
    op.create_index(op.f("ix_earnings_snapshots_taken_at"), "earnings_snapshots", ["taken_at"])
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("local_date", sa.String(10), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("message_ts", sa.String(32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["earnings_snapshots.id"],
            name=op.f("fk_digest_deliveries_snapshot_id_earnings_snapshots"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_deliveries")),
        sa.UniqueConstraint("channel_id", "local_date", name="uq_digest_deliveries_channel_date"),
    )


def downgrade() -> None:
    op.drop_table("digest_deliveries")
    op.drop_index(op.f("ix_earnings_snapshots_taken_at"), table_name="earnings_snapshots")
    op.drop_table("earnings_snapshots")
    op.drop_table("digest_channels")
