"""Merge the digest and /subscribe branches into one head (no schema change).

Both were written on top of 0001_base at the same time. One head lets `alembic upgrade head`, a
future migration's `down_revision` and `alembic current` work without naming branches; databases
already at both old heads just move their version rows to this one.

Revision ID: 0004_merge
Revises: 0002_digest, 0003_subscribe
"""

revision = "0004_merge"
down_revision = ("0002_digest", "0003_subscribe")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
