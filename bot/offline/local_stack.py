"""The whole bot on local ports: sandbox Partners API, Slack stand-in, and the real HTTP app.

The offline console, the end-to-end tests and the benchmarks all run Partners Bot this way, so
they exercise the same code as production: signed requests into `POST /slack/events`, the real
slack_sdk client talking to `SLACK_API_URL`, and the real Partners client talking to
`PARTNERS_API_URL`.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.app import build_web_app
from bot.clock import Clock
from bot.offline.sandbox import RunningSandbox, SandboxOptions, start_sandbox
from bot.offline.slack_standin import RunningStandin, SlackDriver, StandinOptions, start_slack_standin
from bot.services import Services, open_services
from bot.settings import Settings, load_settings
from bot.web_server import LimitedRunner, ServerLimits

SIGNING_SECRET = "local-stack-signing-secret"
SANDBOX_TOKEN = "sandbox-token"


@dataclass
class LocalStack:
    sandbox: RunningSandbox
    standin: RunningStandin
    settings: Settings
    services: Services
    runner: web.AppRunner
    bot_url: str
    driver: SlackDriver
    _closed: bool = field(default=False, repr=False)

    @property
    def events_url(self) -> str:
        return f"{self.bot_url}/slack/events"

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self.driver.close()
        await self.runner.cleanup()
        await self.standin.close()
        await self.sandbox.close()

    async def __aenter__(self) -> LocalStack:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _bound_port(runner: web.AppRunner) -> int:
    for site in runner.sites:
        server = getattr(site, "_server", None)
        for sock in getattr(server, "sockets", None) or []:
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                return int(sock.getsockname()[1])
    raise RuntimeError("the bot's web app is not bound to a port")


async def start_local_stack(
    *,
    sandbox_options: SandboxOptions | None = None,
    standin_options: StandinOptions | None = None,
    settings_overrides: dict[str, Any] | None = None,
    clock: Clock | None = None,
    sandbox: RunningSandbox | None = None,
) -> LocalStack:
    """Start everything on free ports; `settings_overrides` uses Settings field names."""
    sandbox = sandbox or await start_sandbox(options=sandbox_options or SandboxOptions(token=SANDBOX_TOKEN))
    standin_options = standin_options or StandinOptions()
    standin = await start_slack_standin(options=standin_options)
    values: dict[str, Any] = {
        "slack_bot_token": standin_options.bot_token,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": standin.api_url,
        "partners_api_token": sandbox_options.token
        if sandbox_options and sandbox_options.token
        else SANDBOX_TOKEN,
        "partners_api_url": sandbox.url,
        "recurly_api_url": sandbox.url,
        "database_url": "sqlite+aiosqlite:///:memory:",
        **(settings_overrides or {}),
    }
    settings = load_settings(_env_file=None, **values)
    services = await open_services(settings, clock=clock)
    app = build_web_app(services)
    runner = LimitedRunner(app, ServerLimits.from_settings(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    bot_url = f"http://127.0.0.1:{_bound_port(runner)}"
    driver = SlackDriver(f"{bot_url}/slack/events", SIGNING_SECRET, standin.state)
    return LocalStack(sandbox, standin, settings, services, runner, bot_url, driver)
