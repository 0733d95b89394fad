"""Idempotency claims on SQLite and the real PostgreSQL: one winner, stale takeover, outcomes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.settings import SettingsError
from bot.storage import Database, IdempotencyStore


async def test_exactly_one_of_many_concurrent_claims_wins(database):
    clock = ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC))
    stores = [IdempotencyStore(database, clock) for _ in range(3)]
    claims = await asyncio.gather(*(stores[i % 3].claim("t", "k1") for i in range(12)))
    assert sum(claim.won for claim in claims) == 1
    assert all(claim.state == "pending" for claim in claims)


async def test_losers_see_the_recorded_outcome(database):
    store = IdempotencyStore(database, ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC)))
    first = await store.claim("t", "k2")
    await store.finish("t", "k2", first.owner, state="done", result={"slug": "pp_x"})
    second = await store.claim("t", "k2")
    assert not second.won
    assert second.state == "done" and second.result == {"slug": "pp_x"}


async def test_stale_pending_claim_is_taken_over_once_but_fresh_one_is_not(database):
    clock = ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC))
    store = IdempotencyStore(database, clock, stale_after=timedelta(minutes=5))
    first = await store.claim("t", "k3")
    clock.advance(minutes=4)
    assert not (await store.claim("t", "k3")).won
    clock.advance(minutes=2)
    takeovers = await asyncio.gather(store.claim("t", "k3"), store.claim("t", "k3"))
    assert sum(c.won for c in takeovers) == 1
    # The original owner can no longer record an outcome over the new owner's claim.
    await store.finish("t", "k3", first.owner, state="done", result={})
    assert (await store.get("t", "k3")).state == "pending"


async def test_release_lets_the_operation_be_tried_again(database):
    store = IdempotencyStore(database, ManualClock(datetime(2026, 11, 25, 9, tzinfo=UTC)))
    first = await store.claim("t", "k4")
    await store.release("t", "k4", first.owner)
    assert (await store.claim("t", "k4")).won


async def test_sqlite_file_database_creates_only_the_default_data_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = Database("sqlite+aiosqlite:///data/bot.db")
    await db.upgrade()
    await db.close()
    assert (tmp_path / "data" / "bot.db").exists()
    # Any other missing folder is a typo in DATABASE_URL: say so rather than create it anywhere.
    with pytest.raises(
        SettingsError, match=r"^DATABASE_URL is malformed: the folder .*new/dir does not exist"
    ):
        Database(f"sqlite+aiosqlite:///{tmp_path}/new/dir/bot.db")
    assert not (tmp_path / "new").exists()
