"""`python -m bench.profile`: where one `/earnings` request's time goes in `serve`, sampled with py-spy.

Starts the fakes and one `serve` process as the benchmark does, drives `/earnings` at concurrency 32
for `--seconds` (after a warm-up that fills the earnings cache), records the process with
`py-spy record --format raw` and prints, per part of the request path, the share of the process's
samples whose stack passes through it (inclusive, so parts nest: the middlewares are inside Bolt).
`--tree DIR` profiles another checkout (e.g. an older commit unpacked with `git archive`), which is how
docs/bench.md's before/after was taken. Needs py-spy (`pip install py-spy`).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

from bench import procs
from bench.loadgen import closed_loop, fake_trigger_id, slash_command
from bench.stack import SIGNING_SECRET, StackContext

# (label, pattern matched against "function (file)" of each frame)
PARTS = (
    ("aiohttp server (everything below it)", r"\(aiohttp/web_protocol\.py\)"),
    ("our raw-body checks before Bolt: signature", r"^check_signature \(bot/slack/inbound\.py\)"),
    ("our raw-body checks before Bolt: parse and shape", r"^check_body \(bot/slack/inbound\.py\)"),
    ("Bolt dispatch (everything below it)", r"^AsyncApp\.async_dispatch "),
    ("Bolt: building the request (parses the body again)", r"^AsyncBoltRequest\.__init__ "),
    ("Bolt: its signature check", r"^AsyncRequestVerification\.async_process "),
    ("middleware: retries", r"\(handlers/retries\.py\)"),
    ("middleware: access", r"\(handlers/access\.py\)"),
    ("middleware: fresh /earnings in the ack", r"^FreshSummaryInAck\.async_process "),
    ("Bolt listener runner (matching, kwargs, the task)", r"^AsyncioListenerRunner\.run "),
    ("building blocks (handlers/earnings_blocks.py)", r"\(handlers/earnings_blocks\.py\)"),
    ("JSON encoding", r"^(dumps|JSONEncoder\.encode|JSONEncoder\.iterencode) \(json/"),
    ("posting to the response URL", r"^post_to_response_url "),
    ("earnings cache", r"\(bot/partners/cache\.py\)"),
)
_FRAME = re.compile(r"(.*?) \((.*?)(?::\d+)?\)$")


def _frame(raw: str, root: str) -> str:
    match = _FRAME.match(raw)
    if not match:
        return raw
    path = match.group(2).split("site-packages/")[-1].replace(root, "")
    return f"{match.group(1)} ({path.split('python3.11/')[-1]})"


def breakdown(raw_text: str, root: str) -> tuple[int, list[tuple[str, float]]]:
    """Total samples and each part's inclusive share (%) from py-spy's raw (collapsed) output."""
    total = 0
    hits: Counter[str] = Counter()
    patterns = [(label, re.compile(pattern)) for label, pattern in PARTS]
    for line in raw_text.splitlines():
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        frames = [_frame(f, root) for f in stack.split(";")]
        for label, pattern in patterns:
            if any(pattern.search(f) for f in frames):
                hits[label] += samples
    return total, [(label, 100.0 * hits[label] / total if total else 0.0) for label, _ in PARTS]


async def profile(seconds: float, tree: Path, out: Path) -> str:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    async with StackContext() as stack:
        urls = await stack.response_urls(6_000)
        requests = [
            slash_command(SIGNING_SECRET, "/earnings", response_url=u, trigger_id=fake_trigger_id(i))
            for i, u in enumerate(urls)
        ]
        bot = await stack.start_bot(PYTHONPATH=str(tree))  # the bot's code comes from `tree`
        await closed_loop(bot.events_url, lambda i: requests[-1 - i % 500], 32, duration=1.0)
        recorder = await asyncio.create_subprocess_exec(
            *[py_spy, "record", "-p", str(bot.pid), "-d", str(int(seconds)), "-r", "200"],
            *["-f", "raw", "-o", str(out)],
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        result = await closed_loop(
            bot.events_url, lambda i: requests[i % len(requests)], 32, duration=seconds + 1
        )
        await recorder.wait()
    return f"{result.throughput:,.0f} req/s at c=32 while sampled"


def report(headline: str, raw_text: str, tree: Path) -> str:
    total, parts = breakdown(raw_text, str(tree) + "/")
    lines = [f"{headline}; {total:,} samples", ""]
    lines += ["| part of the request path | share of samples |", "|---|---:|"]
    lines += [f"| {label} | {share:.1f} % |" for label, share in parts]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--tree", type=Path, default=procs.REPO_ROOT, help="checkout whose bot to profile")
    parser.add_argument("--raw", type=Path, default=Path("/tmp/partners-bot-profile.txt"))
    args = parser.parse_args()
    procs.install_cleanup()
    try:
        tree = args.tree.resolve()
        headline = asyncio.run(profile(args.seconds, tree, args.raw))
        print(report(headline, args.raw.read_text(), tree))
    finally:
        procs.stop_all()


if __name__ == "__main__":
    main()
