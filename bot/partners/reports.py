"""Models of the money and report endpoints: balance, withdrawals, commission, performance, counts.

Shapes are the documented example responses (`../shared/partners-api-examples`). Amounts are
`Decimal` whether they arrive as numbers or numeric strings (`/balance` `total`, the solution summary).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from bot.partners.models import ApiModel, Count, IdText, Money, Timestamp


class Balance(ApiModel):
    pending: Money
    withdrawn: Money
    available: Money
    total: Money


class Withdrawal(ApiModel):
    """A payout request; `action_timestamp` is None until LiveChat acted on it."""

    withdrawal_id: int
    request_timestamp: Timestamp = None
    action_timestamp: Timestamp = None
    status: str = ""
    amount: Money
    invoice_id: str | None = None
    paypal: str | None = None


class DateRange(ApiModel):
    from_: Timestamp = Field(default=None, alias="from")
    to: Timestamp = None


class CommissionPeriod(ApiModel):
    date_range: DateRange
    total: Money

    @property
    def start(self) -> datetime:
        """When the day, week or month began (UTC)."""
        assert self.date_range.from_ is not None
        return self.date_range.from_


class CommissionReport(ApiModel):
    items: list[CommissionPeriod] = Field(default_factory=list)

    def periods(self) -> list[CommissionPeriod]:
        """The dated periods, oldest first."""
        return sorted((p for p in self.items if p.date_range.from_ is not None), key=lambda p: p.start)


class CommissionMetric(ApiModel):
    value: Money


class CampaignPerformance(ApiModel):
    """One campaign's funnel in the affiliate performance report."""

    product: str
    campaign_name: str = ""
    utm_campaign: str = ""
    utm_medium: str = ""
    utm_content: str = ""
    utm_term: str = ""
    clicks: int = 0
    trials: int = 0
    qls: int = 0
    paid: int = 0
    partners_referred: int = 0
    commission: Money


class ProductStats(ApiModel):
    trials: int = 0
    trials_cc: int = 0
    paid: int = 0
    partners_referred: int | None = None


class Stats(ApiModel):
    """License counts per program and product (`GET /v2/partners/stats`)."""

    affiliate: dict[str, ProductStats] = Field(default_factory=dict)
    solution: dict[str, ProductStats] = Field(default_factory=dict)


class LicenseCounts(ApiModel):
    """`solutions/licenses/count` and `affiliates/summary`: trials, paid, expired."""

    trials: Count = 0
    paid: Count = 0
    expired: Count = 0


class SolutionSummary(LicenseCounts):
    """The same counts plus money; every value arrives as a string."""

    commission: Money
    discount: Money


class StatusLicense(ApiModel):
    """One row of `solutions/licenses/<status>` (note `license_id`, not `license`)."""

    license_id: IdText
    status: str = ""
    product: str = ""
    client_name: str = ""
    client_email: str = ""
    payment_origin: str = ""
    creation_timestamp: Timestamp = None
    conversion_timestamp: Timestamp = None
    expiration_timestamp: Timestamp = None


class StatusLicensePage(ApiModel):
    results: list[StatusLicense] = Field(default_factory=list)
    next_cursor: str | None = None


class Invoice(ApiModel):
    invoice_no: IdText
    date: Timestamp = None
    plan: str = ""
    seats: Count = 0
    billing_cycle: str = ""
    amount: Money
    status: str = ""
