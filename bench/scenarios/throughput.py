"""(3) Throughput: closed loop at concurrency 32, `/earnings`, Partners Bot against the minimal Bolt app.

The peer is a bare Bolt app that verifies the signature and acks (bench/baseline_app.py), run the
same way on the same fakes. The bot answers from its (warm) cache in the ack body, so the ratio
prices everything it does on top of a bare ack: its raw-body checks, the retry and access
middlewares, the built reply and its JSON. Bot and peer are measured alternately, twice each, so
both share the machine's noise.
"""

from __future__ import annotations

import psutil

from bench.loadgen import Prepared, RunResult, closed_loop, fake_trigger_id, slash_command
from bench.report import Figure
from bench.stack import SIGNING_SECRET, Bot, StackContext

NAME = "throughput"
TITLE = "3. Throughput, closed loop c=32"
CONCURRENCY = 32
ROUNDS = 2
URLS = 8_000  # response URLs to cycle through (the bot posts to none while its cache is fresh)


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def _measure(bot: Bot, requests: list[Prepared], duration: float) -> tuple[RunResult, float]:
    """One closed-loop window; also the app's CPU seconds in it."""
    process = psutil.Process(bot.pid)
    cpu_before = _cpu(process)
    result = await closed_loop(
        bot.events_url, lambda i: requests[i % len(requests)], CONCURRENCY, duration=duration
    )
    return result, _cpu(process) - cpu_before


def _merge(results: list[RunResult]) -> RunResult:
    merged = RunResult()
    for result in results:
        merged.samples.extend(result.samples)
        merged.wall_time += result.wall_time
    return merged


async def run(quick: bool) -> list[Figure]:
    window, warmup = (1.0, 0.5) if quick else (4.0, 1.0)
    s = TITLE
    async with StackContext() as stack:
        urls = await stack.response_urls(2_000 if quick else URLS)
        requests = [
            slash_command(SIGNING_SECRET, "/earnings", response_url=u, trigger_id=fake_trigger_id(i))
            for i, u in enumerate(urls)
        ]
        bot = await stack.start_bot()
        peer = await stack.start_baseline()
        runs: dict[str, list[RunResult]] = {"bot": [], "peer": []}
        cpu = {"bot": 0.0, "peer": 0.0}
        for app in (bot, peer):  # warm-up: Bolt, auth.test, and the bot's earnings cache
            await closed_loop(app.events_url, lambda i: requests[-1 - i % 500], CONCURRENCY, duration=warmup)
        for _ in range(ROUNDS):
            for name, app in (("bot", bot), ("peer", peer)):
                result, seconds = await _measure(app, requests, window)
                runs[name].append(result)
                cpu[name] += seconds
        stack.stop_bot(bot)
        stack.stop_bot(peer)

    ours, base = _merge(runs["bot"]), _merge(runs["peer"])

    def errors(result: RunResult) -> str:
        return ", ".join(f"{k}: {v}" for k, v in result.errors.items()) or "no errors"

    return [
        Figure(
            s,
            "requests/s",
            ours.throughput,
            "req/s",
            ">=",
            0.9,
            baseline=base.throughput,
            target_on="ratio",
            note=f"{ROUNDS} alternating {window:.0f} s windows each; bot {errors(ours)}; peer {errors(base)}",
        ),
        Figure(s, "answered in the ack", 100.0 * ours.in_body_count / max(ours.count, 1), "%"),
        Figure(
            s,
            "latency p99 at saturation",
            ours.percentile(99) * 1000,
            "ms",
            baseline=base.percentile(99) * 1000,
        ),
        Figure(
            s,
            "app CPU per request",
            cpu["bot"] / max(ours.ok_count, 1) * 1000,
            "ms",
            baseline=cpu["peer"] / max(base.ok_count, 1) * 1000,
            note="user+system time of the app process in the windows / requests answered",
        ),
    ]
