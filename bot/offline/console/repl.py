"""`partners-bot console`: the whole real bot in this process, driven from a terminal.

The bot runs against the sandbox Partners API and the Slack stand-in (`bot.offline.local_stack`), so
what you see is what the production code sends to Slack, rendered as text.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import shlex
import tempfile
from collections.abc import Awaitable, Callable, Collection
from datetime import timedelta
from pathlib import Path

from bot.clock import OffsetClock
from bot.offline.console.clock_commands import ClockCommands
from bot.offline.console.config import DEFAULT_USER, console_settings_overrides, new_vault_key
from bot.offline.console.demo import seed_demo_card
from bot.offline.console.forms import Cancelled, Prompter
from bot.offline.console.home import click_home, show_home
from bot.offline.console.saved import DEFAULT_DATABASE, SavedState, forget
from bot.offline.console.session import ConsoleSession
from bot.offline.console.terminal import Terminal
from bot.offline.console.texts import BANNER, HELP, setup_console_logging, slash_commands
from bot.offline.local_stack import SANDBOX_TOKEN, LocalStack, start_local_stack
from bot.offline.sandbox import SandboxOptions
from bot.offline.slack_standin import StandinUser
from bot.settings import SLACK_USER_ID

DEFAULT_CHANNEL = "C_GENERAL"

SetupHook = Callable[[LocalStack], Awaitable[None] | None]
SETUP_HOOKS: list[SetupHook] = []
"""Called with the running stack before the banner (e.g. to seed demo data); append to it."""


class Console:
    """Reads console lines and runs them; `run()` until `quit` or end of input."""

    def __init__(
        self,
        stack: LocalStack,
        io: Prompter,
        *,
        user_id: str = DEFAULT_USER,
        channel_id: str = DEFAULT_CHANNEL,
        saved: SavedState | None = None,
    ):
        self.stack = stack
        self.io = io
        self.saved = saved
        self._unsaved = False
        self.session = ConsoleSession(
            stack,
            io,
            user_id=user_id,
            channel_id=channel_id,
            ansi=bool(getattr(io, "ansi", False)),
            known_commands=[command for command, _ in slash_commands()],
        )
        self.clock = ClockCommands(self.session, remember=self.remember, refresh=self._fresh_partners_data)
        for user in sorted({user_id, *stack.settings.admin_user_ids, *stack.settings.allowed_user_ids}):
            self.ensure_user(user)

    def remember(self) -> None:
        """Save the clock offset and the sandbox's world beside the database (when state is kept)."""
        if self.saved is None:
            return
        problem = remember(self.saved, self.stack)
        if problem is not None and not self._unsaved:  # once, not after every command
            self._unsaved = True
            self.io.say(f"! {problem}")

    def ensure_user(self, user_id: str) -> None:
        """Give an id typed in `as` or the environment a stand-in Slack user (and a DM)."""
        state = self.stack.standin.state
        if user_id not in state.users:
            state.add_user(StandinUser(user_id, user_id.lower(), user_id))

    def role(self, user_id: str) -> str:
        settings = self.stack.settings
        if user_id in settings.admin_user_ids:
            return "an admin"
        if settings.allowed_user_ids and user_id not in settings.allowed_user_ids:
            return "not in ALLOWED_USER_IDS: the bot refuses you"
        return "not an admin"

    def banner(self) -> str:
        channel = self.stack.standin.state.channels.get(self.session.channel_id)
        name = channel.name if channel is not None and channel.name else self.session.channel_id
        settings = self.stack.settings
        access = ""
        if settings.allowed_user_ids:
            access = f"ALLOWED_USER_IDS: only {', '.join(sorted(settings.allowed_user_ids))} (and the admins) may use the bot.\n"
        access += f"Admins (ADMIN_USER_IDS): {', '.join(sorted(settings.admin_user_ids))}.\n"
        if self.saved is not None:
            saved = (
                f"State is kept in {self.saved.path.with_suffix('.db')} between runs (`--fresh` starts over). "
                f"The sandbox keeps its licenses, campaigns, payouts and earnings too (in {self.saved.path})."
            )
            if self.saved.notice:
                saved += "\n" + self.saved.notice
        else:
            saved = "State lasts until you quit."
        return BANNER.format(
            user=self.session.user_id,
            role=self.role(self.session.user_id),
            channel=name,
            access=access,
            saved=saved,
        )

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
                line = await self.ask_watching("> ")
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
                    # Any command may have changed the sandbox (a subscription, a campaign, a payout);
                    # saving is a small JSON write, and none at all when nothing changed.
                    self.remember()
        finally:
            restore()

    async def ask_watching(self, prompt: str) -> str | None:
        """Ask for the next line; meanwhile print whatever the bot posts on its own as it happens."""
        self.session.catch_up()
        answer = asyncio.ensure_future(self.io.ask(prompt))
        try:
            while True:
                changed = asyncio.ensure_future(
                    self.stack.standin.state.wait_for(self.session.changed(), timeout=365 * 86400)
                )
                done, _ = await asyncio.wait({answer, changed}, return_when=asyncio.FIRST_COMPLETED)
                changed.cancel()
                if answer in done:
                    return answer.result()
                await self.session.settle()
                if self.session.has_news():
                    self.io.say("")  # end the waiting prompt's line
                    self.session.catch_up()
                    reprompt = getattr(self.io, "reprompt", None)
                    if reprompt is not None:
                        reprompt(prompt)
                    else:
                        self.io.say(prompt.rstrip() + " (still waiting for your next line)")
        finally:
            if not answer.done():
                answer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await answer

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
        handler = self.commands().get(word)
        if handler is None:
            self.io.say(f"? unknown: {word!r}. Slash commands start with /, e.g. /earnings. Type `help`.")
            return True
        await handler(rest)
        return True

    def commands(self) -> dict[str, Callable[[str], Awaitable[object]]]:
        """The console's own words (besides quit) and what runs each; `help` must name them all."""
        return {
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
            "digest": self.clock.digest,
            "tomorrow": self.clock.tomorrow,
            "wait": self.clock.wait,
            "home": lambda rest: show_home(self.session),
        }

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
        if found is None and SLACK_USER_ID.fullmatch(wanted):
            self.ensure_user(wanted)
            found = state.users[wanted]
        if found is None:
            self.io.say(
                f"usage: as USER_ID, one of {', '.join(state.users)}, or any Slack user id such as U123"
            )
            return
        self.session.user_id = found.id
        self.io.say(f"you are now {found.id} (@{found.name}, {self.role(found.id)})")

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
        partners = self.stack.services.partners
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


