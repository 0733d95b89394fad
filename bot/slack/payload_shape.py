"""The shape of a signed Slack payload, checked before Bolt reads it.

Bolt and the listeners index payloads without checking types: `"id" in body["team"]`,
`body["view"]["type"]`, `body["workflow_step"]`, `event.get("function", {}).get(...)`… Slack never
sends an integer user id or a view without a type, but a signed request may (a leaked secret, a
buggy proxy), and each of those used to raise inside Bolt and answer 500. Everything Bolt's context
builder, matchers and step middleware read is checked here; the answer is a 400 naming the field.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

MAX_JSON_DEPTH = 64  # Slack's deepest payloads (rich text inside a view's state) nest ~15 levels

_STRING_FIELDS = (
    "type", "token", "trigger_id", "response_url", "callback_id", "api_app_id", "user_id", "team_id",
    "enterprise_id", "channel_id", "command", "text", "event_id", "challenge", "action_id", "block_id",
    "thread_ts", "function_execution_id", "bot_access_token", "message_ts", "action_ts",
)  # fmt: skip
# Interactive payloads carry these as objects with an "id" (listeners read `body["user"]["id"]`).
_ID_OBJECT_FIELDS = ("user", "team", "channel")
_OBJECT_FIELDS = (
    "event", "message", "previous_message", "container", "view", "state", "function", "function_data",
    "workflow_step", "item", "assistant_thread", "enterprise_info",
)  # fmt: skip
_VIEW_STRINGS = (
    "id", "hash", "type", "callback_id", "external_id", "private_metadata", "root_view_id",
    "previous_view_id", "app_installed_team_id", "team_id", "bot_id", "app_id",
)  # fmt: skip
# Inside events, messages and authorizations Bolt accepts these as a string or an object with an id.
_NESTED_ID_FIELDS = ("user", "team", "channel", "enterprise")
_NESTED_STRING_FIELDS = (
    "type", "subtype", "user_id", "team_id", "channel_id", "enterprise_id", "channel_type", "thread_ts",
    "ts", "event_ts", "bot_id", "user_team", "tab", "callback_id", "function_execution_id",
    "bot_access_token", "text", "client_msg_id",
)  # fmt: skip
_STRINGS_IN_JSON = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if the JSON text nests arrays/objects deeper than `limit` (brackets in strings ignored).

    json.loads recurses once per level: ~1,000 levels raise RecursionError. This scan is linear and
    never recurses, so it runs before the parser.
    """
    brackets = _BRACKETS.findall(_STRINGS_IN_JSON.sub("", text))
    if len(brackets) <= limit:
        return False
    return max(accumulate(1 if b in "[{" else -1 for b in brackets)) > limit


