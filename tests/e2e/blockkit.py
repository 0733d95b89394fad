"""Block Kit validation through slack-sdk's models, for assertions in tests."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View


def assert_valid_blocks(blocks: list[dict[str, Any]], limit: int = 50) -> None:
    assert 0 < len(blocks) <= limit
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()


def assert_valid_message(message: dict[str, Any]) -> None:
    assert message.get("text"), "every message needs a plain-text fallback"
    assert_valid_blocks(message["blocks"])


def assert_valid_view(view: dict[str, Any]) -> None:
    View(**view).validate_json()
    assert_valid_blocks(view["blocks"], limit=100)
