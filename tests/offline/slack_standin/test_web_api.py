import asyncio
import json
import time

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.offline.slack_standin import RunningStandin, start_slack_standin

from .conftest import standin_options

SECTION = {"type": "section", "block_id": "b1", "text": {"type": "mrkdwn", "text": "*hi*"}}
MODAL = {
    "type": "modal",
    "callback_id": "cb",
    "title": {"type": "plain_text", "text": "Title"},
    "blocks": [SECTION],
}


async def test_post_message_is_recorded_with_blocks_decoded(standin: RunningStandin, client: AsyncWebClient):
    resp = await client.chat_postMessage(channel="C_GENERAL", text="hi", blocks=[SECTION])
    assert resp["ok"] and resp["channel"] == "C_GENERAL" and resp["message"]["text"] == "hi"
    call = standin.state.calls("chat.postMessage")[0]
    assert call.args["blocks"] == [SECTION]
    assert "Authorization" not in call.headers and "authorization" not in call.headers
    assert json.loads(call.body)["channel"] == "C_GENERAL"
    [message] = standin.state.messages("C_GENERAL")
    assert message["ts"] == resp["ts"] and message["blocks"] == [SECTION]

    # form-encoded variant with blocks as a JSON string inside the form
    await client.api_call("chat.postMessage", data={"channel": "C_GENERAL", "blocks": json.dumps([SECTION])})
    assert standin.state.calls("chat.postMessage")[1].args["blocks"] == [SECTION]


async def test_update_delete_ephemeral_permalink(standin: RunningStandin, client: AsyncWebClient):
    posted = await client.chat_postMessage(channel="C_GENERAL", text="v1")
    updated = await client.chat_update(channel="C_GENERAL", ts=posted["ts"], text="v2", blocks=[SECTION])
    assert updated["text"] == "v2"
    assert standin.state.messages("C_GENERAL")[0]["blocks"] == [SECTION]
    link = await client.chat_getPermalink(channel="C_GENERAL", message_ts=posted["ts"])
    assert link["permalink"].endswith(posted["ts"].replace(".", ""))
    await client.chat_delete(channel="C_GENERAL", ts=posted["ts"])
    assert standin.state.messages("C_GENERAL") == []
    with pytest.raises(SlackApiError) as err:
        await client.chat_update(channel="C_GENERAL", ts=posted["ts"], text="v3")
    assert err.value.response["error"] == "message_not_found"

    eph = await client.chat_postEphemeral(channel="C_GENERAL", user="U_PARTNER", text="psst")
    assert eph["message_ts"]
    assert standin.state.ephemerals(user="U_PARTNER")[0]["text"] == "psst"
    with pytest.raises(SlackApiError) as err:
        await client.chat_postEphemeral(channel="C_FEW", user="U_PARTNER", text="psst")
    assert err.value.response["error"] == "user_not_in_channel"


async def test_invalid_auth(standin: RunningStandin):
    bad = AsyncWebClient(token="xoxb-wrong", base_url=standin.api_url)
    with pytest.raises(SlackApiError) as err:
        await bad.auth_test()
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == "invalid_auth"
    assert standin.state.requests[-1].error == "invalid_auth"


@pytest.mark.parametrize(
    ("channel", "error"),
    [("C_MISSING", "channel_not_found"), ("C_ARCHIVED", "is_archived"), ("C_NOBOT", "not_in_channel")],
)
async def test_channel_errors(client: AsyncWebClient, channel: str, error: str):
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel=channel, text="x")
    assert err.value.response["error"] == error


async def test_invalid_blocks_rejected(client: AsyncWebClient):
    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C_GENERAL", text="x", blocks=[too_long])
    assert err.value.response["error"] == "invalid_blocks"
    assert err.value.response["response_metadata"]["messages"]


