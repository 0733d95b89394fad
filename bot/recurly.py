"""Recurly.js token API: the vault's card → a one-time token for the subscription call.

The card travels in the query string (that is Recurly's API), so nothing here ever logs, formats
or attaches the request URL: errors are built after the request is over, from status and body
only, and never chain the aiohttp exception (whose text could include the URL).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import aiohttp
from pydantic import SecretStr

from bot.vault.card import Card

log = logging.getLogger(__name__)

TOKEN_PATH = "/js/v1/token"
UPDATE_CARD = "update it with `partners-bot cards import`"
FIELD_NAMES = {
    "number": "card number",
    "month": "expiry month",
    "year": "expiry year",
    "verification_value": "security code (CVV)",
    "first_name": "first name",
    "last_name": "last name",
    "address1": "address",
    "city": "city",
    "state": "state",
    "zip": "postal code",
    "country": "country",
    "key": "public key",
}


class RecurlyError(Exception):
    """The card could not be turned into a token; `user_text` is the sentence to show."""

    def __init__(
        self, code: str, message: str = "", fields: list[str] | None = None, *, status: int | None = None
    ):
        self.code = code
        self.fields = list(fields or [])
        self.status = status
        self.user_text = _user_text(code, message, self.fields)
        super().__init__(
            f"Recurly token failed: {code}" + (f" ({', '.join(self.fields)})" if self.fields else "")
        )

    def __repr__(self) -> str:
        return f"RecurlyError(code={self.code!r}, fields={self.fields!r}, status={self.status!r})"


def _user_text(code: str, message: str, fields: list[str]) -> str:
    """Our sentence for a refusal, judged from `fields` and the message as much as from `code`.

    Recurly's codes vary (`validation`, `invalid-parameter`, `declined`, `api-error`, …) and none
    is promised, so no list of codes decides; Recurly's own text is never shown.
    """
    lowered = f"{code} {message}".lower()
    if code == "timeout":
        return (
            "Recurly (the card processor) did not answer in time. Nothing was charged; try again in a minute."
        )
    if code == "unavailable":
        return "Recurly (the card processor) is not answering properly. Nothing was charged; try again in a minute."
    if "expired" in lowered:
        return f"The card has expired — {UPDATE_CARD}."
    if "declined" in lowered:
        return "Your card was declined. Check it with the bank, or import another card with `partners-bot cards import`."
    if "key" in fields or "public key" in lowered:
        return "Recurly did not accept the public key — an admin should check RECURLY_PUBLIC_KEY."
    if fields:
        names = ", ".join(FIELD_NAMES.get(f, f.replace("_", " ")) for f in fields)
        return f"Recurly rejected the card's {names} — {UPDATE_CARD}."
    return f"Recurly refused the card ({_safe_code(code)}). Nothing was charged."


def _safe_code(code: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", code.lower())[:40] or "error"


def _fields(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(f) for f in raw]
    if isinstance(raw, dict):
        return [str(f) for f in raw]
    return []


def _query(public_key: str, card: Card) -> dict[str, str]:
    query = {
        "key": public_key,
        "first_name": card.first_name,
        "last_name": card.last_name,
        "number": card.number.get_secret_value(),
        "month": f"{card.month:02d}",
        "year": str(card.year),
        "verification_value": card.cvv.get_secret_value(),
        "address1": card.address1,
        "city": card.city,
        # Required in LiveChat's docs like every other field: always sent (imports require it).
        "state": card.state,
        "zip": card.zip,
        "country": card.country,
    }
    return query


async def create_token(
    session: aiohttp.ClientSession,
    base_url: str,
    public_key: str,
    card: Card,
    *,
    timeout: float = 10.0,
) -> SecretStr:
    """A one-time Recurly token for `card`, or `RecurlyError` (also for status 200 with `error`)."""
    url = base_url.rstrip("/") + TOKEN_PATH
    failure: str | None = None
    status: int | None = None
    text = ""
    try:
        async with session.get(
            url, params=_query(public_key, card), timeout=aiohttp.ClientTimeout(total=timeout)
        ) as response:
            status = response.status
            text = await response.text()
    except TimeoutError:
        failure = "timeout"
    except aiohttp.ClientError as exc:
        # The exception's text may carry the URL (and so the card): keep only its class name.
        log.warning("Recurly token request failed: %s", type(exc).__name__)
        failure = "unavailable"
    if failure is not None:
        raise RecurlyError(failure, status=status)
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        log.warning("Recurly answered HTTP %s with something that is not a JSON object", status)
        raise RecurlyError("unavailable", status=status)
    error = body.get("error")
    token = body.get("id")
    if error is None and isinstance(token, str) and token and status == 200:
        return SecretStr(token)
    if isinstance(error, dict):
        code = str(error.get("code") or "error")
        raise RecurlyError(code, str(error.get("message") or ""), _fields(error.get("fields")), status=status)
    if isinstance(error, str):
        raise RecurlyError("error", error, status=status)
    if error is not None:
        raise RecurlyError("error", status=status)
    raise RecurlyError("unavailable" if status is None or status >= 500 else "error", status=status)
