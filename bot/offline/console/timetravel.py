"""The console's clock moves: jump ahead and deliver everything that falls due on the way, once each.

A jump (`tomorrow N`, `wait 2h`) walks the interval in time order. At every scheduled digest instant
and every channel's daily trial-alert check inside it, the clock stops there and the real runner
runs (its database claims keep each digest and alert to one send, even if the background scheduler
ticks meanwhile). An alert check is only due on its own local day, so a jump that stepped over one
would lose it: that is why checks are stops too, not just left to the end. At every local midnight
crossed, the sandbox earns a day's commission, so the next morning's digest has something to report.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.alerts.runner import check_due_at
from bot.alerts.store import AlertStore
from bot.clock import OffsetClock
from bot.digest.schedule import ScheduleError, scheduled_at
from bot.digest.store import DigestStore
from bot.money import format_money

Step = Callable[[], Awaitable[None]]
Instants = Callable[[datetime, datetime], Awaitable[list[datetime]]]


@dataclass(frozen=True)
class Due:
    """Bot work that falls due at instants of its own (digests, alert checks): when, and what runs then."""

    kind: str
    instants: Instants
    run: Step


@dataclass
class Delivered:
    """What one kind of the bot's own posts did over a jump: how many went out, where not and why."""

    sent: int = 0
    edited: int = 0
    failed: dict[str, str] = field(default_factory=dict)


@dataclass
class Jump:
    """What a jump did, for the sentence the console prints."""

    days_earned: int = 0
    commission: Decimal = Decimal("0")
    paid_out: Decimal = Decimal("0")
    requested: list[Decimal] = field(default_factory=list)


def console_zone() -> tzinfo:
    """The zone the console's user lives in: the machine's local zone."""
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def clock_line(moment: datetime, zone: tzinfo, digest_zones: list[str]) -> str:
    """`It is now Thursday 3 December 2026, 14:02 UTC (15:02 in Europe/Warsaw).`"""
    local = moment.astimezone(zone)
    text = f"It is now {local.strftime('%A')} {local.day} {local.strftime('%B %Y, %H:%M %Z')}"
    others = []
    for name in digest_zones:
        try:
            there = moment.astimezone(ZoneInfo(name))
        except (KeyError, ValueError, OSError):
            continue
        if there.utcoffset() != local.utcoffset():
            day = "" if there.date() == local.date() else f"{there.strftime('%a')} "
            others.append(f"{day}{there.strftime('%H:%M')} in {name}")
    return text + (f" ({'; '.join(others)})" if others else "") + "."


def parse_duration(text: str) -> timedelta | None:
    """`90m`, `2h`, `1h30m`, `45` (minutes), `3d` → a positive duration up to a year; else None."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        cleaned += "m"
    parts = re.findall(r"(\d+)([dhm])", cleaned)
    if not parts or "".join(n + u for n, u in parts) != cleaned:
        return None
    unit = {"d": "days", "h": "hours", "m": "minutes"}
    delta = sum((timedelta(**{unit[u]: int(n)}) for n, u in parts), timedelta(0))
    return delta if timedelta(0) < delta <= timedelta(days=366) else None


def changes_sentence(jump: Jump, locale: str = "en_US") -> str:
    """What the sandbox did over the jump, as a sentence."""
    if not jump.days_earned:
        return "No midnight passed, so the sandbox earned nothing new."
    days = f"{jump.days_earned} day{'s' if jump.days_earned != 1 else ''}"
    parts = [f"Over {days} the sandbox earned {format_money(jump.commission, locale)} in commission"]
    if jump.paid_out:
        parts.append(f"paid out {format_money(jump.paid_out, locale)} of pending withdrawals")
    for amount in jump.requested:
        parts.append(f"requested a new withdrawal of {format_money(amount, locale)}")
    return (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + "."


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'s' if number != 1 else ''}"


def delivered_sentence(digests: Delivered, alerts: Delivered | None = None) -> str:
    """`1 digest and 2 alerts went out on the way.`, or `No digest fell due.`, then what was not sent.

    `alerts` is None when no channel has trial alerts on, so the sentence does not mention them.
    """
    kinds = (("digest", digests), ("alert", alerts))
    sent = [_count(d.sent, word) for word, d in kinds if d is not None and d.sent]
    if sent:
        text = " and ".join(sent) + " went out on the way"
    else:
        text = "No digest fell due" if alerts is None else "No digest or trial alert fell due"
    if alerts is not None and alerts.edited:
        text += f"; {_count(alerts.edited, 'alert')} edited (the trial was settled)"
    for word, delivered in kinds:
        if delivered is not None and delivered.failed:
            text += f"; {word}s not sent: " + ", ".join(f"{c} ({why})" for c, why in delivered.failed.items())
    return text + "."


async def alert_instants(store: AlertStore, start: datetime, end: datetime) -> list[datetime]:
    """Every enabled channel's daily trial-alert check in (start, end], sorted, without duplicates."""
    found: set[datetime] = set()
    for setting in await store.enabled_channels():
        try:
            zone = ZoneInfo(setting.tz)
        except (KeyError, ValueError, OSError):
            continue
        day = start.astimezone(zone).date()
        while day <= end.astimezone(zone).date():
            instant = check_due_at(setting, day)
            if start < instant <= end:
                found.add(instant)
            day += timedelta(days=1)
    return sorted(found)


