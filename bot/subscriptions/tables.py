"""The `subscription_attempts` audit table: one row per confirmed (or refused) attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime


class SubscriptionAttempt(Base):
    __tablename__ = "subscription_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    user_id: Mapped[str] = mapped_column(String(32))
    license_id: Mapped[str] = mapped_column(String(64), index=True)
    client_name: Mapped[str] = mapped_column(String(200), default="")
    plan: Mapped[str] = mapped_column(String(32))
    seats: Mapped[int] = mapped_column(Integer)
    billing_cycle: Mapped[str] = mapped_column(String(16))
    card_label: Mapped[str] = mapped_column(String(64), default="")
    card_last4: Mapped[str] = mapped_column(String(4), default="")
    outcome: Mapped[str] = mapped_column(String(32))
    api_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A safe sentence (never card data or tokens) saying what happened.
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)


class PendingOrder(Base):
    """What the admin reviewed, kept server-side under the request id: Confirm executes only this.

    `card_fingerprint` is a keyed digest of the card (see `CardVault.fingerprint`), never its number.
    """

    __tablename__ = "pending_orders"

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32))
    license_id: Mapped[str] = mapped_column(String(64))
    client_name: Mapped[str] = mapped_column(String(200), default="")
    plan: Mapped[str] = mapped_column(String(32))
    seats: Mapped[int] = mapped_column(Integer)
    billing_cycle: Mapped[str] = mapped_column(String(16))
    card_label: Mapped[str] = mapped_column(String(64))
    card_last4: Mapped[str] = mapped_column(String(4), default="")
    card_fingerprint: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    price_shown: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
