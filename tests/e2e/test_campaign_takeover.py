"""A campaign submission whose first attempt died mid-way (its claim left `pending`) is re-read.

The "dead process" is a first attempt that stops forever at a chosen point, with the claim's stale
timeout set to zero: the same submission arriving again (a Slack retry on another replica) takes the
claim over, asks LiveChat whether the campaign exists, and never POSTs blindly.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from bot.campaigns.create import MAYBE_CREATED
from bot.campaigns.form import NAME_BLOCK
from handlers.campaign import INTERRUPTED_NOTE
from tests.e2e.blockkit import assert_valid_view
from tests.e2e.test_campaign import CAMPAIGNS, open_form, outcome_view

NAME = "Takeover webinar"


class DeadAttempt:
    """Makes the first attempt stop forever before or after its POST (until `end()` cancels it)."""

    def __init__(self, stack, monkeypatch: pytest.MonkeyPatch, *, after_post: bool):
        self.reached = asyncio.Event()
        self._end = asyncio.Event()
        real = stack.services.campaigns.create

        async def create(request):
            if after_post:
                await real(request)
            self.reached.set()
            await self._end.wait()
            raise asyncio.CancelledError  # the process is gone: nothing after this point runs

        monkeypatch.setattr(stack.services.campaigns, "create", create)
        self._restore: Callable[[], None] = lambda: monkeypatch.setattr(
            stack.services.campaigns, "create", real
        )

    async def wait(self) -> None:
        await self.reached.wait()
        self._restore()

    def end(self) -> None:
        self._end.set()


async def submit_twice(stack, view_id: str, dead: DeadAttempt) -> Awaitable[dict]:
    """The first submission dies; the same submission arrives again and takes the claim over."""
    stack.services.claims.stale_after = timedelta(0)
    original = copy.deepcopy(stack.standin.state.views[view_id].view)
    await stack.driver.view_submission(view_id, answers={NAME_BLOCK: NAME})
    await dead.wait()
    retry = await stack.driver.view_submission(original, answers={NAME_BLOCK: NAME})
    assert retry.response_action == "update"


async def test_a_campaign_created_by_the_dead_attempt_is_shown_not_posted_again(stack, monkeypatch):
    view_id = await open_form(stack)
    dead = DeadAttempt(stack, monkeypatch, after_post=True)
    await submit_twice(stack, view_id, dead)
    try:
        view = await outcome_view(stack, view_id, "Campaign created")
        assert_valid_view(view)
        assert NAME in str(view["blocks"]) and "interrupted" in str(view["blocks"])
        assert INTERRUPTED_NOTE in str(view["blocks"])
        assert stack.sandbox.state.count("POST", CAMPAIGNS) == 1
        assert [c["name"] for c in stack.sandbox.state.campaigns].count(NAME) == 1
    finally:
        dead.end()


async def test_a_dead_attempt_that_never_posted_is_followed_by_one_post(stack, monkeypatch):
    view_id = await open_form(stack)
    dead = DeadAttempt(stack, monkeypatch, after_post=False)
    await submit_twice(stack, view_id, dead)
    try:
        view = await outcome_view(stack, view_id, "Campaign created")
        assert INTERRUPTED_NOTE not in str(view["blocks"])
        assert stack.sandbox.state.count("GET", CAMPAIGNS) == 1  # the re-read came first
        assert stack.sandbox.state.count("POST", CAMPAIGNS) == 1
    finally:
        dead.end()


async def test_when_livechat_cannot_be_reread_nothing_is_posted_and_the_user_is_told(stack, monkeypatch):
    stack.services.partners.retry = type(stack.services.partners.retry)(backoff_base=0.01, backoff_max=0.02)
    view_id = await open_form(stack)
    dead = DeadAttempt(stack, monkeypatch, after_post=False)
    stack.sandbox.state.fail_next(CAMPAIGNS, 503, times=10, method="GET")
    await submit_twice(stack, view_id, dead)
    try:
        view = await outcome_view(stack, view_id)
        assert_valid_view(view)
        assert "may or may not exist" in str(view["blocks"]) and MAYBE_CREATED.split(",")[0] in str(view)
        assert stack.sandbox.state.count("POST", CAMPAIGNS) == 0
    finally:
        dead.end()
