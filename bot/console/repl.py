"""`partners-bot console`: the whole real bot in this process, driven from a terminal.

The bot runs against the sandbox Partners API and the Slack stand-in (`bot.local_stack`), so
what you see is what the production code sends to Slack, rendered as text.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import shlex
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.clock import OffsetClock
from bot.console.demo import DEMO_PLAN_PRICES, seed_demo_card
from bot.console.forms import Cancelled, Prompter
from bot.console.home import click_home, show_home
from bot.console.session import ConsoleSession
from bot.console.terminal import Terminal
from bot.digest.runner import DigestRunner
from bot.local_stack import SANDBOX_TOKEN, LocalStack, start_local_stack
from bot.sandbox import SandboxOptions
from bot.settings import Settings

DEFAULT_USER = "U_ADMIN"
DEFAULT_CHANNEL = "C_GENERAL"
# Set by start_local_stack itself: never override them with defaults.
_STACK_KEYS = frozenset(
    {
        "slack_bot_token",
        "slack_signing_secret",
        "slack_api_url",
        "partners_api_token",
        "partners_api_url",
        "recurly_api_url",
    }
)
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"

SetupHook = Callable[[LocalStack], Awaitable[None] | None]
SETUP_HOOKS: list[SetupHook] = []
"""Called with the running stack before the banner (e.g. to seed demo data); append to it."""

BANNER = """\
Partners Bot offline console: the real bot, a sandbox Partners API and a stand-in Slack, all local.
You are {user} (admin) in #{channel}. Type a slash command: /earnings, /earnings help, /campaign …
Buttons print as [1] Label and `click 1` presses one; modals ask field by field (`cancel` closes).
Also: `as U_PARTNER` (another user), `in C_RANDOM`, `shape 2018|today`, `latency 2`, `fail /v2/partners/earnings 500`.
`help` lists everything, `quit` (or Ctrl-D) leaves. Nothing here reaches Slack or LiveChat."""

HELP = """\
/command [text]      send a slash command (signed, as Slack does) as the current user and channel
click N              press button/option [N] (in a message or in the open modal)
submit               fill in and submit the open modal again      cancel   close the open modal
as USER              act as another user: {users}
in CHANNEL           post commands from another channel: {channels}
shape 2018|today     the sandbox's earnings JSON shape            latency SECONDS   sandbox delay per answer
fail PATH STATUS [N] sandbox answers STATUS to the next N requests under PATH (e.g. /v2/partners/earnings 503)
fail METHOD ERROR    the stand-in Slack fails the next METHOD call (e.g. chat.postMessage not_in_channel)
digest               deliver every daily digest that is due now (`/earnings digest on HH:MM` first)
tomorrow             jump a day ahead: the sandbox earns commission overnight, then due digests go out
home                 open your App Home tab (its buttons get numbers too)
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


def console_settings_overrides(database_url: str, admin: str = DEFAULT_USER) -> dict[str, Any]:
    """Every setting explicitly (defaults), so nothing leaks in from the environment or `.env`."""
    values: dict[str, Any] = {}
    for name, info in Settings.model_fields.items():
        if name not in _STACK_KEYS:
            values[name] = info.get_default(call_default_factory=True)
    values.update(
        database_url=database_url,
        admin_user_ids=frozenset({admin}),
        allowed_user_ids=frozenset(),
        slack_app_token=None,
        log_level="WARNING",
        vault_key=_vault_key(),
        plan_prices=DEMO_PLAN_PRICES,
    )
    return values


def _vault_key() -> str | None:
    try:
        from cryptography.fernet import Fernet
    except ImportError:  # pragma: no cover - cryptography is a dependency
        return None
    return Fernet.generate_key().decode()


