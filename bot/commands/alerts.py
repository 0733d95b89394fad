"""`partners-bot alerts run [--dry-run] [--channel C…]`: the trial-alert checks due now (cron-friendly).

Safe next to running bots: the run and alert claims stop anything going out twice. `--dry-run`
prints the alerts a check would post now and touches nothing (no claim, no Slack call); it still
reads the licenses, so it needs PARTNERS_API_TOKEN.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import TextIO

from bot.alerts.runner import AlertReport
from bot.clock import Clock
from bot.commands.digest import message_text
from bot.commands.runtime import cron_settings, one_run, print_channel_problems
from bot.settings import Settings

# What `cron_settings` requires, as the other subcommands' --help says theirs.
RUN_SETTINGS = "Settings: PARTNERS_API_TOKEN, SLACK_BOT_TOKEN (not with --dry-run) and DATABASE_URL."


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "alerts", help="trial-ending alerts", description="Trial-ending alerts.", epilog=RUN_SETTINGS
    )
    actions = parser.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    run = actions.add_parser(
        "run",
        help="run every channel's daily trial check that is due now",
        description="Run every channel's daily trial check that is due now (for cron).",
        epilog=RUN_SETTINGS,
    )
    run.add_argument("--dry-run", action="store_true", help="print the alerts instead of posting them")
    run.add_argument(
        "--channel", action="append", default=[], metavar="C…", help="only this channel id (repeatable)"
    )
    run.set_defaults(func=run_command)


def print_report(report: AlertReport, dry_run: bool, out: TextIO) -> None:
    if dry_run:
        for rendered in report.rendered:
            print(
                f"=== {rendered.channel_id} · license {rendered.license_id} (dry run, not sent) ===", file=out
            )
            print(message_text(rendered.message), file=out)
            print(file=out)
        print(
            f"{report.due} check(s) due, {len(report.rendered)} alert(s) would be posted; nothing was sent.",
            file=out,
        )
        return
    print(
        f"{report.due} check(s) due, {report.claimed} claimed by this run, {len(report.posted)} alert(s) "
        f"posted, {len(report.updated)} updated, {len(report.failed)} failed, {len(report.disabled)} disabled.",
        file=out,
    )
    if report.licenses_error:
        print(f"Licenses could not be read: {report.licenses_error} (retried later today).", file=out)
    print_channel_problems(report.failed, report.disabled, out)


async def run_alerts(
    settings: Settings,
    *,
    channels: Sequence[str],
    dry_run: bool,
    out: TextIO = sys.stdout,
    clock: Clock | None = None,
) -> int:
    """One run with the real services (no scheduler); exit status 1 when any check failed."""
    report = await one_run(
        settings,
        clock,
        lambda services: services.alert_runner.run_once(channels=channels or None, dry_run=dry_run),
        "Licenses could not be read",
    )
    if report is None:
        return 1
    print_report(report, dry_run, out)
    return 1 if report.failed or report.licenses_error else 0


def run_command(args: argparse.Namespace) -> int:
    settings = cron_settings(args.dry_run)
    return asyncio.run(run_alerts(settings, channels=args.channel, dry_run=args.dry_run))
