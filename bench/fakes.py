"""The fakes as their own process: sandbox Partners API + Slack stand-in + a small control API.

Run as `python -m bench.fakes --ready-file F`. Keeping the fakes out of the load generator's process
means answering the bot's response-URL posts never delays the generator's timestamps. The control API
is how the benchmark configures the fakes and reads their counters over HTTP:

- `POST /configure` {partners_latency, latency_by_path, rate_limit_per_channel, slack_faults: [fail_next
  kwargs], channels: {prefix, count}}
- `POST /response-urls` {count, channel_id, user_id} → {urls}
- `POST /trigger-ids` {count, user_id} → {ids}
- `POST /response-times` {urls} → {times: {url: wall time of its first accepted post, or null}}
- `GET /stats[?times_prefix=C]` → counters (Partners calls by path, response posts, Slack calls, views.open,
  messages; first/last message time in channels starting with C)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.offline.sandbox import RunningSandbox, SandboxOptions, start_sandbox
from bot.offline.slack_standin import RunningStandin, StandinChannel, StandinOptions, start_slack_standin

SANDBOX_TOKEN = "sandbox-token"
BOT_TOKEN = "xoxb-standin"


def stats(sandbox: RunningSandbox, standin: RunningStandin, times_prefix: str = "") -> dict[str, Any]:
    """Everything a scenario checks, computed from what the fakes recorded; with `times_prefix`,
    also the wall times of the first and last message posted in channels whose id starts with it."""
    s = standin.state
    partners = Counter(f"{c.method} {c.path}" for c in sandbox.state.calls)
    posts = [p for posts in s.responses.values() for p in posts]
    delivered = {url_id for url_id, posts in s.responses.items() if any(p.accepted for p in posts)}
    methods = Counter(r.method for r in s.requests)
    statuses = Counter(f"{r.method} {r.status} {r.response.get('error', 'ok')}" for r in s.requests)
    views_open = [
        {
            "trigger_id": r.args.get("trigger_id"),
            "time": r.time,
            "ok": bool(r.response.get("ok")),
            "error": r.response.get("error"),
        }
        for r in s.requests
        if r.method == "views.open"
    ]
    api_messages = [m for m in s.messages() if m.get("via") == "api"]
    delivered_messages = Counter(m["channel"] for m in api_messages)
    times = sorted(
        float(m["ts"]) for m in api_messages if times_prefix and m["channel"].startswith(times_prefix)
    )
    return {
        "first_message_time": times[0] if times else None,
        "last_message_time": times[-1] if times else None,
        "partners_calls": dict(partners),
        "earnings_calls": sandbox.state.count("GET", "/v2/partners/earnings"),
        "response_posts": len(posts),
        "response_posts_accepted": sum(1 for p in posts if p.accepted),
        "response_urls_delivered": len(delivered),
        "slack_calls": dict(methods),
        "slack_statuses": dict(statuses),
        "views_open": views_open,
        "messages_by_channel": dict(delivered_messages),
    }


def control_app(sandbox: RunningSandbox, standin: RunningStandin) -> web.Application:
    async def configure(request: web.Request) -> web.Response:
        body = await request.json()
        if "partners_latency" in body:
            sandbox.state.latency = float(body["partners_latency"])
        if "latency_by_path" in body:
            sandbox.state.latency_by_path = {k: float(v) for k, v in body["latency_by_path"].items()}
        for fault in body.get("slack_faults", []):
            standin.state.fail_next(**fault)
        if "rate_limit_per_channel" in body:
            standin.state.options.rate_limit_per_channel_per_second = body["rate_limit_per_channel"]
        channels = body.get("channels")
        if channels:
            for index in range(int(channels["count"])):
                channel_id = f"{channels['prefix']}{index:05d}"
                standin.state.add_channel(StandinChannel(channel_id, f"bench-{index:05d}"))
        return web.json_response({"ok": True})

    async def response_urls(request: web.Request) -> web.Response:
        body = await request.json()
        urls = [
            standin.state.new_response_url(
                channel_id=body.get("channel_id", "C_GENERAL"), user_id=body.get("user_id", "U_ADMIN")
            )
            for _ in range(int(body["count"]))
        ]
        return web.json_response({"urls": urls})

    async def trigger_ids(request: web.Request) -> web.Response:
        body = await request.json()
        user_id = body.get("user_id", "U_ADMIN")
        ids = [standin.state.new_trigger_id(user_id) for _ in range(int(body.get("count", 1)))]
        return web.json_response({"ids": ids})

    async def response_times(request: web.Request) -> web.Response:
        """Wall time of the first accepted post to each response URL asked about (None: none yet)."""
        body = await request.json()
        answer: dict[str, float | None] = {}
        for url in body["urls"]:
            accepted = standin.state.response_posts(url)
            answer[url] = accepted[0].time if accepted else None
        return web.json_response({"times": answer})

    async def get_stats(request: web.Request) -> web.Response:
        return web.json_response(stats(sandbox, standin, request.query.get("times_prefix", "")))

    app = web.Application()
    app.router.add_post("/configure", configure)
    app.router.add_post("/response-urls", response_urls)
    app.router.add_post("/trigger-ids", trigger_ids)
    app.router.add_post("/response-times", response_times)
    app.router.add_get("/stats", get_stats)
    return app


async def serve(ready_file: Path) -> None:
    sandbox = await start_sandbox(options=SandboxOptions(token=SANDBOX_TOKEN))
    standin = await start_slack_standin(options=StandinOptions(bot_token=BOT_TOKEN))
    runner = web.AppRunner(control_app(sandbox, standin), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    control_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    urls = {
        "sandbox_url": sandbox.url,
        "standin_url": standin.url,
        "slack_api_url": standin.api_url,
        "control_url": control_url,
    }
    tmp = ready_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(urls))
    tmp.rename(ready_file)  # atomic: the benchmark never reads a half-written file
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await standin.close()
        await sandbox.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="bench fakes: sandbox + Slack stand-in + control API")
    parser.add_argument("--ready-file", type=Path, required=True)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.ready_file))


if __name__ == "__main__":
    main()
