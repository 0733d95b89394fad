"""Today's Partner API through the real `partners-bot serve` process, as an operator runs it.

`serve` is a subprocess with only the environment written here (PARTNERS_API_URL, RECURLY_API_URL,
SLACK_API_URL, DATABASE_URL as a SQLite file, ...); the Slack stand-in runs in this test and its
driver sends Slack-signed requests to serve's `/slack/events`.

- Against `partners-bot sandbox`, also a subprocess: a campaign with a coupon is created, listed with
  the coupon's label and disabled by id; `/subscribe` → form → Review → Confirm is one POST that the
  sandbox can only have read as JSON, answered "Subscribed" on the first try. What the sandbox
  process received is read from its access log (method, path, status) and from its API.
- A 302 on the subscription POST: the sandbox's fault injection (`SandboxState.fail_next`) works only
  inside the process that runs the sandbox (`partners-bot sandbox` has no remote control for it),
  so for that test the same sandbox app runs in this process; serve is still a subprocess. The
  result is "not created", and the database file serve used holds no `done` claim.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.campaigns.form import COUPON_BLOCK, LINK_BLOCK, NAME_BLOCK, TRIAL_BLOCK
from bot.clock import SystemClock
from bot.offline.local_stack import SIGNING_SECRET
from bot.offline.sandbox import SandboxOptions, start_sandbox
from bot.offline.slack_standin import RunningStandin, SlackDriver, StandinOptions, start_slack_standin
from bot.offline.slack_standin.state import StandinState
from bot.storage import Database
from bot.vault import new_key, open_vault
from bot.vault.card import validate_card
from tests.paths import ROOT
from tests.subscriptions.conftest import card_data, pushed_review, review_outcome

BOT_TOKEN = "xoxb-serve-process-flows"
PARTNERS_TOKEN = "ptok-serve-process-flows"
VAULT_KEY = new_key()
CAMPAIGNS = "/v2/partners/affiliates/campaigns"
LICENSES = "/v2/partners/solutions/licenses/livechat/"
ANSWERS = {"plan": "team", "seats": 5, "billing_cycle": "annual", "card": "1111:Agency Visa"}
WAIT = 10.0  # seconds for serve to react: its first request down each path imports code
ACCESS_LINE = re.compile(r"bot\.offline\.sandbox: (GET|POST|PUT|DELETE) (\S+) -> (\d{3}) ")


# ------------------------------------------------------------------------------ processes


@dataclass
class Process:
    """A subprocess this test started; its stdout and stderr go to `log`."""

    process: asyncio.subprocess.Process
    log: Path
    url: str

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 5)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _start(args: list[str], env: Mapping[str, str], workdir: Path, name: str, ready: str) -> Process:
    """`python -m bot.cli ARGS --port P` in `workdir` with exactly `env`; returns once GET `ready` is 200."""
    port = _free_port()
    log = workdir / f"{name}.log"
    with log.open("ab") as handle:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            *args,
            "--port",
            str(port),
            env=dict(env),
            cwd=workdir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=handle,
            stderr=asyncio.subprocess.STDOUT,
        )
    started = Process(process, log, f"http://127.0.0.1:{port}")
    headers = {"Authorization": f"Bearer {PARTNERS_TOKEN}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        for _ in range(600):  # 30 s: a busy machine may take long to start an interpreter
            if process.returncode is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{started.text()[-3000:]}")
            try:
                async with session.get(started.url + ready) as response:
                    if response.status == 200:
                        return started
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    await started.stop()
    raise AssertionError(f"{name} did not answer {ready}:\n{started.text()[-3000:]}")


def _env(**settings: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        **settings,
    }


async def start_serve(tmp_path: Path, *, partners_url: str, slack_api_url: str, database_url: str) -> Process:
    env = _env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_api_url,
        PARTNERS_API_TOKEN=PARTNERS_TOKEN,
        PARTNERS_API_URL=partners_url,
        RECURLY_API_URL=partners_url,
        DATABASE_URL=database_url,
        ADMIN_USER_IDS="U_ADMIN",
        ALLOWED_USER_IDS="U_ADMIN",
        VAULT_KEY=VAULT_KEY,
        PLAN_PRICES=json.dumps({"starter": "20", "team": "41", "business": "59"}),
        DIGEST_CHECK_SECONDS="0",
        LOG_LEVEL="INFO",
    )
    return await _start(["serve"], env, tmp_path, "serve", "/healthz")


async def seed_card(database_url: str) -> None:
    """The card in the vault of serve's database, as `partners-bot cards import` would leave it."""
    db = Database(database_url)
    try:
        await db.upgrade()
        await open_vault(VAULT_KEY, db, SystemClock()).put(validate_card(card_data(), date.today()))
    finally:
        await db.close()


