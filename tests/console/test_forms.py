from __future__ import annotations

from typing import Any

import pytest

from bot.console.forms import Cancelled, run_form, state_values
from tests.console.helpers import ScriptedIO

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
