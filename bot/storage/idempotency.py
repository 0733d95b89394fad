"""Claims that make an operation happen once across retries, double clicks and replicas.

A claim is a row keyed by (scope, key). Inserting it is the claim: the database's primary key lets
exactly one caller win, on SQLite as on PostgreSQL. The winner records the outcome; everybody else
reads it. A claim left `pending` by a process that died can be taken over after `stale_after`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, Text, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import Clock
from bot.storage.base import Base, UTCDateTime
from bot.storage.db import Database


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # pending | done | failed
    owner: Mapped[str] = mapped_column(String(64))
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Claim:
    """`won` is True for the one caller that must do the work; others see `state` and `result`."""

    won: bool
    state: str
    owner: str
    result: dict[str, Any] | None
    # Won by taking over a stale `pending` claim: its dead owner may have done part of the work.
    taken_over: bool = False


class IdempotencyStore:
    def __init__(self, db: Database, clock: Clock, *, stale_after: timedelta = timedelta(minutes=5)):
        self.db = db
        self.clock = clock
        self.stale_after = stale_after

    async def claim(self, scope: str, key: str) -> Claim:
        """Try to become the one caller doing (scope, key)."""
        now = self.clock.now()
        owner = uuid.uuid4().hex
        try:
            async with self.db.session() as session:
                session.add(
                    IdempotencyKey(
                        scope=scope, key=key, state="pending", owner=owner, created_at=now, updated_at=now
                    )
                )
        except IntegrityError:
            return await self._existing_or_takeover(scope, key, owner, now)
        return Claim(won=True, state="pending", owner=owner, result=None)

    async def _existing_or_takeover(self, scope: str, key: str, owner: str, now: datetime) -> Claim:
        async with self.db.session() as session:
            row = await session.get(IdempotencyKey, (scope, key))
            if row is None:
                return Claim(won=False, state="pending", owner="", result=None)
            if row.state == "pending" and now - row.updated_at > self.stale_after:
                taken = await session.execute(
                    update(IdempotencyKey)
                    .where(
                        IdempotencyKey.scope == scope,
                        IdempotencyKey.key == key,
                        IdempotencyKey.owner == row.owner,
                        IdempotencyKey.state == "pending",
                    )
                    .values(owner=owner, updated_at=now)
                )
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    return Claim(won=True, state="pending", owner=owner, result=None, taken_over=True)
            result = json.loads(row.result) if row.result else None
            return Claim(won=False, state=row.state, owner=row.owner, result=result)

    async def finish(self, scope: str, key: str, owner: str, *, state: str, result: dict[str, Any]) -> None:
        """Record the outcome of a won claim (`done` or `failed`)."""
        async with self.db.session() as session:
            await session.execute(
                update(IdempotencyKey)
                .where(
                    IdempotencyKey.scope == scope, IdempotencyKey.key == key, IdempotencyKey.owner == owner
                )
                .values(state=state, result=json.dumps(result, default=str), updated_at=self.clock.now())
            )

    async def release(self, scope: str, key: str, owner: str) -> None:
        """Give a claim up so the same operation may be tried again (it did not happen)."""
        async with self.db.session() as session:
            row = await session.get(IdempotencyKey, (scope, key))
            if row is not None and row.owner == owner:
                await session.delete(row)

    async def get(self, scope: str, key: str) -> Claim | None:
        async with self.db.session() as session:
            row = (
                await session.execute(
                    select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
                )
            ).scalar_one_or_none()
            if row is None:
                return None
            result = json.loads(row.result) if row.result else None
            return Claim(won=False, state=row.state, owner=row.owner, result=result)
