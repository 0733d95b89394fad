"""Authentication, profile, earnings (both shapes), coupons and withdrawals."""

from __future__ import annotations

import aiohttp
import pytest

from bot.offline.sandbox import (
    SANDBOX_STATE,
    RunningSandbox,
    SandboxOptions,
    create_sandbox_app,
    start_sandbox,
)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic sandbox-token"},
        {"Authorization": "Bearer "},
    ],
)
async def test_unauthorized_is_401_with_error_body(sandbox: RunningSandbox, headers: dict[str, str]) -> None:
    async with aiohttp.ClientSession(sandbox.url, headers=headers) as session:
        async with session.get("/v2/partners/status") as resp:
            assert resp.status == 401
            body = await resp.json()
    assert set(body) == {"error"} and body["error"]["message"]


async def test_status_and_profile(client: aiohttp.ClientSession) -> None:
    async with client.get("/v2/partners/status") as resp:
        assert resp.status == 200
    async with client.get("/v2/partners") as resp:
        profile = await resp.json()
    assert isinstance(profile["partner_id"], str) and profile["login"]
    assert "name" not in profile and isinstance(profile["properties"], dict)


async def test_token_none_accepts_any_bearer() -> None:
    running = await start_sandbox(options=SandboxOptions(token=None))
    try:
        async with aiohttp.ClientSession(running.url) as session:
            async with session.get("/v2/partners", headers={"Authorization": "Bearer whatever"}) as resp:
                assert resp.status == 200
            async with session.get("/v2/partners") as resp:
                assert resp.status == 401
    finally:
        await running.close()


async def test_earnings_today_shape_is_consistent(client: aiohttp.ClientSession) -> None:
    async with client.get("/v2/partners/earnings") as resp:
        earnings = await resp.json()
    assert earnings["balance"] == 16519.12
    for key in ("blocked", "commission_total", "commission_last_30_days", "withdrawals", "pending"):
        assert isinstance(earnings[key], int | float)
    total = earnings["affiliate"]["commission_total"] + earnings["solution"]["commission_total"]
    assert round(total, 2) == earnings["commission_total"]
    assert earnings["balance"] == round(
        earnings["commission_total"] - earnings["withdrawals"] - earnings["pending"] - earnings["blocked"], 2
    )
    for side, products in (
        ("affiliate", ("livechat", "chatbot", "partner_program")),
        ("solution", ("livechat", "chatbot")),
    ):
        for product in products:
            assert {"commission_total", "commission_last_30_days"} <= set(earnings[side][product])
    assert "discount" in earnings["solution"]["livechat"]
    assert "discount" not in earnings["affiliate"]["livechat"]


async def test_earnings_2018_shape_from_options_and_at_runtime(sandbox: RunningSandbox) -> None:
    headers = {"Authorization": "Bearer sandbox-token"}
    sandbox.state.earnings_shape = "2018"
    async with aiohttp.ClientSession(sandbox.url, headers=headers) as session:
        async with session.get("/v2/partners/earnings") as resp:
            old = await resp.json()
    assert set(old) == {"balance", "commission", "blocked", "withdrawals", "pending", "discount"}
    assert old["balance"] == 16519.12 and old["commission"] == 26171.12
    app = create_sandbox_app(SandboxOptions(earnings_shape="2018"))
    assert app[SANDBOX_STATE].earnings_shape == "2018"
    with pytest.raises(ValueError):
        create_sandbox_app(SandboxOptions(earnings_shape="1999"))  # type: ignore[arg-type]


async def test_coupons(client: aiohttp.ClientSession) -> None:
    async with client.get("/v2/partners/coupons") as resp:
        coupons = (await resp.json())["result"]
    assert coupons and all({"id", "label"} <= set(c) for c in coupons)


async def test_withdrawals_list_and_request(sandbox: RunningSandbox, client: aiohttp.ClientSession) -> None:
    async with client.get("/v2/partners/withdrawals") as resp:
        history = (await resp.json())["result"]
    assert round(sum(w["amount"] for w in history if w["status"] == "paid"), 2) == 9252.0
    assert [w["action_timestamp"] for w in history if w["status"] == "pending"] == [""]
    async with client.get(
        "/v2/partners/withdrawals", params={"date_from": "2024-09-01", "date_to": "2024-11-30"}
    ) as resp:
        assert [w["withdrawal_id"] for w in (await resp.json())["result"]] == [5, 4]
    async with client.post("/v2/partners/withdrawals") as resp:  # no body: the whole balance
        assert resp.status == 201
        created = await resp.json()
    assert created["status"] == "pending" and created["action_timestamp"] == ""
    assert created["amount"] == 16519.12 and created["withdrawal_id"] == 7
    assert sandbox.state.balance() == 0
    async with client.post("/v2/partners/withdrawals") as resp:
        assert resp.status == 403  # below the $50 minimum
    sandbox.state.add_commission("affiliate", "livechat", 100)
    sandbox.state.billing_info = None
    async with client.post("/v2/partners/withdrawals") as resp:
        assert resp.status == 409


async def test_advance_day_moves_numbers_deterministically() -> None:
    a = create_sandbox_app(SandboxOptions(seed=7))[SANDBOX_STATE]
    b = create_sandbox_app(SandboxOptions(seed=7))[SANDBOX_STATE]
    before = a.earnings_totals()
    report = a.advance_day()
    after = a.earnings_totals()
    assert report["commission_added"] > 0
    assert after["commission_total"] == round(before["commission_total"] + report["commission_added"], 2)
    assert after["balance"] > before["balance"]
    for _ in range(6):
        a.advance_day()
    assert a.earnings_totals()["withdrawals"] > before["withdrawals"]  # day 7 paid the pending payout
    for _ in range(7):
        b.advance_day()
    assert a.earnings_totals() == b.earnings_totals()
