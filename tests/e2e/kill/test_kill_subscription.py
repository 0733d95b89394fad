"""Kill -9 of `serve` in the middle of the subscription POST, then restart: nothing charged twice.

The sandbox holds the POST, so the process dies with both claims (`subscription_request/<id>` and
`subscription/<license>`) `pending` and no answer. LiveChat then either applies the subscription or
does not (the held request finds its Recurly token already used → 400). The claims are aged past the
5-minute stale timeout (`IdempotencyStore.stale_after`, not a setting: `updated_at` is moved back,
which is what the clock passing would do) and the confirmation arrives again.

Before the fix in `SubscriptionService._settle_takeover`, a taken-over license claim was run like a
fresh one: re-read the license and, if LiveChat did not show it paid (yet), POST again — a second
charge whenever the first POST was applied late. Now a takeover is an unknown outcome: paid → reported
as subscribed; unpaid → "not confirmed yet", no POST until the 15-minute grace has passed.
"""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.offline.local_stack import SIGNING_SECRET
from bot.offline.sandbox import SandboxOptions, start_sandbox
from bot.offline.slack_standin import SlackDriver, StandinOptions, start_slack_standin
from bot.storage import Database
from bot.storage.idempotency import IdempotencyKey
from tests.e2e.support.flows import (
    PLAN_PRICES,
    SUB_PATH,
    TRIAL,
    VAULT_KEY,
    confirmation,
    open_form,
    seed_card,
    view_text,
    wait_for_result,
)
from tests.e2e.support.processes import bot_env, poll, start_serve, stop_all
from tests.e2e.support.stacks import BOT_TOKEN, PARTNERS_TOKEN, SECRETS, assert_no_secrets

HOLD = 1.5  # seconds the sandbox holds the POST before answering (or applying it)


async def age(
    db: Database, *, pending_by: timedelta | None = None, unknown_by: timedelta | None = None
) -> None:
    """Move claim times back: pending claims' `updated_at`, the unknown outcome's recorded `at`."""
    now = datetime.now(UTC)
    async with db.session() as session:
        if pending_by is not None:
            await session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.state == "pending")
                .values(updated_at=now - pending_by)
            )
        if unknown_by is not None:
            row = (
                await session.execute(
                    select(IdempotencyKey).where(
                        IdempotencyKey.scope == "subscription", IdempotencyKey.key == TRIAL
                    )
                )
            ).scalar_one()
            assert row.state == "unknown"
            result = json.loads(row.result or "{}")
            result["at"] = (now - unknown_by).isoformat()
            row.result = json.dumps(result)


async def license_claim(db: Database) -> tuple[str, dict]:
    async with db.session() as session:
        row = await session.get(IdempotencyKey, ("subscription", TRIAL))
        assert row is not None
        return row.state, json.loads(row.result or "{}")


@pytest.mark.parametrize("applied", [True, False], ids=["livechat-applied-it", "livechat-did-not"])
async def test_serve_killed_mid_subscription_post_never_charges_twice(tmp_path, applied):
    database_url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    await seed_card(database_url)
    sandbox = await start_sandbox(options=SandboxOptions(token=PARTNERS_TOKEN))
    standin = await start_slack_standin(options=StandinOptions(bot_token=BOT_TOKEN))
    state, lives = standin.state, sandbox.state
    env = bot_env(
        slack_api_url=standin.api_url,
        partners_url=sandbox.url,
        database_url=database_url,
        VAULT_KEY=VAULT_KEY,
        PLAN_PRICES=json.dumps(PLAN_PRICES),
    )
    db = Database(database_url)
    processes = []
    try:
        first = await start_serve(env, tmp_path, "first")
        processes.append(first)
        async with SlackDriver(first.events_url, SIGNING_SECRET, state) as driver:
            confirm = await confirmation(driver, state)
            saved = copy.deepcopy(confirm)  # the same confirmation again later = same request id
            lives.hang_next(SUB_PATH, HOLD, method="POST")
            acked = await driver.view_submission(confirm["id"])
            assert acked.response_action == "update"
            await poll(lambda: lives.count("POST", SUB_PATH) == 1)
        first.kill9()
        assert await first.wait() == -9
        if not applied:
            for token in lives.issued_tokens.values():
                token.used = True  # the held POST will be refused: nothing is created
        assert (await license_claim(db))[0] == "pending"

        second = await start_serve(env, tmp_path, "second")
        processes.append(second)
        async with SlackDriver(second.events_url, SIGNING_SECRET, state) as driver:
            held_since = lives.calls_to("POST", SUB_PATH)[0].time
            await asyncio.sleep(max(0.0, held_since + HOLD + 0.3 - lives.now()))  # LiveChat answered
            assert (TRIAL in lives.subscriptions) is applied

            # Five minutes later (aged): the same confirmation arrives again, e.g. the admin's retry.
            await age(db, pending_by=timedelta(minutes=6))
            result = await driver.view_submission(saved)
            assert result.status == 200
            text = await wait_for_result(state, saved["id"])
            if applied:
                assert "LiveChat confirms this license has a subscription now" in text, text
                assert (await license_claim(db))[0] == "done"
                # A new attempt stops at the form: LiveChat shows it paid.
                assert "already subscribed" in view_text(await open_form(driver, state))
            else:
                assert "not confirmed yet" in text, text
                assert (await license_claim(db))[0] == "unknown"
                # A brand-new confirmation within the grace period: still no POST.
                fresh = await confirmation(driver, state)
                await driver.view_submission(fresh["id"])
                assert "not confirmed yet" in await wait_for_result(state, fresh["id"])
            assert lives.count("POST", SUB_PATH) == 1

            if not applied:
                # Past the grace period with the license still unpaid: now one new POST, and it works.
                await age(db, unknown_by=timedelta(minutes=16))
                retry = await confirmation(driver, state)
                await driver.view_submission(retry["id"])
                assert "Subscribed." in await wait_for_result(state, retry["id"])
                assert lives.count("POST", SUB_PATH) == 2
                assert TRIAL in lives.subscriptions
                assert sum(t.used for t in lives.issued_tokens.values()) == 2  # the refused one + this
        assert len([s for s in lives.subscriptions if s == TRIAL]) == 1
        for process in processes:
            assert_no_secrets(process.text(), SECRETS)
    finally:
        await stop_all(processes, db, standin, sandbox)
