"""Fixtures shared by the whole suite: the local stack and a throw-away PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

import tests.conftest_aioresponses  # noqa: F401  (patches aioresponses for this aiohttp)
from bot.offline.local_stack import LocalStack, start_local_stack

PG_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No developer `.env` or exported Slack/Partners setting may leak into a test."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "PARTNERS_", "RECURLY_", "DATABASE_", "VAULT_", "ADMIN_", "ALLOWED_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
async def stack() -> AsyncIterator[LocalStack]:
    """Sandbox Partners API + Slack stand-in + the real bot app, on free local ports."""
    running = await start_local_stack(settings_overrides={"admin_user_ids": "U_ADMIN"})
    try:
        yield running
    finally:
        await running.close()


def _pg_admin(sql: str) -> None:
    """Run one admin statement on its own thread and loop (fixtures may be set up inside a loop)."""
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards; skips without a server."""
    name = f"pb_test_{uuid.uuid4().hex[:12]}"
    try:
        _pg_admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        pytest.skip(f"PostgreSQL at {PG_ADMIN_DSN} is not reachable: {exc}")
    host = PG_ADMIN_DSN.split("@", 1)[1].split("/", 1)[0]
    user = PG_ADMIN_DSN.split("://", 1)[1].split("@", 1)[0]
    try:
        yield f"postgresql+asyncpg://{user}@{host}/{name}"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
