"""ListenerWork on its own: what drain waits for, and what attach does when Bolt has moved on."""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.async_app import AsyncApp

from bot.slack.listener_work import ListenerWork


async def test_drain_waits_for_tracked_work_and_counts_what_outlives_the_grace():
    work = ListenerWork()
    quick = asyncio.create_task(asyncio.sleep(0.01))
    stuck = asyncio.create_task(asyncio.sleep(30))
    work.track(quick)
    work.track(stuck)
    assert len(work) == 2
    assert await work.drain(0.2) == 1
    assert quick.done() and not stuck.done()
    stuck.cancel()
    await asyncio.gather(stuck, return_exceptions=True)
    assert len(work) == 0 and await work.drain(5) == 0  # nothing left: no waiting at all


async def test_attach_wraps_a_real_bolt_app_and_says_when_it_cannot(caplog):
    app = AsyncApp(token="xoxb-test", signing_secret="secret")
    assert ListenerWork().attach(app) is True
    caplog.set_level(logging.WARNING, logger="bot.slack.listener_work")
    del app._async_listener_runner
    assert ListenerWork().attach(app) is False
    assert "shutdown will not wait" in caplog.text
