"""Claims that make an operation happen once across retries, double clicks and replicas.

A claim is a row keyed by (scope, key). Inserting it is the claim: the database's primary key lets
exactly one caller win, on SQLite as on PostgreSQL. The winner records the outcome; everybody else
reads it. A claim left `pending` by a process that died can be taken over after `stale_after`; the
new owner must assume the dead one may have done part of the work (`Claim.taken_over`).

`run_once` is the whole pattern for one piece of work (campaign creation, a subscription request);
`claim`/`finish`/`release`/`wait_settled` are its parts, for callers whose claim outlives one call
(a subscription's per-license claim, kept `unknown` while LiveChat is re-read).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import String, Text, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import Clock
from bot.storage.base import Base, UTCDateTime
from bot.storage.db import Database

log = logging.getLogger(__name__)

Result = dict[str, Any]
Work = Callable[[], Awaitable[Result]]
Settle = Callable[[], Awaitable[Result | None]]


class ClaimState(StrEnum):
    PENDING = "pending"  # someone is doing the work (or died doing it: see `stale_after`)
    DONE = "done"  # the work happened (or proved unnecessary); `result` says how it ended
    UNKNOWN = "unknown"  # the work may or may not have happened; re-read before trying again


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # a ClaimState
    owner: Mapped[str] = mapped_column(String(64))
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Claim:
    """`won` is True for the one caller that must do the work; others see `state` and `result`."""

    won: bool
    state: ClaimState
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
                        scope=scope,
                        key=key,
                        state=ClaimState.PENDING,
                        owner=owner,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            return await self._existing_or_takeover(scope, key, owner, now)
        return Claim(won=True, state=ClaimState.PENDING, owner=owner, result=None)

    async def _existing_or_takeover(self, scope: str, key: str, owner: str, now: datetime) -> Claim:
        async with self.db.session() as session:
            row = await session.get(IdempotencyKey, (scope, key))
            if row is None:
                return Claim(won=False, state=ClaimState.PENDING, owner="", result=None)
            if row.state == ClaimState.PENDING and now - row.updated_at > self.stale_after:
                taken = await session.execute(
                    update(IdempotencyKey)
                    .where(
                        IdempotencyKey.scope == scope,
                        IdempotencyKey.key == key,
                        IdempotencyKey.owner == row.owner,
                        IdempotencyKey.state == ClaimState.PENDING,
                    )
                    .values(owner=owner, updated_at=now)
                )
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    return Claim(
                        won=True, state=ClaimState.PENDING, owner=owner, result=None, taken_over=True
                    )
            return _seen(row)

    async def finish(
        self, scope: str, key: str, owner: str, *, state: ClaimState, result: dict[str, Any]
    ) -> None:
        """Record the outcome of a won claim (`done`, or `unknown` while it must be re-read)."""
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
            return _seen(row) if row is not None else None

    async def wait_settled(
        self, scope: str, key: str, *, wait_seconds: float, poll_seconds: float
    ) -> Claim | None:
        """Poll a claim until it is no longer pending or `wait_seconds` pass; None if it was released."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        while True:
            claim = await self.get(scope, key)
            if claim is None or claim.state != ClaimState.PENDING or loop.time() >= deadline:
                return claim
            await asyncio.sleep(poll_seconds)

    async def run_once(
        self,
        scope: str,
        key: str,
        work: Work,
        *,
        settle_takeover: Settle | None = None,
        wait_seconds: float = 30.0,
        poll_seconds: float = 0.1,
    ) -> Result | None:
        """Run `work` for the one caller that claims (scope, key); the others get its recorded result.

        Returns None when another caller still has the work in hand after `wait_seconds` (it will
        report its own result), or gave it up. If `work` raises, the claim is released so the same
        request may run again.

        A claim taken over from a process that died may hide work that happened with no record of
        it. `settle_takeover` re-reads the outside world first: the result it returns is recorded
        instead of running `work` again; None means it found nothing done, so `work` runs. Without
        it, `work` runs again, which is right only for work that guards itself (a subscription
        request, whose per-license claim does the re-reading).
        """
        claim = await self.claim(scope, key)
        if not claim.won:
            log.info("%s %s is a duplicate; waiting for the first attempt", scope, key[:12])
            settled: Claim | None = claim
            if claim.state == ClaimState.PENDING:
                settled = await self.wait_settled(
                    scope, key, wait_seconds=wait_seconds, poll_seconds=poll_seconds
                )
            if settled is None or settled.state == ClaimState.PENDING:
                return None
            return settled.result
        try:
            result = None
            if claim.taken_over and settle_takeover is not None:
                log.warning("%s %s: took over a claim left by a stopped process; re-reading", scope, key[:12])
                result = await settle_takeover()
            if result is None:
                result = await work()
        except BaseException:
            await self.release(scope, key, claim.owner)
            raise
        await self.finish(scope, key, claim.owner, state=ClaimState.DONE, result=result)
        return result


def _seen(row: IdempotencyKey) -> Claim:
    """The claim as a caller that did not win it sees it."""
    result = json.loads(row.result) if row.result else None
    return Claim(won=False, state=ClaimState(row.state), owner=row.owner, result=result)
