"""The `payout_attempts` audit table: one row per confirmed (or refused) withdrawal request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime


class PayoutAttempt(Base):
    __tablename__ = "payout_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    user_id: Mapped[str] = mapped_column(String(32))
    # The amount the confirmation named, as an exact decimal string.
    amount: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32))
    api_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    withdrawal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A safe sentence (never an API body or a token) saying what happened.
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
