"""Each documented example parses through the adapters, with Decimal amounts and UTC times."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from aiohttp import web

from bot.partners import (
    PartnersClient,
    PartnersConflict,
    PartnersForbidden,
    PartnersRedirected,
    PartnersUnavailable,
)
from tests.history.examples import example, serve

P = "/v2/partners"


async def _call(routes, fn, *args):
    async with serve(routes) as server:
        client = PartnersClient(server.url, "t0ken")
        try:
            return await fn(client, *args), server.seen
        finally:
            await client.close()


async def test_commission_report_example_parses_to_utc_periods_and_decimals():
    routes = {("GET", f"{P}/reports/commission"): (200, example("get-commission-report.json"))}
    start, end = datetime(2022, 12, 1, tzinfo=UTC), datetime(2023, 2, 28, 23, 59, 59, tzinfo=UTC)
    report, seen = await _call(routes, PartnersClient.commission_report, start, end, "month")
    items = report.periods()
    assert [i.total for i in items] == [Decimal("6326.39"), Decimal("4949.1"), Decimal("7824.5")]
    assert items[0].start == datetime(2022, 12, 1, tzinfo=UTC)
    assert items[2].date_range.to == datetime(2023, 2, 28, 23, 59, 59, tzinfo=UTC)
    assert seen[0].query == {
        "date_from": "2022-12-01T00:00:00Z",
        "date_to": "2023-02-28T23:59:59Z",
        "aggregation": "month",
    }


async def test_balance_example_accepts_string_total():
    found, _ = await _call(
        {("GET", f"{P}/balance"): (200, example("get-balance.json"))}, PartnersClient.balance
    )
    assert found.available == Decimal("362.0") and found.total == Decimal("420.00")
    assert isinstance(found.pending, Decimal) and found.withdrawn == Decimal("37.0")


async def test_withdrawals_example_empty_action_timestamp_is_not_paid():
    listed, _ = await _call(
        {("GET", f"{P}/withdrawals"): (200, example("get-withdrawals.json"))}, PartnersClient.withdrawals
    )
    pending, paid = listed
    assert (
        pending.withdrawal_id == 2 and pending.action_timestamp is None and pending.amount == Decimal("1520")
    )
    assert paid.action_timestamp == datetime(2018, 2, 2, 12, 4, 11, tzinfo=UTC)
    assert paid.request_timestamp == datetime(2018, 2, 2, 11, 43, 37, tzinfo=UTC)
    assert paid.invoice_id == "2018/1/xyz" and paid.amount == Decimal("1063.3")


async def test_request_withdrawal_example_posts_no_body_and_parses():
    routes = {("POST", f"{P}/withdrawals"): (201, example("request-withdrawal.json"))}
    payout, seen = await _call(routes, PartnersClient.request_withdrawal)
    assert payout is not None and payout.withdrawal_id == 2 and payout.status == "pending"
    assert seen[0].body == b"" and seen[0].headers["Authorization"] == "Bearer t0ken"


async def test_request_withdrawal_statuses_map_to_what_is_known():
    for status, expected in ((403, PartnersForbidden), (409, PartnersConflict)):
        routes = {("POST", f"{P}/withdrawals"): (status, {"error": "<b>SECRET-BODY</b>"})}
        try:
            await _call(routes, PartnersClient.request_withdrawal)
        except expected as exc:
            assert "SECRET-BODY" not in exc.message  # the body is never shown
        else:
            raise AssertionError(f"{status} did not raise")
    routes = {("POST", f"{P}/withdrawals"): (502, None)}  # a gateway gave up: maybe applied
    try:
        await _call(routes, PartnersClient.request_withdrawal)
    except PartnersUnavailable as exc:
        assert exc.maybe_applied
    redirect = web.Response(status=307, headers={"Location": "/v2/partners/elsewhere"})
    routes = {("POST", f"{P}/withdrawals"): (307, redirect), ("POST", f"{P}/elsewhere"): (201, {})}
    async with serve(routes) as server:
        client = PartnersClient(server.url, "t0ken")
        try:
            await client.request_withdrawal()
        except PartnersRedirected as exc:
            assert exc.status == 307  # not followed: nothing was requested
        else:
            raise AssertionError("a redirect did not raise")
        finally:
            await client.close()
        assert [s.path for s in server.seen] == [f"{P}/withdrawals"]  # the redirect was not followed


async def test_a_2xx_without_a_readable_withdrawal_still_counts_as_requested():
    payout, _ = await _call({("POST", f"{P}/withdrawals"): (201, None)}, PartnersClient.request_withdrawal)
    assert payout is None


async def test_performance_example_parses_every_campaign():
    routes = {("GET", f"{P}/affiliates/performance"): (200, example("get-performance-report.json"))}
    rows, seen = await _call(routes, PartnersClient.performance, date(2023, 1, 1), date(2023, 1, 30))
    assert [r.campaign_name for r in rows] == ["Newsletter", "ad", "AI Campaign"]
    assert rows[0].commission == Decimal("7284.2") and rows[1].commission == Decimal("3141")
    assert rows[2].clicks == 72 and rows[2].trials == 41 and rows[2].paid == 23
    assert seen[0].query == {"date_from": "2023-01-01", "date_to": "2023-01-30"}


async def test_sandbox_answers_in_the_documented_shapes(stack):
    """The sandbox the e2e tests run against: every documented key with the documented types."""
    import aiohttp

    headers = {"Authorization": "Bearer sandbox-token"}
    checks = {
        "/balance": ("get-balance.json", None),
        "/withdrawals": ("get-withdrawals.json", "result"),
        "/reports/commission?date_from=2025-01-01T00:00:00Z&date_to=2025-03-31T23:59:59Z&aggregation=month": (
            "get-commission-report.json",
            "items",
        ),
        "/affiliates/performance?date_from=2025-01-01&date_to=2025-01-30": (
            "get-performance-report.json",
            "result",
        ),
    }
    async with aiohttp.ClientSession(headers=headers) as session:
        for path, (name, key) in checks.items():
            async with session.get(stack.sandbox.url + P + path) as response:
                got = await response.json()
            documented = example(name)
            if key is not None:
                got, documented = got[key][0], documented[key][0]
            for field, value in documented.items():
                assert field in got, (path, field)
                kind = (int, float) if isinstance(value, int | float) else type(value)
                assert isinstance(got[field], kind), (path, field, got[field])
