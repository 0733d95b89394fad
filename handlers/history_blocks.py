"""Block Kit for `/earnings history`: pure functions from a `History` to message dicts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.dates import format_date

from bot.history.months import History, MonthCommission
from bot.money import format_delta, format_money
from bot.slack.blocks import actions, button, context, header, section, truncate

POST_CHART_ACTION_ID = "history_post_chart"
BAR_WIDTH = 12
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(amount: Decimal, top: Decimal, width: int = BAR_WIDTH) -> str:
    """A bar of block characters, `width` cells for `top`, in eighths of a cell."""
    if top <= 0 or amount <= 0:
        return ""
    eighths = max(1, round(amount / top * width * 8))
    full, rest = divmod(int(eighths), 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def month_label(month: MonthCommission, locale: str) -> str:
    label = format_date(month.month, "MMM yyyy", locale=locale)
    return f"{label} (so far)" if month.current else label


def month_line(month: MonthCommission, top: Decimal, locale: str) -> str:
    label = month_label(month, locale)
    if month.commission is None:
        line = f"*{label}* — no commission"
    else:
        line = f"*{label}* — {format_money(month.commission, locale)} `{bar(month.commission, top)}`"
    if month.change is not None:
        line += f" · {format_delta(month.change, locale)}"
    return line


def history_text(history: History, locale: str) -> str:
    best = history.best
    text = f"Commission over {len(history.months)} months: total {format_money(history.total, locale)}"
    if best is not None:
        text += f", best {month_label(best, locale)} ({format_money(best.amount, locale)})"
    return text


def history_message(history: History, *, locale: str) -> dict[str, Any]:
    """The ephemeral summary with a **Post chart** button (its value: the number of months)."""
    top = max((m.amount for m in history.months), default=Decimal(0))
    lines = [month_line(m, top, locale) for m in history.months]
    best = history.best
    summary = f"*Total* {format_money(history.total, locale)}"
    summary += (
        f" · *Best month* {month_label(best, locale)} ({format_money(best.amount, locale)})"
        if best
        else " · no commission in these months"
    )
    post_chart = button("Post chart", action_id=POST_CHART_ACTION_ID, value=str(len(history.months)))
    blocks: list[dict[str, Any]] = [
        header(f"Commission, last {len(history.months)} months"),
        section("\n".join(lines)),
        section(summary),
        context("Months in UTC, from LiveChat's commission report · change vs the month before"),
        actions([post_chart], block_id="history_actions"),
    ]
    return {"text": history_text(history, locale), "blocks": blocks}


def chart_title(history: History, locale: str) -> str:
    first, last = history.months[0].month, history.months[-1].month
    span = f"{format_date(first, 'MMM yyyy', locale=locale)} – {format_date(last, 'MMM yyyy', locale=locale)}"
    return f"Partner commission per month, {span}"


def chart_alt_text(history: History, locale: str) -> str:
    """What a screen reader says instead of the image: every month's figure."""
    parts = [
        f"{month_label(m, locale)}: {format_money(m.commission, locale) if m.commission else 'no commission'}"
        for m in history.months
    ]
    return truncate("Bar chart of commission per month. " + "; ".join(parts) + ".", 1000)
