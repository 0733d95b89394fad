"""Weekly and monthly digests through the real runner, the sandbox and the Slack stand-in."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.digest.period_store import PeriodStore
from bot.digest.periods import Cadence
from bot.digest.store import DigestStore
from bot.money import format_money
from bot.offline.sandbox.reports import REPORTS_STATE, commission_items
from tests.digest.runners import runner_for
from tests.e2e.blockkit import assert_valid_message

WARSAW = "Europe/Warsaw"
REPORT = "/v2/partners/reports/commission"
MONTHLY = {"2026-09": 2790.0, "2026-10": 3100.0, "2026-11": 3000.0, "2026-12": 3720.0}


@pytest.fixture
async def deps(make_services, tmp_path, clock, fakes):
    fakes.sandbox.runner.app[REPORTS_STATE].monthly = dict(MONTHLY)
    return await make_services(f"sqlite+aiosqlite:///{tmp_path}/digest.db", clock)


async def enable(deps, cadence: Cadence, channel: str = "C_GENERAL", at: str = "09:00") -> None:
    await DigestStore(deps.db, deps.clock).enable(channel, at, WARSAW, "U_ADMIN")
    await PeriodStore(deps.db, deps.clock).set(channel, cadence)


def posted(fakes, channel: str = "C_GENERAL") -> list[dict]:
    return fakes.standin.state.messages(channel)


def reported_total(fakes, call) -> Decimal:
    """What the sandbox answered for one recorded report call, summed (the bot's figure must match)."""
    start = datetime.strptime(call.query["date_from"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    end = datetime.strptime(call.query["date_to"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    items = commission_items(MONTHLY, start, end, call.query["aggregation"])
    return sum((Decimal(str(i["total"])) for i in items), Decimal(0))


async def test_weekly_digest_once_per_week_with_the_weeks_commission_vs_the_week_before(deps, fakes, clock):
    await enable(deps, Cadence("weekly", weekday=0))
    runner = runner_for(deps)
    assert (await runner.run_once()).due == 0  # Wednesday: the next one is Monday
    clock.set(datetime(2026, 11, 30, 8, 1, tzinfo=UTC))  # Monday 30 Nov, 09:01 in Warsaw
    report = await runner.run_once()
    assert report.sent == ["C_GENERAL"]
    (message,) = posted(fakes)
    assert_valid_message(message)
    assert message["blocks"][0]["text"]["text"] == "Weekly earnings · week of 23 Nov – 29 Nov 2026"
    calls = fakes.sandbox.state.calls_to("GET", REPORT)
    assert {c.query["aggregation"] for c in calls} == {"week"}
    # This week is 23-29 Nov in Warsaw: from Sunday 23:00 UTC to the second before Sunday 23:00 UTC.
    this = next(c for c in calls if c.query["date_from"] == "2026-11-22T23:00:00Z")
    assert this.query["date_to"] == "2026-11-29T22:59:59Z"
    before = next(c for c in calls if c.query["date_from"] == "2026-11-15T23:00:00Z")
    section = message["blocks"][1]["text"]["text"]
    assert format_money(reported_total(fakes, this)) in section
    assert f"vs the week before ({format_money(reported_total(fakes, before))})" in section
    assert "Commission this week" in section

    for hours in (1, 24, 24 * 5):  # later that day, the next day, Saturday: nothing more
        clock.advance(hours=hours)
        assert (await runner.run_once()).sent == []
    clock.set(datetime(2026, 12, 7, 8, 5, tzinfo=UTC))  # the next Monday
    assert (await runner.run_once()).sent == ["C_GENERAL"]
    assert posted(fakes)[-1]["blocks"][0]["text"]["text"] == "Weekly earnings · week of 30 Nov – 6 Dec 2026"
    assert len(posted(fakes)) == 2


async def test_monthly_digest_on_the_first_covers_the_previous_month_and_late_is_marked(deps, fakes, clock):
    await enable(deps, Cadence("monthly", day=1))
    runner = runner_for(deps)
    clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # the bot was down on the 1st: a day late
    assert (await runner.run_once()).sent == ["C_GENERAL"]
    (message,) = posted(fakes)
    assert message["blocks"][0]["text"]["text"] == "Monthly earnings · November 2026"
    text = json.dumps(message["blocks"], ensure_ascii=False)
    assert "Sent late: this digest was due at 09:00 Europe/Warsaw" in text
    section = message["blocks"][1]["text"]["text"]
    assert "Commission this month" in section and "vs the month before" in section
    assert {c.query["aggregation"] for c in fakes.sandbox.state.calls_to("GET", REPORT)} == {"month"}
    clock.set(datetime(2026, 12, 20, 8, 0, tzinfo=UTC))
    assert (await runner.run_once()).sent == []


async def test_two_replicas_send_one_weekly_digest(make_services, tmp_path, clock, fakes):
    url = f"sqlite+aiosqlite:///{tmp_path}/shared.db"
    one, two = await make_services(url, clock), await make_services(url, clock)
    await enable(one, Cadence("weekly", weekday=0))
    clock.set(datetime(2026, 11, 30, 8, 1, tzinfo=UTC))
    reports = await asyncio.gather(runner_for(one).run_once(), runner_for(two).run_once())
    assert sum(len(r.sent) for r in reports) == 1
    assert len(posted(fakes)) == 1


async def test_daily_digest_mentions_a_payout_paid_since_the_previous_digest(deps, fakes, clock):
    await enable(deps, Cadence())  # daily
    runner = runner_for(deps)
    clock.set(datetime(2026, 11, 25, 8, 1, tzinfo=UTC))
    assert (await runner.run_once()).sent == ["C_GENERAL"]
    pending = next(w for w in fakes.sandbox.state.withdrawals if w["status"] == "pending")
    pending.update(status="paid", action_timestamp="2026-11-25 15:30:00")
    clock.set(datetime(2026, 11, 26, 8, 1, tzinfo=UTC))
    assert (await runner.run_once()).sent == ["C_GENERAL"]
    text = json.dumps(posted(fakes)[-1]["blocks"], ensure_ascii=False)
    assert f"Payout #{pending['withdrawal_id']} of $400.00 was paid on 2026-11-25" in text
    assert "16:30" in text  # 15:30 UTC shown in the channel's zone (CET)
    clock.set(datetime(2026, 11, 27, 8, 1, tzinfo=UTC))
    assert (await runner.run_once()).sent == ["C_GENERAL"]
    assert "Payout #" not in json.dumps(posted(fakes)[-1]["blocks"], ensure_ascii=False)  # mentioned once
