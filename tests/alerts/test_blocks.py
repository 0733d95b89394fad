"""Alert builders and the typed readings, alone (no Slack, no network)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.alerts.blocks import (
    SUBSCRIBE_ACTION_PREFIX,
    alert_message,
    ends_phrase,
    lapsed_notice,
    settled_message,
)
from bot.alerts.runner import outcome_for, threshold_for
from bot.alerts.store import Alert, ChannelAlerts, Run
from bot.partners.models import License
from bot.partners.reports import Withdrawal
from handlers.alerts import parse_days
from handlers.alerts_blocks import status_text
from handlers.subscribe_views import OPEN_ACTION_PREFIX
from tests.e2e.blockkit import assert_valid_message
from tests.paths import EXAMPLES

EXAMPLES = EXAMPLES
WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # Wednesday, 08:00 in Warsaw


def alert(**changes) -> Alert:
    values = dict(
        id=1, channel_id="C1", license_id="104130623", threshold=3, product="livechat",
        client_name="Joe *Doe* <Ltd>", plan="team", ends_at=NOW + timedelta(days=2), state="sent",
        claimed_by="me", claimed_at=NOW, attempts=1, message_ts="1.2", outcome=None, outcome_by=None,
    )  # fmt: skip
    values.update(changes)
    return Alert(**values)


def test_the_button_is_the_one_subscribe_listens_to():
    assert SUBSCRIBE_ACTION_PREFIX == OPEN_ACTION_PREFIX


def test_ends_phrase_in_the_channel_zone():
    friday = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 09:00 in Warsaw
    assert ends_phrase(friday, NOW, WARSAW) == "in 2 days, Friday 09:00"
    assert ends_phrase(friday, friday - timedelta(hours=20), WARSAW) == "tomorrow, Friday 09:00"
    assert ends_phrase(friday, friday - timedelta(hours=3), WARSAW) == "today, 09:00"
    assert ends_phrase(friday, NOW, ZoneInfo("America/New_York")) == "in 2 days, Friday 03:00"
    assert ends_phrase(friday, friday + timedelta(minutes=1), WARSAW).startswith("ended Friday 27 November")
    assert ends_phrase(NOW + timedelta(days=9), NOW, WARSAW) == "in 9 days, Friday 04 December 08:00"


def test_alert_message_is_valid_escaped_and_carries_the_license():
    message = alert_message(alert(), NOW, WARSAW)
    assert_valid_message(message)
    section = message["blocks"][0]
    assert "&lt;Ltd&gt;" in section["text"]["text"] and "<Ltd>" not in section["text"]["text"]
    assert "Team plan" in section["text"]["text"] and "in 2 days, Friday 08:00" in section["text"]["text"]
    assert section["accessory"]["value"] == "104130623"
    assert section["accessory"]["action_id"] == OPEN_ACTION_PREFIX + "104130623"
    assert "plan" not in str(alert_message(alert(plan=None), NOW, WARSAW)["blocks"][0]["text"]).lower()


def test_settled_and_lapsed_messages_have_no_button():
    for outcome in ("subscribed", "lapsed", "gone", "client_paid"):
        message = settled_message(alert(), outcome, WARSAW, by="U1")
        assert_valid_message(message)
        assert all("accessory" not in b for b in message["blocks"])
    assert "Subscribed by <@U1>" in str(settled_message(alert(), "subscribed", WARSAW, by="U1")["blocks"])
    notice = lapsed_notice(alert(), WARSAW)
    assert_valid_message(notice)
    assert "without a subscription" in notice["text"]


def test_documented_license_list_parses_with_utc_trial_ends():
    body = json.loads((EXAMPLES / "get-solution-licenses.json").read_text())
    facts = [License.model_validate(row) for row in body["result"]]
    trial, paid = facts
    assert trial.partner_trial and trial.end_timestamp == datetime(2023, 6, 14, 12, 39, 40, tzinfo=UTC)
    assert not paid.partner_trial and paid.has_subscription and paid.payment_origin == "client"


def test_documented_withdrawals_parse_with_empty_action_timestamp():
    body = json.loads((EXAMPLES / "get-withdrawals.json").read_text())
    pending, done = [Withdrawal.model_validate(row) for row in body["result"]]
    assert (pending.withdrawal_id, pending.amount, pending.action_timestamp) == (2, Decimal("1520"), None)
    assert done.amount == Decimal("1063.3") and done.action_timestamp is not None
    assert done.action_timestamp == datetime(2018, 2, 2, 12, 4, 11, tzinfo=UTC)  # UTC, not the host's zone


def fact(**changes) -> License:
    values = {
        "license": "1",
        "product": "livechat",
        "payment_origin": "partner",
        "status": "trial",
        "end_timestamp": NOW + timedelta(days=2),
    }
    values.update(changes)
    return License.model_validate(values)


def test_thresholds_and_outcomes():
    assert threshold_for(fact(), 3, NOW) == 3
    assert threshold_for(fact(), 1, NOW) is None
    assert threshold_for(fact(end_timestamp=NOW + timedelta(hours=5)), 3, NOW) == 1
    assert threshold_for(fact(end_timestamp=NOW + timedelta(days=4)), 3, NOW) is None
    assert threshold_for(fact(payment_origin="client"), 3, NOW) is None
    assert threshold_for(fact(end_timestamp=NOW - timedelta(hours=1)), 3, NOW) is None
    assert outcome_for(alert(), None, NOW) == "gone"
    assert outcome_for(alert(), fact(paid=True), NOW) == "subscribed"
    assert outcome_for(alert(), fact(payment_origin="client"), NOW) == "client_paid"
    assert outcome_for(alert(), fact(status="expired"), NOW) == "lapsed"
    assert outcome_for(alert(), fact(), NOW) is None


def test_days_must_be_a_whole_number_from_1_to_30():
    assert parse_days([]) == 3 and parse_days(["1"]) == 1 and parse_days(["30"]) == 30
    for bad in (["0"], ["31"], ["-2"], ["two"], ["3", "4"], ["2.5"]):
        assert parse_days(bad) is None


def test_status_text_says_what_failed_and_when_it_retries():
    setting = ChannelAlerts("C1", 3, "Europe/Warsaw", True, "U1", NOW, None)
    failed = Run(
        1, "C1", NOW.date(), "failed", "me", NOW, 1, "Partners API down", NOW + timedelta(minutes=2), NOW
    )
    text = status_text(setting, failed, 2, NOW)
    assert "failed: Partners API down" in text and "Retrying at 08:02" in text and "2 alerts waiting" in text
    assert "not set up" in status_text(None, None, 0, NOW)
    off = ChannelAlerts("C1", 3, "UTC", False, "U1", NOW, "Slack refused to post (is_archived)")
    assert "*off*" in status_text(off, None, 0, NOW) and "is_archived" in status_text(off, None, 0, NOW)
