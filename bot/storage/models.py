"""Imports every table module so `Base.metadata` knows them all (Alembic, tests)."""

import bot.alerts.tables
import bot.digest.period_tables
import bot.payouts.tables
import bot.storage.digest_tables
import bot.subscriptions.tables
import bot.vault.tables  # noqa: F401
from bot.storage import idempotency  # noqa: F401
