"""(4) Modal opening: `/campaign` while the Partners API takes 2.5 s per call.

Slack's trigger id dies 3 s after the user typed the command, so the form must open (`views.open`)
before any API call. Each command gets a fresh trigger id from the stand-in just before it is sent;
the time is from sending the command to the stand-in receiving a successful `views.open` for that
trigger id (both clocks are this machine's wall clock).
"""

from __future__ import annotations

import asyncio
import time

from bench.loadgen import new_session, percentile, send_one, slash_command
from bench.report import Figure
from bench.scenarios import feature_present
from bench.stack import SIGNING_SECRET, StackContext

NAME = "modal"
TITLE = "4. Modal opening, /campaign"
PARTNERS_LATENCY = 2.5
RATE = 5.0  # commands per second: several land while the first coupons load is still in flight


async def run(quick: bool) -> list[Figure]:
    s = TITLE
    if not feature_present("handlers.campaign"):
        return [Figure(s, "command → views.open p99", None, note="feature not present")]
    total = 5 if quick else 40
    async with StackContext() as stack:
        await stack.configure(partners_latency=PARTNERS_LATENCY)
        bot = await stack.start_bot()
        urls = await stack.response_urls(total)
        sent: dict[str, float] = {}
        acks = []
        async with new_session() as session:

            async def one(index: int) -> None:
                trigger_id = (await stack.trigger_ids(1))[0]
                request = slash_command(
                    SIGNING_SECRET, "/campaign", response_url=urls[index], trigger_id=trigger_id
                )
                sent[trigger_id] = time.time()
                acks.append(await send_one(session, bot.events_url, request))

            tasks = []
            for index in range(total):
                tasks.append(asyncio.create_task(one(index)))
                await asyncio.sleep(1 / RATE)
            await asyncio.gather(*tasks)
        stats = await stack.wait_stats(lambda st: len(st["views_open"]) >= total, timeout=10)

    opened = {v["trigger_id"]: v for v in stats["views_open"]}
    delays = [opened[t]["time"] - at for t, at in sent.items() if t in opened and opened[t]["ok"]]
    expired = sum(1 for v in stats["views_open"] if v["error"] == "expired_trigger_id")
    other = sum(1 for v in stats["views_open"] if not v["ok"] and v["error"] != "expired_trigger_id")

    return [
        Figure(
            s,
            "command → successful views.open p99",
            percentile(delays, 99) * 1000 if delays else None,
            "ms",
            "<=",
            300,
            note=f"{len(delays)} of {total} opened; other views.open errors: {other}",
        ),
        Figure(
            s, "command → successful views.open p50", percentile(delays, 50) * 1000 if delays else None, "ms"
        ),
        Figure(s, "expired_trigger_id", expired, "", "==", 0),
        Figure(s, "forms not opened", total - len(delays), "", "==", 0),
        Figure(s, "ack p99", percentile([a.latency for a in acks if a.ok], 99) * 1000, "ms"),
    ]
