"""Modals and Home tabs: trigger ids, view stacks, and views.open/push/update/publish."""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.offline.slack_standin.validation import validate_view
from bot.offline.slack_standin.workspace import ApiResult, JsonDict, SlackApiFailure, Workspace

if TYPE_CHECKING:
    from bot.offline.slack_standin.state import StandinState


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


class ViewStacks:
    """Trigger ids and the views they opened: modal stacks (root first) and one Home tab per user."""

    def __init__(self, workspace: Workspace, notify: Callable[[], None]) -> None:
        self._workspace = workspace
        self._notify = notify
        self.views: dict[str, StoredView] = {}
        self.home_views: dict[str, StoredView] = {}
        self._triggers: dict[str, TriggerId] = {}

    # ----------------------------------------------------------------- trigger ids
    def new_trigger_id(self, user_id: str | None = None, view_id: str | None = None) -> str:
        """Issue a trigger id valid for ``options.trigger_ttl`` seconds and one use."""
        value = f"{self._workspace.next_number()}.{int(time.time())}.{secrets.token_hex(16)}"
        self._triggers[value] = TriggerId(value, self._workspace.clock(), user_id, view_id)
        return value

    def consume_trigger(self, trigger_id: str | None) -> TriggerId:
        if not trigger_id:
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["missing trigger_id"]})
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            raise SlackApiFailure("invalid_trigger_id")
        if trigger.used:
            raise SlackApiFailure("exchanged_trigger_id")
        if self._workspace.clock() - trigger.issued > self._workspace.options.trigger_ttl:
            raise SlackApiFailure("expired_trigger_id")
        trigger.used = True
        return trigger

    # ----------------------------------------------------------------- stored views
    def stored_payload(self, view_id: str, view: JsonDict, **ids: Any) -> JsonDict:
        options = self._workspace.options
        payload = copy.deepcopy(view)
        payload.update(
            {
                "id": view_id,
                "team_id": options.team_id,
                "app_id": options.app_id,
                "bot_id": options.bot_id,
                "app_installed_team_id": options.team_id,
                "hash": self._workspace.new_hash(),
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

    def new_stored_view(
        self, view: JsonDict, user_id: str | None, root: str | None, previous: str | None
    ) -> StoredView:
        external_id = view.get("external_id") or None
        if external_id and any(v.external_id == external_id for v in self.views.values() if not v.closed):
            raise SlackApiFailure("duplicate_external_id")
        view_id = self._workspace.new_id("V")
        root_id = root or view_id
        payload = self.stored_payload(view_id, view, root_view_id=root_id, previous_view_id=previous)
        stored = StoredView(view_id, user_id, payload, root_id, previous, external_id)
        self.views[view_id] = stored
        return stored

    def find_view(self, args: JsonDict) -> StoredView:
        view_id, external_id = args.get("view_id"), args.get("external_id")
        for stored in [*self.views.values(), *self.home_views.values()]:
            if (view_id and stored.id == view_id) or (external_id and stored.external_id == external_id):
                return stored
        raise SlackApiFailure("not_found")

    def view_stack(self, view_id: str) -> list[StoredView]:
        """Open views of the stack ``view_id`` belongs to, root first."""
        root = self.views[view_id].root_view_id
        return [v for v in self.views.values() if v.root_view_id == root and not v.closed]

    def open_views(self, user_id: str | None = None) -> list[StoredView]:
        return [v for v in self.views.values() if not v.closed and (user_id is None or v.user_id == user_id)]

    def top_view(self, user_id: str | None = None) -> StoredView | None:
        views = self.open_views(user_id)
        return views[-1] if views else None

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
        self._notify()

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
            stored.view = self.stored_payload(
                stored.id, view, root_view_id=stored.root_view_id, previous_view_id=stored.previous_view_id
            )
            stored.external_id = view.get("external_id") or stored.external_id
            self._notify()
            return stored
        if action == "push" and isinstance(ack_body.get("view"), dict):  # type: ignore[union-attr]
            pushed = self.new_stored_view(ack_body["view"], stored.user_id, stored.root_view_id, stored.id)  # type: ignore[index]
            self._notify()
            return pushed
        self.close_view(view_id, clear=action == "clear")
        stack = self.view_stack(view_id) if action != "clear" else []
        return stack[-1] if stack else None


# --------------------------------------------------------------------- Web API methods


def _valid_view(state: StandinState, args: JsonDict) -> JsonDict:
    return validate_view(args.get("view"), enabled=state.options.validate_blocks)


def _views_open(state: StandinState, args: JsonDict) -> ApiResult:
    stacks = state.view_stacks
    view = _valid_view(state, args)
    trigger = stacks.consume_trigger(args.get("trigger_id") or args.get("interactivity_pointer"))
    stored = stacks.new_stored_view(view, trigger.user_id, None, None)
    return ApiResult({"ok": True, "view": stored.view})


def _views_push(state: StandinState, args: JsonDict) -> ApiResult:
    stacks = state.view_stacks
    view = _valid_view(state, args)
    trigger = stacks.consume_trigger(args.get("trigger_id") or args.get("interactivity_pointer"))
    below = stacks.views.get(trigger.view_id or "") or stacks.top_view(trigger.user_id)
    if below is None or below.closed:
        raise SlackApiFailure("not_found")
    stack = stacks.view_stack(below.id)
    if len(stack) >= state.options.view_stack_limit:
        raise SlackApiFailure("push_limit_reached")
    stored = stacks.new_stored_view(view, below.user_id, below.root_view_id, stack[-1].id)
    return ApiResult({"ok": True, "view": stored.view})


def _views_update(state: StandinState, args: JsonDict) -> ApiResult:
    stacks = state.view_stacks
    if not args.get("view_id") and not args.get("external_id"):
        raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["view_id or external_id"]})
    view = _valid_view(state, args)
    stored = stacks.find_view(args)
    if args.get("hash") and args["hash"] != stored.hash:
        raise SlackApiFailure("hash_conflict")
    stored.view = stacks.stored_payload(
        stored.id, view, root_view_id=stored.root_view_id, previous_view_id=stored.previous_view_id
    )
    stored.external_id = view.get("external_id") or stored.external_id
    return ApiResult({"ok": True, "view": stored.view})


def _views_publish(state: StandinState, args: JsonDict) -> ApiResult:
    stacks = state.view_stacks
    user_id = args.get("user_id", "")
    if user_id not in state.users:
        raise SlackApiFailure("user_not_found")
    view = _valid_view(state, args)
    if view.get("type") != "home":
        raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["view type must be home"]})
    current = stacks.home_views.get(user_id)
    if current is not None and args.get("hash") and args["hash"] != current.hash:
        raise SlackApiFailure("hash_conflict")
    view_id = current.id if current else state.workspace.new_id("V")
    payload = stacks.stored_payload(view_id, view, root_view_id=None, previous_view_id=None)
    stacks.home_views[user_id] = StoredView(view_id, user_id, payload, view_id, None, view.get("external_id"))
    return ApiResult({"ok": True, "view": payload})


METHODS: dict[str, Callable[[StandinState, JsonDict], ApiResult]] = {
    "views.open": _views_open,
    "views.push": _views_push,
    "views.update": _views_update,
    "views.publish": _views_publish,
}
