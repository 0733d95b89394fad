"""The claims one digest run holds while it sends: one heartbeat and one writer for all of them.

A run has dozens of posts in flight. Each used to start its own heartbeat task and write twice (a
claim refresh right before posting, the message ts after); at 10,000 channels those writes were
most of a replica's cost. Here:

- `Heartbeat` is one task per run that refreshes every claim being posted in one UPDATE per beat,
  and remembers when each claim was last written, so a sender knows its claim is fresh without a
  query. A claim younger than half the takeover cannot have been taken over (another replica takes
  one over only once it is `takeover_after` old), so only an older one is refreshed before a send.
- `SentRecorder` records sent digests by group commit: a send whose ts arrives while a write is in
  flight joins the next write. Nobody waits on purpose, so a sent digest is recorded as soon as one
  statement allows (the crash window stays one write long), and each sender still waits for its own
  row to be recorded before it counts as sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Update, case, update

from bot.clock import Clock
from bot.digest.store import CHUNK, DELIVERIES, Delivery, DigestStore
from bot.storage.db import Database
from bot.storage.digest_tables import DeliveryState

log = logging.getLogger(__name__)


class Heartbeat:
    """Refreshes, every `seconds`, the claims of the posts in flight; knows how fresh each claim is."""

    def __init__(self, store: DigestStore, clock: Clock, owner: str, *, seconds: float, fresh_for: timedelta):
        self.store = store
        self.clock = clock
        self.owner = owner
        self.seconds = seconds
        self.fresh_for = fresh_for
        self.posting: dict[int, Delivery] = {}
        self.written: dict[int, datetime] = {}  # the claimed_at this process last wrote, by delivery id
        self.task: asyncio.Task[None] | None = None

    def is_fresh(self, delivery: Delivery) -> bool:
        """Whether the claim was written so recently that nobody can have taken it over."""
        written = self.written.get(delivery.id, delivery.claimed_at)
        return self.clock.now() - written < self.fresh_for

    async def still_mine(self, delivery: Delivery) -> bool:
        """True without a query while the claim is fresh; else refresh it (False: it was taken over)."""
        if self.is_fresh(delivery):
            return True
        now = self.clock.now()
        if not await self.store.still_mine(delivery, self.owner):
            return False
        self.written[delivery.id] = now
        return True

    def start_posting(self, delivery: Delivery) -> None:
        self.posting[delivery.id] = delivery
        if self.task is None:
            self.task = asyncio.create_task(self._beat(), name="digest-heartbeat")

    def done_posting(self, delivery: Delivery) -> None:
        self.posting.pop(delivery.id, None)

    async def stop(self) -> None:
        task, self.task = self.task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.seconds)
            held = list(self.posting.values())
            if not held:
                continue
            now = self.clock.now()
            try:
                kept = await refresh_claims(self.store, held, self.owner)
            except Exception as exc:  # the database blinked: try again at the next beat
                log.warning("digest: could not refresh %d claims (%s)", len(held), exc)
                continue
            for delivery in held:
                if delivery.id in kept:
                    self.written[delivery.id] = now
                else:
                    # Its sender finds out from `still_mine` once the claim is no longer fresh.
                    log.warning("digest for %s: claim lost while posting", delivery.channel_id)
                    self.posting.pop(delivery.id, None)
                    self.written[delivery.id] = datetime.min.replace(tzinfo=now.tzinfo)


class SentRecorder:
    """Records sent digests (`mark_sent`) a batch at a time: whatever arrived during the last write."""

    def __init__(self, store: DigestStore, owner: str):
        self.store = store
        self.owner = owner
        self.pending: list[tuple[Delivery, str, int, asyncio.Future[bool]]] = []
        self.task: asyncio.Task[None] | None = None

    async def record(self, delivery: Delivery, ts: str, snapshot_id: int) -> bool:
        """Record this digest's message ts; True once written, False if the claim was not ours."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.pending.append((delivery, ts, snapshot_id, future))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._write(), name="digest-sent-recorder")
        # Shielded: a sender cancelled (shutdown) while waiting does not cancel the others' write.
        return await asyncio.shield(future)

    async def drain(self) -> None:
        """Wait for the writes in flight (the run ends, or is cancelled: a sent digest stays recorded)."""
        if self.task is not None and not self.task.done():
            await asyncio.shield(self.task)

    async def _write(self) -> None:
        while self.pending:
            batch, self.pending = self.pending, []
            by_snapshot: dict[int, list[tuple[Delivery, str, int, asyncio.Future[bool]]]] = {}
            for item in batch:
                by_snapshot.setdefault(item[2], []).append(item)
            for snapshot_id, items in by_snapshot.items():
                try:
                    recorded = await mark_sent_many(
                        self.store, [(d, ts) for d, ts, _, _ in items], self.owner, snapshot_id=snapshot_id
                    )
                except Exception as exc:
                    for *_, future in items:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for delivery, _, _, future in items:
                    if not future.done():
                        future.set_result(delivery.id in recorded)


async def refresh_claims(store: DigestStore, deliveries: Collection[Delivery], owner: str) -> set[int]:
    """Refresh many claims in one statement per chunk (the run's heartbeat); the ids still `owner`'s."""
    ids = [d.id for d in deliveries]
    now = store.clock.now()
    statements = [
        update(DELIVERIES)
        .where(
            DELIVERIES.c.id.in_(ids[start : start + CHUNK]),
            DELIVERIES.c.claimed_by == owner,
            DELIVERIES.c.state == DeliveryState.CLAIMED,
        )
        .values(claimed_at=now)
        .returning(DELIVERIES.c.id)
        for start in range(0, len(ids), CHUNK)
    ]
    return await _update_many(store.db, statements)


async def mark_sent_many(
    store: DigestStore, sent: Sequence[tuple[Delivery, str]], owner: str, *, snapshot_id: int
) -> set[int]:
    """`DigestStore.mark_sent` for several digests (delivery, message ts) in one statement per chunk; the
    ids recorded. Each row's ts goes in by a CASE on its id; the rest is the same for all."""
    now = store.clock.now()
    statements = []
    for start in range(0, len(sent), CHUNK):
        chunk = sent[start : start + CHUNK]
        statements.append(
            update(DELIVERIES)
            .where(DELIVERIES.c.id.in_([d.id for d, _ in chunk]), DELIVERIES.c.claimed_by == owner)
            .values(
                state=DeliveryState.SENT,
                message_ts=case({d.id: ts for d, ts in chunk}, value=DELIVERIES.c.id),
                snapshot_id=snapshot_id,
                sent_at=now,
                error=None,
                next_attempt_at=None,
            )
            .returning(DELIVERIES.c.id)
        )
    return await _update_many(store.db, statements)


async def _update_many(db: Database, statements: Sequence[Update]) -> set[int]:
    """Run UPDATE … RETURNING id statements in autocommit (each is atomic on its own)."""
    changed: set[int] = set()
    async with db.autocommit() as autocommit:
        for statement in statements:
            changed.update((await autocommit.execute(statement)).scalars())
    return changed
