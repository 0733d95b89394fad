"""One console user talking to the real bot through the Slack stand-in.

`ConsoleSession` sends what Slack would send (slash commands, button presses, modal submissions),
waits until the bot has finished reacting, and prints everything the bot sent back: the ack body,
response_url posts, channel and ephemeral messages, edits, failed Web API calls and modals. Every
button or option it prints gets a session-wide number that `click(n)` presses.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.console.forms import Cancelled, Prompter, run_form, state_values
from bot.console.render import Control, Rendered, has_inputs, render_message, render_view, text_of
from bot.local_stack import LocalStack
from bot.slack_standin import DriverResult, StoredView
from bot.slack_standin.files import save_upload

JsonDict = dict[str, Any]
_CONSOLE_DIR = str(Path(__file__).resolve().parent)
_IGNORED_TASK_FILES = ("/aiohttp/", "/asyncio/", _CONSOLE_DIR)

T = TypeVar("T")


@dataclass
class Snapshot:
    """Where the stand-in's records stood before an action, to print only what is new."""

    requests: int
    ephemerals: int
    messages: int
    posts: dict[str, int]
    fingerprints: dict[tuple[str, str], str]


@dataclass
class _Event:
    at: float
    title: str
    payload: JsonDict | None = None  # a message-like dict to render
    source: Any = None  # what a click on its controls acts on: a message dict or ("view", id)
    view: JsonDict | None = None


@dataclass
class Source:
    """Where a numbered control lives."""

    message: JsonDict | None = None
    view_id: str | None = None


