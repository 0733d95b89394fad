"""How often a channel's digest goes out: daily (no row), weekly on a weekday, or monthly on a day.

A separate table rather than columns on `digest_channels`, so the daily digest's schema and code
stay as they are; the delivery claim is still (channel, local date), the date being the day the
weekly or monthly digest is scheduled on, so each channel gets one digest per period.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime


class DigestPeriod(Base):
    __tablename__ = "digest_periods"

    channel_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("digest_channels.channel_id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(8))  # weekly | monthly
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday (weekly)
    day_of_month: Mapped[int] = mapped_column(Integer, default=1)  # 1-31, clamped to short months
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
