"""Commission history and the per-campaign funnel (`reports/commission`, `affiliates/performance`).

Kept beside the client rather than in it: both are read-only GETs that go through the client's
own request helper (retries, error taxonomy, token handling), and parse exactly the documented
examples in `../shared/partners-api-examples/`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bot.partners.client import PartnersClient
from bot.partners.models import Money

Aggregation = Literal["day", "week", "month"]
COMMISSION_REPORT = "/v2/partners/reports/commission"
PERFORMANCE = "/v2/partners/affiliates/performance"
API_TIME = "%Y-%m-%d %H:%M:%S"


def parse_api_time(value: object) -> object:
    """`"YYYY-MM-DD HH:MM:SS"` (no zone: UTC by the docs) → aware UTC datetime; `""` → None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), API_TIME).replace(tzinfo=UTC)
        except ValueError:
            # Tolerate an ISO form with a zone (a proxy may re-serialise), still as UTC.
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return value


ApiTime = Annotated[datetime | None, BeforeValidator(parse_api_time)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class DateRange(_Model):
    start: ApiTime = Field(validation_alias="from")
    end: ApiTime = Field(validation_alias="to")


class CommissionPeriod(_Model):
    """Commission earned in one day, week or month of the report."""

    date_range: DateRange
    total: Money

    @property
    def start(self) -> datetime:
        assert self.date_range.start is not None
        return self.date_range.start


class CommissionReport(_Model):
    items: list[CommissionPeriod] = Field(default_factory=list)


class CampaignPerformance(_Model):
    """One campaign's funnel over the report's dates: clicks → trials → paid, and its commission."""

    product: str = ""
    campaign_name: str = ""
    utm_campaign: str = ""
    clicks: int = 0
    trials: int = 0
    qls: int = 0
    paid: int = 0
    partners_referred: int = 0
    commission: Money


class PerformanceReport(_Model):
    result: list[CampaignPerformance] = Field(default_factory=list)


def _api_instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def commission_report(
    client: PartnersClient, date_from: datetime, date_to: datetime, aggregation: Aggregation = "month"
) -> list[CommissionPeriod]:
    """Commission per period between two instants, oldest first."""
    params = {
        "date_from": _api_instant(date_from),
        "date_to": _api_instant(date_to),
        "aggregation": aggregation,
    }
    body = await client._request("GET", COMMISSION_REPORT, params=params)
    report: CommissionReport = client._parse(CommissionReport, body)
    return sorted(report.items, key=lambda item: item.start)


async def performance(client: PartnersClient, date_from: date, date_to: date) -> list[CampaignPerformance]:
    """Per-campaign funnel for the given dates (inclusive)."""
    params = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    body = await client._request("GET", PERFORMANCE, params=params)
    report: PerformanceReport = client._parse(PerformanceReport, body)
    return list(report.result)
