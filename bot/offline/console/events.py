"""What the stand-in Slack recorded since a moment: new and edited messages, failed calls, posts.

`Recorder` is mixed into `ConsoleSession`: it names users and channels the way the console prints
them and turns the stand-in's records into titled events, marking what the bot posted on its own.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.alerts.blocks import ALERT_BLOCK_PREFIXES
from bot.offline.slack_standin.files import save_upload

JsonDict = dict[str, Any]
EPHEMERAL = "[only visible to you]"


def own_kind(message: JsonDict) -> str:
    """What a post the bot made on its own is, for its title: "alert", "digest" or "" (unknown)."""
    blocks = message.get("blocks") or []
    # Alerts carry their own block ids; a digest is known by its wording (it names itself).
    if any(str(block.get("block_id", "")).startswith(ALERT_BLOCK_PREFIXES) for block in blocks):
        return "alert"
    if "digest" in json.dumps(blocks or message.get("text") or "").lower():
        return "digest"
    return ""


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


class Recorder:
    """Needs `state` (the stand-in's records) and `user_id` (who is typing) from the class using it."""

    user_id: str

    @property
    def state(self) -> Any:
        raise NotImplementedError

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

    def own_title(self, message: JsonDict, updated: bool = False) -> str:
        """`── posted by the bot in #general (digest) ──` for what the bot sends on its own."""
        channel = message.get("channel")
        kind = (
            "a direct message"
            if channel in self.state.channels and self.state.channels[channel].is_im
            else ""
        )
        if not kind:
            kind = own_kind(message)
        verb = "updated" if updated else "posted"
        where = self.where(channel)
        if kind == "a direct message":
            return f"── {verb} by the bot: a direct message ({where}) ──"
        return f"── {verb} by the bot in {where}{f' ({kind})' if kind else ''} ──"

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

    def _events_since(self, snap: Snapshot, own: bool = False) -> list[_Event]:
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
                title = (
                    self.own_title(message, updated=True)
                    if own
                    else f"[message updated in {self.where(message['channel'])}]"
                )
                events.append(_Event(now, title, message, message))
        for message in messages[snap.messages :]:
            via = " (a reply visible to everyone)" if message.get("via") == "response_url" else ""
            title = (
                self.own_title(message) if own else f"[Partners Bot in {self.where(message['channel'])}{via}]"
            )
            events.append(_Event(float(message["ts"]), title, message, message))
        for message in s.ephemeral[snap.ephemerals :]:
            replaces = any(
                p.accepted
                and p.payload.get("replace_original") in (True, "true")
                and p.payload.get("text") == message.get("text")
                for p in new_posts
            )
            if message.get("user") == self.user_id:
                title = EPHEMERAL
            else:
                who = self.user_names().get(message.get("user"), message.get("user"))
                title = f"[only visible to @{who}]"
            if replaces:
                title = title[:-1] + ", replaces the previous reply]"
            events.append(_Event(float(message["ts"]), title, message, {**message, "ephemeral": True}))
        events.sort(key=lambda e: e.at)
        return events