def claims(database: Path) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(scope, key, state, recorded result) of every idempotency claim in the SQLite file serve used."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT scope, key, state, result FROM idempotency_keys ORDER BY scope, key"
        ).fetchall()
    return [(str(s), str(k), str(st), json.loads(r or "{}")) for s, k, st, r in rows]


@dataclass
class Bot:
    serve: Process
    standin: RunningStandin
    driver: SlackDriver
    database: Path

    @property
    def state(self) -> StandinState:
        return self.standin.state


@pytest.fixture
async def standin() -> AsyncIterator[RunningStandin]:
    running = await start_slack_standin(options=StandinOptions(bot_token=BOT_TOKEN))
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture
async def sandbox_process(tmp_path: Path) -> AsyncIterator[Process]:
    """`partners-bot sandbox` as a developer starts it, with this test's token."""
    sandbox = await _start(
        ["sandbox", "--token", PARTNERS_TOKEN], _env(), tmp_path, "sandbox", "/v2/partners"
    )
    try:
        yield sandbox
    finally:
        await sandbox.stop()


@asynccontextmanager
async def running_bot(tmp_path: Path, standin: RunningStandin, partners_url: str) -> AsyncIterator[Bot]:
    """The card in the vault, then `serve` on a free port, and a driver that signs like Slack."""
    database = tmp_path / "bot.db"
    database_url = f"sqlite+aiosqlite:///{database}"
    await seed_card(database_url)
    serve = await start_serve(
        tmp_path, partners_url=partners_url, slack_api_url=standin.api_url, database_url=database_url
    )
    try:
        async with SlackDriver(f"{serve.url}/slack/events", SIGNING_SECRET, standin.state) as driver:
            yield Bot(serve, standin, driver, database)
    finally:
        await serve.stop()


