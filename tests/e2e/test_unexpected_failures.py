"""A listener that fails in a way nobody planned for still tells the user, and logs the traceback."""

from __future__ import annotations

import logging

from handlers.messages import UNEXPECTED


async def test_unexpected_error_in_a_listener_reaches_the_user_and_the_log(stack, caplog, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(stack.services.partners, "earnings", broken)
    with caplog.at_level(logging.ERROR):
        result = await stack.driver.command("/earnings")
        assert result.status == 200
        post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
    assert post.payload["text"] == UNEXPECTED
    failures = [r for r in caplog.records if r.name == "handlers.errors"]
    assert failures and failures[0].exc_info and "a bug nobody foresaw" in str(failures[0].exc_info[1])


async def test_unexpected_error_goes_to_a_dm_when_the_response_url_fails(stack, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("share broke")

    monkeypatch.setattr(stack.services.partners, "earnings", broken)
    clicked = await stack.driver.block_action(
        "earnings_share",
        "share",
        user_id="U_ADMIN",
        channel_id="C_GENERAL",
        response_url="http://127.0.0.1:9/closed-port",
    )
    assert clicked.status == 200
    dm = stack.standin.state.dm_channel_id("U_ADMIN")
    messages = await stack.standin.state.wait_for(lambda: stack.standin.state.messages(dm), timeout=5)
    assert messages[0]["text"] == UNEXPECTED
