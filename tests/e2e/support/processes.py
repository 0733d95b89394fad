"""Real bot processes for the kill -9 tests: `serve` and the CLI as subprocesses against the fakes.

Each process gets only the environment written here (run from a temporary directory, so no `.env` is
read) and logs at DEBUG to a file the tests can search for secrets afterwards.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bot.offline.local_stack import SIGNING_SECRET
from tests.e2e.support.stacks import BOT_TOKEN, PARTNERS_TOKEN
from tests.paths import ROOT as PATHS_ROOT

REPO = PATHS_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_env(*, slack_api_url: str, partners_url: str, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a bot process wired to the fakes (extra: more settings by env name)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api_url,
        "PARTNERS_API_TOKEN": PARTNERS_TOKEN,
        "PARTNERS_API_URL": partners_url,
        "RECURLY_API_URL": partners_url,
        "DATABASE_URL": database_url,
        "ADMIN_USER_IDS": "U_ADMIN",
        "ALLOWED_USER_IDS": "U_ADMIN,U_PARTNER",
        "LOG_LEVEL": "DEBUG",
        "DIGEST_CHECK_SECONDS": "0",
    }
    env.update(extra)
    return env


@dataclass
class BotProcess:
    """One running bot subprocess; `output` is where its stdout and stderr go."""

    process: asyncio.subprocess.Process
    output: Path
    url: str = ""

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"

    def kill9(self) -> None:
        """SIGKILL: no shutdown hook, no finally, no flush — the process just stops."""
        self.process.send_signal(signal.SIGKILL)

    async def wait(self, timeout: float = 15.0) -> int:
        return await asyncio.wait_for(self.process.wait(), timeout)

    def text(self) -> str:
        return self.output.read_text(errors="replace")


async def start_cli(args: list[str], env: Mapping[str, str], workdir: Path, name: str) -> BotProcess:
    """`python -m bot.cli ARGS` in `workdir` with exactly `env`."""
    output = workdir / f"{name}.log"
    handle = output.open("ab")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=dict(env),
        cwd=workdir,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=handle,
        stderr=asyncio.subprocess.STDOUT,
    )
    handle.close()
    return BotProcess(process, output)


async def start_serve(
    env: Mapping[str, str], workdir: Path, name: str = "serve", *, wait_seconds: float = 15.0
) -> BotProcess:
    """`partners-bot serve` on a free port; returns once `/healthz` answers (within `wait_seconds`)."""
    port = free_port()
    bot = await start_cli(["serve", "--port", str(port)], env, workdir, name)
    bot.url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        for _ in range(int(wait_seconds / 0.05)):
            if bot.process.returncode is not None:
                raise AssertionError(f"serve exited with {bot.process.returncode}:\n{bot.text()[-3000:]}")
            try:
                async with session.get(f"{bot.url}/healthz") as response:
                    if response.status == 200:
                        return bot
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    bot.kill9()
    raise AssertionError(f"serve did not answer /healthz:\n{bot.text()[-3000:]}")


async def stop(bot: BotProcess) -> None:
    """End a process this test started (SIGKILL if it is still running) and reap it."""
    if bot.process.returncode is None:
        bot.kill9()
    await bot.wait()


async def stop_all(processes: Iterable[BotProcess], *services: Any) -> None:
    """A kill test's teardown: every process it started, then what they talked to (each `close()`d)."""
    for bot in processes:
        await stop(bot)
    for service in services:
        await service.close()


async def poll(predicate: Callable[[], object], timeout: float = 5.0, interval: float = 0.01) -> None:
    """Wait until `predicate()` is truthy (for state the Slack stand-in's `wait_for` cannot see)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
