"""Reads and writes each channel's digest cadence (`digest_periods`; no row means daily)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select

from bot.clock import Clock
from bot.digest.period_tables import DigestPeriod
from bot.digest.periods import DAILY, Cadence
from bot.storage.db import Database

CHUNK = 400


class PeriodStore:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    async def set(self, channel_id: str, cadence: Cadence) -> None:
        """Record the channel's cadence (daily removes the row). Call after `DigestStore.enable`."""
        async with self.db.session() as session:
            await session.execute(delete(DigestPeriod).where(DigestPeriod.channel_id == channel_id))
            if cadence.period != "daily":
                session.add(
                    DigestPeriod(
                        channel_id=channel_id,
                        period=cadence.period,
                        weekday=cadence.weekday,
                        day_of_month=cadence.day,
                        updated_at=self.clock.now(),
                    )
                )

    async def get(self, channel_id: str) -> Cadence:
        return (await self.many([channel_id])).get(channel_id, DAILY)

    async def many(self, channel_ids: Collection[str]) -> dict[str, Cadence]:
        """The non-daily cadences among these channels."""
        found: dict[str, Cadence] = {}
        ids = sorted(set(channel_ids))
        for start in range(0, len(ids), CHUNK):
            query = select(DigestPeriod).where(DigestPeriod.channel_id.in_(ids[start : start + CHUNK]))
            async with self.db.session() as session:
                for row in (await session.execute(query)).scalars():
                    found[row.channel_id] = Cadence(row.period, row.weekday, row.day_of_month)  # type: ignore[arg-type]
        return found