def _is_str(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _nested_problem(where: str, data: Any) -> str | None:
    """Id fields of an event, message or authorization in the shapes Bolt's extractors accept."""
    if data is None:
        return None
    if not isinstance(data, dict):
        return f"{where} is not an object"
    for name in _NESTED_ID_FIELDS:
        value = data.get(name)
        if value is None or isinstance(value, str):
            continue
        if not (isinstance(value, dict) and _is_str(value.get("id"))):
            return f"{where}.{name} is not a string or an object with a string id"
    for name in _NESTED_STRING_FIELDS:
        if not _is_str(data.get(name)):
            return f"{where}.{name} is not a string"
    return None


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


def _view_problem(body: dict[str, Any]) -> str | None:
    view = body.get("view")
    if view is None:
        return None
    if not all(_is_str(view.get(name)) for name in _VIEW_STRINGS):
        return "a view id field is not a string"
    # Listeners update the view by id and Bolt branches on its type (workflow_step saves): a view
    # without either cannot be handled, and failing after the ack would leave the modal spinning.
    if not isinstance(view.get("id"), str) or not isinstance(view.get("type"), str):
        return "view without a string id and type"
    if body.get("type") in ("view_submission", "view_closed") and not isinstance(
        view.get("callback_id"), str
    ):
        return "view without a string callback_id"
    if view["type"] == "workflow_step" and body.get("type") == "view_submission":
        step = body.get("workflow_step")
        if not (isinstance(step, dict) and isinstance(step.get("workflow_step_edit_id"), str)):
            return "workflow_step view without a workflow_step.workflow_step_edit_id"
    if problem := _values_problem(view):
        return f"view.{problem}"
    return None


def _event_problem(event: dict[str, Any] | None) -> str | None:
    if event is None:
        return None
    if not isinstance(event.get("type"), str):
        return "event.type is not a string"
    if problem := _nested_problem("event", event):
        return problem
    for name in ("message", "previous_message", "item", "assistant_thread"):
        if problem := _nested_problem(f"event.{name}", event.get(name)):
            return problem
    for name in ("function", "workflow_step"):
        if name in event and not isinstance(event[name], dict):
            return f"event.{name} is not an object"
    if event["type"] == "workflow_step_execute" and "workflow_step" in event:
        step = event["workflow_step"]
        if not isinstance(step.get("workflow_step_execute_id"), str) or not isinstance(
            event.get("callback_id"), str
        ):
            return "workflow_step_execute without a workflow_step_execute_id and callback_id"
    if event["type"] == "function_executed" and not isinstance(event.get("function"), dict):
        return "function_executed without a function object"
    return None


def _actions_problem(body: dict[str, Any]) -> str | None:
    actions = body.get("actions")
    if actions is None and body.get("type") != "block_actions":
        return None
    if not isinstance(actions, list) or not actions:
        return "actions is not a non-empty list"
    for action in actions:
        if (
            not isinstance(action, dict)
            or not all(_is_str(action.get(k)) for k in ("block_id", "type", "action_ts"))
            or not isinstance(action.get("action_id"), str)
        ):
            return "an action is not an object with string ids"
    return None


def _envelope_problem(body: dict[str, Any]) -> str | None:
    for name in _STRING_FIELDS:
        if not _is_str(body.get(name)):
            return f"{name} is not a string"
    for name in _ID_OBJECT_FIELDS:
        if name in body and not (isinstance(body[name], dict) and isinstance(body[name].get("id"), str)):
            return f"{name} is not an object with a string id"
    for name in ("team", "user"):  # Bolt reads team_id/enterprise_id from these for org installs
        if name in body and not all(_is_str(body[name].get(k)) for k in ("team_id", "enterprise_id")):
            return f"{name}.team_id is not a string"
    enterprise = body.get("enterprise")
    if enterprise is not None and not isinstance(enterprise, str):
        if not (isinstance(enterprise, dict) and _is_str(enterprise.get("id"))):
            return "enterprise is not an object with a string id"
    for name in _OBJECT_FIELDS:
        if name in body and not isinstance(body[name], dict):
            return f"{name} is not an object"
    if body.get("type") == "workflow_step_edit" and not isinstance(
        (body.get("workflow_step") or {}).get("workflow_step_edit_id"), str
    ):
        return "workflow_step_edit without a workflow_step.workflow_step_edit_id"
    return None


def _lists_problem(body: dict[str, Any]) -> str | None:
    authorizations = body.get("authorizations")
    if authorizations is not None:
        if not isinstance(authorizations, list):
            return "authorizations is not a list of objects"
        for position, authorization in enumerate(authorizations):
            if problem := _nested_problem(f"authorizations[{position}]", authorization):
                return problem
    response_urls = body.get("response_urls")
    if response_urls is not None and not (
        isinstance(response_urls, list)
        and all(isinstance(u, dict) and _is_str(u.get("response_url")) for u in response_urls)
    ):
        return "response_urls is not a list of objects with a string response_url"
    return None


def shape_problem(body: dict[str, Any]) -> str | None:
    """What is wrong with the fields Bolt and the listeners index without checking, if anything."""
    if problem := _envelope_problem(body):
        return problem
    for name in ("message", "previous_message", "item", "assistant_thread"):
        if problem := _nested_problem(name, body.get(name)):
            return problem
    checks = (_event_problem(body.get("event")), _view_problem(body), _values_problem(body))
    if problem := next((p for p in checks if p), None):
        return problem
    if problem := _actions_problem(body):
        return problem
    if "command" in body and not all(
        isinstance(body.get(k), str) and body[k] for k in ("user_id", "response_url", "trigger_id")
    ):
        return "a command without user_id, response_url or trigger_id"
    return _lists_problem(body)
