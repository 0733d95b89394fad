"""What users read when something goes wrong: one sentence saying what happened and what to do."""

from __future__ import annotations

from bot.partners.errors import (
    PartnersAuthError,
    PartnersError,
    PartnersForbidden,
    PartnersNotFound,
    PartnersUnavailable,
)
from bot.slack.errors import TOKEN_ERRORS

API_DOWN = "LiveChat's Partners API is not answering; try again in a minute."
BAD_TOKEN = "The Partners API rejected the token — ask an admin to check PARTNERS_API_TOKEN."
UNEXPECTED = "Something went wrong on our side and it has been logged. Try again in a minute."


def partners_error_text(error: PartnersError) -> str:
    """A user-facing sentence for a Partners API failure; never includes the token."""
    if isinstance(error, PartnersAuthError):
        return BAD_TOKEN
    if isinstance(error, PartnersUnavailable):
        if error.status is not None and error.status < 500 and error.status != 429:
            return f"LiveChat's Partners API sent an answer Partners Bot does not understand. {UNEXPECTED}"
        return API_DOWN
    if isinstance(error, PartnersForbidden):
        return f"LiveChat refused that: {error.message}"
    if isinstance(error, PartnersNotFound):
        return (
            f"LiveChat could not find that ({error.message}). If this keeps happening for every "
            "command, ask an admin to check PARTNERS_API_URL."
        )
    return f"LiveChat said: {error.message}"


SLACK_TIMEOUT = (
    "Slack did not answer in time, so the message may or may not have been posted. "
    "Check the channel before trying again."
)


def slack_error_text(error: str) -> str:
    """A user-facing sentence for a Slack Web API error code that retrying will not fix."""
    if error == "missing_scope":
        return "Partners Bot lacks a Slack permission for that. Ask an admin to reinstall the app from manifest.yml."
    if error in TOKEN_ERRORS:
        return (
            f"Slack rejected Partners Bot's token (`{error}`). Ask an admin to check SLACK_BOT_TOKEN, "
            "or to reinstall the app if it was removed."
        )
    if error == "ratelimited":
        return "Slack is rate-limiting Partners Bot right now; try again in a minute."
    return f"Slack refused the post ({error}). {UNEXPECTED}"
