"""An aiohttp load generator for Slack-signed requests: open loop at a fixed rate, closed loop at a
fixed concurrency, per-request latency and percentiles.

Bodies are built and signed before the clock starts, so the generator's own work during a run is
only sending and reading; that keeps its loop free to timestamp answers accurately.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp

from bot.offline.slack_standin.signing import signed_headers

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Prepared:
    """One request ready to send: body and headers (signature included)."""

    body: bytes
    headers: dict[str, str]
    tag: str = ""  # what the scenario needs to match the request later (e.g. its response_url)


@dataclass
class Sample:
    """What happened to one request; times are the loop's monotonic clock (seconds)."""

    scheduled: float
    start: float
    end: float
    status: int  # 0 when no HTTP answer came (timeout, connection error)
    error: str | None = None
    tag: str = ""
    in_body: bool = False  # the HTTP answer itself carried a message (Block Kit blocks)

    @property
    def latency(self) -> float:
        """Scheduled send to full answer: includes any lag of the generator (no coordinated omission)."""
        return self.end - self.scheduled

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class RunResult:
    """All samples of one run plus its wall time."""

    samples: list[Sample] = field(default_factory=list)
    wall_time: float = 0.0
    wall_offset: float = 0.0  # time.time() minus the loop's clock: turns sample times into wall times

    @property
    def count(self) -> int:
        return len(self.samples)

    @property
    def ok_count(self) -> int:
        return sum(1 for s in self.samples if s.ok)

    @property
    def errors(self) -> dict[str, int]:
        """Failures by kind: `HTTP <status>` or the exception's class name."""
        counts: dict[str, int] = {}
        for s in self.samples:
            if not s.ok:
                key = s.error or f"HTTP {s.status}"
                counts[key] = counts.get(key, 0) + 1
        return counts

    @property
    def throughput(self) -> float:
        """Successful requests per second of wall time."""
        return self.ok_count / self.wall_time if self.wall_time > 0 else 0.0

    def latencies(self) -> list[float]:
        """Latencies (seconds) of the requests that got any HTTP answer."""
        return [s.latency for s in self.samples if s.status]

    def percentile(self, p: float) -> float:
        return percentile(self.latencies(), p)

    def over(self, seconds: float) -> int:
        """Requests that took longer than `seconds` or never got an answer."""
        return sum(1 for s in self.samples if not s.status or s.latency > seconds)

    @property
    def in_body_count(self) -> int:
        """Requests whose HTTP answer carried the message itself (no response-URL post needed)."""
        return sum(1 for s in self.samples if s.ok and s.in_body)

    def send_lag(self, p: float) -> float:
        """How late the generator sent, at percentile `p`: a health check of the generator itself."""
        return percentile([s.start - s.scheduled for s in self.samples], p)


def percentile(values: Sequence[float], p: float) -> float:
    """The `p`-th percentile (0 to 100) with linear interpolation between ranks; NaN for no values."""
    if not 0 <= p <= 100:
        raise ValueError("p must be within 0..100")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --------------------------------------------------------------------- building requests


def fake_trigger_id(index: int) -> str:
    """A trigger id shaped and sized like Slack's (the bot keeps recent ones to spot retries)."""
    return f"{index}.{int(time.time())}.{secrets.token_hex(16)}"


def slash_command(
    secret: str,
    command: str,
    *,
    response_url: str,
    trigger_id: str,
    text: str = "",
    user_id: str = "U_ADMIN",
    user_name: str = "ada.admin",
    channel_id: str = "C_GENERAL",
    channel_name: str = "general",
    team_id: str = "T_STANDIN",
    team_domain: str = "standin",
    api_app_id: str = "A_STANDIN",
) -> Prepared:
    """A slash command form-encoded and signed the way Slack sends it (see `SlackDriver.command`)."""
    form = {
        "token": "standin-verification-token",
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    body = urlencode(form).encode()
    headers = {"Content-Type": FORM, **signed_headers(secret, body)}
    return Prepared(body, headers, tag=response_url)


# --------------------------------------------------------------------- sending


def new_session(connections: int = 0, timeout: float = 10.0) -> aiohttp.ClientSession:
    """A client session; `connections=0` means unlimited, so a slow answer never holds a later send."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, limit_per_host=connections),
        timeout=aiohttp.ClientTimeout(total=timeout),
    )


async def send_one(
    session: aiohttp.ClientSession, url: str, request: Prepared, scheduled: float | None = None
) -> Sample:
    """POST one prepared request and time it until its body has been read."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        async with session.post(url, data=request.body, headers=request.headers) as resp:
            data = await resp.read()
            status = resp.status
        error = None
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        status, error, data = 0, type(exc).__name__, b""
    end = loop.time()
    return Sample(
        start if scheduled is None else scheduled, start, end, status, error, request.tag, b'"blocks"' in data
    )


def wall_offset() -> float:
    """`time.time()` minus the running loop's clock, to compare sample times with other processes'."""
    return time.time() - asyncio.get_running_loop().time()


async def open_loop(
    url: str,
    requests: Sequence[Prepared],
    rate: float,
    *,
    session: aiohttp.ClientSession | None = None,
    timeout: float = 10.0,
) -> RunResult:
    """Send `requests` at `rate` per second by start time, never waiting for earlier answers."""
    if rate <= 0:
        raise ValueError("rate must be positive")
    own = session is None
    session = session or new_session(0, timeout)
    loop = asyncio.get_running_loop()
    tasks: list[asyncio.Task[Sample]] = []
    try:
        t0 = loop.time() + 0.01
        for index, request in enumerate(requests):
            scheduled = t0 + index / rate
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send_one(session, url, request, scheduled)))
        samples = list(await asyncio.gather(*tasks))
        return RunResult(samples, loop.time() - t0, wall_offset())
    finally:
        for task in tasks:
            task.cancel()
        if own:
            await session.close()


async def closed_loop(
    url: str,
    make_request: Callable[[int], Prepared],
    concurrency: int,
    *,
    duration: float | None = None,
    total: int | None = None,
    session: aiohttp.ClientSession | None = None,
    timeout: float = 10.0,
) -> RunResult:
    """`concurrency` workers each send the next request as soon as their previous one is answered,
    until `duration` seconds have passed or `total` requests were sent (whichever comes first)."""
    if duration is None and total is None:
        raise ValueError("give duration or total")
    own = session is None
    session = session or new_session(concurrency, timeout)
    loop = asyncio.get_running_loop()
    counter = itertools.count()
    samples: list[Sample] = []
    t0 = loop.time()
    deadline = t0 + duration if duration is not None else math.inf

    async def worker() -> None:
        while loop.time() < deadline:
            index = next(counter)
            if total is not None and index >= total:
                return
            samples.append(await send_one(session, url, make_request(index)))

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return RunResult(samples, loop.time() - t0, wall_offset())
    finally:
        if own:
            await session.close()


def screen_times(result: RunResult, posted_at: dict[str, float | None]) -> list[float | None]:
    """Per request, seconds from its scheduled send until the numbers were on screen, or None.

    Answered in the ack body: the HTTP answer's time. Otherwise: when the reply's post reached the
    Slack fake (`posted_at`, wall time, keyed by the request's tag = its response URL).
    """
    times: list[float | None] = []
    for sample in result.samples:
        if sample.ok and sample.in_body:
            times.append(sample.latency)
            continue
        posted = posted_at.get(sample.tag)
        times.append(None if posted is None else posted - (sample.scheduled + result.wall_offset))
    return times
