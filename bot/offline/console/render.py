"""Block Kit → readable terminal text (pure functions, no I/O).

Interactive elements become numbered controls (`[1] Share in channel`, always indented two spaces;
a modal's Submit and Close buttons too); the caller decides the first number (`start`) and keeps the
returned `Control`s so `click N` can press them. mrkdwn styles become ANSI with `ansi=True`, else
their markers are dropped; emoji codes become Unicode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.offline.console.mrkdwn import render_mrkdwn

RULE = "-" * 48
CLICKABLE = ("button", "overflow", "static_select", "radio_buttons", "checkboxes")
CONTROL_INDENT = "  "
# Pseudo element kinds for a modal's own buttons: `click N` submits or closes the modal.
VIEW_SUBMIT, VIEW_CLOSE = "view_submit", "view_close"
INPUT_NAMES = {
    "plain_text_input": "text",
    "number_input": "number",
    "email_text_input": "email",
    "url_text_input": "URL",
    "static_select": "choice",
    "external_select": "choice",
    "multi_static_select": "choices",
    "multi_external_select": "choices",
    "radio_buttons": "choice",
    "checkboxes": "choices",
    "datepicker": "date",
    "timepicker": "time",
    "datetimepicker": "date and time",
    "users_select": "user",
    "multi_users_select": "users",
    "conversations_select": "conversation",
    "multi_conversations_select": "conversations",
    "channels_select": "channel",
    "multi_channels_select": "channels",
    "rich_text_input": "text",
    "file_input": "file",
}


@dataclass(frozen=True)
class Control:
    """One pressable thing: a button, or one option of an overflow/select/radio/checkbox element."""

    number: int
    label: str
    kind: str  # the element type
    action_id: str
    block_id: str | None
    element: dict[str, Any] = field(repr=False, compare=False)
    value: str | None = None
    option: dict[str, Any] | None = None  # for overflow/select/radio/checkbox options

    def action(self) -> dict[str, Any]:
        """The `actions[0]` entry Slack sends when this control is used."""
        action: dict[str, Any] = {"type": self.kind, "action_id": self.action_id, "block_id": self.block_id}
        if self.kind == "button":
            action["text"] = self.element.get("text") or {"type": "plain_text", "text": self.label}
            if self.value is not None:
                action["value"] = self.value
            if self.element.get("style"):
                action["style"] = self.element["style"]
        elif self.kind == "checkboxes":
            action["selected_options"] = [self.option] if self.option else []
        else:
            action["selected_option"] = self.option
        return action


@dataclass
class Rendered:
    text: str
    controls: list[Control] = field(default_factory=list)


class _Out:
    """Accumulates lines and numbers controls."""

    def __init__(
        self,
        start: int,
        users: Mapping[str, str],
        channels: Mapping[str, str],
        *,
        ansi: bool = False,
        inputs: bool = True,
    ) -> None:
        self.lines: list[str] = []
        self.controls: list[Control] = []
        self.next = start
        self.users = users
        self.channels = channels
        self.ansi = ansi
        self.inputs = inputs  # False when the form prompts list the inputs instead

    def md(self, text: str) -> str:
        return render_mrkdwn(text, self.users, self.channels, ansi=self.ansi)

    def add(self, text: str, indent: str = "") -> None:
        for line in text.split("\n"):
            self.lines.append(f"{indent}{line}".rstrip())

    def control(
        self, label: str, kind: str, element: Mapping[str, Any], block_id: str | None, **extra: Any
    ) -> str:
        number = self.next
        self.next += 1
        action_id = element.get("action_id") or f"{block_id}_action"
        self.controls.append(Control(number, label, kind, action_id, block_id, dict(element), **extra))
        return f"[{number}] {label}"


def text_of(obj: Any, out: _Out | None = None) -> str:
    """The visible text of a text object (plain_text or mrkdwn) or a plain string."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return out.md(text) if out else render_mrkdwn(text)
    return text


