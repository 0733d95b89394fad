"""The throughput baseline: the smallest slack-bolt `AsyncApp` that verifies the signature and acks
`/earnings`, served exactly like Partners Bot (aiohttp + `to_bolt_request`, `POST /slack/events`).

Its Web API client points at the Slack stand-in so Bolt's single-team authorization (one cached
`auth.test`) runs as it does in the bot; the only difference left is the bot's own work.
"""

from __future__ import annotations

import argparse
import logging
import os

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build_baseline_app(signing_secret: str, bot_token: str, slack_api_url: str) -> web.Application:
    """Bolt with signature verification on and one listener that acks `/earnings`."""
    bolt = AsyncApp(
        client=AsyncWebClient(token=bot_token, base_url=slack_api_url),
        signing_secret=signing_secret,
        request_verification_enabled=True,
        logger=logging.getLogger("slack_bolt"),
    )

    @bolt.command("/earnings")
    async def earnings(ack: AsyncAck) -> None:
        await ack()

    async def slack_events(request: web.Request) -> web.Response:
        bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application(client_max_size=512 * 1024)
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="baseline Bolt app for the benchmark")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slack-api-url", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    app = build_baseline_app(
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ["SLACK_BOT_TOKEN"],
        args.slack_api_url,
    )
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
