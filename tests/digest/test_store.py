"""Digest tables on SQLite and PostgreSQL: migration, exact amounts, the per-day claim."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import inspect

from bot.clock import ManualClock
from bot.digest.store import DigestStore, DueKey, retry_delay
from bot.partners.models import Earnings
from bot.storage import Database

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
KEY = DueKey("C_GENERAL", date(2026, 11, 25), NOW)


async def open_store(url: str, clock: ManualClock) -> tuple[Database, DigestStore]:
    db = Database(url)
    await db.upgrade()
    return db, DigestStore(db, clock)


async def test_migration_creates_the_digest_tables(db_url):
    db = Database(db_url)
    try:
        await db.upgrade()
        await db.upgrade()  # idempotent: a second start changes nothing

        async with db.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            uniques = await connection.run_sync(
                lambda c: inspect(c).get_unique_constraints("digest_deliveries")
            )
        assert {"digest_channels", "earnings_snapshots", "digest_deliveries"} <= tables
        assert any(set(u["column_names"]) == {"channel_id", "local_date"} for u in uniques)
    finally:
        await db.close()


async def test_snapshots_keep_amounts_exactly(db_url):
    db, store = await open_store(db_url, ManualClock(NOW))
    try:
        earnings = Earnings.model_validate(
            {
                "balance": "0.10",
                "pending": 0.2,
                "commission_total": "12345678901234.99",
                "withdrawals": "0.30",
                "affiliate": {"commission_total": "0.1", "livechat": {"commission_total": "0.1"}},
            }
        )
        restored = await store.snapshot(await store.add_snapshot(earnings, NOW))
        assert restored == earnings
        assert restored.commission_total == Decimal("12345678901234.99")
        assert restored.balance + restored.pending == Decimal("0.30")
        assert restored.affiliate.products["livechat"].commission_total == Decimal("0.1")
    finally:
        await db.close()


async def test_many_concurrent_claims_of_one_day_have_one_winner(db_url):
    clock = ManualClock(NOW)
    opened = [await open_store(db_url, clock) for _ in range(3)]
    try:
        results = await asyncio.gather(
            *(
                opened[i % 3][1].claim([KEY], f"owner-{i}", takeover_after=timedelta(minutes=5))
                for i in range(12)
            )
        )
        assert sum(len(won) for won in results) == 1
    finally:
        for db, _ in opened:
            await db.close()


async def test_claim_lifecycle_failed_retry_and_sent_is_final(db_url):
    clock = ManualClock(NOW)
    db, store = await open_store(db_url, clock)
    try:
        [first] = await store.claim([KEY], "a", takeover_after=timedelta(minutes=5))
        assert await store.mark_failed(first, "a", error="Partners API down", retry_at=NOW + retry_delay(1))
        assert await store.claim([KEY], "b", takeover_after=timedelta(minutes=5)) == []
        clock.advance(minutes=2)
        [retry] = await store.claim([KEY], "b", takeover_after=timedelta(minutes=5))
        assert retry.attempts == 2 and retry.claimed_by == "b"
        assert not await store.mark_sent(first, "a", ts="1.1", snapshot_id=None)  # "a" lost it
        assert await store.mark_sent(retry, "b", ts="1.2", snapshot_id=None)
        clock.advance(days=1)
        assert await store.claim([KEY], "c", takeover_after=timedelta(0)) == []
        [latest] = (await store.deliveries([(KEY.channel_id, KEY.local_date)])).values()
        assert latest.state == "sent" and latest.message_ts == "1.2" and latest.error is None
    finally:
        await db.close()


def test_backoff_grows_to_an_hour():
    assert [retry_delay(n).total_seconds() / 60 for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]
