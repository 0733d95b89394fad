"""What one digest run needs beyond the daily digest: each channel's cadence, the commission of
each covered period (one report call per distinct period, shared by every channel), and the
payouts paid since the previous digest (one `/withdrawals` call per run). All best effort: a
report that cannot be read leaves its section out instead of holding the digest back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.clock import Clock
from bot.digest.period_blocks import periodic_message
from bot.digest.period_store import PeriodStore
from bot.digest.periods import DAILY, Cadence, covered, shift
from bot.digest.schedule import Schedule, scheduled_at
from bot.partners import PartnersClient
from bot.partners.errors import PartnersError
from bot.partners.reports import Withdrawal
from bot.storage import Database

log = logging.getLogger(__name__)


class PeriodRun:
    def __init__(self, db: Database, partners: PartnersClient, clock: Clock, locale: str):
        self.partners = partners
        self.clock = clock
        self.locale = locale
        self.store = PeriodStore(db, clock)
        self.cadences: dict[str, Cadence] = {}
        self._totals: dict[tuple[datetime, datetime], asyncio.Task[Decimal | None]] = {}
        self._payouts: asyncio.Task[list[Withdrawal]] | None = None

    def reset(self) -> None:
        """A new run: figures are fetched again (the cadences are loaded by `load`)."""
        self._totals.clear()
        self._payouts = None

    async def load(self, channel_ids: Collection[str]) -> None:
        self.cadences = await self.store.many(channel_ids)

    def cadence(self, channel_id: str) -> Cadence:
        return self.cadences.get(channel_id, DAILY)

    async def _total(self, start: datetime, end: datetime, aggregation: str) -> Decimal | None:
        try:
            items = (await self.partners.commission_report(start, end, aggregation)).periods()  # type: ignore[arg-type]
        except PartnersError as exc:
            log.warning("digest: commission report %s..%s failed: %r", start, end, exc)
            return None
        return sum((item.total for item in items), Decimal(0))

    def total(self, start: datetime, end: datetime, aggregation: str) -> asyncio.Task[Decimal | None]:
        key = (start, end)
        if key not in self._totals:
            self._totals[key] = asyncio.ensure_future(self._total(start, end, aggregation))
        return self._totals[key]

    async def decorate(
        self, channel_id: str, occurrence: date, schedule: Schedule, message: dict[str, Any]
    ) -> dict[str, Any]:
        """A weekly/monthly channel's message gets the period's commission; daily is unchanged."""
        cadence = self.cadence(channel_id)
        if cadence.period == "daily":
            return message
        span = covered(cadence, occurrence, schedule.zone)
        aggregation = "week" if cadence.period == "weekly" else "month"
        # The report's date_to is inclusive: end a second before the next period starts.
        one_second = timedelta(seconds=1)
        current, previous = await asyncio.gather(
            asyncio.shield(self.total(span.start, span.end - one_second, aggregation)),
            asyncio.shield(self.total(span.previous_start, span.start - one_second, aggregation)),
        )
        return periodic_message(message, cadence, span, current, previous, locale=self.locale)

    async def _fetch_payouts(self) -> list[Withdrawal]:
        try:
            return await self.partners.withdrawals()
        except PartnersError as exc:
            log.warning("digest: withdrawals could not be read: %r", exc)
            return []

    async def paid_since_previous(
        self, channel_id: str, occurrence: date, schedule: Schedule
    ) -> list[Withdrawal]:
        """Payouts paid between the previous digest's scheduled instant and now."""
        if self._payouts is None:
            self._payouts = asyncio.ensure_future(self._fetch_payouts())
        payouts = await asyncio.shield(self._payouts)
        since = scheduled_at(schedule, shift(self.cadence(channel_id), occurrence, -1))
        now = self.clock.now()
        return [
            p
            for p in payouts
            if p.status == "paid" and p.action_timestamp is not None and since <= p.action_timestamp <= now
        ]
