"""Affiliate campaigns: validation, creation, listing, disabling and reports."""

from __future__ import annotations

import aiohttp
import pytest

from bot.sandbox import RunningSandbox

CAMPAIGNS = "/v2/partners/affiliates/campaigns"


async def create(client: aiohttp.ClientSession, product: str | None, **form: str) -> aiohttp.ClientResponse:
    params = {"product": product} if product is not None else {}
    async with client.post(CAMPAIGNS, params=params, data=form) as resp:
        await resp.read()
        return resp


@pytest.mark.parametrize(
    ("product", "form", "field"),
    [
        (None, {"name": "Valid name"}, "product"),
        ("livedesk", {"name": "Valid name"}, "product"),
        ("livechat", {}, "name"),
        ("livechat", {"name": "abcd"}, "name"),
        ("livechat", {"name": "x" * 101}, "name"),
        ("livechat", {"name": "Valid name", "link": "not a url"}, "link"),
        ("livechat", {"name": "Valid name", "link": "ftp://example.com/x"}, "link"),
        ("livechat", {"name": "Valid name", "trial_duration": "13"}, "trial_duration"),
        ("livechat", {"name": "Valid name", "trial_duration": "61"}, "trial_duration"),
        ("livechat", {"name": "Valid name", "trial_duration": "thirty"}, "trial_duration"),
        ("chatbot", {"name": "Valid name", "trial_duration": "30"}, "trial_duration"),
        ("livechat", {"name": "Valid name", "coupon_id": "one"}, "coupon_id"),
    ],
)
async def test_create_rejects_bad_params(
    client: aiohttp.ClientSession, product: str | None, form: dict[str, str], field: str
) -> None:
    params = {"product": product} if product is not None else {}
    async with client.post(CAMPAIGNS, params=params, data=form) as resp:
        assert resp.status == 400
        error = (await resp.json())["error"]
    assert field in error["fields"] and error["message"]


@pytest.mark.parametrize(("product", "coupon"), [("livechat", "99"), ("chatbot", "1")])
async def test_create_forbidden_coupon(client: aiohttp.ClientSession, product: str, coupon: str) -> None:
    resp = await create(client, product, name="Coupon campaign", coupon_id=coupon)
    assert resp.status == 403


async def test_create_returns_documented_shape(client: aiohttp.ClientSession) -> None:
    async with client.post(
        CAMPAIGNS,
        params={"product": "livechat"},
        data={
            "name": "Summer Sale 2025!",
            "link": "https://brightdesk.example/offer",
            "coupon_id": "1",
            "trial_duration": "30",
        },
    ) as resp:
        assert resp.status == 201
        body = await resp.json()
    assert set(body) == {"product", "name", "slug", "url", "short_url", "creation_timestamp", "trial_duration",
                         "discount"}  # fmt: skip
    assert body["slug"] == "pp_summer_sale_2025"
    assert (
        body["url"].startswith("https://brightdesk.example/offer?")
        and "utm_campaign=pp_summer_sale_2025" in body["url"]
    )
    assert body["short_url"].startswith("https://lc.chat/")
    assert body["trial_duration"] == 30 and body["discount"] == 30
    async with client.post(CAMPAIGNS, params={"product": "livechat"}, data={"name": "Default trial"}) as resp:
        assert (await resp.json())["trial_duration"] == 14
    async with client.post(CAMPAIGNS, params={"product": "chatbot"}, data={"name": "Chatbot one"}) as resp:
        assert resp.status == 201
        assert (await resp.json())["trial_duration"] is None


async def test_duplicate_name_is_409_per_product(client: aiohttp.ClientSession) -> None:
    assert (await create(client, "livechat", name="Winter promo")).status == 201
    assert (await create(client, "livechat", name="winter PROMO")).status == 409
    assert (await create(client, "chatbot", name="Winter promo")).status == 201
    assert (await create(client, "livechat", name="Spring webinar")).status == 409  # seeded


async def test_list_and_disable(sandbox: RunningSandbox, client: aiohttp.ClientSession) -> None:
    async with client.get(CAMPAIGNS, params={"state": "active"}) as resp:
        active = (await resp.json())["result"]
    async with client.get(CAMPAIGNS, params={"state": "disabled"}) as resp:
        disabled = (await resp.json())["result"]
    assert len(active) == 3 and len(disabled) == 1
    assert all(c["active"] for c in active) and not disabled[0]["active"]
    async with client.get(CAMPAIGNS, params={"state": "bogus"}) as resp:
        assert resp.status == 400

    target = {"product": "livechat", "slug": "pp_spring_webinar"}
    async with client.delete(CAMPAIGNS, params=target) as resp:
        assert resp.status == 204
    async with client.delete(CAMPAIGNS, params=target) as resp:
        assert resp.status == 403
    async with client.delete(CAMPAIGNS, params={"product": "livechat", "slug": "pp_nope"}) as resp:
        assert resp.status == 403
    async with client.delete(CAMPAIGNS, params={"product": "livechat"}) as resp:
        assert resp.status == 400
    async with client.get(CAMPAIGNS) as resp:
        every = (await resp.json())["result"]
    assert sum(not c["active"] for c in every) == 2
    assert sandbox.state.count("DELETE", CAMPAIGNS) == 4


async def test_state_is_per_instance(sandbox: RunningSandbox, client: aiohttp.ClientSession) -> None:
    assert (await create(client, "livechat", name="Only here")).status == 201
    from bot.sandbox import start_sandbox

    other = await start_sandbox()
    try:
        assert all(c["name"] != "Only here" for c in other.state.campaigns)
    finally:
        await other.close()


async def test_reports(client: aiohttp.ClientSession) -> None:
    assert (await create(client, "livechat", name="Fresh campaign")).status == 201
    async with client.get("/v2/partners/affiliates/performance") as resp:
        rows = (await resp.json())["result"]
    fresh = next(r for r in rows if r["slug"] == "pp_fresh_campaign")
    assert fresh["clicks"] == 0 and {"trials", "paid", "commission"} <= set(fresh)
    async with client.get("/v2/partners/affiliates/history") as resp:
        history = (await resp.json())["result"]
    assert len(history) == 36 and len({r["month"] for r in history}) == 12
