import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.offline.slack_standin import (
    RunningStandin,
    SlackDriver,
    build_state_values,
    element_value,
    signed_headers,
    slack_signature,
)

SECRET = "test-signing-secret"

FORM_VIEW = {
    "type": "modal",
    "callback_id": "form",
    "title": {"type": "plain_text", "text": "Form"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "name_block",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "name"},
        },
        {
            "type": "input",
            "block_id": "plan_block",
            "label": {"type": "plain_text", "text": "Plan"},
            "element": {
                "type": "static_select",
                "action_id": "plan",
                "options": [
                    {"text": {"type": "plain_text", "text": "Basic"}, "value": "basic"},
                    {"text": {"type": "plain_text", "text": "Pro"}, "value": "pro"},
                ],
            },
        },
    ],
}


@dataclass
class BoltHarness:
    url: str
    seen: dict[str, list[Any]] = field(default_factory=dict)


@pytest.fixture
async def bolt(standin: RunningStandin) -> AsyncIterator[BoltHarness]:
    token = standin.state.options.bot_token
    app = AsyncApp(
        signing_secret=SECRET,
        token=token,
        client=AsyncWebClient(token=token, base_url=standin.api_url),
    )
    harness = BoltHarness(url="")

    @app.command("/hello")
    async def hello(ack, respond, command):
        await ack()
        await respond(f"hello <@{command['user_id']}>")

    @app.command("/form")
    async def form(ack, body, client):
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=FORM_VIEW)

    @app.action("approve")
    async def approve(ack, body, respond):
        await ack()
        harness.seen.setdefault("approve", []).append(body["actions"][0]["value"])
        await respond(replace_original=True, text="approved")

    @app.view("form")
    async def submit(ack, view):
        values = view["state"]["values"]
        name = values["name_block"]["name"]["value"]
        if name == "bad":
            await ack(response_action="errors", errors={"name_block": "try again"})
            return
        await ack()
        harness.seen.setdefault("form", []).append(
            (name, values["plan_block"]["plan"]["selected_option"]["value"])
        )

    runner = web.AppRunner(app.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    harness.url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    yield harness
    await runner.cleanup()


@pytest.fixture
async def driver(bolt: BoltHarness, standin: RunningStandin) -> AsyncIterator[SlackDriver]:
    async with SlackDriver(bolt.url, SECRET, standin.state) as slack:
        yield slack


def test_signature_matches_slack_sdk_verifier():
    from slack_sdk.signature import SignatureVerifier

    body = b"token=x&text=hi"
    headers = signed_headers(SECRET, body)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert slack_signature(SECRET, 1, "a") == slack_signature(SECRET, "1", b"a")


async def test_command_is_signed_and_response_url_used(driver: SlackDriver, standin: RunningStandin):
    result = await driver.command("/hello", "there")
    assert result.status == 200 and result.elapsed < 3
    post = await standin.state.wait_for_response(result.response_url, timeout=3)
    assert post.payload["text"] == "hello <@U_ADMIN>"
    assert standin.state.ephemerals(user="U_ADMIN")[0]["text"] == "hello <@U_ADMIN>"


async def test_bad_signatures_are_rejected(bolt: BoltHarness, driver: SlackDriver, standin: RunningStandin):
    async with SlackDriver(bolt.url, "wrong-secret", standin.state) as impostor:
        assert (await impostor.command("/hello")).status == 401
    body = b"command=%2Fhello&text="
    assert (await driver.raw(body, {})).status == 401
    stale = driver.sign(body, timestamp=int(time.time()) - 600)
    assert (await driver.raw(body, stale)).status == 401
    assert standin.state.responses == {}


async def test_block_action_reaches_handler_and_replaces_message(
    bolt: BoltHarness, driver: SlackDriver, standin: RunningStandin
):
    client = AsyncWebClient(token=standin.state.options.bot_token, base_url=standin.api_url)
    button = {"type": "button", "action_id": "approve", "text": {"type": "plain_text", "text": "OK"}}
    await client.chat_postMessage(
        channel="C_GENERAL",
        text="approve?",
        blocks=[{"type": "actions", "block_id": "acts", "elements": [button]}],
    )
    [message] = standin.state.messages("C_GENERAL")
    result = await driver.block_action("approve", "42", message=message)
    assert result.status == 200
    assert result.payload["actions"][0]["block_id"] == "acts"
    await standin.state.wait_for_response(result.response_url, timeout=3)
    assert bolt.seen["approve"] == ["42"]
    assert standin.state.messages("C_GENERAL")[0]["text"] == "approved"


async def test_view_submission_flow(bolt: BoltHarness, driver: SlackDriver, standin: RunningStandin):
    state = standin.state
    assert (await driver.command("/form")).status == 200
    call = await state.wait_for_call("views.open", timeout=3)
    assert call.ok
    view = state.top_view("U_ADMIN")
    assert view is not None and view.view["callback_id"] == "form"

    rejected = await driver.view_submission(view.view, answers={"name_block": "bad", "plan": "Pro"})
    assert rejected.status == 200 and rejected.response_action == "errors"
    assert rejected.body["errors"] == {"name_block": "try again"}
    assert not state.views[view.id].closed

    values = build_state_values(view.view, {"name": "Ada", "plan_block": "pro"})
    accepted = await driver.view_submission(view.view, values)
    assert accepted.status == 200 and accepted.response_action is None
    assert bolt.seen["form"] == [("Ada", "pro")]
    assert state.views[view.id].closed


def test_element_value_shapes():
    assert element_value({"type": "plain_text_input"}, "x") == {"type": "plain_text_input", "value": "x"}
    assert element_value({"type": "number_input"}, 5) == {"type": "number_input", "value": "5"}
    assert element_value({"type": "datepicker"}, "2025-01-31")["selected_date"] == "2025-01-31"
    radio = {
        "type": "radio_buttons",
        "options": [{"text": {"type": "plain_text", "text": "Yes"}, "value": "y"}],
    }
    assert element_value(radio, "Yes")["selected_option"]["value"] == "y"
    checks = {**radio, "type": "checkboxes"}
    assert element_value(checks, ["y"])["selected_options"][0]["value"] == "y"
    with pytest.raises(ValueError):
        element_value(radio, "maybe")
