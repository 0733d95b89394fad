"""A migrated database per test, on SQLite and on the real PostgreSQL, emptied afterwards."""

from __future__ import annotations

import pytest

from bot.storage import Database


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request, tmp_path):
    url = (
        f"sqlite+aiosqlite:///{tmp_path}/storage.db"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    db = Database(url)
    await db.upgrade()
    try:
        yield db
    finally:
        async with db.engine.begin() as connection:
            await connection.exec_driver_sql("DELETE FROM idempotency_keys")
        await db.close()
