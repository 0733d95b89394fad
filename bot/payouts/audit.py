"""The payout audit trail: who asked for which amount, when, and what LiveChat answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update

from bot.clock import Clock
from bot.payouts.tables import PayoutAttempt
from bot.storage import Database


@dataclass(frozen=True)
class PayoutAuditEntry:
    id: int
    request_id: str
    created_at: datetime
    finished_at: datetime | None
    user_id: str
    amount: Decimal
    outcome: str
    api_status: int | None
    withdrawal_id: int | None
    detail: str | None


class PayoutAudit:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    async def start(self, request_id: str, user_id: str, amount: Decimal, *, outcome: str = "pending") -> int:
        async with self.db.session() as session:
            row = PayoutAttempt(
                request_id=request_id,
                created_at=self.clock.now(),
                user_id=user_id,
                amount=str(amount),
                outcome=outcome,
            )
            session.add(row)
            await session.flush()
            return row.id

    async def finish(
        self,
        attempt_id: int,
        outcome: str,
        api_status: int | None,
        detail: str | None,
        withdrawal_id: int | None = None,
    ) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(PayoutAttempt)
                .where(PayoutAttempt.id == attempt_id)
                .values(
                    outcome=outcome,
                    api_status=api_status,
                    detail=detail,
                    withdrawal_id=withdrawal_id,
                    finished_at=self.clock.now(),
                )
            )

    async def entries(self, limit: int = 100) -> list[PayoutAuditEntry]:
        """Newest first."""
        query = select(PayoutAttempt).order_by(PayoutAttempt.id.desc()).limit(limit)
        async with self.db.session() as session:
            rows = (await session.execute(query)).scalars().all()
            return [
                PayoutAuditEntry(
                    r.id,
                    r.request_id,
                    r.created_at,
                    r.finished_at,
                    r.user_id,
                    Decimal(r.amount),
                    r.outcome,
                    r.api_status,
                    r.withdrawal_id,
                    r.detail,
                )
                for r in rows
            ]


COLUMNS = ("when (UTC)", "who", "amount", "outcome", "API", "withdrawal", "request")


def format_payouts(entries: list[PayoutAuditEntry]) -> str:
    """A plain table for `partners-bot audit`, then each attempt's detail sentence."""
    rows = [COLUMNS]
    for e in entries:
        rows.append(
            (
                e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                e.user_id,
                f"{e.amount:.2f}",
                e.outcome,
                str(e.api_status) if e.api_status is not None else "—",
                str(e.withdrawal_id) if e.withdrawal_id is not None else "—",
                e.request_id[:8],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines += [f"  {e.request_id[:8]}: {e.detail}" for e in entries if e.detail]
    return "\n".join(lines)
