"""One benchmark stack: the fakes process and N `partners-bot serve` processes wired to it.

Each bot is started exactly as an operator would (`python -m bot.cli serve --port P`) with its
settings in the environment, from an empty working directory so no `.env` is read.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench import procs
from bench.fakes import BOT_TOKEN, SANDBOX_TOKEN

SIGNING_SECRET = "bench-signing-secret"


@dataclass
class Bot:
    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path
    sql_counts_path: Path | None = None

    def sql_counts(self) -> dict[str, int]:
        """SQL statements by kind, as last written by bench/counted_serve.py ({} if not counted)."""
        if self.sql_counts_path is None or not self.sql_counts_path.exists():
            return {}
        return dict(json.loads(self.sql_counts_path.read_text()))

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"

    @property
    def pid(self) -> int:
        return self.proc.pid


@dataclass
class Stack:
    """Fakes + bots; use `async with start_stack(...)`-style via `open()`/`close()`."""

    workdir: Path
    urls: dict[str, str] = field(default_factory=dict)
    fakes: subprocess.Popen[bytes] | None = None
    bots: list[Bot] = field(default_factory=list)
    session: aiohttp.ClientSession | None = None

    @property
    def control(self) -> str:
        return self.urls["control_url"]

    async def open(self) -> Stack:
        ready = self.workdir / "fakes.json"
        log_path = self.workdir / "fakes.log"
        self.fakes = procs.start(
            [sys.executable, "-m", "bench.fakes", "--ready-file", str(ready)],
            env=procs.clean_env({}),
            cwd=self.workdir,
            log_path=log_path,
        )
        self.urls = json.loads(await procs.wait_for_file(ready, self.fakes, log_path))
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self

    def bot_env(self, database_url: str | None = None, **extra: str) -> dict[str, str]:
        return procs.clean_env(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": self.urls["slack_api_url"],
                "PARTNERS_API_TOKEN": SANDBOX_TOKEN,
                "PARTNERS_API_URL": self.urls["sandbox_url"],
                "RECURLY_API_URL": self.urls["sandbox_url"],
                "DATABASE_URL": database_url or f"sqlite+aiosqlite:///{self.workdir}/bot-{len(self.bots)}.db",
                "ADMIN_USER_IDS": "U_ADMIN",
                "LOG_LEVEL": "WARNING",
                **extra,
            }
        )

    async def start_bot(
        self, database_url: str | None = None, *, count_sql: bool = False, **extra_env: str
    ) -> Bot:
        """Start one `serve` process and wait for its `/healthz`; with `count_sql`, through
        bench/counted_serve.py, which writes its SQL statement counts to `Bot.sql_counts_path`."""
        port = procs.free_port()
        index = len(self.bots)
        log_path = self.workdir / f"bot-{index}.log"
        cwd = self.workdir / f"bot-{index}"
        cwd.mkdir(exist_ok=True)
        counts = self.workdir / f"bot-{index}-sql.json"
        runner = ["bench.counted_serve", str(counts)] if count_sql else ["bot.cli"]
        proc = procs.start(
            [sys.executable, "-m", *runner, "serve", "--port", str(port)],
            env=self.bot_env(database_url, **extra_env),
            cwd=cwd,
            log_path=log_path,
        )
        bot = Bot(proc, f"http://127.0.0.1:{port}", log_path, counts if count_sql else None)
        self.bots.append(bot)
        await procs.wait_for_http(f"{bot.url}/healthz", proc, log_path)
        return bot

    async def start_baseline(self) -> Bot:
        """Start the minimal Bolt app (signature check + ack) the same way (bench/baseline_app.py)."""
        port = procs.free_port()
        log_path = self.workdir / f"baseline-{len(self.bots)}.log"
        proc = procs.start(
            [
                sys.executable,
                "-m",
                "bench.baseline_app",
                "--port",
                str(port),
                "--slack-api-url",
                self.urls["slack_api_url"],
            ],
            env=procs.clean_env(
                {
                    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_BOT_TOKEN": BOT_TOKEN,
                }
            ),
            cwd=self.workdir,
            log_path=log_path,
        )
        bot = Bot(proc, f"http://127.0.0.1:{port}", log_path)
        self.bots.append(bot)
        await procs.wait_for_http(f"{bot.url}/healthz", proc, log_path)
        return bot

    def log_text(self, bot: Bot) -> str:
        return bot.log_path.read_text(errors="replace") if bot.log_path.exists() else ""

    def stop_bot(self, bot: Bot) -> None:
        procs.stop(bot.proc)

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        assert self.session is not None
        async with self.session.post(self.control + path, json=body) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def configure(self, **settings: Any) -> None:
        await self._post("/configure", settings)

    async def response_urls(
        self, count: int, channel_id: str = "C_GENERAL", user_id: str = "U_ADMIN"
    ) -> list[str]:
        answer = await self._post(
            "/response-urls", {"count": count, "channel_id": channel_id, "user_id": user_id}
        )
        return list(answer["urls"])

    async def response_times(self, urls: list[str]) -> dict[str, float | None]:
        """When each response URL first got an accepted post (wall time), None if never."""
        answer = await self._post("/response-times", {"urls": urls})
        return dict(answer["times"])

    async def trigger_ids(self, count: int = 1, user_id: str = "U_ADMIN") -> list[str]:
        return list((await self._post("/trigger-ids", {"count": count, "user_id": user_id}))["ids"])

    async def stats(self, times_prefix: str = "") -> dict[str, Any]:
        assert self.session is not None
        params = {"times_prefix": times_prefix} if times_prefix else None
        async with self.session.get(self.control + "/stats", params=params) as resp:
            resp.raise_for_status()
            return dict(await resp.json())

    async def wait_stats(
        self, done: Callable[[dict[str, Any]], bool], timeout: float, interval: float = 0.25
    ) -> dict[str, Any]:
        """Poll `/stats` until `done(stats)` or `timeout`; return the last stats either way."""
        deadline = time.monotonic() + timeout
        while True:
            current = await self.stats()
            if done(current) or time.monotonic() >= deadline:
                return current
            await asyncio.sleep(interval)

    async def close(self) -> None:
        for proc in [bot.proc for bot in self.bots]:
            procs.stop(proc)
        if self.fakes is not None:
            procs.stop(self.fakes)
        if self.session is not None:
            await self.session.close()


class StackContext:
    """`async with StackContext() as stack:` — a temporary directory and every process cleaned up."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="partners-bench-")
        self.stack = Stack(Path(self._tmp.name))

    async def __aenter__(self) -> Stack:
        try:
            return await self.stack.open()
        except BaseException:
            await self.stack.close()
            self._tmp.cleanup()
            raise

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.stack.close()
        finally:
            self._tmp.cleanup()
