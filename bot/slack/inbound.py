"""Checks on a raw `POST /slack/events` request before Bolt sees it.

Bolt verifies signatures, but it parses the body first (`to_bolt_request`), so an unsigned request
with a JSON content type and a broken body, a non-numeric timestamp or a non-UTF-8 body used to crash
the handler with a 500 and an ERROR traceback. Here the raw bytes are authenticated first and only
well-formed bodies of the two content types Slack sends, in the shape Bolt expects
(bot/slack/payload_shape.py), are handed on; everything else gets a 4xx and never reaches a listener.
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

from bot.slack.payload_shape import MAX_JSON_DEPTH, json_too_deep, shape_problem

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


class _TooDeep:
    """Marker: the JSON nests deeper than any Slack payload (refused before json.loads recurses)."""


TOO_DEEP = _TooDeep()


def _json(text: str) -> Any:
    if json_too_deep(text):
        return TOO_DEEP
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
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
    if body_data is TOO_DEEP:
        return None, Rejection(400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(body_data, dict):
        return None, Rejection(400, "body is not a JSON object")
    if problem := shape_problem(body_data):
        return None, Rejection(400, f"malformed payload: {problem}")
    return text, None


def forwarded_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Request headers for Bolt, minus the ones Bolt reads as internal instructions."""
    return {k: v for k, v in headers.items() if not k.lower().startswith(INTERNAL_HEADER_PREFIX)}
