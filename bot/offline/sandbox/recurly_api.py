"""Fake Recurly.js token endpoint (``GET /js/v1/token``).

Like the real one it answers failures with HTTP 200 and an ``error`` object, which is exactly the
case the bot must not mistake for success. Card numbers are checked and forgotten: only the last
four digits are kept with the issued token, and nothing here logs request data.
"""

from __future__ import annotations

import re
import time
from typing import Any

from aiohttp import web

from bot.offline.sandbox.state import SANDBOX_STATE
from bot.vault.card import luhn_valid

TEST_CARDS: dict[str, str] = {
    "4111111111111111": "success (Visa)",
    "5555555555554444": "success (Mastercard)",
    "4000000000000002": "declined",
    "4000000000000069": "declined: expired card",
}
"""Magic card numbers and what the sandbox does with them; any other Luhn-valid number succeeds."""

DECLINED_CARD = "4000000000000002"
EXPIRED_CARD = "4000000000000069"

REQUIRED_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "number",
    "month",
    "year",
    "verification_value",
    "address1",
    "city",
    "state",
    "zip",
    "country",
)
"""All required, as LiveChat's docs mark them."""


def card_brand(digits: str) -> str:
    """Rough brand detection, enough to label a token."""
    if digits.startswith("4"):
        return "visa"
    if re.match(r"5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720)", digits):
        return "master"
    if digits[:2] in ("34", "37"):
        return "american_express"
    return "unknown"


def _error(code: str, message: str, fields: list[str]) -> web.Response:
    """Recurly-style failure, deliberately with status 200."""
    return web.json_response({"error": {"code": code, "message": message, "fields": fields}}, status=200)


def _field_problems(query: Any) -> tuple[list[str], str]:
    """Return the invalid fields and the normalised card digits."""
    bad: list[str] = []
    digits = re.sub(r"[\s-]", "", query.get("number", ""))
    if not (digits.isdigit() and 12 <= len(digits) <= 19 and luhn_valid(digits)):
        bad.append("number")
    month = query.get("month", "").strip()
    if not (re.fullmatch(r"\d{1,2}", month) and 1 <= int(month) <= 12):
        bad.append("month")
    if not re.fullmatch(r"\d{4}", query.get("year", "").strip()):
        bad.append("year")
    if not re.fullmatch(r"\d{3,4}", query.get("verification_value", "").strip()):
        bad.append("verification_value")
    country = query.get("country", "").strip()
    if not re.fullmatch(r"[A-Za-z]{2}", country):
        bad.append("country")
    return bad, digits


async def get_token(request: web.Request) -> web.Response:
    """Tokenize a card: key, then missing fields, then format/Luhn, expiry and magic numbers."""
    state = request.app[SANDBOX_STATE]
    query = request.query
    if query.get("key", "") != state.recurly_public_key:
        return _error("invalid-parameter", "Public key not found", ["key"])
    missing = [name for name in REQUIRED_FIELDS if not query.get(name, "").strip()]
    if missing:
        return _error("validation", "Missing required fields: " + ", ".join(missing), missing)
    bad, digits = _field_problems(query)
    if bad:
        return _error("invalid-parameter", ", ".join(bad) + " is invalid", bad)
    now = time.gmtime(state.now())
    if (int(query["year"]), int(query["month"])) < (now.tm_year, now.tm_mon):
        return _error("invalid-parameter", "The card has expired", ["month", "year"])
    if digits == DECLINED_CARD:
        return _error("declined", "Your card was declined", [])
    if digits == EXPIRED_CARD:
        return _error("declined", "Your card has expired", ["month", "year"])
    issued = state.issue_token(last4=digits[-4:], brand=card_brand(digits))
    return web.json_response({"id": issued.id})


def add_recurly_routes(app: web.Application) -> None:
    """Mount the Recurly token route on ``app``."""
    app.add_routes([web.get("/js/v1/token", get_token)])
