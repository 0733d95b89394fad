"""The daily trial check through the real bot, sandbox and Slack stand-in, on a manual clock."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from bot.alerts.store import AlertDraft
from bot.alerts.tables import TrialAlert
from bot.commands.alerts import run_alerts
from tests.alerts.conftest import (
    CHATBOT,
    HARBOR,
    JOE,
    START,
    add_trial,
    alerts_in,
    enable,
    has_button,
    set_trial,
)
from tests.e2e.blockkit import assert_valid_message

LICENSES = "/v2/partners/solutions/licenses"


async def test_n_day_alert_then_day_before_then_one_lapsed_notice(alert_stack, runner, clock):
    stack = alert_stack
    set_trial(stack, JOE, START + timedelta(days=2))  # Friday 27 November 07:00 UTC = 08:00 Warsaw
    assert "Trial alerts are on" in await enable(stack)

    first = await runner.run_once()
    assert first.posted == [("C_GENERAL", JOE, 3)]
    [alert] = alerts_in(stack)
    assert_valid_message(alert)
    text = str(alert["blocks"])
    for expected in (
        "Joe Doe Ltd",
        JOE,
        "LiveChat trial",
        "Team plan",
        "in 2 days, Friday 08:00",
        "Europe/Warsaw",
    ):
        assert expected in text
    assert alert["blocks"][0]["accessory"]["action_id"] == f"subscribe_open:{JOE}"

    clock.advance(hours=3)
    assert (await runner.run_once()).due == 0  # once a day per channel

    clock.set(START + timedelta(days=1, hours=1, minutes=5))  # Thursday 09:05 Warsaw: under a day left
    second = await runner.run_once()
    assert second.posted == [("C_GENERAL", JOE, 1)]
    assert "tomorrow, Friday 08:00" in str(alerts_in(stack)[-1]["blocks"])

    clock.set(START + timedelta(days=3, hours=1, minutes=5))  # Saturday: the trial ended unsubscribed
    third = await runner.run_once()
    assert sorted(third.updated) == [("C_GENERAL", JOE, "lapsed")] * 2
    edited = alerts_in(stack)
    assert len(edited) == 2 and not any(has_button(m) for m in edited)
    assert all("ended without a subscription" in str(m["blocks"]) for m in edited)
    lapsed = [
        m
        for m in stack.standin.state.messages("C_GENERAL")
        if "without a subscription" in m["text"] and m not in edited
    ]
    assert len(lapsed) == 1 and third.posted == [("C_GENERAL", JOE, 0)]

    clock.advance(days=1)
    fourth = await runner.run_once()
    assert fourth.posted == [] and fourth.updated == []


async def test_subscribed_elsewhere_gone_and_client_paid_are_edited_without_errors(
    alert_stack, runner, clock
):
    stack = alert_stack
    ends = START + timedelta(days=2)
    set_trial(stack, JOE, ends)
    set_trial(stack, HARBOR, ends)
    add_trial(stack, "11223399", "Moving Co", ends)
    await enable(stack)
    assert len((await runner.run_once()).posted) == 3

    stack.sandbox.state.licenses[JOE]["paid"] = True  # subscribed in LiveChat's own app
    del stack.sandbox.state.licenses[HARBOR]  # gone from the list
    stack.sandbox.state.licenses["11223399"]["payment_origin"] = "client"  # the client took it over
    clock.advance(days=1, hours=2)
    report = await runner.run_once()
    assert report.failed == {} and report.posted == []
    assert sorted(report.updated) == [
        ("C_GENERAL", JOE, "subscribed"),
        ("C_GENERAL", HARBOR, "gone"),
        ("C_GENERAL", "11223399", "client_paid"),
    ]
    messages = alerts_in(stack)
    assert not any(has_button(m) for m in messages)
    texts = " ".join(str(m["blocks"]) for m in messages)
    assert "Subscribed" in texts and "no longer among" in texts and "client pays" in texts


async def test_chatbot_trial_alert_has_no_subscribe_button(alert_stack, runner):
    stack = alert_stack
    set_trial(stack, CHATBOT, START + timedelta(days=2))
    await enable(stack)
    await runner.run_once()
    [alert] = alerts_in(stack)
    assert_valid_message(alert)
    assert not has_button(alert) and "LiveChat licenses only" in str(alert["blocks"])


async def test_archived_channel_turns_alerts_off_and_dms_the_admin(alert_stack, runner):
    stack = alert_stack
    set_trial(stack, JOE, START + timedelta(days=2))
    await enable(stack, channel_id="C_RANDOM")
    stack.standin.state.channels["C_RANDOM"].is_archived = True
    report = await runner.run_once()
    assert report.disabled == {"C_RANDOM": "is_archived"}
    setting = await stack.services.alert_store.channel("C_RANDOM")
    assert setting is not None and not setting.enabled and "is_archived" in (setting.disabled_reason or "")
    [dm] = stack.standin.state.messages("D_ADMIN")
    assert "turned off trial alerts in <#C_RANDOM>" in dm["text"] and "/subscribe alerts on 3" in dm["text"]
    assert (await runner.run_once()).due == 0


async def test_rate_limits_are_waited_out_and_the_alert_goes_out_once(alert_stack, runner):
    stack = alert_stack
    set_trial(stack, JOE, START + timedelta(days=2))
    await enable(stack)
    # slack-sdk retries three times itself; the fifth refusal is waited out by the runner.
    stack.standin.state.fail_next("chat.postMessage", status=429, times=5, retry_after=0)
    report = await runner.run_once()
    assert report.posted == [("C_GENERAL", JOE, 3)] and report.failed == {}
    assert len(alerts_in(stack)) == 1
    assert len(stack.standin.state.calls("chat.postMessage")) == 6


async def test_api_down_fails_the_check_shows_in_status_and_retries_that_day(alert_stack, runner, clock):
    stack = alert_stack
    set_trial(stack, JOE, START + timedelta(days=2))
    await enable(stack)
    stack.sandbox.state.fail_next(LICENSES, 503, times=20)
    report = await runner.run_once()
    assert report.licenses_error and report.failed.keys() == {"C_GENERAL"}
    status = await enable(stack, "alerts status")
    assert "failed" in status and "Retrying at 08:02" in status
    assert (await runner.run_once()).due == 0  # not before the retry time

    stack.sandbox.state.clear_faults()
    clock.advance(minutes=3)
    assert (await runner.run_once()).posted == [("C_GENERAL", JOE, 3)]
    status = await enable(stack, "alerts status")
    assert "done at 08:03" in status and "1 alert waiting" in status


async def test_a_crashed_check_is_taken_over_and_its_alert_posted_once(alert_stack, runner, clock):
    stack = alert_stack
    ends = START + timedelta(days=2)
    set_trial(stack, JOE, ends)
    await enable(stack)
    store = stack.services.alert_store
    # A replica claimed today's check and the alert, then died before posting.
    assert await store.claim_run("C_GENERAL", START.date(), "dead", takeover_after=timedelta(minutes=5))
    draft = AlertDraft(JOE, 3, "livechat", "Joe Doe Ltd", ends)
    assert await store.claim_alert("C_GENERAL", draft, "dead", takeover_after=timedelta(minutes=5))
    assert (await runner.run_once()).due == 0
    clock.advance(minutes=6)
    report = await runner.run_once()
    assert report.posted == [("C_GENERAL", JOE, 3)]
    assert len(alerts_in(stack)) == 1
    async with stack.services.db.session() as session:
        row = (await session.execute(select(TrialAlert))).scalar_one()
    assert (row.state, row.attempts, row.claimed_by) == ("sent", 2, runner.owner)


async def test_cron_dry_run_prints_the_alerts_and_sends_nothing(alert_stack, clock):
    stack = alert_stack
    set_trial(stack, JOE, START + timedelta(days=2))
    await enable(stack)
    out = io.StringIO()
    status = await run_alerts(stack.settings, channels=[], dry_run=True, out=out, clock=clock)
    assert status == 0
    printed = out.getvalue()
    assert "C_GENERAL · license 11223301 (dry run, not sent)" in printed and "Joe Doe Ltd" in printed
    assert "1 alert(s) would be posted" in printed
    assert stack.standin.state.calls("chat.postMessage") == []
    async with stack.services.db.session() as session:
        assert (await session.execute(select(TrialAlert))).first() is None


async def test_a_failed_edit_is_retried_by_the_next_attempt(alert_stack, runner, clock):
    stack = alert_stack
    set_trial(stack, JOE, START + timedelta(days=2))
    await enable(stack)
    await runner.run_once()
    stack.sandbox.state.licenses[JOE]["paid"] = True
    stack.standin.state.fail_next("chat.update", "internal_error")
    clock.advance(days=1, hours=2)
    failed = await runner.run_once()
    assert failed.failed == {"C_GENERAL": "internal_error"} and failed.updated == []
    assert has_button(alerts_in(stack)[0])
    clock.advance(minutes=3)
    retried = await runner.run_once()
    assert retried.updated == [("C_GENERAL", JOE, "subscribed")]
    assert not has_button(alerts_in(stack)[0])
