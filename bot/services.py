"""The composition root: every service the bot uses, built once per process and passed in.

`open_services(settings)` builds the whole graph, opens the connections and migrates the database;
after it returns every field is ready (nothing optional, nothing looked up by name). The run modes
(`serve`, `socket`, the local stack) then call `start_background()` for the digest scheduler, and
`close()` stops it and releases the connections in reverse order. `partners-bot digest run` opens
the same services without the scheduler.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiohttp
from pydantic import SecretStr
from slack_sdk.web.async_client import AsyncWebClient

from bot.access import Access
from bot.alerts.runner import AlertRunner
from bot.alerts.store import AlertStore
from bot.campaigns.create import CampaignService
from bot.clock import Clock, SystemClock
from bot.digest.period_store import PeriodStore
from bot.digest.runner import DigestRunner
from bot.digest.scheduler import DigestScheduler
from bot.digest.store import DigestStore
from bot.partners import PartnersClient
from bot.payouts.service import PayoutService
from bot.recurly import create_token
from bot.settings import Settings, SettingsError
from bot.slack.listener_work import ListenerWork
from bot.slack.seen import SeenRequests
from bot.slack_client import build_slack_client
from bot.storage import Database, IdempotencyStore
from bot.subscriptions.audit import AuditLog
from bot.subscriptions.service import SubscriptionService
from bot.vault import Card, CardVault, VaultKeyError, open_vault
from handlers.messages import partners_error_text

log = logging.getLogger(__name__)


class Vault:
    """The card vault, opened once; `open()` raises the `VaultKeyError` (how to set VAULT_KEY) if it could not be."""

    def __init__(self, vault_key: SecretStr | None, db: Database, clock: Clock):
        self._vault: CardVault | None = None
        self._problem: VaultKeyError | None = None
        try:
            self._vault = open_vault(vault_key, db, clock)
        except VaultKeyError as exc:
            self._problem = exc

    def open(self) -> CardVault:
        if self._vault is None:
            assert self._problem is not None
            raise self._problem
        return self._vault

    @property
    def problem(self) -> str | None:
        """Why there is no vault (shown under the `/subscribe` list), or None when it is usable."""
        return str(self._problem) if self._problem is not None else None


@dataclass(eq=False, repr=False)
class Services:
    """Shared clients, stores and services of one process; see the module docstring for the lifecycle."""

    settings: Settings
    clock: Clock
    http: aiohttp.ClientSession
    partners: PartnersClient
    slack: AsyncWebClient
    db: Database
    claims: IdempotencyStore
    vault: Vault
    subscriptions: SubscriptionService
    campaigns: CampaignService
    digest_store: DigestStore
    digest_runner: DigestRunner
    digest_scheduler: DigestScheduler
    alert_store: AlertStore
    alert_runner: AlertRunner
    alert_scheduler: DigestScheduler
    period_store: PeriodStore
    payouts: PayoutService
    access: Access
    seen_requests: SeenRequests
    listener_work: ListenerWork

    def __repr__(self) -> str:
        # Never the settings or clients: their reprs are safe today, but a container repr is the kind
        # of thing that ends up in a log line, and it has nothing a reader needs.
        return f"Services(db={self.db!r})"

    async def start_background(self) -> None:
        """Start the digest and trial-alert schedulers (unless DIGEST_CHECK_SECONDS is 0)."""
        if self.settings.digest_check_seconds > 0:
            await self.digest_scheduler.start()
            await self.alert_scheduler.start()

    async def close(self) -> None:
        """Stop background work, let listeners finish (SHUTDOWN_GRACE_SECONDS at most), then
        release the Partners, database and HTTP connections."""
        for scheduler in (self.alert_scheduler, self.digest_scheduler):
            try:
                await scheduler.stop()
            except Exception:
                log.exception("stopping a scheduler failed")
        await self.listener_work.drain(self.settings.shutdown_grace_seconds)
        await self.partners.close()
        await self.db.close()
        await self.http.close()


def build_partners_client(settings: Settings) -> PartnersClient:
    return PartnersClient(
        settings.partners_api_url,
        settings.partners_api_token or "",
        connect_timeout=settings.partners_connect_timeout,
        total_timeout=settings.partners_timeout,
        cache_seconds=settings.partners_cache_seconds,
        subscription_path=settings.partners_subscription_path,
    )


async def open_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Build every service once, open the connections and migrate the database (no scheduler yet)."""
    clock = clock or SystemClock()
    db = Database(settings.database_url)  # first: a bad DATABASE_URL raises before anything opens
    # Created here, inside the running loop, and shared by the Slack client and every reply.
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10, connect=3))
    slack = build_slack_client(settings)
    slack.session = http
    partners = build_partners_client(settings)
    try:
        await partners.start()
        problem = await db.unreachable()
        if problem is not None:
            raise SettingsError(f"DATABASE_URL: {problem}")  # one line at start, never a traceback
        await db.upgrade()
    except BaseException:
        await partners.close()
        await db.close()
        await http.close()
        raise
    claims = IdempotencyStore(db, clock)
    vault = Vault(settings.vault_key, db, clock)

    async def tokenize(card: Card) -> SecretStr:
        return await create_token(
            http,
            settings.recurly_api_url,
            settings.recurly_public_key,
            card,
            timeout=settings.partners_timeout,
        )

    subscriptions = SubscriptionService(
        partners=partners,
        vault=vault.open,
        tokenize=tokenize,
        claims=claims,
        audit=AuditLog(db, clock),
        clock=clock,
        error_text=partners_error_text,
    )
    digest_store = DigestStore(db, clock)
    digest_runner = DigestRunner(digest_store, partners, slack, clock, locale=settings.locale)
    interval = settings.digest_check_seconds
    scheduler = DigestScheduler(digest_runner, interval=interval, jitter=min(5.0, max(interval, 0) / 4))
    alert_store = AlertStore(db, clock)
    alert_runner = AlertRunner(alert_store, partners, slack, clock)
    # The digest's scheduler only calls `run_once()`, which the alert runner has too.
    alert_scheduler = DigestScheduler(alert_runner, interval=interval, jitter=min(5.0, max(interval, 0) / 4))  # type: ignore[arg-type]
    return Services(
        settings=settings,
        clock=clock,
        http=http,
        partners=partners,
        slack=slack,
        db=db,
        claims=claims,
        vault=vault,
        subscriptions=subscriptions,
        campaigns=CampaignService(partners, claims),
        digest_store=digest_store,
        digest_runner=digest_runner,
        digest_scheduler=scheduler,
        alert_store=alert_store,
        alert_runner=alert_runner,
        alert_scheduler=alert_scheduler,
        period_store=PeriodStore(db, clock),
        payouts=PayoutService(partners=partners, db=db, clock=clock),
        access=Access(allowed=settings.allowed_user_ids, admins=settings.admin_user_ids),
        seen_requests=SeenRequests(),
        listener_work=ListenerWork(),
    )
