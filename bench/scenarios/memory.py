"""(6) Start-up and memory of `serve`, beside the minimal Bolt app.

- Start-up: from starting `python -m bot.cli serve` until `/healthz` answers 200, on SQLite: first on
  an empty database (serve applies the migrations), then restarted on that same, migrated database.
- Memory: RSS of the restarted process once idle, and its growth after 20,000 mixed commands (16 in
  flight): bare `/earnings` (from the cache in the ack, or deferred and posted when it is not
  fresh: `PARTNERS_CACHE_SECONDS=2`), `/earnings help`, `/earnings digest status` (a database read)
  and `/earnings bogus` (usage). RSS is read with psutil from the process's pid.
"""

from __future__ import annotations

import asyncio
import time

import psutil

from bench.loadgen import closed_loop, fake_trigger_id, slash_command
from bench.report import Figure
from bench.stack import SIGNING_SECRET, Bot, Stack, StackContext

NAME = "memory"
TITLE = "6. Start-up and memory of serve"
MB = 1024 * 1024
SETTLE = 2.0  # seconds for the process to finish startup work and background replies
MIX = ("", "", "", "", "", "", "help", "digest status", "", "bogus")  # 70 % bare /earnings


async def _timed_start(stack: Stack, **env: str) -> tuple[Bot, float]:
    started = time.monotonic()
    bot = await stack.start_bot(**env)
    return bot, time.monotonic() - started


async def _timed_baseline(stack: Stack) -> tuple[Bot, float]:
    started = time.monotonic()
    bot = await stack.start_baseline()
    return bot, time.monotonic() - started


async def run(quick: bool) -> list[Figure]:
    total = 2_000 if quick else 20_000
    s = TITLE
    async with StackContext() as stack:
        database = f"sqlite+aiosqlite:///{stack.workdir}/startup.db"
        first, first_start = await _timed_start(stack, DATABASE_URL=database)
        stack.stop_bot(first)
        bot, restart = await _timed_start(stack, DATABASE_URL=database, PARTNERS_CACHE_SECONDS="2")
        peer, peer_start = await _timed_baseline(stack)
        await asyncio.sleep(SETTLE)
        peer_idle = psutil.Process(peer.pid).memory_info().rss
        stack.stop_bot(peer)

        urls = await stack.response_urls(total)
        requests = [
            slash_command(
                SIGNING_SECRET,
                "/earnings",
                text=MIX[i % len(MIX)],
                response_url=u,
                trigger_id=fake_trigger_id(i),
            )
            for i, u in enumerate(urls)
        ]
        process = psutil.Process(bot.pid)
        idle = process.memory_info().rss
        before = await stack.stats()
        result = await closed_loop(bot.events_url, lambda i: requests[i], 16, total=total)
        await asyncio.sleep(SETTLE)
        after_stats = await stack.stats()
        after = process.memory_info().rss
    posted = after_stats["response_posts_accepted"] - before["response_posts_accepted"]
    return [
        Figure(
            s,
            "serve start → /healthz 200, SQLite already migrated",
            restart,
            "s",
            "<=",
            3,
            baseline=peer_start,
        ),
        Figure(
            s, "serve start → /healthz 200, empty SQLite (applies the migrations)", first_start, "s", "<=", 3
        ),
        Figure(s, "RSS idle", idle / MB, "MB", "<=", 120, baseline=peer_idle / MB),
        Figure(
            s,
            f"RSS growth after {total:,} mixed commands",
            (after - idle) / MB,
            "MB",
            "<=",
            10,
            note=f"{result.ok_count:,} answered ({result.in_body_count:,} with the message in the ack), "
            f"{posted:,} replies posted; errors: {result.errors or 'none'}",
        ),
    ]
