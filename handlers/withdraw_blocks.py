"""Block Kit for `/earnings withdraw` and `/earnings withdrawals`: pure functions, money via babel."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.money import format_money
from bot.partners.payouts import MINIMUM_WITHDRAWAL
from bot.partners.reports import Balance, Withdrawal
from bot.payouts.service import Outcome, PayoutResult
from bot.slack.blocks import actions, button, confirm_dialog, context, header, notice_message, section
from bot.slack.mrkdwn import escape

CONFIRM_ACTION_ID = "withdraw_confirm"
CANCEL_ACTION_ID = "withdraw_cancel"
MAX_LISTED = 15
STATUS_ICONS = {"paid": "✅", "pending": "⏳"}


def confirm_value(request_id: str, amount: Decimal) -> str:
    return json.dumps({"request_id": request_id, "amount": str(amount)})


def parse_confirm_value(value: str) -> tuple[str, Decimal] | None:
    """The button's (request id, amount), or None when the value is not one the bot wrote."""
    try:
        data = json.loads(value)
        request_id, amount = str(data["request_id"]), Decimal(str(data["amount"]))
    except (ValueError, KeyError, TypeError, ArithmeticError):
        return None
    if not request_id or len(request_id) > 64 or not amount.is_finite() or amount <= 0:
        return None
    return request_id, amount


def withdraw_message(current: Balance, request_id: str, *, locale: str) -> dict[str, Any]:
    """The balance, the minimum, and (when there is enough) a confirmation naming the amount."""
    available = format_money(current.available, locale)
    minimum = format_money(MINIMUM_WITHDRAWAL, locale)
    figures = (
        f"*Available to withdraw* {available}\n"
        f"Pending {format_money(current.pending, locale)} · Withdrawn so far {format_money(current.withdrawn, locale)}\n"
        f"LiveChat pays out the whole available balance; the minimum is {minimum}."
    )
    blocks: list[dict[str, Any]] = [
        header("Request a payout"),
        section(figures),
    ]
    if current.available < MINIMUM_WITHDRAWAL:
        text = f"The available balance ({available}) is below the {minimum} minimum, so a payout cannot be requested yet."
        blocks.append(section(text))
        return {"text": text, "blocks": blocks}
    question = f"Request a payout of *{available}* to the billing details in the Partner App?"
    blocks.append(section(question))
    confirm = button(
        f"Confirm {available}",
        action_id=CONFIRM_ACTION_ID,
        value=confirm_value(request_id, current.available),
        style="primary",
        confirm=confirm_dialog(
            "Request the payout?", f"LiveChat will pay out {available}.", confirm="Request it", deny="Not now"
        ),
    )
    cancel = button("Cancel", action_id=CANCEL_ACTION_ID, value="cancel")
    blocks.append(actions([confirm, cancel], block_id="withdraw_actions"))
    return {
        "text": f"Request a payout of {available}? Available {available}, minimum {minimum}.",
        "blocks": blocks,
    }


def result_message(result: PayoutResult, amount: Decimal, *, locale: str) -> dict[str, Any]:
    """What happened to the confirmation, replacing the confirmation message."""
    icon = {Outcome.REQUESTED: "✅", Outcome.ALREADY: "ℹ️", Outcome.UNKNOWN: "⚠️", Outcome.BUSY: "⏳"}.get(
        result.outcome, "❌"
    )
    text = f"{icon} {result.detail}"
    lines = [text]
    if result.outcome is Outcome.REQUESTED:
        shown = Decimal(result.amount) if result.amount else amount
        lines.append(f"Amount: {format_money(shown, locale)}")
        if result.withdrawal_id is not None:
            lines.append(f"Withdrawal #{result.withdrawal_id}")
    return {"text": text, "blocks": [section("\n".join(lines))]}


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "—"


def withdrawals_message(
    payouts: list[Withdrawal], zone: ZoneInfo, zone_known: bool, *, locale: str
) -> dict[str, Any]:
    """Recent payouts, newest first, times in the user's Slack zone (or UTC, said so)."""
    where = zone.key if zone_known else "UTC (your Slack profile has no time zone)"
    if not payouts:
        text = "No payouts yet. Use `/earnings withdraw` to request one (admins)."
        return notice_message(text)
    lines = []
    for payout in payouts[:MAX_LISTED]:
        icon = STATUS_ICONS.get(payout.status, "•")
        line = (
            f"{icon} *{format_money(payout.amount, locale)}* · {escape(payout.status or 'unknown')} · "
            f"requested {local_time(payout.request_timestamp, zone)}"
        )
        line += (
            f" · paid {local_time(payout.action_timestamp, zone)}"
            if payout.action_timestamp
            else " · not paid yet"
        )
        if payout.invoice_id:
            line += f" · invoice `{escape(payout.invoice_id)}`"
        lines.append(line)
    more = len(payouts) - MAX_LISTED
    blocks: list[dict[str, Any]] = [
        header("Recent payouts"),
        section("\n".join(lines)),
    ]
    note = f"Times in {where} · LiveChat reports them in UTC"
    if more > 0:
        note = f"{more} older payouts not shown · " + note
    blocks.append(context(note))
    latest = payouts[0]
    text = f"{len(payouts)} payouts; latest {format_money(latest.amount, locale)} {latest.status}"
    return {"text": text, "blocks": blocks}
