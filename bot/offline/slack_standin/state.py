"""The Slack stand-in's state: one object composing the workspace, recording, faults, views and messages.

Each part has one job (`workspace`, `recording`, `faults`, `views`, `messages`, `files`); this class
wires them together, answers Web API calls (auth, injected faults, then the method) and keeps the one
surface tests, the driver and the console use. Everything is synchronous and runs on the event loop
thread; ``web_api`` is the HTTP glue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.offline.slack_standin import files, messages, views, workspace
from bot.offline.slack_standin.faults import FaultInjector, RateLimiter
from bot.offline.slack_standin.files import UploadedFile
from bot.offline.slack_standin.messages import Chat
from bot.offline.slack_standin.recording import RecordedRequest, Recorder, ResponsePost
from bot.offline.slack_standin.socket_mode import SocketModeHub
from bot.offline.slack_standin.views import StoredView, ViewStacks
from bot.offline.slack_standin.workspace import (
    ApiResult,
    JsonDict,
    SlackApiFailure,
    StandinChannel,
    StandinOptions,
    StandinUser,
    Workspace,
)

# Re-exported: these lived here before the split and are imported from here.
__all__ = [
    "ApiResult",
    "JsonDict",
    "RecordedRequest",
    "ResponsePost",
    "SlackApiFailure",
    "StandinChannel",
    "StandinOptions",
    "StandinState",
    "StandinUser",
    "StoredView",
]


class StandinState:
    """The stand-in workspace as tests, the driver and the console see it."""

    def __init__(self, options: StandinOptions | None = None) -> None:
        self.options = options or StandinOptions()
        self.workspace = Workspace(self.options)
        self.recorder = Recorder()
        self.faults = FaultInjector()
        self.rates = RateLimiter(self.workspace)
        self.view_stacks = ViewStacks(self.workspace, self.notify)
        self.chat = Chat(self.workspace, self.recorder)
        self.files: dict[str, UploadedFile] = {}  # bot/offline/slack_standin/files.py
        self.socket = SocketModeHub(self.notify, self.options.app_id)
        # The parts' containers, shared (not copied), so tests read and change them in place.
        self.clock = self.workspace.clock
        self.users = self.workspace.users
        self.channels = self.workspace.channels
        self.requests = self.recorder.requests
        self.responses = self.recorder.responses
        self.views = self.view_stacks.views
        self.home_views = self.view_stacks.home_views
        self.ephemeral = self.chat.ephemeral
        self.response_urls = self.chat.response_urls

    @property
    def base_url(self) -> str:
        """Where the stand-in listens; empty until the server is bound."""
        return self.workspace.base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self.workspace.base_url = value

    # ----------------------------------------------------------------- workspace setup
    def add_user(self, user: StandinUser, *, with_dm: bool = True) -> StandinUser:
        return self.workspace.add_user(user, with_dm=with_dm)

    def add_channel(self, channel: StandinChannel) -> StandinChannel:
        return self.workspace.add_channel(channel)

    @staticmethod
    def dm_channel_id(user_id: str) -> str:
        return Workspace.dm_channel_id(user_id)

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
        self.faults.fail_next(method, error, times, status, retry_after)

    def delay(self, method: str, seconds: float) -> None:
        """Delay every answer of ``method`` by ``seconds`` (0 removes the delay)."""
        self.faults.delay(method, seconds)

    def delay_for(self, method: str) -> float:
        return self.faults.delay_for(method)

    # ----------------------------------------------------------------- ids handed to the app
    def new_trigger_id(self, user_id: str | None = None, view_id: str | None = None) -> str:
        """Issue a trigger id valid for ``options.trigger_ttl`` seconds and one use."""
        return self.view_stacks.new_trigger_id(user_id, view_id)

    def new_response_url(
        self,
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """Issue a response_url; ``message_ts`` makes replace/delete_original act on that message."""
        return self.chat.new_response_url(channel_id=channel_id, user_id=user_id, message_ts=message_ts)

    # ----------------------------------------------------------------- recording and waiting
    def record(self, request: RecordedRequest) -> None:
        self.recorder.record(request)

    def notify(self) -> None:
        """Wake every ``wait_for`` so it re-checks its predicate."""
        self.recorder.notify()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every recorded request); return it."""
        return await self.recorder.wait_for(predicate, timeout)

    async def wait_for_call(self, method: str, timeout: float = 5.0, count: int = 1) -> RecordedRequest:
        """Wait until ``method`` was called ``count`` times; return the ``count``-th call."""
        return await self.recorder.wait_for_call(method, timeout, count)

    async def wait_for_response(self, response_url: str, timeout: float = 5.0) -> ResponsePost:
        """Wait for the first accepted post to ``response_url`` (URL or id)."""
        return await self.recorder.wait_for_response(response_url, timeout)

    def calls(self, method: str) -> list[RecordedRequest]:
        return self.recorder.calls(method)

    def response_posts(self, response_url: str, *, include_rejected: bool = False) -> list[ResponsePost]:
        return self.recorder.response_posts(response_url, include_rejected=include_rejected)

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

    # ----------------------------------------------------------------- messages
    def messages(self, channel: str | None = None, *, include_deleted: bool = False) -> list[JsonDict]:
        """Messages in channels (posted or in_channel responses), in post order, with current content."""
        return self.chat.messages(channel, include_deleted=include_deleted)

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[JsonDict]:
        return self.chat.ephemerals(channel, user)

    def find_message(self, channel: str, ts: str) -> JsonDict | None:
        return self.chat.find_message(channel, ts)

    def post_response(self, url_id: str, payload: JsonDict) -> ResponsePost:
        """Handle a POST to a response_url (limits, expiry, and its effect on messages)."""
        return self.chat.post_response(url_id, payload)

    # ----------------------------------------------------------------- views
    def view_stack(self, view_id: str) -> list[StoredView]:
        """Open views of the stack ``view_id`` belongs to, root first."""
        return self.view_stacks.view_stack(view_id)

    def open_views(self, user_id: str | None = None) -> list[StoredView]:
        return self.view_stacks.open_views(user_id)

    def top_view(self, user_id: str | None = None) -> StoredView | None:
        return self.view_stacks.top_view(user_id)

    def close_view(self, view_id: str, *, clear: bool = False) -> None:
        """Close ``view_id`` (and the views above it), or the whole stack with ``clear``."""
        self.view_stacks.close_view(view_id, clear=clear)

    def apply_view_response(self, view_id: str, ack_body: JsonDict | None) -> StoredView | None:
        """Apply a view_submission ack as Slack would; return the view now on top (if any)."""
        return self.view_stacks.apply_view_response(view_id, ack_body)

    def _new_stored_view(
        self, view: JsonDict, user_id: str | None, root: str | None, previous: str | None
    ) -> StoredView:
        # tests/offline/slack_standin/test_state.py opens views without a trigger id through this.
        return self.view_stacks.new_stored_view(view, user_id, root, previous)

    # ----------------------------------------------------------------- dispatch
    def dispatch(self, method: str, args: JsonDict, token: str | None) -> ApiResult:
        """Answer one Web API call (auth, injected faults, rate limits, then the method)."""
        auth_error = self._auth_error(method, token)
        if auth_error:
            return ApiResult({"ok": False, "error": auth_error})
        fault = self.faults.take(method)
        if fault is not None:
            return fault
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


def _apps_connections_open(state: StandinState, args: JsonDict) -> ApiResult:
    return ApiResult({"ok": True, "url": state.socket.issue_url(state.base_url)})


_METHODS: dict[str, Callable[[StandinState, JsonDict], ApiResult]] = {
    "apps.connections.open": _apps_connections_open,
    **workspace.METHODS,
    **messages.METHODS,
    **views.METHODS,
    **files.METHODS,
}
