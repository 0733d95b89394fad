"""The offline console: the real bot against the sandbox and the Slack stand-in, in a terminal.

- `render`: Block Kit → text (`render_message`, `render_view`, `render_blocks`; pure functions).
- `forms`: a modal as prompts (`run_form`, `state_values`, `view_fields`).
- `mrkdwn`: Slack mrkdwn → terminal text (ANSI styles on a terminal, emoji as Unicode).
- `events`: what the stand-in Slack recorded since a snapshot, as titled events.
- `session`: `ConsoleSession` sends commands/clicks/submissions and prints what the bot did,
  including what it posts on its own.
- `timetravel`: moving the clock, stopping at every digest, trial-alert check and midnight on the way.
- `clock_commands`: `digest`, `tomorrow` and `wait`, and the sentence saying what changed.
- `saved`: the state kept between runs beside data/console.db.
- `texts`: banner, help and logging setup.
- `repl`: `Console` (the command loop), `run_console` (blocking entry point).
"""

from bot.offline.console.forms import Cancelled, run_form, state_values, view_fields
from bot.offline.console.mrkdwn import tidy_mrkdwn
from bot.offline.console.render import Control, Rendered, render_blocks, render_message, render_view
from bot.offline.console.repl import (
    SETUP_HOOKS,
    Console,
    console_main,
    console_settings_overrides,
    run_console,
)
from bot.offline.console.session import ConsoleSession
from bot.offline.console.terminal import Terminal

__all__ = [
    "SETUP_HOOKS",
    "Cancelled",
    "Console",
    "ConsoleSession",
    "Control",
    "Rendered",
    "Terminal",
    "console_main",
    "console_settings_overrides",
    "render_blocks",
    "render_message",
    "render_view",
    "run_console",
    "run_form",
    "state_values",
    "tidy_mrkdwn",
    "view_fields",
]
