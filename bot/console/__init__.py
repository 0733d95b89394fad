"""The offline console: the real bot against the sandbox and the Slack stand-in, in a terminal.

- `render`: Block Kit → text (`render_message`, `render_view`, `render_blocks`; pure functions).
- `forms`: a modal as prompts (`run_form`, `state_values`, `view_fields`).
- `session`: `ConsoleSession` sends commands/clicks/submissions and prints what the bot did.
- `repl`: `Console` (the command loop), `run_console` (blocking entry point).
"""

from bot.console.forms import Cancelled, run_form, state_values, view_fields
from bot.console.mrkdwn import tidy_mrkdwn
from bot.console.render import Control, Rendered, render_blocks, render_message, render_view
from bot.console.repl import SETUP_HOOKS, Console, console_main, console_settings_overrides, run_console
from bot.console.session import ConsoleSession
from bot.console.terminal import Terminal

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
