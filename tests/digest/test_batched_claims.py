"""Batched claims: a fixed number of statements per batch, each digest won exactly once by racing
replicas (FOR UPDATE SKIP LOCKED on PostgreSQL), also when a whole day's failed digests fall due."""

from __future__ import annotations

import asyncio
import math
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, select

from bot.clock import ManualClock
from bot.digest.store import DigestStore, DueKey
from bot.offline.slack_standin import StandinChannel
from bot.storage import Database
from bot.storage.digest_tables import DigestDelivery
from tests.digest.runners import runner_for

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 25)
TAKEOVER = timedelta(minutes=5)


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """Every SQL statement `db` sends while the block runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


def keys(count: int) -> list[DueKey]:
    return [DueKey(f"C_BATCH{i:04d}", DAY, NOW) for i in range(count)]


async def test_claiming_a_batch_costs_the_same_statements_whatever_its_size(db_url):
    clock = ManualClock(NOW)
    db = Database(db_url)
    await db.upgrade()
    store = DigestStore(db, clock)
    try:
        with statements(db) as small:
            assert len(await store.claim(keys(300)[:5], "a", takeover_after=TAKEOVER)) == 5
        with statements(db) as large:
            assert len(await store.claim(keys(300), "a", takeover_after=TAKEOVER)) == 295
        # New rows: one INSERT; the 5 existing (not claimable) rows: one UPDATE that takes none.
        assert len(small) == 1
        assert len(large) == 2
        clock.advance(minutes=6)  # every claim is abandoned now
        with statements(db) as takeover:
            taken = await store.claim(keys(300), "b", takeover_after=TAKEOVER)
        assert len(taken) == 300 and {d.attempts for d in taken} == {2}
        assert len(takeover) == 2
    finally:
        await db.close()


async def test_racing_replicas_take_over_each_due_row_exactly_once(db_url):
    clock = ManualClock(NOW)
    opened = [Database(db_url) for _ in range(3)]
    await opened[0].upgrade()
    stores = [DigestStore(db, clock) for db in opened]
    all_keys = keys(240)
    try:
        claimed = await stores[0].claim(all_keys, "dead", takeover_after=TAKEOVER)
        for delivery in claimed[::2]:  # half failed with a retry due in 2 minutes, half abandoned
            await stores[0].mark_failed(delivery, "dead", error="x", retry_at=NOW + timedelta(minutes=2))
        clock.advance(minutes=6)

        async def replica(index: int) -> list[str]:
            order = list(all_keys)
            random.Random(index).shuffle(order)  # replicas start at different points, overlap fully
            won: list[str] = []
            for start in range(0, len(order), 25):
                batch = order[start : start + 25]
                won += [
                    d.channel_id
                    for d in await stores[index % 3].claim(batch, f"r{index}", takeover_after=TAKEOVER)
                ]
            return won

        results = await asyncio.gather(*(replica(i) for i in range(6)))
        winners = Counter(channel for won in results for channel in won)
        assert winners == Counter({k.channel_id: 1 for k in all_keys})
        async with opened[0].session() as session:
            rows = (await session.execute(select(DigestDelivery))).scalars().all()
        assert {(r.state, r.attempts) for r in rows} == {("claimed", 2)}
        assert all(r.claimed_by != "dead" for r in rows)
    finally:
        for db in opened:
            await db.close()


async def test_three_runners_on_postgresql_retry_a_failed_day_exactly_once(pg, fakes, make_services, clock):
    channels = [f"C_RETRY{i:03d}" for i in range(120)]
    deps = [await make_services(pg, clock) for _ in range(3)]
    store = DigestStore(deps[0].db, clock)
    for channel in channels:
        fakes.standin.state.add_channel(StandinChannel(channel, channel.lower()))
        await store.enable(channel, "00:00", "Europe/Warsaw", "U_ADMIN")
    clock.advance(days=1)
    due = await runner_for(deps[0]).due()
    for delivery in await store.claim([k for _, k in due], "dead", takeover_after=TAKEOVER):
        await store.mark_failed(
            delivery, "dead", error="Slack down", retry_at=clock.now() + timedelta(minutes=2)
        )
    clock.advance(minutes=3)
    fakes.standin.state.delay("chat.postMessage", 0.005)  # let the runners interleave
    runners = [runner_for(d, concurrency=8, takeover_after=TAKEOVER) for d in deps]
    with statements(deps[0].db) as seen:
        reports = await asyncio.gather(*(runner.run_once() for runner in runners))
    posted = Counter(m["channel"] for m in fakes.standin.state.messages() if m["channel"] in channels)
    assert posted == Counter({c: 1 for c in channels})
    assert sum(len(r.sent) for r in reports) == len(channels)
    # No query per channel beyond recording the sent message, and even that is shared by the sends
    # that finish together (group commit); claims this young are not refreshed before their send.
    sent_by_first = len(reports[0].sent)
    per_send = [s for s in seen if s.lstrip().upper().startswith("UPDATE DIGEST_DELIVERIES SET CLAIMED_AT")]
    marks = [
        s for s in seen if "message_ts=" in s.replace(" ", "") and s.lstrip().upper().startswith("UPDATE")
    ]
    other = len(seen) - len(per_send) - len(marks)
    assert 1 <= len(marks) <= sent_by_first
    assert per_send == []
    async with deps[0].db.session() as session:
        rows = (await session.execute(select(DigestDelivery))).scalars().all()
    assert {r.channel_id for r in rows if r.state == "sent" and r.message_ts} == set(channels)
    batches = math.ceil(len(channels) / runners[0].claim_batch)  # each runner walks every batch
    # Per run: the due query (channels, deliveries), the snapshot insert and its pruning; per
    # batch: the claim INSERT, the takeover UPDATE and the previous-snapshot read.
    assert other <= 4 + 3 * batches
