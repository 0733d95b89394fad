"""/subscribe: the card vault and the subscription attempts audit trail.

Revision ID: 0003_subscribe
Revises: 0001_base
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_subscribe"
down_revision = "0001_base"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vault_cards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("brand", sa.String(32), nullable=False),
        sa.Column("last4", sa.String(4), nullable=False),
        sa.Column("exp_month", sa.Integer(), nullable=False),
        sa.Column("exp_year", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_cards")),
        sa.UniqueConstraint("label", name=op.f("uq_vault_cards_label")),
    )
    op.create_table(
        "subscription_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("license_id", sa.String(64), nullable=False),
        sa.Column("client_name", sa.String(200), nullable=False),
        sa.Column("plan", sa.String(32), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("billing_cycle", sa.String(16), nullable=False),
        sa.Column("card_label", sa.String(64), nullable=False),
        sa.Column("card_last4", sa.String(4), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("api_status", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_attempts")),
    )
    op.create_index(
        op.f("ix_subscription_attempts_request_id"), "subscription_attempts", ["request_id"], unique=False
    )
    op.create_index(
        op.f("ix_subscription_attempts_license_id"), "subscription_attempts", ["license_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_subscription_attempts_license_id"), table_name="subscription_attempts")
    op.drop_index(op.f("ix_subscription_attempts_request_id"), table_name="subscription_attempts")
    op.drop_table("subscription_attempts")
    op.drop_table("vault_cards")
