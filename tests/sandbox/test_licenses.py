"""Solution licenses and subscriptions, on today's path and the 2018 alias."""

from __future__ import annotations

import re

import aiohttp
import pytest

from bot.sandbox import RunningSandbox

from .conftest import card_token

LICENSES = "/v2/partners/solutions/licenses"
PATHS = [
    "/v2/partners/solutions/licenses/livechat/{}/subscription",
    "/v2/partners/resellers/licenses/{}/subscription",
]


async def test_list_licenses(client: aiohttp.ClientSession) -> None:
    async with client.get(LICENSES) as resp:
        licenses = (await resp.json())["result"]
    assert 5 <= len(licenses) <= 6
    keys = {"license", "product", "client_name", "client_email", "cc_added", "paid", "payment_origin",
            "blocked", "active", "status", "end_timestamp"}  # fmt: skip
    assert all(set(lic) == keys for lic in licenses)
    # Documented: status trial|paid|expired, end_timestamp "YYYY-MM-DD HH:MM:SS" (UTC) or "".
    assert {lic["status"] for lic in licenses} == {"trial", "paid", "expired"}
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", lic["end_timestamp"])
        for lic in licenses
        if lic["status"] == "trial"
    )
    assert {lic["payment_origin"] for lic in licenses} == {"partner", "client"}
    assert {lic["product"] for lic in licenses} == {"livechat", "chatbot"}
    subscribable = [
        lic for lic in licenses
        if lic["product"] == "livechat" and lic["payment_origin"] == "partner" and not lic["paid"] and lic["active"]
    ]  # fmt: skip
    assert subscribable


async def test_license_details_and_404(client: aiohttp.ClientSession) -> None:
    async with client.get(f"{LICENSES}/livechat/11223301") as resp:
        details = await resp.json()
    assert {"seats", "plan", "billing_cycle", "status"} <= set(details)
    for path in (f"{LICENSES}/livechat/999", f"{LICENSES}/chatbot/11223301"):
        async with client.get(path) as resp:
            assert resp.status == 404
            assert "message" in (await resp.json())["error"]


@pytest.mark.parametrize("template", PATHS)
async def test_subscribe_then_conflict_and_token_reuse(
    sandbox: RunningSandbox, client: aiohttp.ClientSession, template: str
) -> None:
    token = (await card_token(client))["id"]
    form = {"token": token, "plan": "team", "billing_cycle": "annual", "seats": "3"}
    async with client.post(template.format("11223301"), data=form) as resp:
        assert resp.status == 201
        body = await resp.json()
    assert body["plan"] == "team" and body["seats"] == 3 and body["card_last4"] == "1111"
    assert body["price_per_seat_monthly"] == round(41 * 0.85, 2)
    async with client.get(f"{LICENSES}/livechat/11223301") as resp:
        details = await resp.json()
    assert details["paid"] and details["status"] == "active" and details["billing_cycle"] == "annual"

    async with client.post(template.format("11223301"), data=form) as resp:
        assert resp.status == 409
    async with client.post(template.format("11223306"), data=form) as resp:
        assert resp.status == 400
        assert (await resp.json())["error"]["fields"] == {"token": "token already used"}


async def test_subscribe_validation_and_404(client: aiohttp.ClientSession) -> None:
    bad = {"token": "forged", "plan": "gold", "billing_cycle": "weekly", "seats": "0"}
    async with client.post(PATHS[0].format("11223301"), data=bad) as resp:
        assert resp.status == 400
        fields = (await resp.json())["error"]["fields"]
    assert set(fields) == {"token", "plan", "billing_cycle", "seats"}
    async with client.post(PATHS[0].format("11223301"), data={}) as resp:
        assert resp.status == 400
    token = (await card_token(client))["id"]
    form = {"token": token, "plan": "starter", "billing_cycle": "monthly", "seats": "1"}
    for license_id in ("404040", "11223304"):  # unknown, and a chatbot license
        async with client.post(PATHS[1].format(license_id), data=form) as resp:
            assert resp.status == 404
    for license_id in ("11223302", "11223303", "11223305"):  # paid, client-paid, inactive
        async with client.post(PATHS[0].format(license_id), data=form) as resp:
            assert resp.status == 409
    async with client.post(PATHS[0].format("11223306"), data=form) as resp:
        assert resp.status == 201  # the token survived the failed attempts


async def test_update_and_close_subscription(client: aiohttp.ClientSession) -> None:
    path = PATHS[0].format("11223302")
    async with client.put(path, data={"seats": "10", "plan": "team"}) as resp:
        assert resp.status == 204
    async with client.get(f"{LICENSES}/livechat/11223302") as resp:
        details = await resp.json()
    assert details["seats"] == 10 and details["subscription"]["plan"] == "team"
    async with client.put(path, data={"seats": "-1"}) as resp:
        assert resp.status == 400
    async with client.delete(path) as resp:
        assert resp.status == 400
    async with client.delete(path, data={"password": "nope"}) as resp:
        assert resp.status == 403
    async with client.delete(path, data={"password": "sandbox-password"}) as resp:
        assert resp.status == 204
    async with client.put(PATHS[1].format("11223302"), data={"seats": "2"}) as resp:
        assert resp.status == 404
