"""Putting user-controlled text (campaign and client names, API messages, URLs) into Slack mrkdwn."""

from __future__ import annotations


def escape(text: str) -> str:
    """Escape &, < and > so a name like `<!channel>` stays text instead of a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_url(url: str) -> str:
    """A URL safe inside `<url|label>`: a `|` would end the URL early (the rest becoming a disguised
    label) and `<`/`>` would close the link or open a `<!channel>` ping, so those three are
    percent-encoded, which leaves the address itself unchanged for browsers."""
    return url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")


def link(url: str | None, label: str | None = None) -> str:
    """`<url|label>` with both parts escaped (the label defaults to the URL itself); "—" when no URL."""
    if not url:
        return "—"
    return f"<{escape_url(url)}|{escape(label if label is not None else url)}>"
