"""Block Kit for the daily digest: pure functions from today's and the previous snapshot to a message.

What a channel sees: a header with the local date, each headline amount with its change since the
previous digest ("$741.75 (▲ $100.25 since the last digest)"), the per-program breakdown, notable events (a withdrawal, commission growth),
and notes when this is the first digest or it arrives late.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.money import format_delta, format_money
from bot.partners.models import PRODUCT_NAMES, Earnings, ProgramEarnings
from bot.partners.reports import Withdrawal
from bot.slack.blocks import Json, divider, field, header, message, section
from bot.slack.blocks import context as context_block

PROGRAM_NAMES = {"affiliate": "Affiliate program", "solution": "Solution program (reselling)"}
FIRST_DIGEST_NOTE = "This is the first digest for this channel, so there is no previous day to compare with."

# (label, attribute) in the order the digest shows them.
HEADLINES = (
    ("Balance", "balance"),
    ("Pending", "pending"),
    ("Commission, last 30 days", "commission_last_30_days"),
    ("Commission total", "commission_total"),
    ("Withdrawals", "withdrawals"),
)


@dataclass(frozen=True)
class DigestContext:
    """Where and when a digest goes: the channel's zone and date, its scheduled and actual time."""

    zone: ZoneInfo
    local_date: date
    scheduled_at: datetime
    now: datetime
    late: bool = False


def _change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if current is None or previous is None:
        return None
    return current - previous


SINCE = "since the last digest"


def _headline_field(
    label: str, current: Decimal | None, previous: Decimal | None, has_previous: bool, locale: str
) -> Json:
    """`*Balance*` over `$741.75 (▲ $100.25 since the last digest)`: the change says what it is
    measured from, in each field, since the last digest may be a day, a week or a month ago."""
    value = format_money(current, locale) if current is not None else "—"
    text = f"*{label}*\n{value}"
    change = _change(current, previous)
    if change is not None:
        text += f" ({format_delta(change, locale)} {SINCE})"
    elif has_previous and current is not None:
        text += f" (new {SINCE})"
    return field(text)


def _program_line(name: str, program: ProgramEarnings, previous: ProgramEarnings | None, locale: str) -> str:
    title = PROGRAM_NAMES.get(name, name.replace("_", " ").capitalize())
    parts = []
    if program.commission_total is not None:
        part = f"total {format_money(program.commission_total, locale)}"
        change = _change(program.commission_total, previous.commission_total if previous else None)
        if change:
            part += f" ({format_delta(change, locale)})"
        parts.append(part)
    if program.commission_last_30_days is not None:
        parts.append(f"last 30 days {format_money(program.commission_last_30_days, locale)}")
    return f"*{title}*" + (" — " + " · ".join(parts) if parts else "")


def _product_fields(program: ProgramEarnings, previous: ProgramEarnings | None, locale: str) -> list[Json]:
    fields = []
    for product, figures in program.products.items():
        if figures.commission_total is None:
            continue
        before = previous.products.get(product) if previous else None
        text = f"*{PRODUCT_NAMES.get(product, product.replace('_', ' ').title())}*\n"
        text += format_money(figures.commission_total, locale)
        change = _change(figures.commission_total, before.commission_total if before else None)
        if change:
            text += f" ({format_delta(change, locale)})"
        fields.append(field(text))
    return fields


def payout_event(payout: Withdrawal, zone: ZoneInfo, locale: str) -> str:
    assert payout.action_timestamp is not None
    when = payout.action_timestamp.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    invoice = f" (invoice {payout.invoice_id})" if payout.invoice_id else ""
    return f"Payout #{payout.withdrawal_id} of {format_money(payout.amount, locale)} was paid on {when}{invoice}."


def notable_events(
    current: Earnings,
    previous: Earnings | None,
    locale: str,
    paid: Sequence[Withdrawal] = (),
    zone: ZoneInfo | None = None,
) -> list[str]:
    """One sentence per thing worth noticing since the previous digest; `paid` names the payouts
    LiveChat marked paid since then (instead of the bare change in withdrawals)."""
    if previous is None:
        return []
    events = [payout_event(p, zone or ZoneInfo("UTC"), locale) for p in paid]
    withdrawn = current.withdrawals - previous.withdrawals
    if withdrawn > 0 and not paid:
        events.append(f"A withdrawal of {format_money(withdrawn, locale)} was paid out.")
    requested = current.pending - previous.pending
    if requested > 0:
        events.append(f"Pending grew by {format_money(requested, locale)} (a new withdrawal request).")
    growth = current.commission_total - previous.commission_total
    if growth > 0:
        sentence = f"Commission grew by {format_money(growth, locale)}"
        biggest = _biggest_program_growth(current, previous)
        if biggest:
            sentence += f", most of it from the {PROGRAM_NAMES.get(biggest, biggest).split(' (')[0]}"
        events.append(sentence + ".")
    elif growth < 0:
        events.append(f"Commission went down by {format_money(-growth, locale)} (a refund or correction).")
    return events


