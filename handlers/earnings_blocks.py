"""Block Kit for `/earnings`: pure functions from `Earnings` to message dicts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from bot.money import format_money
from bot.partners.models import PRODUCT_NAMES, Earnings, ProgramEarnings
from bot.slack.blocks import (
    Json,
    actions,
    button,
    context,
    divider,
    field,
    header,
    message,
    notice_message,
    section,
)

SHARE_ACTION_ID = "earnings_share"
PROGRAM_NAMES = {"affiliate": "Affiliate program", "solution": "Solution program (reselling)"}

USAGE = (
    "*/earnings* — your LiveChat partner balance and commission, visible only to you.\n"
    "• `/earnings` — balance, pending, blocked, withdrawals and commission\n"
    "• `/earnings history [3-24]` — commission month by month, with a chart (default 6 months)\n"
    "• `/earnings withdraw` — pay out the available balance, after you confirm\n"
    "• `/earnings withdrawals` — your recent payouts\n"
    "• `/earnings digest on [HH:MM] [Area/City]` — a daily digest in this channel (admins; "
    "default 09:00 in your Slack time zone)\n"
    "• `/earnings digest on weekly [Mon] [HH:MM] [Area/City]` or `… on monthly [1] …` — weekly or "
    "monthly instead (admins)\n"
    "• `/earnings digest off` — stop it (admins) · `/earnings digest status` — its schedule and last "
    "delivery\n"
    "• `/earnings help` — this message\n"
    "Use *Share in channel* under the summary to post it for everyone."
)


def unknown_subcommand(word: str) -> str:
    """Says what was wrong first, then how to write it: never the bare help for a typo."""
    return f"`{word}` is not an `/earnings` subcommand.\n\n{USAGE}"


def _field(label: str, amount: Decimal | None, locale: str) -> Json:
    value = format_money(amount, locale) if amount is not None else "—"
    return field(f"*{label}*\n{value}")


def slack_date(moment: datetime) -> str:
    """A Slack date token: shown in each reader's own timezone, with a UTC fallback."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def summary_fields(earnings: Earnings, locale: str) -> list[Json]:
    fields = [
        _field("Balance", earnings.balance, locale),
        _field("Pending", earnings.pending, locale),
        _field("Blocked", earnings.blocked, locale),
        _field("Withdrawals", earnings.withdrawals, locale),
        _field("Commission total", earnings.commission_total, locale),
        _field("Commission, last 30 days", earnings.commission_last_30_days, locale),
    ]
    if earnings.discount is not None:
        fields.append(_field("Client discount", earnings.discount, locale))
    return fields


def program_blocks(name: str, program: ProgramEarnings, locale: str) -> list[Json]:
    """A section per program: its totals, then a field per product (at most 10, Slack's limit)."""
    title = PROGRAM_NAMES.get(name, name.replace("_", " ").capitalize())
    totals = [
        f"total {format_money(program.commission_total, locale)}"
        if program.commission_total is not None
        else "",
        f"last 30 days {format_money(program.commission_last_30_days, locale)}"
        if program.commission_last_30_days is not None
        else "",
    ]
    text = f"*{title}*"
    if any(totals):
        text += " — " + " · ".join(t for t in totals if t)
    fields = []
    for product, figures in program.products.items():
        parts = []
        if figures.commission_total is not None:
            parts.append(f"{format_money(figures.commission_total, locale)} total")
        if figures.commission_last_30_days is not None:
            parts.append(f"{format_money(figures.commission_last_30_days, locale)} last 30 days")
        if figures.discount is not None:
            parts.append(f"{format_money(figures.discount, locale)} client discount")
        label = PRODUCT_NAMES.get(product, product.replace("_", " ").title())
        fields.append(field(f"*{label}*\n" + ("\n".join(parts) or "—")))
    return [section(text, fields=fields)]


def earnings_text(earnings: Earnings, locale: str) -> str:
    """The plain-text fallback (notifications, screen readers)."""
    last_30 = earnings.commission_last_30_days
    text = (
        f"Partner earnings: balance {format_money(earnings.balance, locale)}, "
        f"pending {format_money(earnings.pending, locale)}, "
        f"commission total {format_money(earnings.commission_total, locale)}"
    )
    if last_30 is not None:
        text += f", commission in the last 30 days {format_money(last_30, locale)}"
    return text


def earnings_message(
    earnings: Earnings,
    *,
    locale: str,
    as_of: datetime,
    shared_by: str | None = None,
) -> Json:
    """The `/earnings` reply; with `shared_by` it is the in-channel copy, without the share button."""
    blocks: list[Json] = [header("Partner earnings"), section(fields=summary_fields(earnings, locale))]
    for name, program in earnings.programs.items():
        blocks.append(divider())
        blocks.extend(program_blocks(name, program, locale))
    footer = f"As of {slack_date(as_of)} · LiveChat Partner Program"
    if shared_by:
        footer += f" · shared by <@{shared_by}>"
    blocks.append(context(footer))
    if not shared_by:
        share = button("Share in channel", action_id=SHARE_ACTION_ID, value="share")
        blocks.append(actions([share], block_id="earnings_actions"))
    return message(earnings_text(earnings, locale), blocks)


def shared_notice(user_id: str, shared_at: datetime) -> Json:
    """What replaces the private summary once shared: who shared it and when, and no button."""
    return notice_message(f"<@{user_id}> shared these earnings in the channel on {slack_date(shared_at)}.")
