"""Tables of the trial alerts: per-channel settings, the per-(channel, day) run claim, and one row
per (channel, license, threshold) alert — the row *is* the claim, so each alert is posted once.

`threshold` is the number of days before the trial's end the alert is for (N, then 1); 0 is the
one "lapsed" notice of a trial that ended unsubscribed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime


class RunState(StrEnum):
    """`alert_runs.state`. Not the idempotency `ClaimState`: a run can fail and be retried later."""

    CLAIMED = "claimed"  # a replica is checking the channel (taken over when its heartbeat stops)
    DONE = "done"
    FAILED = "failed"  # retried at `next_attempt_at`
    DISABLED = "disabled"  # the channel cannot be posted to; not retried


class AlertState(StrEnum):
    """`trial_alerts.state`: the row is the claim that posts one alert once."""

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"


class AlertChannel(Base):
    """A channel's trial alerts: how many days ahead, in which zone, who set them up, on or off."""

    __tablename__ = "alert_channels"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    tz: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean)
    set_by: Mapped[str] = mapped_column(String(32))
    active_from: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlertRun(Base):
    """One channel's daily check for one local date: claimed → done | failed (retried that day)."""

    __tablename__ = "alert_runs"
    __table_args__ = (UniqueConstraint("channel_id", "local_date", name="uq_alert_runs_channel_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(16))  # a RunState
    claimed_by: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TrialAlert(Base):
    """One alert message: claimed → sent (ts) | failed; `outcome` once the trial was settled."""

    __tablename__ = "trial_alerts"
    __table_args__ = (
        UniqueConstraint("channel_id", "license_id", "threshold", name="uq_trial_alerts_channel_license"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    license_id: Mapped[str] = mapped_column(String(64), index=True)
    threshold: Mapped[int] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(32))
    client_name: Mapped[str] = mapped_column(Text)
    plan: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16))  # an AlertState
    claimed_by: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # None while the trial is open; subscribed | lapsed | gone | client_paid once settled.
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    outcome_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
