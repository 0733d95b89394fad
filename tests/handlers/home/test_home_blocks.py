"""The Home tab builders alone: sections, admin-only buttons, limits with 200 licenses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.access import NOT_ALLOWED
from bot.alerts.store import ChannelAlerts
from bot.digest.store import ChannelDigest
from bot.partners.models import Earnings, License
from bot.partners.reports import Withdrawal
from handlers.home_blocks import (
    MAX_TRIALS,
    HomeData,
    Snapshot,
    home_view,
    no_access_view,
    placeholder_view,
    upcoming_trials,
)
from tests.e2e.blockkit import assert_valid_view

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
EARNINGS = Earnings.model_validate(
    {"balance": "16519.12", "pending": 400, "commission_total": 26171.12, "commission_last_30_days": 1540.4}
)


def trial(i: int, days: float = 2) -> License:
    return License.model_validate(
        {
            "license": str(1000 + i),
            "product": "livechat",
            "client_name": f"Client <{i}>",
            "payment_origin": "partner",
            "status": "trial",
            "end_timestamp": NOW + timedelta(days=days, minutes=i),
        }
    )


def data(**changes) -> HomeData:
    values = dict(
        now=NOW,
        zone=ZoneInfo("Europe/Warsaw"),
        earnings=EARNINGS,
        trials=[trial(1), trial(2, days=5)],
        active_campaigns=3,
        withdrawals=[
            Withdrawal.model_validate(
                {
                    "withdrawal_id": 2,
                    "request_timestamp": "2026-11-01 10:00:00",
                    "status": "pending",
                    "amount": 1520,
                }
            )
        ],
        digests=[ChannelDigest("C1", "09:00", "Europe/Warsaw", True, "U1", NOW, None, NOW, NOW)],
        alerts=[ChannelAlerts("C2", 3, "Europe/Warsaw", True, "U1", NOW, None)],
    )
    values.update(changes)
    return HomeData(**values)


def headers(view) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


def action_ids(view) -> list[str]:
    found = []
    for block in view["blocks"]:
        if "accessory" in block:
            found.append(block["accessory"]["action_id"])
        found.extend(e["action_id"] for e in block.get("elements", []) if "action_id" in e)
    return found


def test_admin_home_has_every_section_and_subscribe_buttons():
    view = home_view(data(), is_admin=True)
    assert_valid_view(view)
    assert view["type"] == "home"
    assert headers(view) == [
        "Partners Bot",
        "Money",
        "Trials ending soon",
        "Campaigns",
        "Schedules",
        "Recent withdrawals",
    ]
    text = str(view["blocks"])
    for expected in ("$16,519.12", "$400.00", "$1,540.40", "$26,171.12", "Client &lt;1&gt;", "in 2 days"):
        assert expected in text
    assert "*3* active" in text and "<#C1> at 09:00 Europe/Warsaw" in text and "<#C2>, 3 days ahead" in text
    assert "01 Nov 2026 · *$1,520.00* · pending" in text
    assert action_ids(view) == [
        "home_refresh",
        "subscribe_open:1001",
        "subscribe_open:1002",
        "home_new_campaign",
    ]


def test_non_admin_home_has_no_money_moving_buttons():
    view = home_view(data(), is_admin=False)
    assert_valid_view(view)
    assert not any(a.startswith("subscribe_open:") for a in action_ids(view))
    assert "Only admins can create subscriptions." in str(view["blocks"])


def test_deltas_since_the_earlier_snapshot():
    before = Earnings.model_validate({"balance": "16000", "pending": 500, "commission_total": 26171.12})
    view = home_view(data(previous=Snapshot(before, NOW - timedelta(days=1))), is_admin=True)
    text = str(view["blocks"])
    assert "▲ $519.12" in text and "▼ $100.00" in text and "no change" in text
    assert "digest snapshot of Tuesday 24 November" in text


def test_200_trials_stay_within_limits_and_the_rest_is_summarised():
    trials = upcoming_trials([trial(i, days=1 + i / 20) for i in range(200)], NOW)
    assert len(trials) == 200
    view = home_view(data(trials=trials), is_admin=True)
    assert_valid_view(view)
    assert len(view["blocks"]) <= 100
    assert sum(a.startswith("subscribe_open:") for a in action_ids(view)) == MAX_TRIALS
    assert f"…and {200 - MAX_TRIALS} more in the next 14 days" in str(view["blocks"])
    assert len(set(action_ids(view))) == len(action_ids(view))


def test_upcoming_trials_keeps_partner_trials_of_the_next_14_days_soonest_first():
    later, sooner = trial(1, days=10), trial(2, days=1)
    past, far = trial(3, days=-1), trial(4, days=15)
    client_paid = License.model_validate({**trial(5).model_dump(), "payment_origin": "client"})
    assert upcoming_trials([later, past, far, client_paid, sooner], NOW) == [sooner, later]


def test_failed_sources_say_so_and_the_rest_still_shows():
    view = home_view(
        data(earnings=None, earnings_error="LiveChat is down.", trials=None, trials_error="No licenses."),
        is_admin=True,
    )
    assert_valid_view(view)
    text = str(view["blocks"])
    assert "LiveChat is down." in text and "No licenses." in text and "*3* active" in text


def test_outsider_and_placeholder_views():
    outsider = no_access_view()
    assert_valid_view(outsider)
    assert [b["text"]["text"] for b in outsider["blocks"]] == [NOT_ALLOWED]
    assert_valid_view(placeholder_view())
    assert "Loading" in str(placeholder_view()["blocks"])
