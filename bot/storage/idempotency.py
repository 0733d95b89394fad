"""Claims that make an operation happen once across retries, double clicks and replicas.

A claim is a row keyed by (scope, key). Inserting it is the claim: the database's primary key lets
exactly one caller win, on SQLite as on PostgreSQL. The winner records the outcome; everybody else
reads it. A claim left `pending` by a process that died can be taken over after `stale_after`; the
new owner must assume the dead one may have done part of the work (`Claim.taken_over`).

`run_once` is the whole pattern for one piece of work (campaign creation, a subscription request,
a payout); `run` is the same and also says whose result it is. Work whose outcome can be open
(a write with no answer) returns a `Verdict` to keep the claim `unknown` or give it back, and says
how to re-read the outside world (`recheck_unknown`) before anyone may do it again.
`claim`/`finish`/`release`/`wait_settled` are its parts, for callers whose claim outlives one call
(a subscription's per-license claim, kept `unknown` while LiveChat is re-read).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Collection
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
    created_at: datetime | None = None  # when the operation was first claimed
    updated_at: datetime | None = None  # when its state last changed (an `unknown` was recorded)


@dataclass(frozen=True)
class Verdict:
    """What work (or a re-read) found, and what becomes of the claim.

    `state` is `done`, `unknown` (it may have happened: re-read before trying again), or None to
    release the claim because the outside world proved nothing happened.
    """

    result: Result
    state: ClaimState | None = ClaimState.DONE

    def __post_init__(self) -> None:
        if self.state == ClaimState.PENDING:
            raise ValueError("a verdict settles a claim: done, unknown or released")


# A plain result is recorded `done`, the common case (campaign creation, a subscription request).
Found = Result | Verdict
Work = Callable[[], Awaitable[Found]]
Settle = Callable[[], Awaitable[Found | None]]
Recheck = Callable[[Claim], Awaitable[Found | None]]
OnError = Callable[[BaseException], Verdict | None]


@dataclass(frozen=True)
class Ran:
    """How `run` ended for one caller."""

    result: Result | None  # None: another caller still has it in hand, or it was given up
    state: ClaimState | None  # the claim as this caller left it; None when released
    ours: bool = False  # this caller did the work (or settled a taken-over claim)
    rechecked: bool = False  # this caller re-read another's `unknown` outcome and settled it


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
        return Claim(
            won=True, state=ClaimState.PENDING, owner=owner, result=None, created_at=now, updated_at=now
        )

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
                        won=True,
                        state=ClaimState.PENDING,
                        owner=owner,
                        result=None,
                        taken_over=True,
                        created_at=row.created_at,
                        updated_at=now,
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

    async def get_many(self, scope: str, keys: Collection[str]) -> dict[str, Claim]:
        """The claims of `keys` that exist, by key, in one query (a list of many items)."""
        if not keys:
            return {}
        async with self.db.session() as session:
            rows = (
                await session.execute(
                    select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key.in_(keys))
                )
            ).scalars()
            return {row.key: _seen(row) for row in rows}

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
        report its own result), or gave it up. `run` takes the options for work with open outcomes.
        """
        ran = await self.run(
            scope,
            key,
            work,
            settle_takeover=settle_takeover,
            wait_seconds=wait_seconds,
            poll_seconds=poll_seconds,
        )
        return ran.result

    async def run(
        self,
        scope: str,
        key: str,
        work: Work,
        *,
        settle_takeover: Settle | None = None,
        recheck_unknown: Recheck | None = None,
        unknown_grace: timedelta | None = None,
        on_error: OnError | None = None,
        attempts: int = 1,
        wait_seconds: float = 30.0,
        poll_seconds: float = 0.1,
    ) -> Ran:
        """`run_once`, telling the caller whether the result is its own.

        `work` returns a result (recorded `done`) or a `Verdict`. If it raises, the claim is
        released so the same request may run again, unless `on_error` returns a Verdict to keep
        instead (work that may already have reached the outside world keeps it `unknown`).

        A claim taken over from a process that died may hide work that happened with no record of
        it. `settle_takeover` re-reads the outside world first: what it returns is recorded instead
        of running `work` again; None means it found nothing done, so `work` runs. Without it,
        `work` runs again, which is right only for work that guards itself (a request whose inner
        claim does the re-reading).

        A caller that finds the claim `unknown` calls `recheck_unknown(claim)` before anything else:
        what it returns is recorded for the claim's owner (it happened after all); None means it
        found nothing, and once the outcome is `unknown_grace` old the claim is released. A claim
        given up while waiting, or released that way, is competed for again, up to `attempts` claims.
        """
        for _ in range(attempts):
            claim = await self.claim(scope, key)
            if claim.won:
                return await self._run_won(scope, key, claim, work, settle_takeover, on_error)
            log.info("%s %s is a duplicate; waiting for the first attempt", scope, key[:12])
            settled: Claim | None = claim
            if claim.state == ClaimState.PENDING:
                settled = await self.wait_settled(
                    scope, key, wait_seconds=wait_seconds, poll_seconds=poll_seconds
                )
                if settled is None:
                    continue  # given up: it did not happen, so compete again
            if settled.state == ClaimState.UNKNOWN and recheck_unknown is not None:
                found = await recheck_unknown(settled)
                if found is not None:
                    verdict = _verdict(found)
                    await self._record(scope, key, settled.owner, verdict)
                    return Ran(verdict.result, verdict.state, rechecked=True)
                if self._outlived(settled, unknown_grace):
                    log.info("%s %s: unknown outcome outlived its grace with nothing found", scope, key[:12])
                    await self.release(scope, key, settled.owner)
                    continue
            return Ran(settled.result, settled.state)
        return Ran(None, ClaimState.PENDING)

    async def _run_won(
        self,
        scope: str,
        key: str,
        claim: Claim,
        work: Work,
        settle_takeover: Settle | None,
        on_error: OnError | None,
    ) -> Ran:
        try:
            found: Found | None = None
            if claim.taken_over and settle_takeover is not None:
                log.warning("%s %s: took over a claim left by a stopped process; re-reading", scope, key[:12])
                found = await settle_takeover()
            if found is None:
                found = await work()
        except BaseException as exc:
            kept = on_error(exc) if on_error is not None else None
            await self._record(scope, key, claim.owner, kept or Verdict({}, state=None))
            raise
        verdict = _verdict(found)
        await self._record(scope, key, claim.owner, verdict)
        return Ran(verdict.result, verdict.state, ours=True)

    async def _record(self, scope: str, key: str, owner: str, verdict: Verdict) -> None:
        if verdict.state is None:
            await self.release(scope, key, owner)
        else:
            await self.finish(scope, key, owner, state=verdict.state, result=verdict.result)

    def _outlived(self, claim: Claim, grace: timedelta | None) -> bool:
        if grace is None or claim.updated_at is None:
            return False
        return self.clock.now() - claim.updated_at >= grace


def _verdict(found: Found) -> Verdict:
    return found if isinstance(found, Verdict) else Verdict(found)


def _seen(row: IdempotencyKey) -> Claim:
    """The claim as a caller that did not win it sees it."""
    result = json.loads(row.result) if row.result else None
    return Claim(
        won=False,
        state=ClaimState(row.state),
        owner=row.owner,
        result=result,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
