"""Persistence: SQLAlchemy 2 async on SQLite (default) or PostgreSQL, Alembic migrations."""

from bot.storage.db import Database
from bot.storage.idempotency import Claim, ClaimState, IdempotencyStore

__all__ = ["Claim", "ClaimState", "Database", "IdempotencyStore"]
