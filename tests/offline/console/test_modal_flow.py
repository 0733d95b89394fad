"""The console's modal support, driven by a tiny test-only modal flow registered on the real app."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import BOLT_KEY
from bot.offline.console import Console, console_settings_overrides
from bot.offline.local_stack import LocalStack, start_local_stack
from tests.offline.console.helpers import ScriptedIO


def _text(label: str) -> dict[str, str]:
    return {"type": "plain_text", "text": label}


def _option(label: str) -> dict[str, Any]:
    return {"text": _text(label), "value": label.lower()}


FORM = {
    "type": "modal",
    "callback_id": "test_form",
    "notify_on_close": True,  # so closing it sends view_closed, as in Slack
    "title": _text("Test form"),
    "submit": _text("Next"),
    "blocks": [
        {
            "type": "input",
            "block_id": "name",
            "label": _text("Name"),
            "element": {"type": "plain_text_input", "action_id": "v"},
        },
        {
            "type": "input",
            "block_id": "plan",
            "label": _text("Plan"),
            "element": {
                "type": "static_select",
                "action_id": "v",
                "options": [_option("Team"), _option("Business")],
                "initial_option": _option("Team"),
            },
        },
        {
            "type": "input",
            "block_id": "note",
            "optional": True,
            "label": _text("Note"),
            "element": {"type": "plain_text_input", "action_id": "v"},
        },
    ],
}


def _working() -> dict[str, Any]:
    return {
        "type": "modal",
        "title": _text("Test form"),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Working…"}}],
    }


def _confirm(summary: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "test_confirm",
        "title": _text("Confirm"),
        "submit": _text("Create"),
        "private_metadata": summary,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"Create *{summary}*?"}}],
    }


@pytest.fixture
def seen() -> dict[str, Any]:
    """What the test-only listeners below observed (submissions, whether the modal was closed)."""
    return {}


@pytest.fixture
async def stack(seen: dict[str, Any]) -> AsyncIterator[LocalStack]:
    running = await start_local_stack(
        settings_overrides=console_settings_overrides("sqlite+aiosqlite:///:memory:")
    )
    bolt = running.runner.app[BOLT_KEY]

    @bolt.command("/testmodal")
    async def open_form(ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=FORM)

    @bolt.view("test_form")
    async def submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
        values = view["state"]["values"]
        seen.setdefault("submissions", []).append(values)
        name = values["name"]["v"]["value"]
        if name == "bad":
            await ack(response_action="errors", errors={"name": "Name must not be bad"})
            return
        await ack(response_action="update", view=_working())
        await asyncio.sleep(0.5)  # slow work: the console must wait for the bot, not a fixed time
        plan = values["plan"]["v"]["selected_option"]["value"]
        await client.views_update(view_id=view["id"], view=_confirm(f"{name} on {plan}"))

    @bolt.view("test_confirm")
    async def confirmed(ack: Any, view: dict[str, Any], client: Any) -> None:
        await ack()
        await client.chat_postMessage(channel="C_GENERAL", text=f"Created {view['private_metadata']}")

    @bolt.view_closed("test_form")
    async def closed(ack: Any) -> None:
        await ack()
        seen["closed"] = True

    try:
        yield running
    finally:
        await running.close()


async def test_modal_prompts_revalidates_follows_updates_and_confirms(
    stack: LocalStack, seen: dict[str, Any]
) -> None:
    io = ScriptedIO(["/testmodal", "bad", "2", "", "good", "y", "quit"])
    assert await Console(stack, io).run() == 0
    out = io.text
    assert "+-- Test form " in out and "[1] Next  [2] Cancel" in out
    assert "  1) Team" in out and "  2) Business" in out
    assert "Plan [Team] (Enter keeps it): 2" in out
    assert out.count("Plan (choice)") == 1  # every field printed once: by its prompt, not by the frame too
    assert "Note (Enter skips): " in out
    assert "  ! Name must not be bad" in out
    # only the flagged field is asked again; the plan answer was kept
    assert out.count("Plan [") == 1
    assert "Name [bad] (Enter keeps it): good" in out
    assert "Working…" in out
    assert "Create good on business?" in out
    assert re.search(r"Press \[\d+\] Create\? \[y/N\] \(or `click \d+` for Cancel\) y", out)
    assert "[Partners Bot in #general]\nCreated good on business" in out
    submissions = seen["submissions"]
    assert submissions[-1]["plan"]["v"]["selected_option"]["value"] == "business"
    assert submissions[-1]["note"]["v"]["value"] is None
    assert stack.standin.state.open_views() == []


async def test_cancel_closes_the_modal(stack: LocalStack, seen: dict[str, Any]) -> None:
    io = ScriptedIO(["/testmodal", "cancel", "quit"])
    await Console(stack, io).run()
    assert "[modal closed: Test form]" in io.text
    assert stack.standin.state.open_views() == []
    await stack.standin.state.wait_for(lambda: seen.get("closed"), timeout=2)


async def test_end_of_input_in_a_form_ends_the_console(stack: LocalStack) -> None:
    io = ScriptedIO(["/testmodal", "someone"])
    assert await Console(stack, io).run() == 0
    assert stack.standin.state.open_views() == []
