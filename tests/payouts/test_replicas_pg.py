"""Two bot replicas sharing one PostgreSQL database and one Partners API: one payout POST.

Slack may deliver the same click (or its retry) to either replica, and two admins may confirm the
same balance on different replicas at once; in every case exactly one POST reaches LiveChat.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys

from bot.offline.local_stack import start_local_stack
from bot.offline.sandbox import start_sandbox
from tests.payouts.helpers import click_confirm, confirm_button, posts, withdraw_prompt


async def _replicas(pg_url: str):
    sandbox = await start_sandbox()
    # A balance no other test in this database used, so today's payout key is fresh.
    sandbox.state.add_commission("affiliate", "livechat", round(random.uniform(1, 999), 2))
    overrides = {"database_url": pg_url, "admin_user_ids": "U_ADMIN"}
    one = await start_local_stack(sandbox=sandbox, settings_overrides=overrides)
    two = await start_local_stack(sandbox=sandbox, settings_overrides=overrides)
    return one, two


async def test_same_click_on_two_replicas_posts_once(pg_url):
    one, two = await _replicas(pg_url)
    try:
        value = confirm_button(await withdraw_prompt(one))["value"]
        replies = await asyncio.gather(
            click_confirm(one, value), click_confirm(two, value, retry_num=1), click_confirm(two, value)
        )
        assert posts(one) == 1
        assert all("requested" in r["text"] for r in replies)
    finally:
        await one.close()
        await two.close()


async def test_two_admins_confirming_the_same_balance_on_two_replicas_post_once(pg_url):
    one, two = await _replicas(pg_url)
    try:
        first = confirm_button(await withdraw_prompt(one))["value"]
        second = confirm_button(await withdraw_prompt(two))["value"]
        replies = await asyncio.gather(click_confirm(one, first), click_confirm(two, second))
        assert posts(one) == 1
        assert sorted("already requested" in r["text"] for r in replies) == [False, True]
        audit = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot.cli", "audit"],
            env={"DATABASE_URL": pg_url, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert audit.returncode == 0, audit.stderr
        assert "Payout requests:" in audit.stdout and "requested" in audit.stdout
        assert "already_requested" in audit.stdout
    finally:
        await one.close()
        await two.close()
