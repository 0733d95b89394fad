"""One digest replica for the benchmark: the bot's own `DigestRunner`, run like its scheduler.

Run as `python -m bench.digest_replica --ready-file R` with the bot's settings in the environment.
It starts the bot's `Deps` (database pool, Slack and Partners clients) exactly as `serve` does, writes
R, waits for SIGUSR1 so that all replicas start together, then calls `run_once()` every `--interval`
seconds until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
from pathlib import Path

from bot.commands.runtime import bot_settings
from bot.deps import build_deps
from bot.digest.runner import DigestRunner


def _say_ready(ready_file: Path) -> None:
    ready_file.write_text("ready")


async def replicate(ready_file: Path, interval: float) -> None:
    deps = build_deps(bot_settings())
    await deps.start()
    stop = asyncio.Event()
    go = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, go.set)
    try:
        runner = DigestRunner(deps)
        _say_ready(ready_file)
        await asyncio.wait(
            {asyncio.ensure_future(go.wait()), asyncio.ensure_future(stop.wait())},
            return_when=asyncio.FIRST_COMPLETED,
        )
        while not stop.is_set():
            report = await runner.run_once()
            if report.due:
                summary = {
                    "due": report.due,
                    "claimed": report.claimed,
                    "sent": len(report.sent),
                    "failed": len(report.failed),
                    "lost": report.lost,
                    "earnings_calls": report.earnings_calls,
                }
                print(json.dumps(summary), flush=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
    finally:
        await deps.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="a digest replica for the benchmark")
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(replicate(args.ready_file, args.interval))


if __name__ == "__main__":
    main()
