"""(1) Ack latency under load: `/earnings` at 200 req/s, open loop, Partners API answering in 300 ms.

The bot must answer HTTP 200 fast whatever the API does, post every reply to its response URL, and
fetch earnings about once for the whole burst (coalescing + cache), not once per command.
"""

from __future__ import annotations

from bench.loadgen import fake_trigger_id, open_loop, percentile, slash_command
from bench.report import Figure
from bench.stack import SIGNING_SECRET, StackContext

NAME = "ack"
TITLE = "1. Ack latency, /earnings at 200 req/s"
RATE = 200.0
PARTNERS_LATENCY = 0.3
WARMUP = 20  # `/earnings help` acks with usage text: warms Bolt and auth.test, leaves the cache cold


async def run(quick: bool) -> list[Figure]:
    duration = 2.0 if quick else 10.0
    total = int(RATE * duration)
    s = TITLE
    async with StackContext() as stack:
        await stack.configure(partners_latency=PARTNERS_LATENCY)
        bot = await stack.start_bot()
        warm_urls = await stack.response_urls(WARMUP)
        warmup = [
            slash_command(
                SIGNING_SECRET, "/earnings", text="help", response_url=u, trigger_id=fake_trigger_id(i)
            )
            for i, u in enumerate(warm_urls)
        ]
        await open_loop(bot.events_url, warmup, 50.0)
        urls = await stack.response_urls(total)
        requests = [
            slash_command(SIGNING_SECRET, "/earnings", response_url=u, trigger_id=fake_trigger_id(i))
            for i, u in enumerate(urls)
        ]
        result = await open_loop(bot.events_url, requests, RATE)
        stats = await stack.wait_stats(lambda st: st["response_urls_delivered"] >= total, timeout=15)

    warm = [x.latency for x in result.samples[int(RATE * 0.5) :] if x.status]
    partners_calls = sum(stats["partners_calls"].values())
    errors = ", ".join(f"{k}: {v}" for k, v in result.errors.items()) or "none"
    return [
        Figure(s, "requests sent (HTTP 200)", result.ok_count, note=f"of {total}; errors: {errors}"),
        Figure(s, "achieved send rate", total / result.wall_time if result.wall_time else None, "req/s"),
        Figure(s, "ack p50", result.percentile(50) * 1000, "ms"),
        Figure(s, "ack p99", result.percentile(99) * 1000, "ms", "<=", 50),
        Figure(s, "ack max", max(result.latencies(), default=float("nan")) * 1000, "ms"),
        Figure(
            s,
            "ack p99 after the first 0.5 s",
            percentile(warm, 99) * 1000,
            "ms",
            note="without the burst of replies when the first earnings load completes",
        ),
        Figure(s, "requests over 3 s (or unanswered)", result.over(3.0), "", "==", 0),
        Figure(
            s,
            "replies delivered to response URLs",
            100.0 * stats["response_urls_delivered"] / total,
            "%",
            ">=",
            100,
        ),
        Figure(s, "Partners API calls per command", partners_calls / total, "", "<=", 0.05),
        Figure(
            s,
            "generator send lag p99",
            result.send_lag(99) * 1000,
            "ms",
            note="load generator health, included in the latencies",
        ),
    ]
