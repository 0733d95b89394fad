"""Trial alerts end to end on PostgreSQL: three bot replicas and a cron run racing on one database,
then an admin subscribing from the alert, which edits it."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.alerts.tables import TrialAlert
from bot.commands.alerts import run_alerts
from bot.offline.local_stack import LocalStack
from bot.offline.slack_standin import StandinChannel
from bot.services import open_services
from handlers.subscribe_views import OPEN_ACTION_PREFIX
from tests.alerts.conftest import add_trial, alerts_in, enable, has_button, quiet_trials
from tests.alerts.runners import alert_runner_for
from tests.conftest import _pg_admin
from tests.e2e.blockkit import assert_valid_message
from tests.subscriptions.conftest import (
    ANSWERS,
    make_stack,
    pushed_review,
    put_card,
    review_outcome,
    wait_for_result,
)

CHANNELS = [f"C_ALERT{i:02d}" for i in range(6)]
SOON = [f"55500{i:02d}" for i in range(8)]  # ending in 2 days: the 3-day alert
TOMORROW = [f"55501{i:02d}" for i in range(3)]  # ending in 12 hours: the 1-day alert


@pytest.fixture
async def fresh_pg(pg_url: str) -> AsyncIterator[str]:
    """A database of its own (the card vault and alert rows start empty), dropped afterwards."""
    name = f"pb_alerts_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url.rsplit("/", 1)[0] + "/" + name
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def pg_stack(fresh_pg: str, tmp_path) -> AsyncIterator[LocalStack]:
    stack = await make_stack(
        tmp_path, database_url=fresh_pg, admin_user_ids="U_ADMIN", digest_check_seconds=0
    )
    try:
        await put_card(stack)
        now = stack.services.clock.now()
        quiet_trials(stack, now)
        for license_id in SOON:
            add_trial(stack, license_id, f"Client {license_id}", now + timedelta(days=2))
        for license_id in TOMORROW:
            add_trial(stack, license_id, f"Client {license_id}", now + timedelta(hours=12))
        for channel in CHANNELS:
            stack.standin.state.add_channel(StandinChannel(channel, channel.lower()))
            assert "Trial alerts are on" in await enable(stack, channel_id=channel)
        yield stack
    finally:
        await stack.close()


async def test_three_replicas_and_cron_post_each_alert_exactly_once(pg_stack):
    stack = pg_stack
    replicas = [stack.services]
    for _ in range(2):
        deps = await open_services(stack.settings)
        replicas.append(deps)
    stack.standin.state.delay("chat.postMessage", 0.01)  # let the runners interleave
    try:
        out = io.StringIO()
        *reports, cron_status = await asyncio.gather(
            *(alert_runner_for(deps).run_once() for deps in replicas),
            run_alerts(stack.settings, channels=[], dry_run=False, out=out),
        )
    finally:
        for deps in replicas[1:]:
            await deps.close()
    assert cron_status == 0, out.getvalue()
    expected = {(c, lic): 1 for c in CHANNELS for lic in SOON + TOMORROW}
    posted = Counter(
        (m["channel"], b["block_id"].removeprefix("trial_alert_"))
        for c in CHANNELS
        for m in alerts_in(stack, c)
        for b in m["blocks"][:1]
    )
    assert posted == Counter(expected)
    assert sum(len(r.posted) for r in reports) <= len(expected)
    async with stack.services.db.session() as session:
        rows = (await session.execute(select(TrialAlert.state, TrialAlert.threshold))).all()
    assert Counter(rows) == Counter({("sent", 3): 6 * len(SOON), ("sent", 1): 6 * len(TOMORROW)})
    for message in alerts_in(stack, CHANNELS[0]):
        assert_valid_message(message)
    # Every replica's next tick finds today's checks done.
    again = await alert_runner_for(stack.services).run_once()
    assert again.due == 0


async def test_subscribing_from_the_alert_edits_it_everywhere(pg_stack):
    stack = pg_stack
    await alert_runner_for(stack.services).run_once()
    license_id = SOON[0]
    alert = next(m for m in alerts_in(stack, CHANNELS[0]) if license_id in m["blocks"][0]["block_id"])

    # A non-admin pressing the button is told why, and nothing opens.
    refused = await stack.driver.block_action(
        OPEN_ACTION_PREFIX + license_id, license_id, user_id="U_PARTNER", message=alert
    )
    note = await stack.standin.state.wait_for_response(refused.response_url)
    assert "Only Partners Bot admins" in note.payload["text"]
    assert stack.standin.state.top_view("U_PARTNER") is None

    before = len(stack.standin.state.calls("views.update"))
    await stack.driver.block_action(
        OPEN_ACTION_PREFIX + license_id, license_id, user_id="U_ADMIN", message=alert
    )
    await stack.standin.state.wait_for_call("views.update", count=before + 1)
    form = stack.standin.state.top_view("U_ADMIN").view
    assert f"Client {license_id}" in str(form["blocks"])
    submitted = await stack.driver.view_submission(form["id"], answers=ANSWERS)
    confirm = await review_outcome(stack.standin.state, pushed_review(stack.standin.state, submitted))
    await stack.driver.view_submission(confirm["id"])
    result = await wait_for_result(stack, confirm["id"])
    assert "created" in str(result["blocks"]).lower() or "subscribed" in str(result["blocks"]).lower()

    def edited() -> bool:
        found = [m for c in CHANNELS for m in alerts_in(stack, c) if license_id in m["blocks"][0]["block_id"]]
        return len(found) == len(CHANNELS) and all(not has_button(m) for m in found)

    await stack.standin.state.wait_for(edited)
    for channel in CHANNELS:
        [message] = [m for m in alerts_in(stack, channel) if license_id in m["blocks"][0]["block_id"]]
        assert_valid_message(message)
        assert "Subscribed by <@U_ADMIN>" in str(message["blocks"])
        assert message.get("edited")
    others = [m for m in alerts_in(stack, CHANNELS[0]) if license_id not in m["blocks"][0]["block_id"]]
    assert others and all(has_button(m) for m in others)
    updates = len(stack.standin.state.calls("chat.update"))
    assert updates == len(CHANNELS)
