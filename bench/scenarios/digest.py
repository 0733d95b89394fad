"""(4) Digest at scale: 1,000 channels due at once, 3 replicas sharing a fresh PostgreSQL database.

Setup (in this process): a new database is created, migrated, and 1,000 stand-in channels get a
digest scheduled two minutes ago (enabled ten minutes ago, so it is due now). The stand-in limits
`chat.postMessage` to 1/s per channel and, to exercise the 429 path that one digest per channel
never reaches, answers the first 200 posts with 429 + `Retry-After: 1` (as a workspace-wide burst
limit would). Then 3 replica processes, each with the bot's own `Deps` and `DigestRunner`, start
their runs together. Measured: every channel got exactly one digest, how long that took, and how
many times earnings were fetched. The database is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from bench.report import Figure
from bench.scenarios import feature_present
from bench.stack import StackContext

NAME = "digest"
TITLE = "4. Digest, 1,000 channels, 3 replicas"
PG_ADMIN_DSN = os.environ.get("BENCH_POSTGRES_DSN") or os.environ.get(
    "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
PREFIX = "C_BENCH"
REPLICAS = 3
INJECTED_429 = 200
PARTNERS_LATENCY = 0.3


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new PostgreSQL database for this run (SQLAlchemy URL), dropped on the way out."""
    name = f"pb_bench_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    host = PG_ADMIN_DSN.split("@", 1)[1].split("/", 1)[0]
    user = PG_ADMIN_DSN.split("://", 1)[1].split("@", 1)[0]
    try:
        yield f"postgresql+asyncpg://{user}@{host}/{name}"
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def schedule_digests(database_url: str, channels: list[str]) -> None:
    """Migrate the database and make every channel's digest due now."""
    from bot.clock import ManualClock
    from bot.digest.store import DigestStore
    from bot.storage import Database

    now = datetime.now(UTC)
    due_at = (now - timedelta(minutes=2)).strftime("%H:%M")
    db = Database(database_url)
    try:
        await db.upgrade()
        store = DigestStore(db, ManualClock(now - timedelta(minutes=10)))
        for start in range(0, len(channels), 50):
            batch = channels[start : start + 50]
            await asyncio.gather(*(store.enable(c, due_at, "UTC", "U_ADMIN") for c in batch))
    finally:
        await db.close()


async def run(quick: bool) -> list[Figure]:
    s = TITLE
    if not feature_present("bot.digest.runner", "bot.digest.store"):
        return [Figure(s, "digests delivered", None, note="feature not present")]
    try:
        await _admin("SELECT 1")
    except Exception as exc:
        return [Figure(s, "digests delivered", None, note=f"PostgreSQL not reachable: {type(exc).__name__}")]
    count = 100 if quick else 1_000
    channels = [f"{PREFIX}{i:05d}" for i in range(count)]
    async with fresh_database() as database_url, StackContext() as stack:
        await stack.configure(
            partners_latency=PARTNERS_LATENCY,
            rate_limit_per_channel=1.0,
            channels={"prefix": PREFIX, "count": count},
            slack_faults=[
                {
                    "method": "chat.postMessage",
                    "status": 429,
                    "retry_after": 1,
                    "times": INJECTED_429 * count // 1000,
                }
            ],
        )
        await schedule_digests(database_url, channels)
        replicas = await asyncio.gather(*(stack.start_digest_replica(database_url) for _ in range(REPLICAS)))
        started = time.monotonic()
        for replica in replicas:
            replica.send_signal(signal.SIGUSR1)

        def delivered(st: dict) -> int:
            return sum(1 for c in st["messages_by_channel"] if c.startswith(PREFIX))

        stats = await stack.wait_stats(lambda st: delivered(st) >= count, timeout=90, interval=0.2)
        elapsed = time.monotonic() - started if delivered(stats) >= count else None
        await asyncio.sleep(3)  # a duplicate would come from a late replica: give it time to show
        stats = await stack.stats()
        logs = stack.replica_logs()

    by_channel = {c: n for c, n in stats["messages_by_channel"].items() if c.startswith(PREFIX)}
    duplicates = sum(1 for n in by_channel.values() if n > 1)
    limited = sum(n for k, n in stats["slack_statuses"].items() if k.startswith("chat.postMessage 429"))
    working = sum(1 for log in logs if '"claimed": ' in log and '"claimed": 0' not in log)
    return [
        Figure(s, "channels that got their digest", len(by_channel), "", "==", count),
        Figure(s, "channels that got it more than once", duplicates, "", "==", 0),
        Figure(
            s,
            f"time until all {count:,} delivered",
            elapsed,
            "s",
            "<=",
            60,
            note="not all delivered within 90 s" if elapsed is None else "",
        ),
        Figure(s, "Partners API earnings calls", stats["earnings_calls"], "", "<=", 3),
        Figure(
            s,
            "429 answers waited out",
            limited,
            note=f"{INJECTED_429 * count // 1000} injected; replicas that won claims: {working} of {REPLICAS}",
        ),
    ]
