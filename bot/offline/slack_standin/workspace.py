"""The stand-in's workspace: users, channels, options, id/ts generation and the conversation methods.

Every other part of the stand-in (views, messages, files) reads the workspace; nothing here knows
about recorded traffic, injected faults or rate limits.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bot.offline.slack_standin.state import StandinState

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
class ApiResult:
    body: JsonDict
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class SlackApiFailure(Exception):
    """Raised inside method handlers to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class Workspace:
    """Users and channels of the stand-in workspace, and the ids, timestamps and hashes it hands out."""

    def __init__(self, options: StandinOptions) -> None:
        self.options = options
        self.clock = options.clock
        self.base_url = ""  # set once the server is bound
        self.users: dict[str, StandinUser] = {}
        self.channels: dict[str, StandinChannel] = {}
        self._ids = itertools.count(1)
        self._last_ts = 0.0
        for user in options.users:
            self.add_user(user)
        for channel in options.channels:
            self.add_channel(channel)

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

    def next_number(self) -> int:
        """The next number of the one counter every id of this workspace is drawn from."""
        return next(self._ids)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{self.next_number():010d}"

    def new_ts(self) -> str:
        now = max(time.time(), self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    @staticmethod
    def new_hash() -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def channel_for_post(self, channel_id: str | None) -> StandinChannel:
        """The channel a post to ``channel_id`` lands in (a user id means their DM), or the Slack error."""
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


def truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


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
    full = truthy(args.get("return_im"))
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


METHODS: dict[str, Callable[[StandinState, JsonDict], ApiResult]] = {
    "auth.test": _auth_test,
    "conversations.open": _conversations_open,
    "conversations.info": _conversations_info,
    "users.info": _users_info,
}
