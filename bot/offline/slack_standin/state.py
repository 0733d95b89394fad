"""In-memory state of the Slack stand-in: workspace data, recorded traffic, Web API method logic.

Everything here is synchronous and runs on the event loop thread; ``web_api`` is the HTTP glue.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.offline.slack_standin import files
from bot.offline.slack_standin.files import UploadedFile
from bot.offline.slack_standin.socket_mode import SocketModeHub

JsonDict = dict[str, Any]

DEFAULT_TZ = "Europe/Warsaw"
_TZ_LABELS = {
    "Europe/Warsaw": ("Central European Time", "Central European Summer Time"),
    "Europe/Berlin": ("Central European Time", "Central European Summer Time"),
    "Europe/London": ("Greenwich Mean Time", "British Summer Time"),
    "America/New_York": ("Eastern Standard Time", "Eastern Daylight Time"),
    "America/Los_Angeles": ("Pacific Standard Time", "Pacific Daylight Time"),
    "UTC": ("Coordinated Universal Time", "Coordinated Universal Time"),
}


@dataclass
class StandinUser:
    """A workspace member. ``tz_label``/``tz_offset`` are derived from ``tz`` unless given."""

    id: str
    name: str
    real_name: str = ""
    tz: str = DEFAULT_TZ
    tz_label: str | None = None
    tz_offset: int | None = None
    email: str | None = None
    is_admin: bool = False
    is_bot: bool = False
    deleted: bool = False
    locale: str = "en-US"

    def to_slack(self, team_id: str) -> JsonDict:
        zone = ZoneInfo(self.tz)
        now = datetime.now(zone)
        offset = self.tz_offset
        if offset is None:
            delta = now.utcoffset()
            offset = int(delta.total_seconds()) if delta else 0
        label = self.tz_label
        if label is None:
            pair = _TZ_LABELS.get(self.tz)
            dst = bool(now.dst())
            label = (pair[1] if dst else pair[0]) if pair else (now.tzname() or self.tz)
        real_name = self.real_name or self.name
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": real_name,
            "tz": self.tz,
            "tz_label": label,
            "tz_offset": offset,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "locale": self.locale,
            "profile": {
                "real_name": real_name,
                "display_name": self.name,
                "email": self.email or f"{self.name}@example.com",
                "team": team_id,
            },
        }


@dataclass
class StandinChannel:
    """A conversation. ``members=None`` means every known user is a member."""

    id: str
    name: str = ""
    is_private: bool = False
    is_im: bool = False
    user: str | None = None  # the other party of a DM
    is_archived: bool = False
    bot_is_member: bool = True
    members: set[str] | None = None
    rate_limit_per_second: float | None = None  # overrides the workspace-wide per-channel limit

    def to_slack(self) -> JsonDict:
        data: JsonDict = {
            "id": self.id,
            "is_channel": not self.is_im and not self.is_private,
            "is_group": self.is_private and not self.is_im,
            "is_im": self.is_im,
            "is_private": self.is_private or self.is_im,
            "is_archived": self.is_archived,
            "is_member": self.bot_is_member,
            "created": 1_600_000_000,
        }
        if self.is_im:
            data["user"] = self.user
        else:
            data["name"] = self.name
            data["name_normalized"] = self.name
        return data


def _default_users() -> list[StandinUser]:
    return [
        StandinUser("U_ADMIN", "ada.admin", "Ada Admin", is_admin=True),
        StandinUser("U_PARTNER", "pat.partner", "Pat Partner"),
        StandinUser("U_GUEST", "gus.guest", "Gus Guest", tz="America/New_York"),
    ]


def _default_channels() -> list[StandinChannel]:
    return [StandinChannel("C_GENERAL", "general"), StandinChannel("C_RANDOM", "random")]


@dataclass
class StandinOptions:
    """Configuration of a stand-in workspace. A DM channel ``D<user id without U>`` exists per user."""

    bot_token: str = "xoxb-standin"
    app_token: str = "xapp-standin"  # app-level token: only apps.connections.open (Socket Mode) takes it
    team_id: str = "T_STANDIN"
    team_domain: str = "standin"
    enterprise_id: str | None = None
    bot_user_id: str = "U_BOT"
    bot_id: str = "B_BOT"
    app_id: str = "A_STANDIN"
    trigger_ttl: float = 3.0
    response_url_ttl: float = 30 * 60.0
    response_url_max_posts: int = 5
    view_stack_limit: int = 3
    rate_limit_per_channel_per_second: float | None = None
    rate_limit_burst: int = 1
    validate_blocks: bool = True
    users: list[StandinUser] = field(default_factory=_default_users)
    channels: list[StandinChannel] = field(default_factory=_default_channels)
    clock: Callable[[], float] = time.monotonic


@dataclass
class RecordedRequest:
    """One Web API call as the stand-in received it."""

    method: str
    args: JsonDict  # merged query + body; blocks/view/attachments decoded from JSON strings
    body: str
    headers: dict[str, str]  # without Authorization
    time: float  # wall clock (time.time())
    http_method: str = "POST"
    status: int = 200
    response: JsonDict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return self.response.get("error")


@dataclass
class ResponsePost:
    """One POST to a response_url (accepted or rejected)."""

    url_id: str
    payload: JsonDict
    time: float
    status: int
    answer: str

    @property
    def accepted(self) -> bool:
        return self.status == 200


@dataclass
class ResponseUrl:
    id: str
    url: str
    created: float
    channel_id: str | None = None
    user_id: str | None = None
    message_ts: str | None = None
    posts: int = 0


@dataclass
class StoredView:
    """A modal or Home tab the app opened. ``view`` is the payload as Slack returns it."""

    id: str
    user_id: str | None
    view: JsonDict
    root_view_id: str
    previous_view_id: str | None = None
    external_id: str | None = None
    closed: bool = False

    @property
    def hash(self) -> str:
        return self.view["hash"]


@dataclass
class TriggerId:
    value: str
    issued: float
    user_id: str | None = None
    view_id: str | None = None
    used: bool = False


@dataclass
class ApiResult:
    body: JsonDict
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Fault:
    error: str
    times: int
    status: int
    retry_after: float | None


class SlackApiFailure(Exception):
    """Raised inside method handlers to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class StandinState:
    """Workspace data, recorded traffic and the Web API method implementations."""

    def __init__(self, options: StandinOptions | None = None) -> None:
        self.options = options or StandinOptions()
        self.base_url = ""  # set once the server is bound
        self.clock = self.options.clock
        self.users: dict[str, StandinUser] = {}
        self.channels: dict[str, StandinChannel] = {}
        self.requests: list[RecordedRequest] = []
        self.responses: dict[str, list[ResponsePost]] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.views: dict[str, StoredView] = {}
        self.home_views: dict[str, StoredView] = {}
        self.ephemeral: list[JsonDict] = []
        self.files: dict[str, UploadedFile] = {}  # bot/offline/slack_standin/files.py
        self._messages: list[JsonDict] = []
        self._triggers: dict[str, TriggerId] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._buckets: dict[str, tuple[float, float]] = {}
        self._waiters: set[asyncio.Event] = set()
        self._ids = itertools.count(1)
        self._last_ts = 0.0
        self.socket = SocketModeHub(self.notify, self.options.app_id)
        for user in self.options.users:
            self.add_user(user)
        for channel in self.options.channels:
            self.add_channel(channel)

    # ----------------------------------------------------------------- workspace setup
    def add_user(self, user: StandinUser, *, with_dm: bool = True) -> StandinUser:
        self.users[user.id] = user
        if with_dm and self.dm_channel_id(user.id) not in self.channels:
            self.add_channel(StandinChannel(self.dm_channel_id(user.id), is_im=True, user=user.id))
        return user

    def add_channel(self, channel: StandinChannel) -> StandinChannel:
        self.channels[channel.id] = channel
        return channel

    @staticmethod
    def dm_channel_id(user_id: str) -> str:
        return "D" + (user_id[1:] if user_id.startswith(("U", "W")) else user_id)

    # ----------------------------------------------------------------- fault injection
    def fail_next(
        self,
        method: str,
        error: str = "internal_error",
        times: int = 1,
        status: int = 200,
        retry_after: float | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (status 429 adds ``Retry-After``)."""
        if status == 429 and error == "internal_error":
            error = "ratelimited"
        self._faults.setdefault(method, []).append(_Fault(error, times, status, retry_after))

    def delay(self, method: str, seconds: float) -> None:
        """Delay every answer of ``method`` by ``seconds`` (0 removes the delay)."""
        if seconds > 0:
            self._delays[method] = seconds
        else:
            self._delays.pop(method, None)

    def delay_for(self, method: str) -> float:
        return self._delays.get(method, 0.0)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    # ----------------------------------------------------------------- ids and tokens
    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):010d}"

    def _new_ts(self) -> str:
        now = max(time.time(), self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    def _new_hash(self) -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def new_trigger_id(self, user_id: str | None = None, view_id: str | None = None) -> str:
        """Issue a trigger id valid for ``options.trigger_ttl`` seconds and one use."""
        value = f"{next(self._ids)}.{int(time.time())}.{secrets.token_hex(16)}"
        self._triggers[value] = TriggerId(value, self.clock(), user_id, view_id)
        return value

    def new_response_url(
        self,
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """Issue a response_url; ``message_ts`` makes replace/delete_original act on that message."""
        if not self.base_url:
            raise RuntimeError("the stand-in is not started: base_url unknown")
        url_id = secrets.token_hex(12)
        url = f"{self.base_url}/response/{url_id}"
        self.response_urls[url_id] = ResponseUrl(url_id, url, self.clock(), channel_id, user_id, message_ts)
        return url

    def _consume_trigger(self, trigger_id: str | None) -> TriggerId:
        if not trigger_id:
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["missing trigger_id"]})
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            raise SlackApiFailure("invalid_trigger_id")
        if trigger.used:
            raise SlackApiFailure("exchanged_trigger_id")
        if self.clock() - trigger.issued > self.options.trigger_ttl:
            raise SlackApiFailure("expired_trigger_id")
        trigger.used = True
        return trigger

    # ----------------------------------------------------------------- recording and waiting
    def record(self, request: RecordedRequest) -> None:
        self.requests.append(request)
        self.notify()

    def notify(self) -> None:
        """Wake every ``wait_for`` so it re-checks its predicate."""
        for event in self._waiters:
            event.set()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every recorded request); return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        event = asyncio.Event()
        self._waiters.add(event)
        try:
            while True:
                event.clear()
                result = predicate()
                if result:
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0:
                    seen = [r.method for r in self.requests[-20:]]
                    raise TimeoutError(f"condition not met within {timeout}s; last requests: {seen}")
                try:
                    await asyncio.wait_for(event.wait(), remaining)
                except TimeoutError:
                    continue
        finally:
            self._waiters.discard(event)

    async def wait_for_call(self, method: str, timeout: float = 5.0, count: int = 1) -> RecordedRequest:
        """Wait until ``method`` was called ``count`` times; return the ``count``-th call."""
        calls = await self.wait_for(lambda: len(self.calls(method)) >= count and self.calls(method), timeout)
        return calls[count - 1]

    async def wait_for_response(self, response_url: str, timeout: float = 5.0) -> ResponsePost:
        """Wait for the first accepted post to ``response_url`` (URL or id)."""
        posts = await self.wait_for(lambda: self.response_posts(response_url), timeout)
        return posts[0]

    # ----------------------------------------------------------------- Socket Mode
    async def socket_send(self, envelope_type: str, payload: JsonDict, **options: Any) -> JsonDict:
        """Send a Socket Mode envelope to the connected app; return its ack (see `SocketModeHub.send`)."""
        return await self.socket.send(envelope_type, payload, **options)

    async def wait_for_socket(self, timeout: float = 5.0, count: int = 1) -> int:
        """Wait until ``count`` Socket Mode connections were accepted and one is open."""
        return await self.wait_for(
            lambda: self.socket.connections_accepted >= count and self.socket.connected,
            timeout,
        )

    # ----------------------------------------------------------------- derived views
    def calls(self, method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method]

    def messages(self, channel: str | None = None, *, include_deleted: bool = False) -> list[JsonDict]:
        """Messages in channels (posted or in_channel responses), in post order, with current content."""
        return [
            m
            for m in self._messages
            if (channel is None or m["channel"] == channel) and (include_deleted or not m.get("deleted"))
        ]

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[JsonDict]:
        return [
            m
            for m in self.ephemeral
            if (channel is None or m["channel"] == channel) and (user is None or m["user"] == user)
        ]

    def find_message(self, channel: str, ts: str) -> JsonDict | None:
        for message in self._messages:
            if message["channel"] == channel and message["ts"] == ts and not message.get("deleted"):
                return message
        return None

    def response_posts(self, response_url: str, *, include_rejected: bool = False) -> list[ResponsePost]:
        url_id = response_url.rstrip("/").rsplit("/", 1)[-1]
        posts = self.responses.get(url_id, [])
        return posts if include_rejected else [p for p in posts if p.accepted]

    def view_stack(self, view_id: str) -> list[StoredView]:
        """Open views of the stack ``view_id`` belongs to, root first."""
        root = self.views[view_id].root_view_id
        return [v for v in self.views.values() if v.root_view_id == root and not v.closed]

    def open_views(self, user_id: str | None = None) -> list[StoredView]:
        return [v for v in self.views.values() if not v.closed and (user_id is None or v.user_id == user_id)]

    def top_view(self, user_id: str | None = None) -> StoredView | None:
        views = self.open_views(user_id)
        return views[-1] if views else None

    # ----------------------------------------------------------------- dispatch
    def dispatch(self, method: str, args: JsonDict, token: str | None) -> ApiResult:
        """Answer one Web API call (auth, injected faults, rate limits, then the method)."""
        auth_error = self._auth_error(method, token)
        if auth_error:
            return ApiResult({"ok": False, "error": auth_error})
        fault = self._take_fault(method)
        if fault is not None:
            headers = {}
            if fault.status == 429 or fault.retry_after is not None:
                headers["Retry-After"] = str(
                    math.ceil(fault.retry_after if fault.retry_after is not None else 1)
                )
            return ApiResult({"ok": False, "error": fault.error}, fault.status, headers)
        handler = _METHODS.get(method)
        if handler is None:
            return ApiResult({"ok": False, "error": "unknown_method"})
        try:
            return handler(self, args)
        except SlackApiFailure as failure:
            return ApiResult({"ok": False, "error": failure.error, **failure.extra})

    def _auth_error(self, method: str, token: str | None) -> str | None:
        # Slack keeps the two token kinds apart: the app-level token opens Socket Mode connections
        # and nothing else; the bot token cannot open them.
        app_token = self.options.app_token
        if not token:
            return "not_authed"
        if method == "apps.connections.open":
            if token == self.options.bot_token:
                return "not_allowed_token_type"
            return None if token == app_token else "invalid_auth"
        if app_token and token == app_token:
            return "not_allowed_token_type"
        return None if token == self.options.bot_token else "invalid_auth"

    # ----------------------------------------------------------------- helpers for methods
    def _channel_for_post(self, channel_id: str | None) -> StandinChannel:
        if not channel_id:
            raise SlackApiFailure("channel_not_found")
        if channel_id.startswith(("U", "W")) and channel_id in self.users:
            channel_id = self.dm_channel_id(channel_id)
        channel = self.channels.get(channel_id)
        if channel is None:
            raise SlackApiFailure("channel_not_found")
        if channel.is_archived:
            raise SlackApiFailure("is_archived")
        if not channel.bot_is_member:
            raise SlackApiFailure("not_in_channel")
        return channel

    def _check_rate(self, channel: StandinChannel) -> ApiResult | None:
        rate = channel.rate_limit_per_second or self.options.rate_limit_per_channel_per_second
        if not rate:
            return None
        burst = max(1, self.options.rate_limit_burst)
        now = self.clock()
        tokens, last = self._buckets.get(channel.id, (float(burst), now))
        tokens = min(float(burst), tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._buckets[channel.id] = (tokens - 1.0, now)
            return None
        self._buckets[channel.id] = (tokens, now)
        wait = (1.0 - tokens) / rate
        return ApiResult(
            {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(max(1, math.ceil(wait)))}
        )

    def _validate_blocks(self, blocks: Any, limit: int) -> None:
        if blocks is None or not self.options.validate_blocks:
            return
        if not isinstance(blocks, list):
            raise SlackApiFailure("invalid_blocks_format")
        messages = []
        if len(blocks) > limit:
            messages.append(f"must provide no more than {limit} items [json-pointer:/blocks]")
        for index, raw in enumerate(blocks):
            problem = _block_problem(raw)
            if problem:
                messages.append(f"{problem} [json-pointer:/blocks/{index}]")
        if messages:
            raise SlackApiFailure("invalid_blocks", response_metadata={"messages": messages})

    def _validate_view(self, view: Any) -> JsonDict:
        if not isinstance(view, dict) or view.get("type") not in {"modal", "home"}:
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["invalid view"]})
        if self.options.validate_blocks:
            messages = []
            blocks = view.get("blocks") or []
            if len(blocks) > 100:
                messages.append("must provide no more than 100 items [json-pointer:/view/blocks]")
            try:
                View(**view).validate_json()
            except Exception as exc:
                messages.append(f"{exc} [json-pointer:/view]")
            for index, raw in enumerate(blocks):
                problem = _block_problem(raw)
                if problem:
                    messages.append(f"{problem} [json-pointer:/view/blocks/{index}]")
            if messages:
                raise SlackApiFailure("invalid_arguments", response_metadata={"messages": messages})
        return view

    def _stored_payload(self, view_id: str, view: JsonDict, **ids: Any) -> JsonDict:
        payload = copy.deepcopy(view)
        payload.update(
            {
                "id": view_id,
                "team_id": self.options.team_id,
                "app_id": self.options.app_id,
                "bot_id": self.options.bot_id,
                "app_installed_team_id": self.options.team_id,
                "hash": self._new_hash(),
                "state": {"values": {}},
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": view.get("external_id", ""),
                "clear_on_close": view.get("clear_on_close", False),
                "notify_on_close": view.get("notify_on_close", False),
                "blocks": view.get("blocks", []),
            }
        )
        payload.update(ids)
        return payload

    def _new_stored_view(
        self, view: JsonDict, user_id: str | None, root: str | None, previous: str | None
    ) -> StoredView:
        external_id = view.get("external_id") or None
        if external_id and any(v.external_id == external_id for v in self.views.values() if not v.closed):
            raise SlackApiFailure("duplicate_external_id")
        view_id = self._new_id("V")
        root_id = root or view_id
        payload = self._stored_payload(view_id, view, root_view_id=root_id, previous_view_id=previous)
        stored = StoredView(view_id, user_id, payload, root_id, previous, external_id)
        self.views[view_id] = stored
        return stored

    def _find_view(self, args: JsonDict) -> StoredView:
        view_id, external_id = args.get("view_id"), args.get("external_id")
        for stored in [*self.views.values(), *self.home_views.values()]:
            if (view_id and stored.id == view_id) or (external_id and stored.external_id == external_id):
                return stored
        raise SlackApiFailure("not_found")

    # ----------------------------------------------------------------- local mutations (driver/console)
    def close_view(self, view_id: str, *, clear: bool = False) -> None:
        """Close ``view_id`` (and the views above it), or the whole stack with ``clear``."""
        stored = self.views.get(view_id)
        if stored is None:
            return
        stack = self.view_stack(view_id)
        start = 0 if clear else next((i for i, v in enumerate(stack) if v.id == view_id), 0)
        for item in stack[start:]:
            item.closed = True
        self.notify()

    def apply_view_response(self, view_id: str, ack_body: JsonDict | None) -> StoredView | None:
        """Apply a view_submission ack as Slack would; return the view now on top (if any)."""
        stored = self.views.get(view_id)
        if stored is None:
            return None
        action = (ack_body or {}).get("response_action")
        if action == "errors":
            return stored
        if action == "update" and isinstance(ack_body.get("view"), dict):  # type: ignore[union-attr]
            view = ack_body["view"]  # type: ignore[index]
            stored.view = self._stored_payload(
                stored.id, view, root_view_id=stored.root_view_id, previous_view_id=stored.previous_view_id
            )
            stored.external_id = view.get("external_id") or stored.external_id
            self.notify()
            return stored
        if action == "push" and isinstance(ack_body.get("view"), dict):  # type: ignore[union-attr]
            pushed = self._new_stored_view(ack_body["view"], stored.user_id, stored.root_view_id, stored.id)  # type: ignore[index]
            self.notify()
            return pushed
        self.close_view(view_id, clear=action == "clear")
        stack = self.view_stack(view_id) if action != "clear" else []
        return stack[-1] if stack else None

    def post_response(self, url_id: str, payload: JsonDict) -> ResponsePost:
        """Handle a POST to a response_url (limits, expiry, and its effect on messages)."""
        now = time.time()
        entry = self.response_urls.get(url_id)
        if entry is None:
            status, answer = 404, "no_service"
        elif self.clock() - entry.created > self.options.response_url_ttl:
            status, answer = 404, "expired_url"
        elif entry.posts >= self.options.response_url_max_posts:
            status, answer = 404, "used_url"
        else:
            entry.posts += 1
            status, answer = 200, "ok"
            self._apply_response(entry, payload)
        post = ResponsePost(url_id, payload, now, status, answer)
        self.responses.setdefault(url_id, []).append(post)
        self.notify()
        return post

    def _apply_response(self, entry: ResponseUrl, payload: JsonDict) -> None:
        original = (
            self.find_message(entry.channel_id, entry.message_ts)
            if entry.channel_id and entry.message_ts
            else None
        )
        if _truthy(payload.get("delete_original")) and original is not None:
            original["deleted"] = True
            return
        content = {k: payload[k] for k in ("text", "blocks", "attachments") if k in payload}
        if _truthy(payload.get("replace_original")) and original is not None:
            original.update(content)
            original["edited"] = {"user": self.options.bot_user_id, "ts": self._new_ts()}
            return
        if entry.channel_id is None:
            return
        if payload.get("response_type") == "in_channel":
            self._messages.append(self._message(entry.channel_id, content, via="response_url"))
        else:
            message = self._message(entry.channel_id, content, via="response_url")
            message["user"] = entry.user_id
            self.ephemeral.append(message)

    def _message(self, channel_id: str, args: JsonDict, via: str = "api") -> JsonDict:
        message: JsonDict = {
            "type": "message",
            "channel": channel_id,
            "ts": self._new_ts(),
            "bot_id": self.options.bot_id,
            "app_id": self.options.app_id,
            "user": self.options.bot_user_id,
            "team": self.options.team_id,
            "text": args.get("text", ""),
            "via": via,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata", "unfurl_links", "unfurl_media"):
            if key in args:
                message[key] = args[key]
        return message


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _block_problem(raw: Any) -> str | None:
    if not isinstance(raw, dict) or "type" not in raw:
        return "missing required field: type"
    try:
        block = Block.parse(raw)
    except Exception as exc:
        return str(exc)
    if block is None:
        return f"unsupported type: {raw.get('type')}"
    try:
        block.validate_json()
    except Exception as exc:
        return str(exc)
    return None


# --------------------------------------------------------------------- Web API methods


def _auth_test(state: StandinState, args: JsonDict) -> ApiResult:
    o = state.options
    return ApiResult(
        {
            "ok": True,
            "url": f"https://{o.team_domain}.slack.com/",
            "team": o.team_domain,
            "user": "partners-bot",
            "team_id": o.team_id,
            "user_id": o.bot_user_id,
            "bot_id": o.bot_id,
            "is_enterprise_install": False,
        }
    )


def _post_message(state: StandinState, args: JsonDict) -> ApiResult:
    channel = state._channel_for_post(args.get("channel"))
    if not args.get("text") and not args.get("blocks") and not args.get("attachments"):
        raise SlackApiFailure("no_text")
    state._validate_blocks(args.get("blocks"), 50)
    limited = state._check_rate(channel)
    if limited is not None:
        return limited
    message = state._message(channel.id, args)
    state._messages.append(message)
    public = {k: v for k, v in message.items() if k not in {"channel", "via"}}
    return ApiResult({"ok": True, "channel": channel.id, "ts": message["ts"], "message": public})


def _post_ephemeral(state: StandinState, args: JsonDict) -> ApiResult:
    channel = state._channel_for_post(args.get("channel"))
    user = args.get("user")
    if not user or user not in state.users:
        raise SlackApiFailure("user_not_found")
    if channel.members is not None and user not in channel.members:
        raise SlackApiFailure("user_not_in_channel")
    if channel.is_im and channel.user != user:
        raise SlackApiFailure("user_not_in_channel")
    state._validate_blocks(args.get("blocks"), 50)
    message = state._message(channel.id, args)
    message["user"] = user
    state.ephemeral.append(message)
    return ApiResult({"ok": True, "message_ts": message["ts"]})


def _update(state: StandinState, args: JsonDict) -> ApiResult:
    channel = state._channel_for_post(args.get("channel"))
    message = state.find_message(channel.id, str(args.get("ts", "")))
    if message is None:
        raise SlackApiFailure("message_not_found")
    if message.get("user") != state.options.bot_user_id:
        raise SlackApiFailure("cant_update_message")
    state._validate_blocks(args.get("blocks"), 50)
    for key in ("text", "blocks", "attachments", "metadata"):
        if key in args:
            message[key] = args[key]
    message["edited"] = {"user": state.options.bot_user_id, "ts": state._new_ts()}
    public = {k: v for k, v in message.items() if k not in {"channel", "via"}}
    return ApiResult(
        {"ok": True, "channel": channel.id, "ts": message["ts"], "text": message["text"], "message": public}
    )


def _delete(state: StandinState, args: JsonDict) -> ApiResult:
    channel = state._channel_for_post(args.get("channel"))
    message = state.find_message(channel.id, str(args.get("ts", "")))
    if message is None:
        raise SlackApiFailure("message_not_found")
    message["deleted"] = True
    return ApiResult({"ok": True, "channel": channel.id, "ts": message["ts"]})


def _get_permalink(state: StandinState, args: JsonDict) -> ApiResult:
    channel_id = args.get("channel")
    if channel_id not in state.channels:
        raise SlackApiFailure("channel_not_found")
    ts = str(args.get("message_ts", ""))
    if state.find_message(channel_id, ts) is None:
        raise SlackApiFailure("message_not_found")
    link = f"https://{state.options.team_domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
    return ApiResult({"ok": True, "channel": channel_id, "permalink": link})


def _conversations_open(state: StandinState, args: JsonDict) -> ApiResult:
    if args.get("channel"):
        channel = state.channels.get(args["channel"])
        if channel is None:
            raise SlackApiFailure("channel_not_found")
    else:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            raise SlackApiFailure("users_list_not_supplied")
        if len(users) > 1:
            raise SlackApiFailure("not_supported", response_metadata={"messages": ["MPIMs not simulated"]})
        user = state.users.get(users[0])
        if user is None:
            raise SlackApiFailure("user_not_found")
        dm_id = state.dm_channel_id(user.id)
        channel = state.channels.get(dm_id) or state.add_channel(
            StandinChannel(dm_id, is_im=True, user=user.id)
        )
    full = _truthy(args.get("return_im"))
    return ApiResult({"ok": True, "channel": channel.to_slack() if full else {"id": channel.id}})


def _conversations_info(state: StandinState, args: JsonDict) -> ApiResult:
    channel = state.channels.get(args.get("channel", ""))
    if channel is None:
        raise SlackApiFailure("channel_not_found")
    return ApiResult({"ok": True, "channel": channel.to_slack()})


def _users_info(state: StandinState, args: JsonDict) -> ApiResult:
    user = state.users.get(args.get("user", ""))
    if user is None:
        raise SlackApiFailure("user_not_found")
    return ApiResult({"ok": True, "user": user.to_slack(state.options.team_id)})


def _views_open(state: StandinState, args: JsonDict) -> ApiResult:
    view = state._validate_view(args.get("view"))
    trigger = state._consume_trigger(args.get("trigger_id") or args.get("interactivity_pointer"))
    stored = state._new_stored_view(view, trigger.user_id, None, None)
    return ApiResult({"ok": True, "view": stored.view})


def _views_push(state: StandinState, args: JsonDict) -> ApiResult:
    view = state._validate_view(args.get("view"))
    trigger = state._consume_trigger(args.get("trigger_id") or args.get("interactivity_pointer"))
    below = state.views.get(trigger.view_id or "") or state.top_view(trigger.user_id)
    if below is None or below.closed:
        raise SlackApiFailure("not_found")
    stack = state.view_stack(below.id)
    if len(stack) >= state.options.view_stack_limit:
        raise SlackApiFailure("push_limit_reached")
    stored = state._new_stored_view(view, below.user_id, below.root_view_id, stack[-1].id)
    return ApiResult({"ok": True, "view": stored.view})


def _views_update(state: StandinState, args: JsonDict) -> ApiResult:
    if not args.get("view_id") and not args.get("external_id"):
        raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["view_id or external_id"]})
    view = state._validate_view(args.get("view"))
    stored = state._find_view(args)
    if args.get("hash") and args["hash"] != stored.hash:
        raise SlackApiFailure("hash_conflict")
    stored.view = state._stored_payload(
        stored.id, view, root_view_id=stored.root_view_id, previous_view_id=stored.previous_view_id
    )
    stored.external_id = view.get("external_id") or stored.external_id
    return ApiResult({"ok": True, "view": stored.view})


def _views_publish(state: StandinState, args: JsonDict) -> ApiResult:
    user_id = args.get("user_id", "")
    if user_id not in state.users:
        raise SlackApiFailure("user_not_found")
    view = state._validate_view(args.get("view"))
    if view.get("type") != "home":
        raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["view type must be home"]})
    current = state.home_views.get(user_id)
    if current is not None and args.get("hash") and args["hash"] != current.hash:
        raise SlackApiFailure("hash_conflict")
    view_id = current.id if current else state._new_id("V")
    payload = state._stored_payload(view_id, view, root_view_id=None, previous_view_id=None)
    state.home_views[user_id] = StoredView(view_id, user_id, payload, view_id, None, view.get("external_id"))
    return ApiResult({"ok": True, "view": payload})


def _apps_connections_open(state: StandinState, args: JsonDict) -> ApiResult:
    return ApiResult({"ok": True, "url": state.socket.issue_url(state.base_url)})


_METHODS: dict[str, Callable[[StandinState, JsonDict], ApiResult]] = {
    "apps.connections.open": _apps_connections_open,
    "auth.test": _auth_test,
    "chat.postMessage": _post_message,
    "chat.postEphemeral": _post_ephemeral,
    "chat.update": _update,
    "chat.delete": _delete,
    "chat.getPermalink": _get_permalink,
    "conversations.open": _conversations_open,
    "conversations.info": _conversations_info,
    "users.info": _users_info,
    "views.open": _views_open,
    "views.push": _views_push,
    "views.update": _views_update,
    "views.publish": _views_publish,
    **files.METHODS,
}
