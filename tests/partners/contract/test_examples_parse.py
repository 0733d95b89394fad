"""Every documented example response goes through the real client and models, as users will see it.

A local aiohttp app answers each request with the example file for its endpoint, so the paths,
the parsing and the values (labels, dates, Decimal amounts) are all checked together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.partners import PartnersClient
from bot.recurly import RecurlyError, create_token
from bot.vault.card import Card
from tests.partners.contract.endpoints import CALLS, CARD


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


class ExampleApi:
    """Serves example files by (method, path); `use` picks which one answers an endpoint."""

    def __init__(self, examples: dict[str, Any]):
        self.examples = examples
        self.chosen: dict[tuple[str, str], str] = {}
        for name, call in CALLS.items():
            self.chosen.setdefault((call.method, call.path), name)
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.answer)

    def use(self, name: str) -> None:
        call = CALLS[name]
        self.chosen[(call.method, call.path)] = name

    async def answer(self, request: web.Request) -> web.Response:
        name = self.chosen.get((request.method, request.path))
        if name is None:
            return web.json_response({"error": "no example"}, status=404)
        return web.json_response(self.examples[name], status=CALLS[name].status)


@pytest.fixture
async def served(examples: dict[str, Any]) -> AsyncIterator[tuple[ExampleApi, PartnersClient, str]]:
    api = ExampleApi(examples)
    server = TestServer(api.app)
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    client = PartnersClient(url, SecretStr("contract-token"))
    try:
        yield api, client, url
    finally:
        await client.close()
        await server.close()


def test_every_example_file_has_an_endpoint(examples: dict[str, Any]) -> None:
    assert set(examples) == set(CALLS), "map each new example file in tests/partners/contract/endpoints.py"


async def test_account_and_money(served) -> None:
    api, client, _ = served
    profile = await client.profile()
    assert (profile.partner_id, profile.first_name, profile.contact_email) == ("xyz", "Joe", "jane@email.com")

    earnings = await client.earnings()
    assert earnings.balance == Decimal("2552") and earnings.pending == Decimal("13546")
    assert earnings.commission_total == Decimal("16519.12")
    assert earnings.solution.products["livechat"].discount == Decimal("45943.76")
    assert earnings.affiliate.products["partner_program"].commission_total == Decimal("156")

    api.use("get-earnings-2018")
    old = await client.earnings(fresh=True)
    assert old.commission_total == Decimal("9894") and old.discount == Decimal("21569.8")
    assert old.balance == Decimal("641.5") and old.programs == {}

    balance = await client.balance()
    assert balance.total == Decimal("420.00")  # a numeric string in the API
    assert (balance.available, balance.pending, balance.withdrawn) == (
        Decimal("362.0"),
        Decimal("21.0"),
        Decimal("37.0"),
    )

    coupons = await client.coupons()
    assert [(c.id, c.label) for c in coupons] == [(1, "30% off first payment"), (2, "$25 discount")]


async def test_withdrawals(served) -> None:
    _, client, _ = served
    pending, paid = await client.withdrawals("2018-01-01", "2018-12-31")
    assert (pending.withdrawal_id, pending.status, pending.amount) == (2, "pending", Decimal("1520"))
    assert pending.request_timestamp == utc(2018, 3, 6, 12, 24, 42)
    assert pending.action_timestamp is None  # "" = not acted on yet
    assert paid.action_timestamp == utc(2018, 2, 2, 12, 4, 11) and paid.amount == Decimal("1063.3")
    assert (paid.invoice_id, paid.paypal) == ("2018/1/xyz", "joe@doe.com")
    requested = await client.request_withdrawal()
    assert requested is not None and requested.withdrawal_id == 2 and requested.action_timestamp is None


async def test_reports(served) -> None:
    _, client, _ = served
    report = await client.commission_report("2022-12-01T00:00:00Z", "2023-02-28T23:59:59Z")
    assert [i.total for i in report.items] == [Decimal("6326.39"), Decimal("4949.1"), Decimal("7824.5")]
    assert report.items[0].date_range.from_ == utc(2022, 12, 1)
    assert report.items[2].date_range.to == utc(2023, 2, 28, 23, 59, 59)
    metric = await client.commission_metric("2022-12-01T00:00:00Z", "2023-02-28T23:59:59Z")
    assert metric.value == Decimal("1232.12")
    stats = await client.stats()
    assert stats.affiliate["partner_program"].partners_referred == 63
    assert (stats.solution["helpdesk"].trials, stats.solution["helpdesk"].paid) == (21, 47)
    rows = await client.performance("2023-01-01", "2023-12-31")
    assert [r.campaign_name for r in rows] == ["Newsletter", "ad", "AI Campaign"]
    assert rows[0].commission == Decimal("7284.2") and rows[1].partners_referred == 123
    summary = await client.affiliate_summary()
    assert (summary.trials, summary.paid, summary.expired) == (0, 0, 0)


async def test_campaigns(served) -> None:
    api, client, _ = served
    created = await client.create_campaign(product="livechat", name="New campaign", coupon_id=2)
    assert created.discount == "$25 discount" and created.trial_duration == 30
    assert created.creation_timestamp == utc(2018, 3, 6, 11, 30, 40)

    api.use("create-campaign-2018")
    old = await client.create_campaign(product="livechat", name="Summer campaign")
    assert old.product == "livechat"  # the 2018 answer had none: taken from the request
    assert old.discount == "30% off first payment" and old.trial_duration == 45

    hello, test = await client.campaigns()
    assert hello.discount == "30% off first payment" and test.discount == ""
    assert test.trial_duration == 7 and test.product == "chatbot"
    assert hello.creation_timestamp == utc(2018, 3, 6, 23, 42, 19)

    page = await client.search_campaigns()
    assert (page.total, page.limit) == (120, 15)
    (hit,) = page.results
    assert (hit.id, hit.slug, hit.created_at) == (123, "pp-campaign-test-name", utc(2023, 1, 1, 11, 22, 59))


async def test_licenses(served) -> None:
    _, client, _ = served
    trial, paid = await client.licenses()
    assert trial.subscribable and not paid.subscribable
    assert trial.end_timestamp == utc(2023, 6, 14, 12, 39, 40)  # when the trial ends
    assert (paid.status, paid.payment_origin) == ("paid", "client")

    details = await client.license("11223305")
    assert details.license == "104130623" and details.status == "expired"
    assert not details.subscribable  # expired, even though partner-paid and unpaid
    assert (details.seats, details.plan, details.billing_cycle) == (100, "team", "monthly")
    assert details.end_timestamp == utc(2018, 4, 5, 11, 59, 12)
    assert details.discount_percent == Decimal("20") and details.invited_agents[0].email == "jane@example.com"

    page = await client.licenses_by_status("paid")
    assert [r.license_id for r in page.results] == ["104130623", "104130345"]
    assert page.results[0].conversion_timestamp == utc(2023, 3, 1, 7, 51, 11)
    assert page.next_cursor == "MDAwMS0wMS0wMSAwMDowMDowMA=="

    counts = await client.license_counts()
    assert (counts.trials, counts.paid, counts.expired) == (150, 16, 147)
    summary = await client.solution_summary()  # every value a string in the API
    assert (summary.trials, summary.paid, summary.expired) == (12, 14, 13)
    assert (summary.commission, summary.discount) == (Decimal("12.33"), Decimal("34.11"))

    invoices = await client.invoices("11223302")
    assert [i.invoice_no for i in invoices] == ["123", "122"]
    assert invoices[0].amount == Decimal("312") and invoices[0].date == utc(2018, 3, 3, 9, 38, 33)


async def test_recurly_token_and_error(served) -> None:
    api, _, url = served
    card = Card(
        label="contract",
        first_name=CARD["first_name"],
        last_name=CARD["last_name"],
        number=CARD["number"],
        month=int(CARD["month"]),
        year=int(CARD["year"]),
        cvv=CARD["verification_value"],
        address1=CARD["address1"],
        city=CARD["city"],
        state=CARD["state"],
        zip=CARD["zip"],
        country=CARD["country"],
    )
    async with aiohttp.ClientSession() as session:
        token = await create_token(session, url, CARD["key"], card)
        assert token.get_secret_value() == "C12ibIjbXbqSAhKjxQWERTY"
        api.use("recurly-token-error")
        with pytest.raises(RecurlyError) as info:
            await create_token(session, url, CARD["key"], card)
    assert info.value.fields == ["number"]
    assert "card number" in info.value.user_text
