"""Several replicas (separate Deps, engines and HTTP sessions) racing on one database."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.digest.runner import DigestRunner
from bot.digest.store import DigestStore
from bot.slack_standin import StandinChannel
from bot.storage.digest_tables import DigestDelivery

EARNINGS = "/v2/partners/earnings"
CHANNELS = [f"C_RACE{i:02d}" for i in range(40)]


async def setup_channels(fakes, deps) -> None:
    store = DigestStore(deps.db, deps.clock)
    for i, channel in enumerate(CHANNELS):
        fakes.standin.state.add_channel(StandinChannel(channel, channel.lower()))
        zone = ("Europe/Warsaw", "America/New_York", "Asia/Tokyo")[i % 3]
        await store.enable(channel, "00:00", zone, "U_ADMIN")


def posts_per_channel(fakes) -> Counter:
    return Counter(m["channel"] for m in fakes.standin.state.messages() if m["channel"] in CHANNELS)


@pytest.mark.parametrize("replicas", [2, 3])
async def test_replicas_on_postgresql_send_exactly_one_digest_per_channel(
    pg, fakes, make_deps, clock, replicas
):
    deps = [await make_deps(pg, clock) for _ in range(replicas)]
    await setup_channels(fakes, deps[0])
    clock.advance(days=1)  # every zone is past midnight of a new local day
    fakes.standin.state.delay("chat.postMessage", 0.01)  # let the replicas interleave
    runners = [DigestRunner(d, concurrency=8) for d in deps]
    reports = await asyncio.gather(*(runner.run_once() for runner in runners))
    assert posts_per_channel(fakes) == Counter({channel: 1 for channel in CHANNELS})
    assert sum(len(r.sent) for r in reports) == len(CHANNELS)
    assert fakes.sandbox.state.count("GET", EARNINGS) <= replicas
    async with deps[0].db.session() as session:
        states = Counter((await session.execute(select(DigestDelivery.state))).scalars())
    assert states == Counter({"sent": len(CHANNELS)})
    # The next ticks of all replicas find nothing to do.
    clock.advance(minutes=10)
    again = await asyncio.gather(*(runner.run_once() for runner in runners))
    assert all(r.due == 0 for r in again)
    assert posts_per_channel(fakes) == Counter({channel: 1 for channel in CHANNELS})


async def test_replicas_on_sqlite_send_exactly_one_digest_per_channel(tmp_path, fakes, make_deps, clock):
    url = f"sqlite+aiosqlite:///{tmp_path}/race.db"
    deps = [await make_deps(url, clock) for _ in range(3)]
    await setup_channels(fakes, deps[0])
    clock.advance(days=1)
    await asyncio.gather(*(DigestRunner(d, concurrency=8).run_once() for d in deps))
    assert posts_per_channel(fakes) == Counter({channel: 1 for channel in CHANNELS})


async def test_takeover_race_after_a_dead_replica_has_one_winner_on_postgresql(pg, fakes, make_deps, clock):
    deps = [await make_deps(pg, clock) for _ in range(3)]
    await setup_channels(fakes, deps[0])
    clock.advance(days=1)
    store = DigestStore(deps[0].db, deps[0].clock)
    due = await DigestRunner(deps[0]).due()
    claimed = await store.claim([key for _, key in due], "dead", takeover_after=timedelta(minutes=5))
    assert len(claimed) == len(CHANNELS)
    clock.advance(minutes=6)
    runners = [DigestRunner(d, takeover_after=timedelta(minutes=5)) for d in deps]
    await asyncio.gather(*(runner.run_once() for runner in runners))
    assert posts_per_channel(fakes) == Counter({channel: 1 for channel in CHANNELS})
    async with deps[0].db.session() as session:
        attempts = set((await session.execute(select(DigestDelivery.attempts))).scalars())
    assert attempts == {2}
