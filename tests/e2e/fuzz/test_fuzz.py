"""Thousands of signed, hostile requests: never a 5xx, never an ERROR logged, the bot stays up."""

from __future__ import annotations

import asyncio
import os
from collections import Counter

import aiohttp

from tests.e2e.fuzz.generators import HostileRequests

CASES = int(os.environ.get("HARDENING_FUZZ_CASES", "2500"))  # `make fuzz` runs more
SEED = int(os.environ.get("HARDENING_FUZZ_SEED", "20261125"))
CONCURRENCY = 16


async def test_generated_hostile_requests_never_crash_the_bot(hstack, debug_logs):
    standin = hstack.standin.state
    generator = HostileRequests(
        SEED,
        response_url=lambda: standin.new_response_url(channel_id="C_GENERAL", user_id="U_ADMIN"),
        trigger_id=lambda: standin.new_trigger_id("U_ADMIN"),
    )
    # Partners API answers slowly now and then, so listeners are still working as others arrive.
    hstack.sandbox.state.latency = 0.01
    requests = [generator.next() for _ in range(CASES)]
    statuses: Counter[int] = Counter()
    server_errors: list[str] = []
    gate = asyncio.Semaphore(CONCURRENCY)

    async def send(body: bytes, content_type: str, what: str) -> None:
        async with gate:
            result = await hstack.driver.raw(body, hstack.driver.sign(body), content_type)
        statuses[result.status] += 1
        if result.status >= 500:
            server_errors.append(f"{result.status} for {what}")

    await asyncio.gather(*(send(*request) for request in requests))
    await asyncio.sleep(0.3)  # let listeners that acked finish their work before checking the logs

    assert not server_errors, f"{len(server_errors)} server errors, e.g. {server_errors[:5]}"
    # "No unhandled error" is read from the capture: it must really be seeing Bolt's records.
    assert any(r.name == "slack_bolt" for r in debug_logs.records), "the log capture saw no Bolt record"
    errors = [f"{r.name}: {r.getMessage()[:200]}" for r in debug_logs.unhandled()]
    assert not errors, f"{len(errors)} unhandled errors logged, e.g. {errors[:5]}"
    # Most requests must have been answered normally, not just refused: the fuzz reached listeners.
    assert statuses[200] > CASES // 3, statuses
    async with aiohttp.ClientSession() as session, session.get(hstack.bot_url + "/healthz") as resp:
        assert resp.status == 200
    # And the bot still works for a real user afterwards.
    result = await hstack.driver.command("/earnings", user_id="U_PARTNER")
    if isinstance(result.body, dict):  # fresh cached earnings come back in the ack itself
        assert "Balance" in str(result.body["blocks"])
    else:
        post = await standin.wait_for_response(result.response_url, timeout=5)
        assert "Balance" in str(post.payload)
