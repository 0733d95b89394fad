"""`/earnings history [3-24]`: commission per month, and **Post chart** to share it as a PNG."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError

from bot.history.months import (
    DEFAULT_MONTHS,
    MAX_MONTHS,
    MIN_MONTHS,
    History,
    MonthsError,
    build_history,
    parse_months,
    window,
)
from bot.partners.errors import PartnersError
from bot.slack.blocks import notice_message
from bot.slack.context import acting_channel, acting_user
from bot.slack.errors import CHANNEL_ERRORS, error_code
from bot.slack.respond import reply
from handlers.history_blocks import POST_CHART_ACTION_ID, chart_alt_text, chart_title, history_message
from handlers.messages import SLACK_TIMEOUT, UNEXPECTED, partners_error_text, slack_error_text

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

CHART_FILENAME = "commission-history.png"
NOT_IN_CHANNEL = (
    "I can't post in this channel yet. Invite me with `/invite @Partners Bot`, then press *Post chart* again."
)


async def load_history(deps: Services, months: int) -> History:
    now = deps.clock.now()
    date_from, date_to = window(now, months)
    periods = (await deps.partners.commission_report(date_from, date_to, "month")).periods()
    return build_history(periods, now, months)


async def subcommand(deps: Services, command: dict[str, Any], words: list[str]) -> None:
    """`/earnings history …` (already acked)."""
    try:
        months = parse_months(words)
        message = history_message(await load_history(deps, months), locale=deps.settings.locale)
    except MonthsError as exc:
        message = notice_message(str(exc))
    except PartnersError as exc:
        log.warning("/earnings history failed: %r", exc)
        message = notice_message(partners_error_text(exc))
    await reply(deps.http, command["response_url"], message)


def _draw(history: History, locale: str) -> bytes:
    # matplotlib is imported on the first chart, not at start-up: it adds about a second (more while
    # it builds its font cache) to every process start, and most processes never draw a chart.
    from bot.charts import history_chart

    return history_chart(history, locale=locale, title=chart_title(history, locale))


async def render_chart(history: History, locale: str) -> bytes:
    """Drawing takes tens of milliseconds of CPU: off the event loop."""
    return await asyncio.to_thread(_draw, history, locale)


async def post_chart(deps: Services, body: dict[str, Any], user_id: str, channel_id: str | None) -> None:
    raw = ((body.get("actions") or [{}])[0]).get("value") or str(DEFAULT_MONTHS)
    months = int(raw) if raw.isdigit() and MIN_MONTHS <= int(raw) <= MAX_MONTHS else DEFAULT_MONTHS
    locale = deps.settings.locale
    try:
        history = await load_history(deps, months)
        png = await render_chart(history, locale)
        await deps.slack.files_upload_v2(
            channel=channel_id,
            file=png,
            filename=CHART_FILENAME,
            title=chart_title(history, locale),
            alt_txt=chart_alt_text(history, locale),
            initial_comment=f"Commission per month, posted by <@{user_id}>",
        )
    except PartnersError as exc:
        log.warning("history chart failed: %r", exc)
        text = partners_error_text(exc)
    except SlackApiError as exc:
        error = error_code(exc)
        log.warning("chart upload to %s failed: %s", channel_id, error)
        text = NOT_IN_CHANNEL if error in CHANNEL_ERRORS else slack_error_text(error)
    except (TimeoutError, aiohttp.ClientError):
        log.warning("chart upload to %s: Slack did not answer", channel_id, exc_info=True)
        text = SLACK_TIMEOUT
    except Exception:
        log.exception("chart upload to %s failed", channel_id)
        text = UNEXPECTED
    else:
        text = "Posted the chart in the channel."
    if body.get("response_url"):
        await reply(deps.http, body["response_url"], notice_message(text))


def register(app: AsyncApp, deps: Services) -> None:
    """Bind the **Post chart** button (the subcommand is routed from `/earnings`)."""

    @app.action(POST_CHART_ACTION_ID)
    async def post_chart_clicked(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        await post_chart(deps, body, acting_user(context, body) or "", acting_channel(context, body))
