"""Block Kit for `/campaign stats`: a `table` block plus a text fallback of the same figures.

The table block (up to 100 rows of up to 20 `raw_text` cells, one table per message) is shown by
clients that support it; the section below it carries the same figures as monospace text for
those that do not, and the message `text` is the notification/screen-reader fallback.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_percent

from bot.funnel import Funnel, FunnelRow
from bot.money import format_money
from bot.partners.models import PRODUCT_NAMES
from bot.slack.blocks import MAX_TEXT, context, header, section, truncate
from bot.slack.mrkdwn import escape

HEADERS = ("Campaign", "Clicks", "Trials", "Paid", "Click→trial", "Trial→paid", "Commission")
MAX_NAME = 40
TABLE_MAX_ROWS, TABLE_MAX_CELLS, CELL_MAX = 100, 20, 2000


def percent(value: Decimal | None, locale: str) -> str:
    return format_percent(value, "#,##0.0%", locale=locale) if value is not None else "—"


def _name(row: FunnelRow) -> str:
    name = truncate(row.name, MAX_NAME)
    product = PRODUCT_NAMES.get(row.product, row.product)
    return f"{name} ({product})" if product else name


def cells(row: FunnelRow, locale: str) -> list[str]:
    return [
        _name(row),
        f"{row.clicks:,}",
        f"{row.trials:,}",
        f"{row.paid:,}",
        percent(row.click_to_trial, locale),
        percent(row.trial_to_paid, locale),
        format_money(row.commission, locale),
    ]


def table_block(rows: list[list[str]]) -> dict[str, Any]:
    return {
        "type": "table",
        "block_id": "campaign_stats_table",
        "column_settings": [{"align": "left", "is_wrapped": True}]
        + [{"align": "right"}] * (len(HEADERS) - 1),
        "rows": [[{"type": "raw_text", "text": truncate(cell, CELL_MAX)} for cell in row] for row in rows],
    }


def text_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    # Cut inside the fence, so a text too long for one section still closes its code block.
    fence = "```"
    body = truncate("\n".join(lines), MAX_TEXT - 2 * (len(fence) + 1))
    return f"{fence}\n{body}\n{fence}"


def stats_text(funnel: Funnel, locale: str) -> str:
    t = funnel.total
    return (
        f"Campaigns, last {funnel.days} days: {t.clicks:,} clicks, {t.trials:,} trials, {t.paid:,} paid, "
        f"{format_money(t.commission, locale)} commission"
    )


def stats_message(funnel: Funnel, *, locale: str) -> dict[str, Any]:
    title = header(f"Campaign funnel, last {funnel.days} days")
    if not funnel.top and not funnel.no_clicks:
        text = f"No campaign activity in the last {funnel.days} days. Create one with `/campaign new`."
        return {
            "text": text,
            "blocks": [title, section(text)],
        }
    rows = [list(HEADERS), *(cells(r, locale) for r in funnel.top), cells(funnel.total, locale)]
    blocks: list[dict[str, Any]] = [title]
    if funnel.top:
        blocks.append(table_block(rows))
        blocks.append(section(text_table(rows)))
    notes = []
    if funnel.more:
        notes.append(f"{funnel.more} more campaigns with clicks not shown (top 10 by commission).")
    if funnel.no_clicks:
        names = ", ".join(escape(n) for n in funnel.no_clicks[:20])
        extra = len(funnel.no_clicks) - 20
        notes.append(f"No clicks: {names}" + (f" and {extra} more" if extra > 0 else "") + ".")
    notes.append("Sorted by commission · Total covers every campaign · LiveChat affiliate performance report")
    blocks.append(context(*notes))
    return {"text": stats_text(funnel, locale), "blocks": blocks}


def table_problems(block: dict[str, Any]) -> list[str]:
    """What Slack's documented table limits would reject (slack-sdk's models may not know `table`)."""
    problems = []
    rows = block.get("rows")
    if block.get("type") != "table" or not isinstance(rows, list) or not rows:
        return ["not a table with rows"]
    if len(rows) > TABLE_MAX_ROWS:
        problems.append(f"{len(rows)} rows > {TABLE_MAX_ROWS}")
    for index, row in enumerate(rows):
        if not isinstance(row, list) or not 0 < len(row) <= TABLE_MAX_CELLS:
            problems.append(f"row {index} must have 1-{TABLE_MAX_CELLS} cells")
            continue
        for cell in row:
            if cell.get("type") not in ("raw_text", "rich_text"):
                problems.append(f"row {index}: cell type {cell.get('type')!r}")
            elif cell.get("type") == "raw_text" and not (0 < len(cell.get("text", "")) <= CELL_MAX):
                problems.append(f"row {index}: raw_text must be 1-{CELL_MAX} characters")
    settings = block.get("column_settings", [])
    if len(settings) > TABLE_MAX_CELLS:
        problems.append("more than 20 column_settings")
    for setting in settings:
        if setting.get("align", "left") not in ("left", "center", "right"):
            problems.append(f"bad align {setting.get('align')!r}")
    if len(block.get("block_id", "")) > 255:
        problems.append("block_id over 255 characters")
    return problems
