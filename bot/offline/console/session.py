"""One console user talking to the real bot through the Slack stand-in.

`ConsoleSession` sends what Slack would send (slash commands, button presses, modal submissions),
waits until the bot has finished reacting, and prints everything the bot sent back: the ack body,
response_url posts, channel and ephemeral messages, edits, failed Web API calls and modals. Every
button or option it prints gets a session-wide number that `click(n)` presses.

What the bot posts on its own (the digest scheduler's digests, its DMs to admins) is printed under
a `── posted by the bot … ──` rule: as it happens while the console waits for input, or before
the next action at the latest (`catch_up`).
"""

from __future__ import annotations

import asyncio
import difflib
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.offline.console.events import EPHEMERAL, Recorder, Snapshot
from bot.offline.console.forms import Cancelled, Prompter, run_form, state_values
from bot.offline.console.render import (
    VIEW_CLOSE,
    VIEW_SUBMIT,
    Control,
    Rendered,
    has_inputs,
    render_message,
    render_view,
    text_of,
)
from bot.offline.local_stack import LocalStack
from bot.offline.slack_standin import DriverResult, StoredView

JsonDict = dict[str, Any]
_CONSOLE_DIR = str(Path(__file__).resolve().parent)
_IGNORED_TASK_FILES = ("/aiohttp/", "/asyncio/", _CONSOLE_DIR)

T = TypeVar("T")


@dataclass
class Source:
    """Where a numbered control lives."""

    message: JsonDict | None = None
    view_id: str | None = None


