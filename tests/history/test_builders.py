"""The pure builders on their own: history lines and bars, the payout prompt, the payouts list."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.history.months import MonthsError, build_history, parse_months
from bot.partners.reports import Balance, CommissionPeriod, Withdrawal
from handlers.history_blocks import bar, chart_alt_text, history_message
from handlers.withdraw_blocks import parse_confirm_value, withdraw_message, withdrawals_message
from tests.e2e.blockkit import assert_valid_message
from tests.history.examples import example

NOW = datetime(2023, 3, 15, 12, 0, tzinfo=UTC)


def documented_history(months: int = 6):
    periods = [CommissionPeriod.model_validate(i) for i in example("get-commission-report.json")["items"]]
    return build_history(periods, NOW, months)


def test_history_from_the_documented_report_fills_gaps_and_marks_the_running_month():
    history = documented_history()
    assert [m.month.isoformat()[:7] for m in history.months] == [
        "2022-10",
        "2022-11",
        "2022-12",
        "2023-01",
        "2023-02",
        "2023-03",
    ]
    assert [m.commission for m in history.months] == [
        None,
        None,
        Decimal("6326.39"),
        Decimal("4949.1"),
        Decimal("7824.5"),
        None,
    ]
    assert history.months[3].change == Decimal("-1377.29") and history.months[0].change is None
    assert history.total == Decimal("19099.99") and history.best.month.month == 2
    assert history.months[-1].current and not history.months[-2].current
    message = history_message(history, locale="en_US")
    assert_valid_message(message)
    assert "no commission" in message["blocks"][1]["text"]["text"]
    assert "Feb 2023" in chart_alt_text(history, "en_US")


def test_bar_scales_in_eighths_and_is_empty_for_nothing():
    assert bar(Decimal(100), Decimal(100)) == "█" * 12
    assert bar(Decimal(50), Decimal(100)) == "█" * 6
    assert bar(Decimal(1), Decimal(100)) == "▏"
    assert bar(Decimal(0), Decimal(100)) == "" and bar(Decimal(5), Decimal(0)) == ""


def test_history_in_another_locale_formats_money_with_babel():
    message = history_message(documented_history(), locale="de_DE")
    assert "7.824,50" in json.dumps(message["blocks"], ensure_ascii=False)


@pytest.mark.parametrize("words", [["2"], ["25"], ["six"], ["6", "weeks"], ["1", "2", "3"]])
def test_month_counts_outside_3_to_24_are_refused(words):
    with pytest.raises(MonthsError):
        parse_months(words)


def test_month_counts_accepted():
    assert parse_months([]) == 6 and parse_months(["24"]) == 24 and parse_months(["12", "months"]) == 12


def test_withdraw_prompt_names_the_amount_and_its_button_round_trips():
    balance = Balance.model_validate(example("get-balance.json"))
    message = withdraw_message(balance, "req-1", locale="en_US")
    assert_valid_message(message)
    button = message["blocks"][-1]["elements"][0]
    assert button["text"]["text"] == "Confirm $362.00"
    assert parse_confirm_value(button["value"]) == ("req-1", Decimal("362.0"))
    for forged in (
        "",
        "{}",
        '{"request_id": "x", "amount": "-5"}',
        '{"request_id": "x", "amount": "NaN"}',
        "[1]",
    ):
        assert parse_confirm_value(forged) is None


def test_payouts_list_shows_local_times_and_escapes_api_text():
    payouts = [Withdrawal.model_validate(w) for w in example("get-withdrawals.json")["result"]]
    payouts.append(payouts[0].model_copy(update={"invoice_id": "<!channel>", "withdrawal_id": 9}))
    message = withdrawals_message(payouts, ZoneInfo("Asia/Tokyo"), True, locale="en_US")
    assert_valid_message(message)
    lines = message["blocks"][1]["text"]["text"].split("\n")
    assert "requested 2018-03-06 21:24" in lines[0] and "not paid yet" in lines[0]
    assert "paid 2018-02-02 21:04" in lines[1] and "invoice `2018/1/xyz`" in lines[1]
    assert "<!channel>" not in lines[2] and "&lt;!channel&gt;" in lines[2]
