"""Checks on a raw `POST /slack/events` request before Bolt sees it.

Bolt verifies signatures, but it parses the body first (`to_bolt_request`), so an unsigned request
with a JSON content type and a broken body, a non-numeric timestamp or a non-UTF-8 body used to crash
the handler with a 500 and an ERROR traceback. Here the raw bytes are authenticated first and only
well-formed bodies of the two content types Slack sends are handed on; everything else gets a 4xx
and never reaches a listener.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MAX_CLOCK_SKEW = 5 * 60  # Slack's replay window: older or newer timestamps are refused.
# Headers Bolt treats as internal instructions (lazy-listener re-entry); never accepted from outside.
INTERNAL_HEADER_PREFIX = "x-slack-bolt-"


@dataclass(frozen=True)
class Rejection:
    """Why a request was refused: the HTTP status and a short reason (safe to log and return)."""

    status: int
    reason: str


def check_signature(
    secret: str, headers: Mapping[str, str], body: bytes, now: Callable[[], float] = time.time
) -> Rejection | None:
    """401 unless the body carries a valid Slack signature with a timestamp within five minutes."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or not signature:
        return Rejection(401, "missing or malformed signature headers")
    if abs(now() - int(timestamp)) > MAX_CLOCK_SKEW:
        return Rejection(401, "stale or future timestamp")
    # Computed over the raw bytes: slack_sdk's SignatureVerifier decodes the body as UTF-8 first and
    # raises on anything else, which turned a garbage body into a 500.
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return Rejection(401, "bad signature")
    return None


def _parsed(text: str, content_type: str) -> Any:
    """The body as Bolt's `parse_body` will see it (a form, a JSON value, or None if unparseable)."""
    if not text:
        return {}
    if content_type == JSON or text.startswith("{"):
        return _json(text)
    form = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in text:
        return _json(form["payload"]) if "payload" in form else {}
    return form


_STRING_FIELDS = (
    "type", "token", "trigger_id", "response_url", "callback_id", "api_app_id", "user_id", "team_id",
    "enterprise_id", "channel_id", "command", "text", "event_id", "challenge",
)  # fmt: skip
# Interactive payloads carry these as objects with an "id" (listeners read `body["user"]["id"]`).
_ID_OBJECT_FIELDS = ("user", "team", "channel")
_OBJECT_FIELDS = ("event", "message", "previous_message", "container", "view", "state")  # never null
_VIEW_STRINGS = ("id", "hash", "type", "callback_id", "external_id", "private_metadata", "root_view_id")


def _is_str(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _values_problem(container: dict[str, Any]) -> str | None:
    if "state" not in container:
        return None
    state = container["state"]
    if not isinstance(state, dict):
        return "state is not an object"
    values = state.get("values", {})
    if not isinstance(values, dict) or not all(
        isinstance(by_action, dict) and all(isinstance(v, dict) for v in by_action.values())
        for by_action in values.values()
    ):
        return "state.values is not block_id → action_id → object"
    return None


def shape_problem(body: dict[str, Any]) -> str | None:
    """What is wrong with the envelope fields Bolt and the listeners index without checking, if anything.

    Slack never sends these shapes; refusing them with a 400 keeps Bolt's own parsing (which indexes
    `actions[0]`, calls `.get` on `event`, `in` on `user`…) from raising and answering 500.
    """
    for name in _STRING_FIELDS:
        if not _is_str(body.get(name)):
            return f"{name} is not a string"
    for name in _ID_OBJECT_FIELDS:
        if name in body and not (isinstance(body[name], dict) and isinstance(body[name].get("id"), str)):
            return f"{name} is not an object with a string id"
    enterprise = body.get("enterprise")
    if enterprise is not None and not (isinstance(enterprise, dict) and _is_str(enterprise.get("id"))):
        return "enterprise is not an object with a string id"
    for name in _OBJECT_FIELDS:
        if name in body and not isinstance(body[name], dict):
            return f"{name} is not an object"
    event = body.get("event")
    if event is not None and not isinstance(event.get("type"), str):
        return "event.type is not a string"
    view = body.get("view")
    if view is not None:
        if not all(_is_str(view.get(name)) for name in _VIEW_STRINGS):
            return "a view id field is not a string"
        if problem := _values_problem(view):
            return f"view.{problem}"
    if problem := _values_problem(body):
        return problem
    actions = body.get("actions")
    if actions is not None or body.get("type") == "block_actions":
        if not isinstance(actions, list) or not actions:
            return "actions is not a non-empty list"
        for action in actions:
            if (
                not isinstance(action, dict)
                or not all(_is_str(action.get(k)) for k in ("block_id", "type"))
                or not isinstance(action.get("action_id"), str)
            ):
                return "an action is not an object with string ids"
    if "command" in body and not all(
        isinstance(body.get(k), str) and body[k] for k in ("user_id", "response_url", "trigger_id")
    ):
        return "a command without user_id, response_url or trigger_id"
    authorizations = body.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "authorizations is not a list of objects"
    return None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def check_body(content_type: str, body: bytes) -> tuple[str | None, Rejection | None]:
    """The body as text if it is UTF-8 form or JSON that Bolt can parse; else a 400 rejection."""
    if content_type not in (FORM, JSON):
        return None, Rejection(400, f"unsupported content type {content_type[:60]!r}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None, Rejection(400, "body is not UTF-8")
    body_data = _parsed(text, content_type)
    if not isinstance(body_data, dict):
        return None, Rejection(400, "body is not a JSON object")
    if problem := shape_problem(body_data):
        return None, Rejection(400, f"malformed payload: {problem}")
    return text, None


def forwarded_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Request headers for Bolt, minus the ones Bolt reads as internal instructions."""
    return {k: v for k, v in headers.items() if not k.lower().startswith(INTERNAL_HEADER_PREFIX)}
