"""A stack with known secrets and DEBUG log capture, for the e2e tests that attack the bot.

Its fixtures (`hstack`, `sub_hstack`, `debug_logs`) reach every test under tests/e2e/ through
tests/e2e/conftest.py; the constants and helpers are imported where needed.

Logging is installed exactly as production does it (`bot.logs.setup_logging`, the redacting filter
on the handler) with the handler's stream swapped for a buffer, so what the tests read is what an
operator's log would contain.
"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest

from bot.clock import Clock
from bot.logs import setup_logging
from bot.offline.local_stack import SIGNING_SECRET, LocalStack, start_local_stack
from bot.offline.sandbox import SandboxOptions
from bot.offline.slack_standin import StandinOptions
from bot.vault import new_key

BOT_TOKEN = "xoxb-4242-hardening-bot-token-Zq8"
PARTNERS_TOKEN = "ptok-hardening-partners-token-91c"
CARD_NUMBER = "4111111111111111"
CVV = "737"
VAULT_KEY = new_key()
SECRETS = {"bot token": BOT_TOKEN, "signing secret": SIGNING_SECRET, "partners token": PARTNERS_TOKEN}
LIBRARY_LOGGERS = ("slack_bolt", "slack_sdk", "aiohttp")


@dataclass
class LogCapture:
    """Everything logged while the fixture is active, as the production handler wrote it."""

    stream: io.StringIO
    records: list[logging.LogRecord] = field(default_factory=list)

    def text(self) -> str:
        return self.stream.getvalue()

    def errors(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= logging.ERROR]

    def unhandled(self) -> list[logging.LogRecord]:
        """Errors nobody in our code caught: Bolt's listener/middleware failures, aiohttp's 500s,
        asyncio's lost task exceptions. (Our own `log.exception` after telling the user is handled.)"""
        return [
            r
            for r in self.errors()
            if r.name.split(".")[0] in ("slack_bolt", "aiohttp", "asyncio", "slack_sdk")
        ]


class _Collector(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]):
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def debug_logs() -> Iterator[LogCapture]:
    """Root + slack_bolt + slack_sdk + aiohttp at DEBUG through production's redacting handler."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    saved_levels = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
    # The secrets production gives its filter (`bot.commands.runtime.secrets_of`), vault key included.
    setup_logging("DEBUG", [*SECRETS.values(), VAULT_KEY])
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    capture = LogCapture(io.StringIO())
    handler.setStream(capture.stream)
    collector = _Collector(capture.records)
    # Production's handler first: its filter redacts the record before pytest's own handlers see it.
    root.handlers[:] = [handler, collector, *saved_handlers]
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(handler)
        root.removeHandler(collector)
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


async def start_hardening_stack(clock: Clock | None = None, **overrides: object) -> LocalStack:
    """The local stack with this suite's secrets; U_ADMIN is admin, U_GUEST is not allowed."""
    settings = {"admin_user_ids": "U_ADMIN", "allowed_user_ids": "U_ADMIN,U_PARTNER", **overrides}
    return await start_local_stack(
        sandbox_options=SandboxOptions(token=PARTNERS_TOKEN),
        standin_options=StandinOptions(bot_token=BOT_TOKEN),
        settings_overrides=settings,
        clock=clock,
    )


@pytest.fixture
async def hstack() -> AsyncIterator[LocalStack]:
    running = await start_hardening_stack()
    try:
        yield running
    finally:
        await running.close()


def upstream_traffic(stack: LocalStack) -> list[str]:
    """Every call the bot made to the Partners sandbox or the Slack stand-in, as short strings."""
    partners = [f"partners {c.method} {c.path}" for c in stack.sandbox.state.calls]
    slack = [f"slack {r.method}" for r in stack.standin.state.requests]
    posts = [f"response_url {u}" for u, p in stack.standin.state.responses.items() if p]
    return partners + slack + posts


def recorded_traffic_text(stack: LocalStack) -> str:
    """All the fakes received (bodies, args, headers without Authorization), as one string."""
    parts: list[str] = []
    for call in stack.sandbox.state.calls:
        parts.append(repr((call.method, call.path, call.query, call.form, call.headers)))
    for request in stack.standin.state.requests:
        parts.append(repr((request.method, request.args, request.body, request.headers)))
    for posts in stack.standin.state.responses.values():
        parts.extend(repr(p.payload) for p in posts)
    return "\n".join(parts)


def assert_no_secrets(text: str, secrets: dict[str, str] | None = None) -> None:
    """Fail naming the secret (never printing it) if any appears in `text`."""
    found = [name for name, value in (secrets or SECRETS).items() if value in text]
    assert not found, f"secrets leaked: {found}"


@pytest.fixture
async def sub_hstack(tmp_path) -> AsyncIterator[LocalStack]:
    """The hardening stack with a vault key, plan prices and the card in the vault (file SQLite)."""
    from tests.e2e.support.flows import PLAN_PRICES, seed_card

    database_url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    await seed_card(database_url)
    running = await start_hardening_stack(
        vault_key=VAULT_KEY, plan_prices=PLAN_PRICES, database_url=database_url
    )
    try:
        yield running
    finally:
        await running.close()
