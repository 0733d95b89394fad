"""Pure builders for the new facts: unknown outcomes and their lock, what exists, the locked list."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.partners.models import License
from bot.subscriptions.service import Outcome, Reason, Result
from handlers import subscribe_views as sv
from handlers.subscribe_list_blocks import license_list_message
from tests.e2e.blockkit import assert_valid_message, assert_valid_view
from tests.handlers.test_subscribe_results import ORDER

AT = "2026-12-02T15:27:10+00:00"
ENDS = "2026-12-02T15:42:10+00:00"


def test_an_immediate_error_and_no_answer_are_told_apart_and_the_lock_is_a_time():
    at_once = Result(Outcome.UNKNOWN, reason=Reason.NO_ANSWER, api_status=503, at=AT, locked_until=ENDS)
    slow = Result(Outcome.UNKNOWN, reason=Reason.NO_ANSWER, at=AT, locked_until=ENDS)
    assert "at once with an error (HTTP 503)" in sv.result_detail(at_once)
    assert "did not answer the subscription request in time" in sv.result_detail(slow)
    for text in (sv.result_detail(at_once), sv.result_detail(slow)):
        assert "until 15:42 UTC (15 minutes after that request) unless LiveChat shows it subscribed" in text
    view = sv.result_view(ORDER, at_once)
    assert_valid_view(view)
    assert "checking" not in str(view["blocks"]).lower()
    assert "HTTP 503" in sv.checking_text(503, 30) and "in time" in sv.checking_text(None, 30)


def test_a_lock_of_unknown_end_is_not_given_a_made_up_time():
    text = sv.result_detail(Result(Outcome.UNKNOWN, reason=Reason.STILL_UNCONFIRMED))
    assert "not confirmed yet" in text and "UTC" not in text


def test_already_subscribed_shows_what_exists_not_what_was_attempted():
    exists = Result(
        Outcome.ALREADY,
        reason=Reason.EARLIER_ATTEMPT_DONE,
        user_id="U_PARTNER",
        existing_plan="business",
        existing_seats=12,
        existing_cycle="monthly",
    )
    view = sv.result_view(ORDER, exists)
    assert_valid_view(view)
    text = str(view["blocks"])
    assert "by <@U_PARTNER>" in text and "Business" in text and "12 seats" in text and "Monthly" in text
    assert "Team" not in text and "5 seats" not in text
    unknown = str(sv.result_view(ORDER, Result(Outcome.ALREADY, reason=Reason.LICENSE_PAID))["blocks"])
    assert "not shown by LiveChat" in unknown


def test_a_license_being_confirmed_is_listed_without_a_create_button():
    licenses = [
        License(license=n, product="livechat", status="trial", payment_origin="partner", client_name=n)
        for n in ("111", "222")
    ]
    message = license_list_message(
        licenses,
        now=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
        zone=ZoneInfo("UTC"),
        unconfirmed={"111": datetime(2026, 12, 2, 15, 42, tzinfo=UTC)},
    )
    assert_valid_message(message)
    values = [b["accessory"]["value"] for b in message["blocks"] if "accessory" in b]
    assert values == ["222"]
    assert "Being confirmed" in str(message["blocks"]) and "15:42 (UTC)" in str(message["blocks"])
    # In the reader's zone, like the trial end beside it: 15:42 UTC is 16:42 in Warsaw.
    warsaw = license_list_message(
        licenses,
        now=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
        zone=ZoneInfo("Europe/Warsaw"),
        unconfirmed={"111": datetime(2026, 12, 2, 15, 42, tzinfo=UTC)},
    )
    assert "until 16:42 (Europe/Warsaw)" in str(warsaw["blocks"])


def test_refusals_say_nothing_was_charged():
    for reason in (Reason.REVIEW_MISSING, Reason.REVIEW_MISMATCH, Reason.OTHER_REVIEWER, Reason.CARD_CHANGED):
        view = sv.result_view(ORDER, Result(Outcome.REFUSED, reason=reason))
        assert_valid_view(view)
        assert "nothing was charged" in str(view["blocks"]) and "Subscribed" not in str(view["blocks"])


def test_the_checking_view_names_the_license_and_card_has_no_submit_and_an_external_id():
    view = sv.reviewing_view(ORDER)
    assert_valid_view(view)
    assert len(view["title"]["text"]) <= 24 and view["close"]["text"] == "Back"
    assert "submit" not in view, "nothing to submit while the review runs"
    text = str(view["blocks"])
    assert f"Re-reading license {ORDER.license_id} from LiveChat" in text
    assert f"card ending {ORDER.card_last4}" in text and "$" not in text
    assert view["external_id"] == sv.review_external_id(ORDER) == f"subscribe-review-{ORDER.request_id}"
    other = ORDER.model_copy(update={"request_id": "f" * 32})
    assert sv.review_external_id(other) != view["external_id"], "unique per review"


def _form(**trial: str | None) -> dict:
    from decimal import Decimal

    from bot.vault.store import CardSummary

    card = CardSummary(label="Agency Visa", brand="Visa", last4="1111", exp_month=1, exp_year=2030)
    prices = {"starter": Decimal("20"), "team": Decimal("41"), "business": Decimal("59")}
    view = sv.form_view(
        license_id="11223301", client_name="Joe Doe Ltd", channel_id="C1", cards=[card],
        plan_prices=prices, locale="en_US", seats=5, **trial,
    )  # fmt: skip
    assert_valid_view(view)
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def test_the_form_preselects_the_trials_own_plan_and_cycle_and_nothing_it_does_not_know():
    # An admin arriving from an alert that says "Team plan" should not have to pick it again.
    form = _form(plan="team", billing_cycle="annual")
    assert form["plan"]["initial_option"]["value"] == "team"
    assert form["plan"]["initial_option"] in form["plan"]["options"]  # Slack wants an exact match
    assert form["billing_cycle"]["initial_option"]["value"] == "annual"
    unknown = _form(plan="enterprise", billing_cycle=None)
    assert "initial_option" not in unknown["plan"]  # no guess: the admin chooses
    assert unknown["billing_cycle"]["initial_option"]["value"] == "monthly"
