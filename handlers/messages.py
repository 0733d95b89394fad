"""What users read when something goes wrong: one sentence saying what happened and what to do."""

from __future__ import annotations

from bot.partners.errors import (
    PartnersAuthError,
    PartnersError,
    PartnersForbidden,
    PartnersNotFound,
    PartnersUnavailable,
)

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
        return f"LiveChat could not find that: {error.message}"
    return f"LiveChat said: {error.message}"
