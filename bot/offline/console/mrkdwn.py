"""Slack mrkdwn → terminal text (pure functions): tokens resolved, styles as ANSI or plain, emoji as Unicode."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

_ANGLE = re.compile(r"<([^<>\s][^<>]*)>")
# Slack's rule: a marker opens after a non-word character and closes before one, around non-blank text.
_STYLES = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), "1"),  # *bold*
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"), "3"),  # _italic_
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"), "9"),  # ~strike~
)
_CODE = re.compile(r"(`[^`\n]+`)")
_EMOJI = re.compile(r":([a-z0-9][a-z0-9_+\-]*):")
# The emoji the bot's own messages use (tests/offline/console/test_emoji.py finds them in the code),
# and a few common ones; any other code stays as typed.
EMOJI = {
    "tada": "🎉",
    "warning": "⚠️",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "alarm_clock": "⏰",
    "grey_question": "❔",
    "x": "❌",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "no_entry": "⛔",
    "no_entry_sign": "🚫",
    "mega": "📣",
    "information_source": "ℹ️",
    "chart_with_upwards_trend": "📈",
    "chart_with_downwards_trend": "📉",
    "moneybag": "💰",
    "money_with_wings": "💸",
    "calendar": "📆",
    "clock9": "🕘",
    "bell": "🔔",
    "lock": "🔒",
    "key": "🔑",
    "credit_card": "💳",
    "rocket": "🚀",
    "wave": "👋",
    "thumbsup": "👍",
    "+1": "👍",
    "eyes": "👀",
    "link": "🔗",
    "sparkles": "✨",
    "fire": "🔥",
    "bulb": "💡",
    "email": "📧",
    "robot_face": "🤖",
}


def _special(body: str, users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    target, _, label = body.partition("|")
    if target.startswith("@"):
        user_id = target[1:]
        return "@" + (users.get(user_id) or label.lstrip("@") or user_id)
    if target.startswith("#"):
        channel_id = target[1:]
        return "#" + (channels.get(channel_id) or label.lstrip("#") or channel_id)
    if target.startswith("!"):
        command = target[1:]
        if command.startswith("date^"):
            return label or command.split("^")[1]
        if command.startswith("subteam^"):
            return label or "@" + command.split("^")[1]
        if command in ("here", "channel", "everyone"):
            return "@" + command
        return label or command
    if label:
        if html.unescape(label) == html.unescape(target) or target.endswith(
            ":" + label
        ):  # e.g. <mailto:a@b.c|a@b.c>
            return label
        return f"{label} ({target})"
    return target.removeprefix("mailto:")


def tidy_mrkdwn(
    text: str,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
) -> str:
    """Resolve Slack's `<…>` tokens and HTML entities; `*bold*`, `_italic_`, `` `code` `` stay as typed.

    `<url|text>` → `text (url)`, `<@U1>` → `@name`, `<#C1>` → `#name`,
    `<!date^ts^format|fallback>` → `fallback`, `<!here>` → `@here`.
    """
    users = users or {}
    channels = channels or {}
    resolved = _ANGLE.sub(lambda m: _special(m.group(1), users, channels), text)
    return html.unescape(resolved)


def _emoji(match: re.Match[str]) -> str:
    return EMOJI.get(match.group(1), match.group(0))


def style_mrkdwn(text: str, *, ansi: bool = False) -> str:
    """`*bold*`, `_italic_`, `~strike~` as ANSI styles (`ansi`) or without their markers; `:tada:` → 🎉.

    `code` spans keep their backticks (they mark what to type) and nothing inside them changes.
    """
    parts = _CODE.split(text)
    for index in range(0, len(parts), 2):  # even parts are outside code spans
        part = _EMOJI.sub(_emoji, parts[index])
        for pattern, code in _STYLES:
            part = pattern.sub((lambda m, c=code: f"\x1b[{c}m{m.group(1)}\x1b[0m") if ansi else r"\1", part)
        parts[index] = part
    return "".join(parts)


def render_mrkdwn(
    text: str,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
    *,
    ansi: bool = False,
) -> str:
    """Slack mrkdwn as a terminal shows it: `tidy_mrkdwn`, then `style_mrkdwn`."""
    return style_mrkdwn(tidy_mrkdwn(text, users, channels), ansi=ansi)
