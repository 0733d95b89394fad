"""Affiliate campaigns: validation, creation, listing, disabling and reports."""

from __future__ import annotations

import aiohttp
import pytest

from bot.offline.sandbox import RunningSandbox

CAMPAIGNS = "/v2/partners/affiliates/campaigns"
LINK = "https://www.livechat.com/"


async def create(client: aiohttp.ClientSession, product: str | None, **form: str) -> aiohttp.ClientResponse:
    params = {"product": product} if product is not None else {}
    async with client.post(CAMPAIGNS, params=params, data={"link": LINK, **form}) as resp:
        await resp.read()
        return resp


@pytest.mark.parametrize(
    ("product", "form", "field"),
    [
        (None, {"name": "Valid name", "link": LINK}, "product"),
        ("livedesk", {"name": "Valid name", "link": LINK}, "product"),
        ("livechat", {"link": LINK}, "name"),
        ("livechat", {"name": "abcd", "link": LINK}, "name"),
        ("livechat", {"name": "x" * 101, "link": LINK}, "name"),
        ("livechat", {"name": "Valid name"}, "link"),  # required in today's docs
        ("livechat", {"name": "Valid name", "link": "not a url"}, "link"),
        ("livechat", {"name": "Valid name", "link": "ftp://example.com/x"}, "link"),
        ("livechat", {"name": "Valid name", "link": LINK, "trial_duration": "13"}, "trial_duration"),
        ("livechat", {"name": "Valid name", "link": LINK, "trial_duration": "31"}, "trial_duration"),
        ("livechat", {"name": "Valid name", "link": LINK, "trial_duration": "thirty"}, "trial_duration"),
        ("livechat", {"name": "Valid name", "link": LINK, "coupon_id": "one"}, "coupon_id"),
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
    # `discount` is the coupon's label, never a number.
    assert body["trial_duration"] == 30 and body["discount"] == "30% off first payment"
    assert (await create(client, "livechat", name="Default trial")).status == 201
    async with client.get(CAMPAIGNS) as resp:
        listed = {c["name"]: c for c in (await resp.json())["result"]}
    assert listed["Default trial"]["trial_duration"] == 14
    assert "discount" not in listed["Default trial"]  # only where a coupon applies
    assert listed["Summer Sale 2025!"]["discount"] == "30% off first payment"


async def test_duplicate_name_is_409_per_product(client: aiohttp.ClientSession) -> None:
    assert (await create(client, "livechat", name="Winter promo")).status == 201
    assert (await create(client, "livechat", name="winter PROMO")).status == 409
    assert (await create(client, "chatbot", name="Winter promo")).status == 201
    assert (await create(client, "livechat", name="Spring webinar")).status == 409  # seeded


async def test_list_defaults_to_active_and_disable_by_id(
    sandbox: RunningSandbox, client: aiohttp.ClientSession
) -> None:
    async with client.get(CAMPAIGNS) as resp:
        default = (await resp.json())["result"]
    async with client.get(CAMPAIGNS, params={"state": "active"}) as resp:
        active = (await resp.json())["result"]
    async with client.get(CAMPAIGNS, params={"state": "disabled"}) as resp:
        disabled = (await resp.json())["result"]
    assert default == active  # `active` is the default state
    assert len(active) == 3 and len(disabled) == 1
    assert all(c["active"] for c in active) and not disabled[0]["active"]
    assert all("id" not in c for c in active)  # ids come from search only
    async with client.get(CAMPAIGNS, params={"state": "bogus"}) as resp:
        assert resp.status == 400

    async with client.get(f"{CAMPAIGNS}/search", params={"state": "active", "product": "livechat"}) as resp:
        found = await resp.json()
    spring = next(r for r in found["results"] if r["slug"] == "pp_spring_webinar")
    async with client.delete(f"{CAMPAIGNS}/{spring['id']}") as resp:
        assert resp.status == 204
    async with client.delete(f"{CAMPAIGNS}/{spring['id']}") as resp:
        assert resp.status == 403  # already disabled
    async with client.delete(f"{CAMPAIGNS}/424242") as resp:
        assert resp.status == 403  # unknown
    async with client.delete(
        CAMPAIGNS, params={"product": "livechat", "slug": "pp_agency_newsletter"}
    ) as resp:
        assert resp.status == 405  # the pre-2023 DELETE by slug is gone
    async with client.get(CAMPAIGNS, params={"state": "disabled"}) as resp:
        assert len((await resp.json())["result"]) == 2


async def test_search_pages_of_15(client: aiohttp.ClientSession) -> None:
    for n in range(20):
        assert (await create(client, "livechat", name=f"Bulk campaign {n:02d}")).status == 201
    async with client.get(f"{CAMPAIGNS}/search", params={"page": "1"}) as resp:
        first = await resp.json()
    async with client.get(f"{CAMPAIGNS}/search", params={"page": "2"}) as resp:
        second = await resp.json()
    assert first["limit"] == 15 and first["total"] == 24
    assert len(first["results"]) == 15 and len(second["results"]) == 9
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 24 and all(isinstance(i, int) for i in ids)
    assert first["results"][0]["name"] == "Bulk campaign 19"  # newest first
    async with client.get(f"{CAMPAIGNS}/search", params={"page": "0"}) as resp:
        assert resp.status == 400


async def test_state_is_per_instance(sandbox: RunningSandbox, client: aiohttp.ClientSession) -> None:
    assert (await create(client, "livechat", name="Only here")).status == 201
    from bot.offline.sandbox import start_sandbox

    other = await start_sandbox()
    try:
        assert all(c["name"] != "Only here" for c in other.state.campaigns)
    finally:
        await other.close()


async def test_reports(client: aiohttp.ClientSession) -> None:
    assert (await create(client, "livechat", name="Fresh campaign")).status == 201
    async with client.get("/v2/partners/affiliates/performance") as resp:
        rows = (await resp.json())["result"]
    fresh = next(r for r in rows if r["utm_campaign"] == "pp_fresh_campaign")
    assert fresh["clicks"] == 0 and fresh["campaign_name"] == "Fresh campaign"
    async with client.get("/v2/partners/affiliates/history") as resp:
        assert resp.status == 404  # removed from the API in 2023; the commission report replaced it
