"""Putting user-controlled text (campaign and client names, API messages) into Slack mrkdwn."""

from __future__ import annotations


def escape(text: str) -> str:
    """Escape &, < and > so a name like `<!channel>` stays text instead of a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
