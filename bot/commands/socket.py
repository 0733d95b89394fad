"""`partners-bot socket`: the bot over Socket Mode (no public URL needed)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.app import build_bolt_app
from bot.commands.runtime import bot_settings, reach_database
from bot.deps import Deps, build_deps
from bot.settings import SettingsError

log = logging.getLogger(__name__)

# Slack's answers meaning "this app token is wrong", not "try again later".
_TOKEN_ERRORS = {"not_authed", "invalid_auth", "not_allowed_token_type", "token_revoked", "account_inactive"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("socket", help="run the bot over Socket Mode (needs SLACK_APP_TOKEN)")
    parser.set_defaults(func=run)


async def _first_connection_url(deps: Deps, app_token: str) -> str | None:
    """Open the first connection ourselves so a wrong token is one clear line, not endless retries.

    slack_sdk's client retries a refused token forever (a traceback every 10 s). Any other failure
    (network, rate limit) is left to its reconnect loop: None.
    """
    try:
        response = await deps.slack.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error in _TOKEN_ERRORS:
            raise SettingsError(
                f"SLACK_APP_TOKEN was refused by Slack ({error}): use the app-level token (xapp-…) "
                "with connections:write from your Slack app's Basic Information page"
            ) from None
        log.warning("could not open a Socket Mode connection yet (%s); retrying", error)
        return None
    except Exception as exc:
        log.warning(
            "could not reach Slack to open a Socket Mode connection (%s); retrying", type(exc).__name__
        )
        return None
    return str(response["url"])


async def serve_socket_mode() -> None:
    """Run until SIGTERM/SIGINT, then disconnect and close every dependency (exit status 0)."""
    settings = bot_settings("SLACK_APP_TOKEN")
    assert settings.slack_app_token is not None
    app_token = settings.slack_app_token.get_secret_value()
    deps = build_deps(settings)
    if deps.db is not None:
        await reach_database(deps.db)  # one line naming DATABASE_URL, not a traceback
    bolt = build_bolt_app(deps)
    # Without handlers SIGTERM (docker stop, systemd, k8s) kills the process mid-flight: the
    # socket is never closed and the database and HTTP sessions are never released.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows: no loop signal handlers
            loop.add_signal_handler(signum, stop.set)
    handler: AsyncSocketModeHandler | None = None
    try:
        await deps.start()
        url = await _first_connection_url(deps, app_token)
        handler = AsyncSocketModeHandler(bolt, app_token)
        handler.client.wss_uri = url  # type: ignore[assignment]  # None: the client opens one itself
        log.info("Partners Bot connecting to Slack over Socket Mode")
        # connect_async() retries until Slack answers; a stop signal must still end it.
        connecting = asyncio.ensure_future(handler.connect_async())
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if connecting.done() and not stop.is_set():
            connecting.result()
            log.info("Partners Bot is connected over Socket Mode")
            await stopping
        log.info("Partners Bot stopping: closing the Socket Mode connection")
        connecting.cancel()
    finally:
        if handler is not None:
            await handler.close_async()
        await deps.close()


def run(args: argparse.Namespace) -> int:
    asyncio.run(serve_socket_mode())
    return 0
