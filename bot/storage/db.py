"""The database: one async engine per process, sessions on demand, migrations at start.

An in-memory SQLite database (the offline console, the tests) is a single connection that
SQLAlchemy's StaticPool hands to every session at once. Two concurrent units of work would then
interleave in one transaction: one's rollback undoes the other's writes, and disposing the engine
pulls the connection from under a statement. So there, units of work take turns (`_turn`), and
`close()` waits for the one in progress, as a file or PostgreSQL database does on its own.

Replicas start together (a deploy, a scale-up): migrations run under a lock so exactly one process
applies them while the others wait and then find nothing to do. On PostgreSQL that is a
transaction-scoped advisory lock; on SQLite a file lock beside the database file.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.settings import SettingsError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# pg_advisory_xact_lock key: any constant shared by every process of this app ("PBmigrat").
MIGRATION_LOCK_KEY = 0x50426D6967726174
REACH_TIMEOUT = 10.0  # seconds to connect at start before saying the database is unreachable
# PostgreSQL pool: at most 20 connections per process, as before, but 15 of them kept open (was
# 10), so the digest runner's bursts of statements reuse connections instead of overflow ones being
# closed on return and reopened (7 % of a digest replica, SSL attempt included). No ping on every
# checkout (15 % of a digest replica): connections are recycled after POOL_RECYCLE seconds instead,
# and after a server restart SQLAlchemy invalidates the pool on the first disconnect error (that
# statement fails; the next checkout connects afresh).
POOL_SIZE = 15
POOL_MAX_OVERFLOW = 5
POOL_RECYCLE = 1800.0


def _sqlite_file(url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix) :].split("?", 1)[0]
    return None if rest in ("", ":memory:") else Path(rest)


def _sqlite_folder(path: Path) -> None:
    """Create the default `data/` folder; any other missing folder is a typo in DATABASE_URL."""
    if path.parent == Path("data"):
        path.parent.mkdir(exist_ok=True)
    elif not path.parent.is_dir():
        raise SettingsError(
            f"DATABASE_URL is malformed: the folder {str(path.parent)[:200]} does not exist "
            "(create it first, or use the default sqlite+aiosqlite:///data/partners-bot.db)"
        )


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


class Database:
    """Owns the engine. `session()` yields a unit of work; `upgrade()` applies migrations."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        sqlite_file = _sqlite_file(url)
        if sqlite_file is not None:
            _sqlite_folder(sqlite_file)
        kwargs: dict[str, object] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(
                pool_size=POOL_SIZE,
                max_overflow=POOL_MAX_OVERFLOW,
                pool_recycle=POOL_RECYCLE,
                pool_pre_ping=False,
            )
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        in_memory = self.is_sqlite and sqlite_file is None
        self._shared_connection = asyncio.Lock() if in_memory else None
        self._turn_holder: asyncio.Task[object] | None = None

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error."""
        async with self._turn(), self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A connection outside any transaction: each statement commits on its own."""
        async with self._turn(), self.engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """Wait for the shared in-memory connection (nothing to wait for on any other database).

        Re-entrant within one task, so a unit of work that calls a helper opening its own session
        keeps working as it does on a pooled database.
        """
        lock = self._shared_connection
        task = asyncio.current_task()
        if lock is None or (task is not None and self._turn_holder is task):
            yield
            return
        async with lock:
            self._turn_holder = task
            try:
                yield
            finally:
                self._turn_holder = None

    async def upgrade(self, revision: str = "heads") -> None:
        """Apply Alembic migrations up to `revision` (all heads by default)."""

        def run(connection: Connection) -> None:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

        if self.is_sqlite:
            async with _file_lock(self._lock_file()):
                async with self.engine.begin() as connection:
                    await connection.run_sync(run)
            return
        async with self.engine.begin() as connection:
            # Held until this transaction commits, i.e. until the migrations are in: a replica
            # starting at the same moment waits here, then sees the schema up to date.
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            await connection.run_sync(run)

    def _lock_file(self) -> Path | None:
        sqlite_file = _sqlite_file(self.url)
        return None if sqlite_file is None else sqlite_file.with_name(sqlite_file.name + ".migrate.lock")

    async def unreachable(self) -> str | None:
        """None if the database answers; else one line saying where it is and what went wrong."""
        try:
            async with asyncio.timeout(REACH_TIMEOUT):
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as exc:
            cause = getattr(exc, "orig", None) or exc
            detail = (str(cause).strip().splitlines() or [""])[0][:160]
            where = self.engine.url.render_as_string(hide_password=True)
            what = type(cause).__name__ + (f": {detail}" if detail else "")
            return f"cannot reach the database at {where} ({what}); check the URL and that the server is up"
        return None

    async def close(self) -> None:
        async with self._turn():  # never dispose a connection a statement is using
            await self.engine.dispose()


@asynccontextmanager
async def _file_lock(path: Path | None) -> AsyncIterator[None]:
    """An exclusive lock on `path` (created if needed) for the block; nothing for in-memory SQLite."""
    if path is None:
        yield
        return
    with path.open("a") as handle:
        # flock blocks: wait on a thread so the event loop stays free meanwhile.
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # WAL lets a reader and a writer work at once; busy_timeout waits out short write locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
