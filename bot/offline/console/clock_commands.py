"""The console's clock commands: `digest` (what is due now), `tomorrow [N]` and `wait DURATION`.

A move walks the interval with `timetravel.jump`, running the real digest runner and the real
trial-alert runner whenever either falls due (their database claims keep each post to one, even when
the background scheduler ticks meanwhile), and ends with one sentence: the new time, what the
sandbox did, and what the bot posted on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from bot.alerts.runner import AlertReport
from bot.clock import OffsetClock
from bot.digest.runner import RunReport
from bot.offline.console.session import ConsoleSession
from bot.offline.console.timetravel import (
    Delivered,
    Due,
    alert_instants,
    changes_sentence,
    clock_line,
    console_zone,
    delivered_sentence,
    digest_instants,
    jump,
    parse_duration,
)

NOTHING_DUE = (
    "No digest is due now. Turn one on with `/earnings digest on HH:MM`, then `tomorrow` "
    "delivers it when its time comes."
)


def sent_sentence(report: RunReport) -> str:
    """What `digest` did: `2 digests sent; not sent: C1 (not_in_channel).`"""
    sent = len(report.sent)
    text = f"{sent} digest{'s' if sent != 1 else ''} sent"
    failed = {**report.failed, **report.disabled}
    if failed:
        text += "; not sent: " + ", ".join(f"{channel} ({why})" for channel, why in failed.items())
    return text + "."


class ClockCommands:
    """`digest`, `tomorrow` and `wait` for one console; `refresh` drops cached Partners answers."""

    def __init__(self, session: ConsoleSession, *, remember: Callable[[], None], refresh: Callable[[], None]):
        self.session = session
        self.stack = session.stack
        self.remember = remember
        self.refresh = refresh

    async def run_digests(self) -> RunReport:
        return await self.session.local(self.stack.services.digest_runner.run_once)

    async def run_alerts(self) -> AlertReport:
        return await self.session.local(self.stack.services.alert_runner.run_once)

    async def digest(self, rest: str = "") -> None:
        report = await self.run_digests()
        self.session.io.say(sent_sentence(report) if report.due else NOTHING_DUE)

    async def tomorrow(self, rest: str) -> None:
        days = rest.strip() or "1"
        if not days.isdigit() or not 1 <= int(days) <= 366:
            self.session.io.say(
                f"`tomorrow` takes a number of days from 1 to 366 (e.g. `tomorrow 3`), not {rest!r}."
            )
            return
        await self.move(timedelta(days=int(days)))

    async def wait(self, rest: str) -> None:
        delta = parse_duration(rest)
        if delta is None:
            self.session.io.say(
                f"`wait` takes a duration such as 30m, 2h or 1h30m (up to 366d), not {rest!r}."
            )
            return
        await self.move(delta)

    async def move(self, delta: timedelta) -> None:
        """Jump `delta` ahead, delivering every digest and trial alert due on the way, and say what changed."""
        clock = self.stack.services.clock
        if not isinstance(clock, OffsetClock):
            self.session.io.say("! this console runs on the real clock; it cannot move")
            return
        services = self.stack.services
        digests, alerts = Delivered(), Delivered()

        async def run_digests() -> None:
            report = await self.run_digests()
            digests.sent += len(report.sent)
            digests.failed.update(self._where({**report.failed, **report.disabled}))
            self.refresh()

        async def run_alerts() -> None:
            report = await self.run_alerts()
            alerts.sent += len(report.posted)
            alerts.edited += len(report.updated)
            alerts.failed.update(self._where({**report.failed, **report.disabled}))
            self.refresh()

        dues = [
            Due("digest", partial(digest_instants, services.digest_store), run_digests),
            Due("alert", partial(alert_instants, services.alert_store), run_alerts),
        ]
        moved = await jump(clock, self.stack.sandbox.state, delta, dues, zone=console_zone())
        self.refresh()
        self.remember()
        zones = sorted({setting.tz for setting in await services.digest_store.enabled_channels()})
        alerts_on = bool(await services.alert_store.enabled_channels()) or alerts.sent or alerts.failed
        said = delivered_sentence(digests, alerts if alerts_on else None)
        self.session.io.say(
            f"{clock_line(clock.now(), console_zone(), zones)} {changes_sentence(moved)} {said}"
        )

    def _where(self, failed: dict[str, str]) -> dict[str, str]:
        return {self.session.where(channel): why for channel, why in failed.items()}
