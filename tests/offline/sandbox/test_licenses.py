"""Solution licenses and subscriptions in the documented shapes, on today's path and the 2018 alias."""

from __future__ import annotations

import time

import aiohttp
import pytest

from bot.offline.sandbox import RunningSandbox

from .conftest import card_token

LICENSES = "/v2/partners/solutions/licenses"
CURRENT = "/v2/partners/solutions/licenses/livechat/{}/subscription"
OLD = "/v2/partners/resellers/licenses/{}/subscription"


def _days_until(stamp: str, now: float) -> float:
    import calendar

    return (calendar.timegm(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) - now) / 86_400


async def post(
    client: aiohttp.ClientSession, template: str, license_id: str, fields: dict
) -> aiohttp.ClientResponse:
    """JSON on today's path, a form on the 2018 one (as each was documented)."""
    path = template.format(license_id)
    if template == OLD:
        kwargs = {"data": {k: str(v) for k, v in fields.items()}}
    else:
        kwargs = {"json": fields}
    async with client.post(path, **kwargs) as resp:
        await resp.read()
        return resp


async def test_list_licenses_has_status_and_trials_around_now(
    sandbox: RunningSandbox, client: aiohttp.ClientSession
) -> None:
    async with client.get(LICENSES) as resp:
        licenses = (await resp.json())["result"]
    keys = {"license", "product", "client_name", "client_email", "creation_timestamp", "end_timestamp",
            "cc_added", "paid", "payment_origin", "status"}  # fmt: skip
    assert all(set(lic) == keys for lic in licenses)  # no `active`/`blocked` since 2023
    now = sandbox.state.now()
    by_id = {lic["license"]: lic for lic in licenses}
    ending = [
        lic
        for lic in licenses
        if lic["status"] == "trial" and 0 < _days_until(lic["end_timestamp"], now) <= 3
    ]
    assert len(ending) >= 3  # some trials end within 1-3 days
    assert by_id["11223305"]["status"] == "expired" and by_id["11223310"]["status"] == "expired"
    assert by_id["11223302"]["status"] == "paid" and by_id["11223303"]["payment_origin"] == "client"
    assert by_id["11223309"]["status"] == "trial" and by_id["11223309"]["payment_origin"] == "client"


async def test_trial_expires_when_the_sandbox_clock_passes_its_end(
    sandbox: RunningSandbox, client: aiohttp.ClientSession
) -> None:
    for _ in range(3):
        sandbox.state.advance_day()
    async with client.get(f"{LICENSES}/livechat/11223301") as resp:
        assert (await resp.json())["status"] == "expired"


async def test_license_details_without_product_and_404(client: aiohttp.ClientSession) -> None:
    async with client.get(f"{LICENSES}/livechat/11223301") as resp:
        details = await resp.json()
    assert "product" not in details
    assert {"seats", "plan", "billing_cycle", "status", "end_timestamp", "invited_agents"} <= set(details)
    for path in (f"{LICENSES}/livechat/999", f"{LICENSES}/chatbot/11223301"):
        async with client.get(path) as resp:
            assert resp.status == 404


@pytest.mark.parametrize("template", [CURRENT, OLD])
async def test_subscribe_201_empty_then_conflict_and_token_reuse(
    sandbox: RunningSandbox, client: aiohttp.ClientSession, template: str
) -> None:
    token = (await card_token(client))["id"]
    fields = {"token": token, "plan": "team", "billing_cycle": "annual", "seats": 3}
    resp = await post(client, template, "11223301", fields)
    assert resp.status == 201 and resp.content_length in (0, None)
    assert sandbox.state.subscriptions["11223301"]["price_per_seat_monthly"] == round(41 * 0.85, 2)
    async with client.get(f"{LICENSES}/livechat/11223301") as r:
        details = await r.json()
    assert details["paid"] and details["status"] == "paid" and details["billing_cycle"] == "annual"
    assert (await post(client, template, "11223301", fields)).status == 409
    assert (await post(client, template, "11223306", fields)).status == 400


async def test_current_path_wants_json(client: aiohttp.ClientSession) -> None:
    token = (await card_token(client))["id"]
    form = {"token": token, "plan": "team", "billing_cycle": "monthly", "seats": "1"}
    async with client.post(CURRENT.format("11223301"), data=form) as resp:
        assert resp.status == 400


async def test_subscribe_validation_404_and_409(client: aiohttp.ClientSession) -> None:
    bad = {"token": "forged", "plan": "gold", "billing_cycle": "weekly", "seats": 0}
    async with client.post(CURRENT.format("11223301"), json=bad) as resp:
        assert resp.status == 400
        assert set((await resp.json())["error"]["fields"]) == {"token", "plan", "billing_cycle", "seats"}
    token = (await card_token(client))["id"]
    fields = {"token": token, "plan": "starter", "billing_cycle": "monthly", "seats": 1}
    for license_id in ("404040", "11223304"):  # unknown, and a chatbot license
        assert (await post(client, CURRENT, license_id, fields)).status == 404
    # paid, client-paid, expired trial, client-paid trial
    for license_id in ("11223302", "11223303", "11223305", "11223309"):
        assert (await post(client, CURRENT, license_id, fields)).status == 409
    assert (await post(client, CURRENT, "11223306", fields)).status == 201  # the token survived


async def test_update_and_close_subscription(sandbox: RunningSandbox, client: aiohttp.ClientSession) -> None:
    path = CURRENT.format("11223302")
    async with client.put(path, json={"seats": 10, "plan": "team"}) as resp:
        assert resp.status == 204
    assert sandbox.state.subscriptions["11223302"]["plan"] == "team"
    async with client.put(path, json={"seats": -1}) as resp:
        assert resp.status == 400
    async with client.delete(path, json={}) as resp:
        assert resp.status == 400
    async with client.delete(path, json={"password": "nope", "expire": True}) as resp:
        assert resp.status == 403
    async with client.delete(path, json={"password": "sandbox-password", "expire": True}) as resp:
        assert resp.status == 204
    async with client.put(path, json={"seats": 2}) as resp:
        assert resp.status == 409  # no subscription any more


async def test_counts_summary_by_status_and_invoices(client: aiohttp.ClientSession) -> None:
    async with client.get(f"{LICENSES}/count") as resp:
        counts = await resp.json()
    async with client.get("/v2/partners/solutions/summary") as resp:
        summary = await resp.json()
    assert counts == {"trials": 6, "paid": 2, "expired": 2}
    assert summary["trials"] == "6" and all(isinstance(v, str) for v in summary.values())
    async with client.get(f"{LICENSES}/trial", params={"limit": "4"}) as resp:
        first = await resp.json()
    async with client.get(
        f"{LICENSES}/trial", params={"limit": "4", "next_cursor": first["next_cursor"]}
    ) as resp:
        second = await resp.json()
    ids = [r["license_id"] for r in first["results"] + second["results"]]
    assert len(ids) == 6 == len(set(ids)) and second["next_cursor"] == ""
    async with client.get(f"{LICENSES}/trial", params={"limit": "16"}) as resp:
        assert resp.status == 400
    async with client.get(f"{LICENSES}/11223302/invoices") as resp:
        invoices = (await resp.json())["result"]
    assert invoices and all(i["plan"] == "business" and i["seats"] == 8 for i in invoices)
