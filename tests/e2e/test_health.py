"""`GET /healthz` tells a load balancer the truth: 503 when the database cannot be reached."""

from __future__ import annotations

import uuid

import aiohttp
import pytest

from bot.offline.local_stack import start_local_stack
from tests.conftest import PG_ADMIN_DSN, _pg_admin


async def _health(stack) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(f"{stack.bot_url}/healthz") as response:
        return response.status, await response.json()


async def test_healthz_is_ok_with_the_database_and_503_without_it():
    name = f"pb_health_{uuid.uuid4().hex[:10]}"
    try:
        _pg_admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        pytest.skip(f"PostgreSQL at {PG_ADMIN_DSN} is not reachable: {exc}")
    host = PG_ADMIN_DSN.split("@", 1)[1].split("/", 1)[0]
    user = PG_ADMIN_DSN.split("://", 1)[1].split("@", 1)[0]
    stack = await start_local_stack(settings_overrides={"database_url": f"postgres://{user}@{host}/{name}"})
    try:
        status, body = await _health(stack)
        assert status == 200 and body["status"] == "ok"
        # The database goes away under the running bot (dropped, connections terminated).
        _pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)')
        status, body = await _health(stack)
        assert status == 503
        assert body["status"] == "unavailable" and body["database"] == "unreachable"
        assert name not in str(body)  # says what, not where (the URL may hold credentials)
        # The bot still answers Slack meanwhile (a command needs no database), and recovers.
        result = await stack.driver.command("/earnings", user_id="U_ADMIN")
        assert result.status == 200
        _pg_admin(f'CREATE DATABASE "{name}"')
        status, _ = await _health(stack)
        assert status == 200
    finally:
        await stack.close()
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
