"""The in-process digest scheduler: an asyncio task that runs a digest check every minute.

It starts with the bot (`Services.start_background`) and stops with it (`Services.close`). Each replica runs one;
the database claim keeps them from sending twice. Ticks are jittered so replicas started together
do not hit the database in lockstep. A failing tick is logged and the loop carries on; cancelling the
task mid-run leaves at worst a claim that another tick takes over after the takeover timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from bot.digest.runner import DigestRunner

log = logging.getLogger(__name__)


class DigestScheduler:
    """Calls `runner.run_once()` every `interval` seconds (plus up to `jitter` seconds)."""

    def __init__(self, runner: DigestRunner, *, interval: float = 60.0, jitter: float = 5.0):
        self.runner = runner
        self.interval = interval
        self.jitter = jitter
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if not self.running:
            self._task = asyncio.create_task(self._loop(), name="digest-scheduler")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _loop(self) -> None:
        # The first check comes soon after start, so a bot that was down at 09:00 catches up now.
        await asyncio.sleep(random.uniform(0, self.jitter))
        while True:
            try:
                await self.runner.run_once()
            except Exception:
                log.exception("digest check failed; trying again next minute")
            self.ticks += 1
            await asyncio.sleep(self.interval + random.uniform(0, self.jitter))
