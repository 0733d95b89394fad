"""(5) Memory: RSS of an idle `serve` process, and its growth after 10,000 `/earnings` commands.

RSS is read with psutil from the bot's own process; the commands go through the real HTTP app and
each reply is posted to a fresh response URL, so everything a command allocates is exercised.
"""

from __future__ import annotations

import asyncio

import psutil

from bench.loadgen import closed_loop, fake_trigger_id, slash_command
from bench.report import Figure
from bench.stack import SIGNING_SECRET, StackContext

NAME = "memory"
TITLE = "5. Memory of serve"
MB = 1024 * 1024
SETTLE = 2.0  # seconds for the process to finish startup work and background replies


async def run(quick: bool) -> list[Figure]:
    total = 1_000 if quick else 10_000
    s = TITLE
    async with StackContext() as stack:
        urls = await stack.response_urls(total)
        requests = [
            slash_command(SIGNING_SECRET, "/earnings", response_url=u, trigger_id=fake_trigger_id(i))
            for i, u in enumerate(urls)
        ]
        bot = await stack.start_bot()
        process = psutil.Process(bot.pid)
        await asyncio.sleep(SETTLE)
        idle = process.memory_info().rss
        result = await closed_loop(bot.events_url, lambda i: requests[i], 16, total=total)
        stats = await stack.wait_stats(lambda st: st["response_urls_delivered"] >= total, timeout=30)
        await asyncio.sleep(SETTLE)
        after = process.memory_info().rss
    return [
        Figure(s, "RSS idle", idle / MB, "MB", "<=", 120),
        Figure(
            s,
            f"RSS growth after {total:,} /earnings",
            (after - idle) / MB,
            "MB",
            "<=",
            10,
            note=f"{result.ok_count:,} acked, {stats['response_urls_delivered']:,} replies delivered",
        ),
    ]
