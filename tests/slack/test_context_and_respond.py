"""Who acted and where (Bolt's context first, the payload second), and the answers built for acks."""

from __future__ import annotations

import json

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

from bot.slack.context import acting_channel, acting_user, channel_id_of, user_id_of
from bot.slack.respond import ack_body, reply


def test_bolts_context_wins_over_the_payload():
    body = {"user": {"id": "U_BODY"}, "channel": {"id": "C_BODY"}}
    context = {"user_id": "U_CTX", "channel_id": "C_CTX"}
    assert acting_user(context, body) == "U_CTX"
    assert acting_channel(context, body) == "C_CTX"


def test_without_context_the_payload_is_read_for_every_request_kind():
    assert acting_user(None, {"user_id": "U_CMD"}) == "U_CMD"  # slash command
    assert acting_user({}, {"user": {"id": "U_ACT"}}) == "U_ACT"  # action, view
    assert acting_channel(None, {"channel_id": "C_CMD"}) == "C_CMD"
    assert acting_channel({}, {"channel": {"id": "C_ACT"}}) == "C_ACT"
    assert acting_channel({}, {"container": {"channel_id": "C_MSG"}}) == "C_MSG"


def test_missing_or_malformed_ids_are_none():
    for body in ({}, {"user_id": ""}, {"user_id": 7}, {"user": "U1"}, {"user": {"id": None}}):
        assert user_id_of(body) is None
    for body in ({}, {"channel": "C1"}, {"container": []}, {"channel_id": ""}):
        assert channel_id_of(body) is None


def test_ack_body_answers_a_text_as_an_ephemeral_notice():
    assert ack_body("Usage: …") == {
        "response_type": "ephemeral",
        "text": "Usage: …",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Usage: …"}}],
    }


def test_ack_body_keeps_a_built_message():
    message = {"text": "t", "blocks": []}
    assert ack_body(message) == {"response_type": "ephemeral", "text": "t", "blocks": []}


RESPONSE_URL = "https://hooks.slack.test/commands/T1/1/abc"


@pytest.fixture
def slack_hooks():
    with aioresponses() as m:
        yield m


async def test_reply_posts_an_ephemeral_new_message_by_default(slack_hooks):
    slack_hooks.post(RESPONSE_URL, status=200, body="ok")
    async with aiohttp.ClientSession() as session:
        assert await reply(session, RESPONSE_URL, "Cancelled.")
    [call] = slack_hooks.requests[("POST", URL(RESPONSE_URL))]
    assert json.loads(call.kwargs["data"]) == {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": "Cancelled.",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Cancelled."}}],
    }


async def test_reply_can_replace_the_original_and_keeps_a_built_message(slack_hooks):
    slack_hooks.post(RESPONSE_URL, status=200, body="ok")
    async with aiohttp.ClientSession() as session:
        assert await reply(session, RESPONSE_URL, {"text": "t", "blocks": []}, replace=True)
    [call] = slack_hooks.requests[("POST", URL(RESPONSE_URL))]
    assert json.loads(call.kwargs["data"]) == {
        "response_type": "ephemeral",
        "replace_original": True,
        "text": "t",
        "blocks": [],
    }


async def test_reply_reports_a_refused_or_missing_response_url(slack_hooks):
    slack_hooks.post(RESPONSE_URL, status=404, body="expired_url")
    async with aiohttp.ClientSession() as session:
        assert not await reply(session, RESPONSE_URL, "too late")
        assert not await reply(session, None, "nowhere to go")
