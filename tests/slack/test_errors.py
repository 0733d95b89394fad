"""`error_code` and the one set of permanent Slack error codes."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.errors import (
    CHANNEL_ERRORS,
    PERMANENT_ERRORS,
    TOKEN_ERRORS,
    UNKNOWN_ERROR,
    error_code,
    is_rate_limited,
)


def api_error(data: dict, status: int = 200) -> SlackApiError:
    response = AsyncSlackResponse(
        client=None,  # type: ignore[arg-type]
        http_verb="POST",
        api_url="https://slack.test/api/chat.postMessage",
        req_args={},
        data=data,
        headers={},
        status_code=status,
    )
    return SlackApiError("refused", response)


def test_error_code_reads_slacks_code():
    assert error_code(api_error({"ok": False, "error": "channel_not_found"})) == "channel_not_found"


@pytest.mark.parametrize("data", [{"ok": False}, {"ok": False, "error": ""}, {"ok": False, "error": None}])
def test_error_code_without_a_code_is_unknown_error(data):
    assert error_code(api_error(data)) == UNKNOWN_ERROR


def test_error_code_without_a_response_is_unknown_error():
    assert error_code(SlackApiError("no answer", None)) == UNKNOWN_ERROR


def test_rate_limited_is_http_429_only():
    assert is_rate_limited(api_error({"ok": False, "error": "ratelimited"}, status=429))
    assert not is_rate_limited(api_error({"ok": False, "error": "channel_not_found"}))
    assert not is_rate_limited(SlackApiError("no answer", None))


def test_the_permanent_codes_include_every_code_slack_notes_name():
    # /work/shared/slack-notes.md, "Permanent errors that must not be retried".
    noted = {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "invalid_auth",
        "token_revoked",
        "missing_scope",
    }
    assert noted <= PERMANENT_ERRORS


def test_channel_and_token_codes_are_disjoint_and_make_up_the_permanent_set():
    assert not CHANNEL_ERRORS & TOKEN_ERRORS
    assert CHANNEL_ERRORS | TOKEN_ERRORS == PERMANENT_ERRORS
    assert {"restricted_action", "channel_is_archived"} <= CHANNEL_ERRORS
    assert {"token_expired", "not_authed", "not_allowed_token_type"} <= TOKEN_ERRORS
    assert "ratelimited" not in PERMANENT_ERRORS