@dataclass
class ConsoleSession:
    stack: LocalStack
    io: Prompter
    user_id: str = "U_ADMIN"
    channel_id: str = "C_GENERAL"
    quiet: float = 0.3
    limit: float = 10.0
    controls: dict[int, tuple[Control, Source]] = field(default_factory=dict)
    next_number: int = 1
    _seen_views: dict[str, str] = field(default_factory=dict)
    _pending_snap: Snapshot | None = None
    _tracked: weakref.WeakSet[asyncio.Task[Any]] = field(default_factory=weakref.WeakSet)

    @property
    def state(self) -> Any:
        return self.stack.standin.state

    # ----------------------------------------------------------------- names
    def user_names(self) -> dict[str, str]:
        return {uid: user.name for uid, user in self.state.users.items()}

    def channel_names(self) -> dict[str, str]:
        names = {}
        for cid, channel in self.state.channels.items():
            if channel.is_im:
                names[cid] = f"DM with @{self.user_names().get(channel.user or '', channel.user)}"
            else:
                names[cid] = channel.name or cid
        return names

    def where(self, channel_id: str | None) -> str:
        if not channel_id:
            return "somewhere"
        channel = self.state.channels.get(channel_id)
        if channel is not None and channel.is_im:
            return self.channel_names()[channel_id]
        return f"#{self.channel_names().get(channel_id, channel_id)}"

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

    # ----------------------------------------------------------------- what is new
    @staticmethod
    def _fingerprint(message: JsonDict) -> str:
        content = {k: message.get(k) for k in ("text", "blocks", "attachments", "deleted")}
        return json.dumps(content, sort_keys=True, default=str)

    def snapshot(self) -> Snapshot:
        s = self.state
        messages = s.messages(include_deleted=True)
        return Snapshot(
            requests=len(s.requests),
            ephemerals=len(s.ephemeral),
            messages=len(messages),
            posts={url_id: len(posts) for url_id, posts in s.responses.items()},
            fingerprints={(m["channel"], m["ts"]): self._fingerprint(m) for m in messages},
        )

    def _events_since(self, snap: Snapshot) -> list[_Event]:
        s = self.state
        events: list[_Event] = []
        now = time.time()
        new_posts = []
        for url_id, posts in s.responses.items():
            for post in posts[snap.posts.get(url_id, 0) :]:
                new_posts.append(post)
                if not post.accepted:
                    events.append(_Event(post.time, f"! response_url post refused: {post.answer}"))
                elif post.payload.get("delete_original"):
                    events.append(_Event(post.time, "[the original message was deleted]"))
        for request in s.requests[snap.requests :]:
            if not request.ok:
                detail = request.response.get("response_metadata", {}).get("messages") or []
                extra = f" ({'; '.join(detail)})" if detail else ""
                events.append(
                    _Event(request.time, f"! Slack API {request.method} failed: {request.error}{extra}")
                )
            elif request.method == "files.completeUploadExternal":
                events.extend(self._saved_files(request))
            elif request.method == "views.publish":
                view = request.response.get("view") or {}
                events.append(_Event(request.time, "[Home tab updated]", view=view))
        messages = s.messages(include_deleted=True)
        for message in messages[: snap.messages]:
            key = (message["channel"], message["ts"])
            if snap.fingerprints.get(key) == self._fingerprint(message):
                continue
            if message.get("deleted"):
                events.append(_Event(now, f"[message deleted in {self.where(message['channel'])}]"))
            else:
                title = f"[message updated in {self.where(message['channel'])}]"
                events.append(_Event(now, title, message, message))
        for message in messages[snap.messages :]:
            via = " (a reply visible to everyone)" if message.get("via") == "response_url" else ""
            title = f"[Partners Bot in {self.where(message['channel'])}{via}]"
            events.append(_Event(float(message["ts"]), title, message, message))
        for message in s.ephemeral[snap.ephemerals :]:
            who = (
                "you"
                if message.get("user") == self.user_id
                else f"@{self.user_names().get(message.get('user'), message.get('user'))}"
            )
            replaces = any(
                p.accepted
                and p.payload.get("replace_original") in (True, "true")
                and p.payload.get("text") == message.get("text")
                for p in new_posts
            )
            title = f"[only visible to {who} in {self.where(message['channel'])}{', replaces the original' if replaces else ''}]"
            events.append(_Event(float(message["ts"]), title, message, {**message, "ephemeral": True}))
        events.sort(key=lambda e: e.at)
        return events

    def _saved_files(self, request: Any) -> list[_Event]:
        """A file the bot posted: the console has no image viewer, so the file goes to disk."""
        found = []
        for item in request.response.get("files") or []:
            uploaded = self.state.files.get(item.get("id"))
            if uploaded is None:
                continue
            path = save_upload(uploaded, Path.cwd() / "partners-bot-files")
            where = ", ".join(self.where(c) for c in uploaded.channels) or "no channel"
            found.append(_Event(request.time, f"[file posted in {where}: {uploaded.title}] saved to {path}"))
        return found

    # ----------------------------------------------------------------- printing
    def _register(self, rendered: Rendered, source: Source) -> None:
        for control in rendered.controls:
            self.controls[control.number] = (control, source)
        self.next_number += len(rendered.controls)

    def show_message(self, title: str, payload: JsonDict, source: Source) -> None:
        rendered = render_message(
            payload, start=self.next_number, users=self.user_names(), channels=self.channel_names()
        )
        self._register(rendered, source)
        self.io.say(title)
        if rendered.text:
            self.io.say(rendered.text)

    def show_view(self, view: JsonDict, title: str | None = None) -> None:
        rendered = render_view(
            view, start=self.next_number, users=self.user_names(), channels=self.channel_names()
        )
        self._register(rendered, Source(view_id=view.get("id")))
        if title:
            self.io.say(title)
        self.io.say(rendered.text)

    def report(self, snap: Snapshot) -> None:
        for event in self._events_since(snap):
            if event.view is not None:
                self.io.say(event.title)
                self.show_view(event.view)
            elif event.payload is not None:
                self.show_message(event.title, event.payload, Source(message=event.source))
            else:
                self.io.say(event.title)

    def show_ack(self, result: DriverResult, channel_id: str) -> None:
        if result.status != 200:
            hint = " (no listener for it?)" if result.status == 404 else ""
            self.io.say(f"! the app answered HTTP {result.status}{hint}: {result.text[:200]}")
        elif result.elapsed > 3.0:
            self.io.say(f"! the ack took {result.elapsed:.1f} s: Slack would have shown operation_timeout")
        body = result.body if isinstance(result.body, dict) else None
        if body is None and isinstance(result.body, str) and result.body.strip() and result.status == 200:
            body = {"text": result.body}
        if not body or not (body.get("text") or body.get("blocks")):
            return
        visible = (
            "in " + self.where(channel_id)
            if body.get("response_type") == "in_channel"
            else "only visible to you"
        )
        message = {**body, "channel": channel_id, "ts": f"{time.time():.6f}", "ephemeral": True}
        self.show_message(f"[reply, {visible}]", body, Source(message=message))

    # ----------------------------------------------------------------- actions
    async def _cycle(self, send: Callable[[], Awaitable[DriverResult]], channel_id: str) -> DriverResult:
        snap = self.snapshot()
        self._tracked = weakref.WeakSet()
        result = await send()
        self.show_ack(result, channel_id)
        await self.settle()
        self.report(snap)
        await self.follow_views()
        return result

    async def local(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run bot work started from the console itself (not by Slack) and show what it posted."""
        snap = self.snapshot()
        result = await work()
        await self.settle()
        self.report(snap)
        return result

    async def command(self, command: str, text: str = "") -> DriverResult:
        """Send a slash command as the current user in the current channel."""
        driver = self.stack.driver
        return await self._cycle(
            lambda: driver.command(command, text, user_id=self.user_id, channel_id=self.channel_id),
            self.channel_id,
        )

    async def click(self, number: int) -> DriverResult | None:
        """Press control `number` (a button, or one option of an overflow/select/radio/checkbox)."""
        if number not in self.controls:
            self.io.say(
                f"! no control [{number}]" + (f" (1-{self.next_number - 1})" if self.controls else "")
            )
            return None
        control, source = self.controls[number]
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

    async def cancel(self) -> None:
        """Close the top modal as the user's Close/✕ would (sends view_closed)."""
        top = self.top_view()
        if top is None:
            self.io.say("(no modal is open)")
            return
        snap = self.snapshot()
        self._tracked = weakref.WeakSet()
        await self.stack.driver.view_closed(top.view, user_id=self.user_id)
        self.io.say(f"[modal closed: {text_of(top.view.get('title'))}]")
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

    async def _fill(self, stored: StoredView) -> bool:
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
                )
            else:
                answer = await self.io.ask(f"Submit ({text_of(view.get('submit'))})? [y/N] ")
                if answer is None:
                    raise Cancelled(eof=True)
                if answer.strip().lower() not in ("y", "yes"):
                    self.io.say("(the modal stays open: `submit`, `cancel`, or `click N`)")
                    return False
                await self._submit(stored, state_values(view, {}))
        except Cancelled as exc:
            if not stored.closed:
                await self.stack.driver.view_closed(stored.view, user_id=self.user_id)
                self.io.say(f"[modal closed: {text_of(view.get('title'))}]")
            if exc.eof:
                raise
        await self.settle()
        if self._pending_snap is not None:
            self.report(self._pending_snap)
        return True

    async def follow_views(self) -> None:
        """Show the user's top modal when it is new or changed; fill it in if it asks for anything."""
        while True:
            top = self.top_view()
            if top is None or self._seen_views.get(top.id) == top.hash:
                return
            self._seen_views[top.id] = top.hash
            self.show_view(top.view)
            if not has_inputs(top.view) and not top.view.get("submit"):
                self.io.say("(`cancel` closes this modal)")
                return
            if not await self._fill(top):
                return
