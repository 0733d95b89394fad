"""`/subscribe alerts on|off|status` through the real app: admins only for changes, clear errors."""

from __future__ import annotations

from tests.alerts.conftest import enable


async def reply_to(stack, text: str, user_id: str = "U_ADMIN", channel_id: str = "C_GENERAL") -> str:
    result = await stack.driver.command("/subscribe", text, user_id=user_id, channel_id=channel_id)
    assert result.status == 200
    return str((await stack.standin.state.wait_for_response(result.response_url)).payload["text"])


async def test_on_with_days_uses_the_admins_zone_and_off_turns_it_off(alert_stack):
    stack = alert_stack
    assert "a message 7 days before" in await enable(stack, "alerts on 7")
    store = stack.services.alert_store
    setting = await store.channel("C_GENERAL")
    assert (setting.days, setting.tz, setting.set_by, setting.enabled) == (
        7,
        "Europe/Warsaw",
        "U_ADMIN",
        True,
    )
    assert "1 day" not in await reply_to(stack, "alerts status")
    assert "Trial alerts are off" in await reply_to(stack, "alerts off")
    assert not (await store.channel("C_GENERAL")).enabled
    assert "*off*" in await reply_to(stack, "alerts status")


async def test_non_admins_may_look_but_not_change(alert_stack):
    stack = alert_stack
    for text in ("alerts on", "alerts off", "alerts on 3"):
        assert "Only Partners Bot admins" in await reply_to(stack, text, user_id="U_PARTNER")
    assert await stack.services.alert_store.channel("C_GENERAL") is None
    assert "not set up in this channel" in await reply_to(stack, "alerts status", user_id="U_PARTNER")


async def test_bad_days_and_unknown_words_say_what_to_type(alert_stack):
    stack = alert_stack
    for text in ("alerts on 0", "alerts on 31", "alerts on soon", "alerts on 3 4"):
        assert "whole number from 1 to 30" in await reply_to(stack, text)
    assert "/subscribe alerts on [days]" in await reply_to(stack, "alerts sometimes")
    assert await stack.services.alert_store.channel("C_GENERAL") is None
    help_reply = await stack.driver.command("/subscribe", "help", user_id="U_ADMIN")
    assert "/subscribe alerts on [days]" in help_reply.body["text"]