async def test_users_and_conversations(client: AsyncWebClient):
    admin = (await client.users_info(user="U_ADMIN"))["user"]
    assert admin["tz"] == "Europe/Warsaw" and admin["tz_offset"] in (3600, 7200)
    assert admin["tz_label"].startswith("Central European") and admin["real_name"] == "Ada Admin"
    partner = (await client.users_info(user="U_PARTNER"))["user"]
    assert partner["tz"] == "America/New_York" and partner["tz_offset"] < 0
    opened = await client.conversations_open(users="U_PARTNER")
    dm = opened["channel"]["id"]
    assert dm.startswith("D")
    info = await client.conversations_info(channel=dm)
    assert info["channel"]["is_im"] and info["channel"]["user"] == "U_PARTNER"
    posted = await client.chat_postMessage(channel="U_PARTNER", text="dm")
    assert posted["channel"] == dm
    with pytest.raises(SlackApiError) as err:
        await client.users_info(user="U_NOPE")
    assert err.value.response["error"] == "user_not_found"


async def test_injected_429_surfaces_and_retry_handler_recovers(standin: RunningStandin):
    state = standin.state
    plain = AsyncWebClient(token=state.options.bot_token, base_url=standin.api_url)
    state.fail_next("chat.postMessage", status=429, retry_after=0)
    with pytest.raises(SlackApiError) as err:
        await plain.chat_postMessage(channel="C_GENERAL", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "0"

    retrying = AsyncWebClient(token=state.options.bot_token, base_url=standin.api_url)
    retrying.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    state.fail_next("chat.postMessage", status=429, retry_after=0)
    resp = await retrying.chat_postMessage(channel="C_GENERAL", text="x")
    assert resp["ok"]
    assert [c.status for c in state.calls("chat.postMessage")] == [429, 429, 200]


async def test_fail_next_and_delay(standin: RunningStandin, client: AsyncWebClient):
    standin.state.fail_next("auth.test", error="fatal_error", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError):
            await client.auth_test()
    assert (await client.auth_test())["user_id"] == "U_BOT"
    standin.state.delay("auth.test", 0.2)
    started = time.perf_counter()
    await client.auth_test()
    assert time.perf_counter() - started >= 0.2


async def test_per_channel_rate_limit():
    running = await start_slack_standin(options=standin_options(rate_limit_per_channel_per_second=1.0))
    try:
        client = AsyncWebClient(token="xoxb-standin", base_url=running.api_url)
        await client.chat_postMessage(channel="C_GENERAL", text="1")
        with pytest.raises(SlackApiError) as err:
            await client.chat_postMessage(channel="C_GENERAL", text="2")
        assert err.value.response.status_code == 429
        assert err.value.response["error"] == "ratelimited"
        assert err.value.response.headers["Retry-After"] == "1"
        assert len(running.state.messages("C_GENERAL")) == 1
    finally:
        await running.close()


async def test_views_open_trigger_rules(standin: RunningStandin, client: AsyncWebClient):
    state = standin.state
    trigger = state.new_trigger_id("U_ADMIN")
    resp = await client.views_open(trigger_id=trigger, view=MODAL)
    view = resp["view"]
    assert view["id"].startswith("V") and view["hash"] and view["callback_id"] == "cb"
    assert state.views[view["id"]].user_id == "U_ADMIN"
    assert state.calls("views.open")[0].args["view"]["title"]["text"] == "Title"

    for trigger_id, error in [(trigger, "exchanged_trigger_id"), ("1.2.nope", "invalid_trigger_id")]:
        with pytest.raises(SlackApiError) as err:
            await client.views_open(trigger_id=trigger_id, view=MODAL)
        assert err.value.response["error"] == error

    old = state.new_trigger_id("U_ADMIN")
    await asyncio.sleep(state.options.trigger_ttl + 0.05)
    with pytest.raises(SlackApiError) as err:
        await client.views_open(trigger_id=old, view=MODAL)
    assert err.value.response["error"] == "expired_trigger_id"


async def test_views_update_hash_and_external_id(standin: RunningStandin, client: AsyncWebClient):
    opened = (await client.views_open(trigger_id=standin.state.new_trigger_id(), view=MODAL))["view"]
    second = {**MODAL, "external_id": "ext-1", "private_metadata": "m"}
    updated = (await client.views_update(view_id=opened["id"], hash=opened["hash"], view=second))["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as err:
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)
    assert err.value.response["error"] == "hash_conflict"
    by_ext = (await client.views_update(external_id="ext-1", view=MODAL))["view"]
    assert by_ext["id"] == opened["id"]
    assert standin.state.views[opened["id"]].view["hash"] == by_ext["hash"]
    with pytest.raises(SlackApiError) as err:
        await client.views_update(view_id="V_NOPE", view=MODAL)
    assert err.value.response["error"] == "not_found"


async def test_views_push_limit_and_publish(standin: RunningStandin, client: AsyncWebClient):
    state = standin.state
    root = (await client.views_open(trigger_id=state.new_trigger_id("U_ADMIN"), view=MODAL))["view"]
    top = root
    for _ in range(2):
        trigger = state.new_trigger_id("U_ADMIN", top["id"])
        top = (await client.views_push(trigger_id=trigger, view=MODAL))["view"]
        assert top["root_view_id"] == root["id"]
    assert len(state.view_stack(root["id"])) == 3
    with pytest.raises(SlackApiError) as err:
        await client.views_push(trigger_id=state.new_trigger_id("U_ADMIN", top["id"]), view=MODAL)
    assert err.value.response["error"] == "push_limit_reached"

    home = {"type": "home", "blocks": [SECTION]}
    published = (await client.views_publish(user_id="U_ADMIN", view=home))["view"]
    again = (await client.views_publish(user_id="U_ADMIN", view=home, hash=published["hash"]))["view"]
    assert again["id"] == published["id"]
    assert state.home_views["U_ADMIN"].view["blocks"] == [SECTION]


async def test_response_url_limits(standin: RunningStandin):
    state = standin.state
    url = state.new_response_url(channel_id="C_GENERAL", user_id="U_ADMIN")
    async with aiohttp.ClientSession() as session:
        statuses = []
        for i in range(6):
            async with session.post(url, json={"text": f"r{i}", "response_type": "in_channel"}) as resp:
                statuses.append((resp.status, await resp.text()))
    assert statuses[:5] == [(200, "ok")] * 5
    assert statuses[5] == (404, "used_url")
    assert [p.payload["text"] for p in state.response_posts(url)] == [f"r{i}" for i in range(5)]
    assert len(state.responses[url.rsplit("/", 1)[-1]]) == 6
    assert len(state.messages("C_GENERAL")) == 5  # in_channel responses become channel messages
    assert (await state.wait_for_response(url, timeout=0.1)).payload["text"] == "r0"


async def test_response_url_expiry():
    running = await start_slack_standin(options=standin_options(response_url_ttl=0.05))
    try:
        url = running.state.new_response_url(channel_id="C_GENERAL", user_id="U_ADMIN")
        await asyncio.sleep(0.1)
        async with aiohttp.ClientSession() as session, session.post(url, json={"text": "late"}) as resp:
            assert (resp.status, await resp.text()) == (404, "expired_url")
    finally:
        await running.close()


async def test_wait_for_wakes_promptly(standin: RunningStandin, client: AsyncWebClient):
    state = standin.state
    waiter = asyncio.create_task(state.wait_for(lambda: state.calls("auth.test"), timeout=2.0))
    await asyncio.sleep(0.05)
    assert not waiter.done()
    called = time.perf_counter()
    await client.auth_test()
    result = await waiter
    assert result[0].method == "auth.test"
    assert time.perf_counter() - called < 0.2
    with pytest.raises(TimeoutError):
        await state.wait_for(lambda: state.calls("views.open"), timeout=0.05)
