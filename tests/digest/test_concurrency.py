"""Several replicas (separate Services, engines and HTTP sessions) racing on one database."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.digest.store import DigestStore
from bot.offline.slack_standin import StandinChannel
from bot.storage.digest_tables import DigestDelivery
from tests.digest.runners import runner_for

EARNINGS = "/v2/partners/earnings"
CHANNELS = [f"C_RACE{i:02d}" for i in range(40)]


async def setup_channels(fakes, services) -> None:
    store = DigestStore(services.db, services.clock)
    for i, channel in enumerate(CHANNELS):
        fakes.standin.state.add_channel(StandinChannel(channel, channel.lower()))
        zone = ("Europe/Warsaw", "America/New_York", "Asia/Tokyo")[i % 3]
        await store.enable(channel, "00:00", zone, "U_ADMIN")


def posts_per_channel(fakes) -> Counter:
    return Counter(m["channel"] for m in fakes.standin.state.messages() if m["channel"] in CHANNELS)


@pytest.mark.parametrize("replicas", [2, 3])
async def test_replicas_on_postgresql_send_exactly_one_digest_per_channel(
    pg, fakes, make_services, clock, replicas
):
    services = [await make_services(pg, clock) for _ in range(replicas)]
    await setup_channels(fakes, services[0])
    clock.advance(days=1)  # every zone is past midnight of a new local day
    fakes.standin.state.delay("chat.postMessage", 0.01)  # let the replicas interleave
    runners = [runner_for(d, concurrency=8) for d in services]
    reports = await asyncio.gather(*(runner.run_once() for runner in runners))
    assert posts_per_channel(fakes) == Counter({channel: 1 for channel in CHANNELS})
    assert sum(len(r.sent) for r in reports) == len(CHANNELS)
    assert fakes.sandbox.state.count("GET", EARNINGS) <= replicas
    async with services[0].db.session() as session:
        states = Counter((await session.execute(select(DigestDelivery.state))).scalars())
    assert states == Counter({"sent": len(CHANNELS)})
    # The next ticks of all replicas find nothing to do.
    clock.advance(minutes=10)
    again = await asyncio.gather(*(runner.run_once() for runner in runners))
    assert all(r.due == 0 for r in again)
    assert posts_per_channel(fakes) == Counter({channel: 1 for channel in CHANNELS})


async def test_replicas_on_sqlite_send_exactly_one_digest_per_channel(tmp_path, fakes, make_services, clock):
    url = f"sqlite+aiosqlite:///{tmp_path}/race.db"
    services = [await make_services(url, clock) for _ in range(3)]
    await setup_channels(fakes, services[0])
    clock.advance(days=1)
    await asyncio.gather(*(runner_for(d, concurrency=8).run_once() for d in services))
    assert posts_per_channel(fakes) == Counter({channel: 1 for channel in CHANNELS})


async def test_takeover_race_after_a_dead_replica_has_one_winner_on_postgresql(
    pg, fakes, make_services, clock
):
    services = [await make_services(pg, clock) for _ in range(3)]
    await setup_channels(fakes, services[0])
    clock.advance(days=1)
    store = DigestStore(services[0].db, services[0].clock)
    due = await runner_for(services[0]).due()
    claimed = await store.claim([key for _, key in due], "dead", takeover_after=timedelta(minutes=5))
    assert len(claimed) == len(CHANNELS)
    clock.advance(minutes=6)
    runners = [runner_for(d, takeover_after=timedelta(minutes=5)) for d in services]
    await asyncio.gather(*(runner.run_once() for runner in runners))
    assert posts_per_channel(fakes) == Counter({channel: 1 for channel in CHANNELS})
    async with services[0].db.session() as session:
        attempts = set((await session.execute(select(DigestDelivery.attempts))).scalars())
    assert attempts == {2}
