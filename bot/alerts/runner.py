"""One trial-alert run: claim each due channel's daily check, read the licenses once, post and edit.

The scheduler (the digest's, bot/digest/scheduler.py) calls `run_once()` every minute on every
replica; `partners-bot alerts run` calls it from cron. A channel's check for a local date is claimed
first (one replica wins it); inside it, every alert is claimed again as a (channel, license,
threshold) row before it is posted, so an alert goes out once even when a crashed run is taken over.
A check:
1. settles the channel's open alerts: subscribed (edited to say so, button dropped), client-paid or
   gone from the list (edited likewise), lapsed (edited, plus one "lapsed" notice);
2. posts new alerts for partner-paid trials ending within N days (the N-day alert) or within a day
   (the 1-day alert).
Failures follow the digest: channel errors disable the alerts and DM whoever set them up, 429s are
waited out, a Partners API outage fails the check and it is retried with backoff that day.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.alerts.blocks import admin_dm, alert_message, lapsed_notice, settled_message
from bot.alerts.store import LAPSED, Alert, AlertDraft, AlertStore, ChannelAlerts, Run, retry_delay
from bot.alerts.tables import RunState
from bot.clock import Clock
from bot.digest.runner import TOKEN_RETRY, _retry_after
from bot.digest.schedule import local_instant
from bot.partners import PartnersClient
from bot.partners.errors import PartnersError
from bot.partners.models import License
from bot.slack.errors import CHANNEL_ERRORS, TOKEN_ERRORS, error_code

log = logging.getLogger(__name__)

CHECK_AT = time(9, 0)
PLAN_TIMEOUT = 3.0  # the plan is a nicety: a slow details call must not hold the alert up


class _ChannelGone(Exception):
    """Slack refused the channel itself; the check stops and the alerts are turned off."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class RenderedAlert:
    channel_id: str
    license_id: str
    threshold: int
    message: dict[str, Any]


@dataclass
class AlertReport:
    """What one run did, for logs, the CLI and tests."""

    due: int = 0
    claimed: int = 0
    posted: list[tuple[str, str, int]] = field(default_factory=list)
    updated: list[tuple[str, str, str]] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    disabled: dict[str, str] = field(default_factory=dict)
    licenses_error: str | None = None
    rendered: list[RenderedAlert] = field(default_factory=list)


def check_due_at(setting: ChannelAlerts, day: date) -> datetime:
    """When the channel's check of local `day` is due: 09:00 there, or at once on the day it was set up."""
    zone = ZoneInfo(setting.tz)
    scheduled = local_instant(datetime.combine(day, CHECK_AT), zone)
    if setting.active_from.astimezone(zone).date() == day:
        return min(scheduled, setting.active_from)
    return scheduled


def threshold_for(fact: License, days: int, now: datetime) -> int | None:
    """Which alert a trial is due for now: 1 within a day of its end, `days` within N days, else none."""
    if not fact.partner_trial or fact.end_timestamp is None or fact.end_timestamp <= now:
        return None
    left = fact.end_timestamp - now
    if left <= timedelta(days=1):
        return 1
    if left <= timedelta(days=days):
        return days
    return None


def outcome_for(alert: Alert, fact: License | None, now: datetime) -> str | None:
    """How an alerted trial was settled since, judging by the license list; None while still open."""
    if fact is None:
        return "gone"
    if fact.has_subscription:
        return "subscribed"
    if fact.payment_origin != "partner":
        return "client_paid"
    ends = fact.end_timestamp or alert.ends_at
    if fact.status != "trial" or ends <= now:
        return "lapsed"
    return None


