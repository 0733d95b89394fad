"""The work Bolt runs after the ack, tracked so a shutdown lets it finish first.

Bolt acks, answers Slack, and runs the rest of a listener as a free-standing asyncio task: a
subscription being created, a payout being confirmed, a Share being posted. Nothing waits for
those tasks, so a SIGTERM (a deploy, a scale-down) closed the database and HTTP sessions under
them — a money write cut between "sent" and "recorded". `ListenerWork` keeps a weak hold on every
such task; `Services.close()` drains it, bounded by SHUTDOWN_GRACE_SECONDS, before it releases
anything.

Bolt offers no public hook that runs inside that task, except the listener start handler it
builds itself; `attach` wraps it. If a Bolt upgrade moves it, `attach` says so in the log and
shutdown simply does not wait (the test of this module fails first).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_listener_start_handler import AsyncListenerStartHandler

log = logging.getLogger(__name__)


class ListenerWork:
    """The tasks still doing a listener's work after its ack (and other replies sent after one)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return sum(1 for task in self._tasks if not task.done())

    def track(self, task: asyncio.Task[Any] | None = None) -> None:
        """Track `task` (the current task by default) until it ends."""
        task = task or asyncio.current_task()
        if task is None or task.done():
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for the tracked work; how many tasks were still running."""
        current = asyncio.current_task()
        running = {task for task in self._tasks if task is not current and not task.done()}
        if not running:
            return 0
        log.info("waiting up to %g s for %d listener(s) to finish", timeout, len(running))
        if timeout > 0:
            await asyncio.wait(running, timeout=timeout)
        left = sum(1 for task in running if not task.done())
        if left:
            log.warning("%d listener(s) still running after %g s; closing anyway", left, timeout)
        return left

    def attach(self, app: AsyncApp) -> bool:
        """Track every listener `app` runs after its ack; False (and a warning) if Bolt changed."""
        runner = getattr(app, "_async_listener_runner", None)
        original = getattr(runner, "listener_start_handler", None)
        if runner is None or not isinstance(original, AsyncListenerStartHandler):
            log.warning("cannot track Bolt's listener tasks: shutdown will not wait for them")
            return False
        runner.listener_start_handler = _TrackingStartHandler(self, original)
        return True


class _TrackingStartHandler(AsyncListenerStartHandler):
    """Bolt calls this first thing inside the task that runs a listener after its ack."""

    def __init__(self, work: ListenerWork, wrapped: AsyncListenerStartHandler):
        self.work = work
        self.wrapped = wrapped

    async def handle(self, request: Any, response: Any) -> None:
        self.work.track()
        await self.wrapped.handle(request=request, response=response)