async def api_get(sandbox_url: str, path: str, **params: str) -> Any:
    """Ask the sandbox's Partner API directly, as LiveChat's own app would show it."""
    headers = {"Authorization": f"Bearer {PARTNERS_TOKEN}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(sandbox_url + path, params=params) as response:
            assert response.status == 200, await response.text()
            return await response.json()


async def access_log(sandbox: Process, method: str, path: str, count: int) -> list[tuple[str, str, str]]:
    """The sandbox process's access-log lines for `method` on paths starting with `path`, once there
    are `count` of them (the line is written as the answer goes out), then a moment for any more."""

    def lines() -> list[tuple[str, str, str]]:
        found = [m.groups() for m in ACCESS_LINE.finditer(sandbox.text())]
        return [(m, p, st) for m, p, st in found if m == method and p.startswith(path)]

    for _ in range(200):
        if len(lines()) >= count:
            break
        await asyncio.sleep(0.025)
    await asyncio.sleep(0.2)
    return lines()


def view_text(view: dict[str, Any]) -> str:
    return json.dumps(view.get("blocks"), ensure_ascii=False)


# ------------------------------------------------------------------------------ /campaign


async def test_serve_creates_lists_and_disables_by_id_a_campaign_with_a_coupon_on_the_sandbox_process(
    tmp_path: Path, standin: RunningStandin, sandbox_process: Process
) -> None:
    sandbox = sandbox_process.url
    coupon = (await api_get(sandbox, "/v2/partners/coupons"))["result"][1]
    async with running_bot(tmp_path, standin, sandbox) as bot:
        state = bot.state
        opened = await bot.driver.command("/campaign", channel_id="C_GENERAL")
        assert opened.status == 200
        form = await state.wait_for(lambda: state.top_view("U_ADMIN"))
        await state.wait_for(lambda: coupon["label"] in view_text(state.views[form.id].view), WAIT)
        answers = {
            NAME_BLOCK: "Autumn webinar",
            TRIAL_BLOCK: "31",
            COUPON_BLOCK: str(coupon["id"]),
            LINK_BLOCK: "https://agency.example/autumn",
        }
        too_long = await bot.driver.view_submission(form.id, answers=answers)
        assert too_long.response_action == "errors"
        assert too_long.body["errors"] == {TRIAL_BLOCK: "Trial length must be between 14 and 30 days"}
        submitted = await bot.driver.view_submission(form.id, answers={**answers, TRIAL_BLOCK: "21"})
        assert submitted.response_action == "update"
        shown = await state.wait_for(
            lambda: (v := state.views[form.id].view)["title"]["text"] == "Campaign created" and v, WAIT
        )
        assert coupon["label"] in view_text(shown)

        # LiveChat has it: with the coupon's label as `discount`, the trial typed, and an id.
        active = (await api_get(sandbox, CAMPAIGNS))["result"]
        (created,) = [c for c in active if c["name"] == "Autumn webinar"]
        assert (created["discount"], created["trial_duration"]) == (coupon["label"], 21)
        search = (await api_get(sandbox, f"{CAMPAIGNS}/search", product="livechat"))["results"]
        (found,) = [c for c in search if c["slug"] == created["slug"]]

        listed = await bot.driver.command("/campaign", "list")
        page = view_text((await state.wait_for_response(listed.response_url, WAIT)).payload)
        assert f"`{created['slug']}` · {coupon['label']}" in page

        asked = await bot.driver.command("/campaign", "disable autumn WEBINAR")
        question = (await state.wait_for_response(asked.response_url, WAIT)).payload
        button = question["blocks"][1]["accessory"]
        assert button["text"]["text"] == "Disable"
        ephemeral = state.ephemerals(user="U_ADMIN")[-1]
        click = await bot.driver.block_action(button["action_id"], button["value"], message=ephemeral)
        done = (await state.wait_for_response(click.response_url, WAIT)).payload
        assert "Disabled *Autumn webinar*" in done["text"]

    # One POST: the 31-day trial was refused in the form, before anything was sent.
    assert await access_log(sandbox_process, "POST", CAMPAIGNS, 1) == [("POST", CAMPAIGNS, "201")]
    # By the id `search` gives (the pre-2023 `DELETE …/campaigns?product&slug` has no id in the path).
    deletes = await access_log(sandbox_process, "DELETE", CAMPAIGNS, 1)
    assert deletes == [("DELETE", f"{CAMPAIGNS}/{found['id']}", "204")]
    disabled = (await api_get(sandbox, CAMPAIGNS, state="disabled"))["result"]
    assert created["slug"] in [c["slug"] for c in disabled]


# ------------------------------------------------------------------------------ /subscribe


def offered(offer: dict[str, Any]) -> list[dict[str, Any]]:
    """The Create subscription buttons of the `/subscribe` list (their value is the license id)."""
    return [b["accessory"] for b in offer["blocks"] if b.get("accessory", {}).get("type") == "button"]


Check = Callable[[list[str]], Awaitable[None]]


async def confirm_subscription(bot: Bot, check: Check | None = None) -> tuple[str, str]:
    """/subscribe → Create subscription on the first license → the form → Review → Confirm.

    `check` sees the license ids offered. Returns the license id and the confirmation's view id
    (the result replaces that modal).
    """
    state = bot.state
    listed = await bot.driver.command("/subscribe")
    buttons = offered((await state.wait_for_response(listed.response_url, WAIT)).payload)
    if check is not None:
        await check([b["value"] for b in buttons])
    button = buttons[0]
    assert button["text"]["text"] == "Create subscription"
    license_id = button["value"]
    updates = len(state.calls("views.update"))
    clicked = await bot.driver.block_action(
        button["action_id"], license_id, channel_id="C_GENERAL", message=state.ephemerals(user="U_ADMIN")[-1]
    )
    assert clicked.status == 200
    await state.wait_for_call("views.update", WAIT, count=updates + 1)
    form = state.top_view("U_ADMIN")
    assert form is not None
    submitted = await bot.driver.view_submission(form.id, answers=ANSWERS)
    confirm = await review_outcome(state, pushed_review(state, submitted), WAIT)
    assert confirm["submit"]["text"] == "Confirm", view_text(confirm)
    acked = await bot.driver.view_submission(confirm["id"])
    assert acked.status == 200
    return license_id, confirm["id"]


async def result_text(state: StandinState, view_id: str) -> str:
    """The modal's text once it shows the outcome (not "Subscribing…")."""

    def final() -> str | None:
        view = state.views[view_id].view
        text = view_text(view)
        return text if view.get("callback_id") == "subscribe_result" and "hourglass" not in text else None

    return await state.wait_for(final, timeout=10)


async def test_serve_subscribe_confirm_is_one_json_post_and_says_subscribed_on_the_sandbox_process(
    tmp_path: Path, standin: RunningStandin, sandbox_process: Process
) -> None:
    sandbox = sandbox_process.url

    async def no_expired_trial(offered_ids: list[str]) -> None:
        listed = (await api_get(sandbox, "/v2/partners/solutions/licenses"))["result"]
        expired = {lic["license"] for lic in listed if lic["status"] == "expired"}
        trials = {lic["license"] for lic in listed if lic["status"] == "trial"}
        assert expired and not expired & set(offered_ids), (expired, offered_ids)
        assert offered_ids and set(offered_ids) <= trials

    async with running_bot(tmp_path, standin, sandbox) as bot:
        license_id, view_id = await confirm_subscription(bot, no_expired_trial)
        text = await result_text(bot.state, view_id)
        assert "Subscribed." in text and "Not subscribed" not in text, text

    path = f"{LICENSES}{license_id}/subscription"
    assert await access_log(sandbox_process, "POST", LICENSES, 1) == [("POST", path, "201")]
    # On this path the sandbox reads only a JSON body (anything else is a 400), so these fields
    # reached LiveChat as JSON.
    details = await api_get(sandbox, f"{LICENSES}{license_id}")
    assert (details["paid"], details["status"]) == (True, "paid")
    assert (details["plan"], details["seats"], details["billing_cycle"]) == ("team", 5, "annual")
    assert [c[:3] for c in claims(bot.database) if c[0] == "subscription"] == [
        ("subscription", license_id, "done")
    ]


async def test_serve_reports_a_302_on_the_subscription_post_as_not_created_and_keeps_no_done_claim(
    tmp_path: Path, standin: RunningStandin
) -> None:
    sandbox = await start_sandbox(options=SandboxOptions(token=PARTNERS_TOKEN))
    lives = sandbox.state
    try:
        async with running_bot(tmp_path, standin, sandbox.url) as bot:
            target = next(iter(lives.licenses))
            # The redirect points at a page that answers 200: following it would look like success.
            lives.fail_next(
                LICENSES,
                302,
                body="",
                content_type="text/plain",
                method="POST",
                location=f"{sandbox.url}{LICENSES}{target}",
            )
            license_id, view_id = await confirm_subscription(bot)
            text = await result_text(bot.state, view_id)
            reads_after = lives.count("GET", f"{LICENSES}{license_id}")
            await asyncio.sleep(0.3)  # anything serve would still send (a followed redirect) lands
            assert lives.count("GET", f"{LICENSES}{license_id}") == reads_after
            assert "Not subscribed." in text and "redirect" in text and "nothing was charged" in text, text
            (post,) = lives.calls_to("POST", LICENSES)
            assert post.path == f"{LICENSES}{license_id}/subscription" and post.json is not None
            assert license_id not in lives.subscriptions and not lives.licenses[license_id]["paid"]
            assert bot.state.messages("C_GENERAL") == [], "no success note in the channel"
            held = claims(bot.database)
            # No claim on the license, so nothing stands in the way of paying it: the only record is
            # this confirmation's own outcome (a Slack retry of it gets the same answer), "not created".
            assert not [c for c in held if c[:2] == ("subscription", license_id)], held
            assert [(c[0], c[2], c[3]["outcome"], c[3]["reason"]) for c in held] == [
                ("subscription_request", "done", "not_created", "redirected")
            ], held

            # And so a new confirmation goes through: one more POST, subscribed.
            again, view_id = await confirm_subscription(bot)
            assert again == license_id
            assert "Subscribed." in await result_text(bot.state, view_id)
            assert lives.count("POST", LICENSES) == 2 and license_id in lives.subscriptions
            assert ("subscription", license_id, "done") in [c[:3] for c in claims(bot.database)]
    finally:
        await sandbox.close()
