"""Trial-alert fixtures: the whole bot on a manual clock, and helpers to shape the sandbox's trials."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.alerts.runner import AlertRunner
from bot.clock import ManualClock
from bot.offline.local_stack import SANDBOX_TOKEN, LocalStack, start_local_stack
from bot.offline.sandbox import SandboxOptions
from tests.alerts.runners import alert_runner_for

# Wednesday 25 November 2026, 07:00 UTC = 08:00 in Warsaw (U_ADMIN's zone in the stand-in).
START = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
JOE = "11223301"  # Joe Doe Ltd, partner-paid LiveChat trial
HARBOR = "11223306"  # Harbor Legal LLP, partner-paid LiveChat trial
CHATBOT = "11223304"  # Joe Doe Ltd's partner-paid ChatBot trial


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")  # the API's end_timestamp, UTC


def set_trial(stack: LocalStack, license_id: str, ends_at: datetime) -> None:
    stack.sandbox.state.licenses[license_id]["end_timestamp"] = iso(ends_at)


def add_trial(stack: LocalStack, license_id: str, client: str, ends_at: datetime, **changes: Any) -> None:
    """Another partner-paid LiveChat trial, shaped like the seed's Joe Doe Ltd."""
    lic = copy.deepcopy(stack.sandbox.state.licenses[JOE])
    lic.update(license=license_id, client_name=client, end_timestamp=iso(ends_at), **changes)
    stack.sandbox.state.licenses[license_id] = lic


def quiet_trials(stack: LocalStack, now: datetime) -> None:
    """Every seeded trial ends far beyond any alert window, so a test sets up only what it needs."""
    for lic in stack.sandbox.state.licenses.values():
        if lic.get("status") == "trial":
            lic["end_timestamp"] = iso(now + timedelta(days=60))


async def enable(stack: LocalStack, text: str = "alerts on 3", channel_id: str = "C_GENERAL") -> str:
    result = await stack.driver.command("/subscribe", text, user_id="U_ADMIN", channel_id=channel_id)
    assert result.status == 200
    return str((await stack.standin.state.wait_for_response(result.response_url)).payload["text"])


def alerts_in(stack: LocalStack, channel_id: str = "C_GENERAL") -> list[dict[str, Any]]:
    return [m for m in stack.standin.state.messages(channel_id) if "trial_alert_" in str(m.get("blocks"))]


def has_button(message: dict[str, Any]) -> bool:
    return any("accessory" in b or b.get("type") == "actions" for b in message.get("blocks", []))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def alert_stack(clock: ManualClock, tmp_path) -> AsyncIterator[LocalStack]:
    """The bot on a SQLite file, so a cron run (its own Services) shares the database."""
    settings = {
        "admin_user_ids": "U_ADMIN",
        "digest_check_seconds": 0,
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/alerts.db",
    }
    # The sandbox lives on the same manual clock, so its trials end (and expire) on the test's time.
    sandbox = SandboxOptions(token=SANDBOX_TOKEN, clock=lambda: clock.now().timestamp())
    stack = await start_local_stack(settings_overrides=settings, clock=clock, sandbox_options=sandbox)
    quiet_trials(stack, START)
    try:
        yield stack
    finally:
        await stack.close()


@pytest.fixture
def runner(alert_stack: LocalStack) -> AlertRunner:
    return alert_runner_for(alert_stack.services, rate_limit_rounds=2)
