"""Requests that did not come from Slack, or came mangled: refused before any listener runs."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.offline.slack_standin.signing import signed_headers
from tests.e2e.support.stacks import upstream_traffic

FORM = "application/x-www-form-urlencoded"


def command_form(stack, text: str = "", user_id: str = "U_ADMIN") -> bytes:
    url = stack.standin.state.new_response_url(channel_id="C_GENERAL", user_id=user_id)
    form = {
        "command": "/earnings",
        "text": text,
        "user_id": user_id,
        "channel_id": "C_GENERAL",
        "team_id": "T_STANDIN",
        "response_url": url,
        "trigger_id": stack.standin.state.new_trigger_id(user_id),
    }
    return urlencode(form).encode()


def _cases(stack):
    body = command_form(stack)
    now = int(time.time())
    sign = stack.driver.sign
    yield "unsigned", body, {}, FORM, 401
    yield "signature of another secret", body, signed_headers("not-the-secret", body), FORM, 401
    yield (
        "garbage signature",
        body,
        {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=zz"},
        FORM,
        401,
    )
    yield (
        "signature without v0",
        body,
        {**sign(body), "X-Slack-Signature": sign(body)["X-Slack-Signature"][3:]},
        FORM,
        401,
    )
    yield "six minutes old", body, sign(body, now - 360), FORM, 401
    yield "six minutes ahead", body, sign(body, now + 360), FORM, 401
    yield "timestamp not a number", body, {**sign(body), "X-Slack-Request-Timestamp": "soon"}, FORM, 401
    yield "negative timestamp", body, {**sign(body), "X-Slack-Request-Timestamp": "-1"}, FORM, 401
    yield "signed body then truncated", body[:-7], sign(body), FORM, 401
    yield "signed body then extended", body + b"&user_id=U_GUEST", sign(body), FORM, 401
    yield (
        "signature for another timestamp",
        body,
        {**sign(body, now - 1), "X-Slack-Request-Timestamp": str(now)},
        FORM,
        401,
    )
    yield "signed form sent as text/plain", body, sign(body), "text/plain", 400
    yield "signed form sent as multipart", body, sign(body), "multipart/form-data; boundary=x", 400
    yield "signed form sent as JSON", body, sign(body), "application/json", 400
    bad_json = b'{"type": "block_actions", '
    yield "signed truncated JSON", bad_json, sign(bad_json), "application/json", 400
    array = b"[1, 2, 3]"
    yield "signed JSON array", array, sign(array), "application/json", 400
    payload = urlencode({"payload": '{"type": "view_submission", "view": '}).encode()
    yield "signed truncated payload", payload, sign(payload), FORM, 400
    payload = urlencode({"payload": json.dumps("just a string")}).encode()
    yield "signed payload that is a string", payload, sign(payload), FORM, 400
    binary = bytes(range(256))
    yield "signed non-UTF-8 body", binary, sign(binary), FORM, 400
    big = b"text=" + b"a" * (1024 * 1024)
    yield "1 MB signed body", big, sign(big), FORM, 413
    yield "1 MB unsigned body", big, {}, FORM, 413


async def test_every_forged_or_mangled_request_is_refused_before_any_listener(hstack):
    """No handler runs, no upstream call; the answer is 401/400/413 and never a 5xx."""
    outcomes = {}
    for name, body, headers, content_type, expected in _cases(hstack):
        result = await hstack.driver.raw(body, headers, content_type)
        outcomes[name] = (result.status, expected)
    wrong = {name: got for name, (got, expected) in outcomes.items() if got != expected}
    assert not wrong, f"unexpected statuses (got, expected): {wrong}"
    assert upstream_traffic(hstack) == []
    assert hstack.services.partners.requests_sent == 0
    async with aiohttp.ClientSession() as session, session.get(hstack.bot_url + "/healthz") as resp:
        assert resp.status == 200
    # The same command signed properly does reach the API: the two "nothing" checks above were
    # made on recorders that record this stack's traffic.
    body = command_form(hstack)
    assert (await hstack.driver.raw(body, hstack.driver.sign(body), FORM)).status == 200
    await hstack.standin.state.wait_for(lambda: upstream_traffic(hstack) or None, timeout=5)
    assert hstack.services.partners.requests_sent >= 1


async def test_internal_bolt_headers_from_outside_are_ignored(hstack):
    """`X-Slack-Bolt-Lazy-Only` is Bolt's own re-entry flag; a caller must not be able to set it."""
    body = command_form(hstack)
    headers = {
        **hstack.driver.sign(body),
        "X-Slack-Bolt-Lazy-Only": "1",
        "X-Slack-Bolt-Lazy-Function-Name": "x",
    }
    result = await hstack.driver.raw(body, headers)
    assert result.status == 200
    url = dict(pair.split("=", 1) for pair in body.decode().split("&"))["response_url"]
    from urllib.parse import unquote

    post = await hstack.standin.state.wait_for_response(unquote(url), timeout=5)
    assert "Balance" in str(post.payload)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_other_methods_on_the_events_url_are_405(hstack, method):
    async with aiohttp.ClientSession() as session, session.request(method, hstack.events_url) as resp:
        assert resp.status == 405
    assert upstream_traffic(hstack) == []
