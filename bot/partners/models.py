"""pydantic models of the Partners API answers the bot uses.

Both documented earnings shapes (2018's flat one and today's with per-program breakdowns) parse
into one `Earnings`. Amounts become `Decimal` whether they arrive as ints, floats or numeric
strings; unknown fields are ignored so new API fields never break the bot.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator


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


Money = Annotated[Decimal, BeforeValidator(_to_decimal)]

PRODUCTS = ("livechat", "chatbot", "partner_program")
PRODUCT_NAMES = {"livechat": "LiveChat", "chatbot": "ChatBot", "partner_program": "Partner Program"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ProductEarnings(_Model):
    """Commission for one product within a program."""

    commission_total: Money | None = None
    commission_last_30_days: Money | None = None
    discount: Money | None = None


class ProgramEarnings(_Model):
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


class Earnings(_Model):
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


class Coupon(_Model):
    id: int
    label: str


def _to_datetime(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str) and value.isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    return value


class Campaign(_Model):
    """An affiliate campaign with its tracking links."""

    product: str
    name: str
    slug: str
    url: str | None = None
    short_url: str | None = None
    creation_timestamp: Annotated[datetime | None, BeforeValidator(_to_datetime)] = None
    trial_duration: int | None = None
    discount: Money | None = None
    active: bool = True


def _to_str(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class License(_Model):
    """A solution (reseller) license of a client."""

    license: Annotated[str, BeforeValidator(_to_str)]
    product: str
    client_name: str = ""
    client_email: str = ""
    cc_added: bool = False
    paid: bool = False
    payment_origin: str = "client"
    blocked: bool = False
    active: bool = True

    @property
    def subscribable(self) -> bool:
        """A partner-paid LiveChat trial the partner can turn into a paid subscription."""
        return (
            self.product == "livechat"
            and self.payment_origin == "partner"
            and not self.paid
            and self.active
            and not self.blocked
        )


class LicenseDetails(License):
    """One license's details; `plan`, `seats` and `billing_cycle` when it has a subscription."""

    seats: int | None = None
    plan: str | None = None
    billing_cycle: str | None = None
    status: str | None = None

    @field_validator("seats", mode="before")
    @classmethod
    def _seats(cls, value: object) -> object:
        return int(value) if isinstance(value, str) and value.isdigit() else value


class Withdrawal(_Model):
    amount: Money
    status: str | None = None
    created: Annotated[datetime | None, BeforeValidator(_to_datetime)] = Field(
        default=None, validation_alias="creation_timestamp"
    )


class Profile(_Model):
    partner_id: Annotated[str, BeforeValidator(_to_str)] = ""
    login: str = ""
    name: str | None = None
