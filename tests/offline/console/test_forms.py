from __future__ import annotations

from typing import Any

import pytest

from bot.offline.console.forms import Cancelled, run_form, state_values
from tests.offline.console.helpers import ScriptedIO

VIEW = {
    "type": "modal",
    "blocks": [
        {
            "type": "input",
            "block_id": "seats",
            "label": {"type": "plain_text", "text": "Seats"},
            "element": {
                "type": "number_input",
                "action_id": "n",
                "is_decimal_allowed": False,
                "min_value": "1",
            },
        },
        {
            "type": "input",
            "block_id": "extras",
            "optional": True,
            "label": {"type": "plain_text", "text": "Extras"},
            "element": {
                "type": "checkboxes",
                "action_id": "c",
                "options": [
                    {"text": {"type": "plain_text", "text": "Chat"}, "value": "chat"},
                    {"text": {"type": "plain_text", "text": "Bot"}, "value": "bot"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "start",
            "label": {"type": "plain_text", "text": "Start"},
            "element": {"type": "datepicker", "action_id": "d", "initial_date": "2024-01-02"},
        },
    ],
}


async def test_form_validates_locally_keeps_defaults_and_reasks_flagged_fields() -> None:
    io = ScriptedIO(["0", "x", "3", "1, 2", "", "5"])
    submitted: list[dict[str, Any]] = []

    async def submit(values: dict[str, Any]) -> dict[str, Any]:
        submitted.append(values)
        if len(submitted) == 1:
            return {"response_action": "errors", "errors": {"seats": "Your plan allows 4 seats"}}
        return {}

    assert await run_form(VIEW, io, submit) == {}
    assert "  ! must be at least 1" in io.out and "  ! must be a whole number" in io.out
    assert submitted[0]["seats"]["n"] == {"type": "number_input", "value": "3"}
    assert [o["value"] for o in submitted[0]["extras"]["c"]["selected_options"]] == ["chat", "bot"]
    assert submitted[0]["start"]["d"] == {"type": "datepicker", "selected_date": "2024-01-02"}
    assert "  ! Your plan allows 4 seats" in io.out
    assert submitted[1]["seats"]["n"]["value"] == "5"
    assert submitted[1]["extras"] == submitted[0]["extras"]  # not asked again


async def test_cancel_and_end_of_input() -> None:
    async def submit(values: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("must not submit")

    with pytest.raises(Cancelled) as cancelled:
        await run_form(VIEW, ScriptedIO(["cancel"]), submit)
    assert not cancelled.value.eof
    with pytest.raises(Cancelled) as ended:
        await run_form(VIEW, ScriptedIO([]), submit)
    assert ended.value.eof


def test_state_values_uses_initial_values_when_unanswered() -> None:
    values = state_values(VIEW, {})
    assert values["start"]["d"]["selected_date"] == "2024-01-02"
    assert values["extras"]["c"]["selected_options"] == []


OPTIONAL_TEXT = {
    "type": "modal",
    "blocks": [
        {
            "type": "input",
            "block_id": "coupon",
            "optional": True,
            "label": {"type": "plain_text", "text": "Coupon"},
            "element": {"type": "plain_text_input", "action_id": "v", "initial_value": "SPRING10"},
        },
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "v", "initial_value": "Spring"},
        },
    ],
}


@pytest.mark.parametrize("word", ["-", "none", "NONE"])
async def test_an_optional_field_with_a_value_can_be_emptied(word: str) -> None:
    io = ScriptedIO([word, "-", ""])
    submitted: list[dict[str, Any]] = []

    async def submit(values: dict[str, Any]) -> dict[str, Any]:
        submitted.append(values)
        return {}

    await run_form(OPTIONAL_TEXT, io, submit)
    assert f"Coupon [SPRING10] (Enter keeps it, - clears it): {word}" in io.out
    assert submitted[0]["coupon"]["v"]["value"] is None
    # A required field cannot be emptied; Enter keeps its value.
    assert "  ! required: this field cannot be empty (or type `cancel` to close the modal)" in io.out
    assert submitted[0]["name"]["v"]["value"] == "Spring"


async def test_a_cleared_field_stays_empty_when_the_form_is_asked_again() -> None:
    answers: dict[str, Any] = {}
    io = ScriptedIO(["-", "bad", "ok"])
    calls: list[dict[str, Any]] = []

    async def submit(values: dict[str, Any]) -> dict[str, Any]:
        calls.append(values)
        if len(calls) == 1:
            return {"response_action": "errors", "errors": {"name": "Not bad"}}
        return {}

    await run_form(OPTIONAL_TEXT, io, submit, answers=answers)
    assert calls[1]["coupon"]["v"]["value"] is None  # not back to SPRING10
    assert answers == {"coupon": None, "name": "ok"}
    # Shown again later (e.g. after Back), the answers given are the values Enter keeps.
    again = ScriptedIO(["", ""])
    await run_form(OPTIONAL_TEXT, again, submit, answers=answers)
    assert "Coupon (Enter skips): " in again.out and "Name [ok] (Enter keeps it): " in again.out


@pytest.mark.parametrize("word", ["quit", "exit"])
async def test_quit_at_a_form_prompt_ends_the_console_rather_than_answering(word: str) -> None:
    async def submit(values: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("must not submit")

    with pytest.raises(Cancelled) as quitting:
        await run_form(OPTIONAL_TEXT, ScriptedIO([word]), submit)
    assert quitting.value.eof
