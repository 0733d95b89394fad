"""`/campaign stats [7|30|90]`: each campaign's funnel from LiveChat's performance report."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.funnel import PeriodError, build_funnel, parse_days
from bot.partners.errors import PartnersError
from bot.slack.blocks import notice_message
from bot.slack.respond import reply
from handlers.campaign_stats_blocks import stats_message
from handlers.messages import partners_error_text

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


async def subcommand(deps: Services, command: dict[str, Any], words: list[str]) -> None:
    """`/campaign stats …` (already acked): the last N days up to today (UTC), inclusive."""
    try:
        days = parse_days(words)
        today = deps.clock.now().date()
        rows = await deps.partners.performance(today - timedelta(days=days - 1), today)
        message = stats_message(build_funnel(rows, days), locale=deps.settings.locale)
    except PeriodError as exc:
        message = notice_message(str(exc))
    except PartnersError as exc:
        log.warning("/campaign stats failed: %r", exc)
        message = notice_message(partners_error_text(exc))
    await reply(deps.http, command["response_url"], message)
