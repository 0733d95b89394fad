"""Turn a digest message into its weekly or monthly form: the period in the header and a section
with the period's commission (from the commission report) against the period before."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_percent

from bot.digest.periods import Cadence, Covered
from bot.money import format_delta, format_money
from bot.slack.blocks import header, section


def period_label(cadence: Cadence, span: Covered, locale: str) -> str:
    """`February 2026` when the span is one calendar month, else `week of 23 Mar - 29 Mar 2026`."""
    first, last = span.first_day, span.last_day
    if first.day == 1 and last == date(
        first.year, first.month, calendar.monthrange(first.year, first.month)[1]
    ):
        return format_date(first, "LLLL yyyy", locale=locale)
    start = format_date(first, "d MMM" if first.year == last.year else "d MMM yyyy", locale=locale)
    end = format_date(last, "d MMM yyyy", locale=locale)
    prefix = "week of " if cadence.period == "weekly" else ""
    return f"{prefix}{start} – {end}"


def commission_line(cadence: Cadence, current: Decimal | None, previous: Decimal | None, locale: str) -> str:
    noun = cadence.noun
    if current is None:
        return f"*Commission this {noun}*\nLiveChat's commission report could not be read; it is left out this time."
    text = f"*Commission this {noun}*\n{format_money(current, locale)}"
    if previous is not None:
        text += f"\n{format_delta(current - previous, locale)} vs the {noun} before ({format_money(previous, locale)})"
        if previous > 0:
            text += f", {format_percent((current - previous) / previous, '+#,##0%;-#,##0%', locale=locale)}"
    return text


def periodic_message(
    message: dict[str, Any],
    cadence: Cadence,
    span: Covered,
    current: Decimal | None,
    previous: Decimal | None,
    *,
    locale: str,
) -> dict[str, Any]:
    """The daily digest's message with a weekly/monthly header and the period's commission first."""
    label = period_label(cadence, span, locale)
    title = "Weekly" if cadence.period == "weekly" else "Monthly"
    blocks = [dict(block) for block in message["blocks"]]
    blocks[0] = header(f"{title} earnings · {label}")
    blocks.insert(1, section(commission_line(cadence, current, previous, locale)))
    text = f"{title} earnings digest for {label}"
    if current is not None:
        text += f": commission {format_money(current, locale)}"
    return {"text": text + ". " + message["text"], "blocks": blocks}
