"""Slack Web API errors, read in one place: the error code of a failure and which codes are permanent.

`SlackApiError.response["error"]` is the code Slack sends (`channel_not_found`, `ratelimited`…).
A permanent code means retrying the same call cannot help: the channel is closed to the bot
(`CHANNEL_ERRORS`: post elsewhere, or turn the feature off for that channel) or the installation is
broken (`TOKEN_ERRORS`: every call fails alike until an admin fixes the token or the app).
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

UNKNOWN_ERROR = "unknown_error"

# The channel is gone or closed to the bot.
CHANNEL_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "channel_is_archived",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_non_threadable_channel",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)
# The bot's (or app's) token or installation is broken: nothing works until an admin fixes it.
TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
        "not_allowed_token_type",
    }
)
PERMANENT_ERRORS = CHANNEL_ERRORS | TOKEN_ERRORS


def error_code(exc: SlackApiError) -> str:
    """Slack's error code for a failed call, or "unknown_error" when the answer carries none."""
    response = exc.response
    code = response.get("error") if response is not None else None
    return str(code) if code else UNKNOWN_ERROR


def is_rate_limited(exc: SlackApiError) -> bool:
    """HTTP 429: wait for Retry-After, then the same call may succeed."""
    return exc.response is not None and exc.response.status_code == 429
