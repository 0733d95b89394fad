"""The Recurly token client against the sandbox: success, errors with status 200, timeouts, garbage."""

from __future__ import annotations

from datetime import date

import aiohttp
import pytest

from bot.recurly import RecurlyError, create_token
from bot.sandbox import start_sandbox
from bot.sandbox.recurly_api import DECLINED_CARD
from bot.sandbox.state import LIVECHAT_RECURLY_KEY
from bot.vault.card import validate_card
from tests.subscribe.conftest import CARD_CVV, CARD_NUMBER, TOKEN_PATH, card_data


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
