"""Turn the commission report into one entry per calendar month (UTC), gaps filled with None.

The report lists periods that had commission; a month it leaves out, or lists at 0, earned
nothing and is shown as such. The current month is included and marked as still running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from bot.partners.reports import CommissionPeriod

MIN_MONTHS, MAX_MONTHS, DEFAULT_MONTHS = 3, 24, 6


@dataclass(frozen=True)
class MonthCommission:
    month: date  # the first day of the month
    commission: Decimal | None  # None: nothing earned that month
    change: Decimal | None  # vs the month before; None for the first month shown
    current: bool = False  # the month is still running

    @property
    def amount(self) -> Decimal:
        return self.commission or Decimal(0)


@dataclass(frozen=True)
class History:
    months: list[MonthCommission]

    @property
    def total(self) -> Decimal:
        return sum((m.amount for m in self.months), Decimal(0))

    @property
    def best(self) -> MonthCommission | None:
        earning = [m for m in self.months if m.commission]
        return max(earning, key=lambda m: (m.amount, m.month)) if earning else None


class MonthsError(ValueError):
    """The month count the user typed is not usable; the message says what to type."""


def parse_months(words: list[str]) -> int:
    """`[]` → 6; `["12"]` → 12; anything outside 3-24 raises `MonthsError`."""
    if not words:
        return DEFAULT_MONTHS
    text = words[0].lower().removesuffix("months").removesuffix("m").strip()
    if (
        len(words) > 2
        or (len(words) == 2 and words[1].lower() not in ("months", "month"))
        or not text.isdigit()
    ):
        raise MonthsError(
            f"`{' '.join(words)}` is not a number of months. Use `/earnings history` for {DEFAULT_MONTHS} months "
            f"or `/earnings history 12` for any number from {MIN_MONTHS} to {MAX_MONTHS}."
        )
    months = int(text)
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise MonthsError(
            f"`{months}` months is out of range: I can show {MIN_MONTHS} to {MAX_MONTHS}. "
            "Write it like `/earnings history 12`."
        )
    return months


def month_starts(now: datetime, count: int) -> list[date]:
    """The first days of the `count` months ending with `now`'s month (UTC), oldest first."""
    today = now.astimezone(UTC).date()
    starts = []
    for back in range(count - 1, -1, -1):
        index = today.year * 12 + today.month - 1 - back
        year, month = divmod(index, 12)
        starts.append(date(year, month + 1, 1))
    return starts


def window(now: datetime, count: int) -> tuple[datetime, datetime]:
    """The report's `date_from` (start of the oldest month) and `date_to` (now), UTC."""
    first = month_starts(now, count)[0]
    return datetime(first.year, first.month, 1, tzinfo=UTC), now.astimezone(UTC)


def build_history(periods: list[CommissionPeriod], now: datetime, count: int) -> History:
    by_month: dict[date, Decimal] = {}
    for period in periods:
        start = period.start.date().replace(day=1)
        by_month[start] = by_month.get(start, Decimal(0)) + period.total
    starts = month_starts(now, count)
    months: list[MonthCommission] = []
    previous: Decimal | None = None
    for index, start in enumerate(starts):
        amount = by_month.get(start)
        commission = amount if amount else None
        current = commission or Decimal(0)
        change = None if index == 0 else current - (previous or Decimal(0))
        months.append(MonthCommission(start, commission, change, current=index == len(starts) - 1))
        previous = current
    return History(months)
