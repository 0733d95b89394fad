"""The App Home tab (`app_home_opened`, Refresh) and the New campaign entry points.

Bolt acknowledges events itself; the Home is published by `views.publish` within 3 s of the event:
the data is read concurrently, and if it is not all in after `PLACEHOLDER_AFTER` seconds a "Loading"
Home goes out first and the full one follows. The global shortcut and the Home's New campaign button
open the `/campaign` modal through the same opener as the command.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError

from bot.partners import PartnersClient
from bot.partners.errors import PartnersError
from bot.partners.payouts import newest_first
from bot.partners.reports import Withdrawal
from bot.slack.context import user_id_of
from bot.slack.users import user_zone
from handlers.campaign import open_create_modal
from handlers.home_blocks import (
    NEW_CAMPAIGN_ACTION,
    REFRESH_ACTION,
    HomeData,
    Snapshot,
    home_view,
    no_access_view,
    placeholder_view,
    upcoming_trials,
)
from handlers.messages import partners_error_text

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

SHORTCUT_CALLBACK = "new_campaign"
PLACEHOLDER_AFTER = 1.5  # seconds: well inside the 3 s the Home should take to appear
SOURCE_TIMEOUT = 8.0  # one slow source must not keep the others off the Home for long
# "Since yesterday": the latest digest snapshot taken at least this long ago.
SNAPSHOT_AGE = timedelta(hours=12)
T = TypeVar("T")


async def _read(work: Callable[[], Awaitable[T]]) -> tuple[T | None, str | None]:
    """Run one source: its value, or None and a sentence for the Home."""
    try:
        return await asyncio.wait_for(work(), SOURCE_TIMEOUT), None
    except PartnersError as exc:
        return None, partners_error_text(exc)
    except TimeoutError:
        return None, "LiveChat's Partners API did not answer in time; press Refresh to try again."
    except Exception:
        log.exception("a Home section could not be read")
        return None, "This could not be read; press Refresh to try again."


async def _newest_withdrawals(partners: PartnersClient) -> list[Withdrawal]:
    return newest_first(await partners.withdrawals())


async def _zone_only(deps: Services, user_id: str) -> ZoneInfo:
    return (await user_zone(deps.slack, user_id))[0]


async def previous_snapshot(deps: Services) -> Snapshot | None:
    """The latest earnings snapshot a digest stored at least `SNAPSHOT_AGE` ago."""
    found = await deps.digest_store.latest_snapshot(deps.clock.now() - SNAPSHOT_AGE)
    return Snapshot(*found) if found else None


async def load_home(deps: Services, user_id: str) -> HomeData:
    """Every source at once; each failure stays in its own section."""
    partners = deps.partners

    async def active_campaigns() -> int:
        return sum(1 for c in await partners.campaigns("active") if c.active)

    async def schedules() -> tuple[list[Any], list[Any]]:
        digests = await deps.digest_store.enabled_channels()
        alerts = await deps.alert_store.enabled_channels()
        return digests, alerts

    zone, earnings, previous, licenses, campaigns, withdrawals, plans = await asyncio.gather(
        _zone_only(deps, user_id),
        _read(partners.earnings),
        _read(lambda: previous_snapshot(deps)),
        _read(partners.licenses),
        _read(active_campaigns),
        _read(lambda: _newest_withdrawals(partners)),
        _read(schedules),
    )
    now = deps.clock.now()
    digests, alerts = plans[0] if plans[0] is not None else ([], [])
    return HomeData(
        now=now,
        zone=zone,
        earnings=earnings[0],
        earnings_error=earnings[1],
        previous=previous[0],
        trials=upcoming_trials(licenses[0], now) if licenses[0] is not None else None,
        trials_error=licenses[1],
        active_campaigns=campaigns[0],
        campaigns_error=campaigns[1],
        withdrawals=withdrawals[0],
        withdrawals_error=withdrawals[1],
        digests=digests,
        alerts=alerts,
    )


async def publish(deps: Services, user_id: str, view: dict[str, Any]) -> None:
    try:
        await deps.slack.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        error = exc.response.get("error", "") if exc.response is not None else ""
        log.warning("views.publish for %s failed: %s", user_id, error)


async def publish_home(deps: Services, user_id: str) -> None:
    """Publish `user_id`'s Home: no access, or the dashboard (a placeholder first when slow)."""
    if not deps.access.is_allowed(user_id):
        await publish(deps, user_id, no_access_view())
        return
    loading = asyncio.create_task(load_home(deps, user_id))
    done, _ = await asyncio.wait({loading}, timeout=PLACEHOLDER_AFTER)
    if not done:
        await publish(deps, user_id, placeholder_view())
    data = await loading
    view = home_view(data, is_admin=deps.access.is_admin(user_id), locale=deps.settings.locale)
    await publish(deps, user_id, view)


async def open_campaign_modal(deps: Services, body: dict[str, Any]) -> None:
    """The `/campaign` form from the Home or the global shortcut (links go to the user's DM)."""
    await open_create_modal(
        deps,
        {"trigger_id": body.get("trigger_id"), "response_url": body.get("response_url")},
        channel_id=None,
    )


def register(app: AsyncApp, deps: Services) -> None:
    """Bind `app_home_opened`, the Home's buttons and the New campaign global shortcut."""

    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any]) -> None:
        user_id = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user_id, str):
            return
        await publish_home(deps, user_id)

    @app.action(REFRESH_ACTION)
    async def refresh(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        user_id = user_id_of(body)
        if user_id:
            await publish_home(deps, user_id)

    @app.action(NEW_CAMPAIGN_ACTION)
    async def new_campaign_clicked(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await open_campaign_modal(deps, body)

    @app.shortcut(SHORTCUT_CALLBACK)
    async def new_campaign_shortcut(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await open_campaign_modal(deps, body)
