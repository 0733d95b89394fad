"""Messages: chat.postMessage/postEphemeral/update/delete/getPermalink and response_url posts."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.offline.slack_standin.recording import Recorder, ResponsePost
from bot.offline.slack_standin.validation import validate_blocks
from bot.offline.slack_standin.workspace import ApiResult, JsonDict, SlackApiFailure, Workspace, truthy

if TYPE_CHECKING:
    from bot.offline.slack_standin.state import StandinState


@dataclass
class ResponseUrl:
    id: str
    url: str
    created: float
    channel_id: str | None = None
    user_id: str | None = None
    message_ts: str | None = None
    posts: int = 0


class Chat:
    """Messages in channels, ephemeral messages, and the response_urls that post or change them."""

    def __init__(self, workspace: Workspace, recorder: Recorder) -> None:
        self._workspace = workspace
        self._recorder = recorder
        self.posted: list[JsonDict] = []  # every channel message in post order, deleted ones marked
        self.ephemeral: list[JsonDict] = []
        self.response_urls: dict[str, ResponseUrl] = {}

    def messages(self, channel: str | None = None, *, include_deleted: bool = False) -> list[JsonDict]:
        """Messages in channels (posted or in_channel responses), in post order, with current content."""
        return [
            m
            for m in self.posted
            if (channel is None or m["channel"] == channel) and (include_deleted or not m.get("deleted"))
        ]

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[JsonDict]:
        return [
            m
            for m in self.ephemeral
            if (channel is None or m["channel"] == channel) and (user is None or m["user"] == user)
        ]

    def find_message(self, channel: str, ts: str) -> JsonDict | None:
        for message in self.posted:
            if message["channel"] == channel and message["ts"] == ts and not message.get("deleted"):
                return message
        return None

    def new_message(self, channel_id: str, args: JsonDict, via: str = "api") -> JsonDict:
        options = self._workspace.options
        message: JsonDict = {
            "type": "message",
            "channel": channel_id,
            "ts": self._workspace.new_ts(),
            "bot_id": options.bot_id,
            "app_id": options.app_id,
            "user": options.bot_user_id,
            "team": options.team_id,
            "text": args.get("text", ""),
            "via": via,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata", "unfurl_links", "unfurl_media"):
            if key in args:
                message[key] = args[key]
        return message

    # ----------------------------------------------------------------- response_url
    def new_response_url(
        self,
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """Issue a response_url; ``message_ts`` makes replace/delete_original act on that message."""
        if not self._workspace.base_url:
            raise RuntimeError("the stand-in is not started: base_url unknown")
        url_id = secrets.token_hex(12)
        url = f"{self._workspace.base_url}/response/{url_id}"
        self.response_urls[url_id] = ResponseUrl(
            url_id, url, self._workspace.clock(), channel_id, user_id, message_ts
        )
        return url

    def post_response(self, url_id: str, payload: JsonDict) -> ResponsePost:
        """Handle a POST to a response_url (limits, expiry, and its effect on messages)."""
        now = time.time()
        options = self._workspace.options
        entry = self.response_urls.get(url_id)
        if entry is None:
            status, answer = 404, "no_service"
        elif self._workspace.clock() - entry.created > options.response_url_ttl:
            status, answer = 404, "expired_url"
        elif entry.posts >= options.response_url_max_posts:
            status, answer = 404, "used_url"
        else:
            entry.posts += 1
            status, answer = 200, "ok"
            self._apply_response(entry, payload)
        post = ResponsePost(url_id, payload, now, status, answer)
        self._recorder.record_response(post)
        return post

    def _apply_response(self, entry: ResponseUrl, payload: JsonDict) -> None:
        original = (
            self.find_message(entry.channel_id, entry.message_ts)
            if entry.channel_id and entry.message_ts
            else None
        )
        if truthy(payload.get("delete_original")) and original is not None:
            original["deleted"] = True
            return
        content = {k: payload[k] for k in ("text", "blocks", "attachments") if k in payload}
        if truthy(payload.get("replace_original")) and original is not None:
            original.update(content)
            original["edited"] = {"user": self._workspace.options.bot_user_id, "ts": self._workspace.new_ts()}
            return
        if entry.channel_id is None:
            return
        if payload.get("response_type") == "in_channel":
            self.posted.append(self.new_message(entry.channel_id, content, via="response_url"))
        else:
            message = self.new_message(entry.channel_id, content, via="response_url")
            message["user"] = entry.user_id
            self.ephemeral.append(message)


# --------------------------------------------------------------------- Web API methods


def _valid_blocks(state: StandinState, args: JsonDict) -> None:
    validate_blocks(args.get("blocks"), 50, enabled=state.options.validate_blocks)


def _public(message: JsonDict) -> JsonDict:
    return {k: v for k, v in message.items() if k not in {"channel", "via"}}


def _post_message(state: StandinState, args: JsonDict) -> ApiResult:
    channel = state.workspace.channel_for_post(args.get("channel"))
    if not args.get("text") and not args.get("blocks") and not args.get("attachments"):
        raise SlackApiFailure("no_text")
    _valid_blocks(state, args)
    limited = state.rates.check(channel)
    if limited is not None:
        return limited
    message = state.chat.new_message(channel.id, args)
    state.chat.posted.append(message)
    return ApiResult({"ok": True, "channel": channel.id, "ts": message["ts"], "message": _public(message)})


def _post_ephemeral(state: StandinState, args: JsonDict) -> ApiResult:
    channel = state.workspace.channel_for_post(args.get("channel"))
    user = args.get("user")
    if not user or user not in state.users:
        raise SlackApiFailure("user_not_found")
    if channel.members is not None and user not in channel.members:
        raise SlackApiFailure("user_not_in_channel")
    if channel.is_im and channel.user != user:
        raise SlackApiFailure("user_not_in_channel")
    _valid_blocks(state, args)
    message = state.chat.new_message(channel.id, args)
    message["user"] = user
    state.chat.ephemeral.append(message)
    return ApiResult({"ok": True, "message_ts": message["ts"]})


def _update(state: StandinState, args: JsonDict) -> ApiResult:
    channel = state.workspace.channel_for_post(args.get("channel"))
    message = state.find_message(channel.id, str(args.get("ts", "")))
    if message is None:
        raise SlackApiFailure("message_not_found")
    if message.get("user") != state.options.bot_user_id:
        raise SlackApiFailure("cant_update_message")
    _valid_blocks(state, args)
    for key in ("text", "blocks", "attachments", "metadata"):
        if key in args:
            message[key] = args[key]
    message["edited"] = {"user": state.options.bot_user_id, "ts": state.workspace.new_ts()}
    return ApiResult(
        {
            "ok": True,
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": _public(message),
        }
    )


def _delete(state: StandinState, args: JsonDict) -> ApiResult:
    channel = state.workspace.channel_for_post(args.get("channel"))
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


METHODS: dict[str, Callable[[StandinState, JsonDict], ApiResult]] = {
    "chat.postMessage": _post_message,
    "chat.postEphemeral": _post_ephemeral,
    "chat.update": _update,
    "chat.delete": _delete,
    "chat.getPermalink": _get_permalink,
}
