"""The run's one heartbeat and its group-commit writer (bot/digest/inflight.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from bot.clock import ManualClock
from bot.digest.inflight import Heartbeat, SentRecorder
from bot.digest.store import DueKey
from bot.partners.models import Earnings
from tests.digest.test_batched_claims import statements
from tests.digest.test_store import open_store

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 25)
TAKEOVER = timedelta(minutes=5)
GUARD = 20.0  # seconds before a broken heartbeat fails the test instead of hanging it
EARNINGS = Earnings.model_validate(
    {"balance": "1.00", "pending": "0", "commission_total": "1.00", "withdrawals": "0"}
)
KEYS = [DueKey(f"C_{i:02d}", DAY, NOW) for i in range(6)]


def _refreshes(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith("UPDATE DIGEST_DELIVERIES SET CLAIMED_AT")]


async def test_a_fresh_claim_is_not_refreshed_an_older_one_is_and_a_taken_one_is_lost(db_url):
    clock = ManualClock(NOW)
    db, store = await open_store(db_url, clock)
    try:
        [delivery] = await store.claim(KEYS[:1], "a", takeover_after=TAKEOVER)
        beat = Heartbeat(store, clock, "a", seconds=3600, fresh_for=TAKEOVER / 2)
        clock.advance(minutes=2)  # younger than half the takeover: nobody can have taken it
        with statements(db) as seen:
            assert await beat.still_mine(delivery)
        assert seen == []
        clock.advance(minutes=1)  # three minutes old: refreshed in the database before the send
        with statements(db) as seen:
            assert await beat.still_mine(delivery)
        assert len(_refreshes(seen)) == 1
        [row] = (await store.deliveries([(delivery.channel_id, DAY)])).values()
        assert row.claimed_at == clock.now()
        clock.advance(minutes=2)  # fresh again from the refresh: no statement
        with statements(db) as seen:
            assert await beat.still_mine(delivery)
        assert seen == []
        clock.advance(minutes=4)  # six minutes since the refresh: another owner takes it over
        assert [d.claimed_by for d in await store.claim(KEYS[:1], "b", takeover_after=TAKEOVER)] == ["b"]
        assert not await beat.still_mine(delivery)
    finally:
        await db.close()


async def test_one_beat_refreshes_every_post_in_flight_in_one_statement(db_url):
    clock = ManualClock(NOW)
    db, store = await open_store(db_url, clock)
    try:
        held = await store.claim(KEYS, "a", takeover_after=TAKEOVER)
        beat = Heartbeat(store, clock, "a", seconds=0.01, fresh_for=TAKEOVER / 2)
        for delivery in held[:4]:
            beat.start_posting(delivery)
        clock.advance(minutes=4)
        refreshed = clock.now()

        async def refreshed_rows() -> dict:
            while True:
                rows = await store.deliveries([(k.channel_id, DAY) for k in KEYS])
                # The beat notes what it wrote once the UPDATE returns: wait for that too, since
                # stopping it a moment after the commit would cancel it before the note.
                in_db = sum(r.claimed_at == refreshed for r in rows.values()) >= 4
                if in_db and all(beat.is_fresh(d) for d in held[:4]):
                    return rows
                await asyncio.sleep(0.01)

        with statements(db) as seen:
            rows = await asyncio.wait_for(refreshed_rows(), GUARD)
        await beat.stop()
        assert len(_refreshes(seen)) >= 1
        # Each statement covered the four posts in flight (four ids besides the owner, the state and
        # the time: a statement per post would bind four values), and the two not posting were left alone.
        assert all(s.count("?") + s.count("$") == 7 for s in _refreshes(seen))
        by_channel = {r.channel_id: r.claimed_at for r in rows.values()}
        assert [by_channel[d.channel_id] == refreshed for d in held] == [True] * 4 + [False] * 2
        assert not any(beat.is_fresh(d) for d in held[4:])
    finally:
        await db.close()


async def test_sends_finishing_together_are_recorded_in_one_write_and_a_lost_claim_is_not(db_url):
    clock = ManualClock(NOW)
    db, store = await open_store(db_url, clock)
    try:
        held = await store.claim(KEYS, "a", takeover_after=TAKEOVER)
        snapshot = await store.add_snapshot(EARNINGS, NOW)
        recorder = SentRecorder(store, "a")
        stranger = SentRecorder(store, "someone-else")
        with statements(db) as seen:
            results = await asyncio.gather(
                *(recorder.record(d, f"1.{i}", snapshot) for i, d in enumerate(held)),
                stranger.record(held[0], "9.9", snapshot),
            )
        assert results == [True] * len(held) + [False]
        marks = [s for s in seen if "message_ts" in s and s.lstrip().upper().startswith("UPDATE")]
        assert 1 <= len(marks) < len(held)  # grouped: the first write alone, then the rest together
        rows = await store.deliveries([(k.channel_id, DAY) for k in KEYS])
        recorded = {r.channel_id: (r.state, r.message_ts, r.snapshot_id) for r in rows.values()}
        assert recorded == {d.channel_id: ("sent", f"1.{i}", snapshot) for i, d in enumerate(held)}
    finally:
        await db.close()
