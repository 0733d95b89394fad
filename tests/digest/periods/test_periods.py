"""Weekly and monthly due dates, across DST changes, month ends and the grace window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.digest import schedule as daily
from bot.digest.periods import (
    DAILY,
    Cadence,
    covered,
    due_dates,
    latest_on_or_before,
    next_digest,
    parse_cadence,
    shift,
)
from bot.digest.schedule import Schedule, ScheduleError

WARSAW = ZoneInfo("Europe/Warsaw")
NEW_YORK = ZoneInfo("America/New_York")
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
WEEKLY_SUN = Cadence("weekly", weekday=6)
MONTHLY_31 = Cadence("monthly", day=31)


def at(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone).astimezone(UTC)


def test_weekly_on_the_spring_forward_sunday_at_a_time_that_does_not_exist():
    # Warsaw springs forward on Sunday 29 March 2026 at 02:00 → 03:00; 02:30 does not exist that day.
    s = Schedule(time(2, 30), WARSAW, LONG_AGO)
    assert due_dates(WEEKLY_SUN, s, at(WARSAW, 2026, 3, 29, 1, 59)) == []
    jump = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST, the first instant after the gap
    assert daily.scheduled_at(s, date(2026, 3, 29)) == jump
    assert due_dates(WEEKLY_SUN, s, jump) == [date(2026, 3, 29)]
    # The week before and after are at 02:30 local, one hour apart in UTC (CET vs CEST).
    saturday = at(WARSAW, 2026, 3, 28, 12, 0)
    # Until it is sent, the week's digest stays due (however late); once sent, the next is the jump.
    assert next_digest(WEEKLY_SUN, s, saturday) == datetime(2026, 3, 22, 1, 30, tzinfo=UTC)
    assert next_digest(WEEKLY_SUN, s, saturday, {date(2026, 3, 22)}) == jump
    assert next_digest(WEEKLY_SUN, s, jump + timedelta(minutes=1), {date(2026, 3, 29)}) == datetime(
        2026, 4, 5, 0, 30, tzinfo=UTC
    )


def test_weekly_on_the_fall_back_sunday_is_due_once_at_the_first_occurrence():
    # Warsaw falls back on Sunday 25 October 2026: 02:30 happens twice (CEST, then CET).
    s = Schedule(time(2, 30), WARSAW, LONG_AGO)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert daily.scheduled_at(s, date(2026, 10, 25)) == first
    assert due_dates(WEEKLY_SUN, s, first - timedelta(seconds=1)) == []
    assert due_dates(WEEKLY_SUN, s, first) == [date(2026, 10, 25)]
    # An hour later the wall clock shows 02:30 again: still the same (one) occurrence.
    assert due_dates(WEEKLY_SUN, s, first + timedelta(hours=1)) == [date(2026, 10, 25)]


def test_weekly_due_however_late_within_the_week_but_the_previous_only_within_grace():
    s = Schedule(time(9, 0), NEW_YORK, LONG_AGO)
    monday = Cadence("weekly", weekday=0)
    due = at(NEW_YORK, 2026, 11, 2, 9, 0)  # Monday, the day after New York falls back (EST)
    assert due == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert due_dates(monday, s, due + timedelta(days=3)) == [date(2026, 11, 2)]  # Thursday: late
    assert due_dates(monday, s, due + timedelta(days=6, hours=9)) == [date(2026, 11, 2)]  # Sun 23:00
    # Once the next occurrence's day has begun, the missed one is dropped (as yesterday's daily is).
    assert due_dates(monday, s, due + timedelta(days=6, hours=23)) == []
    # A Sunday 23:58 digest missed at midnight is still this week's (late) digest on Monday...
    late_night = Schedule(time(23, 58), NEW_YORK, LONG_AGO)
    sunday = at(NEW_YORK, 2026, 11, 8, 23, 58)
    assert due_dates(WEEKLY_SUN, late_night, sunday + timedelta(hours=10)) == [date(2026, 11, 8)]
    assert daily.is_late(sunday, sunday + timedelta(hours=10))
    # ...but never once the next Sunday has begun.
    assert due_dates(WEEKLY_SUN, late_night, at(NEW_YORK, 2026, 11, 15, 0, 5)) == []


def test_monthly_on_the_31st_falls_on_each_months_last_day():
    assert [shift(MONTHLY_31, date(2026, 1, 31), n) for n in range(4)] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert latest_on_or_before(MONTHLY_31, date(2028, 2, 29)) == date(2028, 2, 29)  # leap year
    assert latest_on_or_before(Cadence("monthly", day=1), date(2026, 1, 15)) == date(2026, 1, 1)
    assert latest_on_or_before(Cadence("monthly", day=20), date(2026, 1, 15)) == date(2025, 12, 20)


def test_monthly_across_dst_keeps_the_local_time():
    s = Schedule(time(9, 0), WARSAW, LONG_AGO)
    first = Cadence("monthly", day=1)
    march, april = at(WARSAW, 2026, 3, 1, 9, 0), at(WARSAW, 2026, 4, 1, 9, 0)
    assert (march.hour, april.hour) == (8, 7)  # CET then CEST: the same 09:00 in Warsaw
    assert next_digest(first, s, march + timedelta(minutes=1), {date(2026, 3, 1)}) == april
    assert due_dates(first, s, april) == [date(2026, 4, 1)]
    assert due_dates(first, s, april - timedelta(seconds=1)) == []


def test_nothing_scheduled_before_active_from_is_due():
    now = at(WARSAW, 2026, 6, 3, 12, 0)  # a Wednesday; the Monday digest already passed
    s = Schedule(time(9, 0), WARSAW, now - timedelta(minutes=1))
    assert due_dates(Cadence("weekly"), s, now) == []
    assert next_digest(Cadence("weekly"), s, now) == at(WARSAW, 2026, 6, 8, 9, 0)


@pytest.mark.parametrize("hours", range(0, 72, 5))
def test_daily_cadence_matches_the_daily_schedule(hours):
    s = Schedule(time(23, 58), WARSAW, LONG_AGO)
    now = at(WARSAW, 2026, 3, 28, 0, 0) + timedelta(hours=hours)
    assert due_dates(DAILY, s, now) == daily.due_dates(s, now)


def test_a_week_covers_the_seven_local_days_before_it_even_across_dst():
    span = covered(Cadence("weekly"), date(2026, 3, 30), WARSAW)  # Monday after the spring change
    assert (span.first_day, span.last_day) == (date(2026, 3, 23), date(2026, 3, 29))
    assert span.start == datetime(2026, 3, 22, 23, 0, tzinfo=UTC)  # midnight CET
    assert span.end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # midnight CEST
    assert span.end - span.start == timedelta(days=7, hours=-1)
    assert span.previous_start == datetime(2026, 3, 15, 23, 0, tzinfo=UTC)
    month = covered(Cadence("monthly", day=1), date(2026, 3, 1), WARSAW)
    assert (month.first_day, month.last_day) == (date(2026, 2, 1), date(2026, 2, 28))


def test_parse_cadence():
    assert parse_cadence(["weekly"]) == (Cadence("weekly", weekday=0), [])
    assert parse_cadence(["weekly", "fri", "17:00", "Europe/Warsaw"]) == (
        Cadence("weekly", weekday=4),
        ["17:00", "Europe/Warsaw"],
    )
    assert parse_cadence(["weekly", "Europe/Warsaw"]) == (Cadence("weekly"), ["Europe/Warsaw"])
    assert parse_cadence(["monthly", "15", "08:30"]) == (Cadence("monthly", day=15), ["08:30"])
    assert parse_cadence(["monthly", "08:30"]) == (Cadence("monthly", day=1), ["08:30"])
    assert parse_cadence(["09:00"]) == (DAILY, ["09:00"])
    with pytest.raises(ScheduleError, match="day of the week"):
        parse_cadence(["weekly", "Funday"])
    with pytest.raises(ScheduleError, match="day of the month"):
        parse_cadence(["monthly", "32"])
