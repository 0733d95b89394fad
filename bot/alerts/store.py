"""Trial-alert persistence: channel settings, the daily run claim, and the per-alert claim.

Both claims work like the digest's (bot/digest/store.py): a row inserted with ON CONFLICT DO NOTHING
is won by exactly one replica, and a row changes hands only through a conditional UPDATE naming the
state, owner and attempt it saw.
- A run (channel, local date) that is `claimed` and older than `takeover_after` lost its owner
  (crash): another replica takes it over; `failed` runs are retried from `next_attempt_at`, that
  day only; `done` and `disabled` runs are final.
- An alert (channel, license, threshold) with a message ts is never posted again; a `claimed` one
  without ts older than `takeover_after`, or a `failed` one, may be taken over.
- `settle()` sets an alert's outcome only while it is still open, so the "subscribed" edit and the
  "lapsed" notice happen once even when the bot and a daily run notice the change together.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.alerts.tables import AlertChannel, AlertRun, AlertState, RunState, TrialAlert
from bot.clock import Clock
from bot.storage.db import Database

DEFAULT_DAYS = 3
MIN_DAYS, MAX_DAYS = 1, 30
LAPSED = 0  # the threshold of the one "lapsed" notice per license and channel


@dataclass(frozen=True)
class ChannelAlerts:
    channel_id: str
    days: int
    tz: str
    enabled: bool
    set_by: str
    active_from: datetime
    disabled_reason: str | None

    @classmethod
    def of(cls, row: AlertChannel) -> ChannelAlerts:
        return cls(
            row.channel_id, row.days, row.tz, row.enabled, row.set_by, row.active_from, row.disabled_reason
        )


@dataclass(frozen=True)
class Run:
    id: int
    channel_id: str
    local_date: date
    state: str
    claimed_by: str
    claimed_at: datetime
    attempts: int
    error: str | None
    next_attempt_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: AlertRun) -> Run:
        return cls(
            row.id,
            row.channel_id,
            date.fromisoformat(row.local_date),
            row.state,
            row.claimed_by,
            row.claimed_at,
            row.attempts,
            row.error,
            row.next_attempt_at,
            row.finished_at,
        )


@dataclass(frozen=True)
class Alert:
    id: int
    channel_id: str
    license_id: str
    threshold: int
    product: str
    client_name: str
    plan: str | None
    ends_at: datetime
    state: str
    claimed_by: str
    claimed_at: datetime
    attempts: int
    message_ts: str | None
    outcome: str | None
    outcome_by: str | None

    @classmethod
    def of(cls, row: TrialAlert) -> Alert:
        return cls(
            row.id,
            row.channel_id,
            row.license_id,
            row.threshold,
            row.product,
            row.client_name,
            row.plan,
            row.ends_at,
            row.state,
            row.claimed_by,
            row.claimed_at,
            row.attempts,
            row.message_ts,
            row.outcome,
            row.outcome_by,
        )


@dataclass(frozen=True)
class AlertDraft:
    """What a new alert row records about the license at the time it is claimed."""

    license_id: str
    threshold: int
    product: str
    client_name: str
    ends_at: datetime
    plan: str | None = None


def retry_delay(attempts: int) -> timedelta:
    """Backoff between failed runs of one day: 2, 4, 8, 16, 32, then 60 minutes."""
    return timedelta(minutes=min(2 ** max(attempts, 1), 60))


class AlertStore:
    """Reads and writes the alert tables; every method is one short transaction."""

    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def _insert(self) -> Any:
        return sqlite_insert if self.db.is_sqlite else pg_insert

    # Settings ----------------------------------------------------------------------------------

    async def enable(self, channel_id: str, days: int, tz: str, user_id: str) -> ChannelAlerts:
        now = self.clock.now()
        async with self.db.session() as session:
            row = await session.get(AlertChannel, channel_id, with_for_update=not self.db.is_sqlite)
            if row is None:
                row = AlertChannel(channel_id=channel_id, created_at=now)
                session.add(row)
            row.days, row.tz, row.enabled, row.set_by = days, tz, True, user_id
            row.active_from, row.disabled_reason, row.updated_at = now, None, now
            await session.flush()
            return ChannelAlerts.of(row)

    async def disable(self, channel_id: str, reason: str) -> ChannelAlerts | None:
        async with self.db.session() as session:
            row = await session.get(AlertChannel, channel_id)
            if row is None:
                return None
            row.enabled, row.disabled_reason, row.updated_at = False, reason, self.clock.now()
            await session.flush()
            return ChannelAlerts.of(row)

    async def channel(self, channel_id: str) -> ChannelAlerts | None:
        async with self.db.session() as session:
            row = await session.get(AlertChannel, channel_id)
            return ChannelAlerts.of(row) if row else None

    async def enabled_channels(self, only: Collection[str] | None = None) -> list[ChannelAlerts]:
        query = select(AlertChannel).where(AlertChannel.enabled.is_(True))
        if only:
            query = query.where(AlertChannel.channel_id.in_(list(only)))
        async with self.db.session() as session:
            rows = (await session.execute(query.order_by(AlertChannel.channel_id))).scalars().all()
            return [ChannelAlerts.of(row) for row in rows]

    # Runs --------------------------------------------------------------------------------------

    async def run(self, channel_id: str, day: date) -> Run | None:
        query = select(AlertRun).where(
            AlertRun.channel_id == channel_id, AlertRun.local_date == day.isoformat()
        )
        async with self.db.session() as session:
            row = (await session.execute(query)).scalar_one_or_none()
            return Run.of(row) if row else None

    async def latest_run(self, channel_id: str) -> Run | None:
        query = (
            select(AlertRun)
            .where(AlertRun.channel_id == channel_id)
            .order_by(AlertRun.local_date.desc())
            .limit(1)
        )
        async with self.db.session() as session:
            row = (await session.execute(query)).scalar_one_or_none()
            return Run.of(row) if row else None

    @staticmethod
    def run_claimable(run: Run, now: datetime, takeover_after: timedelta) -> bool:
        if run.state == RunState.CLAIMED:
            return now - run.claimed_at >= takeover_after
        if run.state == RunState.FAILED:
            return run.next_attempt_at is not None and run.next_attempt_at <= now
        return False

    async def claim_run(
        self, channel_id: str, day: date, owner: str, *, takeover_after: timedelta
    ) -> Run | None:
        """Claim the channel's check for `day`; None when another replica has it or it is finished."""
        now = self.clock.now()
        statement = (
            self._insert()(AlertRun)
            .values(
                channel_id=channel_id,
                local_date=day.isoformat(),
                state=RunState.CLAIMED,
                claimed_by=owner,
                claimed_at=now,
                attempts=1,
            )
            .on_conflict_do_nothing(index_elements=["channel_id", "local_date"])
            .returning(AlertRun)
        )
        async with self.db.session() as session:
            row = (await session.execute(statement)).scalar_one_or_none()
            if row is not None:
                return Run.of(row)
        seen = await self.run(channel_id, day)
        if seen is None or not self.run_claimable(seen, now, takeover_after):
            return None
        async with self.db.session() as session:
            result = await session.execute(
                update(AlertRun)
                .where(
                    AlertRun.id == seen.id,
                    AlertRun.state == seen.state,
                    AlertRun.claimed_by == seen.claimed_by,
                    AlertRun.attempts == seen.attempts,
                )
                .values(state=RunState.CLAIMED, claimed_by=owner, claimed_at=now, attempts=seen.attempts + 1)
                .returning(AlertRun)
            )
            row = result.scalar_one_or_none()
            return Run.of(row) if row else None

    async def still_mine(self, run: Run, owner: str) -> bool:
        """Refresh the run's claim (so nobody takes it over mid-run); False when it was lost."""
        async with self.db.session() as session:
            result = await session.execute(
                update(AlertRun)
                .where(
                    AlertRun.id == run.id, AlertRun.claimed_by == owner, AlertRun.state == RunState.CLAIMED
                )
                .values(claimed_at=self.clock.now())
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    async def finish_run(
        self,
        run: Run,
        owner: str,
        state: RunState,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        async with self.db.session() as session:
            result = await session.execute(
                update(AlertRun)
                .where(AlertRun.id == run.id, AlertRun.claimed_by == owner)
                .values(state=state, error=error, next_attempt_at=retry_at, finished_at=self.clock.now())
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    # Alerts ------------------------------------------------------------------------------------

    async def channel_alerts(self, channel_id: str) -> list[Alert]:
        query = select(TrialAlert).where(TrialAlert.channel_id == channel_id).order_by(TrialAlert.id)
        async with self.db.session() as session:
            return [Alert.of(row) for row in (await session.execute(query)).scalars()]

    async def open_alerts_of(self, license_id: str) -> list[Alert]:
        """Posted alerts of this license (every channel) whose trial is not settled yet."""
        query = select(TrialAlert).where(
            TrialAlert.license_id == license_id,
            TrialAlert.message_ts.is_not(None),
            TrialAlert.outcome.is_(None),
            TrialAlert.threshold != LAPSED,
        )
        async with self.db.session() as session:
            return [Alert.of(row) for row in (await session.execute(query)).scalars()]

    @staticmethod
    def alert_claimable(alert: Alert, now: datetime, takeover_after: timedelta) -> bool:
        if alert.message_ts is not None:
            return False
        if alert.state == AlertState.CLAIMED:
            return now - alert.claimed_at >= takeover_after
        return alert.state == AlertState.FAILED

    async def claim_alert(
        self, channel_id: str, draft: AlertDraft, owner: str, *, takeover_after: timedelta
    ) -> Alert | None:
        """Claim one alert before posting it; None when it was posted or another replica holds it."""
        now = self.clock.now()
        statement = (
            self._insert()(TrialAlert)
            .values(
                channel_id=channel_id,
                license_id=draft.license_id,
                threshold=draft.threshold,
                product=draft.product,
                client_name=draft.client_name,
                plan=draft.plan,
                ends_at=draft.ends_at,
                state=AlertState.CLAIMED,
                claimed_by=owner,
                claimed_at=now,
                attempts=1,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["channel_id", "license_id", "threshold"])
            .returning(TrialAlert)
        )
        async with self.db.session() as session:
            row = (await session.execute(statement)).scalar_one_or_none()
            if row is not None:
                return Alert.of(row)
        query = select(TrialAlert).where(
            TrialAlert.channel_id == channel_id,
            TrialAlert.license_id == draft.license_id,
            TrialAlert.threshold == draft.threshold,
        )
        async with self.db.session() as session:
            found = (await session.execute(query)).scalar_one_or_none()
        if found is None:
            return None
        seen = Alert.of(found)
        if not self.alert_claimable(seen, now, takeover_after):
            return None
        async with self.db.session() as session:
            result = await session.execute(
                update(TrialAlert)
                .where(
                    TrialAlert.id == seen.id,
                    TrialAlert.state == seen.state,
                    TrialAlert.claimed_by == seen.claimed_by,
                    TrialAlert.attempts == seen.attempts,
                    TrialAlert.message_ts.is_(None),
                )
                .values(
                    state=AlertState.CLAIMED,
                    claimed_by=owner,
                    claimed_at=now,
                    attempts=seen.attempts + 1,
                    client_name=draft.client_name,
                    plan=draft.plan,
                    ends_at=draft.ends_at,
                    updated_at=now,
                )
                .returning(TrialAlert)
            )
            row = result.scalar_one_or_none()
            return Alert.of(row) if row else None

    async def set_plan(self, alert: Alert, plan: str | None) -> Alert:
        async with self.db.session() as session:
            await session.execute(update(TrialAlert).where(TrialAlert.id == alert.id).values(plan=plan))
        return Alert(**{**alert.__dict__, "plan": plan})

    async def alert_still_mine(self, alert: Alert, owner: str) -> bool:
        async with self.db.session() as session:
            result = await session.execute(
                update(TrialAlert)
                .where(
                    TrialAlert.id == alert.id,
                    TrialAlert.claimed_by == owner,
                    TrialAlert.state == AlertState.CLAIMED,
                    TrialAlert.message_ts.is_(None),
                )
                .values(claimed_at=self.clock.now())
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    async def mark_sent(self, alert: Alert, owner: str, ts: str) -> bool:
        now = self.clock.now()
        async with self.db.session() as session:
            result = await session.execute(
                update(TrialAlert)
                .where(TrialAlert.id == alert.id, TrialAlert.claimed_by == owner)
                .values(state=AlertState.SENT, message_ts=ts, sent_at=now, error=None, updated_at=now)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    async def mark_failed(self, alert: Alert, owner: str, error: str) -> bool:
        async with self.db.session() as session:
            result = await session.execute(
                update(TrialAlert)
                .where(
                    TrialAlert.id == alert.id, TrialAlert.claimed_by == owner, TrialAlert.message_ts.is_(None)
                )
                .values(state=AlertState.FAILED, error=error, updated_at=self.clock.now())
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    async def settle(self, alert: Alert, outcome: str, by: str | None = None) -> bool:
        """Record how the trial ended, once: True only for the caller that settled it."""
        async with self.db.session() as session:
            result = await session.execute(
                update(TrialAlert)
                .where(TrialAlert.id == alert.id, TrialAlert.outcome.is_(None))
                .values(outcome=outcome, outcome_by=by, updated_at=self.clock.now())
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    async def unsettle(self, alert: Alert, outcome: str) -> None:
        """Undo `settle` when the edit that should follow it failed, so the next check tries again."""
        async with self.db.session() as session:
            await session.execute(
                update(TrialAlert)
                .where(TrialAlert.id == alert.id, TrialAlert.outcome == outcome)
                .values(outcome=None, outcome_by=None, updated_at=self.clock.now())
            )
