"""The digest runner against the sandbox Partners API, the Slack stand-in and a real SQLite file."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from bot.digest.store import DigestStore, DueKey
from bot.money import format_delta, format_money
from bot.offline.sandbox.partners_api import earnings_payload
from bot.offline.slack_standin import StandinChannel
from bot.partners.models import Earnings
from bot.storage.digest_tables import DigestDelivery, EarningsSnapshot
from tests.digest.conftest import START
from tests.digest.runners import runner_for
from tests.e2e.blockkit import assert_valid_message

EARNINGS = "/v2/partners/earnings"
WARSAW = "Europe/Warsaw"
TODAY = date(2026, 11, 25)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/digest.db"


@pytest.fixture
async def services(make_services, sqlite_url, clock):
    return await make_services(sqlite_url, clock)


async def subscribe(services, channel: str = "C_GENERAL", at: str = "09:00", tz: str = WARSAW) -> None:
    await DigestStore(services.db, services.clock).enable(channel, at, tz, "U_ADMIN")


async def rows(services, table=DigestDelivery) -> list:
    async with services.db.session() as session:
        return list((await session.execute(select(table))).scalars())


def text_of(message: dict) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


async def test_digest_goes_out_once_at_nine_with_one_earnings_call_and_a_first_digest_note(
    services, fakes, clock
):
    await subscribe(services)
    runner = runner_for(services)
    clock.advance(minutes=30)  # 08:30 in Warsaw
    report = await runner.run_once()
    assert report.due == 0 and fakes.sandbox.state.count("GET", EARNINGS) == 0
    clock.advance(minutes=31)  # 09:01
    report = await runner.run_once()
    assert report.sent == ["C_GENERAL"]
    messages = fakes.standin.state.messages("C_GENERAL")
    assert len(messages) == 1
    assert_valid_message(messages[0])
    text = text_of(messages[0])
    assert "no previous day to compare with" in text
    assert "Wednesday, 25 November 2026" in text
    assert "$16,519.12" in text and "Affiliate program" in text and "Sent late" not in text
    assert fakes.sandbox.state.count("GET", EARNINGS) == 1
    # Every later tick that day finds it delivered: no message, no API call.
    for _ in range(3):
        clock.advance(minutes=20)
        assert (await runner.run_once()).due == 0
    assert len(fakes.standin.state.messages("C_GENERAL")) == 1
    assert fakes.sandbox.state.count("GET", EARNINGS) == 1
    [delivery] = await rows(services)
    assert delivery.state == "sent" and delivery.message_ts == messages[0]["ts"]


async def test_next_day_shows_exact_deltas_and_notable_events(services, fakes, clock):
    await subscribe(services)
    runner = runner_for(services)
    state = fakes.sandbox.state
    clock.advance(hours=2)
    await runner.run_once()
    before = Earnings.model_validate(earnings_payload(state))
    for _ in range(7):  # the 7th day pays out pending withdrawals and requests a new one
        state.advance_day()
    after = Earnings.model_validate(earnings_payload(state))
    clock.advance(days=1)
    report = await runner.run_once()
    assert report.sent == ["C_GENERAL"]
    message = fakes.standin.state.messages("C_GENERAL")[-1]
    assert_valid_message(message)
    text = text_of(message)
    for attribute in ("balance", "commission_total", "commission_last_30_days", "withdrawals"):
        change = getattr(after, attribute) - getattr(before, attribute)
        assert change != 0
        assert format_delta(change) in text, attribute
    growth = after.commission_total - before.commission_total
    assert f"Commission grew by {format_money(growth)}" in text
    paid = after.withdrawals - before.withdrawals
    assert f"A withdrawal of {format_money(paid)} was paid out" in text
    assert "no previous day" not in text
    # The stored snapshot is exact: Decimal strings, not floats.
    snapshots = await rows(services, EarningsSnapshot)
    assert Decimal(json.loads(snapshots[-1].payload)["commission_total"]) == after.commission_total


async def test_one_earnings_call_for_every_channel_due(services, fakes, clock):
    channels = [f"C_TEAM{i}" for i in range(8)]
    for channel in channels:
        fakes.standin.state.add_channel(StandinChannel(channel, channel.lower()))
        await subscribe(services, channel, "08:30")
    await subscribe(services, "C_RANDOM", "10:00")  # not due yet
    clock.advance(hours=1)
    report = await runner_for(services).run_once()
    assert sorted(report.sent) == channels
    assert fakes.sandbox.state.count("GET", EARNINGS) == 1
    assert all(len(fakes.standin.state.messages(c)) == 1 for c in channels)
    assert fakes.standin.state.messages("C_RANDOM") == []
    assert len(await rows(services, EarningsSnapshot)) == 1


async def test_a_bot_down_at_nine_sends_todays_digest_late_with_a_note(services, fakes, clock):
    await subscribe(services)
    clock.advance(hours=3)  # 11:00 in Warsaw
    await runner_for(services).run_once()
    [message] = fakes.standin.state.messages("C_GENERAL")
    assert "Sent late: this digest was due at 09:00 Europe/Warsaw" in text_of(message)


async def test_rate_limited_post_waits_retry_after_then_sends_once(services, fakes, clock):
    await subscribe(services)
    fakes.standin.state.fail_next("chat.postMessage", status=429, retry_after=1)
    clock.advance(hours=2)
    report = await runner_for(services).run_once()
    assert report.sent == ["C_GENERAL"]
    calls = fakes.standin.state.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].time - calls[0].time >= 1.0  # Retry-After honoured
    assert len(fakes.standin.state.messages("C_GENERAL")) == 1


async def test_rate_limits_beyond_slack_sdk_retries_are_waited_out_by_the_runner(services, fakes, clock):
    await subscribe(services)
    # slack-sdk retries 3 times; the 4th 429 reaches the runner, which waits and tries again.
    fakes.standin.state.fail_next("chat.postMessage", status=429, retry_after=0, times=4)
    clock.advance(hours=2)
    report = await runner_for(services).run_once()
    assert report.sent == ["C_GENERAL"]
    assert [c.status for c in fakes.standin.state.calls("chat.postMessage")] == [429] * 4 + [200]


@pytest.mark.parametrize("error", ["is_archived", "channel_not_found", "not_in_channel"])
async def test_permanent_channel_error_disables_the_digest_and_dms_the_admin(services, fakes, clock, error):
    await subscribe(services)
    fakes.standin.state.fail_next("chat.postMessage", error=error)
    clock.advance(hours=2)
    runner = runner_for(services)
    report = await runner.run_once()
    assert report.disabled == {"C_GENERAL": error}
    store = DigestStore(services.db, services.clock)
    setting = await store.channel("C_GENERAL")
    assert not setting.enabled and error in setting.disabled_reason
    [delivery] = await rows(services)
    assert delivery.state == "disabled" and error in delivery.error
    [dm] = fakes.standin.state.messages("D_ADMIN")
    assert "<#C_GENERAL>" in dm["text"] and error in dm["text"] and "/earnings digest on" in dm["text"]
    # Disabled stays disabled: nothing is tried again today or tomorrow.
    clock.advance(days=1)
    assert (await runner.run_once()).due == 0
    assert len(fakes.standin.state.calls("chat.postMessage")) == 2


async def test_token_errors_fail_without_disabling_the_channel(services, fakes, clock):
    await subscribe(services)
    fakes.standin.state.fail_next("chat.postMessage", error="token_revoked")
    clock.advance(hours=2)
    report = await runner_for(services).run_once()
    assert report.failed == {"C_GENERAL": "token_revoked"}
    assert (await DigestStore(services.db, services.clock).channel("C_GENERAL")).enabled
    [delivery] = await rows(services)
    assert delivery.state == "failed" and delivery.next_attempt_at == clock.now() + timedelta(hours=1)


async def test_partners_api_down_is_recorded_then_retried_with_backoff(services, fakes, clock):
    await subscribe(services)
    sandbox = fakes.sandbox.state
    sandbox.fail_next(EARNINGS, 503, times=3, retry_after=0)  # the client's 3 attempts
    clock.advance(hours=2)
    runner = runner_for(services)
    report = await runner.run_once()
    assert report.earnings_error and "unavailable" in report.earnings_error
    assert report.sent == [] and fakes.standin.state.messages("C_GENERAL") == []
    [delivery] = await rows(services)
    assert delivery.state == "failed" and "Partners API" in delivery.error
    assert delivery.next_attempt_at == clock.now() + timedelta(minutes=2)
    calls = sandbox.count("GET", EARNINGS)
    clock.advance(minutes=1)  # before the backoff: not retried, no API call
    assert (await runner.run_once()).due == 0
    assert sandbox.count("GET", EARNINGS) == calls
    clock.advance(minutes=1, seconds=5)
    report = await runner.run_once()
    assert report.sent == ["C_GENERAL"]
    [delivery] = await rows(services)
    assert delivery.state == "sent" and delivery.attempts == 2
    assert "Sent late" in text_of(fakes.standin.state.messages("C_GENERAL")[0])


async def test_runner_killed_between_claim_and_send_is_taken_over_once(services, fakes, clock):
    await subscribe(services)
    clock.advance(hours=2)
    store = DigestStore(services.db, services.clock)
    due = await runner_for(services).due()
    [dead_claim] = await store.claim(
        [key for _, key in due], "dead-replica", takeover_after=timedelta(minutes=5)
    )
    runner = runner_for(services, takeover_after=timedelta(minutes=5))
    clock.advance(minutes=4)
    assert (await runner.run_once()).claimed == 0
    assert fakes.standin.state.messages("C_GENERAL") == []
    clock.advance(minutes=2)
    report = await runner.run_once()
    assert report.sent == ["C_GENERAL"]
    assert len(fakes.standin.state.messages("C_GENERAL")) == 1
    # If the "dead" replica wakes up, it can no longer touch the delivery.
    assert not await store.still_mine(dead_claim, "dead-replica")
    assert not await store.mark_sent(dead_claim, "dead-replica", ts="1.0", snapshot_id=1)
    clock.advance(hours=1)
    assert (await runner.run_once()).due == 0
    assert len(fakes.standin.state.messages("C_GENERAL")) == 1


async def test_a_claim_with_a_recorded_ts_is_never_sent_again(services, fakes, clock):
    await subscribe(services)
    clock.advance(hours=2)
    runner = runner_for(services)
    await runner.run_once()
    # Even a row left "claimed" long ago is not re-sent once its message ts is recorded.
    async with services.db.session() as session:
        await session.execute(
            update(DigestDelivery).values(state="claimed", claimed_at=START - timedelta(hours=5))
        )
    clock.advance(hours=1)
    assert (await runner.run_once()).due == 0
    assert len(fakes.standin.state.calls("chat.postMessage")) == 1


async def test_dry_run_renders_without_claiming_storing_or_sending(services, fakes, clock):
    await subscribe(services)
    clock.advance(hours=2)
    report = await runner_for(services).run_once(dry_run=True)
    [rendered] = report.rendered
    assert rendered.channel_id == "C_GENERAL" and rendered.local_date == TODAY.isoformat()
    assert_valid_message(rendered.message)
    assert fakes.standin.state.calls("chat.postMessage") == []
    assert await rows(services) == [] and await rows(services, EarningsSnapshot) == []


async def test_channel_filter_only_runs_those_channels(services, fakes, clock):
    await subscribe(services, "C_GENERAL")
    await subscribe(services, "C_RANDOM")
    clock.advance(hours=2)
    report = await runner_for(services).run_once(channels=["C_RANDOM"])
    assert report.sent == ["C_RANDOM"]
    assert fakes.standin.state.messages("C_GENERAL") == []


async def test_claim_key_is_the_local_date(services, clock):
    await subscribe(services)
    clock.advance(hours=2)
    [(_, key)] = await runner_for(services).due()
    assert key == DueKey("C_GENERAL", TODAY, START + timedelta(hours=1))


async def test_a_run_cancelled_while_fetching_earnings_loses_nothing_and_duplicates_nothing(
    services, fakes, clock
):
    await subscribe(services)
    clock.advance(hours=2)
    fakes.sandbox.state.latency_by_path[EARNINGS] = 1.0
    task = asyncio.create_task(runner_for(services).run_once())
    async with asyncio.timeout(5):
        # The sandbox records a call as it arrives; it has no event to wait on.
        while not fakes.sandbox.state.count("GET", EARNINGS):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [delivery] = await rows(services)
    assert delivery.state == "claimed" and delivery.message_ts is None
    fakes.sandbox.state.latency_by_path.clear()
    clock.advance(minutes=6)
    report = await runner_for(services).run_once()
    assert report.sent == ["C_GENERAL"]
    assert len(fakes.standin.state.messages("C_GENERAL")) == 1
