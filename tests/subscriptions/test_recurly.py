"""The Recurly token client against the sandbox: success, errors with status 200, timeouts, garbage."""

from __future__ import annotations

from datetime import date

import aiohttp
import pytest

from bot.offline.sandbox import start_sandbox
from bot.offline.sandbox.recurly_api import DECLINED_CARD
from bot.offline.sandbox.state import LIVECHAT_RECURLY_KEY
from bot.recurly import RecurlyError, create_token
from bot.vault.card import validate_card
from tests.subscriptions.conftest import CARD_CVV, CARD_NUMBER, TOKEN_PATH, card_data


@pytest.fixture
async def sandbox():
    running = await start_sandbox()
    yield running
    await running.close()


async def token_for(sandbox, number=CARD_NUMBER, key=LIVECHAT_RECURLY_KEY, timeout=5.0):
    card = validate_card(card_data(number), date.today())
    async with aiohttp.ClientSession() as session:
        return await create_token(session, sandbox.url, key, card, timeout=timeout)


async def test_success_gives_a_secret_token(sandbox):
    token = await token_for(sandbox)
    assert token.get_secret_value() in sandbox.state.issued_tokens
    assert token.get_secret_value() not in repr(token)


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda s: None, "declined"),
        (lambda s: s.state.hang_next(TOKEN_PATH, 1.0), "timeout"),
        (
            lambda s: s.state.fail_next(TOKEN_PATH, 200, body="not json", content_type="text/plain"),
            "unavailable",
        ),
        (lambda s: s.state.fail_next(TOKEN_PATH, 200, body={"something": "else"}), "error"),
    ],
)
async def test_failures_are_recurly_errors_without_the_card(sandbox, setup, code):
    setup(sandbox)
    number = DECLINED_CARD if code == "declined" else CARD_NUMBER
    with pytest.raises(RecurlyError) as caught:
        await token_for(sandbox, number, timeout=0.3)
    assert caught.value.code == code
    for text in (str(caught.value), repr(caught.value), caught.value.user_text):
        assert number not in text and CARD_CVV not in text and TOKEN_PATH not in text
    assert caught.value.__cause__ is None and caught.value.__context__ is None


async def test_wrong_public_key_names_the_setting(sandbox):
    with pytest.raises(RecurlyError) as caught:
        await token_for(sandbox, key="ewr1-wrong")
    assert "RECURLY_PUBLIC_KEY" in caught.value.user_text


async def test_every_documented_parameter_is_sent_state_included(sandbox):
    await token_for(sandbox)
    (call,) = sandbox.state.calls_to("GET", TOKEN_PATH)
    required = {"key", "first_name", "last_name", "number", "month", "year", "verification_value",
                "address1", "city", "state", "zip", "country"}  # fmt: skip
    assert set(call.query) == required and call.query["state"] == "MA"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        # Codes Recurly's own client uses, none of which the bot keeps a list of.
        ({"code": "validation", "message": "can't be blank", "fields": ["state"]}, "state"),
        ({"code": "invalid-parameter", "message": "number is invalid", "fields": ["number"]}, "card number"),
        ({"code": "api-error", "message": "Something <b>odd</b>"}, "Recurly refused the card (api-error)"),
        ({"code": "not-found", "message": "Public key not found", "fields": ["key"]}, "RECURLY_PUBLIC_KEY"),
        ({"message": "Your card was declined"}, "declined"),
        ({"code": "brand-new-code", "fields": {"zip": ["is invalid"]}}, "postal code"),
    ],
)
async def test_failures_recognised_by_error_and_fields_even_with_status_200(sandbox, error, expected):
    sandbox.state.fail_next(TOKEN_PATH, 200, body={"error": error, "id": "should-not-be-used"})
    with pytest.raises(RecurlyError) as caught:
        await token_for(sandbox)
    assert expected in caught.value.user_text
    assert "<b>" not in caught.value.user_text and "should-not-be-used" not in caught.value.user_text


def test_import_requires_a_state():
    from bot.vault.card import CardInvalid

    with pytest.raises(CardInvalid) as caught:
        validate_card(card_data(state=""), date.today())
    assert set(caught.value.errors) == {"state"} and "Recurly" in caught.value.errors["state"]