class AlertRunner:
    """Runs trial alerts for one process; `owner` identifies this process's claims."""

    def __init__(
        self,
        store: AlertStore,
        partners: PartnersClient,
        slack: AsyncWebClient,
        clock: Clock,
        *,
        owner: str | None = None,
        takeover_after: timedelta = timedelta(minutes=5),
        rate_limit_rounds: int = 6,
    ):
        self.store = store
        self.partners = partners
        self.slack = slack
        self.clock = clock
        self.owner = owner or uuid.uuid4().hex
        self.takeover_after = takeover_after
        self.rate_limit_rounds = rate_limit_rounds

    async def due(self, channels: Collection[str] | None = None) -> list[tuple[ChannelAlerts, date]]:
        """Channels whose check of today (their local date) is due and not done, or may be retried."""
        now = self.clock.now()
        found = []
        for setting in await self.store.enabled_channels(channels):
            day = now.astimezone(ZoneInfo(setting.tz)).date()
            if now < check_due_at(setting, day):
                continue
            run = await self.store.run(setting.channel_id, day)
            if run is None or self.store.run_claimable(run, now, self.takeover_after):
                found.append((setting, day))
        return found

    async def run_once(
        self, *, channels: Collection[str] | None = None, dry_run: bool = False
    ) -> AlertReport:
        report = AlertReport()
        candidates = await self.due(channels)
        report.due = len(candidates)
        if not candidates:
            return report
        if dry_run:
            facts = await self.partners.licenses()
            now = self.clock.now()
            for setting, _ in candidates:
                self._render(setting, facts, now, report)
            return report
        random.shuffle(candidates)  # replicas ticking together start on different channels
        claimed: list[tuple[ChannelAlerts, Run]] = []
        for setting, day in candidates:
            run = await self.store.claim_run(
                setting.channel_id, day, self.owner, takeover_after=self.takeover_after
            )
            if run is not None:
                claimed.append((setting, run))
        report.claimed = len(claimed)
        if not claimed:
            return report
        try:
            facts = await self.partners.licenses()
        except PartnersError as exc:
            log.warning("trial alerts: licenses could not be read: %r", exc)
            report.licenses_error = f"Partners API {exc.kind}: {exc.message}"
            for setting, run in claimed:
                retry_at = self.clock.now() + retry_delay(run.attempts)
                await self.store.finish_run(
                    run, self.owner, RunState.FAILED, error=report.licenses_error, retry_at=retry_at
                )
                report.failed[setting.channel_id] = report.licenses_error
            return report
        await asyncio.gather(*(self._check(setting, run, facts, report) for setting, run in claimed))
        log.info(
            "alert run: %d due, %d claimed, %d posted, %d updated, %d failed, %d disabled",
            report.due,
            report.claimed,
            len(report.posted),
            len(report.updated),
            len(report.failed),
            len(report.disabled),
        )
        return report

    def _render(
        self, setting: ChannelAlerts, facts: list[License], now: datetime, report: AlertReport
    ) -> None:
        zone = ZoneInfo(setting.tz)
        for fact in facts:
            threshold = threshold_for(fact, setting.days, now)
            if threshold is None or fact.end_timestamp is None:
                continue
            alert = _draft_alert(setting.channel_id, _draft(fact, threshold))
            report.rendered.append(
                RenderedAlert(setting.channel_id, fact.license, threshold, alert_message(alert, now, zone))
            )

    async def _check(
        self, setting: ChannelAlerts, run: Run, facts: list[License], report: AlertReport
    ) -> None:
        channel = setting.channel_id
        try:
            await self._settle_open(setting, {f.license: f for f in facts}, report)
            await self._post_new(setting, run, facts, report)
        except _ChannelGone as gone:
            log.warning("trial alerts for %s: Slack said %s; turning them off", channel, gone.error)
            reason = f"Slack refused to post in the channel ({gone.error})"
            await self.store.finish_run(run, self.owner, RunState.DISABLED, error=reason)
            await self.store.disable(channel, reason)
            report.disabled[channel] = gone.error
            await self._tell_admin(setting, gone.error)
            return
        except SlackApiError as exc:
            error = error_code(exc) or "unknown_error"
            retry = TOKEN_RETRY if error in TOKEN_ERRORS else retry_delay(run.attempts)
            log.error("trial alerts for %s failed: Slack said %s", channel, error)
            await self.store.finish_run(
                run,
                self.owner,
                RunState.FAILED,
                error=f"Slack said {error}",
                retry_at=self.clock.now() + retry,
            )
            report.failed[channel] = error
            return
        except Exception as exc:
            log.exception("trial alerts for %s failed", channel)
            error = f"could not reach Slack: {type(exc).__name__}"
            await self.store.finish_run(
                run,
                self.owner,
                RunState.FAILED,
                error=error,
                retry_at=self.clock.now() + retry_delay(run.attempts),
            )
            report.failed[channel] = error
            return
        await self.store.finish_run(run, self.owner, RunState.DONE)

    async def _settle_open(
        self, setting: ChannelAlerts, facts: dict[str, License], report: AlertReport
    ) -> None:
        now = self.clock.now()
        zone = ZoneInfo(setting.tz)
        alerts = await self.store.channel_alerts(setting.channel_id)
        notified = {a.license_id for a in alerts if a.threshold == LAPSED}
        for alert in alerts:
            if alert.threshold == LAPSED or alert.message_ts is None or alert.outcome is not None:
                continue
            outcome = outcome_for(alert, facts.get(alert.license_id), now)
            if outcome is None or not await self.store.settle(alert, outcome):
                continue
            try:
                await edit_alert(self.slack, alert, settled_message(alert, outcome, zone))
            except Exception:
                await self.store.unsettle(alert, outcome)
                raise
            report.updated.append((alert.channel_id, alert.license_id, outcome))
            if outcome == "lapsed" and alert.license_id not in notified:
                notified.add(alert.license_id)
                await self._post_lapsed(setting, alert, report)

    async def _post_lapsed(self, setting: ChannelAlerts, alert: Alert, report: AlertReport) -> None:
        draft = AlertDraft(
            alert.license_id, LAPSED, alert.product, alert.client_name, alert.ends_at, alert.plan
        )
        claimed = await self.store.claim_alert(
            setting.channel_id, draft, self.owner, takeover_after=self.takeover_after
        )
        if claimed is None:
            return
        await self._send(claimed, lapsed_notice(claimed, ZoneInfo(setting.tz)), report)

    async def _post_new(
        self, setting: ChannelAlerts, run: Run, facts: list[License], report: AlertReport
    ) -> None:
        zone = ZoneInfo(setting.tz)
        existing = {
            (a.license_id, a.threshold): a for a in await self.store.channel_alerts(setting.channel_id)
        }
        for fact in facts:
            now = self.clock.now()
            threshold = threshold_for(fact, setting.days, now)
            if threshold is None:
                continue
            seen = existing.get((fact.license, threshold))
            if seen is not None and not self.store.alert_claimable(seen, now, self.takeover_after):
                continue
            if not await self.store.still_mine(run, self.owner):
                return  # another replica took this check over; it posts the rest
            alert = await self.store.claim_alert(
                setting.channel_id, _draft(fact, threshold), self.owner, takeover_after=self.takeover_after
            )
            if alert is None:
                continue
            alert = await self.store.set_plan(alert, await self._plan(fact))
            await self._send(alert, alert_message(alert, self.clock.now(), zone), report)

    async def _plan(self, fact: License) -> str | None:
        try:
            details = await asyncio.wait_for(self.partners.license(fact.license, fact.product), PLAN_TIMEOUT)
        except (PartnersError, TimeoutError):
            return None
        except Exception:  # an older adapter that cannot parse today's details: the plan stays unknown
            log.debug("license details of %s unreadable", fact.license, exc_info=True)
            return None
        return details.plan

    async def _send(self, alert: Alert, message: dict[str, Any], report: AlertReport) -> None:
        try:
            ts = await self._post(alert, message)
        except SlackApiError as exc:
            error = error_code(exc) or "unknown_error"
            await self.store.mark_failed(alert, self.owner, f"Slack said {error}")
            if error in CHANNEL_ERRORS:
                raise _ChannelGone(error) from None
            raise
        except Exception as exc:
            await self.store.mark_failed(alert, self.owner, f"could not reach Slack: {type(exc).__name__}")
            raise
        if ts is not None:
            await self.store.mark_sent(alert, self.owner, ts)
            report.posted.append((alert.channel_id, alert.license_id, alert.threshold))

    async def _post(self, alert: Alert, message: dict[str, Any]) -> str | None:
        """Post, waiting out 429s beyond slack-sdk's own retries; None if the claim was lost meanwhile."""
        for round_ in range(self.rate_limit_rounds + 1):
            try:
                response = await self.slack.chat_postMessage(channel=alert.channel_id, **message)
                return str(response["ts"])
            except SlackApiError as exc:
                limited = exc.response is not None and exc.response.status_code == 429
                if not limited or round_ == self.rate_limit_rounds:
                    raise
                await asyncio.sleep(_retry_after(exc) + random.uniform(0, 0.5))
                if not await self.store.alert_still_mine(alert, self.owner):
                    return None
        raise AssertionError("unreachable")

    async def _tell_admin(self, setting: ChannelAlerts, error: str) -> None:
        try:
            opened = await self.slack.conversations_open(users=setting.set_by)
            text = admin_dm(setting.channel_id, error, setting.days)
            await self.slack.chat_postMessage(channel=opened["channel"]["id"], text=text)
        except SlackApiError:
            log.exception("could not DM %s about the disabled trial alerts", setting.set_by)


