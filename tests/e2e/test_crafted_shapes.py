"""Signed payloads in shapes Slack never sends, through the real server: a 400, never a 5xx.

Each case starts from a well-formed payload of its kind and breaks exactly one thing Bolt or a
listener reads (an id's type, a view's id or type, a workflow step, the nesting depth…). Before the
inbound gate 16 of these answered 500 and 5 more crashed a listener after the ack.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from handlers.campaign_views import CREATE_CALLBACK_ID

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
Mutation = Callable[[dict[str, Any]], Any]


def _user() -> dict[str, Any]:
    return {"id": "U_ADMIN", "username": "admin", "name": "admin", "team_id": "T_STANDIN"}


def block_actions(stack) -> dict[str, Any]:
    standin = stack.standin.state
    return {
        "type": "block_actions",
        "token": "verification",
        "api_app_id": "A_STANDIN",
        "user": _user(),
        "team": {"id": "T_STANDIN", "domain": "standin"},
        "channel": {"id": "C_GENERAL", "name": "general"},
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C_GENERAL"},
        "message": {"type": "message", "user": "U_BOT", "ts": "1700000000.000100", "text": "Balance"},
        "trigger_id": standin.new_trigger_id("U_ADMIN"),
        "response_url": standin.new_response_url(channel_id="C_GENERAL", user_id="U_ADMIN"),
        "actions": [
            {
                "type": "button",
                "action_id": "earnings_share",
                "block_id": "share",
                "value": "share",
                "action_ts": "1700000001.000200",
            }
        ],
    }


def view_submission(stack) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "token": "verification",
        "api_app_id": "A_STANDIN",
        "user": _user(),
        "team": {"id": "T_STANDIN", "domain": "standin"},
        "trigger_id": stack.standin.state.new_trigger_id("U_ADMIN"),
        "view": {
            "id": "V_CRAFTED",
            "type": "modal",
            "callback_id": CREATE_CALLBACK_ID,
            "hash": "1.abc",
            "private_metadata": "",
            "state": {"values": {}},
        },
    }


def event_callback(stack, event: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "event_callback",
        "token": "verification",
        "team_id": "T_STANDIN",
        "api_app_id": "A_STANDIN",
        "event_id": "Ev0CRAFTED",
        "event_time": 1700000000,
        "event": event or {"type": "app_home_opened", "user": "U_ADMIN", "channel": "D_ADMIN", "tab": "home"},
        "authorizations": [
            {"team_id": "T_STANDIN", "user_id": "U_BOT", "is_bot": True, "is_enterprise_install": False}
        ],
    }


def setter(path: str, value: Any) -> Mutation:
    """Set (or with value=DELETE remove) a dotted path such as `event.user` or `actions.0.action_id`."""

    def mutate(body: dict[str, Any]) -> dict[str, Any]:
        *parents, last = path.split(".")
        target: Any = body
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
        if isinstance(target, list):
            target[int(last)] = value
        elif value is DELETE:
            target.pop(last, None)
        else:
            target[last] = value
        return body

    return mutate


DELETE = object()


def nested(depth: int) -> str:
    """A marker `_encode` swaps for `depth` nested arrays (json.dumps itself cannot nest that deep)."""
    return f"__DEEP_{depth}__"


def _deepen(text: str) -> str:
    return re.sub(r'"__DEEP_(\d+)__"', lambda m: "[" * int(m.group(1)) + '"x"' + "]" * int(m.group(1)), text)


# (name, base builder, mutation, expected status)
REFUSED: list[tuple[str, str, Mutation]] = [
    # The 16 that answered 500 before the gate.
    ("view_submission view without type", "view", setter("view.type", DELETE)),
    ("view_submission view type null", "view", setter("view.type", None)),
    ("workflow_step view without the step", "view", setter("view.type", "workflow_step")),
    (
        "workflow_step view with the step a string",
        "view",
        lambda b: {**setter("view.type", "workflow_step")(b), "workflow_step": "step"},
    ),
    ("event.user an integer", "event", setter("event.user", 42)),
    ("event.channel an integer", "event", setter("event.channel", 42)),
    ("event.channel a list", "event", setter("event.channel", ["C1"])),
    ("authorizations[0].team an integer", "event", setter("authorizations.0", {"team": 7})),
    ("authorizations[0].team_id an integer", "event", setter("authorizations.0", {"team_id": 7})),
    ("authorizations[0] a string", "event", setter("authorizations.0", "T_STANDIN")),
    ("message.user an integer", "actions", setter("message.user", 42)),
    ("function a string", "actions", lambda b: {**b, "function": "fn"}),
    ("event.function a string", "event", setter("event", {"type": "function_executed", "function": "fn"})),
    ("JSON event nested 1,000 levels", "event", setter("event.deep", nested(1000))),
    ("payload nested 5,000 levels", "actions", setter("message.deep", nested(5000))),
    ("JSON nested 100,000 levels", "event", setter("event.deep", nested(100_000))),
    # Crashed after the ack: modal stuck on "Creating…".
    ("view_submission view without id", "view", setter("view.id", DELETE)),
    ("view_submission view id an integer", "view", setter("view.id", 5)),
    ("block_actions in a view without id", "actions", setter("view", {"type": "home", "callback_id": "x"})),
    # More of the same family.
    (
        "view_closed view without callback_id",
        "view",
        lambda b: {**setter("view.callback_id", DELETE)(b), "type": "view_closed"},
    ),
    ("view.app_installed_team_id an integer", "view", setter("view.app_installed_team_id", 3)),
    ("user.team_id an integer", "view", setter("user.team_id", 3)),
    ("user.id missing", "view", setter("user.id", DELETE)),
    ("team a string", "view", setter("team", "T_STANDIN")),
    ("enterprise an integer", "view", lambda b: {**b, "enterprise": 9}),
    (
        "workflow_step_edit without the step",
        "view",
        lambda b: {**b, "type": "workflow_step_edit", "callback_id": "x"},
    ),
    (
        "workflow_step_execute without callback_id",
        "event",
        setter(
            "event", {"type": "workflow_step_execute", "workflow_step": {"workflow_step_execute_id": "1"}}
        ),
    ),
    (
        "workflow_step_execute with the step a string",
        "event",
        setter("event", {"type": "workflow_step_execute", "callback_id": "c", "workflow_step": "s"}),
    ),
    ("event.type an integer", "event", setter("event.type", 1)),
    ("event a list", "event", setter("event", [1])),
    ("event.thread_ts an integer", "event", setter("event.thread_ts", 1)),
    ("event.team an integer", "event", setter("event.team", 1)),
    (
        "event.item.channel an integer",
        "event",
        setter("event", {"type": "reaction_added", "item": {"channel": 1}}),
    ),
    ("event.message.user a list", "event", setter("event", {"type": "message", "message": {"user": ["U1"]}})),
    (
        "event.previous_message a string",
        "event",
        setter("event", {"type": "message", "previous_message": "x"}),
    ),
    (
        "event.assistant_thread.channel_id an integer",
        "event",
        setter("event.assistant_thread", {"channel_id": 1}),
    ),
    ("authorizations an object", "event", lambda b: {**b, "authorizations": {"team_id": "T"}}),
    ("response_urls a string", "view", lambda b: {**b, "response_urls": "http://x"}),
    ("response_urls of strings", "view", lambda b: {**b, "response_urls": ["http://x"]}),
    ("actions a list of strings", "actions", setter("actions", ["earnings_share"])),
    ("actions an object", "actions", setter("actions", {"action_id": "earnings_share"})),
    ("actions empty", "actions", setter("actions", [])),
    ("action_id an integer", "actions", setter("actions.0.action_id", 7)),
    ("action_ts an integer", "actions", setter("actions.0.action_ts", 7)),
    ("function_data a string", "actions", lambda b: {**b, "function_data": "x"}),
    (
        "block_suggestion action_id an integer",
        "actions",
        lambda b: {**b, "type": "block_suggestion", "action_id": 1},
    ),
    ("thread_ts an integer", "actions", lambda b: {**b, "thread_ts": 1}),
    ("a 5,000-digit integer", "event", setter("event.event_ts", int("9" * 4000))),
]

# Odd but harmless: must be handled normally (brackets inside strings are not nesting).
ACCEPTED: list[tuple[str, str, Mutation]] = [
    ("brackets inside a string", "actions", setter("message.text", "[{" * 5000)),
    ("escaped quotes then brackets in a string", "actions", setter("message.text", '\\"[[[' * 2000 + '"')),
    ("channel as an object in the event", "event", setter("event.channel", {"id": "D_ADMIN"})),
    ("user as an object in the event", "event", setter("event.user", {"id": "U_ADMIN"})),
    ("unknown extra fields", "actions", lambda b: {**b, "extra": {"nested": [1, {"a": None}]}}),
]


def _base(stack, kind: str) -> dict[str, Any]:
    return {"view": view_submission, "actions": block_actions, "event": event_callback}[kind](stack)


def _encode(kind: str, payload: dict[str, Any]) -> tuple[bytes, str]:
    text = _deepen(json.dumps(payload))
    if kind == "event":
        return text.encode(), JSON
    return urlencode({"payload": text}).encode(), FORM


def _cases(cases) -> Iterator[Any]:
    for name, kind, mutation in cases:
        yield pytest.param(kind, mutation, id=name)


async def _send(stack, kind: str, mutation: Mutation):
    payload = mutation(copy.deepcopy(_base(stack, kind)))
    body, content_type = _encode(kind, payload)
    return await stack.driver.raw(body, stack.driver.sign(body), content_type)


def _listener_crashes(logs) -> list[str]:
    # "No crash logged" means something only if the capture saw this request: the gate's refusal
    # line (bot.web, INFO) or Bolt's own DEBUG records. An empty capture would pass every check.
    assert any(r.name in ("bot.web", "slack_bolt") for r in logs.records), "the log capture saw nothing"
    crashes = [r for r in logs.records if r.levelno >= logging.ERROR and r.name.startswith("handlers")]
    return [f"{r.name}: {r.getMessage()[:200]}" for r in [*logs.unhandled(), *crashes]]


def _handled(kind: str, status: int) -> bool:
    """Past the gate: 200, or Bolt's 404 for an event no listener subscribes to."""
    return status == 200 or (kind == "event" and status == 404)


