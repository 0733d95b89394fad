"""`partners-bot socket` as a real process: Socket Mode to the stand-in, Partners API from the sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.offline.sandbox import RunningSandbox, SandboxOptions, start_sandbox
from bot.offline.slack_standin import RunningStandin, start_slack_standin
from tests.e2e.blockkit import assert_valid_message
from tests.paths import ROOT as PATHS_ROOT

ROOT = PATHS_ROOT
SECRETS = ("xoxb-standin", "xapp-standin", "sandbox-token", "socket-test-signing-secret")


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[RunningSandbox, RunningStandin]]:
    sandbox = await start_sandbox(options=SandboxOptions(token="sandbox-token"))
    standin = await start_slack_standin()
    try:
        yield sandbox, standin
    finally:
        await standin.close()
        await sandbox.close()


def bot_env(tmp_path: Path, sandbox_url: str, api_url: str, **changes: str | None) -> dict[str, str]:
    """The environment a deployment would set, pointed at the fakes (None removes a variable)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARTNERS_", "DATABASE_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-standin",
        SLACK_APP_TOKEN="xapp-standin",
        SLACK_SIGNING_SECRET="socket-test-signing-secret",
        SLACK_API_URL=api_url,
        PARTNERS_API_TOKEN="sandbox-token",
        PARTNERS_API_URL=sandbox_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        DIGEST_CHECK_SECONDS="0",
        ADMIN_USER_IDS="U_ADMIN",
        PYTHONPATH=str(ROOT),
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


async def start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "socket",
        env=env,
        cwd=cwd,  # no developer .env is read
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop_bot(process: asyncio.subprocess.Process, timeout: float = 5.0) -> tuple[int, str]:
    """SIGTERM, then the exit status and everything it wrote (killed, and failed, if it hangs)."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.communicate()
        pytest.fail(f"`partners-bot socket` did not exit within {timeout}s of SIGTERM")
    assert process.returncode is not None
    return process.returncode, (out + err).decode()


def slash_command(standin: RunningStandin, command: str, text: str = "", user_id: str = "U_ADMIN") -> dict:
    """A `slash_commands` envelope payload, with the fields Slack sends."""
    state = standin.state
    return {
        "token": "verification-token",
        "team_id": state.options.team_id,
        "team_domain": state.options.team_domain,
        "channel_id": "C_GENERAL",
        "channel_name": "general",
        "user_id": user_id,
        "user_name": state.users[user_id].name,
        "command": command,
        "text": text,
        "api_app_id": state.options.app_id,
        "is_enterprise_install": "false",
        "response_url": state.new_response_url(channel_id="C_GENERAL", user_id=user_id),
        "trigger_id": state.new_trigger_id(user_id),
    }


async def test_earnings_over_socket_mode_then_clean_sigterm(fakes, tmp_path: Path):
    sandbox, standin = fakes
    process = await start_bot(bot_env(tmp_path, sandbox.url, standin.api_url), tmp_path)
    try:
        await standin.state.wait_for_socket(timeout=10)
        opened = standin.state.calls("apps.connections.open")
        assert len(opened) == 1 and opened[0].ok

        sandbox.state.latency = 1.5
        payload = slash_command(standin, "/earnings")
        # Acked within 1 s although the Partners API takes 1.5 s: the ack does not wait for it.
        ack = await standin.state.socket_send("slash_commands", payload, timeout=1.0)
        [envelope] = standin.state.socket.envelopes
        assert ack == {"envelope_id": envelope.envelope_id}

        post = await standin.state.wait_for_response(payload["response_url"], timeout=5)
        assert post.payload["response_type"] == "ephemeral"
        assert_valid_message(post.payload)
        assert "$16,519.12" in str(post.payload["blocks"])
    finally:
        status, output = await stop_bot(process)

    assert status == 0, output
    assert "Traceback" not in output
    assert "stopping" in output
    assert standin.state.socket.connected == 0  # it closed its socket on the way out
    assert (tmp_path / "bot.db").exists()  # migrations ran on the configured database
    for secret in SECRETS:
        assert secret not in output


def test_missing_app_token_is_one_line_and_exit_2(tmp_path: Path):
    env = bot_env(tmp_path, "http://127.0.0.1:9", "http://127.0.0.1:9/api/", SLACK_APP_TOKEN=None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "socket"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_APP_TOKEN" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


async def test_bot_token_given_as_app_token_is_refused_in_one_line(fakes, tmp_path: Path):
    sandbox, standin = fakes
    env = bot_env(tmp_path, sandbox.url, standin.api_url, SLACK_APP_TOKEN="xoxb-standin")
    process = await start_bot(env, tmp_path)
    try:
        out, err = await asyncio.wait_for(process.communicate(), 10)
    except TimeoutError:
        process.kill()
        await process.communicate()
        pytest.fail("a refused SLACK_APP_TOKEN must end the process, not retry forever")
    stderr = err.decode()
    assert process.returncode == 2
    last = stderr.strip().splitlines()[-1]
    assert "SLACK_APP_TOKEN" in last and "not_allowed_token_type" in last
    assert "Traceback" not in stderr
    for secret in SECRETS:
        assert secret not in stderr + out.decode()


async def test_sigterm_ends_the_bot_while_slack_keeps_failing(fakes, tmp_path: Path):
    sandbox, standin = fakes
    standin.state.fail_next("apps.connections.open", "internal_error", times=100)
    process = await start_bot(bot_env(tmp_path, sandbox.url, standin.api_url), tmp_path)
    try:
        # Ours, then the SDK's own attempt: it is now in its retry loop (10 s between tries).
        await standin.state.wait_for_call("apps.connections.open", timeout=10, count=2)
    finally:
        status, output = await stop_bot(process, timeout=3)
    assert status == 0, output
    assert standin.state.socket.connections_accepted == 0
