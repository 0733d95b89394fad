"""Call recording, latency, fault injection and hangs."""

from __future__ import annotations

import time

import aiohttp
import pytest

from bot.offline.sandbox import RunningSandbox, SandboxOptions, start_sandbox

EARNINGS = "/v2/partners/earnings"


async def test_calls_are_recorded_without_authorization(
    sandbox: RunningSandbox, client: aiohttp.ClientSession
) -> None:
    async with client.get(EARNINGS, params={"x": "1"}) as resp:
        assert resp.status == 200
    async with client.post("/v2/partners/affiliates/campaigns", params={"product": "livechat"},
                           data={"name": "Recorded one", "link": "https://www.livechat.com/"}) as resp:  # fmt: skip
        assert resp.status == 201
    first, second = sandbox.state.calls
    assert (first.method, first.path, first.query) == ("GET", EARNINGS, {"x": "1"})
    assert "Authorization" not in first.headers and "authorization" not in first.headers
    assert second.form == {"name": "Recorded one", "link": "https://www.livechat.com/"} and second.time > 0
    assert sandbox.state.count("GET", "/v2/partners") == 1
    assert sandbox.state.count("post", "/v2/partners/affiliates") == 1
    assert sandbox.state.count() == 2


async def test_latency_global_per_path_and_from_options(
    sandbox: RunningSandbox, client: aiohttp.ClientSession
) -> None:
    sandbox.state.latency = 0.15
    started = time.monotonic()
    async with client.get("/v2/partners/status") as resp:
        assert resp.status == 200
    assert time.monotonic() - started >= 0.15
    sandbox.state.latency = 0.0
    sandbox.state.latency_by_path["/v2/partners/earnings"] = 0.2
    started = time.monotonic()
    async with client.get("/v2/partners/status"):
        pass
    assert time.monotonic() - started < 0.15
    started = time.monotonic()
    async with client.get(EARNINGS):
        pass
    assert time.monotonic() - started >= 0.2
    running = await start_sandbox(options=SandboxOptions(latency=0.25))
    try:
        assert running.state.latency_for("/v2/partners") == 0.25
    finally:
        await running.close()


async def test_fail_next_once_then_recovers(sandbox: RunningSandbox, client: aiohttp.ClientSession) -> None:
    sandbox.state.fail_next(EARNINGS, 500)
    async with client.get(EARNINGS) as resp:
        assert resp.status == 500
        assert "message" in (await resp.json())["error"]
    async with client.get(EARNINGS) as resp:
        assert resp.status == 200


async def test_fail_next_variants(sandbox: RunningSandbox, client: aiohttp.ClientSession) -> None:
    state = sandbox.state
    state.fail_next("/v2/partners", 429, retry_after=0.5, times=2)
    for _ in range(2):
        async with client.get(EARNINGS) as resp:
            assert resp.status == 429 and resp.headers["Retry-After"] == "0.5"
    state.fail_next(EARNINGS, 503, body="<html>oops</html>", content_type="text/html", retry_after=2)
    async with client.get(EARNINGS) as resp:
        assert resp.status == 503 and resp.content_type == "text/html"
        assert await resp.text() == "<html>oops</html>" and resp.headers["Retry-After"] == "2"
    state.fail_next(EARNINGS, 200, body={"unexpected": ["shape"]})
    async with client.get(EARNINGS) as resp:
        assert resp.status == 200 and await resp.json() == {"unexpected": ["shape"]}
    state.fail_next("/v2/partners/affiliates/campaigns", 500, method="POST")
    async with client.get("/v2/partners/affiliates/campaigns") as resp:
        assert resp.status == 200  # GET does not match a POST-only fault
    async with client.post("/v2/partners/affiliates/campaigns", params={"product": "chatbot"},
                           data={"name": "After fault"}) as resp:  # fmt: skip
        assert resp.status == 500
    state.fail_next("/js/v1/token", 502)
    async with client.get("/js/v1/token") as resp:
        assert resp.status == 502
    assert not state.faults


async def test_hang_next_trips_client_timeout(sandbox: RunningSandbox, client: aiohttp.ClientSession) -> None:
    sandbox.state.hang_next(EARNINGS, 30)
    with pytest.raises(TimeoutError):
        async with client.get(EARNINGS, timeout=aiohttp.ClientTimeout(total=0.2)):
            pass
    async with client.get(EARNINGS, timeout=aiohttp.ClientTimeout(total=2)) as resp:
        assert resp.status == 200
    sandbox.state.hang_next("/v2/partners/status", 0.2)
    started = time.monotonic()
    async with client.get("/v2/partners/status") as resp:
        assert resp.status == 200
    assert time.monotonic() - started >= 0.2


async def test_close_is_fast_with_pending_hang() -> None:
    running = await start_sandbox()
    running.state.hang_next("/v2", 60)
    async with aiohttp.ClientSession(
        running.url, headers={"Authorization": "Bearer sandbox-token"}
    ) as session:
        with pytest.raises(TimeoutError):
            await session.get("/v2/partners", timeout=aiohttp.ClientTimeout(total=0.1))
    started = time.monotonic()
    await running.close()
    assert time.monotonic() - started < 1.5
    assert running.url.startswith("http://127.0.0.1:")


async def test_unknown_route_is_json_404(client: aiohttp.ClientSession) -> None:
    async with client.get("/v2/partners/nope") as resp:
        assert resp.status == 404
        assert "message" in (await resp.json())["error"]
    async with client.patch("/v2/partners/earnings") as resp:
        assert resp.status == 405
