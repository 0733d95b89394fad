"""Digest persistence: channel schedules, earnings snapshots and the per-(channel, day) delivery claim.

The claim is the row itself. `claim()` inserts (channel, local date) rows with ON CONFLICT DO NOTHING
and keeps the ones it inserted, so across replicas sharing a database exactly one wins each. A row
can change hands only by a conditional UPDATE whose WHERE clause is `claimable()` in SQL (batched,
FOR UPDATE SKIP LOCKED on PostgreSQL):
- `claimed` without a message ts, older than `takeover_after` → its owner died; take it over;
- `failed` whose `next_attempt_at` has come → retry it;
- `sent` (ts recorded) or `disabled` → never again.
Claiming a batch costs the same few statements whatever its size (no query per channel).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Update, and_, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.clock import Clock
from bot.digest.schedule import Schedule
from bot.partners.models import Earnings
from bot.storage.db import Database
from bot.storage.digest_tables import DeliveryState, DigestChannel, DigestDelivery, EarningsSnapshot

# The delivery statements run per batch and per send: as Core statements on the table they skip the
# ORM's per-statement entity and bulk-DML machinery (a third of their CPU in a replica's profile).
DELIVERIES = DigestDelivery.__table__
CHUNK = 400  # rows per statement: well under SQLite's and asyncpg's bound-parameter limits
# Snapshots older than this are deleted unless a channel's latest sent digest still points at one
# (tomorrow's deltas are computed from it, however long ago that digest went out).
SNAPSHOT_RETENTION = timedelta(days=40)

_AMOUNTS = (
    "balance",
    "pending",
    "blocked",
    "withdrawals",
    "commission_total",
    "commission_last_30_days",
    "discount",
)


@dataclass(frozen=True)
class ChannelDigest:
    """A channel's digest settings as stored."""

    channel_id: str
    time_of_day: str
    tz: str
    enabled: bool
    set_by: str
    active_from: datetime
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def schedule(self) -> Schedule:
        return Schedule.of(self.time_of_day, self.tz, self.active_from)

    @classmethod
    def of(cls, row: DigestChannel) -> ChannelDigest:
        return cls(
            row.channel_id,
            row.time_of_day,
            row.tz,
            row.enabled,
            row.set_by,
            row.active_from,
            row.disabled_reason,
            row.created_at,
            row.updated_at,
        )


@dataclass(frozen=True)
class Delivery:
    """One channel's digest for one local date, as stored."""

    id: int
    channel_id: str
    local_date: date
    state: str
    claimed_by: str
    claimed_at: datetime
    attempts: int
    scheduled_at: datetime
    snapshot_id: int | None
    message_ts: str | None
    error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None

    @classmethod
    def of(cls, row: DigestDelivery) -> Delivery:
        return cls(
            row.id,
            row.channel_id,
            date.fromisoformat(row.local_date),
            row.state,
            row.claimed_by,
            row.claimed_at,
            row.attempts,
            row.scheduled_at,
            row.snapshot_id,
            row.message_ts,
            row.error,
            row.next_attempt_at,
            row.sent_at,
        )


@dataclass(frozen=True)
class DueKey:
    """A digest that should go out: which channel, for which local date, scheduled when."""

    channel_id: str
    local_date: date
    scheduled_at: datetime


def snapshot_payload(earnings: Earnings) -> dict[str, Any]:
    """Earnings in the API's own shape with amounts as exact decimal strings."""
    data: dict[str, Any] = {
        name: str(getattr(earnings, name)) for name in _AMOUNTS if getattr(earnings, name) is not None
    }
    for name, program in earnings.programs.items():
        entry: dict[str, Any] = {
            key: str(value)
            for key in ("commission_total", "commission_last_30_days")
            if (value := getattr(program, key)) is not None
        }
        for product, figures in program.products.items():
            entry[product] = {k: str(v) for k, v in figures.model_dump().items() if v is not None}
        data[name] = entry
    return data


def _key_order(key: DueKey) -> tuple[str, date]:
    return (key.channel_id, key.local_date)


def retry_delay(attempts: int) -> timedelta:
    """Backoff between failed attempts of one day's digest: 2, 4, 8, 16, 32, then 60 minutes."""
    return timedelta(minutes=min(2 ** max(attempts, 1), 60))


