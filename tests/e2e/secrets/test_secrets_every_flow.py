"""Every flow at DEBUG — `/campaign` create, digest on + a digest run, `/subscribe` with a vault card,
`partners-bot cards import|list` and `partners-bot audit` — leaks no secret anywhere.

Logs are captured through production's `setup_logging` (redacting filter with the secrets production
gives it: tokens, signing secret, vault key); the card number, CVV and the Recurly tokens are NOT in
that list, so their absence is the code's doing. Checked: every log line and traceback, everything
the Slack stand-in received, every CLI output, and everything the Partners/Recurly sandbox received
except exactly where a secret must go (the Recurly token in the subscription POST, the card in the
Recurly token request).
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

from bot.campaigns.form import NAME_BLOCK, PRODUCT_BLOCK
from bot.clock import ManualClock
from bot.commands.digest import run_digests
from bot.offline.local_stack import SIGNING_SECRET
from bot.offline.slack_standin.driver import SlackDriver
from tests.e2e.support.flows import (
    CAMPAIGNS,
    PLAN_PRICES,
    SUB_PATH,
    TOKEN_PATH,
    card_data,
    confirmation,
    view_option,
    wait_for_result,
)
from tests.e2e.support.processes import bot_env, start_cli
from tests.e2e.support.stacks import (
    BOT_TOKEN,
    CARD_NUMBER,
    CVV,
    PARTNERS_TOKEN,
    VAULT_KEY,
    start_hardening_stack,
)

# A CVV is three digits, so it is looked for where a leak would put it: next to its field name.
CVV_LEAK = re.compile(rf"(?i)(cvv|cvc|verification_value|security.code)\W{{0,8}}{CVV}(?!\d)")


def leaked(text: str, secrets: dict[str, str]) -> list[str]:
    """Names (never values) of the secrets found in `text`."""
    found = [name for name, value in secrets.items() if value and value in text]
    if CVV_LEAK.search(text):
        found.append("cvv")
    return found


async def run_cli(args: list[str], env: dict[str, str], workdir, name: str) -> str:
    process = await start_cli(args, env, workdir, name)
    status = await process.wait()
    text = process.text()
    assert status == 0, f"{args}: exit {status}"
    return text


async def test_every_flow_at_debug_leaks_no_secret(tmp_path, debug_logs):
    database_url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    stack = await start_hardening_stack(
        clock=clock, vault_key=VAULT_KEY, plan_prices=PLAN_PRICES, database_url=database_url
    )
    driver: SlackDriver = stack.driver
    state, lives = stack.standin.state, stack.sandbox.state
    env = bot_env(
        slack_api_url=stack.standin.api_url,
        partners_url=stack.sandbox.url,
        database_url=database_url,
        VAULT_KEY=VAULT_KEY,
    )
    outputs: dict[str, str] = {}
    try:
        # The operator imports the card (a JSON file with number and CVV), as documented.
        card_file = tmp_path / "card.json"
        card_file.write_text(json.dumps(card_data()))
        outputs["cards import"] = await run_cli(["cards", "import", str(card_file)], env, tmp_path, "import")
        outputs["cards list"] = await run_cli(["cards", "list"], env, tmp_path, "list")
        assert "1111" in outputs["cards list"]  # the listing really shows the card (last 4)

        # /campaign: create one through the modal, then list.
        await driver.command("/campaign", "new", user_id="U_ADMIN")
        top = await state.wait_for(lambda: state.top_view("U_ADMIN"), timeout=5)
        view = top.view
        answers = {NAME_BLOCK: "Secret-free", PRODUCT_BLOCK: view_option(view, PRODUCT_BLOCK)}
        created = await driver.view_submission(view, answers=answers, user_id="U_ADMIN")
        assert created.status == 200
        await state.wait_for(lambda: lives.count("POST", CAMPAIGNS) == 1 or None, timeout=5)
        result = await driver.command("/campaign", "list", user_id="U_ADMIN")
        await state.wait_for_response(result.response_url)

        # /subscribe: a card Recurly refuses to tokenize (500), then the real thing.
        lives.fail_next(TOKEN_PATH, 500)
        refused = await confirmation(driver, state)
        await driver.view_submission(refused["id"])
        await wait_for_result(state, refused["id"])
        confirm = await confirmation(driver, state)
        await driver.view_submission(confirm["id"])
        assert "Subscribed." in await wait_for_result(state, confirm["id"])
        assert lives.count("POST", SUB_PATH) == 1
        outputs["audit"] = await run_cli(["audit"], env, tmp_path, "audit")
        assert "11223301" in outputs["audit"]

        # The digest: on in two channels, tomorrow 09:05 a run; one post fails with invalid_auth.
        for channel in ("C_GENERAL", "C_RANDOM"):
            result = await driver.command(
                "/earnings", "digest on 09:00 UTC", user_id="U_ADMIN", channel_id=channel
            )
            await state.wait_for_response(result.response_url)
        tomorrow = (clock.now() + timedelta(days=1)).replace(hour=9, minute=5, second=0)
        clock.set(tomorrow)
        state.fail_next("chat.postMessage", error="invalid_auth")
        out = io.StringIO()
        await run_digests(stack.settings, channels=[], dry_run=False, out=out, clock=clock)
        outputs["digest run"] = out.getvalue()
        assert "2 due, 2 claimed by this run, 1 sent, 1 failed" in outputs["digest run"]
    finally:
        await stack.close()

    tokens = {f"recurly token {i}": t.id for i, t in enumerate(lives.issued_tokens.values())}
    assert len(tokens) == 1  # the refused attempt never got one
    secrets = {
        "bot token": BOT_TOKEN,
        "signing secret": SIGNING_SECRET,
        "partners token": PARTNERS_TOKEN,
        "vault key": VAULT_KEY,
        "card number": CARD_NUMBER,
        **tokens,
    }
    logged = debug_logs.text()
    assert "views.update" in logged and "chat.postMessage" in logged  # DEBUG really was captured
    assert not leaked(logged, secrets), leaked(logged, secrets)
    for record in debug_logs.records:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            assert not leaked(str(exc) + repr(exc) + repr(exc.__cause__), secrets), record.getMessage()
    for name, text in outputs.items():
        assert not leaked(text, secrets), (name, leaked(text, secrets))
    slack = [repr((r.method, r.args, r.body, r.headers)) for r in state.requests]
    slack += [repr(p.payload) for posts in state.responses.values() for p in posts]
    assert not leaked("\n".join(slack), secrets), leaked("\n".join(slack), secrets)
    # The sandbox: everything but the two places a secret must go.
    seen: list[str] = []
    for call in lives.calls:
        form = dict(call.json or call.form)  # today's subscription POST is JSON
        if call.path.startswith(TOKEN_PATH):
            form = {}  # the card, to Recurly (the sandbox masks it anyway)
        elif call.method == "POST" and call.path.startswith(SUB_PATH):
            assert form.pop("token") in tokens.values()  # the Recurly token, to LiveChat
        seen.append(repr((call.method, call.path, call.query, form, call.headers)))
    assert not leaked("\n".join(seen), secrets), leaked("\n".join(seen), secrets)
