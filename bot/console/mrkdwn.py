"""Slack mrkdwn → plain terminal text (pure functions)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

_ANGLE = re.compile(r"<([^<>\s][^<>]*)>")


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
