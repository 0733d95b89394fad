"""Ordering views.update after a view_submission ack that itself replaced the view.

Slack applies an ack's `response_action: update` when it reads our HTTP answer. A `views.update`
sent right after the ack can reach Slack first and then be overwritten by the ack's view (a
"Working…" screen stuck forever), so follow-up updates wait until the ack has had time to land.
"""

from __future__ import annotations

import asyncio

ACK_SETTLE_SECONDS = 0.3


def ack_time() -> float:
    """The moment of an ack, on the running loop's clock."""
    return asyncio.get_running_loop().time()


async def after_ack_settles(acked_at: float, settle: float = ACK_SETTLE_SECONDS) -> None:
    """Wait until `settle` seconds have passed since `acked_at` (no wait when they already have)."""
    await asyncio.sleep(max(0.0, acked_at + settle - asyncio.get_running_loop().time()))
