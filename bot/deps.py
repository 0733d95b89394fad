"""The objects every listener needs, built once per process and passed in (no globals)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.access import Access
from bot.clock import Clock, SystemClock
from bot.partners import PartnersClient
from bot.settings import Settings
from bot.slack_client import build_slack_client
from bot.storage import Database

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]


@dataclass
class Deps:
    """Shared clients and policies; `start()` opens connections, `close()` releases them."""

    settings: Settings
    partners: PartnersClient
    slack: AsyncWebClient
    access: Access
    clock: Clock = field(default_factory=SystemClock)
    http: aiohttp.ClientSession | None = None
    db: Database | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)

    async def start(self) -> None:
        if self.http is None:
            self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10, connect=3))
        self.slack.session = self.http
        await self.partners.start()
        if self.db is not None:
            await self.db.upgrade()
        for hook in self.on_start:
            await hook()

    async def close(self) -> None:
        for hook in reversed(self.on_stop):
            try:
                await hook()
            except Exception:
                log.exception("shutdown hook failed")
        await self.partners.close()
        if self.db is not None:
            await self.db.close()
        if self.http is not None:
            await self.http.close()
            self.http = None


def build_deps(settings: Settings, *, clock: Clock | None = None) -> Deps:
    token = settings.partners_api_token or ""
    partners = PartnersClient(
        settings.partners_api_url,
        token,
        connect_timeout=settings.partners_connect_timeout,
        total_timeout=settings.partners_timeout,
        cache_seconds=settings.partners_cache_seconds,
        subscription_path=settings.partners_subscription_path,
    )
    return Deps(
        settings=settings,
        partners=partners,
        slack=build_slack_client(settings),
        access=Access(allowed=settings.allowed_user_ids, admins=settings.admin_user_ids),
        clock=clock or SystemClock(),
        db=Database(settings.database_url),
    )
