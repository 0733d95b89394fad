"""pydantic models of the Partners API answers the bot uses (see docs/partners-api.md).

Both documented earnings shapes (2018's flat one and today's with per-program breakdowns) parse
into one `Earnings`. Amounts become `Decimal` whether they arrive as ints, floats or numeric
strings; timestamps (`"YYYY-MM-DD HH:MM:SS"`, no zone) become aware UTC datetimes, `""` None;
unknown fields are ignored so new API fields never break the bot.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator


def _to_decimal(value: object) -> object:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("an amount, not a boolean")
    if isinstance(value, int | float):
        # str() keeps the float's short repr (641.5), not its binary expansion.
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(",", ""))
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {value!r}") from exc
    raise ValueError(f"not an amount: {type(value).__name__}")


def _to_count(value: object) -> object:
    # /solutions/summary sends its counts as strings ("12"); elsewhere they are numbers.
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


Money = Annotated[Decimal, BeforeValidator(_to_decimal)]
Count = Annotated[int, BeforeValidator(_to_count)]

PRODUCTS = ("livechat", "chatbot", "partner_program")
PRODUCT_NAMES = {
    "livechat": "LiveChat",
    "chatbot": "ChatBot",
    "helpdesk": "HelpDesk",
    "partner_program": "Partner Program",
}


def _to_datetime(value: object) -> object:
    """API timestamps carry no zone: they are UTC. `""` means "not yet"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str) and value.strip().isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    return value


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


Timestamp = Annotated[datetime | None, BeforeValidator(_to_datetime), AfterValidator(_as_utc)]


def _to_str(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


IdText = Annotated[str, BeforeValidator(_to_str)]


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ProductEarnings(ApiModel):
    """Commission for one product within a program."""

    commission_total: Money | None = None
    commission_last_30_days: Money | None = None
    discount: Money | None = None


class ProgramEarnings(ApiModel):
    """Commission for the affiliate or the solution (reseller) program, with products."""

    commission_total: Money | None = None
    commission_last_30_days: Money | None = None
    products: dict[str, ProductEarnings] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _collect_products(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        products = {k: v for k, v in data.items() if isinstance(v, dict)}
        rest = {k: v for k, v in data.items() if not isinstance(v, dict)}
        return {**rest, "products": products}


class Earnings(ApiModel):
    """The partner's money, normalised from either documented shape."""

    balance: Money
    pending: Money = Decimal(0)
    blocked: Money = Decimal(0)
    withdrawals: Money = Decimal(0)
    commission_total: Money
    commission_last_30_days: Money | None = None
    discount: Money | None = None
    affiliate: ProgramEarnings | None = None
    solution: ProgramEarnings | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_2018_shape(cls, data: Any) -> Any:
        if isinstance(data, dict) and "commission_total" not in data and "commission" in data:
            data = {**data, "commission_total": data["commission"]}
        return data

    @property
    def programs(self) -> dict[str, ProgramEarnings]:
        """The per-program breakdowns the API sent, by program name."""
        found = {"affiliate": self.affiliate, "solution": self.solution}
        return {name: program for name, program in found.items() if program is not None}


class Coupon(ApiModel):
    id: int
    label: str


def _discount_label(value: object) -> object:
    # The API's `discount` is a label ("30% off first payment") or "", never an amount.
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a coupon label, not a number")
    return value


class Campaign(ApiModel):
    """An affiliate campaign with its tracking links (the list and the create answers)."""

    product: str
    name: str
    slug: str
    url: str | None = None
    short_url: str | None = None
    creation_timestamp: Timestamp = None
    trial_duration: int | None = None
    discount: Annotated[str, BeforeValidator(_discount_label)] = ""
    active: bool = True


class CampaignSearchHit(ApiModel):
    """One `campaigns/search` result: the only place a campaign's id is given."""

    id: int
    name: str = ""
    product: str = ""
    slug: str = ""
    created_at: Timestamp = None
    landing_page_url: str | None = None
    is_default: bool = False
    region: str | None = None


class CampaignSearchPage(ApiModel):
    results: list[CampaignSearchHit] = Field(default_factory=list)
    total: int = 0
    limit: int = 15


class License(ApiModel):
    """A solution (reseller) license of a client, as the license list gives it."""

    license: IdText
    product: str
    client_name: str = ""
    client_email: str = ""
    creation_timestamp: Timestamp = None
    end_timestamp: Timestamp = None
    cc_added: bool = False
    paid: bool = False
    payment_origin: str = "client"
    status: str = ""

    @property
    def subscribable(self) -> bool:
        """A partner-paid LiveChat trial, unpaid: the bot subscribes through the livechat path."""
        return self.product == "livechat" and _subscribable(self.status, self.payment_origin, self.paid)

    @property
    def partner_trial(self) -> bool:
        """A trial the partner pays for and has not subscribed yet, of any product (trial alerts)."""
        return _subscribable(self.status, self.payment_origin, self.paid)

    @property
    def has_subscription(self) -> bool:
        return self.paid or self.status == "paid"


def _subscribable(status: str, payment_origin: str, paid: bool) -> bool:
    return status == "trial" and payment_origin == "partner" and not paid


class InvitedAgent(ApiModel):
    email: str = ""


class LicenseDetails(ApiModel):
    """One license's details. No `product` field: the product is part of the request path."""

    license: IdText
    client_name: str = ""
    client_email: str = ""
    purchase_order: str | None = None
    payment_origin: str = "client"
    creation_timestamp: Timestamp = None
    end_timestamp: Timestamp = None
    conversations: int | None = None
    conversations_last_30_days: int | None = None
    cc_added: bool = False
    paid: bool = False
    ql: bool = False
    seats: Count | None = None
    plan: str | None = None
    billing_cycle: str | None = None
    total_discount: Money | None = None
    discount_percent: Money | None = None
    total_commission: Money | None = None
    commission_percent: Money | None = None
    data_center: str | None = None
    status: str = ""
    invited_agents: list[InvitedAgent] = Field(default_factory=list)

    @property
    def subscribable(self) -> bool:
        """`status == "trial"`, partner-paid and not paid, as the reference defines it."""
        return _subscribable(self.status, self.payment_origin, self.paid)

    @property
    def has_subscription(self) -> bool:
        """What a re-check after an unknown outcome looks at: paid, or no longer a trial but paid."""
        return self.paid or self.status == "paid"


class Profile(ApiModel):
    partner_id: IdText = ""
    login: str = ""
    first_name: str = ""
    last_name: str = ""
    contact_name: str = ""
    contact_email: str = ""
    solution_status: str = ""
    properties: dict[str, Any] = Field(default_factory=dict)
