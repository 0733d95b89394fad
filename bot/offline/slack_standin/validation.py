"""Block Kit validation as Slack does it, with slack-sdk's models: ``invalid_blocks`` and friends."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.offline.slack_standin.workspace import JsonDict, SlackApiFailure


def _block_problem(raw: Any) -> str | None:
    if not isinstance(raw, dict) or "type" not in raw:
        return "missing required field: type"
    try:
        block = Block.parse(raw)
    except Exception as exc:
        return str(exc)
    if block is None:
        return f"unsupported type: {raw.get('type')}"
    try:
        block.validate_json()
    except Exception as exc:
        return str(exc)
    return None


def validate_blocks(blocks: Any, limit: int, *, enabled: bool = True) -> None:
    """Raise ``invalid_blocks`` (with Slack's json-pointer messages) unless ``blocks`` is valid."""
    if blocks is None or not enabled:
        return
    if not isinstance(blocks, list):
        raise SlackApiFailure("invalid_blocks_format")
    messages = []
    if len(blocks) > limit:
        messages.append(f"must provide no more than {limit} items [json-pointer:/blocks]")
    for index, raw in enumerate(blocks):
        problem = _block_problem(raw)
        if problem:
            messages.append(f"{problem} [json-pointer:/blocks/{index}]")
    if messages:
        raise SlackApiFailure("invalid_blocks", response_metadata={"messages": messages})


def validate_view(view: Any, *, enabled: bool = True) -> JsonDict:
    """Return ``view`` if it is a valid modal or Home tab; raise ``invalid_arguments`` otherwise."""
    if not isinstance(view, dict) or view.get("type") not in {"modal", "home"}:
        raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["invalid view"]})
    if enabled:
        messages = []
        blocks = view.get("blocks") or []
        if len(blocks) > 100:
            messages.append("must provide no more than 100 items [json-pointer:/view/blocks]")
        try:
            View(**view).validate_json()
        except Exception as exc:
            messages.append(f"{exc} [json-pointer:/view]")
        for index, raw in enumerate(blocks):
            problem = _block_problem(raw)
            if problem:
                messages.append(f"{problem} [json-pointer:/view/blocks/{index}]")
        if messages:
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": messages})
    return view
