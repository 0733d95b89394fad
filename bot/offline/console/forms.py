"""A modal as a series of terminal prompts: one question per input block, then a submission.

`run_form` asks for every input of a view, builds `view.state.values` the way Slack does, hands
them to `submit` and, while the app answers `response_action: "errors"`, shows each error next
to its field and asks only those fields again (the other answers are kept).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from bot.offline.console.render import INPUT_NAMES, text_of
from bot.offline.slack_standin import element_value, input_elements

JsonDict = dict[str, Any]
CANCEL_WORDS = ("cancel",)
QUIT_WORDS = ("quit", "exit")
CLEAR_WORDS = ("-", "none")
_UNSET: Any = object()  # "not answered yet", unlike None ("answered: empty")
_OPTION_KINDS = ("static_select", "radio_buttons", "external_select")
_MULTI_OPTION_KINDS = ("multi_static_select", "checkboxes", "multi_external_select")
_USER_KINDS = ("users_select", "multi_users_select")
_CHANNEL_KINDS = (
    "conversations_select",
    "multi_conversations_select",
    "channels_select",
    "multi_channels_select",
)


class Prompter(Protocol):
    """Where questions go and answers come from (the console's terminal, or a test double)."""

    async def ask(self, prompt: str) -> str | None:  # None at end of input
        ...

    def say(self, text: str) -> None: ...


class Cancelled(Exception):
    """The user typed `cancel` (or `quit`, or input ended) while a modal was asking questions.

    `eof` means the console should end too (end of input or `quit`).
    """

    def __init__(self, eof: bool = False) -> None:
        super().__init__("end of input" if eof else "cancelled")
        self.eof = eof


@dataclass(frozen=True)
class Field:
    block_id: str
    action_id: str
    element: JsonDict
    label: str
    optional: bool
    hint: str

    @property
    def kind(self) -> str:
        return str(self.element.get("type", "plain_text_input"))


def view_fields(view: Mapping[str, Any]) -> list[Field]:
    """The input blocks of a view, in order."""
    fields = []
    for index, block in enumerate(view.get("blocks") or []):
        if block.get("type") != "input" or not isinstance(block.get("element"), dict):
            continue
        block_id = block.get("block_id") or f"block_{index}"
        element = block["element"]
        fields.append(
            Field(
                block_id=block_id,
                action_id=element.get("action_id") or f"{block_id}_element",
                element=element,
                label=text_of(block.get("label")) or block_id,
                optional=bool(block.get("optional")),
                hint=text_of(block.get("hint")),
            )
        )
    return fields


# --------------------------------------------------------------------- choices and defaults


def _options(element: Mapping[str, Any]) -> list[JsonDict]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def choices(field: Field, users: Mapping[str, str], channels: Mapping[str, str]) -> list[tuple[str, Any]]:
    """Numbered choices as `(label, value)`: options, or the workspace's users/channels."""
    if field.kind in _OPTION_KINDS + _MULTI_OPTION_KINDS:
        return [(text_of(o.get("text")), o) for o in _options(field.element)]
    if field.kind in _USER_KINDS:
        return [(f"@{name} ({uid})", uid) for uid, name in users.items()]
    if field.kind in _CHANNEL_KINDS:
        return [(f"#{name} ({cid})", cid) for cid, name in channels.items()]
    return []


def default_of(field: Field) -> Any:
    """The element's initial value in the form `entry()` takes, or None."""
    e = field.element
    for key in (
        "initial_value",
        "initial_option",
        "initial_options",
        "initial_date",
        "initial_time",
        "initial_date_time",
        "initial_user",
        "initial_users",
        "initial_conversation",
        "initial_conversations",
        "initial_channel",
        "initial_channels",
    ):
        if e.get(key) not in (None, "", []):
            return None if field.kind == "rich_text_input" else e[key]
    return None


def show_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return text_of(value.get("text")) or str(value.get("value", ""))
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value)
    return str(value)


# --------------------------------------------------------------------- parsing one answer


