"""Tables of the daily earnings digest: channel schedules, earnings snapshots, deliveries.

A delivery row keyed by (channel, local date) *is* the claim: inserting it succeeds for exactly one
replica, so each channel gets at most one digest per local day (see `bot/digest/store.py`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime


class DigestChannel(Base):
    """A channel's digest schedule: local time of day and IANA zone, who set it up, on or off."""

    __tablename__ = "digest_channels"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    time_of_day: Mapped[str] = mapped_column(String(5))  # "HH:MM", 24-hour, in `tz`
    tz: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean)
    set_by: Mapped[str] = mapped_column(String(32))
    # Digests scheduled before this instant are never sent (turning it on at 10:00 does not send 09:00's).
    active_from: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EarningsSnapshot(Base):
    """Earnings as fetched by one digest run; amounts are JSON with Decimal strings (exact)."""

    __tablename__ = "earnings_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    payload: Mapped[str] = mapped_column(Text)


class DeliveryState(StrEnum):
    """`digest_deliveries.state`. Not the idempotency `ClaimState`: a delivery can fail and be retried."""

    CLAIMED = "claimed"  # a replica is posting it (taken over when abandoned)
    SENT = "sent"
    FAILED = "failed"  # retried at `next_attempt_at`
    DISABLED = "disabled"  # the channel cannot be posted to; not retried


class DigestDelivery(Base):
    """One channel's digest for one local date: claimed → sent | failed (retried) | disabled."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("channel_id", "local_date", name="uq_digest_deliveries_channel_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[str] = mapped_column(String(10))  # ISO date in the channel's zone
    state: Mapped[str] = mapped_column(String(16))  # a DeliveryState
    claimed_by: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    snapshot_id: Mapped[int | None] = mapped_column(
        ForeignKey("earnings_snapshots.id", ondelete="SET NULL"), nullable=True
    )
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
