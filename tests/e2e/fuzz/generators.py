"""A seeded generator of signed-but-hostile Slack requests (commands, actions, views, events).

Ids worth hitting (action ids, callback ids) are collected from the `handlers` package at run time,
so features that land later are fuzzed without editing this file.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import random
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import handlers

COMMANDS = ["/earnings", "/campaign", "/subscribe", "/unknown", "", "earnings", "/EARNINGS"]
WORDS = [
    "",
    "help",
    "digest",
    "on",
    "off",
    "status",
    "new",
    "list",
    "active",
    "disabled",
    "disable",
    "07:30",
    "25:99",
    "Europe/Warsaw",
    "Mars/Olympus",
    "-1",
    "0",
    "9" * 40,
    "1e309",
    "NaN",
]
USERS = ["U_ADMIN", "U_PARTNER", "U_GUEST", "U_NOBODY", "", "U" * 300, "<@U_ADMIN>"]
NASTY_TEXT = [
    "💸" * 3000,
    "ζ€🦄\u202e\u200b\ufeff" * 50,
    "\x00\x01\x1b[31m",
    "a" * 200_000,
    "*bold* _it_ <!channel> <@U_ADMIN> <https://evil.example|click>",
    "'; DROP TABLE idempotency_keys; --",
    "{{7*7}} ${jndi:ldap://x} %s%s%n",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]


def known_ids() -> tuple[list[str], list[str]]:
    """Action and callback ids (constants named *ACTION_ID, *_ACTION, *ACTION_PREFIX, *CALLBACK[_ID])."""
    actions, callbacks = set(), set()
    for info in pkgutil.iter_modules(handlers.__path__):
        try:
            module = importlib.import_module(f"handlers.{info.name}")
        except Exception:  # another helper's half-written module: fuzz what imports
            continue
        for name, value in vars(module).items():
            if not isinstance(value, str) or not name.isupper():
                continue
            if name.endswith(("ACTION_ID", "_ACTION")):
                actions.add(value)
            elif name.endswith("ACTION_PREFIX"):
                actions.update({value, value + "LC-12345", value + "💥"})
            elif name.endswith(("CALLBACK_ID", "_CALLBACK")):
                callbacks.add(value)
    return sorted(actions), sorted(callbacks)


class HostileRequests:
    """`next()` returns (body bytes, content type, description) for one signed request to send."""

    def __init__(self, seed: int, response_url: Callable[[], str], trigger_id: Callable[[], str]):
        self.rng = random.Random(seed)
        self.response_url = response_url
        self.trigger_id = trigger_id
        self.actions, self.callbacks = known_ids()

    # ------------------------------------------------------------------ primitives
    def choice(self, options: list[Any]) -> Any:
        return self.rng.choice(options)

    def junk(self, depth: int = 0) -> Any:
        """A random JSON value of any type (the wrong type wherever it lands)."""
        kinds = ["str", "int", "float", "bool", "none", "list", "dict", "nasty"]
        if depth > 2:
            kinds = kinds[:5]
        kind = self.choice(kinds)
        if kind == "str":
            return self.choice(WORDS + USERS)
        if kind == "int":
            return self.rng.choice([0, -1, 2**63, self.rng.randint(-10, 10**6)])
        if kind == "float":
            return self.rng.choice([0.5, -1e308, 1e-9])
        if kind == "bool":
            return self.rng.random() < 0.5
        if kind == "none":
            return None
        if kind == "list":
            return [self.junk(depth + 1) for _ in range(self.rng.randint(0, 3))]
        if kind == "nasty":
            return self.choice(NASTY_TEXT)[:5000]
        return {self.choice(["id", "value", "type", "text", "x"]): self.junk(depth + 1) for _ in range(2)}

    def maybe(self, value: Any, p_junk: float = 0.04, p_drop: float = 0.06) -> Any:
        """The sensible value most of the time; otherwise junk, or the marker for 'leave it out'."""
        roll = self.rng.random()
        if roll < p_drop:
            return _DROP
        if roll < p_drop + p_junk:
            return self.junk()
        return value

    def url(self) -> Any:
        return self.choice(
            [self.response_url(), self.response_url(), "", "not a url", "http://127.0.0.1:9/response/x", 7]
        )

    def text(self) -> str:
        roll = self.rng.random()
        if roll < 0.4:
            return " ".join(self.choice(WORDS) for _ in range(self.rng.randint(0, 4)))
        if roll < 0.6:
            return self.choice(NASTY_TEXT)[: self.rng.choice([10, 3000, 20_000])]
        return "".join(chr(self.rng.randint(32, 0x2FFF)) for _ in range(self.rng.randint(0, 80)))

    @staticmethod
    def _clean(data: Any) -> Any:
        """Leave out every field (at any depth) that `maybe` decided to drop."""
        if isinstance(data, dict):
            return {k: HostileRequests._clean(v) for k, v in data.items() if v is not _DROP}
        if isinstance(data, list):
            return [HostileRequests._clean(v) for v in data if v is not _DROP]
        return data

    # ------------------------------------------------------------------ request kinds
    def command(self) -> tuple[bytes, str, str]:
        form = self._clean(
            {
                "command": self.maybe(self.choice(COMMANDS), p_junk=0),
                "text": self.maybe(self.text(), p_junk=0),
                "user_id": self.maybe(self.choice(USERS), p_junk=0),
                "user_name": "fuzz",
                "channel_id": self.maybe(self.choice(["C_GENERAL", "D_ADMIN", "C_NOPE", ""]), p_junk=0),
                "team_id": "T_STANDIN",
                "response_url": self.maybe(self.url(), p_junk=0),
                "trigger_id": self.maybe(self.trigger_id(), p_junk=0),
            }
        )
        return (
            urlencode({k: str(v) for k, v in form.items()}).encode(),
            "application/x-www-form-urlencoded",
            (f"command {form.get('command')!r}"),
        )

    def user(self) -> Any:
        return self.maybe({"id": self.choice(USERS), "name": "fuzz", "team_id": "T_STANDIN"})

    def view(self) -> Any:
        values = {
            f"block_{i}": {
                self.choice(
                    ["name", "product", "link", "coupon", "license", "plan", "seats", "card", "x"]
                ): self.maybe({"type": "plain_text_input", "value": self.text()})
            }
            for i in range(self.rng.randint(0, 5))
        }
        view = {
            "id": self.maybe("V" + str(self.rng.randint(1, 10**6))),
            "hash": self.maybe(f"{self.rng.randint(1, 10**9)}.abc"),
            "type": "modal",
            "callback_id": self.maybe(self.choice([*self.callbacks, "unknown_callback"]), p_junk=0.1),
            "private_metadata": self.maybe(
                self.choice(["", "{}", "{not json", json.dumps({"channel": 7}), "x" * 3000])
            ),
            "state": self.maybe({"values": self.maybe(values)}),
            "blocks": self.maybe([]),
        }
        return self.maybe(self._clean(view), p_junk=0.1, p_drop=0.05)

    def interactive(self) -> tuple[bytes, str, str]:
        kind = self.choice(
            ["block_actions"] * 4
            + ["view_submission"] * 4
            + ["view_closed", "shortcut", "message_action", "block_suggestion", "nonsense"]
        )
        action = self._clean(
            {
                "action_id": self.maybe(self.choice([*self.actions, "unknown_action"]), p_junk=0.05),
                "block_id": self.maybe("b"),
                "type": self.maybe(self.choice(["button", "static_select", "overflow"])),
                "value": self.maybe(self.text()[:2000]),
                "selected_option": self.maybe({"value": self.text()[:150]}, p_drop=0.5),
            }
        )
        payload = self._clean(
            {
                "type": self.maybe(kind, p_junk=0.05, p_drop=0.02),
                "user": self.user(),
                "team": {"id": "T_STANDIN"},
                "api_app_id": "A_STANDIN",
                "trigger_id": self.maybe(self.trigger_id()),
                "response_url": self.maybe(self.url(), p_drop=0.3),
                "actions": self.maybe([self.maybe(action, p_drop=0)] * self.rng.randint(0, 2)),
                "channel": self.maybe({"id": self.choice(["C_GENERAL", "C_NOPE", ""])}),
                "container": self.maybe({"type": "message", "channel_id": "C_GENERAL", "message_ts": "1.2"}),
                "message": self.maybe({"ts": "1.2", "blocks": self.maybe([])}, p_drop=0.5),
                "view": self.view() if kind.startswith("view") or self.rng.random() < 0.2 else _DROP,
                "callback_id": self.maybe(self.choice([*self.callbacks, "unknown_callback"]), p_drop=0.6),
                "value": self.maybe(self.text()[:50], p_drop=0.8),
            }
        )
        body = urlencode({"payload": json.dumps(payload)}).encode()
        action_id = action.get("action_id") if isinstance(action, dict) else None
        return body, "application/x-www-form-urlencoded", f"{payload.get('type')!r} {action_id!r}"

    def event(self) -> tuple[bytes, str, str]:
        envelope = self._clean(
            {
                "type": self.maybe(self.choice(["event_callback", "url_verification", "app_rate_limited"])),
                "challenge": self.maybe("c" * 10, p_drop=0.5),
                "team_id": "T_STANDIN",
                "event_id": self.maybe("Ev" + str(self.rng.randint(1, 10**9))),
                "event": self.maybe(
                    {
                        "type": self.choice(["app_home_opened", "message", "app_mention"]),
                        "user": self.choice(USERS),
                    }
                ),
            }
        )
        return json.dumps(envelope).encode(), "application/json", f"event {envelope.get('type')!r}"

    def next(self) -> tuple[bytes, str, str]:
        roll = self.rng.random()
        if roll < 0.35:
            return self.command()
        if roll < 0.9:
            return self.interactive()
        return self.event()


class _Drop:
    def __repr__(self) -> str:
        return "<drop>"


_DROP: Any = _Drop()
