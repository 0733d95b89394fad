"""The per-campaign funnel behind `/campaign stats`: rates, ordering, top N and totals.

Rates are Decimal ratios (None when the step before had nothing, so 0 trials never shows a
made-up 0% paid rate); formatting happens in the builders.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.partners.reports import CampaignPerformance

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30
TOP = 10


class PeriodError(ValueError):
    """The period the user typed is not one of 7, 30 or 90 days."""


def parse_days(words: list[str]) -> int:
    """`[]` → 30; `["7"]`, `["90", "days"]`, `["7d"]` → 7/90/7; anything else raises `PeriodError`."""
    if not words:
        return DEFAULT_DAYS
    text = words[0].lower().removesuffix("days").removesuffix("d")
    extra_ok = len(words) == 1 or (len(words) == 2 and words[1].lower() in ("days", "day"))
    if not extra_ok or not text.isdigit() or int(text) not in PERIODS:
        raise PeriodError(
            f"`{' '.join(words)}` is not a period I can show. Use `/campaign stats` (30 days), "
            "`/campaign stats 7` or `/campaign stats 90`."
        )
    return int(text)


def rate(part: int, whole: int) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


@dataclass(frozen=True)
class FunnelRow:
    name: str
    product: str
    clicks: int
    trials: int
    paid: int
    commission: Decimal

    @property
    def click_to_trial(self) -> Decimal | None:
        return rate(self.trials, self.clicks)

    @property
    def trial_to_paid(self) -> Decimal | None:
        return rate(self.paid, self.trials)


@dataclass(frozen=True)
class Funnel:
    days: int
    top: list[FunnelRow]  # campaigns with clicks, by commission, at most TOP
    more: int  # campaigns with clicks beyond the top
    no_clicks: list[str]  # names of campaigns that had no clicks
    total: FunnelRow


def build_funnel(rows: list[CampaignPerformance], days: int, top: int = TOP) -> Funnel:
    funnel = [
        FunnelRow(
            r.campaign_name or r.utm_campaign or "(unnamed)",
            r.product,
            r.clicks,
            r.trials,
            r.paid,
            r.commission,
        )
        for r in rows
    ]
    active = sorted((r for r in funnel if r.clicks > 0), key=lambda r: (-r.commission, -r.clicks, r.name))
    total = FunnelRow(
        "Total",
        "",
        sum(r.clicks for r in funnel),
        sum(r.trials for r in funnel),
        sum(r.paid for r in funnel),
        sum((r.commission for r in funnel), Decimal(0)),
    )
    no_clicks = sorted(r.name for r in funnel if r.clicks == 0)
    return Funnel(days, active[:top], max(0, len(active) - top), no_clicks, total)
