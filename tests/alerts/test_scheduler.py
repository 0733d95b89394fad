"""The bot's own scheduler (the digest's) runs the trial checks: no cron needed."""

from __future__ import annotations

from bot.local_stack import start_local_stack
from handlers.alerts import SCHEDULER_KEY
from tests.alerts.conftest import JOE, alerts_in, enable


async def test_the_running_bot_posts_due_alerts_on_its_own():
    stack = await start_local_stack(
        settings_overrides={"admin_user_ids": "U_ADMIN", "digest_check_seconds": 0.2}
    )
    try:
        assert stack.deps.extras[SCHEDULER_KEY].running
        await enable(stack)  # the seed's Joe Doe Ltd trial ends two days after the sandbox started
        [alert] = await stack.standin.state.wait_for(lambda: alerts_in(stack) or None)
        assert JOE in alert["text"]
        ticks = stack.deps.extras[SCHEDULER_KEY].ticks
        await stack.standin.state.wait_for(lambda: stack.deps.extras[SCHEDULER_KEY].ticks >= ticks + 3)
        assert len(alerts_in(stack)) == 1  # later ticks find today's check done
    finally:
        await stack.close()
