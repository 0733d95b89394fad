"""The in-memory database (console, tests) is one shared connection: units of work take turns.

Without turns, a second unit of work ran inside the first one's transaction: its rollback undid the
first one's insert, and closing the database pulled the connection from under a statement.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from bot.storage import Database
from bot.storage.idempotency import ClaimState, IdempotencyKey

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _key(key: str) -> IdempotencyKey:
    return IdempotencyKey(
        scope="test", key=key, state=ClaimState.PENDING, owner="o", created_at=NOW, updated_at=NOW
    )


@pytest.fixture
async def memory_db() -> AsyncIterator[Database]:
    db = Database("sqlite+aiosqlite:///:memory:")
    await db.upgrade()
    try:
        yield db
    finally:
        await db.close()


async def _count(db: Database) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(IdempotencyKey))).scalar_one())


async def test_a_rollback_beside_a_commit_keeps_the_commit(memory_db):
    inserted = asyncio.Event()

    async def commits() -> None:
        async with memory_db.session() as session:
            session.add(_key("kept"))
            await session.flush()
            inserted.set()
            await asyncio.sleep(0.05)  # the other unit of work runs meanwhile, if it may

    async def rolls_back() -> None:
        await inserted.wait()
        with pytest.raises(RuntimeError, match="undo this one"):  # ours, not one from the session
            async with memory_db.session() as session:
                session.add(_key("dropped"))
                await session.flush()
                raise RuntimeError("undo this one")

    await asyncio.gather(commits(), rolls_back())
    async with memory_db.session() as session:
        keys = (await session.execute(select(IdempotencyKey.key))).scalars().all()
    assert keys == ["kept"]


async def test_a_helper_opening_its_own_session_inside_one_still_works(memory_db):
    async with memory_db.session() as outer:
        outer.add(_key("outer"))
        await outer.flush()
        assert await _count(memory_db) >= 0  # same task: no waiting on itself
    assert await _count(memory_db) == 1


async def test_close_waits_for_the_statement_in_progress(memory_db):
    started = asyncio.Event()

    async def slow_unit_of_work() -> int:
        async with memory_db.autocommit() as connection:
            started.set()
            await asyncio.sleep(0.05)
            return int((await connection.execute(text("SELECT 1"))).scalar_one())

    work = asyncio.create_task(slow_unit_of_work())
    await started.wait()
    await memory_db.close()
    assert await work == 1
