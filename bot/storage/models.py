"""Imports every table module so `Base.metadata` knows them all (Alembic, tests)."""

from bot.storage import idempotency  # noqa: F401
