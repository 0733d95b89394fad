"""SlackDriver: plays Slack's sending side (signed commands, actions, view events) against a Bolt app."""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.offline.slack_standin.signing import signed_headers
from bot.offline.slack_standin.state import JsonDict, StandinState

FORM = "application/x-www-form-urlencoded"
VERIFICATION_TOKEN = "standin-verification-token"  # deprecated by Slack; sent for realism only


@dataclass
class DriverResult:
    """What the app answered to one request the driver sent."""

    status: int
    body: Any  # parsed JSON if the answer was JSON, else the text ("" for an empty ack)
    text: str
    elapsed: float
    headers: dict[str, str] = field(default_factory=dict)
    response_url: str | None = None
    trigger_id: str | None = None
    payload: JsonDict | None = None  # the payload/form the driver sent

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def response_action(self) -> str | None:
        return self.body.get("response_action") if isinstance(self.body, dict) else None


# --------------------------------------------------------------------- state values from simple input


def _option_text(option: Mapping[str, Any]) -> str:
    text = option.get("text")
    return text.get("text", "") if isinstance(text, Mapping) else str(text or "")


def _match_options(element: Mapping[str, Any], wanted: Iterable[Any]) -> list[JsonDict]:
    options: list[JsonDict] = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    chosen = []
    for item in wanted:
        if isinstance(item, Mapping):
            chosen.append(dict(item))
            continue
        found = next(
            (o for o in options if o.get("value") == str(item) or _option_text(o) == str(item)), None
        )
        if found is None and options:
            raise ValueError(f"{item!r} is not an option of {element.get('action_id')!r}")
        chosen.append(found or {"text": {"type": "plain_text", "text": str(item)}, "value": str(item)})
    return chosen


def element_value(element: Mapping[str, Any], value: Any) -> JsonDict:
    """Turn a simple value into the ``state.values`` entry Slack sends for ``element``.

    Options may be given by value or visible text; dates as ``date`` or "YYYY-MM-DD".
    """
    kind = element.get("type", "plain_text_input")
    if kind in ("plain_text_input", "url_text_input", "email_text_input", "number_input"):
        return {"type": kind, "value": None if value is None else str(value)}
    if kind in ("static_select", "external_select", "radio_buttons"):
        selected = _match_options(element, [value])[0] if value is not None else None
        return {"type": kind, "selected_option": selected}
    if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        values = [] if value is None else [value] if isinstance(value, (str, int)) else list(value)
        return {"type": kind, "selected_options": _match_options(element, values)}
    if kind == "datepicker":
        text = value.isoformat() if isinstance(value, date) else value
        return {"type": kind, "selected_date": text}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value}
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": value}
    if kind == "channels_select":
        return {"type": kind, "selected_channel": value}
    return {"type": kind, "value": value}


def input_elements(view: Mapping[str, Any]) -> list[tuple[str, str, JsonDict]]:
    """``(block_id, action_id, element)`` for every input block (and actions-block element) of a view."""
    found = []
    for index, block in enumerate(view.get("blocks") or []):
        block_id = block.get("block_id") or f"block_{index}"
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            element = block["element"]
            found.append((block_id, element.get("action_id") or f"{block_id}_element", element))
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            element = block["accessory"]
            if element.get("type") not in ("button", "overflow", "image"):
                found.append((block_id, element.get("action_id") or f"{block_id}_accessory", element))
    return found


def build_state_values(view: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, dict[str, JsonDict]]:
    """Build ``view.state.values`` from answers keyed by block_id or action_id (simple values).

    Inputs without an answer are sent as Slack does for empty optional inputs.
    """
    values: dict[str, dict[str, JsonDict]] = {}
    for block_id, action_id, element in input_elements(view):
        if block_id in answers:
            raw = answers[block_id]
        elif action_id in answers:
            raw = answers[action_id]
        else:
            raw = element.get("initial_value") or element.get("initial_option") or element.get("initial_date")
        values.setdefault(block_id, {})[action_id] = element_value(element, raw)
    return values


def _find_block_id(container: Mapping[str, Any] | None, action_id: str) -> str | None:
    for block in (container or {}).get("blocks") or []:
        elements = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                elements.append(block[key])
        if any(e.get("action_id") == action_id for e in elements if isinstance(e, dict)):
            return block.get("block_id")
    return None


# --------------------------------------------------------------------- the driver