def _pick(raw: str, options: Sequence[tuple[str, Any]]) -> Any:
    raw = raw.strip()
    if raw.isdigit() and 1 <= int(raw) <= len(options):
        return options[int(raw) - 1][1]
    lowered = raw.lower().lstrip("@#")
    for label, value in options:
        plain = value.get("value") if isinstance(value, Mapping) else value
        if lowered in (label.lower(), str(plain).lower()) or label.lower().lstrip("@#").startswith(
            lowered + " "
        ):
            return value
    raise ValueError(f"pick one of 1-{len(options)} (or type the option)")


def parse_answer(field: Field, raw: str, users: Mapping[str, str], channels: Mapping[str, str]) -> Any:
    """Turn what was typed into the value `entry()` takes; ValueError says what is wrong."""
    kind, e = field.kind, field.element
    options = choices(field, users, channels)
    if kind in _OPTION_KINDS or kind in ("users_select", "conversations_select", "channels_select"):
        if not options:
            return (
                {"text": {"type": "plain_text", "text": raw}, "value": raw}
                if kind == "external_select"
                else raw
            )
        return _pick(raw, options)
    if kind in _MULTI_OPTION_KINDS or kind in _USER_KINDS + _CHANNEL_KINDS:
        parts = [p for p in re.split(r"[,\s]+", raw) if p]
        picked = [_pick(p, options) if options else p for p in parts]
        limit = e.get("max_selected_items")
        if limit and len(picked) > int(limit):
            raise ValueError(f"pick at most {limit}")
        return picked
    if kind == "number_input":
        try:
            number = float(raw) if e.get("is_decimal_allowed") else int(raw)
        except ValueError:
            raise ValueError(
                "must be a number" if e.get("is_decimal_allowed") else "must be a whole number"
            ) from None
        if e.get("min_value") is not None and number < float(e["min_value"]):
            raise ValueError(f"must be at least {e['min_value']}")
        if e.get("max_value") is not None and number > float(e["max_value"]):
            raise ValueError(f"must be at most {e['max_value']}")
        return raw
    if kind == "datepicker":
        return (date.today() if raw.lower() == "today" else date.fromisoformat(raw)).isoformat()
    if kind == "timepicker":
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", raw):
            raise ValueError("use HH:MM, e.g. 09:30")
        return raw
    if kind == "datetimepicker":
        return int(datetime.fromisoformat(raw).timestamp())
    if kind == "email_text_input" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", raw):
        raise ValueError("must be an email address")
    if kind == "url_text_input" and not re.match(r"https?://\S+", raw):
        raise ValueError("must be a URL starting with http:// or https://")
    text = raw.replace("\\n", "\n") if e.get("multiline") else raw
    if e.get("min_length") and len(text) < int(e["min_length"]):
        raise ValueError(f"must be at least {e['min_length']} characters")
    if e.get("max_length") and len(text) > int(e["max_length"]):
        raise ValueError(f"must be at most {e['max_length']} characters")
    return text


def entry(element: Mapping[str, Any], value: Any) -> JsonDict:
    """The `state.values[block_id][action_id]` entry Slack sends for `element` holding `value`."""
    kind = element.get("type", "plain_text_input")
    many = [] if value is None else value if isinstance(value, list) else [value]
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": many}
    if kind == "multi_conversations_select":
        return {"type": kind, "selected_conversations": many}
    if kind == "multi_channels_select":
        return {"type": kind, "selected_channels": many}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": value}
    if kind == "rich_text_input":
        section = {
            "type": "rich_text_section",
            "elements": [{"type": "text", "text": value}] if value else [],
        }
        return {"type": kind, "rich_text_value": {"type": "rich_text", "elements": [section]}}
    if kind == "external_select":
        return {"type": kind, "selected_option": value}
    if kind == "multi_external_select":
        return {"type": kind, "selected_options": many}
    return element_value(element, value)


def state_values(view: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, dict[str, JsonDict]]:
    """`view.state.values`: answers (keyed by block_id) for inputs, initial values for the rest."""
    values: dict[str, dict[str, JsonDict]] = {}
    fields = {f.block_id: f for f in view_fields(view)}
    for block_id, action_id, element in input_elements(view):
        field = fields.get(block_id)
        value = answers[block_id] if block_id in answers else default_of(field) if field else None
        if field is None:
            field = Field(block_id, action_id, element, block_id, True, "")
            value = default_of(field)
        values.setdefault(block_id, {})[action_id] = entry(element, value)
    return values


