"""The `/earnings` reply memo: byte-identical to rendering every time, re-rendered when anything shown changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.partners.models import Earnings
from handlers.earnings import SummaryMemo
from handlers.earnings_blocks import earnings_message

AS_OF = datetime(2024, 5, 1, 12, 30, 5, 100_000, tzinfo=UTC)
BODY = {"balance": 16519.12, "blocked": 10, "commission_total": 25771.62, "withdrawals": 9252.5, "pending": 1}


def rendered(earnings: Earnings, locale: str, as_of: datetime) -> dict:
    return {"response_type": "ephemeral", **earnings_message(earnings, locale=locale, as_of=as_of)}


def test_reply_is_what_rendering_it_gives_and_is_reused_within_the_second() -> None:
    memo = SummaryMemo()
    earnings = Earnings.model_validate(BODY)
    first = memo.encoded(earnings, "en_US", AS_OF)
    assert json.loads(first) == rendered(earnings, "en_US", AS_OF)
    later_same_second = AS_OF + timedelta(milliseconds=800)
    assert memo.encoded(earnings, "en_US", later_same_second) is first
    assert json.loads(first) == rendered(earnings, "en_US", later_same_second)


def test_a_new_second_new_earnings_or_another_locale_render_again() -> None:
    memo = SummaryMemo()
    earnings = Earnings.model_validate(BODY)
    memo.encoded(earnings, "en_US", AS_OF)
    next_second = AS_OF + timedelta(seconds=1)
    assert json.loads(memo.encoded(earnings, "en_US", next_second)) == rendered(
        earnings, "en_US", next_second
    )
    fresh = Earnings.model_validate({**BODY, "balance": 1.5})
    assert json.loads(memo.encoded(fresh, "en_US", next_second)) == rendered(fresh, "en_US", next_second)
    assert json.loads(memo.encoded(fresh, "de_DE", next_second)) == rendered(fresh, "de_DE", next_second)
    assert "1,50" in memo.encoded(fresh, "de_DE", next_second).decode()
