"""(5) Digest at scale: 10,000 channels due at once, 3 `serve` replicas sharing a fresh PostgreSQL database.

Setup: a new database is created and migrated, and 10,000 stand-in channels get a digest through the
bot's own `DigestStore.enable` (what `/earnings digest on HH:MM Zone` calls), spread over several time
zones, each at a local time two minutes ago and turned on ten minutes ago, so every one is due now.
The stand-in limits `chat.postMessage` to 1/s per channel (429 + Retry-After) and, because one digest
per channel never reaches that limit, also answers the first 200 posts with 429 + `Retry-After: 1`
(as a workspace-wide burst limit would), so the retry path runs. Then 3 real `serve`
processes start together (through bench/counted_serve.py, which counts their SQL statements), each with its in-process digest scheduler ticking every
`DIGEST_CHECK_SECONDS` seconds; nothing else tells them to send.

Measured: every channel got exactly one digest, the time from starting the replicas until the last one
arrived (replica start-up included), how the sending was shared (from the delivery rows: which
replica's claim each sent digest belongs to), 429s answered, how often earnings were fetched, and the
SQL statements the replicas sent per digest: the writes around the sends (claim refreshes, recording
the sent messages; both batched, see bot/digest/inflight.py) and, for claiming and reading, a few per
batch, none per channel. The database is dropped
afterwards.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.report import Figure
from bench.scenarios import feature_present
from bench.stack import StackContext

NAME = "digest"
TITLE = "5. Digest at 10×, 3 serve replicas on PostgreSQL"
PG_ADMIN_DSN = os.environ.get("BENCH_POSTGRES_DSN") or os.environ.get(
    "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
PREFIX = "C_BENCH"
# `BENCH_DIGEST_CHANNELS=3000` runs a reduced variant (to compare rates on a busy machine); the
# targets are for the full 10,000.
REPLICAS = 3
INJECTED_429 = 200  # forced 429s at the start: a workspace burst limit is a fixed burst, not per channel
THROUGH_ENABLE = 500  # channels set up through `DigestStore.enable`, the rest in bulk
PARTNERS_LATENCY = 0.3
CHECK_SECONDS = 2  # DIGEST_CHECK_SECONDS of the replicas (production default: 60)
# Zones on both sides of UTC, with half-hour offsets and different local dates.
ZONES = (
    "UTC",
    "Europe/Warsaw",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)


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
    """Migrate the database and turn every channel's digest on, due two minutes ago in its zone.

    The first `THROUGH_ENABLE` channels go through the bot's own `DigestStore.enable` (what
    `/earnings digest on` calls); the rest get the same rows in bulk, so that setting up 10,000
    channels takes a second rather than a minute of one transaction each.
    """
    from bot.clock import ManualClock
    from bot.digest.store import DigestStore
    from bot.storage import Database
    from bot.storage.digest_tables import DigestChannel

    now = datetime.now(UTC)
    turned_on = now - timedelta(minutes=10)  # `enable` records "nothing scheduled before now is sent"
    db = Database(database_url)
    try:
        await db.upgrade()
        store = DigestStore(db, ManualClock(turned_on))
        due_at = {
            zone: (now - timedelta(minutes=2)).astimezone(ZoneInfo(zone)).strftime("%H:%M") for zone in ZONES
        }
        numbered = [(c, ZONES[i % len(ZONES)]) for i, c in enumerate(channels)]
        head, rest = numbered[:THROUGH_ENABLE], numbered[THROUGH_ENABLE:]
        for start in range(0, len(head), 50):
            await asyncio.gather(
                *(store.enable(c, due_at[zone], zone, "U_ADMIN") for c, zone in head[start : start + 50])
            )
        template = await store.channel(head[0][0]) if head else None
        for start in range(0, len(rest), 1_000):
            async with db.session() as session:
                session.add_all(
                    DigestChannel(
                        channel_id=c,
                        time_of_day=due_at[zone],
                        tz=zone,
                        enabled=True,
                        set_by="U_ADMIN",
                        active_from=template.active_from if template else turned_on,
                        disabled_reason=None,
                        created_at=turned_on,
                        updated_at=turned_on,
                    )
                    for c, zone in rest[start : start + 1_000]
                )
    finally:
        await db.close()


async def sent_by_replica(database_url: str) -> list[int]:
    """Digests sent per claim owner (each replica's runner has its own), most first."""
    from sqlalchemy import func, select

    from bot.storage import Database
    from bot.storage.digest_tables import DigestDelivery

    db = Database(database_url)
    try:
        async with db.session() as session:
            rows = await session.execute(
                select(DigestDelivery.claimed_by, func.count())
                .where(DigestDelivery.state == "sent")
                .group_by(DigestDelivery.claimed_by)
            )
            counts = sorted((int(n) for _, n in rows.all()), reverse=True)
    finally:
        await db.close()
    return counts + [0] * max(0, REPLICAS - len(counts))


def _cpu_seconds(pid: int) -> float:
    import psutil

    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def _errors_logged(log: str) -> int:
    return sum(1 for line in log.splitlines() if "ERROR" in line or line.startswith("Traceback"))


async def run(quick: bool) -> list[Figure]:
    s = TITLE
    if not feature_present("bot.digest.runner", "bot.digest.store", "bot.digest.scheduler"):
        return [Figure(s, "digests delivered", None, note="feature not present")]
    try:
        await _admin("SELECT 1")
    except Exception as exc:
        return [Figure(s, "digests delivered", None, note=f"PostgreSQL not reachable: {type(exc).__name__}")]
    count = int(os.environ.get("BENCH_DIGEST_CHANNELS") or (1_000 if quick else 10_000))
    injected = INJECTED_429
    channels = [f"{PREFIX}{i:05d}" for i in range(count)]
    async with fresh_database() as database_url:
        async with StackContext() as stack:
            await stack.configure(
                partners_latency=PARTNERS_LATENCY,
                rate_limit_per_channel=1.0,
                channels={"prefix": PREFIX, "count": count},
                slack_faults=[
                    {"method": "chat.postMessage", "status": 429, "retry_after": 1, "times": injected}
                ],
            )
            await schedule_digests(database_url, channels)
            started = time.monotonic()
            started_wall = time.time()
            bots = await asyncio.gather(
                *(
                    stack.start_bot(database_url, count_sql=True, DIGEST_CHECK_SECONDS=str(CHECK_SECONDS))
                    for _ in range(REPLICAS)
                )
            )
            ready = time.monotonic() - started

            def delivered(st: dict) -> int:
                return sum(1 for c in st["messages_by_channel"] if c.startswith(PREFIX))

            stats = await stack.wait_stats(lambda st: delivered(st) >= count, timeout=120, interval=0.5)
            elapsed = time.monotonic() - started if delivered(stats) >= count else None
            # A duplicate would come from a later tick of some replica: let each tick twice more.
            await asyncio.sleep(2 * CHECK_SECONDS + 1.5)
            stats = await stack.stats(times_prefix=PREFIX)
            per_replica = await sent_by_replica(database_url)
            errors = sum(_errors_logged(stack.log_text(bot)) for bot in bots)
            assert stack.fakes is not None
            cpu = [_cpu_seconds(p.pid) for p in (stack.fakes, *(bot.proc for bot in bots))]
            for bot in bots:
                stack.stop_bot(bot)  # its last SQL counts are written at exit
            sql: Counter[str] = Counter()
            for bot in bots:
                sql.update(bot.sql_counts())

    by_channel = {c: n for c, n in stats["messages_by_channel"].items() if c.startswith(PREFIX)}
    duplicates = sum(1 for n in by_channel.values() if n > 1)
    statuses = stats["slack_statuses"]
    limited = sum(n for k, n in statuses.items() if k.startswith("chat.postMessage 429"))
    first, last = stats["first_message_time"], stats["last_message_time"]
    return [
        Figure(s, "channels that got their digest", len(by_channel), "", "==", count),
        Figure(s, "channels that got it more than once", duplicates, "", "==", 0),
        Figure(
            s,
            f"time until all {count:,} delivered (from starting the 3 processes)",
            elapsed,
            "s",
            "<=",
            60,
            note="not all delivered within 120 s" if elapsed is None else "",
        ),
        Figure(s, "replicas answering /healthz after", ready, "s"),
        Figure(
            s,
            "first digest after start",
            None if first is None else first - started_wall,
            "s",
            note="" if first is None or last is None else f"last after {last - started_wall:.1f} s",
        ),
        Figure(
            s,
            "replicas that sent digests",
            sum(1 for n in per_replica if n),
            note="digests each: " + " / ".join(f"{n:,}" for n in per_replica),
        ),
        Figure(s, "Partners API earnings calls", stats["earnings_calls"], "", "<=", 3),
        Figure(
            s,
            "chat.postMessage answered 429",
            limited,
            note=f"{injected} forced at the start + per-channel limit 1/s; all waited out and retried",
        ),
        Figure(s, "ERROR lines / tracebacks in the replicas' logs", errors, "", "==", 0),
        Figure(
            s,
            "CPU seconds used by the fakes (Slack stand-in + sandbox)",
            cpu[0],
            "s",
            note="replicas: "
            + " / ".join(f"{c:.0f} s" for c in cpu[1:])
            + "; tells which side was the limit",
        ),
        *_sql_figures(s, sql, len(by_channel)),
    ]


def _per_send(kind: str) -> bool:
    """Refreshing claims (before a send, or the heartbeat), and recording sent messages."""
    if not kind.startswith("UPDATE digest_deliveries SET "):
        return False
    columns = kind.rsplit(" SET ", 1)[1].split(",")
    return columns == ["claimed_at"] or "message_ts" in columns


def _sql_figures(s: str, sql: Counter[str], digests: int) -> list[Figure]:
    """Statements per digest: the per-send writes, and everything else (which must be per batch)."""
    if not sql or not digests:
        return [Figure(s, "SQL statements per digest", None, note="not counted")]
    per_send = sum(n for kind, n in sql.items() if _per_send(kind))
    other = sum(sql.values()) - per_send
    top = ", ".join(f"{kind} {n:,}" for kind, n in sql.most_common(6))
    return [
        Figure(s, "SQL statements per digest", sum(sql.values()) / digests, note=top),
        Figure(
            s,
            "SQL statements per digest besides the writes around the sends",
            other / digests,
            "",
            "<=",
            0.5,
            note="claims and reads per batch: one statement per channel would make this ≥ 1",
        ),
    ]
