"""The console's fixed texts (banner, help), the bot's slash commands, and its logging setup."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import TextIO

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yml"

BANNER = """\
Partners Bot offline console: the real bot, a sandbox Partners API and a stand-in Slack, all local.
You are {user} ({role}) in #{channel}. Type a slash command: /earnings, /earnings help, /campaign …
Buttons print as [1] Label and `click 1` presses one; modals ask field by field (`cancel` closes).
Also: `as U_PARTNER` (another user), `in C_RANDOM`, `tomorrow`, `shape 2018|today`, `fail /v2/partners/earnings 500`.
`help` lists everything, `quit` (or Ctrl-D) leaves. Nothing here reaches Slack or LiveChat.
{access}{saved}"""

HELP = """\
/command [text]      send a slash command (signed, as Slack does) as the current user and channel
click N              press button/option [N] (in a message, the open modal or the Home tab)
home                 open your App Home tab (what the bot publishes there, with its buttons)
submit               fill in and submit the open modal again      cancel   close the open modal
as USER              act as another user ({users}, or any id such as U123)
in CHANNEL           post commands from another channel: {channels}
shape 2018|today     the sandbox's earnings JSON shape            latency SECONDS   sandbox delay per answer
fail PATH STATUS [N] sandbox answers STATUS to the next N requests under PATH (e.g. /v2/partners/earnings 503)
fail METHOD ERROR    the stand-in Slack fails the next METHOD call (e.g. chat.postMessage not_in_channel)
digest               deliver every daily digest that is due now (`/earnings digest on HH:MM` first)
tomorrow [N]         jump 1 (or N) days ahead: every digest and trial alert due on the way goes out,
                     the sandbox earns overnight
wait DURATION        move the clock e.g. 30m, 2h or 1h30m ahead, the same way
help                 this text                                    quit     leave (also Ctrl-D)"""


def slash_commands() -> list[tuple[str, str]]:
    """`(command, usage hint)` from manifest.yml, when it is there."""
    if not MANIFEST.exists():
        return []
    found = []
    for match in re.finditer(
        r"-\s*command:\s*(/\S+)(?:(?!\n\s*-\s*command:).)*?usage_hint:\s*\"?([^\"\n]*)",
        MANIFEST.read_text(encoding="utf-8"),
        flags=re.S,
    ):
        found.append((match.group(1), match.group(2).strip()))
    return found


class _ShortFormatter(logging.Formatter):
    """One line per warning (no traceback); errors keep theirs, since they are bugs to look at."""

    def format(self, record: logging.LogRecord) -> str:
        if record.levelno < logging.ERROR and record.exc_info and record.levelno > logging.DEBUG:
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)


def setup_console_logging(level: str = "WARNING", stream: TextIO | None = None) -> None:
    """Bot warnings and errors on stderr, short; Bolt's 'unhandled request' advice silenced."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_ShortFormatter("  (log %(levelname)s %(name)s) %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    logging.getLogger("slack_bolt").setLevel(max(logging.ERROR, logging.getLogger().level))
