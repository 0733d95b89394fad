"""The sandbox world the console keeps: exported to JSON and restored, it is the same world, and a
restored sandbox still answers every endpoint in the documented shape."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.offline.sandbox import RunningSandbox, SandboxOptions, SandboxState, start_sandbox
from bot.offline.sandbox.reports import REPORTS_STATE
from bot.offline.sandbox.world import WORLD_VERSION, SandboxWorld, WorldError
from tests.partners.contract.endpoints import CALLS, CARD, P, drift
from tests.paths import EXAMPLES

TOKEN = "sandbox-token"


def _through_json(world: SandboxWorld) -> SandboxWorld:
    return SandboxWorld.from_json(json.loads(json.dumps(world.to_json())))


def _lived_in() -> SandboxState:
    """A state that has been used: days earned (a weekly payout among them), a payout, reports."""
    state = SandboxState()
    for _ in range(8):
        state.advance_day()
    state.request_withdrawal(75.5)
    state.campaigns[0]["active"] = False
    state.reports.monthly = {"2026-11": 1234.5, "2026-12": 0.0}
    state.reports.performance_rows = [{"campaign_name": "x", "clicks": 3}]
    state.fail_next("/v2/partners/earnings", 503)  # instrumentation: not part of the world
    return state


def test_export_then_restore_gives_the_same_world() -> None:
    original = _lived_in()
    world = _through_json(original.world())
    assert world == original.world()
    restored = SandboxState(seed=42)
    restored.restore(world)
    assert restored.world() == original.world()
    assert restored.days_advanced == 8
    assert restored.balance() == original.balance()
    assert restored.faults == [] and restored.calls == []  # instrumentation stays the new sandbox's own
    exported = world.to_json()
    assert exported["version"] == WORLD_VERSION
    assert not {"calls", "faults", "issued_tokens", "latency", "rng", "closing"} & set(exported)


def test_a_world_is_a_copy() -> None:
    state = SandboxState()
    world = state.world()
    state.advance_day()
    state.licenses["11223301"]["status"] = "paid"
    assert world.days_advanced == 0 and world.licenses["11223301"]["status"] == "trial"
    other = SandboxState()
    other.restore(world)
    other.campaigns.clear()
    assert world.campaigns  # restoring does not share the world's lists either


def test_a_restored_clock_carries_on_where_it_was() -> None:
    """Trial ends are absolute and `days_advanced` comes back, so what ended has ended."""
    before = SandboxState()
    before.advance_day()
    before.advance_day()
    before.refresh_licenses()
    after = SandboxState()
    after.restore(_through_json(before.world()))
    after.refresh_licenses()
    assert after.licenses["11223307"]["status"] == "expired"  # ended 1.2 days in
    assert after.licenses["11223301"]["end_timestamp"] == before.licenses["11223301"]["end_timestamp"]
    assert abs(after.now() - before.now()) < 60


def _good() -> dict[str, Any]:
    return SandboxState().world().to_json()


def _with(**changes: Any) -> dict[str, Any]:
    raw = _good()
    raw.update(changes)
    return raw


def _without(name: str) -> dict[str, Any]:
    raw = _good()
    del raw[name]
    return raw


def _license_changed(**fields: Any) -> dict[str, Any]:
    raw = _good()
    raw["licenses"]["11223301"].update(fields)
    return raw


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (["not", "an", "object"], "it is not a JSON object"),
        (_without("version"), "it has no version number"),
        (_with(version=WORLD_VERSION + 1), f"it is version {WORLD_VERSION + 1}"),
        (_with(version="1"), "it has no version number"),
        (_without("licenses"), "licenses is missing"),
        (_with(withdrawals=[{"withdrawal_id": 1}]), "withdrawals[0].request_timestamp is missing"),
        (_with(days_advanced=-1), "days_advanced"),
        (_with(days_advanced=1.5), "days_advanced"),
        (_with(billing_info="paypal"), "billing_info is not an object"),
        (_license_changed(paid="yes"), "licenses.11223301.paid is not true or false"),
        (_license_changed(seats="3"), "licenses.11223301.seats is not a number"),
        (_license_changed(license="99"), "licenses.11223301 describes license 99"),
    ],
)
def test_an_unusable_world_is_refused_with_a_reason(raw: Any, reason: str) -> None:
    with pytest.raises(WorldError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        SandboxWorld.from_json(raw)


def test_what_the_sandbox_can_hold_is_accepted() -> None:
    assert SandboxWorld.from_json(_with(billing_info=None, report_performance_rows=None)).billing_info is None
    state = SandboxState()
    state.licenses["11223301"]["conversion_timestamp"] = "2026-01-01 00:00:00"  # extra fields are fine
    assert _through_json(state.world()) == state.world()


async def _lived_in_over_http() -> SandboxWorld:
    """A world the bot could have left: a subscription, a campaign, a payout, days, a report read."""
    sandbox = await start_sandbox()
    try:
        async with aiohttp.ClientSession(sandbox.url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            async with http.get("/js/v1/token", params=CARD) as resp:
                token = (await resp.json())["id"]
            subscription = {"token": token, "plan": "team", "billing_cycle": "monthly", "seats": 3}
            async with http.post(
                f"{P}/solutions/licenses/livechat/11223301/subscription", json=subscription
            ) as resp:
                assert resp.status == 201
            campaign = {"name": "Kept campaign", "link": "https://www.livechat.com/"}
            async with http.post(
                f"{P}/affiliates/campaigns", params={"product": "livechat"}, data=campaign
            ) as resp:
                assert resp.status == 201
            async with http.post(f"{P}/withdrawals", data={"amount": "120"}) as resp:
                assert resp.status == 201
            sandbox.state.advance_day()
            report = {"date_from": "2026-01-01T00:00:00Z", "date_to": "2026-02-28T23:59:59Z"}
            async with http.get(f"{P}/reports/commission", params=report) as resp:
                assert resp.status == 200
        assert sandbox.runner.app[REPORTS_STATE].monthly  # the report state is part of the world
        return _through_json(sandbox.state.world())
    finally:
        await sandbox.close()


@pytest.fixture
async def restored() -> AsyncIterator[RunningSandbox]:
    world = await _lived_in_over_http()
    running = await start_sandbox(options=SandboxOptions(world=world))
    assert running.state.world() == world
    assert running.runner.app[REPORTS_STATE] is running.state.reports
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture(scope="module")
def examples() -> dict[str, Any]:
    if not EXAMPLES.is_dir():
        pytest.skip(f"the API contract folder {EXAMPLES} is absent (clone shared/ beside the repo)")
    return {path.stem: json.loads(path.read_text()) for path in sorted(EXAMPLES.glob("*.json"))}


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_a_restored_sandbox_answers_in_the_documented_shape(
    restored: RunningSandbox, examples: dict[str, Any], name: str
) -> None:
    call = CALLS[name]
    if name == "get-earnings-2018":
        restored.state.earnings_shape = "2018"
    async with aiohttp.ClientSession(restored.url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        async with http.request(call.method, call.path, params=call.params, data=call.form) as resp:
            status, body = resp.status, await resp.json()
    assert status == call.status
    assert drift(examples[name], body) == []
