"""The digest's Block Kit builder alone: deltas, breakdown, events, notes, validity."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.digest.blocks import FIRST_DIGEST_NOTE, DigestContext, digest_message, notable_events
from bot.partners.models import Earnings
from tests.e2e.blockkit import assert_valid_message

SCHEDULED = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
CONTEXT = DigestContext(ZoneInfo("Europe/Warsaw"), date(2026, 11, 25), SCHEDULED, SCHEDULED)


def earnings(**changes: object) -> Earnings:
    data: dict[str, object] = {
        "balance": 641.5,
        "pending": 0,
        "blocked": 0,
        "withdrawals": 9252.5,
        "commission_total": 9894,
        "commission_last_30_days": 120,
        "affiliate": {
            "commission_total": 4000,
            "commission_last_30_days": 50,
            "livechat": {"commission_total": 3000},
            "chatbot": {"commission_total": 1000},
        },
        "solution": {
            "commission_total": 5894,
            "commission_last_30_days": 70,
            "livechat": {"commission_total": 5894},
        },
    }
    data.update(changes)
    return Earnings.model_validate(data)


def fields_of(message: dict) -> dict[str, str]:
    fields = message["blocks"][1]["fields"]
    return {f["text"].split("\n")[0].strip("*"): f["text"] for f in fields}


def test_first_digest_has_amounts_no_deltas_and_says_so():
    message = digest_message(earnings(), None, CONTEXT, locale="en_US")
    assert_valid_message(message)
    fields = fields_of(message)
    assert fields["Balance"] == "*Balance*\n$641.50"
    assert set(fields) == {
        "Balance",
        "Pending",
        "Commission, last 30 days",
        "Commission total",
        "Withdrawals",
    }
    text = json.dumps(message["blocks"])
    assert FIRST_DIGEST_NOTE in text and "▲" not in text and "▼" not in text
    assert "Since the previous digest" not in text
    assert message["text"] == (
        "Earnings digest for Wednesday 25 November 2026: balance $641.50, pending $0.00, "
        "commission total $9,894.00. This is the first digest here, so there is nothing to compare with yet."
    )


def test_changes_show_arrows_and_exact_amounts():
    previous = earnings()
    current = earnings(balance="741.75", commission_total="9994.25", commission_last_30_days="100")
    message = digest_message(current, previous, CONTEXT, locale="en_US")
    assert_valid_message(message)
    fields = fields_of(message)
    # Each change says what it is measured from, as the fallback sentence does.
    assert fields["Balance"] == "*Balance*\n$741.75 (▲ $100.25 since the last digest)"
    assert fields["Commission, last 30 days"].endswith("$100.00 (▼ $20.00 since the last digest)")
    assert fields["Withdrawals"].endswith(" (no change since the last digest)")
    # The fallback is a sentence read aloud: words, not arrows, and "since" said once.
    assert message["text"] == (
        "Earnings digest for Wednesday 25 November 2026: balance $741.75 (up $100.25 since the last digest), "
        "pending $0.00 (no change), commission total $9,994.25 (up $100.25)."
    )
    assert FIRST_DIGEST_NOTE not in json.dumps(message["blocks"])


def test_program_breakdown_has_per_program_and_product_changes():
    previous = earnings()
    current = earnings(
        commission_total=9994,
        affiliate={
            "commission_total": 4100,
            "commission_last_30_days": 150,
            "livechat": {"commission_total": 3100},
            "chatbot": {"commission_total": 1000},
        },
    )
    message = digest_message(current, previous, CONTEXT, locale="en_US")
    sections = [b for b in message["blocks"] if b["type"] == "section" and "text" in b]
    affiliate = next(s for s in sections if "Affiliate program" in s["text"]["text"])
    assert "total $4,100.00 (▲ $100.00)" in affiliate["text"]["text"]
    products = {f["text"].split("\n")[0]: f["text"] for f in affiliate["fields"]}
    assert products["*LiveChat*"].endswith("$3,100.00 (▲ $100.00)")
    assert products["*ChatBot*"].endswith("$1,000.00")  # unchanged: no arrow
    assert "Commission grew by $100.00, most of it from the Affiliate program." in json.dumps(
        message["blocks"], ensure_ascii=False
    )


def test_notable_events_for_withdrawals_and_commission():
    previous = earnings()
    paid = earnings(withdrawals="9352.5", pending="64.1", commission_total="9800")
    events = notable_events(paid, previous, "en_US")
    assert events == [
        "A withdrawal of $100.00 was paid out.",
        "Pending grew by $64.10 (a new withdrawal request).",
        "Commission went down by $94.00 (a refund or correction).",
    ]
    assert notable_events(previous, previous, "en_US") == []
    assert notable_events(previous, None, "en_US") == []


def test_2018_shape_without_programs_and_with_blocked_money():
    flat = Earnings.model_validate(
        {"balance": 641.5, "commission": 9894, "blocked": 12, "withdrawals": 9252.5, "pending": 0}
    )
    message = digest_message(flat, flat, CONTEXT, locale="en_US")
    assert_valid_message(message)
    assert "Blocked" in fields_of(message)
    assert not any("program" in json.dumps(b) for b in message["blocks"][2:] if b["type"] == "section")


def test_late_note_names_the_scheduled_local_time():
    late = DigestContext(
        CONTEXT.zone, CONTEXT.local_date, SCHEDULED, SCHEDULED + timedelta(hours=2), late=True
    )
    message = digest_message(earnings(), earnings(), late, locale="en_US")
    text = json.dumps(message["blocks"])
    assert "Sent late: this digest was due at 09:00 Europe/Warsaw." in text
    assert "As of 11:00 Europe/Warsaw" in text


def test_money_follows_the_locale():
    message = digest_message(earnings(balance=Decimal("1234.5")), earnings(), CONTEXT, locale="de_DE")
    assert fields_of(message)["Balance"].startswith("*Balance*\n1.234,50\xa0$")
