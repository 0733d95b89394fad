"""What users read when something goes wrong: one sentence saying what happened and what to do."""

from __future__ import annotations

from bot.partners.errors import (
    PartnersAuthError,
    PartnersConflict,
    PartnersError,
    PartnersForbidden,
    PartnersNotFound,
    PartnersRateLimited,
    PartnersRedirected,
    PartnersUnavailable,
    PartnersValidationError,
)
from bot.slack.errors import TOKEN_ERRORS

API_DOWN = "LiveChat's Partners API is not answering; try again in a minute."
BAD_TOKEN = "The Partners API rejected the token — ask an admin to check PARTNERS_API_TOKEN."
UNEXPECTED = "Something went wrong on our side and it has been logged. Try again in a minute."


def partners_error_text(error: PartnersError) -> str:
    """A user-facing sentence per Partners API status; never the API's own text or the token.

    The API's error body is undocumented (it may echo what was sent, or be HTML), so what users and
    the audit log read is ours: the status's sentence plus, at most, the parameter names it flagged.
    """
    if isinstance(error, PartnersAuthError):
        return BAD_TOKEN
    if isinstance(error, PartnersRedirected):
        return (
            "LiveChat answered with a redirect, which Partners Bot does not follow for changes, so nothing "
            "was changed. Ask an admin to check PARTNERS_API_URL."
        )
    if isinstance(error, PartnersRateLimited):
        return "LiveChat is rate-limiting Partners Bot; nothing was changed. Try again in a minute."
    if isinstance(error, PartnersUnavailable):
        if error.status == 429:
            return "LiveChat is rate-limiting Partners Bot right now; try again in a minute."
        if error.status is not None and error.status < 500:
            return f"LiveChat's Partners API sent an answer Partners Bot does not understand. {UNEXPECTED}"
        return API_DOWN
    if isinstance(error, PartnersForbidden):
        return "LiveChat refused that: it is not allowed for this account (HTTP 403)."
    if isinstance(error, PartnersNotFound):
        return (
            "LiveChat could not find that (HTTP 404). If this keeps happening for every "
            "command, ask an admin to check PARTNERS_API_URL."
        )
    if isinstance(error, PartnersConflict):
        return "LiveChat says that already exists or clashes with its current state (HTTP 409)."
    if isinstance(error, PartnersValidationError):
        if error.fields:
            return f"LiveChat rejected these parameters: {', '.join(sorted(error.fields))}."
        return "LiveChat rejected the request's parameters (HTTP 400)."
    return f"LiveChat refused the request (HTTP {error.status})." if error.status else UNEXPECTED


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
