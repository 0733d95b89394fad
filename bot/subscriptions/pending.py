"""Reviewed orders kept server-side: Review stores what the admin saw, Confirm executes only that.

`private_metadata` comes back from Slack and could be replayed or forged by anyone holding the
signing secret's power (or a bug); the stored record is the truth. It names the admin who reviewed,
the card's fingerprint at review time and the price shown, and expires after `ttl`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from bot.clock import Clock
from bot.storage import Database
from bot.subscriptions.orders import Order
from bot.subscriptions.tables import PendingOrder

REVIEW_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class Reviewed:
    order: Order
    user_id: str
    card_fingerprint: str
    price_shown: str
    expires_at: datetime


class PendingOrders:
    def __init__(self, db: Database, clock: Clock, *, ttl: timedelta = REVIEW_TTL):
        self.db = db
        self.clock = clock
        self.ttl = ttl

    async def save(self, order: Order, user_id: str, *, card_fingerprint: str, price_shown: str) -> None:
        """Record the reviewed order under its request id (and drop records that expired)."""
        now = self.clock.now()
        async with self.db.session() as session:
            await session.execute(delete(PendingOrder).where(PendingOrder.expires_at < now))
            session.add(
                PendingOrder(
                    request_id=order.request_id,
                    user_id=user_id,
                    license_id=order.license_id,
                    client_name=order.client_name,
                    plan=order.plan,
                    seats=order.seats,
                    billing_cycle=order.billing_cycle,
                    card_label=order.card_label,
                    card_last4=order.card_last4,
                    card_fingerprint=card_fingerprint,
                    channel_id=order.channel_id,
                    price_shown=price_shown,
                    created_at=now,
                    expires_at=now + self.ttl,
                )
            )

    async def get(self, request_id: str) -> Reviewed | None:
        """The reviewed order, or None when there is none or it expired."""
        async with self.db.session() as session:
            row = (
                await session.execute(select(PendingOrder).where(PendingOrder.request_id == request_id))
            ).scalar()
        if row is None or row.expires_at <= self.clock.now():
            return None
        order = Order(
            license_id=row.license_id,
            client_name=row.client_name,
            plan=row.plan,  # type: ignore[arg-type]
            seats=row.seats,
            billing_cycle=row.billing_cycle,  # type: ignore[arg-type]
            card_label=row.card_label,
            card_last4=row.card_last4,
            channel_id=row.channel_id,
            request_id=row.request_id,
        )
        return Reviewed(order, row.user_id, row.card_fingerprint, row.price_shown, row.expires_at)
