"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, both ways.

Each test gets a brand-new database (a SQLite file, or a PostgreSQL database created next to the
session's `pg_url` one and dropped afterwards), so no other test's tables or version rows interfere.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

import bot.storage.models  # noqa: F401  (registers every table on Base.metadata)
from bot.storage.base import Base
from bot.storage.db import Database, alembic_config
from tests.conftest import _pg_admin

HEAD = "0007_pending_orders"


@pytest.fixture(params=["sqlite", "postgresql"])
async def fresh_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
        return
    session_url = request.getfixturevalue("pg_url")  # skips when PostgreSQL is not reachable
    name = f"pb_mig_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield session_url.rsplit("/", 1)[0] + "/" + name
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, Base.metadata))


def _versions(connection: Connection) -> set[str]:
    return {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}


def _downgrade_to_base(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "base")


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def test_there_is_a_single_head() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD]


async def test_fresh_database_matches_the_models_and_downgrades_to_nothing(fresh_url: str) -> None:
    db = Database(fresh_url)
    try:
        await db.upgrade()
        async with db.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
            assert await connection.run_sync(_versions) == {HEAD}
        async with db.engine.begin() as connection:
            await connection.run_sync(_downgrade_to_base)
        async with db.engine.connect() as connection:
            assert await connection.run_sync(_tables) <= {"alembic_version"}
            assert await connection.run_sync(_versions) == set()
        # Up again after down: the downgrades dropped everything the upgrades create (indexes too).
        await db.upgrade()
        async with db.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await db.close()


async def test_databases_at_the_two_old_heads_move_to_the_merge_keeping_their_rows(fresh_url: str) -> None:
    db = Database(fresh_url)
    try:
        await db.upgrade("0002_digest")
        await db.upgrade("0003_subscribe")  # what `upgrade("heads")` left before the merge existed
        async with db.engine.begin() as connection:
            assert await connection.run_sync(_versions) == {"0002_digest", "0003_subscribe"}
            await connection.execute(
                text(
                    "INSERT INTO idempotency_keys (scope, key, state, owner, created_at, updated_at) "
                    "VALUES ('subscription', 'L1', 'done', 'o', :now, :now)"
                ),
                {"now": datetime(2026, 11, 25, 9, tzinfo=UTC)},
            )
        await db.upgrade()
        async with db.engine.connect() as connection:
            assert await connection.run_sync(_versions) == {HEAD}
            assert await connection.run_sync(_differences) == []
            kept = await connection.execute(text("SELECT key FROM idempotency_keys"))
            assert [row[0] for row in kept] == ["L1"]
        await db.upgrade()  # already at the head: nothing to do, no error
    finally:
        await db.close()


async def test_a_database_with_only_the_digest_branch_gets_the_subscribe_tables(fresh_url: str) -> None:
    db = Database(fresh_url)
    try:
        await db.upgrade("0002_digest")
        await db.upgrade()
        async with db.engine.connect() as connection:
            assert await connection.run_sync(_versions) == {HEAD}
            assert await connection.run_sync(_differences) == []
    finally:
        await db.close()
