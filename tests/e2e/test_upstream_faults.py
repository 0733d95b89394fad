"""Partners API and Slack Web API failures: the user is told what happened and what to do."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest

from bot.partners.transport import RetryPolicy
from tests.e2e.support.stacks import start_hardening_stack

EARNINGS = "/v2/partners/earnings"
FAST_RETRIES = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.02)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def inject(state, fault: str) -> None:
    if fault == "401":
        state.fail_next(EARNINGS, 401)
    elif fault == "403":
        state.fail_next(EARNINGS, 403, body={"error": {"message": "Partner account suspended"}})
    elif fault == "404":
        state.fail_next(EARNINGS, 404)
    elif fault == "429 Retry-After every time":
        state.fail_next(EARNINGS, 429, retry_after=0.05, times=3)
    elif fault == "500 every time":
        state.fail_next(EARNINGS, 500, times=3)
    elif fault == "503 every time":
        state.fail_next(EARNINGS, 503, times=3)
    elif fault == "timeout every time":
        state.hang_next(EARNINGS, 3.0, times=3)
    elif fault == "HTML instead of JSON":
        state.fail_next(EARNINGS, 200, body="<html><body>Maintenance</body></html>", content_type="text/html")
    elif fault == "JSON of the wrong shape":
        state.fail_next(EARNINGS, 200, body={"balance": "lots", "commission_total": [1, 2]})
    elif fault == "JSON list":
        state.fail_next(EARNINGS, 200, body=[1, 2, 3])
    elif fault == "error page with 502":
        state.fail_next(EARNINGS, 502, body="<html>Bad Gateway</html>", content_type="text/html", times=3)


# fault → words the reply must contain (what happened / what to do)
EXPECTED = {
    "401": "PARTNERS_API_TOKEN",
    "403": "refused",
    "404": "could not find",
    "429 Retry-After every time": "try again",
    "500 every time": "try again",
    "503 every time": "try again",
    "timeout every time": "try again",
    "HTML instead of JSON": "try again",
    "JSON of the wrong shape": "try again",
    "JSON list": "try again",
    "error page with 502": "try again",
}


@pytest.mark.parametrize("fault", list(EXPECTED))
async def test_partners_faults_give_a_clear_message_and_no_summary(fault):
    async with await start_hardening_stack(partners_timeout=0.3) as stack:
        stack.services.partners.retry = FAST_RETRIES
        inject(stack.sandbox.state, fault)
        result = await stack.driver.command("/earnings", user_id="U_PARTNER")
        assert result.status == 200
        post = await stack.standin.state.wait_for_response(result.response_url, timeout=8)
        text = str(post.payload)
        assert EXPECTED[fault].lower() in text.lower(), text
        assert "Balance" not in text  # nothing half-done: no partial summary
        assert "Traceback" not in text and "Bearer" not in text


async def test_connection_refused_is_reported_as_api_down():
    async with await start_hardening_stack(partners_api_url=f"http://127.0.0.1:{closed_port()}") as stack:
        stack.services.partners.retry = FAST_RETRIES
        result = await stack.driver.command("/earnings", user_id="U_PARTNER")
        post = await stack.standin.state.wait_for_response(result.response_url, timeout=5)
        assert "not answering" in str(post.payload) and "try again" in str(post.payload)


@pytest.mark.parametrize("status", [429, 503])
async def test_one_transient_failure_is_retried_and_the_user_sees_the_summary(hstack, status):
    hstack.services.partners.retry = FAST_RETRIES
    hstack.sandbox.state.fail_next(EARNINGS, status, retry_after=0.05 if status == 429 else None)
    result = await hstack.driver.command("/earnings", user_id="U_PARTNER")
    post = await hstack.standin.state.wait_for_response(result.response_url, timeout=5)
    assert "Balance" in str(post.payload)
    assert hstack.sandbox.state.count("GET", EARNINGS) == 2


# Slack Web API faults on the Share button ---------------------------------------------------


async def share(stack):
    result = await stack.driver.block_action("earnings_share", user_id="U_PARTNER", channel_id="C_GENERAL")
    assert result.status == 200
    post = await stack.standin.state.wait_for_response(result.response_url, timeout=8)
    return str(post.payload)


async def test_slack_429_is_retried_after_retry_after_and_posts_once(hstack):
    hstack.standin.state.fail_next("chat.postMessage", status=429, retry_after=1)
    assert "shared these earnings in the channel" in await share(hstack)
    calls = hstack.standin.state.calls("chat.postMessage")
    assert len(calls) == 2 and calls[1].time - calls[0].time >= 0.9
    assert len(hstack.standin.state.messages("C_GENERAL")) == 1


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("channel_not_found", "/invite"),
        ("not_in_channel", "/invite"),
        ("invalid_auth", "SLACK_BOT_TOKEN"),
        ("token_revoked", "SLACK_BOT_TOKEN"),
        ("missing_scope", "manifest"),
    ],
)
async def test_permanent_slack_errors_are_explained_and_not_retried(hstack, error, expected):
    hstack.standin.state.fail_next("chat.postMessage", error=error)
    text = await share(hstack)
    assert expected in text, text
    assert len(hstack.standin.state.calls("chat.postMessage")) == 1


async def test_slack_timeout_on_share_tells_the_user_and_does_not_post_twice(hstack):
    # The Slack client rides on the shared session, whose timeout (not the client's) applies.
    production_session = hstack.services.http
    hstack.services.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3))
    hstack.services.slack.session = hstack.services.http
    try:
        hstack.standin.state.delay("chat.postMessage", 1.0)
        text = await share(hstack)
        assert "did not answer" in text and "Check the channel" in text, text
        await asyncio.sleep(1.0)
        # The timed-out post did land: retrying it blindly would have posted the summary twice.
        assert len(hstack.standin.state.calls("chat.postMessage")) == 1
    finally:
        await hstack.services.http.close()
        hstack.services.http = production_session