def remember(saved: SavedState, stack: LocalStack) -> str | None:
    """Put the console clock's offset and the sandbox's world in `saved` and write it.

    Both go in one write, so the sandbox clock (`days_advanced`) and the console clock that a next
    run restores are the pair that was true together. A write that fails (a full disk, a read-only
    folder) is said in a sentence, returned, rather than ending the console.
    """
    clock = stack.services.clock
    if isinstance(clock, OffsetClock):
        saved.clock_offset = clock.offset
    saved.world = stack.sandbox.state.world()
    try:
        saved.save()
    except OSError as exc:
        return (
            f"the console could not save its state in {saved.path} ({exc.strerror or exc}); "
            "the next run will not see this one's changes"
        )
    return None


async def console_main(
    *,
    user_id: str = DEFAULT_USER,
    channel_id: str = DEFAULT_CHANNEL,
    database: str | None = None,
    keep: bool = False,
    fresh: bool = False,
    admins: Collection[str] = (),
    allowed: Collection[str] = (),
    shape: str = "today",
    latency: float = 0.0,
    io: Prompter | None = None,
) -> int:
    """Start the local stack, run the console until quit/EOF, stop everything.

    With `keep` (what `partners-bot console` does) the state lives in `database` (default
    data/console.db) and survives quitting; `fresh` deletes it first. Without `keep` or `database`
    it lasts until the console ends (tests).
    """
    with tempfile.TemporaryDirectory(prefix="partners-bot-console-") as tmp:
        return await _console_main(
            user_id=user_id,
            channel_id=channel_id,
            database=database if keep or database else str(Path(tmp) / "console.db"),
            keep=keep or bool(database),
            fresh=fresh,
            admins=admins,
            allowed=allowed,
            shape=shape,
            latency=latency,
            io=io,
        )


async def _console_main(
    *,
    user_id: str,
    channel_id: str,
    database: str | None,
    keep: bool,
    fresh: bool,
    admins: Collection[str],
    allowed: Collection[str],
    shape: str,
    latency: float,
    io: Prompter | None,
) -> int:
    saved: SavedState | None = None
    url = f"sqlite+aiosqlite:///{database}"
    if keep:
        path = Path(database) if database else DEFAULT_DATABASE
        if path == DEFAULT_DATABASE:
            path.parent.mkdir(exist_ok=True)
        if fresh:
            forget(path)
        saved = SavedState.beside(path)
        url = f"sqlite+aiosqlite:///{path}"
    clock = OffsetClock()
    if saved is not None:
        clock.offset = saved.clock_offset
        saved.vault_key = saved.vault_key or new_vault_key()
    world = saved.world if saved is not None else None
    stack = await start_local_stack(
        sandbox_options=SandboxOptions(
            token=SANDBOX_TOKEN,
            earnings_shape=shape,  # type: ignore[arg-type]
            latency=latency,
            world=world,
            # Demo data instead of a saved world (first run, or the world was left aside) is dated
            # from the console's clock, which may already be days ahead: "ends in 2 days" then
            # means two days from the console's today, as the bot will compute it.
            days_advanced=round(clock.offset / timedelta(days=1)) if world is None else 0,
        ),
        settings_overrides=console_settings_overrides(
            url, admin=user_id, admins=admins, allowed=allowed, vault_key=saved.vault_key if saved else None
        ),
        clock=clock,
    )
    try:
        if saved is not None and (problem := remember(saved, stack)) is not None:
            logging.getLogger(__name__).warning("%s", problem)
        await seed_demo_card(stack)
        for hook in SETUP_HOOKS:
            outcome = hook(stack)
            if inspect.isawaitable(outcome):
                await outcome
        console = Console(stack, io or Terminal(), user_id=user_id, channel_id=channel_id, saved=saved)
        return await console.run()
    finally:
        if saved is not None:
            remember(saved, stack)  # also on Ctrl-C or a crash: whatever the last command did
        await stack.close()


def run_console(
    *,
    user_id: str = DEFAULT_USER,
    channel_id: str = DEFAULT_CHANNEL,
    database: str | None = None,
    fresh: bool = False,
    shape: str = "today",
    latency: float = 0.0,
    log_level: str = "WARNING",
) -> int:
    """Blocking entry point used by `partners-bot console` and `partners-bot run`.

    ADMIN_USER_IDS and ALLOWED_USER_IDS come from the environment (or `.env`); the rest is local.
    """
    from bot.settings import load_settings

    settings = load_settings()
    setup_console_logging(log_level)
    try:
        return asyncio.run(
            console_main(
                user_id=user_id,
                channel_id=channel_id,
                database=database,
                keep=True,
                fresh=fresh,
                admins=settings.admin_user_ids,
                allowed=settings.allowed_user_ids,
                shape=shape,
                latency=latency,
            )
        )
    except KeyboardInterrupt:
        return 130
