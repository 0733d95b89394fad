"""One digest run: find the channels due, claim them, fetch earnings once, send, record.

The scheduler calls `run_once()` every minute; `partners-bot digest run` calls it from cron. Replicas
sharing the database may run at the same moment: the claim (bot/digest/store.py) makes each channel's
digest go out once per local day. Earnings are fetched only when this run won at least one claim,
once for all of them, and stored as the snapshot tomorrow's deltas are computed from.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.digest.blocks import DigestContext, digest_message
from bot.digest.inflight import Heartbeat, SentRecorder
from bot.digest.period_run import PeriodRun
from bot.digest.periods import due_dates
from bot.digest.schedule import ScheduleError, is_late, scheduled_at
from bot.digest.store import SNAPSHOT_RETENTION, ChannelDigest, Delivery, DigestStore, DueKey, retry_delay
from bot.partners import PartnersClient
from bot.partners.errors import PartnersError
from bot.partners.models import Earnings
from bot.slack.errors import CHANNEL_ERRORS, TOKEN_ERRORS, error_code, is_rate_limited
from bot.slack_client import MAX_RETRY_AFTER, retry_after_seconds

log = logging.getLogger(__name__)

# A broken token or app fails every channel alike: nothing is disabled (see bot.slack.errors); an admin
# must fix the installation, and the day's digests are retried hourly meanwhile.
TOKEN_RETRY = timedelta(hours=1)


@dataclass(frozen=True)
class RenderedDigest:
    """A digest as it would be sent (dry run)."""

    channel_id: str
    local_date: str
    message: dict[str, Any]


@dataclass
class RunReport:
    """What one run did, for logs, the CLI and tests."""

    due: int = 0
    claimed: int = 0
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    disabled: dict[str, str] = field(default_factory=dict)
    lost: int = 0  # claims another replica took over before this one sent
    earnings_calls: int = 0
    earnings_error: str | None = None
    rendered: list[RenderedDigest] = field(default_factory=list)


def _retry_after(error: SlackApiError) -> float:
    return retry_after_seconds(getattr(error.response, "headers", None))


class DigestRunner:
    """Runs digests for one process; `owner` identifies this process's claims."""

    def __init__(
        self,
        store: DigestStore,
        partners: PartnersClient,
        slack: AsyncWebClient,
        clock: Clock,
        *,
        locale: str,
        owner: str | None = None,
        takeover_after: timedelta = timedelta(minutes=5),
        concurrency: int = 32,
        claim_batch: int = 25,
        rate_limit_rounds: int = 6,
        heartbeat_seconds: float | None = None,
    ):
        self.store = store
        self.partners = partners
        self.slack = slack
        self.clock = clock
        self.locale = locale
        self.owner = owner or uuid.uuid4().hex
        self.takeover_after = takeover_after
        self.concurrency = concurrency
        self.claim_batch = claim_batch
        self.rate_limit_rounds = rate_limit_rounds
        # A post waiting out 429s (inside slack-sdk or here) refreshes its claim this often, and no
        # single wait may reach the takeover: a live sender is never taken for a dead one.
        if timedelta(seconds=MAX_RETRY_AFTER) * 2 >= takeover_after:
            raise ValueError("takeover_after must be more than twice the longest Retry-After wait")
        self.heartbeat_seconds = heartbeat_seconds or takeover_after.total_seconds() / 4
        self.periods = PeriodRun(
            store.db, partners, clock, locale
        )  # weekly/monthly cadences and payouts (bot/digest/period_run.py)

    async def due(self, channels: Collection[str] | None = None) -> list[tuple[ChannelDigest, DueKey]]:
        """Digests due now with no delivery, or whose delivery may be taken over or retried."""
        now = self.clock.now()
        candidates: list[tuple[ChannelDigest, DueKey]] = []
        enabled = await self.store.enabled_channels(channels)
        await self.periods.load([setting.channel_id for setting in enabled])
        for setting in enabled:
            try:
                schedule = setting.schedule
            except ScheduleError:
                log.error("digest schedule of %s is invalid; skipping it", setting.channel_id)
                continue
            for day in due_dates(self.periods.cadence(setting.channel_id), schedule, now):
                candidates.append((setting, DueKey(setting.channel_id, day, scheduled_at(schedule, day))))
        existing = await self.store.deliveries([(k.channel_id, k.local_date) for _, k in candidates])
        return [
            (setting, key)
            for setting, key in candidates
            if (found := existing.get((key.channel_id, key.local_date))) is None
            or self.store.claimable(found, now, self.takeover_after)
        ]

    async def run_once(self, *, channels: Collection[str] | None = None, dry_run: bool = False) -> RunReport:
        """Deliver every digest due now (or, with `dry_run`, render them without claiming or sending)."""
        report = RunReport()
        self.periods.reset()
        candidates = await self.due(channels)
        report.due = len(candidates)
        if not candidates:
            return report
        if dry_run:
            await self._render_only(candidates, report)
            return report
        # Start at a random point of the (sorted) list: replicas that tick together then claim
        # different batches instead of queueing on the same rows.
        offset = random.randrange(len(candidates))
        run = _Run(self, candidates[offset:] + candidates[:offset], report)
        try:
            await asyncio.gather(*(run.worker() for _ in range(self.concurrency)))
        finally:
            await run.heartbeat.stop()
            await run.recorder.drain()
            if run.earnings_task is not None and not run.earnings_task.done():
                run.earnings_task.cancel()  # the run was cancelled (shutdown) mid-fetch
        task = run.earnings_task
        if task is not None and task.done() and not task.cancelled() and task.exception() is None:
            await self._prune_snapshots()
        log.info(
            "digest run: %d due, %d claimed, %d sent, %d failed, %d disabled",
            report.due,
            report.claimed,
            len(report.sent),
            len(report.failed),
            len(report.disabled),
        )
        return report

    async def _prune_snapshots(self) -> None:
        """This run stored a snapshot: drop old ones nobody compares with any more (best effort)."""
        try:
            await self.store.prune_snapshots(self.clock.now() - SNAPSHOT_RETENTION)
        except Exception:
            log.exception("could not prune old earnings snapshots; trying again after the next fetch")

    async def _render_only(self, candidates: list[tuple[ChannelDigest, DueKey]], report: RunReport) -> None:
        report.earnings_calls += 1
        earnings = await self.partners.earnings(fresh=True)
        previous = await self.store.previous_snapshots([key.channel_id for _, key in candidates])
        now = self.clock.now()
        for setting, key in candidates:
            context = DigestContext(
                setting.schedule.zone, key.local_date, key.scheduled_at, now, is_late(key.scheduled_at, now)
            )
            message = await self._message(
                setting, key.local_date, earnings, previous.get(key.channel_id), context
            )
            report.rendered.append(RenderedDigest(key.channel_id, key.local_date.isoformat(), message))

    async def _earnings_failed(self, delivery: Delivery, error: str, report: RunReport) -> None:
        """Partners API down: the claimed digest fails for now and is retried with backoff."""
        retry_at = self.clock.now() + retry_delay(delivery.attempts)
        await self.store.mark_failed(delivery, self.owner, error=error, retry_at=retry_at)
        report.failed[delivery.channel_id] = error

    async def _deliver(
        self,
        delivery: Delivery,
        setting: ChannelDigest,
        earnings: Earnings,
        previous: Earnings | None,
        snapshot_id: int,
        run: _Run,
    ) -> None:
        channel = delivery.channel_id
        report = run.report
        if not await run.heartbeat.still_mine(delivery):
            report.lost += 1
            return
        now = self.clock.now()
        context = DigestContext(
            setting.schedule.zone,
            delivery.local_date,
            delivery.scheduled_at,
            now,
            is_late(delivery.scheduled_at, now),
        )
        try:
            message = await self._message(setting, delivery.local_date, earnings, previous, context)
        except Exception as exc:
            await self._render_failed(delivery, setting, exc, report)
            return
        try:
            ts = await self._posting(delivery, message, run.heartbeat)
        except SlackApiError as exc:
            await self._slack_failed(delivery, setting, exc, report)
            return
        except Exception as exc:
            # Network trouble or a bug: the message most likely did not go out, so retry later.
            log.exception("digest for %s failed", channel)
            error = f"could not reach Slack: {type(exc).__name__}"
            await self.store.mark_failed(
                delivery, self.owner, error=error, retry_at=now + retry_delay(delivery.attempts)
            )
            report.failed[channel] = error
            return
        if ts is None:
            report.lost += 1
            return
        await run.recorder.record(delivery, ts, snapshot_id)
        report.sent.append(channel)

    async def _render_failed(
        self, delivery: Delivery, setting: ChannelDigest, exc: Exception, report: RunReport
    ) -> None:
        """This channel's digest could not be built (e.g. an amount babel cannot format): fail it
        alone, retry it with backoff, and tell whoever set it up the first time it happens."""
        channel = delivery.channel_id
        log.exception("digest for %s could not be built", channel)
        error = f"could not build the digest: {type(exc).__name__}"
        retry_at = self.clock.now() + retry_delay(delivery.attempts)
        await self.store.mark_failed(delivery, self.owner, error=error, retry_at=retry_at)
        report.failed[channel] = error
        if delivery.attempts == 1:
            await self._dm(
                setting,
                f"I could not build today's earnings digest for <#{channel}> ({type(exc).__name__}: the "
                "Partner Program returned figures I cannot show). I will try again later today; "
                "`/earnings` shows the figures meanwhile.",
            )

    async def _posting(self, delivery: Delivery, message: dict[str, Any], heartbeat: Heartbeat) -> str | None:
        """`_post`, with the run's heartbeat refreshing the claim while it runs (429 waits inside
        slack-sdk included), so no other replica takes over a digest that is being sent."""
        heartbeat.start_posting(delivery)
        try:
            return await self._post(delivery, message, heartbeat)
        finally:
            heartbeat.done_posting(delivery)

    async def _message(
        self,
        setting: ChannelDigest,
        day: date,
        earnings: Earnings,
        previous: Earnings | None,
        context: DigestContext,
    ) -> dict[str, Any]:
        """The digest with the payouts paid since the previous one and, weekly/monthly, the period's commission."""
        schedule = setting.schedule
        paid = await self.periods.paid_since_previous(setting.channel_id, day, schedule) if previous else []
        message = digest_message(earnings, previous, context, locale=self.locale, paid=paid)
        return await self.periods.decorate(setting.channel_id, day, schedule, message)

    async def _post(self, delivery: Delivery, message: dict[str, Any], heartbeat: Heartbeat) -> str | None:
        """Post, waiting out 429s beyond slack-sdk's own retries; None if the claim was lost meanwhile."""
        for round_ in range(self.rate_limit_rounds + 1):
            try:
                response = await self.slack.chat_postMessage(channel=delivery.channel_id, **message)
                return str(response["ts"])
            except SlackApiError as exc:
                if not is_rate_limited(exc) or round_ == self.rate_limit_rounds:
                    raise
                await asyncio.sleep(_retry_after(exc) + random.uniform(0, 0.5))
                if not await heartbeat.still_mine(delivery):
                    return None
        raise AssertionError("unreachable")

    async def _unexpected_failure(self, delivery: Delivery, report: RunReport) -> None:
        error = "unexpected error; retrying"
        report.failed[delivery.channel_id] = error
        try:
            retry_at = self.clock.now() + retry_delay(delivery.attempts)
            await self.store.mark_failed(delivery, self.owner, error=error, retry_at=retry_at)
        except Exception:
            log.exception("could not record the failed digest for %s", delivery.channel_id)

    async def _slack_failed(
        self, delivery: Delivery, setting: ChannelDigest, exc: SlackApiError, report: RunReport
    ) -> None:
        channel = delivery.channel_id
        error = error_code(exc)
        now = self.clock.now()
        if error in CHANNEL_ERRORS:
            log.warning("digest for %s: Slack said %s; disabling it", channel, error)
            reason = f"Slack refused to post in the channel ({error})"
            await self.store.mark_disabled(delivery, self.owner, error=reason)
            await self.store.disable(channel, reason)
            report.disabled[channel] = error
            await self._tell_admin(setting, error)
            return
        retry = TOKEN_RETRY if error in TOKEN_ERRORS else retry_delay(delivery.attempts)
        log.error("digest for %s failed: Slack said %s", channel, error)
        await self.store.mark_failed(delivery, self.owner, error=f"Slack said {error}", retry_at=now + retry)
        report.failed[channel] = error

    async def _tell_admin(self, setting: ChannelDigest, error: str) -> None:
        """DM whoever set the digest up that it stopped and what to do about it."""
        text = (
            f"I turned off the daily earnings digest in <#{setting.channel_id}>: Slack answered "
            f"`{error}` when I tried to post there ({_ERROR_HINTS.get(error, 'the channel is closed to me')}). "
            f"Fix that and run `/earnings digest on {setting.time_of_day} {setting.tz}` in the channel "
            "to turn it back on."
        )
        await self._dm(setting, text)

    async def _dm(self, setting: ChannelDigest, text: str) -> None:
        try:
            opened = await self.slack.conversations_open(users=setting.set_by)
            await self.slack.chat_postMessage(channel=opened["channel"]["id"], text=text)
        except Exception:
            log.exception("could not DM %s about the digest in %s", setting.set_by, setting.channel_id)


