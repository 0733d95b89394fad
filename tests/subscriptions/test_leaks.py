"""Card number, CVV, Recurly token and API tokens appear in no log record and no request to Slack."""

from __future__ import annotations

import logging
import re

from tests.subscriptions.conftest import (
    CARD_CVV,
    CARD_NUMBER,
    SUB_PATH,
    confirmation,
    view_text,
    wait_for_result,
)


def _formatted(record: logging.LogRecord) -> str:
    text = f"{record.name} {record.getMessage()}"
    if record.exc_info:
        text += logging.Formatter().formatException(record.exc_info)
    return text + (record.exc_text or "") + (record.stack_info or "")


async def test_a_whole_flow_leaks_no_secret_to_logs_or_slack(sub_stack, caplog):
    caplog.set_level(logging.DEBUG)
    stack = sub_stack
    result = await stack.driver.command("/subscribe")
    await stack.standin.state.wait_for_response(result.response_url)
    # One failure (API rejects the parameters after the token was made), then a success.
    stack.sandbox.state.fail_next(
        SUB_PATH, 400, body={"error": {"message": "bad", "fields": {"plan": "nope"}}}, method="POST"
    )
    # The field the API flagged is named; its own text ("nope") is never shown.
    for expected in ("plan", "Subscribed."):
        confirm = await confirmation(stack)
        await stack.driver.view_submission(confirm["id"])
        assert expected in view_text(await wait_for_result(stack, confirm["id"]))

    recurly_tokens = list(stack.sandbox.state.issued_tokens)
    assert len(recurly_tokens) == 2
    settings = stack.settings
    secrets = {
        "card number": CARD_NUMBER,
        "cvv": CARD_CVV,
        "partners token": settings.partners_api_token.get_secret_value(),
        "slack token": settings.slack_bot_token.get_secret_value(),
        "signing secret": settings.slack_signing_secret.get_secret_value(),
        "vault key": settings.vault_key.get_secret_value(),
        **{f"recurly token {i}": token for i, token in enumerate(recurly_tokens)},
    }
    logs = "\n".join(_formatted(r) for r in caplog.records)
    assert "subscription" in logs, "the capture must actually see the flow's records"
    slack = (
        "\n".join(f"{r.method} {r.args} {r.body} {r.headers}" for r in stack.standin.state.requests)
        + str(stack.standin.state.responses)
        + str(stack.standin.state.views)
    )
    assert "Subscribed" in slack
    for name, value in secrets.items():
        # Whole tokens only: a 3-digit CVV also occurs inside timestamps and ids by chance.
        leaked = re.compile(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])")
        assert not leaked.search(logs), f"{name} in a log record"
        assert not leaked.search(slack), f"{name} sent to Slack"
    # The Recurly token goes to LiveChat only, in the subscription POST itself.
    for call in stack.sandbox.state.calls:
        sent = f"{call.path} {call.query} {call.headers} " + str(
            {k: v for k, v in call.form.items() if k != "token"}
        )
        assert CARD_NUMBER not in sent and CARD_CVV not in sent
        assert not any(token in sent for token in recurly_tokens)
