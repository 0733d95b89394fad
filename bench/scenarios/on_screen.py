"""(1) Numbers on screen: `/earnings` at 200 req/s, open loop, Partners API answering in 300 ms.

A person waits until the numbers are on screen: for a reply carried in the ack body that is the HTTP
answer's time; for a deferred one, until its response-URL post reached the Slack fake. The bot's
earnings cache lives `PARTNERS_CACHE_SECONDS=3` here (production default 30), so the 10 s run crosses
several expiries and only refreshing ahead keeps commands from waiting for the API. The cache is
warmed by one `/earnings` first (a cold cache is scenario 2). The peer is the minimal Bolt app,
acking the same commands empty at the same rate (its "on screen" is its ack: the floor).
"""

from __future__ import annotations

import math

from bench.loadgen import RunResult, fake_trigger_id, open_loop, percentile, screen_times, slash_command
from bench.report import Figure
from bench.stack import SIGNING_SECRET, Bot, Stack, StackContext

NAME = "screen"
TITLE = "1. /earnings at 200 req/s, API 300 ms"
RATE = 200.0
PARTNERS_LATENCY = 0.3
CACHE_SECONDS = 3
WARMUP = 20  # `/earnings help` acks with usage text: warms Bolt and auth.test


async def _run(stack: Stack, app: Bot, total: int, *, bot: bool) -> tuple[RunResult, list[float | None]]:
    """Warm up, then the open-loop run; for the bot also when each command's numbers were shown."""
    warm_urls = await stack.response_urls(WARMUP)
    warmup = [
        slash_command(SIGNING_SECRET, "/earnings", text="help", response_url=u, trigger_id=fake_trigger_id(i))
        for i, u in enumerate(warm_urls)
    ]
    await open_loop(app.events_url, warmup, 50.0)
    if bot:
        [url] = await stack.response_urls(1)
        await open_loop(
            app.events_url,
            [slash_command(SIGNING_SECRET, "/earnings", response_url=url, trigger_id="w")],
            1.0,
        )
        await stack.wait_stats(lambda st: st["response_urls_delivered"] >= 1, timeout=10, interval=0.05)
    urls = await stack.response_urls(total)
    requests = [
        slash_command(SIGNING_SECRET, "/earnings", response_url=u, trigger_id=fake_trigger_id(i))
        for i, u in enumerate(urls)
    ]
    result = await open_loop(app.events_url, requests, RATE)
    if not bot:
        return result, []
    deferred = [s.tag for s in result.samples if not s.in_body]
    posted: dict[str, float | None] = {}
    if deferred:
        await stack.wait_stats(lambda st: st["response_urls_delivered"] >= len(deferred) + 1, timeout=10)
        posted = await stack.response_times(deferred)
    return result, screen_times(result, posted)


def _ms(values: list[float | None], p: float) -> float:
    shown = [v for v in values if v is not None]
    if len(shown) < len(values):
        return math.inf  # a command whose numbers never arrived counts as infinitely slow
    return percentile(shown, p) * 1000


async def run(quick: bool) -> list[Figure]:
    duration = 2.0 if quick else 10.0
    total = int(RATE * duration)
    s = TITLE
    async with StackContext() as stack:
        await stack.configure(partners_latency=PARTNERS_LATENCY)
        bot = await stack.start_bot(PARTNERS_CACHE_SECONDS=str(CACHE_SECONDS))
        before = (await stack.stats())["earnings_calls"]
        ours, ours_screen = await _run(stack, bot, total, bot=True)
        calls = (await stack.stats())["earnings_calls"] - before
        stack.stop_bot(bot)
        peer = await stack.start_baseline()
        base, _ = await _run(stack, peer, total, bot=False)
        stack.stop_bot(peer)

    shown = sum(1 for t in ours_screen if t is not None)
    errors = ", ".join(f"{k}: {v}" for k, v in ours.errors.items()) or "none"
    base_acks = [s.latency for s in base.samples if s.ok]
    return [
        Figure(
            s,
            "numbers on screen p50",
            _ms(ours_screen, 50),
            "ms",
            "<=",
            10,
            baseline=percentile(base_acks, 50) * 1000,
        ),
        Figure(
            s,
            "numbers on screen p99",
            _ms(ours_screen, 99),
            "ms",
            "<=",
            20,
            baseline=percentile(base_acks, 99) * 1000,
        ),
        Figure(
            s,
            "answered in the ack",
            100.0 * ours.in_body_count / total,
            "%",
            ">=",
            99,
            note=f"the rest via the response URL; {ours.ok_count:,} of {total:,} HTTP 200, errors: {errors}",
        ),
        Figure(s, "commands whose numbers reached the screen", 100.0 * shown / total, "%", ">=", 100),
        Figure(
            s,
            "Partners API earnings calls during the run",
            calls,
            note=f"cache {CACHE_SECONDS} s, refreshed ahead while in use: about one per {CACHE_SECONDS} s",
        ),
        Figure(
            s,
            "ack max",
            max(ours.latencies(), default=math.nan) * 1000,
            "ms",
            baseline=max(base_acks, default=math.nan) * 1000,
        ),
        Figure(
            s,
            "generator send lag p99",
            ours.send_lag(99) * 1000,
            "ms",
            note="load generator health, included in the latencies",
        ),
    ]
