"""`partners-bot digest run [--dry-run] [--channel C…]`: deliver the digests due now (cron-friendly).

Safe next to running bots: the database claim stops a digest going out twice. `--dry-run` prints the
messages that would be sent and touches nothing (no claim, no snapshot, no Slack call); it still
fetches earnings, so it needs PARTNERS_API_TOKEN.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from bot.clock import Clock
from bot.commands.runtime import cron_settings, one_run, print_channel_problems
from bot.digest.runner import RunReport
from bot.settings import Settings

RUN_SETTINGS = (
    "Settings: PARTNERS_API_TOKEN, SLACK_BOT_TOKEN (not with --dry-run) and DATABASE_URL; "
    "LOCALE formats the amounts."
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "digest",
        help="the daily earnings digest",
        description="The daily earnings digest.",
        epilog=RUN_SETTINGS,
    )
    actions = parser.add_subparsers(dest="digest_command", required=True, metavar="ACTION")
    run = actions.add_parser(
        "run",
        help="deliver every digest that is due now and not yet delivered",
        description="Deliver every digest that is due now and not yet delivered (for cron).",
        epilog=RUN_SETTINGS,
    )
    run.add_argument("--dry-run", action="store_true", help="print the messages instead of sending them")
    run.add_argument(
        "--channel",
        action="append",
        default=[],
        metavar="C…",
        help="only this channel id (repeatable)",
    )
    run.set_defaults(func=run_command)


def _plain(text: str) -> str:
    """Drop mrkdwn bold and italic markers for the terminal."""
    return text.replace("*", "").removeprefix("_").removesuffix("_")


def message_text(message: dict[str, Any]) -> str:
    """A digest's blocks as plain terminal text."""
    lines: list[str] = []
    for block in message.get("blocks", []):
        kind = block.get("type")
        if kind == "header":
            lines.append(_plain(block["text"]["text"]))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "section":
            if "text" in block:
                lines.append(_plain(block["text"]["text"]))
            for item in block.get("fields", []):
                lines.append("  " + _plain(item["text"]).replace("\n", " · "))
        elif kind == "context":
            lines.extend(_plain(element.get("text", "")) for element in block.get("elements", []))
    return "\n".join(lines) if lines else str(message.get("text", ""))


def print_report(report: RunReport, dry_run: bool, out: TextIO) -> None:
    if dry_run:
        for rendered in report.rendered:
            print(f"=== {rendered.channel_id} · {rendered.local_date} (dry run, not sent) ===", file=out)
            print(message_text(rendered.message), file=out)
            print(file=out)
        print(f"{len(report.rendered)} digest(s) due; nothing was sent.", file=out)
        return
    print(
        f"{report.due} due, {report.claimed} claimed by this run, {len(report.sent)} sent, "
        f"{len(report.failed)} failed, {len(report.disabled)} disabled.",
        file=out,
    )
    if report.earnings_error:
        print(f"Earnings could not be fetched: {report.earnings_error} (retried later).", file=out)
    print_channel_problems(report.failed, report.disabled, out)


async def run_digests(
    settings: Settings,
    *,
    channels: Sequence[str],
    dry_run: bool,
    out: TextIO = sys.stdout,
    clock: Clock | None = None,
) -> int:
    """One run with the real services; exit status 1 when any digest failed."""
    report = await one_run(
        settings,
        clock,
        lambda services: services.digest_runner.run_once(channels=channels or None, dry_run=dry_run),
        "Earnings could not be fetched",
    )
    if report is None:
        return 1
    print_report(report, dry_run, out)
    return 1 if report.failed or report.earnings_error else 0


def run_command(args: argparse.Namespace) -> int:
    settings = cron_settings(args.dry_run)
    return asyncio.run(run_digests(settings, channels=args.channel, dry_run=args.dry_run))
