"""Due/not-due across zones and DST transitions, with a clock stepped minute by minute."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.clock import ManualClock
from bot.digest.schedule import (
    Schedule,
    ScheduleError,
    due_dates,
    is_due,
    is_late,
    next_digest,
    parse_time,
    parse_zone,
    scheduled_at,
)
from bot.timezones import web_address_problem

WARSAW = parse_zone("Europe/Warsaw")
NEW_YORK = parse_zone("America/New_York")
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def simulate(
    schedule: Schedule, start: datetime, end: datetime, step_minutes: int = 1
) -> list[tuple[date, datetime]]:
    """A scheduler ticking every `step_minutes`, delivering whatever is due and not yet delivered."""
    clock = ManualClock(start)
    delivered: dict[date, datetime] = {}
    while clock.now() < end:
        for day in due_dates(schedule, clock.now()):
            if day not in delivered:
                delivered[day] = clock.now()
        clock.advance(minutes=step_minutes)
    return sorted(delivered.items())


@pytest.mark.parametrize(
    ("zone", "transition"),
    [
        (WARSAW, date(2026, 3, 29)),  # spring forward 02:00 → 03:00
        (WARSAW, date(2026, 10, 25)),  # fall back 03:00 → 02:00
        (NEW_YORK, date(2026, 3, 8)),
        (NEW_YORK, date(2026, 11, 1)),
    ],
)
def test_nine_oclock_is_delivered_once_a_day_at_local_nine_across_dst(zone, transition):
    schedule = Schedule(time(9, 0), zone, LONG_AGO)
    start = datetime.combine(transition - timedelta(days=2), time(0), zone).astimezone(UTC)
    end = datetime.combine(transition + timedelta(days=3), time(0), zone).astimezone(UTC)
    deliveries = simulate(schedule, start, end)
    assert [day for day, _ in deliveries] == [transition + timedelta(days=d) for d in range(-2, 3)]
    for day, moment in deliveries:
        local = moment.astimezone(zone)
        assert (local.date(), local.hour, local.minute) == (day, 9, 0)
    # The UTC hour shifts by one across the transition: proof the zone, not a fixed offset, is used.
    assert len({moment.astimezone(UTC).hour for _, moment in deliveries}) == 2


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected_utc"),
    [
        (WARSAW, date(2026, 3, 29), time(2, 30), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # 03:00 CEST
        (NEW_YORK, date(2026, 3, 8), time(2, 30), datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),  # 03:00 EDT
        (WARSAW, date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # first 02:30
        (NEW_YORK, date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),  # first 01:30
    ],
)
def test_skipped_time_goes_out_when_clocks_jump_and_repeated_time_at_first_occurrence(
    zone, day, at, expected_utc
):
    assert scheduled_at(Schedule(at, zone, LONG_AGO), day) == expected_utc


@pytest.mark.parametrize(
    ("zone", "day", "at"),
    [
        (WARSAW, date(2026, 3, 29), time(2, 30)),
        (WARSAW, date(2026, 10, 25), time(2, 30)),
        (NEW_YORK, date(2026, 3, 8), time(2, 15)),
        (NEW_YORK, date(2026, 11, 1), time(1, 30)),
    ],
)
def test_times_inside_the_transition_are_neither_skipped_nor_doubled(zone, day, at):
    schedule = Schedule(at, zone, LONG_AGO)
    start = datetime.combine(day - timedelta(days=1), time(12), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(12), zone).astimezone(UTC)
    deliveries = simulate(schedule, start, end)
    # The first is the day before, sent late at the first tick (noon); then one a day.
    assert [d for d, _ in deliveries] == [day - timedelta(days=1), day, day + timedelta(days=1)]
    assert deliveries[1][1] == scheduled_at(schedule, day)
    assert deliveries[2][1] == scheduled_at(schedule, day + timedelta(days=1))


def test_zones_are_independent_and_each_uses_its_own_date():
    # 23:30 UTC on 24 Nov is already 25 Nov in Warsaw but still 24 Nov in New York.
    now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert due_dates(Schedule(time(0, 15), WARSAW, LONG_AGO), now) == [date(2026, 11, 25)]
    assert due_dates(Schedule(time(18, 0), NEW_YORK, LONG_AGO), now) == [date(2026, 11, 24)]
    assert due_dates(Schedule(time(19, 0), NEW_YORK, LONG_AGO), now) == []


def test_a_bot_down_at_nine_sends_late_at_eleven_but_never_yesterdays():
    schedule = Schedule(time(9, 0), WARSAW, LONG_AGO)
    eleven = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 11:00 CET
    assert due_dates(schedule, eleven) == [date(2026, 11, 25)]
    assert is_late(scheduled_at(schedule, date(2026, 11, 25)), eleven)
    assert not is_late(scheduled_at(schedule, date(2026, 11, 25)), eleven - timedelta(minutes=118))
    # Down all day on the 24th and back at 08:00 on the 25th: the 24th's digest is not sent now.
    assert due_dates(schedule, datetime(2026, 11, 25, 7, 0, tzinfo=UTC)) == []
    assert is_due(schedule, eleven, last_delivered=date(2026, 11, 24))
    assert not is_due(schedule, eleven, last_delivered=date(2026, 11, 25))


def test_a_tick_missed_just_before_midnight_still_sends_that_days_digest():
    schedule = Schedule(time(23, 58), WARSAW, LONG_AGO)
    just_after_midnight = datetime(2026, 11, 25, 23, 5, tzinfo=UTC)  # 00:05 on the 26th in Warsaw
    assert due_dates(schedule, just_after_midnight) == [date(2026, 11, 25)]
    assert due_dates(schedule, just_after_midnight + timedelta(minutes=30)) == []


def test_turning_it_on_after_todays_time_waits_for_tomorrow():
    enabled = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # 10:30 in Warsaw
    schedule = Schedule(time(9, 0), WARSAW, enabled)
    assert due_dates(schedule, enabled + timedelta(minutes=1)) == []
    assert next_digest(schedule, enabled) == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    early = Schedule(time(12, 0), WARSAW, enabled)
    assert next_digest(early, enabled) == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    assert next_digest(early, enabled, {date(2026, 11, 25)}) == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


def test_next_digest_across_spring_forward_is_exact():
    schedule = Schedule(time(9, 0), NEW_YORK, LONG_AGO)
    saturday_noon = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)
    # Saturday's was not delivered yet, so it is the next one (overdue); once done, Sunday 09:00 EDT.
    assert next_digest(schedule, saturday_noon) == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    sunday = next_digest(schedule, saturday_noon, {date(2026, 3, 7)})
    assert sunday == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["9:00", "09:00", "21.30", "7h05", "23:59", "0:00"])
def test_valid_times(text):
    parsed = parse_time(text)
    assert parsed.strftime("%H:%M") == f"{int(text[:-3]):02d}:{text[-2:]}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", time(9)),
        ("09", time(9)),
        ("9am", time(9)),
        ("9 AM", time(9)),
        ("9:30pm", time(21, 30)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("21:00", time(21)),
        ("9.15 p.m.", time(21, 15)),
    ],
)
def test_hours_and_am_pm_times(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "24", "13pm", "9:5", "12:60", "noon", "-1:00", "09:00:00"])
def test_invalid_times_explain_with_an_example(text):
    with pytest.raises(ScheduleError, match=r"HH:MM.*digest on 09:00 Europe/Warsaw"):
        parse_time(text)


@pytest.mark.parametrize(
    "name",
    [
        "Europe/Nowhere",
        "CEST",
        "../etc/passwd",
        "../etc",
        "/etc/localtime",
        "",
        "Europe",
        "x" * 300,
        "Europe/" + "a" * 300,
        "Europe/../Europe/Warsaw",
        "Europe\\Warsaw",
        "Europe/Warsaw\x00",
    ],
)
def test_invalid_zones_explain_with_an_example(name):
    with pytest.raises(ScheduleError, match="Area/City") as raised:
        parse_zone(name)
    assert len(str(raised.value)) < 400  # a 300-character zone is not echoed back whole


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("europe/warsaw", "Europe/Warsaw"),
        ("EUROPE/WARSAW", "Europe/Warsaw"),
        (" Europe/Warsaw ", "Europe/Warsaw"),
        ("america/new_york", "America/New_York"),
        ("utc", "UTC"),
    ],
)
def test_zones_are_found_whatever_their_case(name, zone):
    assert parse_zone(name).key == zone


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("warsaw", "Europe/Warsaw"),
        ("Warsow", "Europe/Warsaw"),
        ("Europe", "Europe/Warsaw"),
        ("new york", "America/New_York"),
        ("Europe/Warzaw", "Europe/Warsaw"),
    ],
)
def test_near_misses_suggest_the_closest_zones(name, suggested):
    with pytest.raises(ScheduleError, match=f"Did you mean .*`{suggested}`"):
        parse_zone(name)


def test_a_digest_turned_back_on_before_todays_time_is_due_today():
    # Auto-disabled at 09:00 Warsaw (today's row is `disabled`), then turned on again at 10:00 for 12:00.
    on_again = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Warsaw
    schedule = Schedule(time(12, 0), WARSAW, on_again)
    assert next_digest(schedule, on_again) == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    assert due_dates(schedule, datetime(2026, 11, 25, 11, 0, tzinfo=UTC)) == [date(2026, 11, 25)]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("http://x", "`x` is not a full site name"),
        ("https://example.", "`example.` is not a full site name"),
        ("ftp://example.com", "must start with http:// or https://"),
        ("example.com/offer", "must start with http:// or https://"),
        ("https://", "no site name"),
        ("https://exa mple.com", "without spaces"),
    ],
)
def test_landing_pages_get_a_precise_message(text, problem):
    found = web_address_problem(text)
    assert found is not None and problem in found


def test_a_good_landing_page_passes():
    assert web_address_problem("https://example.com/offer?a=1") is None


def test_long_words_are_echoed_cut_with_an_ellipsis():
    with pytest.raises(ScheduleError) as bad_time:
        parse_time("9" * 300)
    assert str(bad_time.value).startswith("`" + "9" * 39 + "…` is not a time of day.")
    with pytest.raises(ScheduleError) as bad_zone:
        parse_zone("x" * 300)
    assert str(bad_zone.value).startswith("`" + "x" * 39 + "…` is not a time zone I know.")
    problem = web_address_problem("https://" + "h" * 300)
    assert problem is not None and problem.startswith("`" + "h" * 79 + "…` is not a full site name")
