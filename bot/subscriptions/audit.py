"""The audit trail: who tried to subscribe which license, with what, and what happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from bot.clock import Clock
from bot.storage import Database
from bot.subscriptions.orders import Order
from bot.subscriptions.tables import SubscriptionAttempt


@dataclass(frozen=True)
class AuditEntry:
    id: int
    request_id: str
    created_at: datetime
    finished_at: datetime | None
    user_id: str
    license_id: str
    client_name: str
    plan: str
    seats: int
    billing_cycle: str
    card_label: str
    card_last4: str
    outcome: str
    api_status: int | None
    detail: str | None


class AuditLog:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    async def start(self, order: Order, user_id: str, *, outcome: str = "pending") -> int:
        """A row for an attempt as it begins; `finish` fills in how it ended."""
        async with self.db.session() as session:
            row = SubscriptionAttempt(
                request_id=order.request_id,
                created_at=self.clock.now(),
                user_id=user_id,
                license_id=order.license_id,
                client_name=order.client_name,
                plan=order.plan,
                seats=order.seats,
                billing_cycle=order.billing_cycle,
                card_label=order.card_label,
                card_last4=order.card_last4,
                outcome=outcome,
            )
            session.add(row)
            await session.flush()
            return row.id

    async def set_card(self, attempt_id: int, last4: str) -> None:
        """The last 4 digits as the vault has them (the view's copy could be stale or crafted)."""
        async with self.db.session() as session:
            await session.execute(
                update(SubscriptionAttempt)
                .where(SubscriptionAttempt.id == attempt_id)
                .values(card_last4=last4)
            )

    async def finish(self, attempt_id: int, outcome: str, api_status: int | None, detail: str | None) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(SubscriptionAttempt)
                .where(SubscriptionAttempt.id == attempt_id)
                .values(outcome=outcome, api_status=api_status, detail=detail, finished_at=self.clock.now())
            )

    async def entries(self, license_id: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """Newest first."""
        query = select(SubscriptionAttempt).order_by(SubscriptionAttempt.id.desc()).limit(limit)
        if license_id is not None:
            query = query.where(SubscriptionAttempt.license_id == license_id)
        async with self.db.session() as session:
            rows = (await session.execute(query)).scalars().all()
            return [
                AuditEntry(
                    r.id,
                    r.request_id,
                    r.created_at,
                    r.finished_at,
                    r.user_id,
                    r.license_id,
                    r.client_name,
                    r.plan,
                    r.seats,
                    r.billing_cycle,
                    r.card_label,
                    r.card_last4,
                    r.outcome,
                    r.api_status,
                    r.detail,
                )
                for r in rows
            ]