def _field_line(text: str) -> str:
    """`*Label*\\nvalue` → `Label: value`; several value lines are joined with `; `."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 2:
        return lines[0] if lines else ""
    label = lines[0]
    return f"{label.rstrip(':')}: {'; '.join(lines[1:])}"


def _element(out: _Out, element: Mapping[str, Any], block_id: str | None, indent: str) -> None:
    kind = element.get("type", "")
    if kind == "button":
        label = text_of(element.get("text"), out) or element.get("action_id", "button")
        line = out.control(label, "button", element, block_id, value=element.get("value"))
        if element.get("style") == "danger":
            line += " (danger)"
        if element.get("url"):
            line += f" -> {element['url']}"
        out.add(line, CONTROL_INDENT)
    elif kind in ("overflow", "static_select", "radio_buttons", "checkboxes"):
        name = text_of(element.get("placeholder"), out) or {"overflow": "More"}.get(kind, "Choose")
        options = list(element.get("options") or [])
        for group in element.get("option_groups") or []:
            options.extend(group.get("options") or [])
        out.add(f"{name}:", CONTROL_INDENT)
        for option in options:
            label = text_of(option.get("text"), out)
            line = out.control(label, kind, element, block_id, option=dict(option))
            if option.get("description"):
                line += f" - {text_of(option['description'], out)}"
            out.add(line, CONTROL_INDENT * 2)
    elif kind == "image":
        out.add(f"[image: {element.get('alt_text', '')}]", indent)
    elif kind in ("plain_text", "mrkdwn"):
        out.add(text_of(element, out), indent)
    else:
        name = text_of(element.get("placeholder"), out)
        out.add(f"[{INPUT_NAMES.get(kind, kind)}{': ' + name if name else ''}]", indent)


def _rich_text(out: _Out, block: Mapping[str, Any]) -> None:
    def inline(elements: Sequence[Mapping[str, Any]]) -> str:
        parts = []
        for e in elements:
            kind = e.get("type")
            if kind == "text":
                text = e.get("text", "")
                style = e.get("style") or {}
                bold = style.get("bold") and text.strip() and out.ansi
                parts.append(f"\x1b[1m{text}\x1b[0m" if bold else text)
            elif kind == "link":
                text = e.get("text")
                parts.append(f"{text} ({e.get('url')})" if text else str(e.get("url", "")))
            elif kind == "user":
                parts.append("@" + out.users.get(e.get("user_id", ""), e.get("user_id", "")))
            elif kind == "channel":
                parts.append("#" + out.channels.get(e.get("channel_id", ""), e.get("channel_id", "")))
            elif kind == "emoji":
                parts.append(out.md(f":{e.get('name')}:"))
            elif kind == "date":
                parts.append(e.get("fallback") or str(e.get("timestamp", "")))
            else:
                parts.append(str(e.get("text", e.get("name", ""))))
        return "".join(parts)

    for part in block.get("elements") or []:
        kind = part.get("type")
        if kind == "rich_text_list":
            ordered = part.get("style") == "ordered"
            for n, item in enumerate(part.get("elements") or [], 1):
                bullet = f"{n}." if ordered else "•"
                out.add(f"{'  ' * int(part.get('indent', 0))}{bullet} {inline(item.get('elements') or [])}")
        elif kind == "rich_text_preformatted":
            out.add(inline(part.get("elements") or []), "    ")
        elif kind == "rich_text_quote":
            out.add(inline(part.get("elements") or []), "> ")
        else:
            out.add(inline(part.get("elements") or []))


def _input(out: _Out, block: Mapping[str, Any]) -> None:
    if not out.inputs:
        return
    element = block.get("element") or {}
    label = text_of(block.get("label"), out) or block.get("block_id", "input")
    kind = INPUT_NAMES.get(element.get("type", ""), element.get("type", "input"))
    optional = ", optional" if block.get("optional") else ""
    out.add(f"* {label} ({kind}{optional})")
    if block.get("hint"):
        out.add(text_of(block["hint"], out), "    ")


def _block(out: _Out, block: Mapping[str, Any], index: int) -> None:
    kind = block.get("type")
    block_id = block.get("block_id")
    if kind == "header":
        title = text_of(block.get("text"), out).upper()
        out.add(title)
        out.add("=" * len(title))
    elif kind == "section":
        if block.get("text"):
            out.add(text_of(block["text"], out))
        for item in block.get("fields") or []:
            out.add(_field_line(text_of(item, out)), "  ")
        if block.get("accessory"):
            _element(out, block["accessory"], block_id, "  ")
    elif kind == "divider":
        out.add(RULE)
    elif kind == "context":
        parts = []
        for element in block.get("elements") or []:
            parts.append(
                f"[{element.get('alt_text', 'image')}]"
                if element.get("type") == "image"
                else text_of(element, out)
            )
        out.add(" ".join(p for p in parts if p), "  ")
    elif kind == "actions":
        for element in block.get("elements") or []:
            _element(out, element, block_id, "")
    elif kind == "image":
        title = text_of(block.get("title"), out)
        out.add(f"[image: {title or block.get('alt_text', '')}]")
    elif kind == "rich_text":
        _rich_text(out, block)
    elif kind == "input":
        _input(out, block)
    elif kind == "markdown":
        out.add(out.md(str(block.get("text", ""))))
    elif kind == "video":
        out.add(f"[video: {text_of(block.get('title'), out)}]")
    else:
        out.add(f"[{kind} block]")


def render_blocks(
    blocks: Sequence[Mapping[str, Any]],
    *,
    start: int = 1,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
    ansi: bool = False,
    inputs: bool = True,
) -> Rendered:
    """Render Block Kit blocks; controls are numbered from `start`.

    `users`/`channels` map ids to names for `<@U…>`/`<#C…>` mentions. `inputs=False` leaves input
    blocks out (the form prompts show them).
    """
    out = _Out(start, users or {}, channels or {}, ansi=ansi, inputs=inputs)
    for index, block in enumerate(blocks):
        _block(out, block, index)
    return Rendered("\n".join(out.lines), out.controls)


def render_message(
    message: Mapping[str, Any],
    *,
    start: int = 1,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
    ansi: bool = False,
) -> Rendered:
    """A message (or a response_url/ack payload): its blocks, else its text; plus legacy attachments."""
    users, channels = users or {}, channels or {}
    blocks = message.get("blocks") or []
    if blocks:
        rendered = render_blocks(blocks, start=start, users=users, channels=channels, ansi=ansi)
    else:
        rendered = Rendered(render_mrkdwn(str(message.get("text") or ""), users, channels, ansi=ansi))
    lines = [rendered.text] if rendered.text else []
    for attachment in message.get("attachments") or []:
        inner = render_message(
            {"text": attachment.get("pretext", "") + "\n" + attachment.get("text", "")}
            if not attachment.get("blocks")
            else attachment,
            start=start + len(rendered.controls),
            users=users,
            channels=channels,
            ansi=ansi,
        )
        rendered.controls.extend(inner.controls)
        body = [f"| {line}" for line in inner.text.strip("\n").split("\n") if line.strip()]
        for item in attachment.get("fields") or []:
            value = render_mrkdwn(str(item.get("value", "")), users, channels, ansi=ansi)
            body.append(f"| {item.get('title', '')}: {value}")
        lines.extend(body)
    rendered.text = "\n".join(lines)
    return rendered


def render_view(
    view: Mapping[str, Any],
    *,
    start: int = 1,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
    ansi: bool = False,
    inputs: bool = True,
) -> Rendered:
    """A modal (or Home tab) framed by its title, with numbered Submit and Close buttons at the foot."""
    title = text_of(view.get("title")) or ("Home" if view.get("type") == "home" else "Modal")
    head = f"+-- {title} " + "-" * max(4, 44 - len(title))
    rendered = render_blocks(
        view.get("blocks") or [], start=start, users=users, channels=channels, ansi=ansi, inputs=inputs
    )
    number = start + len(rendered.controls)
    buttons = []
    for kind, label in (
        (VIEW_SUBMIT, text_of(view.get("submit")) if view.get("submit") else None),
        (VIEW_CLOSE, (text_of(view.get("close")) or "Cancel") if view.get("type") != "home" else None),
    ):
        if label:
            rendered.controls.append(Control(number, label, kind, kind, None, {}))
            buttons.append(f"[{number}] {label}")
            number += 1
    body = [f"| {line}".rstrip() for line in rendered.text.split("\n")] if rendered.text else []
    shown = "  ".join(buttons)
    # A Home tab has no Submit or Close: its frame closes with a plain rule, not an empty button bar.
    foot = f"+-- {shown} " + "-" * max(4, 44 - len(shown)) if shown else "+" + "-" * 47
    rendered.text = "\n".join([head, *body, foot])
    return rendered


def has_inputs(view: Mapping[str, Any]) -> bool:
    return any(b.get("type") == "input" for b in view.get("blocks") or [])
