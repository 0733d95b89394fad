"""`/earnings digest on weekly|monthly …` and `status` through the real app and the stand-in."""

from __future__ import annotations

from bot.digest.period_store import PeriodStore
from bot.digest.periods import DAILY, Cadence
from bot.digest.store import DigestStore


async def say(stack, text: str, user: str = "U_ADMIN") -> str:
    result = await stack.driver.command("/earnings", text, user_id=user, channel_id="C_GENERAL")
    assert result.status == 200
    return (await stack.standin.state.wait_for_response(result.response_url, timeout=5)).payload["text"]


async def cadence(stack) -> Cadence:
    return await PeriodStore(stack.services.db, stack.services.clock).get("C_GENERAL")


async def test_weekly_on_with_day_time_and_zone_then_status(stack):
    text = await say(stack, "digest on weekly Fri 17:30 Europe/Warsaw")
    assert "Weekly earnings digest is *on*" in text and "every Friday at 17:30 Europe/Warsaw" in text
    assert "Next digest:" in text and "Friday" in text.split("Next digest:")[1]
    assert await cadence(stack) == Cadence("weekly", weekday=4)
    setting = await DigestStore(stack.services.db, stack.services.clock).channel("C_GENERAL")
    assert (setting.time_of_day, setting.tz) == ("17:30", "Europe/Warsaw")
    status = await say(stack, "digest status", user="U_PARTNER")
    assert status.startswith("Weekly earnings digest: every Friday at 17:30 Europe/Warsaw")


async def test_monthly_defaults_to_the_first_at_nine_in_the_users_zone(stack):
    text = await say(stack, "digest on monthly")
    assert "on day 1 of every month at 09:00" in text
    assert await cadence(stack) == Cadence("monthly", day=1)
    text = await say(stack, "digest on monthly 31 08:00 UTC")
    assert "on day 31 of every month (or the month's last day) at 08:00 UTC" in text


async def test_plain_on_goes_back_to_daily_and_bad_input_changes_nothing(stack):
    await say(stack, "digest on weekly Mon 09:00 Europe/Warsaw")
    for bad, expected in (
        ("digest on weekly Funday", "not a day of the week"),
        ("digest on monthly 40", "not a day of the month"),
        ("digest on weekly Mon 25:00", "not a time of day"),
        ("digest on weekly Mon 09:00 Mars/Base", "not a time zone"),
    ):
        assert expected in await say(stack, bad)
        assert await cadence(stack) == Cadence("weekly", weekday=0)
    text = await say(stack, "digest on 08:15 Europe/Warsaw")
    assert "Daily earnings digest is *on*" in text
    assert await cadence(stack) == DAILY


async def test_only_admins_change_the_cadence(stack):
    assert "Only Partners Bot admins" in await say(stack, "digest on weekly", user="U_PARTNER")
    assert await DigestStore(stack.services.db, stack.services.clock).channel("C_GENERAL") is None


async def test_digest_usage_mentions_weekly_and_monthly(stack):
    text = await say(stack, "digest help")
    assert "on weekly [Mon]" in text and "on monthly [1]" in text and "digest off" in text


async def test_a_weekly_digest_turned_off_says_how_to_turn_it_back_on_weekly(stack):
    await say(stack, "digest on weekly 06:57 UTC")
    off = await say(stack, "digest off")
    assert off.startswith("The earnings digest is *off* for <#C_GENERAL>.")
    assert "Daily" not in off  # it was a weekly one
    status = await say(stack, "digest status")
    assert status.startswith(
        "Weekly earnings digest is *off*. It was set for every Monday at 06:57 UTC by <@U_ADMIN>; "
        "an admin can turn it back on with `/earnings digest on weekly`."
    )
    on = await say(stack, "digest on weekly 06:57 UTC")
    assert "at 06:57 UTC." in on and "06:57 UTC (06:57 UTC)" not in on  # a UTC time is said once
