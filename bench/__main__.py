"""`python -m bench` (`make bench`): run the scenarios, print the table, write `bench/results.md`.

Options: `--only NAME` (repeatable) runs some scenarios; `--quick` is a short smoke run whose figures
are not comparable with the targets (and are not written to results.md unless `--output` says so).
A scenario that fails is reported as n/a with the reason; the others still run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import procs
from bench.report import Figure, markdown_table, summary
from bench.scenarios import all_scenarios

RESULTS = Path(__file__).resolve().parent / "results.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    names = [s.name for s in all_scenarios()]
    parser = argparse.ArgumentParser(prog="python -m bench", description="Partners Bot benchmarks")
    parser.add_argument("--only", action="append", choices=names, help="run only this scenario (repeatable)")
    parser.add_argument("--quick", action="store_true", help="short smoke run (figures not comparable)")
    parser.add_argument("--output", type=Path, help=f"where to write the table (default {RESULTS})")
    return parser.parse_args(argv)


def header(quick: bool, elapsed: float, load: float) -> str:
    """When, where and how busy the machine was: figures from a loaded machine read differently."""
    return (
        f"# Partners Bot benchmark results\n\n"
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPUs · load average before the run {load:.2f} · "
        f"{'QUICK smoke run · ' if quick else ''}took {elapsed:.0f} s\n"
    )


async def run(args: argparse.Namespace) -> list[Figure]:
    procs.cancel_on_sigterm()
    figures: list[Figure] = []
    for scenario in all_scenarios():
        if args.only and scenario.name not in args.only:
            continue
        print(f"… {scenario.title}", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            figures.extend(await scenario.run(args.quick))
        except Exception as exc:
            traceback.print_exc()
            figures.append(
                Figure(scenario.title, "scenario", None, note=f"failed: {type(exc).__name__}: {exc}")
            )
        print(f"  done in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    procs.install_cleanup()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    started = time.monotonic()
    try:
        figures = asyncio.run(run(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; every process the benchmark started has been stopped", file=sys.stderr)
        return 130
    finally:
        procs.stop_all()
    text = header(args.quick, time.monotonic() - started, load_before)
    text += "\n" + markdown_table(figures) + "\n\n" + summary(figures) + "\n"
    print(text)
    output = args.output or (None if args.quick or args.only else RESULTS)
    if output is not None:
        output.write_text(text)
        print(f"written to {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
