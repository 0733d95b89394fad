"""(2) Cold cache and a burst: what a command costs when the cached earnings are not fresh.

- Cold cache: a bot with `PARTNERS_CACHE_SECONDS=0` (nothing is ever fresh), Partners API at 300 ms,
  `/earnings` at 10 req/s: every command acks empty and waits for a load (its own or one already in
  flight); command → numbers on screen (the response-URL post reaching the Slack fake).
- Burst: a fresh bot (default cache, cold), 1,000 `/earnings` sent at 1,000 req/s: the ones that
  arrive during the first load share its one API call and get the numbers posted; the rest find the
  cache fresh and get them in the ack. Calls ÷ commands stays near 1/1,000.
"""

from __future__ import annotations

import math

from bench.loadgen import Prepared, fake_trigger_id, open_loop, percentile, screen_times, slash_command
from bench.report import Figure
from bench.stack import SIGNING_SECRET, Stack, StackContext

NAME = "cold"
TITLE = "2. Cold cache and a burst, API 300 ms"
PARTNERS_LATENCY = 0.3


async def _commands(stack: Stack, count: int) -> list[Prepared]:
    urls = await stack.response_urls(count)
    return [
        slash_command(SIGNING_SECRET, "/earnings", response_url=u, trigger_id=fake_trigger_id(i))
        for i, u in enumerate(urls)
    ]


async def run(quick: bool) -> list[Figure]:
    s = TITLE
    cold_count, burst = (20, 200) if quick else (50, 1_000)
    async with StackContext() as stack:
        await stack.configure(partners_latency=PARTNERS_LATENCY)
        bot = await stack.start_bot(PARTNERS_CACHE_SECONDS="0")
        help_urls = await stack.response_urls(5)
        await open_loop(
            bot.events_url,
            [
                slash_command(SIGNING_SECRET, "/earnings", text="help", response_url=u, trigger_id="h")
                for u in help_urls
            ],
            20.0,
        )
        cold = await open_loop(bot.events_url, await _commands(stack, cold_count), 10.0)
        await stack.wait_stats(lambda st: st["response_urls_delivered"] >= cold_count, timeout=10)
        posted = await stack.response_times([x.tag for x in cold.samples])
        cold_screen = screen_times(cold, posted)
        stack.stop_bot(bot)

        bot = await stack.start_bot()
        before = await stack.stats()
        result = await open_loop(bot.events_url, await _commands(stack, burst), 1_000.0)
        deferred = burst - result.in_body_count
        after = await stack.wait_stats(
            lambda st: st["response_urls_delivered"] - before["response_urls_delivered"] >= deferred,
            timeout=15,
        )
        stack.stop_bot(bot)

    shown = [t for t in cold_screen if t is not None]
    calls = after["earnings_calls"] - before["earnings_calls"]
    delivered = after["response_urls_delivered"] - before["response_urls_delivered"]
    return [
        Figure(
            s,
            "cold cache: command → numbers on screen p99",
            percentile(shown, 99) * 1000 if len(shown) == len(cold_screen) else math.inf,
            "ms",
            "<=",
            400,
            note=f"{len(shown)} of {cold_count} shown; p50 {percentile(shown, 50) * 1000:.0f} ms",
        ),
        Figure(
            s,
            "burst: commands whose numbers reached the screen (in the ack or posted)",
            100.0 * (result.in_body_count + delivered) / burst,
            "%",
            ">=",
            100,
        ),
        Figure(
            s,
            f"Partners calls per command, burst of {burst:,}",
            calls / burst,
            "",
            "<=",
            0.01,
            note=f"{calls} calls; {result.ok_count:,} answered: {result.in_body_count:,} in the ack "
            f"(cache already fresh), {delivered:,} posted to their response URL",
        ),
    ]
