"""/subscribe: the orders admins reviewed, which Confirm executes (never `private_metadata` alone).

Revision ID: 0007_pending_orders
Revises: 0004_merge
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_pending_orders"
down_revision = "0006_digest_period"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_orders",
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("license_id", sa.String(64), nullable=False),
        sa.Column("client_name", sa.String(200), nullable=False),
        sa.Column("plan", sa.String(32), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("billing_cycle", sa.String(16), nullable=False),
        sa.Column("card_label", sa.String(64), nullable=False),
        sa.Column("card_last4", sa.String(4), nullable=False),
        sa.Column("card_fingerprint", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("price_shown", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_pending_orders")),
    )
    op.create_index(op.f("ix_pending_orders_expires_at"), "pending_orders", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_orders_expires_at"), table_name="pending_orders")
    op.drop_table("pending_orders")