# --------------------------------------------------------------------- asking


async def ask_field(
    field: Field,
    io: Prompter,
    *,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
    error: str | None = None,
    previous: Any = _UNSET,
) -> Any:
    """Ask for one input until the answer is acceptable.

    Enter keeps the current value (`previous` if answered before, else the element's initial value)
    or skips an optional field; `-` or `none` empties an optional field; `quit` ends the console.
    """
    users, channels = users or {}, channels or {}
    kind = INPUT_NAMES.get(field.kind, field.kind)
    head = f"{field.label} ({kind}{', optional' if field.optional else ''})"
    io.say(head + (f" - {field.hint}" if field.hint else ""))
    if error:
        io.say(f"  ! {error}")
    options = choices(field, users, channels)
    for number, (label, _) in enumerate(options, 1):
        io.say(f"  {number}) {label}")
    multi = field.kind in _MULTI_OPTION_KINDS or field.kind.startswith("multi_")
    if multi and options:
        io.say("  (several: separate numbers with commas)")
    keep = previous if previous is not _UNSET else default_of(field)
    has_value = keep not in (None, "", [])
    shown = f" [{show_value(keep)}]" if has_value else ""
    if field.optional:
        how = " (Enter keeps it, - clears it)" if has_value else " (Enter skips)"
    else:
        how = " (Enter keeps it)" if has_value else ""
    while True:
        raw = await io.ask(f"{field.label}{shown}{how}: ")
        if raw is None:
            raise Cancelled(eof=True)
        raw = raw.strip()
        if raw.lower() in CANCEL_WORDS:
            raise Cancelled()
        if raw.lower() in QUIT_WORDS:
            raise Cancelled(eof=True)
        if raw.lower() in CLEAR_WORDS and field.optional:
            return None
        if raw.lower() in CLEAR_WORDS:
            io.say("  ! required: this field cannot be empty (or type `cancel` to close the modal)")
            continue
        if not raw:
            if keep not in (None, "", []):
                return keep
            if field.optional:
                return None
            io.say("  ! required (or type `cancel` to close the modal)")
            continue
        try:
            return parse_answer(field, raw, users, channels)
        except ValueError as exc:
            io.say(f"  ! {exc}")


Submit = Callable[[dict[str, dict[str, JsonDict]]], Awaitable[Any]]


def errors_of(ack: Any) -> dict[str, str]:
    if isinstance(ack, Mapping) and ack.get("response_action") == "errors":
        return {str(k): str(v) for k, v in (ack.get("errors") or {}).items()}
    return {}


async def run_form(
    view: Mapping[str, Any],
    io: Prompter,
    submit: Submit,
    *,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
    answers: dict[str, Any] | None = None,
) -> Any:
    """Ask every input of `view`, submit, re-ask the fields the app flagged; return the final ack body.

    `answers` (keyed by block_id) holds what was typed before, e.g. when Back shows the form again:
    those become the values Enter keeps. It is updated in place. Raises `Cancelled` when the user
    types `cancel` or `quit`, or input ends.
    """
    fields = view_fields(view)
    answers = {} if answers is None else answers
    todo: dict[str, str | None] = {f.block_id: None for f in fields}
    while True:
        for field in fields:
            if field.block_id in todo:
                answers[field.block_id] = await ask_field(
                    field,
                    io,
                    users=users,
                    channels=channels,
                    error=todo[field.block_id],
                    previous=answers.get(field.block_id, _UNSET),
                )
        ack = await submit(state_values(view, answers))
        errors = errors_of(ack)
        if not errors:
            return ack
        known = {f.block_id for f in fields}
        io.say(f"The app refused the form ({len(errors)} error{'s' if len(errors) > 1 else ''}):")
        for block_id, message in errors.items():
            if block_id not in known:
                io.say(f"  ! {block_id}: {message}")
        todo = {b: m for b, m in errors.items() if b in known} or {f.block_id: None for f in fields}
