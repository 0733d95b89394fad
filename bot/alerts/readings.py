"""Typed readings of two documented Partners API answers the adapter does not model yet.

`GET /v2/partners/solutions/licenses` (each license's `status`, `payment_origin`, `end_timestamp`)
and `GET /v2/partners/withdrawals` (`withdrawal_id`, `request_timestamp`, …), in the shapes of
`shared/partners-api.md`. They go through the adapter's one request path (auth, retries, error
taxonomy); only the parsing is here. Timestamps are `"YYYY-MM-DD HH:MM:SS"` in UTC, `""` for none.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, ValidationError

from bot.partners import PartnersClient
from bot.partners.errors import PartnersUnavailable
from bot.partners.models import Money

API_TIME = "%Y-%m-%d %H:%M:%S"


def parse_api_time(value: object) -> datetime | None:
    """`"2023-06-14 12:39:40"` → that instant in UTC (never the host's zone); `""`/None → None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        raise ValueError("a timestamp string")
    text = value.strip()
    try:
        return datetime.strptime(text, API_TIME).replace(tzinfo=UTC)
    except ValueError:
        # ISO 8601 with a zone (older sandboxes, proxies) is unambiguous too.
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


ApiTime = Annotated[datetime | None, BeforeValidator(parse_api_time)]


def _to_str(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class _Reading(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LicenseFact(_Reading):
    """One solution license as listed: who, which product, who pays, its status, when the trial ends."""

    license: Annotated[str, BeforeValidator(_to_str)]
    product: str = "livechat"
    client_name: str = ""
    client_email: str = ""
    paid: bool = False
    payment_origin: str = "client"
    status: str = ""
    end_timestamp: ApiTime = None

    @property
    def partner_trial(self) -> bool:
        """A trial the partner pays for and has not subscribed yet: what the alerts are about."""
        return self.payment_origin == "partner" and self.status == "trial" and not self.paid

    @property
    def subscribed(self) -> bool:
        return self.paid or self.status == "paid"


class WithdrawalRecord(_Reading):
    """A payout request; `action_timestamp` stays None until LiveChat acted on it."""

    withdrawal_id: Annotated[str, BeforeValidator(_to_str)] = ""
    request_timestamp: ApiTime = None
    action_timestamp: ApiTime = None
    status: str = ""
    amount: Money
    invoice_id: str = ""


def _parse(model: Any, body: Any, what: str) -> Any:
    rows = body.get("result") if isinstance(body, dict) else None
    if not isinstance(rows, list):
        raise PartnersUnavailable(f"The Partners API sent {what} without a result list", status=200)
    try:
        return TypeAdapter(list[model]).validate_python(rows)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "body"
        raise PartnersUnavailable(
            f"The Partners API sent {what} the bot does not understand ({where}: {problem['msg']})",
            status=200,
        ) from None


async def license_facts(partners: PartnersClient) -> list[LicenseFact]:
    """Every solution license with its status and trial end (one GET, retried by the adapter)."""
    body = await partners._request("GET", "/v2/partners/solutions/licenses")
    return list(_parse(LicenseFact, body, "licenses"))


async def withdrawal_records(partners: PartnersClient) -> list[WithdrawalRecord]:
    """Payout requests, newest first."""
    body = await partners._request("GET", "/v2/partners/withdrawals")
    found: list[WithdrawalRecord] = _parse(WithdrawalRecord, body, "withdrawals")
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda w: w.request_timestamp or epoch, reverse=True)
