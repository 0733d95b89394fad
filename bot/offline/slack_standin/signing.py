"""Slack request signing (the scheme Slack uses for every request it sends to an app)."""

from __future__ import annotations

import hashlib
import hmac
import time


def slack_signature(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """Return ``"v0=" + HMAC-SHA256(secret, "v0:{timestamp}:{body}")`` as Slack computes it."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode("ascii") + b":" + raw
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed_headers(secret: str, body: bytes | str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack attaches to a signed request (timestamp defaults to now)."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": slack_signature(secret, ts, body),
    }
