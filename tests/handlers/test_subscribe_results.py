"""The subscription service returns facts; the view builder words them (and escapes what is upstream)."""

from __future__ import annotations

import json

import pytest

from bot.subscriptions.orders import Order
from bot.subscriptions.service import Outcome, Reason, Result
from handlers import subscribe_views as sv
from tests.e2e.blockkit import assert_valid_view

ORDER = Order(
    license_id="11223301",
    client_name="Joe <Doe> Ltd",
    plan="team",
    seats=5,
    billing_cycle="annual",
    card_label="Agency Visa",
    card_last4="1111",
    channel_id="C_GENERAL",
    request_id="a" * 32,
)
UPSTREAM = (Reason.CARD_REFUSED, Reason.VAULT_PROBLEM, Reason.API_ERROR)


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_is_worded_and_shows_valid_block_kit(reason):
    result = Result(Outcome.FAILED, reason=reason, detail="LiveChat said <!channel>", user_id="U_ADMIN")
    text = sv.result_detail(result)
    assert text and "<!channel>" not in text
    if reason in UPSTREAM:
        assert text == "LiveChat said &lt;!channel&gt;"
    else:
        assert "LiveChat said" not in text or reason is Reason.REJECTED
    assert_valid_view(sv.result_view(ORDER, result))


def test_an_earlier_attempt_names_who_subscribed_only_when_known():
    done = Result(Outcome.ALREADY, reason=Reason.EARLIER_ATTEMPT_DONE, user_id="U_PARTNER")
    assert sv.result_detail(done) == (
        "This license already has a subscription by <@U_PARTNER> — nothing was sent again."
    )
    anonymous = Result(Outcome.ALREADY, reason=Reason.EARLIER_ATTEMPT_DONE)
    assert sv.result_detail(anonymous) == "This license already has a subscription — nothing was sent again."


def test_a_rejection_names_the_fields_escaped_and_never_the_apis_own_words():
    rejected = Result(
        Outcome.INVALID, reason=Reason.REJECTED, detail="bad", fields={"<seats>": "must be <= 100"}
    )
    assert sv.result_detail(rejected) == "LiveChat rejected the request — check: &lt;seats&gt;."
    bare = Result(Outcome.INVALID, reason=Reason.REJECTED, detail="token tok_secret echoed")
    assert sv.result_detail(bare) == "LiveChat rejected the request's parameters."
    view = json.dumps(sv.result_view(ORDER, rejected))
    assert "must be" not in view and "&lt;seats&gt;" in view


def test_the_reason_survives_the_claim_record_and_old_records_still_show_their_sentence():
    created = Result(Outcome.CREATED, reason=Reason.CREATED_AFTER_SLOW_ANSWER, api_status=504, fresh=True)
    again = Result.from_json(created.to_json())
    assert again is not None and again.reason is Reason.CREATED_AFTER_SLOW_ANSWER and not again.fresh
    old = Result.from_json({"outcome": "unknown", "detail": "Not confirmed yet — <checking>"})
    assert old is not None and old.reason is None
    assert sv.result_detail(old) == "Not confirmed yet — &lt;checking&gt;"


def test_the_dm_fallback_uses_the_same_words():
    created = Result(Outcome.CREATED, reason=Reason.CREATED)
    line = sv.result_text(ORDER, created)
    assert "Subscribed." in line and "The subscription was created." in line and "Joe &lt;Doe&gt; Ltd" in line
