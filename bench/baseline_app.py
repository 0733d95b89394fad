"""The throughput baseline: the smallest slack-bolt `AsyncApp` that verifies the signature and acks
`/earnings`, served exactly like Partners Bot (aiohttp + `to_bolt_request`, `POST /slack/events`).

Its Web API client points at the Slack stand-in so Bolt's single-team authorization (one cached
`auth.test`) runs as it does in the bot; the only difference left is the bot's own work.

With `--post-reply FILE` it also POSTs FILE's bytes (a pre-rendered reply) to each command's
`response_url` after the ack, over one shared aiohttp session as the bot does. That variant prices the
second HTTP exchange every `/earnings` needs and the plain baseline does not (an informational row).
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build_baseline_app(
    signing_secret: str, bot_token: str, slack_api_url: str, reply: bytes | None = None
) -> web.Application:
    """Bolt with signature verification on and one listener that acks `/earnings` (and, with
    `reply`, posts those bytes to the command's response URL)."""
    shared: dict[str, aiohttp.ClientSession] = {}
    bolt = AsyncApp(
        client=AsyncWebClient(token=bot_token, base_url=slack_api_url),
        signing_secret=signing_secret,
        request_verification_enabled=True,
        logger=logging.getLogger("slack_bolt"),
    )

    @bolt.command("/earnings")
    async def earnings(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack()
        if reply is not None:
            headers = {"Content-Type": "application/json; charset=utf-8"}
            async with shared["http"].post(command["response_url"], data=reply, headers=headers) as resp:
                await resp.read()

    async def slack_events(request: web.Request) -> web.Response:
        bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def open_session(app: web.Application) -> None:
        shared["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def close_session(app: web.Application) -> None:
        await shared["http"].close()

    app = web.Application(client_max_size=512 * 1024)
    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="baseline Bolt app for the benchmark")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slack-api-url", required=True)
    parser.add_argument("--post-reply", type=Path, help="also POST this file to each response_url")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    app = build_baseline_app(
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ["SLACK_BOT_TOKEN"],
        args.slack_api_url,
        args.post_reply.read_bytes() if args.post_reply else None,
    )
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