class Console:
    """Reads console lines and runs them; `run()` until `quit` or end of input."""

    def __init__(
        self,
        stack: LocalStack,
        io: Prompter,
        *,
        user_id: str = DEFAULT_USER,
        channel_id: str = DEFAULT_CHANNEL,
    ):
        self.stack = stack
        self.io = io
        self.session = ConsoleSession(stack, io, user_id=user_id, channel_id=channel_id)

    def banner(self) -> str:
        channel = self.stack.standin.state.channels.get(self.session.channel_id)
        name = channel.name if channel is not None and channel.name else self.session.channel_id
        return BANNER.format(user=self.session.user_id, channel=name)

    def help(self) -> str:
        state = self.stack.standin.state
        admins = self.stack.settings.admin_user_ids
        users = ", ".join(f"{u}{' (admin)' if u in admins else ''}" for u in state.users)
        channels = ", ".join(c for c, ch in state.channels.items() if not ch.is_im)
        text = HELP.format(users=users, channels=channels)
        commands = slash_commands()
        if commands:
            text += "\nSlash commands: " + "; ".join(f"{c} {hint}".strip() for c, hint in commands)
        return text

    async def run(self) -> int:
        restore = self.session.install_task_tracking()
        self.io.say(self.banner())
        try:
            while True:
                line = await self.io.ask("> ")
                if line is None:
                    return 0
                try:
                    if not await self.execute(line):
                        return 0
                except Cancelled as exc:
                    if exc.eof:
                        return 0
                except Exception as exc:  # keep the console alive whatever the bot or a command did
                    logging.getLogger(__name__).debug("console command failed", exc_info=True)
                    self.io.say(f"! {type(exc).__name__}: {exc}")
        finally:
            restore()

    async def execute(self, line: str) -> bool:
        """Run one console line; False means quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line.startswith("/"):
            command, _, text = line.partition(" ")
            await self.session.command(command, text.strip())
            return True
        word, _, rest = line.partition(" ")
        word, rest = word.lower(), rest.strip()
        if word in ("quit", "exit", "q"):
            return False
        handler = {
            "help": self._help,
            "?": self._help,
            "click": self._click,
            "submit": self._submit,
            "cancel": self._cancel,
            "close": self._cancel,
            "as": self._as,
            "in": self._in,
            "shape": self._shape,
            "latency": self._latency,
            "fail": self._fail,
            "digest": self._digest,
            "tomorrow": self._tomorrow,
            "home": lambda rest: show_home(self.session),
        }.get(word)
        if handler is None:
            self.io.say(f"? unknown: {word!r}. Slash commands start with /, e.g. /earnings. Type `help`.")
            return True
        await handler(rest)
        return True

    async def _help(self, rest: str) -> None:
        self.io.say(self.help())

    async def _click(self, rest: str) -> None:
        number = rest.strip("[] ")
        if not number.isdigit():
            self.io.say("usage: click N (the number in brackets, e.g. click 1)")
            return
        if not await click_home(self.session, int(number)):
            await self.session.click(int(number))

    async def _submit(self, rest: str) -> None:
        await self.session.submit_top()

    async def _cancel(self, rest: str) -> None:
        await self.session.cancel()

    async def _as(self, rest: str) -> None:
        state = self.stack.standin.state
        wanted = rest.lstrip("@")
        found = next((u for u in state.users.values() if wanted in (u.id, u.name)), None)
        if found is None:
            self.io.say(f"usage: as USER_ID, one of {', '.join(state.users)}")
            return
        self.session.user_id = found.id
        role = "an admin" if found.id in self.stack.settings.admin_user_ids else "not an admin"
        self.io.say(f"you are now {found.id} (@{found.name}, {role})")

    async def _in(self, rest: str) -> None:
        state = self.stack.standin.state
        wanted = rest.lstrip("#")
        found = next((c for c in state.channels.values() if wanted in (c.id, c.name)), None)
        if found is None:
            self.io.say(f"usage: in CHANNEL_ID, one of {', '.join(state.channels)}")
            return
        self.session.channel_id = found.id
        self.io.say(f"commands now come from {self.session.where(found.id)}")

    def _fresh_partners_data(self) -> None:
        partners = self.stack.deps.partners
        for cache in (getattr(partners, "earnings_cache", None), getattr(partners, "coupons_cache", None)):
            if cache is not None:
                cache.invalidate()

    async def _shape(self, rest: str) -> None:
        if rest not in ("2018", "today"):
            self.io.say("usage: shape 2018|today")
            return
        self.stack.sandbox.state.earnings_shape = rest  # type: ignore[assignment]
        self._fresh_partners_data()
        self.io.say(f"the sandbox now answers earnings in the {rest!r} shape")

    async def _latency(self, rest: str) -> None:
        try:
            seconds = float(rest)
        except ValueError:
            self.io.say("usage: latency SECONDS (e.g. latency 2, latency 0)")
            return
        self.stack.sandbox.state.latency = max(0.0, seconds)
        self._fresh_partners_data()
        self.io.say(f"the sandbox now waits {max(0.0, seconds):g} s before every answer")

    async def _digest(self, rest: str = "") -> None:
        report = await self.session.local(DigestRunner(self.stack.deps).run_once)
        if not report.due:
            self.io.say(
                "no digest is due now (turn one on with /earnings digest on HH:MM, a time already past)"
            )
            return
        failed = {**report.failed, **report.disabled}
        self.io.say(
            f"digests sent: {len(report.sent)}"
            + (f"; not sent: {', '.join(f'{c} ({why})' for c, why in failed.items())}" if failed else "")
        )

    async def _tomorrow(self, rest: str) -> None:
        clock = self.stack.deps.clock
        if not isinstance(clock, OffsetClock):
            self.io.say("! this console runs on the real clock; `tomorrow` is not available")
            return
        clock.offset += timedelta(days=1)
        moved = self.stack.sandbox.state.advance_day()
        self._fresh_partners_data()
        local = clock.now().astimezone().strftime("%A %d %B %Y, %H:%M")
        self.io.say(f"it is now {local} (the sandbox moved a day: {moved})")
        await self._digest()

    async def _fail(self, rest: str) -> None:
        args = shlex.split(rest)
        if len(args) >= 2 and "/" not in args[0] and "." in args[0]:
            self.stack.standin.state.fail_next(args[0], args[1], times=int(args[2]) if len(args) > 2 else 1)
            self.io.say(f"the next {args[0]} call fails with {args[1]}")
            return
        if len(args) < 2 or not args[1].isdigit():
            self.io.say("usage: fail PATH STATUS [TIMES] (e.g. fail /v2/partners/earnings 503)")
            return
        path = args[0] if args[0].startswith("/") else "/" + args[0]
        if not path.startswith(("/v2/", "/js/")):
            path = "/v2/partners" + path
        times = int(args[2]) if len(args) > 2 and args[2].isdigit() else 1
        self.stack.sandbox.state.fail_next(path, int(args[1]), times=times)
        self._fresh_partners_data()
        self.io.say(f"the next {times} request(s) to {path}… answer HTTP {args[1]}")


async def console_main(
    *,
    user_id: str = DEFAULT_USER,
    channel_id: str = DEFAULT_CHANNEL,
    database: str | None = None,
    shape: str = "today",
    latency: float = 0.0,
    io: Prompter | None = None,
) -> int:
    """Start the local stack, run the console until quit/EOF, stop everything."""
    with tempfile.TemporaryDirectory(prefix="partners-bot-console-") as tmp:
        path = Path(database) if database else Path(tmp) / "console.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        stack = await start_local_stack(
            sandbox_options=SandboxOptions(token=SANDBOX_TOKEN, earnings_shape=shape, latency=latency),  # type: ignore[arg-type]
            settings_overrides=console_settings_overrides(f"sqlite+aiosqlite:///{path}", admin=user_id),
            clock=OffsetClock(),
        )
        try:
            await seed_demo_card(stack)
            for hook in SETUP_HOOKS:
                outcome = hook(stack)
                if inspect.isawaitable(outcome):
                    await outcome
            console = Console(stack, io or Terminal(), user_id=user_id, channel_id=channel_id)
            return await console.run()
        finally:
            await stack.close()


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


def run_console(
    *,
    user_id: str = DEFAULT_USER,
    channel_id: str = DEFAULT_CHANNEL,
    database: str | None = None,
    shape: str = "today",
    latency: float = 0.0,
    log_level: str = "WARNING",
) -> int:
    """Blocking entry point used by `partners-bot console` and `partners-bot run`."""
    setup_console_logging(log_level)
    try:
        return asyncio.run(
            console_main(
                user_id=user_id, channel_id=channel_id, database=database, shape=shape, latency=latency
            )
        )
    except KeyboardInterrupt:
        return 130