_ERROR_HINTS = {
    "channel_not_found": "the channel was deleted or I cannot see it",
    "not_in_channel": "I am not a member; invite me with `/invite @Partners Bot`",
    "is_archived": "the channel is archived",
    "channel_is_archived": "the channel is archived",
}


class _Run:
    """One `run_once`: workers claim small batches as they free up, so a slow send (a 429 wait)
    holds up nobody else, claims are held only shortly before their send, and replicas ticking
    together share the work. Earnings are fetched once, by whichever worker first has a claim."""

    def __init__(
        self, runner: DigestRunner, candidates: list[tuple[ChannelDigest, DueKey]], report: RunReport
    ):
        self.runner = runner
        self.report = report
        self.settings = {setting.channel_id: setting for setting, _ in candidates}
        self.unclaimed = deque(key for _, key in candidates)
        self.claimed: deque[Delivery] = deque()
        self.previous: dict[str, Earnings] = {}
        self.claim_lock = asyncio.Lock()
        self.earnings_task: asyncio.Task[tuple[Earnings, int]] | None = None
        # A claim younger than half the takeover is known to be ours: no refresh before its send.
        self.heartbeat = Heartbeat(
            runner.store,
            runner.clock,
            runner.owner,
            seconds=runner.heartbeat_seconds,
            fresh_for=runner.takeover_after / 2,
        )
        self.recorder = SentRecorder(runner.store, runner.owner)

    async def next_claim(self) -> Delivery | None:
        async with self.claim_lock:
            while not self.claimed and self.unclaimed:
                size = min(self.runner.claim_batch, len(self.unclaimed))
                batch = [self.unclaimed.popleft() for _ in range(size)]
                won = await self.runner.store.claim(
                    batch, self.runner.owner, takeover_after=self.runner.takeover_after
                )
                if won:
                    self.previous.update(
                        await self.runner.store.previous_snapshots([d.channel_id for d in won])
                    )
                self.report.claimed += len(won)
                self.claimed.extend(won)
            return self.claimed.popleft() if self.claimed else None

    async def fetch_earnings(self) -> tuple[Earnings, int]:
        self.report.earnings_calls += 1
        earnings = await self.runner.partners.earnings(fresh=True)
        snapshot_id = await self.runner.store.add_snapshot(earnings, self.runner.clock.now())
        return earnings, snapshot_id

    async def worker(self) -> None:
        while (delivery := await self.next_claim()) is not None:
            if self.earnings_task is None:
                self.earnings_task = asyncio.create_task(self.fetch_earnings())
            try:
                earnings, snapshot_id = await asyncio.shield(self.earnings_task)
            except PartnersError as exc:
                if self.report.earnings_error is None:
                    log.warning("digest: earnings fetch failed: %r", exc)
                    self.report.earnings_error = f"Partners API {exc.kind}: {exc.message}"
                await self.runner._earnings_failed(delivery, self.report.earnings_error, self.report)
                continue
            try:
                await self.runner._deliver(
                    delivery,
                    self.settings[delivery.channel_id],
                    earnings,
                    self.previous.get(delivery.channel_id),
                    snapshot_id,
                    self,
                )
            except Exception:
                # Whatever broke (a bug, the database), it broke this channel only: record it if
                # possible and go on with the others; an unrecorded claim is taken over later.
                log.exception("digest for %s failed unexpectedly", delivery.channel_id)
                await self.runner._unexpected_failure(delivery, self.report)
