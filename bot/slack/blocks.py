"""Block Kit building blocks that enforce Slack's limits, so no builder has to remember them.

Every message and modal the bot sends is made of these helpers (handlers/*_blocks.py,
handlers/*_views.py, bot/digest/blocks.py). Text that would exceed a limit is cut and ends with "…",
lists are cut to their maximum length, and ids are cut to 255 characters, so Slack never refuses a
payload because a campaign name, a coupon label or a list of licenses was longer than expected.
The limits are Slack's (see /work/shared/slack-notes.md, "Block Kit limits").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

Json = dict[str, Any]

ELLIPSIS = "…"
MAX_TEXT = 3000  # a section's or context element's text, a modal's private_metadata
MAX_FIELDS = 10  # fields of one section
MAX_FIELD_TEXT = 2000
MAX_OPTIONS = 100  # options of a static_select
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255  # action_id, block_id, callback_id
MAX_HEADER = 150
MAX_CONFIRM_TITLE = 100  # a confirmation dialog's title; its text is 300, its buttons 30
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30
MAX_PLACEHOLDER = 150
MAX_LABEL = 2000  # input labels and hints
MAX_MODAL_TEXT = 24  # a modal's title, submit and close
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100  # modals (and the Home tab)


def truncate(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else its start ending with "…" (exactly `limit` long)."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)] + ELLIPSIS


def an_id(value: str) -> str:
    """An action, block or callback id within Slack's 255 characters (ids are cut, never ellipsized)."""
    return value[:MAX_ID]


def plain(text: str, limit: int = MAX_TEXT) -> Json:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = MAX_TEXT) -> Json:
    return {"type": "mrkdwn", "text": truncate(text, limit)}


def field(text: str) -> Json:
    """One of a section's fields (mrkdwn, at most 2,000 characters)."""
    return mrkdwn(text, MAX_FIELD_TEXT)


def _with_block_id(block: Json, block_id: str | None) -> Json:
    if block_id is not None:
        block["block_id"] = an_id(block_id)
    return block


def section(
    text: str | None = None,
    *,
    fields: Sequence[Json] | None = None,
    block_id: str | None = None,
    accessory: Json | None = None,
) -> Json:
    """A section with mrkdwn `text` and/or `fields` (the first 10; each should come from `field`)."""
    block: Json = {"type": "section"}
    if text is not None:
        block["text"] = mrkdwn(text)
    if fields:
        block["fields"] = [
            {**f, "text": truncate(f["text"], MAX_FIELD_TEXT)} for f in list(fields)[:MAX_FIELDS]
        ]
    if accessory is not None:
        block["accessory"] = accessory
    return _with_block_id(block, block_id)


def context(*texts: str, block_id: str | None = None) -> Json:
    """A context block of mrkdwn texts (at most 10 elements)."""
    elements = [mrkdwn(text) for text in texts[:MAX_CONTEXT_ELEMENTS]]
    return _with_block_id({"type": "context", "elements": elements}, block_id)


def header(text: str) -> Json:
    return {"type": "header", "text": plain(text, MAX_HEADER)}


def divider() -> Json:
    return {"type": "divider"}


def actions(elements: Sequence[Json], *, block_id: str | None = None) -> Json:
    return _with_block_id({"type": "actions", "elements": list(elements)[:MAX_ACTIONS_ELEMENTS]}, block_id)


def button(text: str, *, action_id: str, value: str, **extra: Any) -> Json:
    """A button; `extra` carries `style`, `confirm` and the like.

    A value over 2,000 characters is cut so Slack still accepts the message; the listener then finds
    it unreadable and says the button is out of date, so builders keep their values well under it.
    """
    return {
        "type": "button",
        "action_id": an_id(action_id),
        "text": plain(text, MAX_BUTTON_TEXT),
        "value": value[:MAX_BUTTON_VALUE],
        **extra,
    }


def confirm_dialog(title: str, text: str, *, confirm: str, deny: str, style: str | None = None) -> Json:
    """The "Are you sure?" dialog Slack shows before a button's action is sent."""
    dialog: Json = {
        "title": plain(title, MAX_CONFIRM_TITLE),
        "text": mrkdwn(text, MAX_CONFIRM_TEXT),
        "confirm": plain(confirm, MAX_CONFIRM_BUTTON),
        "deny": plain(deny, MAX_CONFIRM_BUTTON),
    }
    if style is not None:
        dialog["style"] = style
    return dialog


def option(text: str, value: str) -> Json:
    """A select or radio option: text within 75 characters, value within 150 (cut, never ellipsized)."""
    return {"text": plain(text, MAX_OPTION_TEXT), "value": value[:MAX_OPTION_VALUE]}


def options(items: Iterable[Json]) -> list[Json]:
    """The first 100 options (Slack's static_select limit; use external_select beyond that)."""
    return list(items)[:MAX_OPTIONS]


def input_block(
    label: str, element: Json, *, block_id: str, optional: bool = False, hint: str | None = None
) -> Json:
    block: Json = {"type": "input", "block_id": an_id(block_id), "label": plain(label, MAX_LABEL)}
    if optional:
        block["optional"] = True
    if hint is not None:
        block["hint"] = plain(hint, MAX_LABEL)
    block["element"] = element
    return block


def placeholder(text: str) -> Json:
    return plain(text, MAX_PLACEHOLDER)


def limit_blocks(blocks: Sequence[Json], limit: int) -> list[Json]:
    """At most `limit` blocks; when some are cut, the last kept one says how many were left out."""
    if len(blocks) <= limit:
        return list(blocks)
    left_out = len(blocks) - (limit - 1)
    return [*blocks[: limit - 1], context(f"{ELLIPSIS} {left_out} more not shown")]


def message(text: str, blocks: Sequence[Json], **extra: Any) -> Json:
    """A message: a plain-text fallback (notifications, screen readers) and at most 50 blocks.

    The fallback is cut at 3,000 characters: Slack allows more, but no notification needs it.
    """
    return {"text": truncate(text, MAX_TEXT), "blocks": limit_blocks(blocks, MAX_MESSAGE_BLOCKS), **extra}


def notice_message(text: str) -> Json:
    """A one-section message whose fallback is the same text: every short answer the bot gives."""
    return message(text, [section(text)])


def modal(
    title: str,
    blocks: Sequence[Json],
    *,
    callback_id: str | None = None,
    submit: str | None = None,
    close: str | None = None,
    **extra: Any,
) -> Json:
    """A modal view: title, submit and close within 24 characters, at most 100 blocks.

    `extra` carries `private_metadata`, `clear_on_close` and the like; metadata is never cut (cut JSON
    would not parse), so builders keep it under 3,000 characters themselves.
    """
    view: Json = {"type": "modal"}
    if callback_id is not None:
        view["callback_id"] = an_id(callback_id)
    view["title"] = plain(title, MAX_MODAL_TEXT)
    if submit is not None:
        view["submit"] = plain(submit, MAX_MODAL_TEXT)
    if close is not None:
        view["close"] = plain(close, MAX_MODAL_TEXT)
    view["blocks"] = limit_blocks(blocks, MAX_VIEW_BLOCKS)
    view.update(extra)
    return view
