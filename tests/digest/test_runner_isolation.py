"""One channel's failure stays that channel's; a sender waiting on 429s keeps its claim.

Against the sandbox Partners API, the Slack stand-in and a real SQLite file (the takeover race
also on PostgreSQL, where replicas really share a database).
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.digest.store import DigestStore
from bot.offline.slack_standin import StandinChannel
from bot.storage.digest_tables import DigestDelivery, EarningsSnapshot
from tests.digest.runners import runner_for

WARSAW = "Europe/Warsaw"
CHANNELS = ["C_ONE", "C_TWO", "C_THREE"]
GUARD = 20.0  # seconds before a broken heartbeat fails the test instead of hanging it


@pytest.fixture
async def deps(make_services, tmp_path, clock):
    return await make_services(f"sqlite+aiosqlite:///{tmp_path}/digest.db", clock)


async def _subscribe_all(deps, fakes) -> None:
    store = DigestStore(deps.db, deps.clock)
    for channel in CHANNELS:
        fakes.standin.state.add_channel(StandinChannel(channel, channel.lower()))
        await store.enable(channel, "09:00", WARSAW, "U_ADMIN")


async def _deliveries(deps) -> dict[str, DigestDelivery]:
    async with deps.db.session() as session:
        rows = (await session.execute(select(DigestDelivery))).scalars()
        return {row.channel_id: row for row in rows}


async def test_an_amount_that_cannot_be_formatted_fails_each_channel_alone_recorded_and_retried(
    deps, fakes, clock
):
    await _subscribe_all(deps, fakes)
    fakes.sandbox.state.earnings["blocked"] = 1e26  # babel raises InvalidOperation formatting it
    clock.advance(hours=2)
    report = await runner_for(deps).run_once()  # returns: the failure did not escape the run
    assert sorted(report.failed) == sorted(CHANNELS)
    assert all("could not build the digest: InvalidOperation" in e for e in report.failed.values())
    deliveries = await _deliveries(deps)
    for channel in CHANNELS:
        row = deliveries[channel]
        assert row.state == "failed" and "InvalidOperation" in row.error
        assert row.next_attempt_at is not None and row.message_ts is None
        assert fakes.standin.state.messages(channel) == []
    dms = fakes.standin.state.messages("D_ADMIN")
    assert sorted(next(c for c in CHANNELS if f"<#{c}>" in dm["text"]) for dm in dms) == sorted(CHANNELS)
    assert all("try again later today" in dm["text"] for dm in dms)
    # The figures are sane again: the retry delivers every channel, once; the admin is not re-told.
    fakes.sandbox.state.earnings["blocked"] = 0
    clock.advance(hours=1)
    report = await runner_for(deps).run_once()
    assert sorted(report.sent) == sorted(CHANNELS)
    assert all(len(fakes.standin.state.messages(c)) == 1 for c in CHANNELS)
    assert len(fakes.standin.state.messages("D_ADMIN")) == len(CHANNELS)


async def test_one_channel_that_cannot_be_rendered_does_not_stop_the_others(deps, fakes, clock):
    await _subscribe_all(deps, fakes)
    clock.advance(hours=2)
    assert sorted((await runner_for(deps).run_once()).sent) == sorted(CHANNELS)
    # C_TWO's previous digest compared against a snapshot with an absurd balance: only its
    # deltas (today minus 1e30) cannot be formatted.
    async with deps.db.session() as session:
        previous = (await session.execute(select(EarningsSnapshot))).scalars().one()
        payload = json.loads(previous.payload)
        payload["balance"] = "1E+30"
        absurd = EarningsSnapshot(taken_at=previous.taken_at, payload=json.dumps(payload))
        session.add(absurd)
        await session.flush()
        await session.execute(
            update(DigestDelivery).where(DigestDelivery.channel_id == "C_TWO").values(snapshot_id=absurd.id)
        )
    clock.advance(days=1)
    report = await runner_for(deps).run_once()
    assert sorted(report.sent) == ["C_ONE", "C_THREE"]
    assert list(report.failed) == ["C_TWO"] and "InvalidOperation" in report.failed["C_TWO"]
    assert [len(fakes.standin.state.messages(c)) for c in CHANNELS] == [2, 1, 2]
    row = await _deliveries(deps)  # today's rows replaced yesterday's in the dict
    assert row["C_TWO"].state == "failed" and row["C_TWO"].next_attempt_at is not None
    assert any("<#C_TWO>" in dm["text"] for dm in fakes.standin.state.messages("D_ADMIN"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_sender_waiting_out_rate_limits_is_never_taken_over(
    make_services, fakes, clock, tmp_path, request, backend
):
    if backend == "postgresql":
        from tests.digest.conftest import clear_digest_tables

        url = request.getfixturevalue("pg_url")
        await clear_digest_tables(url)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path}/digest.db"
    first = await make_services(url, clock)
    second = await make_services(url, clock)  # another replica on the same database
    store = DigestStore(first.db, clock)
    await store.enable("C_GENERAL", "09:00", WARSAW, "U_ADMIN")
    clock.advance(hours=2)
    # Two 429s with Retry-After: 1 — slack-sdk's retry handler waits inside chat.postMessage.
    fakes.standin.state.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    sender = runner_for(first, takeover_after=timedelta(minutes=5), heartbeat_seconds=0.05)
    sending = asyncio.create_task(sender.run_once())
    state = fakes.standin.state
    await state.wait_for(lambda: state.calls("chat.postMessage"), timeout=GUARD)

    async def claimed_at_is(moment) -> None:
        while (await _deliveries(first))["C_GENERAL"].claimed_at != moment:  # noqa: ASYNC110 (polls the database)
            await asyncio.sleep(0.02)

    # Four minutes pass twice while the post waits; the heartbeat refreshes the claim each time,
    # so eight minutes after the claim it is still fresh and the other replica must not take it.
    for _ in range(2):
        clock.advance(minutes=4)
        await asyncio.wait_for(claimed_at_is(clock.now()), GUARD)
    other = await runner_for(second, takeover_after=timedelta(minutes=5)).run_once()
    assert other.claimed == 0 and other.sent == []
    report = await asyncio.wait_for(sending, GUARD)
    assert report.sent == ["C_GENERAL"] and report.lost == 0
    assert len(state.messages("C_GENERAL")) == 1
    assert [c.status for c in state.calls("chat.postMessage")] == [429, 429, 200]
    if backend == "postgresql":
        await clear_digest_tables(url)


def test_a_takeover_no_longer_than_two_retry_after_waits_is_refused(deps):
    with pytest.raises(ValueError, match="takeover_after"):
        runner_for(deps, takeover_after=timedelta(seconds=30))
