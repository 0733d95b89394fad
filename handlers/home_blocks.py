"""Pure Block Kit builders of the App Home tab (one per user; ≤ 100 blocks whatever the data).

Sections: money (balance, pending, commission last 30 days and total, each with the change since
the latest digest snapshot of an earlier day), trials ending in the next 14 days (Create subscription
buttons for admins only), campaigns (active count, New campaign), this workspace's digest and alert
schedules, recent withdrawals. A section whose data could not be read says so; the rest still shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.access import NOT_ALLOWED
from bot.alerts.blocks import ALERT_TIME, ends_phrase, subscribe_button
from bot.alerts.store import ChannelAlerts
from bot.digest.store import ChannelDigest
from bot.money import format_delta, format_money
from bot.partners.models import PRODUCT_NAMES, Earnings, License
from bot.partners.reports import Withdrawal
from bot.slack.blocks import (
    MAX_VIEW_BLOCKS,
    Json,
    actions,
    button,
    context,
    divider,
    header,
    limit_blocks,
    section,
)
from bot.slack.blocks import field as text_field  # dataclasses.field is the other `field` here
from bot.slack.mrkdwn import escape

REFRESH_ACTION = "home_refresh"
NEW_CAMPAIGN_ACTION = "home_new_campaign"
TRIAL_WINDOW_DAYS = 14
MAX_TRIALS = 15  # one section each; the rest is summarised in one line
MAX_SCHEDULES = 10
MAX_WITHDRAWALS = 5
_AMOUNTS = (
    ("Balance", "balance"),
    ("Pending", "pending"),
    ("Commission, last 30 days", "commission_last_30_days"),
    ("Commission, total", "commission_total"),
)


@dataclass(frozen=True)
class Snapshot:
    """Earnings as a digest stored them, and when."""

    earnings: Earnings
    taken_at: datetime


@dataclass
class HomeData:
    """Everything the Home shows; None plus an `…_error` where a source could not be read."""

    now: datetime
    zone: ZoneInfo
    earnings: Earnings | None = None
    earnings_error: str | None = None
    previous: Snapshot | None = None
    trials: list[License] | None = None
    trials_error: str | None = None
    active_campaigns: int | None = None
    campaigns_error: str | None = None
    withdrawals: list[Withdrawal] | None = None
    withdrawals_error: str | None = None
    digests: list[ChannelDigest] = field(default_factory=list)
    alerts: list[ChannelAlerts] = field(default_factory=list)


def _button(action_id: str, text: str, *, style: str | None = None) -> Json:
    # The Home's buttons carry their own action id as value: the listener needs nothing more.
    extra = {"style": style} if style else {}
    return button(text, action_id=action_id, value=action_id, **extra)


def _home(blocks: list[Json]) -> Json:
    # A Home tab takes at most 100 blocks, like a modal; past that the last one says how many are cut.
    return {"type": "home", "callback_id": "partners_home", "blocks": limit_blocks(blocks, MAX_VIEW_BLOCKS)}


def no_access_view() -> Json:
    """Users outside ALLOWED_USER_IDS: one line, nothing else."""
    return _home([section(NOT_ALLOWED)])


def placeholder_view() -> Json:
    """Shown at once when LiveChat is slow to answer; replaced as soon as the data is in."""
    return _home([header("Partners Bot"), section(":hourglass_flowing_sand: Loading your dashboard…")])


def upcoming_trials(licenses: Sequence[License], now: datetime) -> list[License]:
    """Partner-paid trials ending in the next 14 days, soonest first."""
    horizon = now.timestamp() + TRIAL_WINDOW_DAYS * 86_400
    found = [
        lic
        for lic in licenses
        if lic.partner_trial
        and lic.end_timestamp
        and now < lic.end_timestamp
        and lic.end_timestamp.timestamp() <= horizon
    ]
    return sorted(found, key=lambda lic: lic.end_timestamp or now)


def _money_blocks(data: HomeData, locale: str) -> list[Json]:
    blocks = [header("Money")]
    if data.earnings is None:
        return [*blocks, section(f":warning: {escape(data.earnings_error or 'Earnings are unavailable.')}")]
    fields = []
    for label, name in _AMOUNTS:
        value: Decimal | None = getattr(data.earnings, name)
        if value is None:
            continue
        line = f"*{label}*\n{format_money(value, locale)}"
        before = getattr(data.previous.earnings, name) if data.previous else None
        if before is not None:
            line += f"  {format_delta(value - before, locale)}"
        fields.append(text_field(line))
    blocks.append(section(fields=fields))
    if data.previous is not None:
        taken = data.previous.taken_at.astimezone(data.zone).strftime("%A %d %B")
        blocks.append(context(f"Changes since the digest snapshot of {taken}."))
    else:
        blocks.append(context("No earlier digest snapshot to compare with yet (`/earnings digest on`)."))
    return blocks


def _trial_blocks(data: HomeData, is_admin: bool) -> list[Json]:
    blocks = [header("Trials ending soon")]
    if data.trials is None:
        return [*blocks, section(f":warning: {escape(data.trials_error or 'Licenses are unavailable.')}")]
    if not data.trials:
        return [*blocks, section(f"No partner-paid trial ends in the next {TRIAL_WINDOW_DAYS} days.")]
    for lic in data.trials[:MAX_TRIALS]:
        assert lic.end_timestamp is not None
        product = PRODUCT_NAMES.get(lic.product, lic.product)
        when = ends_phrase(lic.end_timestamp, data.now, data.zone)
        text = f"*{escape(lic.client_name or 'Unnamed client')}*\nLicense `{escape(lic.license)}` · {escape(product)} · ends {when}"
        extra = {"accessory": subscribe_button(lic.license)} if is_admin and lic.product == "livechat" else {}
        blocks.append(section(text, block_id=f"home_trial_{lic.license}", **extra))
    more = len(data.trials) - MAX_TRIALS
    note = (
        f"…and {more} more in the next {TRIAL_WINDOW_DAYS} days; `/subscribe` lists them all. "
        if more > 0
        else ""
    )
    note += "" if is_admin else "Only admins can create subscriptions."
    if note:
        blocks.append(context(note.strip()))
    return blocks


def _campaign_blocks(data: HomeData) -> list[Json]:
    if data.active_campaigns is None:
        text = f":warning: {escape(data.campaigns_error or 'Campaigns are unavailable.')}"
    else:
        count = data.active_campaigns
        text = f"*{count}* active affiliate campaign{'s' if count != 1 else ''} · `/campaign list` shows them"
    return [
        header("Campaigns"),
        section(text, block_id="home_campaigns", accessory=_button(NEW_CAMPAIGN_ACTION, "New campaign")),
    ]


def _schedule_blocks(data: HomeData) -> list[Json]:
    digests = [f"<#{d.channel_id}> at {d.time_of_day} {d.tz}" for d in data.digests]
    alerts = [
        f"<#{a.channel_id}>, {a.days} day{'s' if a.days != 1 else ''} ahead (checked {ALERT_TIME} {a.tz})"
        for a in data.alerts
    ]

    def listed(items: list[str], none: str) -> str:
        if not items:
            return none
        more = len(items) - MAX_SCHEDULES
        return " · ".join(items[:MAX_SCHEDULES]) + (f" · and {more} more" if more > 0 else "")

    return [
        header("Schedules"),
        section(
            "*Daily digest:* "
            + listed(digests, "none yet — `/earnings digest on` in a channel")
            + "\n*Trial alerts:* "
            + listed(alerts, "none yet — `/subscribe alerts on` in a channel")
        ),
    ]


def _withdrawal_blocks(data: HomeData, locale: str) -> list[Json]:
    blocks = [header("Recent withdrawals")]
    if data.withdrawals is None:
        return [
            *blocks,
            section(f":warning: {escape(data.withdrawals_error or 'Withdrawals are unavailable.')}"),
        ]
    if not data.withdrawals:
        return [*blocks, section("No withdrawals yet.")]
    lines = []
    for w in data.withdrawals[:MAX_WITHDRAWALS]:
        day = w.request_timestamp.astimezone(data.zone).strftime("%d %b %Y") if w.request_timestamp else "—"
        status = escape(w.status or "unknown")
        lines.append(f"{day} · *{format_money(w.amount, locale)}* · {status}")
    return [*blocks, section("\n".join(lines))]


def home_view(data: HomeData, *, is_admin: bool, locale: str = "en_US") -> Json:
    """The full Home tab for an allowed user; `is_admin` adds the Create subscription buttons."""
    updated = data.now.astimezone(data.zone).strftime("%a %d %b %H:%M")
    blocks: list[Json] = [
        header("Partners Bot"),
        actions([_button(REFRESH_ACTION, "Refresh")], block_id="home_top"),
        context(f"Updated {updated} ({data.zone.key}). Amounts in USD."),
        *_money_blocks(data, locale),
        divider(),
        *_trial_blocks(data, is_admin),
        divider(),
        *_campaign_blocks(data),
        divider(),
        *_schedule_blocks(data),
        divider(),
        *_withdrawal_blocks(data, locale),
    ]
    return _home(blocks)
