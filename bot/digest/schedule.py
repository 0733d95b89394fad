"""When a channel's digest is due: pure functions of (now, HH:MM, IANA zone), DST-safe.

Each channel has one digest per *local* date. The digest of date D is scheduled at HH:MM on D in the
channel's zone, resolved to one UTC instant:
- HH:MM that does not exist on D (clocks spring forward over it) → the first valid instant after it,
  i.e. the moment the clocks jump (02:30 on Warsaw's spring-forward day → 03:00 CEST);
- HH:MM that occurs twice on D (clocks fall back) → its first occurrence. The claim is keyed by the
  local date, so the second occurrence can never produce a second digest anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.slack.blocks import truncate
from bot.timezones import find_zone, parse_time_of_day, zone_hint

DEFAULT_TIME = time(9, 0)
TIME_EXAMPLE = "`/earnings digest on 09:00 Europe/Warsaw`"
# A tick that runs a few minutes after midnight still sends yesterday's 23:58 digest.
GRACE = timedelta(minutes=15)
# A digest sent this much after its scheduled instant says it is late.
LATE_AFTER = timedelta(minutes=10)


class ScheduleError(ValueError):
    """A time or zone the user typed is not valid; the message says why and shows an example."""


def parse_time(text: str) -> time:
    """`"9"`, `"9am"`, `"9:30pm"`, `"09:00"`, `"21.30"` → a `time`; anything else raises `ScheduleError`."""
    parsed = parse_time_of_day(text)
    if parsed is None:
        raise ScheduleError(
            f"`{truncate(text, 40)}` is not a time of day. Use HH:MM (24-hour) or e.g. 9am, 9:30pm, "
            f"for example {TIME_EXAMPLE}."
        )
    return parsed


def looks_like_time(text: str) -> bool:
    """True for words the user meant as a time (digits first), so a bad one gets the time message."""
    return bool(text) and text[0].isdigit()


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone such as `Europe/Warsaw` (any case) or `UTC`; anything else raises `ScheduleError`."""
    zone = find_zone(name)
    if zone is not None:
        return zone
    hint = zone_hint(name)
    raise ScheduleError(
        f"`{truncate(name.strip(), 40)}` is not a time zone I know. "
        + (f"{hint} " if hint else "")
        + "Use an IANA Area/City name such as `Europe/Warsaw` or `America/New_York`, "
        f"for example {TIME_EXAMPLE}."
    )


def format_time(value: time) -> str:
    return value.strftime("%H:%M")


@dataclass(frozen=True)
class Schedule:
    """A channel's schedule: `at` local time in `zone`, nothing scheduled before `active_from`."""

    at: time
    zone: ZoneInfo
    active_from: datetime

    @classmethod
    def of(cls, time_of_day: str, tz: str, active_from: datetime) -> Schedule:
        return cls(parse_time(time_of_day), parse_zone(tz), active_from)


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def local_instant(naive: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time: its first occurrence, or the end of a DST gap."""
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == naive:
        return first
    # `naive` falls in a gap. fold=0/1 read it with the offsets before and after the jump, which
    # bracket the jump; find the first instant whose wall time is at or after `naive`.
    other = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = sorted((int(first.timestamp()), int(other.timestamp())))
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), zone) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def scheduled_at(schedule: Schedule, local_date: date) -> datetime:
    """The UTC instant the digest of `local_date` is due."""
    return local_instant(datetime.combine(local_date, schedule.at), schedule.zone)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def due_dates(schedule: Schedule, now: datetime) -> list[date]:
    """Local dates whose digest is due at `now` (oldest first); usually `[]` or `[today]`.

    Today's is due once its instant has passed (however late: a bot down at 09:00 sends it at 11:00).
    Yesterday's is still due only within `GRACE` of its instant, so a missed tick near midnight does
    not lose it, and a long outage never sends yesterday's digest the next day.
    """
    today = local_date(now, schedule.zone)
    found = []
    for day in (today - timedelta(days=1), today):
        instant = scheduled_at(schedule, day)
        if instant < schedule.active_from or instant > now:
            continue
        if day != today and now - instant > GRACE:
            continue
        found.append(day)
    return found


def is_due(schedule: Schedule, now: datetime, last_delivered: date | None) -> bool:
    """True when a digest is due at `now` for a local date after `last_delivered`."""
    return any(last_delivered is None or day > last_delivered for day in due_dates(schedule, now))


def next_digest(
    schedule: Schedule, now: datetime, done: set[date] | frozenset[date] = frozenset()
) -> datetime:
    """The instant of the next digest not in `done`: today's if still to come (or overdue), else later."""
    today = local_date(now, schedule.zone)
    for offset in range(-1, 8):
        day = today + timedelta(days=offset)
        if day in done:
            continue
        instant = scheduled_at(schedule, day)
        if instant < schedule.active_from:
            continue
        if instant < now and day not in due_dates(schedule, now):
            continue
        return instant
    raise AssertionError("a daily schedule always has a digest within a week")


def is_late(scheduled: datetime, sent: datetime) -> bool:
    return sent - scheduled > LATE_AFTER
