"""Failures the stand-in answers on purpose: injected faults and delays, and per-channel rate limits."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.offline.slack_standin.workspace import ApiResult, StandinChannel, Workspace


@dataclass
class _Fault:
    error: str
    times: int
    status: int
    retry_after: float | None


class FaultInjector:
    """Faults and delays a test or the console asked for, per Web API method."""

    def __init__(self) -> None:
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, float] = {}

    def fail_next(
        self,
        method: str,
        error: str = "internal_error",
        times: int = 1,
        status: int = 200,
        retry_after: float | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (status 429 adds ``Retry-After``)."""
        if status == 429 and error == "internal_error":
            error = "ratelimited"
        self._faults.setdefault(method, []).append(_Fault(error, times, status, retry_after))

    def delay(self, method: str, seconds: float) -> None:
        """Delay every answer of ``method`` by ``seconds`` (0 removes the delay)."""
        if seconds > 0:
            self._delays[method] = seconds
        else:
            self._delays.pop(method, None)

    def delay_for(self, method: str) -> float:
        return self._delays.get(method, 0.0)

    def take(self, method: str) -> ApiResult | None:
        """The answer of the next injected fault of ``method`` (using it up), or None."""
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        headers = {}
        if fault.status == 429 or fault.retry_after is not None:
            headers["Retry-After"] = str(math.ceil(fault.retry_after if fault.retry_after is not None else 1))
        return ApiResult({"ok": False, "error": fault.error}, fault.status, headers)


class RateLimiter:
    """A token bucket per channel, as Slack limits chat.postMessage (about one per second)."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._buckets: dict[str, tuple[float, float]] = {}

    def check(self, channel: StandinChannel) -> ApiResult | None:
        """The 429 answer when ``channel`` is over its limit (spending a token otherwise), or None."""
        options = self._workspace.options
        rate = channel.rate_limit_per_second or options.rate_limit_per_channel_per_second
        if not rate:
            return None
        burst = max(1, options.rate_limit_burst)
        now = self._workspace.clock()
        tokens, last = self._buckets.get(channel.id, (float(burst), now))
        tokens = min(float(burst), tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._buckets[channel.id] = (tokens - 1.0, now)
            return None
        self._buckets[channel.id] = (tokens, now)
        wait = (1.0 - tokens) / rate
        return ApiResult(
            {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(max(1, math.ceil(wait)))}
        )