async def test_the_well_formed_bases_are_handled(hstack, debug_logs):
    for kind in ("view", "actions", "event"):
        result = await _send(hstack, kind, lambda body: body)
        assert _handled(kind, result.status), (kind, result.status, result.text)
    # The bases do reach the fakes (the share posts to Slack), so the refused cases' "no Slack call,
    # no Partners call" below is checked against recorders that do record this stack's traffic.
    await hstack.standin.state.wait_for_call("chat.postMessage")
    assert not _listener_crashes(debug_logs)


@pytest.mark.parametrize(("kind", "mutation"), list(_cases(REFUSED)))
async def test_crafted_shape_is_refused_with_400_before_any_listener(hstack, debug_logs, kind, mutation):
    result = await _send(hstack, kind, mutation)
    assert result.status == 400, result.text
    assert isinstance(result.body, dict) and result.body["error"]
    # Nothing ran: no Slack call, no response_url post, no Partners API call.
    assert not hstack.standin.state.requests and not hstack.sandbox.state.calls
    assert not _listener_crashes(debug_logs)


@pytest.mark.parametrize(("kind", "mutation"), list(_cases(ACCEPTED)))
async def test_odd_but_valid_shape_is_handled(hstack, debug_logs, kind, mutation):
    result = await _send(hstack, kind, mutation)
    assert _handled(kind, result.status), (result.status, result.text)
    assert not _listener_crashes(debug_logs)


