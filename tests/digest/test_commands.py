"""`/earnings digest on|off|status` and the in-process scheduler, through the real HTTP app."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.digest.store import DigestStore
from bot.offline.local_stack import start_local_stack
from tests.digest.conftest import START
from tests.digest.runners import runner_for
from tests.e2e.blockkit import assert_valid_message

EARNINGS = "/v2/partners/earnings"


@pytest.fixture
async def digest_stack(tmp_path, clock):
    running = await start_local_stack(
        settings_overrides={
            "admin_user_ids": "U_ADMIN,U_GUEST",
            "database_url": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            "digest_check_seconds": 0,
        },
        clock=clock,
    )
    try:
        yield running
    finally:
        await running.close()


async def digest(stack, text: str, user: str = "U_ADMIN", channel: str = "C_GENERAL") -> str:
    result = await stack.driver.command(
        "/earnings", f"digest {text}".strip(), user_id=user, channel_id=channel
    )
    assert result.status == 200
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    assert post.payload["response_type"] == "ephemeral"
    assert_valid_message(post.payload)
    return post.payload["text"]


async def test_on_defaults_to_nine_in_the_users_slack_zone_and_says_when_exactly(digest_stack):
    text = await digest(digest_stack, "on")
    assert "every day at 09:00 Europe/Warsaw" in text
    # 08:00 in Warsaw now, so today's 09:00 CET is next: 08:00 UTC.
    assert "Next digest: Wednesday 25 November 2026 at 09:00 CET (08:00 UTC)." in text
    assert digest_stack.standin.state.calls("users.info")
    setting = await DigestStore(digest_stack.services.db, digest_stack.services.clock).channel("C_GENERAL")
    assert (setting.time_of_day, setting.tz, setting.set_by, setting.enabled) == (
        "09:00",
        "Europe/Warsaw",
        "U_ADMIN",
        True,
    )


async def test_on_with_time_and_zone_and_the_invoking_users_zone(digest_stack):
    text = await digest(digest_stack, "on America/New_York 7:30")
    assert "every day at 07:30 America/New_York" in text
    assert "Next digest: Wednesday 25 November 2026 at 07:30 EST (12:30 UTC)." in text
    text = await digest(digest_stack, "on 6:15", user="U_GUEST", channel="C_RANDOM")
    assert "every day at 06:15 America/New_York" in text  # U_GUEST's Slack zone


async def test_turning_on_after_todays_time_points_at_tomorrow(digest_stack, clock):
    clock.advance(hours=3)  # 11:00 in Warsaw
    text = await digest(digest_stack, "on 09:00 Europe/Warsaw")
    assert "Next digest: Thursday 26 November 2026 at 09:00 CET (08:00 UTC)." in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("on 25:00", "`25:00` is not a time of day"),
        ("on 24", "`24` is not a time of day"),  # `9` and `9am` are times (issue 15)
        ("on Europe/Atlantis", "`Europe/Atlantis` is not a time zone"),
        ("on 09:00 Europe/Warsaw extra", "at most a time and a time zone"),
    ],
)
async def test_bad_time_or_zone_gets_a_clear_message_with_an_example(digest_stack, args, expected):
    text = await digest(digest_stack, args)
    assert expected in text and "/earnings digest on 09:00 Europe/Warsaw" in text
    assert (
        await DigestStore(digest_stack.services.db, digest_stack.services.clock).channel("C_GENERAL") is None
    )


async def test_only_admins_change_the_schedule_but_anyone_allowed_reads_status(digest_stack):
    await digest(digest_stack, "on 10:00 Europe/Warsaw")
    for action in ("on 11:00", "off"):
        assert "Only Partners Bot admins" in await digest(digest_stack, action, user="U_PARTNER")
    setting = await DigestStore(digest_stack.services.db, digest_stack.services.clock).channel("C_GENERAL")
    assert setting.enabled and setting.time_of_day == "10:00"
    status = await digest(digest_stack, "status", user="U_PARTNER")
    assert "every day at 10:00 Europe/Warsaw, set up by <@U_ADMIN>" in status
    assert "No digest has been sent here yet." in status
    assert "Next digest: Wednesday 25 November 2026 at 10:00 CET (09:00 UTC)." in status


async def test_status_reports_last_delivery_failure_retry_and_off(digest_stack, clock):
    stack = digest_stack
    assert "No daily digest is set up" in await digest(stack, "status")
    await digest(stack, "on 09:00 Europe/Warsaw")
    clock.advance(hours=2)
    stack.sandbox.state.fail_next(EARNINGS, 503, times=3, retry_after=0)
    runner = runner_for(stack.services)
    await runner.run_once()
    status = await digest(stack, "status")
    assert (
        "The digest for Wednesday 25 November 2026 *failed* after 1 attempt: Partners API unavailable"
        in status
    )
    assert "Retrying Wednesday 25 November 2026 at 10:02 CET (09:02 UTC)." in status
    clock.advance(minutes=3)
    await runner.run_once()
    status = await digest(stack, "status")
    assert "Last digest: sent Wednesday 25 November 2026 at 10:03 CET (09:03 UTC)." in status
    assert "Next digest: Thursday 26 November 2026 at 09:00 CET (08:00 UTC)." in status
    assert "is *off*" in await digest(stack, "off")
    status = await digest(stack, "status")
    assert "is *off* — turned off by <@U_ADMIN>." in status and "Next digest" not in status
    clock.advance(days=1)
    assert (await runner.run_once()).due == 0


async def test_off_without_a_digest_says_so(digest_stack):
    assert "nothing to turn off" in await digest(digest_stack, "off")


async def test_unknown_digest_action_shows_usage(digest_stack):
    text = await digest(digest_stack, "sometimes")
    assert "/earnings digest on [HH:MM] [Area/City]" in text and "status" in text


async def test_scheduler_runs_inside_the_bot_and_stops_with_it(tmp_path):
    clock = ManualClock(START + timedelta(hours=2))  # 10:00 in Warsaw
    stack = await start_local_stack(
        settings_overrides={
            "admin_user_ids": "U_ADMIN",
            "database_url": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            "digest_check_seconds": 0.1,
        },
        clock=clock,
    )
    try:
        scheduler = stack.services.digest_scheduler
        assert scheduler.running
        store = DigestStore(stack.services.db, clock)
        await store.enable("C_GENERAL", "09:00", "Europe/Warsaw", "U_ADMIN")
        clock.advance(days=1)  # tomorrow 10:00: due, and the scheduler should notice by itself
        await stack.standin.state.wait_for(lambda: stack.standin.state.messages("C_GENERAL"), timeout=5)
        ticked = asyncio.Event()
        run_once = scheduler.runner.run_once

        async def observed_run_once(**kwargs):
            report = await run_once(**kwargs)
            ticked.set()
            return report

        scheduler.runner.run_once = observed_run_once
        for _ in range(2):  # later ticks find it delivered
            ticked.clear()
            await asyncio.wait_for(ticked.wait(), 5)
        assert len(stack.standin.state.messages("C_GENERAL")) == 1
    finally:
        await stack.close()
    assert not scheduler.running


async def test_status_after_slack_refused_the_channel_says_why_it_is_off(digest_stack, clock):
    await digest(digest_stack, "on 09:00 Europe/Warsaw")
    digest_stack.standin.state.channels["C_GENERAL"].is_archived = True
    clock.advance(hours=2)
    await runner_for(digest_stack.services).run_once()
    status = await digest(digest_stack, "status", user="U_PARTNER")
    assert "is *off* — Slack refused to post in the channel (is_archived)." in status
    assert (
        "The digest for Wednesday 25 November 2026 was *not sent*: " in status and "Next digest" not in status
    )
    assert "archived" in digest_stack.standin.state.messages("D_ADMIN")[0]["text"]
