"""Adapter fixes against LiveChat's documented shapes: one test per mismatch the contract exposed."""

from __future__ import annotations

import calendar
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr, ValidationError

from bot.partners import (
    PartnersClient,
    PartnersError,
    PartnersForbidden,
    PartnersRedirected,
    WriteOutcome,
)
from bot.partners.models import Campaign, License, LicenseDetails
from bot.partners.reports import Balance, SolutionSummary, Withdrawal

SEARCH = "/v2/partners/affiliates/campaigns/search"


class Recorder:
    """A tiny Partners API: canned answers per (method, path), and every request it saw."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], list[web.Response]] = {}
        self.seen: list[dict] = []
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    def on(self, method: str, path: str, *responses: web.Response) -> None:
        self.answers.setdefault((method, path), []).extend(responses)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(
            {
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "content_type": request.content_type,
                "body": await request.text(),
            }
        )
        queue = self.answers.get((request.method, request.path))
        if not queue:
            return web.json_response({"error": "unexpected"}, status=418)
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
async def api() -> AsyncIterator[tuple[Recorder, PartnersClient]]:
    recorder = Recorder()
    server = TestServer(recorder.app)
    await server.start_server()
    client = PartnersClient(str(server.make_url("")), SecretStr("unit-token"))
    try:
        yield recorder, client
    finally:
        await client.close()
        await server.close()


# Models ---------------------------------------------------------------------------------------


def test_campaign_discount_is_the_coupon_label_and_never_a_number():
    assert Campaign(product="livechat", name="n", slug="s", discount="30% off first payment").discount == (
        "30% off first payment"
    )
    assert Campaign(product="livechat", name="n", slug="s").discount == ""
    assert Campaign(product="livechat", name="n", slug="s", discount=None).discount == ""
    with pytest.raises(ValidationError):
        Campaign(product="livechat", name="n", slug="s", discount=30)


@pytest.mark.parametrize(
    ("status", "origin", "paid", "product", "expected"),
    [
        ("trial", "partner", False, "livechat", True),
        ("expired", "partner", False, "livechat", False),  # an expired trial is not offered
        ("paid", "partner", True, "livechat", False),
        ("trial", "client", False, "livechat", False),  # the client pays
        ("trial", "partner", True, "livechat", False),
        ("trial", "partner", False, "chatbot", False),  # the bot subscribes LiveChat licenses
    ],
)
def test_subscribable_follows_status_origin_and_paid(status, origin, paid, product, expected):
    row = {"license": "1", "product": product, "status": status, "payment_origin": origin, "paid": paid}
    assert License.model_validate(row).subscribable is expected
    details = LicenseDetails.model_validate({k: v for k, v in row.items() if k != "product"})
    # Details carry no product (it is in the path): only status, origin and paid decide.
    assert details.subscribable is (status == "trial" and origin == "partner" and not paid)


def test_license_details_parse_without_product_and_ignore_2018_flags():
    details = LicenseDetails.model_validate(
        {
            "license": 104130623,
            "status": "trial",
            "payment_origin": "partner",
            "active": False,
            "blocked": True,
        }
    )
    assert details.license == "104130623" and details.subscribable
    assert not hasattr(details, "product")


def test_withdrawal_reads_id_request_and_action_timestamps():
    pending = Withdrawal.model_validate(
        {
            "withdrawal_id": 2,
            "request_timestamp": "2018-03-06 12:24:42",
            "action_timestamp": "",
            "amount": 1520,
        }
    )
    assert pending.withdrawal_id == 2 and pending.action_timestamp is None
    assert pending.request_timestamp == datetime(2018, 3, 6, 12, 24, 42, tzinfo=UTC)


def test_timestamps_are_utc_whatever_the_host_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    try:
        parsed = Campaign(product="livechat", name="n", slug="s", creation_timestamp="2018-03-06 23:42:19")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    moment = parsed.creation_timestamp
    assert moment is not None and moment.utcoffset().total_seconds() == 0
    assert moment.timestamp() == calendar.timegm((2018, 3, 6, 23, 42, 19))


def test_amounts_as_numeric_strings_become_decimals():
    balance = Balance.model_validate(
        {"pending": 21.0, "withdrawn": "37", "available": 362, "total": "420.00"}
    )
    assert balance.total == Decimal("420.00") and balance.withdrawn == Decimal("37")
    summary = SolutionSummary.model_validate(
        {"trials": "12", "paid": "14", "expired": "13", "commission": "12.33", "discount": "34.11"}
    )
    assert summary.trials == 12 and summary.commission == Decimal("12.33")


# Campaign ids from search ---------------------------------------------------------------------


def _page(hits: list[dict], total: int) -> web.Response:
    return web.json_response({"results": hits, "total": total, "limit": 15})


async def test_disable_finds_the_id_on_a_later_search_page_and_deletes_by_id(api):
    recorder, client = api
    first = [{"id": n, "product": "livechat", "slug": f"pp_other_{n}"} for n in range(15)]
    second = [{"id": 99, "product": "livechat", "slug": "pp-spring-sale"}]  # search may spell pp_ as pp-
    recorder.on("GET", SEARCH, _page(first, 16), _page(second, 16))
    recorder.on("DELETE", "/v2/partners/affiliates/campaigns/99", web.Response(status=204))
    await client.disable_campaign(product="livechat", slug="pp_spring-sale")
    pages = [s["query"]["page"] for s in recorder.seen if s["path"] == SEARCH]
    assert pages == ["1", "2"]
    assert recorder.seen[-1]["method"] == "DELETE" and recorder.seen[-1]["path"].endswith("/99")


async def test_disable_of_a_slug_search_does_not_show_sends_no_delete(api):
    recorder, client = api
    recorder.on("GET", SEARCH, _page([{"id": 1, "product": "livechat", "slug": "pp_x"}], 1))
    with pytest.raises(PartnersForbidden):
        await client.disable_campaign(product="livechat", slug="pp_missing")
    # Exactly the one search page: an empty list would also mean "no DELETE", but proves no search.
    assert [s["method"] for s in recorder.seen] == ["GET"]


# Writes mean what the API says ----------------------------------------------------------------

SUB = "/v2/partners/solutions/licenses/livechat/77/subscription"
ORDER = {"token": SecretStr("rec-tok"), "plan": "team", "billing_cycle": "annual", "seats": 2}


async def test_subscription_is_one_json_post_and_201_without_body_is_created(api):
    recorder, client = api
    recorder.on("POST", SUB, web.Response(status=201))
    result = await client.create_subscription("77", **ORDER)
    assert result.outcome is WriteOutcome.CREATED and result.status == 201 and result.body is None
    (seen,) = recorder.seen
    assert seen["content_type"] == "application/json"
    assert json.loads(seen["body"]) == {
        "token": "rec-tok",
        "plan": "team",
        "billing_cycle": "annual",
        "seats": 2,
    }


async def test_a_2xx_with_an_unreadable_body_is_applied_not_unknown(api):
    recorder, client = api
    recorder.on("POST", SUB, web.Response(status=200, text="<html>ok</html>", content_type="text/html"))
    result = await client.create_subscription("77", **ORDER)
    assert result.outcome is WriteOutcome.APPLIED


async def test_a_201_with_any_body_is_created(api):
    recorder, client = api
    recorder.on("POST", SUB, web.Response(status=201, text="{not json"))
    assert (await client.create_subscription("77", **ORDER)).outcome is WriteOutcome.CREATED


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_writes_never_follow_redirects(api, status):
    recorder, client = api
    recorder.on("POST", SUB, web.Response(status=status, headers={"Location": "/elsewhere"}))
    recorder.on("POST", "/elsewhere", web.Response(status=201))
    recorder.on("GET", "/elsewhere", web.Response(status=201))
    with pytest.raises(PartnersRedirected) as caught:
        await client.create_subscription("77", **ORDER)
    assert caught.value.status == status
    assert [s["path"] for s in recorder.seen] == [SUB]  # the redirect target was never called
    assert "rec-tok" not in str(caught.value)


async def test_2018_path_sends_a_form_body(api):
    recorder, client = api
    client.subscription_path = "2018"
    recorder.on("POST", "/v2/partners/resellers/licenses/77/subscription", web.Response(status=201))
    assert (await client.create_subscription("77", **ORDER)).outcome is WriteOutcome.CREATED
    (seen,) = recorder.seen
    assert seen["content_type"] == "application/x-www-form-urlencoded"
    assert "seats=2" in seen["body"] and "token=rec-tok" in seen["body"]


async def test_withdrawal_request_sends_no_body(api):
    recorder, client = api
    answer = {
        "withdrawal_id": 3,
        "request_timestamp": "2026-01-02 10:00:00",
        "action_timestamp": "",
        "amount": "75.5",
    }
    recorder.on("POST", "/v2/partners/withdrawals", web.json_response(answer, status=201))
    withdrawal = await client.request_withdrawal()
    assert withdrawal is not None and withdrawal.amount == Decimal("75.5")
    assert recorder.seen[0]["body"] == ""


# API error text is never passed on --------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 429, 500, 502])
async def test_error_bodies_are_never_in_the_error(api, status, caplog):
    caplog.set_level(logging.INFO, logger="bot.partners")  # the answer's status line is logged at INFO
    recorder, client = api
    echo = {
        "error": {"message": "token rec-tok-SECRET cvv 123 <script>", "fields": {"token": "rec-tok-SECRET"}}
    }
    recorder.on("POST", SUB, web.json_response(echo, status=status))
    with pytest.raises(PartnersError) as caught:  # ours, not any error (a TypeError would say nothing)
        await client.create_subscription("77", **ORDER)
    assert caught.value.status == status
    for text in (str(caught.value), repr(caught.value), str(getattr(caught.value, "fields", ""))):
        assert "SECRET" not in text and "<script>" not in text
    if status == 400:
        assert caught.value.fields == {"token": "is not accepted"}  # only the flagged name survives
    logged = [r.getMessage() for r in caught_records(caplog)]
    assert logged and not any("SECRET" in line or "cvv" in line for line in logged)  # logged, never the body


def caught_records(caplog):
    return [r for r in caplog.records if r.name.startswith("bot.partners.")]


def test_the_trial_end_is_listed_in_the_readers_zone():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from handlers.subscribe_list_blocks import license_list_message

    trial = License.model_validate(
        {
            "license": "1",
            "product": "livechat",
            "status": "trial",
            "payment_origin": "partner",
            "end_timestamp": "2026-12-04 09:30:00",  # UTC, as the API sends it
        }
    )
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    text = str(license_list_message([trial], now=now, zone=ZoneInfo("Europe/Warsaw"))["blocks"])
    assert "ends in 2 days, Friday 10:30 (Europe/Warsaw)" in text
    text = str(license_list_message([trial], now=now, zone=ZoneInfo("UTC"))["blocks"])
    assert "ends in 2 days, Friday 09:30 (UTC)" in text


async def test_a_campaign_created_with_an_unreadable_answer_is_never_not_created(api):
    from bot.campaigns.create import CREATED_UNREADABLE, create
    from bot.campaigns.form import CampaignRequest

    recorder, client = api
    recorder.on(
        "POST",
        "/v2/partners/affiliates/campaigns",
        web.Response(status=201, text="<html>created</html>", content_type="text/html"),
    )
    outcome = await create(client, CampaignRequest(name="Spring promo", product="livechat"))
    assert outcome.campaign is None and outcome.general == CREATED_UNREADABLE
    assert outcome.error is not None and outcome.error.maybe_applied
