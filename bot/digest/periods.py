"""Weekly and monthly digests: which local dates they fall on, when they are due, what they cover.

A digest's *occurrence* is the local date it is scheduled on (every day; a weekday each week; a day
of each month, clamped to the month's last day, so "31" means the 30th in April and the 28th or
29th in February). The occurrence date keys the delivery claim, exactly as the daily digest's
date does, so each channel gets one digest per period whatever the number of replicas.

Due logic mirrors `bot.digest.schedule.due_dates`: the latest occurrence is due once its instant
has passed, however late (until the next occurrence replaces it); the one before only within
`GRACE`. Instants come from `scheduled_at`, so DST gaps and repeats are handled the same way.

An occurrence *covers* the local days from the previous occurrence up to the day before it (a
Monday weekly digest covers Monday to Sunday of the week before; a monthly digest on the 1st, the
previous calendar month), and is compared with the period before that.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.digest.schedule import GRACE, Schedule, ScheduleError, local_date, local_instant, scheduled_at

Period = Literal["daily", "weekly", "monthly"]
PERIODS: tuple[Period, ...] = ("daily", "weekly", "monthly")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PERIOD_EXAMPLE = (
    "`/earnings digest on weekly Mon 09:00 Europe/Warsaw` or `/earnings digest on monthly 1 09:00`"
)


@dataclass(frozen=True)
class Cadence:
    period: Period = "daily"
    weekday: int = 0  # weekly: 0 = Monday
    day: int = 1  # monthly: 1-31

    def describe(self) -> str:
        if self.period == "weekly":
            return f"every {WEEKDAYS[self.weekday].capitalize()}"
        if self.period == "monthly":
            return f"on day {self.day} of every month" + (
                " (or the month's last day)" if self.day > 28 else ""
            )
        return "every day"

    @property
    def noun(self) -> str:
        return {"daily": "day", "weekly": "week", "monthly": "month"}[self.period]


DAILY = Cadence()


def parse_weekday(text: str) -> int | None:
    """`Mon`, `monday`, `TUE` → 0, 0, 1; None for anything else (3+ letters of a day's name)."""
    word = text.strip().lower()
    if len(word) < 3:
        return None
    for index, name in enumerate(WEEKDAYS):
        if name.startswith(word):
            return index
    return None


def parse_cadence(words: list[str]) -> tuple[Cadence, list[str]]:
    """`["weekly", "Mon", "09:00", ...]` → (weekly on Monday, the remaining words); the period word
    must come first; raises `ScheduleError` for a bad weekday or day of the month."""
    if not words or words[0].lower() not in PERIODS:
        return DAILY, words
    period: Period = words[0].lower()  # type: ignore[assignment]
    rest = words[1:]
    if period == "weekly":
        weekday = 0
        if rest and rest[0][:1].isalpha() and "/" not in rest[0] and rest[0].upper() != "UTC":
            found = parse_weekday(rest[0])
            if found is None:
                raise ScheduleError(
                    f"`{rest[0]}` is not a day of the week. Use Mon … Sun, for example {PERIOD_EXAMPLE}."
                )
            weekday, rest = found, rest[1:]
        return Cadence("weekly", weekday=weekday), rest
    if period == "monthly":
        day = 1
        if rest and rest[0].isdigit():
            day = int(rest[0])
            if not 1 <= day <= 31:
                raise ScheduleError(
                    f"`{rest[0]}` is not a day of the month. Use 1 to 31, for example {PERIOD_EXAMPLE}."
                )
            rest = rest[1:]
        return Cadence("monthly", day=day), rest
    return DAILY, rest


def _month_occurrence(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def latest_on_or_before(cadence: Cadence, day: date) -> date:
    """The occurrence on `day` or the last one before it."""
    if cadence.period == "weekly":
        return day - timedelta(days=(day.weekday() - cadence.weekday) % 7)
    if cadence.period == "monthly":
        found = _month_occurrence(day.year, day.month, cadence.day)
        if found > day:
            found = _month_occurrence(*_shift_month(day.year, day.month, -1), cadence.day)
        return found
    return day


def shift(cadence: Cadence, occurrence: date, by: int) -> date:
    """The occurrence `by` periods after (or, negative, before) `occurrence`."""
    if cadence.period == "weekly":
        return occurrence + timedelta(days=7 * by)
    if cadence.period == "monthly":
        return _month_occurrence(*_shift_month(occurrence.year, occurrence.month, by), cadence.day)
    return occurrence + timedelta(days=by)


def due_dates(cadence: Cadence, schedule: Schedule, now: datetime) -> list[date]:
    """Occurrences whose digest is due at `now`, oldest first; for daily, `schedule.due_dates`."""
    latest = latest_on_or_before(cadence, local_date(now, schedule.zone))
    found = []
    for day in (shift(cadence, latest, -1), latest):
        instant = scheduled_at(schedule, day)
        if instant < schedule.active_from or instant > now:
            continue
        if day != latest and now - instant > GRACE:
            continue
        found.append(day)
    return found


def next_digest(
    cadence: Cadence, schedule: Schedule, now: datetime, done: set[date] | frozenset[date] = frozenset()
) -> datetime:
    """The instant of the next digest not in `done` (an overdue one counts as next)."""
    latest = latest_on_or_before(cadence, local_date(now, schedule.zone))
    due = due_dates(cadence, schedule, now)
    for offset in range(-1, 4):
        day = shift(cadence, latest, offset)
        instant = scheduled_at(schedule, day)
        if day in done or instant < schedule.active_from or (instant < now and day not in due):
            continue
        return instant
    raise AssertionError("a schedule always has a digest within a few periods")


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant a local day starts (DST-safe: a midnight skipped by DST is its first instant)."""
    return local_instant(datetime.combine(day, time(0)), zone)


@dataclass(frozen=True)
class Covered:
    """The local days a digest covers, as UTC instants [start, end), and the period before them."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime
    previous_start: datetime


def covered(cadence: Cadence, occurrence: date, zone: ZoneInfo) -> Covered:
    previous = shift(cadence, occurrence, -1)
    before = shift(cadence, occurrence, -2)
    return Covered(
        previous,
        occurrence - timedelta(days=1),
        local_midnight(previous, zone),
        local_midnight(occurrence, zone),
        local_midnight(before, zone),
    )
