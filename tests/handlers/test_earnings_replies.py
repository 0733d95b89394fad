"""The built `/earnings` reply: what building it gives, reused only for the same version, locale, minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.partners.models import Earnings
from handlers.earnings import Replies
from handlers.earnings_blocks import earnings_message

AS_OF = datetime(2024, 5, 1, 12, 30, 5, tzinfo=UTC)
BODY = {"balance": 16519.12, "blocked": 10, "commission_total": 25771.62, "withdrawals": 9252.5, "pending": 1}


def test_reply_is_what_building_it_gives_and_is_reused_within_the_minute() -> None:
    replies = Replies()
    earnings = Earnings.model_validate(BODY)
    first = replies.message(earnings, "en_US", AS_OF)
    assert first == earnings_message(earnings, locale="en_US", as_of=AS_OF)
    assert replies.message(earnings, "en_US", AS_OF + timedelta(seconds=40)) is first


def test_new_minute_new_earnings_or_another_locale_build_again() -> None:
    replies = Replies()
    earnings = Earnings.model_validate(BODY)
    first = replies.message(earnings, "en_US", AS_OF)
    next_minute = AS_OF + timedelta(minutes=1)
    assert replies.message(earnings, "en_US", next_minute) == earnings_message(
        earnings, locale="en_US", as_of=next_minute
    )
    assert replies.message(earnings, "en_US", next_minute) is not first
    newer = Earnings.model_validate({**BODY, "balance": 1.5})
    assert replies.message(newer, "en_US", next_minute) == earnings_message(
        newer, locale="en_US", as_of=next_minute
    )
    german = replies.message(newer, "de_DE", next_minute)
    assert german == earnings_message(newer, locale="de_DE", as_of=next_minute)
    assert "1,50" in str(german["blocks"])