@dataclass
class ConsoleSession(Recorder):
    stack: LocalStack
    io: Prompter
    user_id: str = "U_ADMIN"
    channel_id: str = "C_GENERAL"
    quiet: float = 0.3
    limit: float = 10.0
    controls: dict[int, tuple[Control, Source]] = field(default_factory=dict)
    next_number: int = 1
    ansi: bool = False
    known_commands: list[str] = field(default_factory=list)  # for "did you mean" on a typo
    _seen_views: dict[str, str] = field(default_factory=dict)
    _answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # per view id, kept for Back
    _pending_snap: Snapshot | None = None
    _idle_snap: Snapshot | None = None  # what the console has shown so far
    _tracked: weakref.WeakSet[asyncio.Task[Any]] = field(default_factory=weakref.WeakSet)

    @property
    def state(self) -> Any:
        return self.stack.standin.state

    # ----------------------------------------------------------------- busy tracking
    def install_task_tracking(self) -> Callable[[], None]:
        """Count tasks the bot starts (Bolt listeners, lazy listeners, the app's own) as 'busy'.

        Returns a function that restores the loop's previous task factory.
        """
        loop = asyncio.get_running_loop()
        previous = loop.get_task_factory()

        def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
            task = previous(loop, coro, **kwargs) if previous else asyncio.Task(coro, loop=loop, **kwargs)
            code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
            filename = getattr(code, "co_filename", "")
            if filename and not any(part in filename for part in _IGNORED_TASK_FILES):
                self._tracked.add(task)
            return task  # type: ignore[no-any-return]

        loop.set_task_factory(factory)  # type: ignore[arg-type]
        return lambda: loop.set_task_factory(previous)

    def busy(self) -> list[asyncio.Task[Any]]:
        return [t for t in list(self._tracked) if not t.done()]

    def _signature(self) -> tuple[int, ...]:
        s = self.state
        return (
            len(s.requests),
            len(s.ephemeral),
            len(s.messages(include_deleted=True)),
            sum(len(p) for p in s.responses.values()),
            sum(1 for v in s.views.values() if v.closed),
        )

    def _changed_since(self, seen: tuple[int, ...]) -> Callable[[], bool]:
        return lambda: self._signature() != seen

    async def settle(self) -> bool:
        """Wait until nothing new happened for `quiet` seconds and no bot task runs (max `limit`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limit
        seen = self._signature()
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                self.io.say(
                    f"! still waiting after {self.limit:g} s; later output shows with the next command"
                )
                return False
            try:
                await self.state.wait_for(self._changed_since(seen), timeout=min(self.quiet, remaining))
                seen = self._signature()
            except TimeoutError:
                pending = self.busy()
                if not pending:
                    return True
                await asyncio.wait(pending, timeout=max(0.01, deadline - loop.time()))

    # ----------------------------------------------------------------- printing
    def _register(self, rendered: Rendered, source: Source) -> None:
        for control in rendered.controls:
            self.controls[control.number] = (control, source)
        self.next_number += len(rendered.controls)

    def show_message(self, title: str, payload: JsonDict, source: Source) -> None:
        rendered = render_message(
            payload,
            start=self.next_number,
            users=self.user_names(),
            channels=self.channel_names(),
            ansi=self.ansi,
        )
        self._register(rendered, source)
        self.io.say(title)
        if rendered.text:
            self.io.say(rendered.text)

    def show_view(self, view: JsonDict, title: str | None = None, *, inputs: bool = True) -> None:
        """Print a modal; `inputs=False` when the form prompts that follow list its inputs."""
        rendered = render_view(
            view,
            start=self.next_number,
            users=self.user_names(),
            channels=self.channel_names(),
            ansi=self.ansi,
            inputs=inputs,
        )
        self._register(rendered, Source(view_id=view.get("id")))
        if title:
            self.io.say(title)
        self.io.say(rendered.text)

    def report(self, snap: Snapshot, own: bool = False) -> int:
        """Print what happened since `snap` (`own`: posted by the bot on its own); how many things."""
        events = self._events_since(snap, own)
        for event in events:
            if event.view is not None:
                self.io.say(event.title)
                self.show_view(event.view)
            elif event.payload is not None:
                self.show_message(event.title, event.payload, Source(message=event.source))
            else:
                self.io.say(event.title)
        self._idle_snap = self.snapshot()
        return len(events)

    def catch_up(self) -> int:
        """Print what the bot posted on its own since the console last showed anything."""
        shown = self.report(self._idle_snap, own=True) if self._idle_snap is not None else 0
        self._idle_snap = self.snapshot()
        return shown

    def has_news(self) -> bool:
        """Whether `catch_up()` would print anything."""
        return self._idle_snap is not None and bool(self._events_since(self._idle_snap, own=True))

    def changed(self) -> Callable[[], bool]:
        """A predicate: has the stand-in recorded anything new since now?"""
        return self._changed_since(self._signature())

    def unknown_command(self, command: str) -> str:
        close = difflib.get_close_matches(command, self.known_commands, n=1, cutoff=0.6)
        hint = f" — did you mean {close[0]}?" if close else ""
        listed = ", ".join(self.known_commands)
        return f"Unknown command {command}{hint}" + (f" (the bot's commands: {listed})" if listed else "")

    def show_ack(self, result: DriverResult, channel_id: str, command: str | None = None) -> None:
        if result.status == 404 and command is not None:
            self.io.say(self.unknown_command(command))
        elif result.status != 200:
            hint = " (no listener for it?)" if result.status == 404 else ""
            self.io.say(f"! the app answered HTTP {result.status}{hint}: {result.text[:200]}")
        elif result.elapsed > 3.0:
            self.io.say(f"! the ack took {result.elapsed:.1f} s: Slack would have shown operation_timeout")
        body = result.body if isinstance(result.body, dict) else None
        if body is None and isinstance(result.body, str) and result.body.strip() and result.status == 200:
            body = {"text": result.body}
        if not body or not (body.get("text") or body.get("blocks")):
            return
        title = (
            f"[Partners Bot in {self.where(channel_id)}]"
            if body.get("response_type") == "in_channel"
            else EPHEMERAL
        )
        message = {**body, "channel": channel_id, "ts": f"{time.time():.6f}", "ephemeral": True}
        self.show_message(title, body, Source(message=message))

    # ----------------------------------------------------------------- actions
    async def _cycle(
        self, send: Callable[[], Awaitable[DriverResult]], channel_id: str, command: str | None = None
    ) -> DriverResult:
        self.catch_up()
        snap = self.snapshot()
        self._tracked = weakref.WeakSet()
        result = await send()
        self.show_ack(result, channel_id, command)
        await self.settle()
        self.report(snap)
        await self.follow_views()
        return result

    async def local(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run bot work started from the console itself (not by Slack): what it posts is the bot's own."""
        self.catch_up()
        snap = self.snapshot()
        result = await work()
        await self.settle()
        self.report(snap, own=True)
        return result

    async def command(self, command: str, text: str = "") -> DriverResult:
        """Send a slash command as the current user in the current channel."""
        driver = self.stack.driver
        return await self._cycle(
            lambda: driver.command(command, text, user_id=self.user_id, channel_id=self.channel_id),
            self.channel_id,
            command,
        )

    async def click(self, number: int) -> DriverResult | None:
        """Press control `number` (a button, or one option of an overflow/select/radio/checkbox)."""
        if number not in self.controls:
            self.io.say(
                f"! no control [{number}]" + (f" (1-{self.next_number - 1})" if self.controls else "")
            )
            return None
        control, source = self.controls[number]
        if control.kind in (VIEW_SUBMIT, VIEW_CLOSE):
            return await self._view_button(control, source)
        confirm = control.element.get("confirm") if control.kind == "button" else None
        if confirm:
            self.io.say(f"{text_of(confirm.get('title'))}: {text_of(confirm.get('text'))}")
            answer = await self.io.ask(f"{text_of(confirm.get('confirm')) or 'Confirm'}? [y/N] ")
            if (answer or "").strip().lower() not in ("y", "yes"):
                self.io.say("(not pressed)")
                return None
        action = {**control.action(), "action_ts": f"{time.time():.6f}"}
        driver = self.stack.driver
        if source.view_id is not None:
            stored = self.state.views.get(source.view_id)
            if stored is None or stored.closed:
                self.io.say("! that modal is closed")
                return None
            view = stored.view
            return await self._cycle(
                lambda: driver.block_action(
                    control.action_id, control.value, user_id=self.user_id, view=view, action=action
                ),
                self.channel_id,
            )
        message = source.message or {}
        channel_id = message.get("channel") or self.channel_id
        return await self._cycle(
            lambda: driver.block_action(
                control.action_id,
                control.value,
                user_id=self.user_id,
                channel_id=channel_id,
                message=message,
                block_id=control.block_id,
                action=action,
            ),
            channel_id,
        )

    # ----------------------------------------------------------------- modals
    def top_view(self) -> StoredView | None:
        return self.state.top_view(self.user_id)  # type: ignore[no-any-return]

    async def _view_button(self, control: Control, source: Source) -> None:
        """A modal's own Submit or Close button, pressed by number."""
        stored = self.state.views.get(source.view_id) if source.view_id else None
        if stored is None or stored.closed or stored is not self.top_view():
            self.io.say("! that modal is not the one on top any more")
            return None
        if control.kind == VIEW_CLOSE:
            await self.cancel()
        else:
            await self._fill(stored, confirmed=True)
            await self.follow_views()
        return None

    async def cancel(self) -> None:
        """Close the top modal as the user's Close/✕ (or Back) would: sends view_closed.

        A view with `clear_on_close` closes the whole stack, as in Slack.
        """
        top = self.top_view()
        if top is None:
            self.io.say("(no modal is open)")
            return
        snap = self.snapshot()
        self._tracked = weakref.WeakSet()
        clear = bool(top.view.get("clear_on_close"))
        await self.stack.driver.view_closed(top.view, user_id=self.user_id, is_cleared=clear, as_slack=True)
        self.io.say(f"[{'all modals closed' if clear else 'modal closed'}: {text_of(top.view.get('title'))}]")
        below = self.top_view()
        if below is not None and below.root_view_id == top.root_view_id:
            self._seen_views.pop(below.id, None)
        await self.settle()
        self.report(snap)
        await self.follow_views()

    async def _submit(self, stored: StoredView, values: dict[str, Any]) -> Any:
        """Submit `stored` with `values`, apply the ack to the stand-in, say what happened."""
        self._pending_snap = self.snapshot()
        self._tracked = weakref.WeakSet()
        result = await self.stack.driver.view_submission(stored.view, values, user_id=self.user_id)
        if result.status != 200:
            self.io.say(f"! the app answered HTTP {result.status}: {result.text[:200]}")
        elif result.elapsed > 3.0:
            self.io.say(f"! the ack took {result.elapsed:.1f} s: Slack would have shown operation_timeout")
        body = result.body if isinstance(result.body, dict) else {}
        action = body.get("response_action")
        if action == "errors":
            return body
        if action in ("update", "push"):
            top = self.top_view()
            view = body.get("view") or {}
            if top is not None and not has_inputs(view) and not view.get("submit"):
                self._seen_views[top.id] = top.hash
                self.show_view(top.view, "[modal updated]" if action == "update" else "[modal pushed]")
            if action == "update":
                self._answers.pop(stored.id, None)  # a new view: Slack starts it from its initial values
        elif action == "clear":
            self.io.say("[all modals closed]")
        else:
            self.io.say(f"[modal submitted and closed: {text_of(stored.view.get('title'))}]")
            below = self.top_view()
            if below is not None and below.root_view_id == stored.root_view_id:
                self._seen_views.pop(below.id, None)  # Slack shows the previous view again
        return body

    async def submit_top(self) -> None:
        """Ask for the top modal's inputs (or a confirmation) and submit it."""
        top = self.top_view()
        if top is None:
            self.io.say("(no modal is open)")
            return
        await self._fill(top)

    async def _fill(self, stored: StoredView, *, confirmed: bool = False) -> bool:
        """Run the form for `stored`; False when the modal stays open untouched."""
        view = stored.view
        self._pending_snap = self.snapshot()
        try:
            if has_inputs(view):
                await run_form(
                    view,
                    self.io,
                    lambda values: self._submit(stored, values),
                    users=self.user_names(),
                    channels=self.channel_names(),
                    answers=self._answers.setdefault(stored.id, {}),
                )
            else:
                if not confirmed:
                    answer = await self.io.ask(self._confirm_prompt(stored))
                    if answer is None or answer.strip().lower() in ("quit", "exit"):
                        raise Cancelled(eof=True)
                    if answer.strip().lower() not in ("y", "yes"):
                        self.io.say(
                            "(the modal stays open: `click N` presses one of its buttons, `cancel` closes it)"
                        )
                        return False
                await self._submit(stored, state_values(view, {}))
        except Cancelled as exc:
            if not stored.closed:
                await self.stack.driver.view_closed(stored.view, user_id=self.user_id, as_slack=True)
                self.io.say(f"[modal closed: {text_of(view.get('title'))}]")
            if exc.eof:
                raise
        await self.settle()
        if self._pending_snap is not None:
            self.report(self._pending_snap)
        return True

    def _confirm_prompt(self, stored: StoredView) -> str:
        """`Press [5] Confirm? [y/N] (or `click 6` for Back) `: the modal's own buttons by number."""
        numbers = {
            control.kind: number
            for number, (control, source) in self.controls.items()
            if source.view_id == stored.id and control.kind in (VIEW_SUBMIT, VIEW_CLOSE)
        }
        submit = text_of(stored.view.get("submit"))
        close = text_of(stored.view.get("close")) or "Cancel"
        press = f"[{numbers[VIEW_SUBMIT]}] " if VIEW_SUBMIT in numbers else ""
        back = f" (or `click {numbers[VIEW_CLOSE]}` for {close})" if VIEW_CLOSE in numbers else ""
        return f"Press {press}{submit}? [y/N]{back} "

    async def follow_views(self) -> None:
        """Show the user's top modal when it is new or changed; fill it in if it asks for anything."""
        while True:
            top = self.top_view()
            if top is None or self._seen_views.get(top.id) == top.hash:
                return
            self._seen_views[top.id] = top.hash
            self.show_view(top.view, inputs=False)
            if not has_inputs(top.view) and not top.view.get("submit"):
                self.io.say("(`cancel` closes this modal)")
                return
            if not await self._fill(top):
                return