def _biggest_program_growth(current: Earnings, previous: Earnings) -> str | None:
    best, best_growth = None, Decimal(0)
    for name, program in current.programs.items():
        before = previous.programs.get(name)
        if before is None or program.commission_total is None or before.commission_total is None:
            continue
        growth = program.commission_total - before.commission_total
        if growth > best_growth:
            best, best_growth = name, growth
    return best if len(current.programs) > 1 else None


def _change_words(change: Decimal, locale: str) -> str:
    """`up $141.90`, `down $5.50`, `no change`: the fallback is read aloud, so words, not arrows."""
    if change == 0:
        return "no change"
    return f"{'up' if change > 0 else 'down'} {format_money(abs(change), locale)}"


def digest_text(current: Earnings, previous: Earnings | None, context: DigestContext, locale: str) -> str:
    """The plain-text fallback (notifications, screen readers), as one readable sentence:

    `Earnings digest for Wednesday 2 December 2026: balance $17,332.57 (up $141.90 since the last
    digest), pending $0.00 (no change), commission total $20,100.00 (up $141.90).`
    The last digest may be a day, a week or a month ago, so the sentence says "since the last digest".
    """
    parts = []
    for label, attribute in HEADLINES[:2] + HEADLINES[3:4]:
        amount = getattr(current, attribute)
        part = f"{label.lower()} {format_money(amount, locale)}"
        change = _change(amount, getattr(previous, attribute) if previous else None)
        if change is not None:
            since = "" if parts else f" {SINCE}"
            part += f" ({_change_words(change, locale)}{since})"
        parts.append(part)
    day = context.local_date
    text = (
        f"Earnings digest for {day.strftime('%A')} {day.day} {day.strftime('%B %Y')}: "
        + ", ".join(parts)
        + "."
    )
    if previous is None:
        text += " This is the first digest here, so there is nothing to compare with yet."
    return text


def digest_message(
    current: Earnings,
    previous: Earnings | None,
    context: DigestContext,
    *,
    locale: str,
    paid: Sequence[Withdrawal] = (),
) -> Json:
    """The digest as `chat.postMessage` arguments (`text` + `blocks`)."""
    day = context.local_date
    heading = f"Daily earnings · {day.strftime('%A')}, {day.day} {day.strftime('%B %Y')}"
    has_previous = previous is not None
    fields = [
        _headline_field(
            label,
            getattr(current, attribute),
            getattr(previous, attribute) if previous else None,
            has_previous,
            locale,
        )
        for label, attribute in HEADLINES
    ]
    if current.blocked:
        fields.append(
            _headline_field(
                "Blocked", current.blocked, previous.blocked if previous else None, has_previous, locale
            )
        )
    blocks: list[Json] = [header(heading), section(fields=fields)]
    for name, program in current.programs.items():
        before = previous.programs.get(name) if previous else None
        line = _program_line(name, program, before, locale)
        blocks.append(divider())
        blocks.append(section(line, fields=_product_fields(program, before, locale)))
    events = notable_events(current, previous, locale, paid, context.zone)
    if events:
        blocks.append(divider())
        blocks.append(section("*Since the previous digest*\n" + "\n".join(f"• {event}" for event in events)))
    notes = []
    if previous is None:
        notes.append(FIRST_DIGEST_NOTE)
    if context.late:
        due = context.scheduled_at.astimezone(context.zone).strftime("%H:%M")
        notes.append(f"Sent late: this digest was due at {due} {context.zone.key}.")
    for note in notes:
        blocks.append(context_block(f"_{note}_"))
    sent = context.now.astimezone(context.zone).strftime("%H:%M")
    # A first digest has nothing to compare with, so its footer does not promise changes.
    compared = " · changes since the previous digest" if previous is not None else ""
    footer = f"As of {sent} {context.zone.key}{compared} · LiveChat Partner Program"
    blocks.append(context_block(footer))
    return message(digest_text(current, previous, context, locale), blocks)