async def edit_alert(slack: AsyncWebClient, alert: Alert, message: dict[str, Any]) -> None:
    """chat.update the alert; a message deleted by hand is fine (nothing left to edit)."""
    assert alert.message_ts is not None
    try:
        await slack.chat_update(channel=alert.channel_id, ts=alert.message_ts, **message)
    except SlackApiError as exc:
        error = error_code(exc)
        if error in ("message_not_found", "cant_update_message") or error in CHANNEL_ERRORS:
            log.info("alert %s in %s could not be edited: %s", alert.license_id, alert.channel_id, error)
            return
        raise


async def subscription_created(
    store: AlertStore, slack: AsyncWebClient, license_id: str, user_id: str | None
) -> int:
    """The bot just subscribed `license_id`: edit every open alert about it now. Returns how many."""
    edited = 0
    for alert in await store.open_alerts_of(license_id):
        if not await store.settle(alert, "subscribed", by=user_id):
            continue
        setting = await store.channel(alert.channel_id)
        zone = ZoneInfo(setting.tz if setting else "UTC")
        try:
            await edit_alert(slack, alert, settled_message(alert, "subscribed", zone, by=user_id))
            edited += 1
        except SlackApiError:
            await store.unsettle(alert, "subscribed")  # the next daily check edits it instead
            log.warning(
                "could not mark the alert of %s in %s as subscribed",
                license_id,
                alert.channel_id,
                exc_info=True,
            )
    return edited


def _draft(fact: License, threshold: int) -> AlertDraft:
    assert fact.end_timestamp is not None
    return AlertDraft(fact.license, threshold, fact.product, fact.client_name, fact.end_timestamp)


def _draft_alert(channel_id: str, draft: AlertDraft) -> Alert:
    """An unsaved alert, for dry runs: nothing is claimed, so no owner, claim time or ts."""
    return Alert(
        0, channel_id, draft.license_id, draft.threshold, draft.product, draft.client_name,
        draft.plan, draft.ends_at, "preview", "", draft.ends_at, 0, None, None, None,
    )  # fmt: skip
