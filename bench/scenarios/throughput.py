"""(2) Throughput: closed loop at concurrency 32, `/earnings`, Partners Bot against the baseline app.

The baseline is a bare Bolt app that verifies the signature and acks (bench/baseline_app.py), run
the same way on the same fakes, so the ratio prices everything the bot does on top of that: access
check, the listener, and posting the earnings reply to the response URL on the same event loop.

A third, informational run prices that last part alone: the baseline app that, after acking, also
posts a pre-rendered copy of the bot's reply (same bytes) to the response URL. The bot cannot beat
that variant, so its ratio to the plain baseline is the ceiling of the bot's ratio.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.loadgen import Prepared, RunResult, closed_loop, fake_trigger_id, slash_command
from bench.report import Figure
from bench.stack import SIGNING_SECRET, Bot, StackContext

NAME = "throughput"
TITLE = "2. Throughput, closed loop c=32"
CONCURRENCY = 32
URLS = 12_000  # more than either app answers in the measured window, so every reply has a fresh URL


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def _measure(
    bot: Bot, requests: list[Prepared], warmup: float, duration: float
) -> tuple[RunResult, float]:
    """Closed-loop run after a warm-up; also the app's CPU seconds per answered request."""
    await closed_loop(bot.events_url, lambda i: requests[-1 - i % 500], CONCURRENCY, duration=warmup)
    process = psutil.Process(bot.pid)
    cpu_before = _cpu(process)
    result = await closed_loop(
        bot.events_url, lambda i: requests[i % len(requests)], CONCURRENCY, duration=duration
    )
    cpu = _cpu(process) - cpu_before
    return result, cpu / max(result.ok_count, 1)


def write_reply(path: Path) -> Path:
    """The bot's `/earnings` reply for the sandbox's earnings, as the bytes the bot posts."""
    from bot.partners.models import Earnings
    from bot.sandbox.partners_api import earnings_payload
    from bot.sandbox.state import SandboxState
    from handlers.earnings_blocks import earnings_message

    earnings = Earnings.model_validate(earnings_payload(SandboxState()))
    message = earnings_message(earnings, locale="en_US", as_of=datetime.now(UTC))
    path.write_bytes(json.dumps({"response_type": "ephemeral", **message}).encode())
    return path


async def run(quick: bool) -> list[Figure]:
    duration, warmup = (2.0, 0.5) if quick else (8.0, 1.0)
    s = TITLE
    async with StackContext() as stack:
        urls = await stack.response_urls(2_000 if quick else URLS)
        requests = [
            slash_command(SIGNING_SECRET, "/earnings", response_url=u, trigger_id=fake_trigger_id(i))
            for i, u in enumerate(urls)
        ]
        bot = await stack.start_bot()
        ours, ours_cpu = await _measure(bot, requests, warmup, duration)
        stack.stop_bot(bot)
        baseline_app = await stack.start_baseline()
        base, base_cpu = await _measure(baseline_app, requests, warmup, duration)
        stack.stop_bot(baseline_app)
        posting_app = await stack.start_baseline(post_reply=write_reply(stack.workdir / "reply.json"))
        posting, posting_cpu = await _measure(posting_app, requests, warmup, duration)
        stack.stop_bot(posting_app)

    def errors(result: RunResult) -> str:
        return ", ".join(f"{k}: {v}" for k, v in result.errors.items()) or "no errors"

    return [
        Figure(
            s,
            "requests/s",
            ours.throughput,
            "req/s",
            ">=",
            0.8,
            baseline=base.throughput,
            target_on="ratio",
            note=f"bot {errors(ours)}; baseline {errors(base)}",
        ),
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
            ours_cpu * 1000,
            "ms",
            baseline=base_cpu * 1000,
            note="user+system time of the app process in the window / requests answered",
        ),
        Figure(
            s,
            "requests/s of the baseline that also posts the reply to the response URL",
            posting.throughput,
            "req/s",
            baseline=base.throughput,
            note=f"the ceiling for the bot's ratio; bot ÷ this = {ours.throughput / max(posting.throughput, 1e-9):.2f}×"
            f"; {errors(posting)}",
        ),
        Figure(
            s,
            "app CPU per request of the baseline that also posts the reply",
            posting_cpu * 1000,
            "ms",
            baseline=base_cpu * 1000,
        ),
    ]