class DigestStore:
    """Reads and writes the digest tables; every method is one short transaction."""

    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    # Settings ----------------------------------------------------------------------------------

    async def enable(self, channel_id: str, time_of_day: str, tz: str, user_id: str) -> ChannelDigest:
        """Turn the channel's digest on (or change its schedule); nothing scheduled before now is sent.

        Anything scheduled from now on is due, today's digest included.
        """
        now = self.clock.now()
        async with self.db.session() as session:
            row = await session.get(DigestChannel, channel_id, with_for_update=not self.db.is_sqlite)
            if row is None:
                row = DigestChannel(channel_id=channel_id, created_at=now)
                session.add(row)
            row.time_of_day = time_of_day
            row.tz = tz
            row.enabled = True
            row.set_by = user_id
            row.active_from = now
            row.disabled_reason = None
            row.updated_at = now
            # A digest Slack refused (then turned off) never went out: forget that refusal, so today's
            # digest is due again when today's time is still to come.
            await session.execute(
                delete(DigestDelivery).where(
                    DigestDelivery.channel_id == channel_id,
                    DigestDelivery.state == DeliveryState.DISABLED,
                    DigestDelivery.message_ts.is_(None),
                )
            )
            await session.flush()
            return ChannelDigest.of(row)

    async def disable(self, channel_id: str, reason: str) -> ChannelDigest | None:
        """Turn the channel's digest off, recording why; None when it was never set up."""
        async with self.db.session() as session:
            row = await session.get(DigestChannel, channel_id)
            if row is None:
                return None
            row.enabled = False
            row.disabled_reason = reason
            row.updated_at = self.clock.now()
            await session.flush()
            return ChannelDigest.of(row)

    async def channel(self, channel_id: str) -> ChannelDigest | None:
        async with self.db.session() as session:
            row = await session.get(DigestChannel, channel_id)
            return ChannelDigest.of(row) if row else None

    async def enabled_channels(self, only: Collection[str] | None = None) -> list[ChannelDigest]:
        # Core rows, not ORM objects: every tick of every replica reads all of them.
        channels = DigestChannel.__table__
        query = select(channels).where(channels.c.enabled.is_(True))
        if only:
            query = query.where(channels.c.channel_id.in_(list(only)))
        async with self.db.session() as session:
            rows = (await session.execute(query.order_by(channels.c.channel_id))).all()
            return [ChannelDigest.of(row) for row in rows]

    # Snapshots -------------------------------------------------------------------------------

    async def add_snapshot(self, earnings: Earnings, taken_at: datetime) -> int:
        async with self.db.session() as session:
            row = EarningsSnapshot(taken_at=taken_at, payload=json.dumps(snapshot_payload(earnings)))
            session.add(row)
            await session.flush()
            return row.id

    async def snapshot(self, snapshot_id: int) -> Earnings | None:
        async with self.db.session() as session:
            row = await session.get(EarningsSnapshot, snapshot_id)
            return Earnings.model_validate(json.loads(row.payload)) if row else None

    async def latest_snapshot(self, taken_by: datetime) -> tuple[Earnings, datetime] | None:
        """The newest snapshot taken at or before `taken_by`, and when (the Home's "since" figures)."""
        query = (
            select(EarningsSnapshot)
            .where(EarningsSnapshot.taken_at <= taken_by)
            .order_by(EarningsSnapshot.taken_at.desc())
            .limit(1)
        )
        async with self.db.session() as session:
            row = (await session.execute(query)).scalar_one_or_none()
            return (Earnings.model_validate(json.loads(row.payload)), row.taken_at) if row else None

    async def prune_snapshots(self, older_than: datetime) -> int:
        """Delete snapshots taken before `older_than` that no channel's latest sent digest uses."""
        latest = (
            select(DigestDelivery.channel_id, func.max(DigestDelivery.local_date).label("day"))
            .where(DigestDelivery.state == DeliveryState.SENT, DigestDelivery.snapshot_id.is_not(None))
            .group_by(DigestDelivery.channel_id)
            .subquery()
        )
        needed = (
            select(DigestDelivery.snapshot_id)
            .join(
                latest,
                and_(
                    DigestDelivery.channel_id == latest.c.channel_id,
                    DigestDelivery.local_date == latest.c.day,
                ),
            )
            .where(DigestDelivery.snapshot_id.is_not(None))
        )
        statement = delete(EarningsSnapshot).where(
            EarningsSnapshot.taken_at < older_than, EarningsSnapshot.id.not_in(needed)
        )
        async with self.db.session() as session:
            result = await session.execute(statement)
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def previous_snapshots(self, channel_ids: Collection[str]) -> dict[str, Earnings]:
        """Each channel's earnings as shown in its latest sent digest (what today's is compared with)."""
        found: dict[str, Earnings] = {}
        ids = sorted(set(channel_ids))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            latest = (
                select(DigestDelivery.channel_id, func.max(DigestDelivery.local_date).label("day"))
                .where(
                    DigestDelivery.channel_id.in_(chunk),
                    DigestDelivery.state == DeliveryState.SENT,
                    DigestDelivery.snapshot_id.is_not(None),
                )
                .group_by(DigestDelivery.channel_id)
                .subquery()
            )
            query = (
                select(DigestDelivery.channel_id, EarningsSnapshot.payload)
                .join(
                    latest,
                    and_(
                        DigestDelivery.channel_id == latest.c.channel_id,
                        DigestDelivery.local_date == latest.c.day,
                    ),
                )
                .join(EarningsSnapshot, EarningsSnapshot.id == DigestDelivery.snapshot_id)
            )
            async with self.db.session() as session:
                rows = (await session.execute(query)).all()
            by_payload: dict[str, Earnings] = {}  # most channels share a handful of snapshots
            for channel_id, payload in rows:
                if payload not in by_payload:
                    by_payload[payload] = Earnings.model_validate(json.loads(payload))
                found[channel_id] = by_payload[payload]
        return found

    # Deliveries ------------------------------------------------------------------------------

    async def deliveries(self, keys: Sequence[tuple[str, date]]) -> dict[tuple[str, date], Delivery]:
        """The existing delivery rows for these (channel, local date) keys."""
        found: dict[tuple[str, date], Delivery] = {}
        wanted = sorted({(channel, day.isoformat()) for channel, day in keys})
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            query = select(DELIVERIES).where(
                tuple_(DELIVERIES.c.channel_id, DELIVERIES.c.local_date).in_(chunk)
            )
            async with self.db.session() as session:
                for row in (await session.execute(query)).all():
                    delivery = Delivery.of(row)
                    found[(delivery.channel_id, delivery.local_date)] = delivery
        return found

    async def latest_delivery(self, channel_id: str) -> Delivery | None:
        query = (
            select(DigestDelivery)
            .where(DigestDelivery.channel_id == channel_id)
            .order_by(DigestDelivery.local_date.desc())
            .limit(1)
        )
        async with self.db.session() as session:
            row = (await session.execute(query)).scalar_one_or_none()
            return Delivery.of(row) if row else None

    async def last_sent(self, channel_id: str) -> Delivery | None:
        query = (
            select(DigestDelivery)
            .where(DigestDelivery.channel_id == channel_id, DigestDelivery.state == DeliveryState.SENT)
            .order_by(DigestDelivery.local_date.desc())
            .limit(1)
        )
        async with self.db.session() as session:
            row = (await session.execute(query)).scalar_one_or_none()
            return Delivery.of(row) if row else None

    @staticmethod
    def claimable(delivery: Delivery, now: datetime, takeover_after: timedelta) -> bool:
        """Whether an existing row may change hands now (see the module docstring)."""
        if delivery.message_ts is not None:
            return False
        if delivery.state == DeliveryState.CLAIMED:
            return now - delivery.claimed_at >= takeover_after
        if delivery.state == DeliveryState.FAILED:
            return delivery.next_attempt_at is not None and delivery.next_attempt_at <= now
        return False

    async def claim(self, keys: Sequence[DueKey], owner: str, *, takeover_after: timedelta) -> list[Delivery]:
        """Claim these digests for `owner`; returns the ones it won (new rows and takeovers).

        A fixed number of statements per batch, whatever its size: one INSERT … ON CONFLICT DO
        NOTHING per chunk for the new rows, then (only if some keys already had a row) one UPDATE
        per chunk taking over those that may change hands.
        """
        now = self.clock.now()
        ordered = sorted({(k.channel_id, k.local_date): k for k in keys}.values(), key=_key_order)
        won = await self._insert_claims(ordered, owner, now)
        inserted = {(d.channel_id, d.local_date) for d in won}
        taken = [k for k in ordered if (k.channel_id, k.local_date) not in inserted]
        if taken:
            won.extend(await self._take_over(taken, owner, now, now - takeover_after))
        return won

    async def _insert_claims(self, keys: Sequence[DueKey], owner: str, now: datetime) -> list[Delivery]:
        insert = sqlite_insert if self.db.is_sqlite else pg_insert
        won: list[Delivery] = []
        # One statement per chunk, keys in a fixed order, so concurrent replicas never deadlock.
        for start in range(0, len(keys), CHUNK):
            rows = [
                {
                    "channel_id": key.channel_id,
                    "local_date": key.local_date.isoformat(),
                    "state": DeliveryState.CLAIMED,
                    "claimed_by": owner,
                    "claimed_at": now,
                    "attempts": 1,
                    "scheduled_at": key.scheduled_at,
                }
                for key in keys[start : start + CHUNK]
            ]
            statement = (
                insert(DELIVERIES)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["channel_id", "local_date"])
                .returning(*DELIVERIES.c)
            )
            async with self.db.session() as session:
                result = await session.execute(statement)
                won.extend(Delivery.of(row) for row in result.all())
        return won

    async def _take_over(
        self, keys: Sequence[DueKey], owner: str, now: datetime, abandoned_before: datetime
    ) -> list[Delivery]:
        """Take over, in one UPDATE per chunk, the rows of `keys` that may change hands now.

        The WHERE clause is `claimable()` in SQL, evaluated on the row as it is when the UPDATE
        reaches it, so two replicas can never both win a row. On PostgreSQL the rows are picked with
        FOR UPDATE SKIP LOCKED: a row another replica is taking over right now is left to it instead
        of being waited for (after a Slack outage thousands of failed rows fall due at once).
        """
        won: list[Delivery] = []
        for start in range(0, len(keys), CHUNK):
            chunk = [(k.channel_id, k.local_date.isoformat()) for k in keys[start : start + CHUNK]]
            candidates = (
                select(DigestDelivery.id)
                .where(
                    tuple_(DigestDelivery.channel_id, DigestDelivery.local_date).in_(chunk),
                    DigestDelivery.message_ts.is_(None),
                    or_(
                        and_(
                            DigestDelivery.state == DeliveryState.CLAIMED,
                            DigestDelivery.claimed_at <= abandoned_before,
                        ),
                        and_(
                            DigestDelivery.state == DeliveryState.FAILED,
                            DigestDelivery.next_attempt_at <= now,
                        ),
                    ),
                )
                .order_by(DigestDelivery.id)
            )
            if not self.db.is_sqlite:
                candidates = candidates.with_for_update(skip_locked=True)
            statement = (
                update(DELIVERIES)
                .where(DELIVERIES.c.id.in_(candidates.scalar_subquery()))
                .values(
                    state=DeliveryState.CLAIMED,
                    claimed_by=owner,
                    claimed_at=now,
                    attempts=DELIVERIES.c.attempts + 1,
                    next_attempt_at=None,
                )
                .returning(*DELIVERIES.c)
            )
            async with self.db.session() as session:
                result = await session.execute(statement)
                won.extend(Delivery.of(row) for row in result.all())
        return won

    async def still_mine(self, delivery: Delivery, owner: str) -> bool:
        """Refresh the claim right before sending; False when another replica took it over."""
        return await self._update_one(
            update(DELIVERIES)
            .where(
                DELIVERIES.c.id == delivery.id,
                DELIVERIES.c.claimed_by == owner,
                DELIVERIES.c.state == DeliveryState.CLAIMED,
            )
            .values(claimed_at=self.clock.now())
        )

    async def _finish(self, delivery: Delivery, owner: str, **values: Any) -> bool:
        return await self._update_one(
            update(DELIVERIES)
            .where(DELIVERIES.c.id == delivery.id, DELIVERIES.c.claimed_by == owner)
            .values(**values)
        )

    async def _update_one(self, statement: Update) -> bool:
        """Run one conditional UPDATE of one row on its own; True when it changed the row.

        A single statement is atomic on its own, so it runs in autocommit: no BEGIN and COMMIT round
        trips around it (half of its cost on PostgreSQL). The runner's per-send writes are batched
        instead (bot/digest/inflight.py).
        """
        async with self.db.autocommit() as autocommit:
            result = await autocommit.execute(statement)
            return result.rowcount == 1

    async def mark_sent(self, delivery: Delivery, owner: str, *, ts: str, snapshot_id: int) -> bool:
        """Record the message ts: from now on this digest is never sent again."""
        return await self._finish(
            delivery,
            owner,
            state=DeliveryState.SENT,
            message_ts=ts,
            snapshot_id=snapshot_id,
            sent_at=self.clock.now(),
            error=None,
            next_attempt_at=None,
        )

    async def mark_failed(
        self, delivery: Delivery, owner: str, *, error: str, retry_at: datetime | None
    ) -> bool:
        """Record a failure; with `retry_at` the digest is tried again from then (the same day only)."""
        return await self._finish(
            delivery, owner, state=DeliveryState.FAILED, error=error, next_attempt_at=retry_at
        )

    async def mark_disabled(self, delivery: Delivery, owner: str, *, error: str) -> bool:
        return await self._finish(
            delivery, owner, state=DeliveryState.DISABLED, error=error, next_attempt_at=None
        )