class SlackDriver:
    """Sends Slack-signed requests to a Bolt app's ``/slack/events`` endpoint."""

    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        standin: StandinState,
        session: aiohttp.ClientSession | None = None,
        team_id: str | None = None,
        team_domain: str | None = None,
        api_app_id: str | None = None,
        verification_token: str = VERIFICATION_TOKEN,
        timeout: float = 30.0,
    ) -> None:
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.standin = standin
        self.team_id = team_id or standin.options.team_id
        self.team_domain = team_domain or standin.options.team_domain
        self.api_app_id = api_app_id or standin.options.app_id
        self.verification_token = verification_token
        self.timeout = timeout
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> SlackDriver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self._own_session = True
        return self._session

    # ----------------------------------------------------------------- low level
    def sign(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """Slack's signature headers for ``body``."""
        return signed_headers(self.signing_secret, body, timestamp)

    async def raw(self, body: bytes, headers: Mapping[str, str], content_type: str = FORM) -> DriverResult:
        """POST ``body`` with exactly ``headers`` (plus Content-Type): for unsigned/stale/malformed tests."""
        all_headers = {"Content-Type": content_type, **headers}
        started = time.perf_counter()
        async with self._get_session().post(self.events_url, data=body, headers=all_headers) as resp:
            text = await resp.text()
            elapsed = time.perf_counter() - started
            parsed: Any = text
            if text and (resp.content_type == "application/json" or text.lstrip()[:1] == "{"):
                try:
                    parsed = json.loads(text)
                except ValueError:
                    parsed = text
            return DriverResult(resp.status, parsed, text, elapsed, dict(resp.headers))

    async def _send(
        self,
        body: bytes,
        content_type: str,
        retry_num: int | None,
        *,
        response_url: str | None,
        trigger_id: str | None,
        payload: JsonDict,
    ) -> DriverResult:
        headers = self.sign(body)
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        result = await self.raw(body, headers, content_type)
        result.response_url = response_url
        result.trigger_id = trigger_id
        result.payload = payload
        return result

    async def _send_payload(
        self, payload: JsonDict, retry_num: int | None = None, *, response_url: str | None = None
    ) -> DriverResult:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self._send(
            body,
            FORM,
            retry_num,
            response_url=response_url,
            trigger_id=payload.get("trigger_id"),
            payload=payload,
        )

    def _user(self, user_id: str) -> JsonDict:
        user = self.standin.users.get(user_id)
        name = user.name if user else user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _team(self) -> JsonDict:
        return {"id": self.team_id, "domain": self.team_domain}

    def _channel_name(self, channel_id: str) -> str:
        channel = self.standin.channels.get(channel_id)
        if channel is None:
            return channel_id.lower()
        return "directmessage" if channel.is_im else channel.name

    # ----------------------------------------------------------------- slash commands
    async def command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = "U_ADMIN",
        channel_id: str = "C_GENERAL",
        retry_num: int | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> DriverResult:
        """Send a slash command, form-encoded like Slack, with a fresh response_url and trigger_id."""
        response_url = response_url or self.standin.new_response_url(channel_id=channel_id, user_id=user_id)
        trigger_id = trigger_id or self.standin.new_trigger_id(user_id)
        user = self.standin.users.get(user_id)
        form = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": user.name if user else user_id.lower(),
            "command": command if command.startswith("/") else f"/{command}",
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        body = urlencode(form).encode()
        return await self._send(
            body, FORM, retry_num, response_url=response_url, trigger_id=trigger_id, payload=form
        )

    # ----------------------------------------------------------------- interactivity
    async def block_action(
        self,
        action_id: str,
        value: str | None = None,
        *,
        user_id: str = "U_ADMIN",
        channel_id: str | None = None,
        block_id: str | None = None,
        message: JsonDict | None = None,
        view: JsonDict | str | None = None,
        response_url: str | None = None,
        selected_option: JsonDict | None = None,
        action: JsonDict | None = None,
        retry_num: int | None = None,
    ) -> DriverResult:
        """Send a ``block_actions`` payload for a button (``value``) or select (``selected_option``).

        ``message`` is a message dict as the stand-in stores it (``state.messages()``); ``view`` is a
        stored view payload or a view id. ``action`` overrides the generated action dict entirely.
        """
        if isinstance(view, str):
            view = self.standin.views[view].view
        view_id = view.get("id") if view else None
        trigger_id = self.standin.new_trigger_id(user_id, view_id)
        if message is not None and channel_id is None:
            channel_id = message.get("channel")
        source = view if view is not None else message
        block_id = block_id or _find_block_id(source, action_id) or "standin_block"
        if action is None:
            action = {"action_id": action_id, "block_id": block_id, "action_ts": f"{time.time():.6f}"}
            if selected_option is not None:
                action.update(type="static_select", selected_option=selected_option)
            else:
                action.update(type="button", value=value, text={"type": "plain_text", "text": action_id})
        payload: JsonDict = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": trigger_id,
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view_id}
            payload["view"] = copy.deepcopy(view)
        elif channel_id is not None:
            ts = (message or {}).get("ts")
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": bool((message or {}).get("ephemeral", False)),
            }
            payload["channel"] = {"id": channel_id, "name": self._channel_name(channel_id)}
            if message is not None:
                payload["message"] = {k: v for k, v in message.items() if k not in ("channel", "via")}
            payload["state"] = {"values": {}}
            response_url = response_url or self.standin.new_response_url(
                channel_id=channel_id, user_id=user_id, message_ts=ts
            )
            payload["response_url"] = response_url
        return await self._send_payload(payload, retry_num, response_url=response_url)

    async def view_submission(
        self,
        view: JsonDict | str,
        values: Mapping[str, Mapping[str, JsonDict]] | None = None,
        *,
        user_id: str = "U_ADMIN",
        answers: Mapping[str, Any] | None = None,
        apply_response: bool = True,
        retry_num: int | None = None,
    ) -> DriverResult:
        """Submit a modal. ``values`` is ``state.values`` verbatim; or give simple ``answers``
        (keyed by block_id/action_id, see ``build_state_values``). With ``apply_response`` the
        ack's ``response_action`` (update/push/clear/errors/none = close) is applied to the stand-in.
        """
        if isinstance(view, str):
            view = self.standin.views[view].view
        if values is None:
            values = build_state_values(view, answers or {})
        submitted = copy.deepcopy(view)
        submitted["state"] = {"values": {b: dict(a) for b, a in values.items()}}
        trigger_id = self.standin.new_trigger_id(user_id, view.get("id"))
        payload: JsonDict = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": trigger_id,
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        result = await self._send_payload(payload, retry_num)
        if apply_response and result.ok and view.get("id") in self.standin.views:
            body = result.body if isinstance(result.body, dict) else None
            self.standin.apply_view_response(view["id"], body)
        return result

    async def view_closed(
        self,
        view: JsonDict | str,
        *,
        user_id: str = "U_ADMIN",
        is_cleared: bool = False,
        apply: bool = True,
        as_slack: bool = False,
    ) -> DriverResult | None:
        """Close a modal. Slack sends ``view_closed`` only when the view has ``notify_on_close``;
        the driver always sends it (tests of the listener need it), unless `as_slack` asks for
        Slack's rule (the console), when it returns None for a view that did not ask."""
        if isinstance(view, str):
            view = self.standin.views[view].view
        if as_slack and not view.get("notify_on_close"):
            if apply and view.get("id") in self.standin.views:
                self.standin.close_view(view["id"], clear=is_cleared)
            return None
        payload: JsonDict = {
            "type": "view_closed",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "view": copy.deepcopy(view),
            "is_cleared": is_cleared,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        if apply and view.get("id") in self.standin.views:
            self.standin.close_view(view["id"], clear=is_cleared)
        return await self._send_payload(payload)

    async def shortcut(self, callback_id: str, *, user_id: str = "U_ADMIN") -> DriverResult:
        """Send a global shortcut (``type: shortcut``) with a fresh trigger_id, as from the ⚡ menu."""
        payload: JsonDict = {
            "type": "shortcut",
            "callback_id": callback_id,
            "trigger_id": self.standin.new_trigger_id(user_id),
            "action_ts": f"{time.time():.6f}",
            "user": self._user(user_id),
            "team": self._team(),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return await self._send_payload(payload)

    # ----------------------------------------------------------------- events API
    async def event(self, event: JsonDict, *, retry_num: int | None = None) -> DriverResult:
        """Send an Events API ``event_callback`` wrapping ``event`` (JSON body)."""
        envelope = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "team_id": self.team_id,
                    "user_id": self.standin.options.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        body = json.dumps(envelope).encode()
        return await self._send(
            body, "application/json", retry_num, response_url=None, trigger_id=None, payload=envelope
        )

    async def app_home_opened(self, user_id: str = "U_ADMIN") -> DriverResult:
        """Send ``app_home_opened`` for the Home tab of ``user_id``."""
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.standin.dm_channel_id(user_id),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        home = self.standin.home_views.get(user_id)
        if home is not None:
            event["view"] = home.view
        return await self.event(event)
