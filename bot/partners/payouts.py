"""Balance and withdrawals: `GET /balance`, `GET /withdrawals`, `POST /withdrawals` (no body).

The POST moves money, so it does not go through the client's generic helper: it is sent once,
never retried, never follows a redirect, and only a 2xx counts as success. Anything that leaves
its fate open (timeout, dropped connection after sending, 5xx, 3xx) raises `PartnersUnavailable`
with `maybe_applied=True`; the caller must re-read `/withdrawals` before anything is sent again.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import aiohttp
from pydantic import BaseModel, ConfigDict, Field

from bot.partners.client import PartnersClient
from bot.partners.errors import PartnersUnavailable, error_for_status
from bot.partners.models import Money
from bot.partners.reports import ApiTime

BALANCE = "/v2/partners/balance"
WITHDRAWALS = "/v2/partners/withdrawals"
MINIMUM_WITHDRAWAL = Decimal("50")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Balance(_Model):
    """`total` arrives as a string and the rest as numbers: all become Decimal."""

    pending: Money = Decimal(0)
    withdrawn: Money = Decimal(0)
    available: Money
    total: Money | None = None


class Payout(_Model):
    """One withdrawal; `paid_at` (the API's `action_timestamp`) is None until it is acted on."""

    withdrawal_id: int
    requested_at: ApiTime = Field(validation_alias="request_timestamp")
    paid_at: ApiTime = Field(default=None, validation_alias="action_timestamp")
    status: str = ""
    amount: Money
    invoice_id: str = ""
    paypal: str = ""


class _Withdrawals(_Model):
    result: list[Payout] = Field(default_factory=list)


async def balance(client: PartnersClient) -> Balance:
    body = await client._request("GET", BALANCE)
    return client._parse(Balance, body)


async def withdrawals(
    client: PartnersClient, date_from: date | None = None, date_to: date | None = None
) -> list[Payout]:
    """Withdrawals, newest first."""
    params = {}
    if date_from is not None:
        params["date_from"] = date_from.isoformat()
    if date_to is not None:
        params["date_to"] = date_to.isoformat()
    body = await client._request("GET", WITHDRAWALS, params=params or None)
    parsed: _Withdrawals = client._parse(_Withdrawals, body)
    return sorted(parsed.result, key=lambda p: (p.requested_at is not None, p.requested_at), reverse=True)


async def request_withdrawal(client: PartnersClient) -> Payout | None:
    """POST once, no body, no redirects; see the module docstring for what each failure means.

    None: the API accepted it (2xx) but its answer does not describe the withdrawal.
    """
    await client.start()
    session = client._session
    assert session is not None
    client.requests_sent += 1
    where = f"POST {WITHDRAWALS}"
    try:
        async with session.post(
            client.base_url + WITHDRAWALS,
            headers=client._headers(),
            timeout=client.timeout,
            allow_redirects=False,
        ) as response:
            status = response.status
            text = await response.text()
    except TimeoutError:
        raise PartnersUnavailable(
            f"The Partners API did not answer {where} in time", maybe_applied=True
        ) from None
    except aiohttp.ClientError as exc:
        raise PartnersUnavailable(
            f"Could not reach the Partners API ({type(exc).__name__})",
            maybe_applied=not isinstance(exc, aiohttp.ClientConnectorError),
        ) from None
    if 300 <= status < 400:
        raise PartnersUnavailable(
            f"The Partners API answered {where} with a redirect (HTTP {status}), which is not followed",
            status=status,
            maybe_applied=True,
        )
    if status >= 400:
        # The error body's shape is undocumented and never shown: the status says what happened.
        error = error_for_status(status, f"The Partners API answered {where} with HTTP {status}")
        if isinstance(error, PartnersUnavailable):
            error.maybe_applied = True
        raise error
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError:
        body = None
    try:
        return Payout.model_validate(body)
    except ValueError:
        return None  # 2xx is success whatever the body says; the caller re-reads to learn more