@pytest.mark.parametrize("zone", ["Europe", "America", "x" * 300, "Europe/", "../etc", "Etc/Nowhere"])
async def test_a_bad_digest_zone_gets_the_hint_not_something_went_wrong(hstack, debug_logs, zone):
    result = await hstack.driver.command("/earnings", f"digest on 09:00 {zone}", user_id="U_ADMIN")
    assert result.status == 200
    post = await hstack.standin.state.wait_for_response(result.response_url, timeout=5)
    assert "is not a time zone I know" in str(post.payload) and "Area/City" in str(post.payload)
    assert not _listener_crashes(debug_logs)


async def test_an_exception_inside_bolt_is_a_clean_json_error_and_one_log_line(hstack, caplog, monkeypatch):
    from bot.app import BOLT_KEY

    async def broken(request):
        raise RuntimeError("bolt broke with a secret payload inside")

    # The web app was built with this Bolt app; break its dispatch from the inside.
    bolt = hstack.runner.app[BOLT_KEY]
    monkeypatch.setattr(bolt, "async_dispatch", broken)
    with caplog.at_level(logging.INFO):
        result = await _send(hstack, "actions", lambda body: body)
    assert result.status == 500
    assert result.headers["Content-Type"].startswith("application/json")
    assert result.body == {"error": "the request could not be handled"}
    lines = [r for r in caplog.records if r.name == "bot.web" and r.levelno >= logging.ERROR]
    assert len(lines) == 1 and "RuntimeError" in lines[0].getMessage()
    assert not lines[0].exc_info and "secret payload" not in caplog.text


async def test_an_exception_while_bolt_parses_the_request_is_a_clean_json_error(hstack, monkeypatch):
    import bot.web

    def broken(**kwargs):
        raise TypeError("context builder broke")

    monkeypatch.setattr(bot.web, "AsyncBoltRequest", broken)
    result = await _send(hstack, "actions", lambda body: body)
    assert result.status == 500 and result.body == {"error": "the request could not be handled"}
