"""The bot's own scheduler (the digest's) runs the trial checks: no cron needed."""

from __future__ import annotations

from bot.offline.local_stack import start_local_stack
from tests.alerts.conftest import JOE, alerts_in, enable


async def test_the_running_bot_posts_due_alerts_on_its_own():
    stack = await start_local_stack(
        settings_overrides={"admin_user_ids": "U_ADMIN", "digest_check_seconds": 0.2}
    )
    try:
        assert stack.services.alert_scheduler.running
        await enable(stack)  # three seeded partner-paid LiveChat trials end within 3 days
        await stack.standin.state.wait_for(lambda: len(alerts_in(stack)) >= 3 or None)
        ticks = stack.services.alert_scheduler.ticks
        await stack.standin.state.wait_for(lambda: stack.services.alert_scheduler.ticks >= ticks + 3)
        posted = [m["blocks"][0]["block_id"].removeprefix("trial_alert_") for m in alerts_in(stack)]
        assert JOE in posted
        assert sorted(posted) == sorted(set(posted)) == ["11223301", "11223307", "11223308"]
        # later ticks found today's check done: nothing was posted twice
    finally:
        await stack.close()