async def digest_instants(store: DigestStore, start: datetime, end: datetime) -> list[datetime]:
    """Every enabled channel's digest instants in (start, end], sorted, without duplicates."""
    found: set[datetime] = set()
    for setting in await store.enabled_channels():
        try:
            schedule = setting.schedule
        except ScheduleError:
            continue
        day = start.astimezone(schedule.zone).date() - timedelta(days=1)
        last = end.astimezone(schedule.zone).date() + timedelta(days=1)
        while day <= last:
            instant = scheduled_at(schedule, day)
            if start < instant <= end and instant >= schedule.active_from:
                found.add(instant)
            day += timedelta(days=1)
    return sorted(found)


def midnights(start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    """Local midnights in (start, end]."""
    found = []
    day = start.astimezone(zone).date() + timedelta(days=1)
    while True:
        midnight = datetime.combine(day, time(0), zone)
        if midnight > end:
            return found
        found.append(midnight)
        day += timedelta(days=1)


async def jump(
    clock: OffsetClock,
    sandbox_state: Any,
    delta: timedelta,
    dues: Sequence[Due],
    *,
    zone: tzinfo | None = None,
) -> Jump:
    """Move `clock` by `delta`, stopping at each midnight (the sandbox earns) and each instant of `dues`.

    Every due runs once before the clock moves too: work due now (a trial check just switched on, a
    digest the scheduler has not reached yet) goes out at its own time, not a day late.
    """
    zone = zone or console_zone()
    start = clock.now()
    end = start + delta
    order = ["midnight", *(due.kind for due in dues)]  # earn first, then send, in the order given
    runs = {due.kind: due.run for due in dues}
    stops: list[tuple[datetime, str]] = [(m, "midnight") for m in midnights(start, end, zone)]
    for due in dues:
        stops += [(instant, due.kind) for instant in await due.instants(start, end)]
    stops.sort(key=lambda stop: (stop[0], order.index(stop[1])))
    for due in dues:
        await due.run()
    result = Jump()
    for moment, kind in stops:
        clock.offset += moment - clock.now() + timedelta(seconds=1)
        if kind == "midnight":
            moved = sandbox_state.advance_day()
            result.days_earned += 1
            result.commission += Decimal(str(moved["commission_added"]))
            result.paid_out += Decimal(str(moved["paid_out"]))
            if moved.get("withdrawal_requested"):
                result.requested.append(Decimal(str(moved["withdrawal_requested"]["amount"])))
        else:
            await runs[kind]()
    clock.offset += end - clock.now()
    for due in dues:
        await due.run()  # anything still due at the end (a retry, something exactly at `end`)
    return result
