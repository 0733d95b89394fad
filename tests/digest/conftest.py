"""Digest fixtures: the fake Slack and Partners servers, and real Services (one per "replica") on a real DB."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.clock import Clock, ManualClock
from bot.offline.sandbox import RunningSandbox, SandboxOptions, start_sandbox
from bot.offline.slack_standin import RunningStandin, StandinOptions, start_slack_standin
from bot.services import Services, open_services
from bot.settings import Settings, load_settings
from bot.storage import Database

# Wednesday 25 November 2026, 07:00 UTC = 08:00 in Warsaw (CET).
START = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
DIGEST_TABLES = ("digest_deliveries", "earnings_snapshots", "digest_channels")


@dataclass
class Fakes:
    sandbox: RunningSandbox
    standin: RunningStandin

    def settings(self, database_url: str, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "slack_bot_token": "xoxb-standin",
            "slack_signing_secret": "digest-tests",
            "slack_api_url": self.standin.api_url,
            "partners_api_token": "sandbox-token",
            "partners_api_url": self.sandbox.url,
            "database_url": database_url,
            "admin_user_ids": "U_ADMIN",
            "digest_check_seconds": 0,
            **overrides,
        }
        return load_settings(_env_file=None, **values)


@pytest.fixture
async def fakes() -> AsyncIterator[Fakes]:
    sandbox = await start_sandbox(options=SandboxOptions(token="sandbox-token"))
    standin = await start_slack_standin(options=StandinOptions())
    try:
        yield Fakes(sandbox, standin)
    finally:
        await standin.close()
        await sandbox.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


MakeServices = Callable[..., Awaitable[Services]]


@pytest.fixture
async def make_services(fakes: Fakes) -> AsyncIterator[MakeServices]:
    """Build and start Services (own engine, own HTTP sessions) like a separate replica would."""
    made: list[Services] = []

    async def make(database_url: str, clock: Clock, **overrides: object) -> Services:
        services = await open_services(fakes.settings(database_url, **overrides), clock=clock)
        made.append(services)
        return services

    yield make
    for services in made:
        await services.close()


async def clear_digest_tables(url: str) -> None:
    """The PostgreSQL database is shared by the whole session: leave no digest rows behind."""
    db = Database(url)
    try:
        await db.upgrade()
        async with db.engine.begin() as connection:
            for table in DIGEST_TABLES:
                await connection.exec_driver_sql(f"DELETE FROM {table}")
    finally:
        await db.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:
    """A migrated database: a SQLite file, or the session's PostgreSQL database emptied of digest rows."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/digest.db"
        return
    url = request.getfixturevalue("pg_url")
    await clear_digest_tables(url)
    try:
        yield url
    finally:
        await clear_digest_tables(url)


@pytest.fixture
async def pg(pg_url: str) -> AsyncIterator[str]:
    await clear_digest_tables(pg_url)
    try:
        yield pg_url
    finally:
        await clear_digest_tables(pg_url)
