"""`partners-bot audit [--license N]`: every subscription attempt, then every payout request, newest first."""

from __future__ import annotations

import argparse
import asyncio

from bot.clock import SystemClock
from bot.payouts.audit import PayoutAudit, PayoutAuditEntry, format_payouts
from bot.settings import load_settings
from bot.storage import Database
from bot.subscriptions.audit import AuditEntry, AuditLog

COLUMNS = (
    "when (UTC)",
    "who",
    "license",
    "client",
    "plan",
    "seats",
    "cycle",
    "card",
    "outcome",
    "API",
    "request",
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "audit", help="subscription attempts and payout requests: who, when, what and the outcome"
    )
    parser.add_argument("--license", help="only this license id")
    parser.add_argument("--limit", type=int, default=100, help="newest N attempts (default 100)")
    parser.set_defaults(func=run)


def row(entry: AuditEntry) -> tuple[str, ...]:
    return (
        entry.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        entry.user_id,
        entry.license_id,
        entry.client_name[:24],
        entry.plan,
        str(entry.seats),
        entry.billing_cycle,
        f"•••• {entry.card_last4}" if entry.card_last4 else "—",
        entry.outcome,
        str(entry.api_status) if entry.api_status is not None else "—",
        entry.request_id[:8],
    )


def format_table(entries: list[AuditEntry]) -> str:
    rows = [COLUMNS, *(row(e) for e in entries)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    for entry in entries:
        if entry.detail:
            lines.append(f"  {entry.request_id[:8]}: {entry.detail}")
    return "\n".join(lines)


async def entries(url: str, license_id: str | None, limit: int) -> list[AuditEntry]:
    db = Database(url)
    try:
        await db.upgrade()
        return await AuditLog(db, SystemClock()).entries(license_id, limit)
    finally:
        await db.close()


async def payout_entries(url: str, limit: int) -> list[PayoutAuditEntry]:
    db = Database(url)
    try:
        await db.upgrade()
        return await PayoutAudit(db, SystemClock()).entries(limit)
    finally:
        await db.close()


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    found = asyncio.run(entries(settings.database_url, args.license, args.limit))
    if not found:
        which = f" for license {args.license}" if args.license else ""
        print(f"No subscription attempts{which} yet.")
    else:
        print(format_table(found))
    if args.license is None:
        payouts = asyncio.run(payout_entries(settings.database_url, args.limit))
        print("\nPayout requests:\n" + format_payouts(payouts) if payouts else "\nNo payout requests yet.")
    return 0
